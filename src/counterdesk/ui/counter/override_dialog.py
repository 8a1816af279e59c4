"""Supervisor override at the teller's workstation: the supervisor signs in on top of the teller's
session, sees the reasons, approves or rejects with a reason, and is signed out again. The checks
(password, second factor, lockout, role, maker ≠ checker) and the audit are in
counterdesk.services.signoff.approvals."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counterdesk.services.signoff.approvals import decide_at_station
from counterdesk.ui.widgets.code_field import code_field
from counterdesk.ui.widgets.common import MessageLabel, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task


class OverrideDialog(QDialog):
    def __init__(self, ctx: AppContext, request, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.request = request
        self.result_info = None
        self.setObjectName("override_dialog")
        self.setWindowTitle(self.tr("Supervisor approval at this workstation"))
        lay = QVBoxLayout(self)
        reasons = "\n".join("· " + r.text(ctx.lang) for r in request.reasons)
        intro = QLabel(self.tr("Customer {customer}, product {product} ({risk}), amount {amount}.\n"
                               "Reasons:\n{reasons}\n\n"
                               "The supervisor signs in here; the approval is recorded as given at this workstation.")
                       .format(customer=request.customer_masked, product=request.product_code,
                               risk=request.risk_level, amount=request.amount, reasons=reasons))
        intro.setWordWrap(True)
        form = QFormLayout()
        self.username, self.password, self.reason = QLineEdit(), QLineEdit(), QLineEdit()
        self.username.setObjectName("override_username")
        self.password.setObjectName("override_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason.setObjectName("override_reason")
        self.reason.setMaxLength(500)
        form.addRow(self.tr("Supervisor &user name"), self.username)
        form.addRow(self.tr("&Password"), self.password)
        self.code = code_field("override_code")  # the supervisor's second factor, asked again here
        form.addRow(self.tr("Authenticator &code"), self.code)
        form.addRow(self.tr("&Reason (required to reject)"), self.reason)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.code.setFocus)
        self.message = MessageLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.approve = QPushButton(self.tr("&Approve"))
        self.approve.setObjectName("override_approve")
        self.reject_button = QPushButton(self.tr("Re&ject"))
        self.reject_button.setObjectName("override_reject")
        for b in (self.approve, self.reject_button):
            b.setAutoDefault(False)
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        for b in self.buttons.buttons():
            b.setAutoDefault(False)  # Enter moves through the fields; it must not press Cancel
        self.buttons.rejected.connect(self.reject)
        self.approve.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

    def decide(self, approve: bool) -> None:

        vault, station = self.ctx.vault, self.ctx.user
        name, password, reason = self.username.text().strip(), self.password.text(), self.reason.text()
        code = self.code.text().strip() or None
        request_id = self.request.request_id
        self.password.clear()  # never kept in the widget longer than needed
        self.code.clear()
        self.buttons.setEnabled(False)
        run_task(self, lambda: decide_at_station(vault, station, name, password, request_id, approve, reason, code),
                 self._done, self._failed)

    def _done(self, info) -> None:
        self.result_info = info
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.show_error(error_text(exc, self.ctx.lang))
        self.password.setFocus()
