"""The teller's pages of the sign-off: what the sale requires and how far the customer is, the
wait for approval, and the issued confirmation. Rules and state live in counterdesk.services.signoff; these
pages only show them and pass on the teller's input."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from counterdesk.base.branchtime import format_time
from counterdesk.ui import theme
from counterdesk.ui.counter.session_steps import StepWidget
from counterdesk.ui.widgets.confirmation_view import ConfirmationView

_DONE, _TODO = "✔", "○"


def _bold(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    theme.set_role(label, "status")
    return label


class SignoffStep(StepWidget):
    """Hand-over to the customer, the recording reference and the teller's attestation."""

    handover_requested = Signal()
    attest_requested = Signal(bool, bool, str)   # identity verified, disclosure explained, recording reference

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.rejection = QLabel()
        self.rejection.setObjectName("signoff_rejection")
        self.rejection.setWordWrap(True)
        theme.set_role(self.rejection, "error")
        self.summary = _bold(QLabel())
        self.summary.setObjectName("signoff_summary")
        self.progress = QLabel()
        self.progress.setObjectName("signoff_progress")
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        self.handover = QPushButton()
        self.handover.setObjectName("signoff_handover")
        form = QFormLayout()
        self.recording_ref = QLineEdit()
        self.recording_ref.setObjectName("signoff_recording_ref")
        self.recording_ref.setMaxLength(64)
        self.recording_label = QLabel()
        form.addRow(self.recording_label, self.recording_ref)
        self.identity = QCheckBox()
        self.identity.setObjectName("attest_identity")
        self.explained = QCheckBox()
        self.explained.setObjectName("attest_explained")
        self.submit = QPushButton()
        self.submit.setObjectName("signoff_submit")
        for w in (self.rejection, self.summary, self.progress):
            lay.addWidget(w)
        row = QHBoxLayout()
        row.addWidget(self.handover)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addLayout(form)
        lay.addWidget(self.identity)
        lay.addWidget(self.explained)
        row2 = QHBoxLayout()
        row2.addWidget(self.submit)
        row2.addStretch(1)
        lay.addLayout(row2)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.handover.clicked.connect(self.handover_requested)
        self.submit.clicked.connect(self._submit)
        self.recording_ref.returnPressed.connect(self.identity.setFocus)
        self.state = None
        self.stage = ""
        self.retranslate()

    def retranslate(self) -> None:
        self.handover.setText(self.tr("&Hand over to the customer (disclosure, consent, signature)"))
        self.recording_label.setText(self.tr("Recording reference:"))
        self.recording_ref.setPlaceholderText(self.tr("Reference from the branch recording system"))
        self.identity.setText(self.tr("I have verified the customer's identity against the original document"))
        self.explained.setText(self.tr("I have explained the risk disclosure and the product to the customer"))
        self.submit.setText(self.tr("Con&firm and submit"))
        if self.state is not None:
            self.show_state(self.state, self.stage)

    def show_state(self, state, stage: str = "", rejection: str | None = None) -> None:
        """``stage``: how far the customer is on the customer window ("" when not handed over)."""
        self.state, self.stage = state, stage
        if rejection is not None:
            self.rejection.setText(self.tr("Rejected by the supervisor: {reason}. Collect the sign-off again, or go "
                                           "back and choose another product.").format(reason=rejection))
        self.rejection.setVisible(bool(self.rejection.text()))
        plan = state.plan
        lines = [self.tr("Product {code} ({risk}), amount {amount}.").format(code=plan.product_code,
                                                                          risk=plan.risk_level, amount=plan.amount),
                 self.tr("Texts to read: {n}; minimum reading time {s} s.").format(n=len(plan.forms),
                                                                                   s=plan.min_reading_seconds)]
        if plan.cooling_off_hours:
            lines.append(self.tr("Cooling-off period: {h} h from signing.").format(h=plan.cooling_off_hours))
        if plan.approval_reasons:
            reasons = "; ".join(r.text(self.ctx.lang) for r in plan.approval_reasons)
            lines.append(self.tr("Needs supervisor approval: {reasons}").format(reasons=reasons))
        else:
            lines.append(self.tr("No supervisor approval needed."))
        self.summary.setText("\n".join(lines))
        items = [(state.read is not None, self.tr("The customer read the disclosure"))]
        if plan.recording_required:
            consent = {None: self.tr("not asked yet"), True: self.tr("agreed"), False: self.tr("refused")}
            items.append((state.recording_consent is True,
                          self.tr("Recording consent: {answer}").format(answer=consent[state.recording_consent])))
        if plan.sentence_required:
            items.append((state.signed_at is not None, self.tr("The customer typed the confirmation sentence")))
        items.append((state.signed_at is not None, self.tr("The customer signed")))
        self.progress.setText("\n".join(f"{_DONE if ok else _TODO}  {text}" for ok, text in items))
        self.recording_label.setVisible(plan.recording_required)
        self.recording_ref.setVisible(plan.recording_required)
        customer_done = state.signed_at is not None
        # Handing over again replaces the customer window (e.g. it was closed by mistake); what the
        # customer already confirmed stays stored and is not asked again by the core.
        self.handover.setEnabled(not customer_done)
        self.submit.setEnabled(customer_done)

    def first_field(self) -> QWidget | None:
        """Hand over first; once the customer has signed, the teller's own part."""
        if self.handover.isEnabled():
            return self.handover
        return self.recording_ref if self.recording_ref.isVisibleTo(self) else self.identity

    def _submit(self) -> None:
        self.attest_requested.emit(self.identity.isChecked(), self.explained.isChecked(),
                                   self.recording_ref.text().strip())

    def reset_attestation(self) -> None:
        self.identity.setChecked(False)
        self.explained.setChecked(False)
        self.recording_ref.clear()


class ApprovalStep(StepWidget):
    """Waiting for a supervisor; the supervisor may approve here (override)."""

    override_requested = Signal()
    resubmit_requested = Signal()

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.status = _bold(QLabel())
        self.status.setObjectName("approval_status")
        self.details = QLabel()
        self.details.setObjectName("approval_details")
        self.details.setWordWrap(True)
        self.delivery = QLabel()
        self.delivery.setObjectName("approval_delivery")
        self.override = QPushButton()
        self.override.setObjectName("approval_override")
        self.resubmit = QPushButton()
        self.resubmit.setObjectName("approval_resubmit")
        lay.addWidget(self.status)
        lay.addWidget(self.details)
        lay.addWidget(self.delivery)
        row = QHBoxLayout()
        row.addWidget(self.override)
        row.addWidget(self.resubmit)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.override.clicked.connect(self.override_requested)
        self.resubmit.clicked.connect(self.resubmit_requested)
        self.request = None
        self.retranslate()

    def first_field(self) -> QWidget | None:
        return self.resubmit if self.resubmit.isVisibleTo(self) else self.override

    def retranslate(self) -> None:
        self.override.setText(self.tr("Supervisor &approves at this workstation…"))
        self.resubmit.setText(self.tr("Submit a&gain"))
        self.show_request(self.request)

    def show_request(self, request) -> None:
        self.request = request
        if request is None:
            self.status.setText(self.tr("Sending the request…"))
            self.details.clear()
            self.resubmit.hide()
            return
        texts = {"pending": self.tr("Waiting for a supervisor's approval."),
                 "expired": self.tr("The request expired without a decision: submit it again."),
                 "approved": self.tr("Approved by {name}.").format(name=request.decided_by_name or ""),
                 "rejected": self.tr("Rejected by {name}: {reason}").format(name=request.decided_by_name or "",
                                                                            reason=request.decision_reason or "")}
        self.status.setText(texts.get(request.status, request.status))
        reasons = "\n".join("· " + r.text(self.ctx.lang) for r in request.reasons)
        self.details.setText(self.tr("Reasons:\n{reasons}\nRequested {at}, expires {until}.").format(
            reasons=reasons, at=format_time(request.requested_at, self.ctx.lang),
            until=format_time(request.expires_at, self.ctx.lang)))
        self.resubmit.setVisible(request.status == "expired")
        self.override.setEnabled(request.status == "pending")


    def show_delivery(self, delivered) -> None:
        """Whether the request reached the hub, so supervisors on other workstations can see it."""
        if delivered is None:
            self.delivery.setText(self.tr("Stand-alone workstation: a supervisor approves here."))
        elif delivered[0] == 0:
            self.delivery.setText(self.tr("The request has reached the hub: supervisors on the other workstations "
                                          "of the branch see it."))
        else:
            self.delivery.setText(self.tr("The request has not reached the hub yet (it goes as soon as the hub can "
                                          "be reached); a supervisor can approve here."))


class ConfirmationStep(StepWidget):
    """The issued, signed confirmation: preview and the two printed copies."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)

        lay = QVBoxLayout(self)
        self.status = _bold(QLabel())
        self.status.setObjectName("confirmation_status")
        self.delivery = QLabel()
        self.delivery.setObjectName("confirmation_delivery")
        self.view = ConfirmationView()
        lay.addWidget(self.status)
        lay.addWidget(self.delivery)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.message)
        self.state = None
        self.retranslate()

    def first_field(self) -> QWidget | None:
        """The next copy to print (the customer's first); None once both are out (Next goes on)."""
        return next((self.view.buttons[k] for k in ("customer", "branch") if not self.view.is_printed(k)), None)

    def retranslate(self) -> None:
        self.show_state(self.state)

    def show_delivery(self, delivery) -> None:
        """Whether this sale's records have reached the hub: (unsent, sent), or None (stand-alone)."""
        if delivery is None:
            self.delivery.setText(self.tr("This workstation is stand-alone: the records stay here."))
            return
        unsent, sent = delivery
        self.delivery.setText(self.tr("Hub: all {sent} records of this sale have arrived.").format(sent=sent)
                              if unsent == 0 else
                              self.tr("Hub: {unsent} records of this sale not yet sent (they go as soon as the hub "
                                      "can be reached).").format(unsent=unsent))

    def show_state(self, state) -> None:
        self.state = state
        if state is None or state.document_number is None:
            self.status.setText(self.tr("Issuing and signing the confirmation…"))
            return
        text = self.tr("Confirmation {number} signed. Print the customer copy and the branch copy.").format(
            number=state.document_number)
        if state.cooling_off_until:
            text += "\n" + self.tr("Cooling-off period until {until}: the customer may cancel for a full refund."
                                   ).format(until=format_time(state.cooling_off_until, self.ctx.lang))
        self.status.setText(text)
