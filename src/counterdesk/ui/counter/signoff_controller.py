"""Drives the sign-off part of a counter session on the teller's page: the customer window for
reading, consent and signature, the teller's attestation, the wait for approval (polled), the
supervisor override, issuing the signed confirmation and printing it. Every core call runs in a
worker (counterdesk.ui.widgets.tasks); the steps' decisions stay in counterdesk.flow / counterdesk.services.signoff."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from counterdesk.flow.actions import (
    Attest,
    CheckApproval,
    GetConfirmationPdf,
    IssueConfirmation,
    PreparePrint,
    RecordPrint,
    RecordReading,
    RecordRecording,
    RecordSignature,
)
from counterdesk.forms import load_form
from counterdesk.forms.disclosures import confirmation_sentence
from counterdesk.services.confirmation.signing import TimestampInfo, timestamp_of
from counterdesk.services.signoff import approvals
from counterdesk.services.signoff.approvals import RequestInfo
from counterdesk.services.signoff.common import SignoffState
from counterdesk.services.signoff.document import PrintJob, sale_summary
from counterdesk.services.sync.state import delivery, delivery_of_signoff
from counterdesk.ui.counter.override_dialog import OverrideDialog
from counterdesk.ui.customer.signoff import SignoffWindow
from counterdesk.ui.widgets.common import error_text
from counterdesk.ui.widgets.confirmation_view import choose_printer, print_pdf
from counterdesk.ui.widgets.resources import cjk_family
from counterdesk.ui.widgets.tasks import run_task

POLL_MS = 1000  # the approval shows within about a second of the supervisor's decision


class SignoffController(QObject):
    state_changed = Signal(str)   # customer_window, read, signed, attested, approval:<status>, issued, printed:<copy>

    def __init__(self, page: Any, steps: dict[str, Any], parent: QObject | None = None):
        super().__init__(parent or page)
        self.page = page
        self.ctx = page.ctx
        self.steps = steps
        self.window: SignoffWindow | None = None
        self.sentence: str | None = None
        self.request: RequestInfo | None = None
        # Tests and kiosk set-ups replace this: (parent, title) -> QPrinter or None.
        self.choose_printer: Callable = choose_printer
        self.clock: Callable[[], float] = time.monotonic  # the customer window's reading timer
        # What the customer read in a customer window closed before the end: sign-off id → (seconds,
        # scrolled to the end). Handing over again continues from there.
        self._read_so_far: dict[str, tuple[float, bool]] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self._polling = False
        steps["signoff"].handover_requested.connect(self.hand_over)
        steps["signoff"].attest_requested.connect(self._attest)
        steps["approval"].override_requested.connect(self.override)
        steps["approval"].resubmit_requested.connect(self._resubmit)
        steps["confirmation"].view.print_requested.connect(self.print_copy)

    @property
    def counter_session(self) -> Any:
        return self.page.counter_session

    def _signoff(self) -> SignoffState:
        state = self.counter_session.state.signoff
        assert state is not None, "the sign-off steps run only once a product is chosen"
        return state

    def _fail(self, step: str) -> Callable[[BaseException], None]:
        def show(exc: BaseException) -> None:
            self.page.set_busy(False)
            self.steps[step].message.show_error(error_text(exc, self.ctx.lang))
            if self.window is not None and step == "signoff":
                self.window.show_error(error_text(exc, self.ctx.lang))
            self.state_changed.emit("error")
        return show

    # ---- entering steps -----------------------------------------------------------------------------
    def enter(self, step_id: str) -> None:
        state = self.counter_session.state
        if step_id == "signoff":
            self.steps["signoff"].reset_attestation()
            self.steps["signoff"].show_state(self._signoff(), "", state.rejection)
            return
        if self.window is not None:  # the teller attested: the customer window has done its part
            self.close_window()
            self.state_changed.emit("attested")
        if step_id == "approval":
            self.steps["approval"].show_request(None)
            self.timer.start()
            self._poll()
        elif step_id == "confirmation":
            self.timer.stop()
            self._issue()

    def leave(self) -> None:
        self.timer.stop()
        self.close_window()

    # ---- the customer window ------------------------------------------------------------------------
    def hand_over(self) -> None:
        """Fetch what the customer reads about the purchase, then open the customer window."""

        vault, user, sid = self.ctx.vault, self.ctx.user, self._signoff().signoff_id
        self.page.set_busy(True)
        run_task(self, lambda: sale_summary(vault, user, sid), self._open_window, self._fail("signoff"))

    def _open_window(self, summary) -> None:

        self.page.set_busy(False)
        state = self._signoff()
        plan = state.plan
        facts = [(label.get(state.lang), value.get(state.lang) if hasattr(value, "get") else str(value))
                 for label, value in summary]
        forms = [load_form(ref.split("@")[0], int(ref.split("@")[1])) for ref in plan.forms]
        self.close_window()
        self.sentence = None
        self.steps["signoff"].message.clear_message()
        seconds, scrolled = self._read_so_far.get(state.signoff_id, (0.0, False))
        window = SignoffWindow(forms, state.lang, min_seconds=plan.min_reading_seconds,
                               recording_required=plan.recording_required,
                               sentence=confirmation_sentence(state.lang, plan.customer_initiated)
                               if plan.sentence_required else None,
                               clock=self.clock, facts=facts, already_read=seconds, scrolled_to_end=scrolled)
        window.read_confirmed.connect(self._read)
        window.recording_decided.connect(self._recording)
        window.sentence_entered.connect(self._sentence)
        window.signed.connect(self._signed)
        window.stage_changed.connect(self._stage)
        window.closed.connect(self._closed_by_customer)
        self.window = window
        window.show_for_customer()
        self._stage(window.stage)
        self.state_changed.emit("customer_window")

    def close_window(self) -> None:
        if self.window is not None:
            window, self.window = self.window, None
            window.closed.disconnect(self._closed_by_customer)  # the teller's own close is no news
            window.close()
            window.deleteLater()

    def _closed_by_customer(self) -> None:
        """The customer closed the customer window (Alt+F4) before handing it back: the teller is told,
        gets the keyboard back, and can hand over again; the reading done so far is kept."""
        window, self.window = self.window, None
        if window is None or self.counter_session is None:
            return
        state = self._signoff()
        self._read_so_far[state.signoff_id] = (window.elapsed(), window.scrolled_to_end)
        finished = window.stage == "thanks"
        window.deleteLater()
        step = self.steps["signoff"]
        step.show_state(state, "")
        if finished:  # handed back after signing (or refusing the recording): the teller goes on
            self.page.return_to_teller(step.recording_ref if step.recording_ref.isVisible() else step.identity)
            self.state_changed.emit("customer_window_closed")
            return
        step.message.show_error(self.tr("The customer closed the customer window before finishing. Hand over "
                                        "again to continue: what the customer already did is kept."))
        self.page.return_to_teller(step.handover)
        self.state_changed.emit("customer_window_closed")

    def _stage(self, stage: str) -> None:
        self.steps["signoff"].show_state(self._signoff(), stage or "reading")

    def _updated(self, event: str) -> Callable[[SignoffState], None]:
        def done(state: SignoffState) -> None:
            self.steps["signoff"].show_state(state, self.window.stage if self.window else "")
            self.state_changed.emit(event)
        return done

    def _read(self, read: dict[str, Any]) -> None:
        self.page.submit(RecordReading(read, "customer_screen"), self._updated("read"), self._fail("signoff"))

    def _recording(self, agreed: bool) -> None:
        # A refusal ends the sale: the flow stops the session and the page shows why.
        self.page.submit(RecordRecording(agreed), self._updated("recording"), self._fail("signoff"))

    def _sentence(self, text: str) -> None:
        self.sentence = text

    def _signed(self, signature_json: str, png: bytes) -> None:
        def failed(exc: BaseException) -> None:
            self._fail("signoff")(exc)
            if self.window is not None:
                self.window.back_to_signature()
        self.page.submit(RecordSignature(self.sentence, signature_json, png, "customer_screen"),
                         self._signature_stored, failed)

    def _signature_stored(self, state: SignoffState) -> None:
        """The customer is done: the teller's window gets the keyboard back, on the next thing to fill in
        (the customer window says thanks until the teller attests)."""
        self._updated("signed")(state)
        self.page.return_to_teller(self.steps["signoff"].first_field())

    # ---- the teller's attestation --------------------------------------------------------------------
    def _attest(self, identity: bool, explained: bool, reference: str) -> None:
        # Attested, the flow moves on to the approval or the confirmation (see enter()).
        self.page.submit(Attest(identity, explained, reference or None), None, self._fail("signoff"))

    # ---- approval --------------------------------------------------------------------------------------
    def _poll(self) -> None:
        if self.counter_session is None or self.counter_session.flow.current_id != "approval":
            self.timer.stop()
            return
        if self._polling or self.page.busy:
            return  # the last poll (or another call) is still out: the timer tries again
        self._polling = True
        run_task(self, _approval_status(self.counter_session, self.ctx.vault), self._polled, self._poll_failed)

    def _poll_failed(self, exc: BaseException) -> None:
        self._polling = False
        self._fail("approval")(exc)

    def _polled(self, result: Any) -> None:
        self._polling = False
        request, delivered = result
        self.request = request
        self.steps["approval"].show_request(request)
        self.steps["approval"].show_delivery(delivered)
        status = getattr(request, "status", "approved")
        self.state_changed.emit(f"approval:{status}")
        if status in ("approved", "rejected") and not self.page.busy:
            # Decided: the flow goes on to the confirmation, or back to a fresh sign-off.
            self.timer.stop()
            self.page.submit(CheckApproval())

    def override(self) -> None:

        if self.request is None:
            return
        dialog = OverrideDialog(self.ctx, self.request, self.page)
        dialog.finished.connect(self._override_closed)
        self.dialog = dialog
        dialog.open()

    def _override_closed(self, _result: int) -> None:
        self.dialog.deleteLater()
        self.page.return_to_teller()  # the keyboard back on the teller's window, not on the closed dialog
        self._poll()

    def _resubmit(self) -> None:
        self._polling = True
        run_task(self, _approval_status(self.counter_session, self.ctx.vault, resubmit=True), self._polled,
                 self._poll_failed)

    # ---- confirmation ------------------------------------------------------------------------------------
    def _issue(self) -> None:
        counter_session = self.counter_session
        self.page.set_busy(True)

        def issue() -> tuple[SignoffState, bytes | None, TimestampInfo | None]:
            state = counter_session.submit(IssueConfirmation()).value
            pdf = counter_session.submit(GetConfirmationPdf()).value
            # Read here, not on the UI thread: it verifies the file's signatures.
            return state, pdf, timestamp_of(pdf) if pdf else None

        def issued(result: tuple[SignoffState, bytes | None, TimestampInfo | None]) -> None:
            state, pdf, stamp = result
            self.steps["confirmation"].show_state(state)
            self._show_pdf(pdf, stamp)
        run_task(self, issue, issued, self._fail("confirmation"))

    def _show_pdf(self, pdf: bytes | None, stamp: TimestampInfo | None = None) -> None:
        self.page.set_busy(False)
        self.steps["confirmation"].view.set_pdf(pdf, stamp, read_timestamp=False)
        self.state_changed.emit("issued")
        self.show_delivery()

    def show_delivery(self) -> None:
        """How many of this sale's records reached the hub (shown on the confirmation step)."""

        vault, sid = self.ctx.vault, self._signoff().signoff_id
        run_task(self, lambda: vault.transact(lambda s: delivery_of_signoff(s, sid)),
                 self.steps["confirmation"].show_delivery, self._delivery_failed)

    def _delivery_failed(self, _exc: BaseException) -> None:
        self.steps["confirmation"].delivery.clear()

    def print_copy(self, kind: str) -> None:
        counter_session, view = self.counter_session, self.steps["confirmation"].view
        view.set_busy(True)
        run_task(self, lambda: counter_session.submit(PreparePrint(kind)).value, self._print_job, self._print_failed)

    def _print_failed(self, exc: BaseException) -> None:
        self.steps["confirmation"].view.set_busy(False)
        self._fail("confirmation")(exc)

    def _print_job(self, job: PrintJob) -> None:

        view = self.steps["confirmation"].view
        titles = {"customer": self.tr("Print the customer copy"), "branch": self.tr("Print the branch copy"),
                  "reprint": self.tr("Print a copy (marked COPY)")}
        printer = self.choose_printer(self.page, titles[job.copy])
        if printer is None:
            view.set_busy(False)
            return
        counter_session = self.counter_session
        family = cjk_family()  # registered here, on the UI thread; the worker paints with it

        def recorded(copies: list[tuple[str, str]]) -> None:
            view.set_busy(False)
            for copy, _at in copies:
                view.set_printed(copy, True)
            done = {"customer": self.tr("Customer copy printed."), "branch": self.tr("Branch copy printed."),
                    "reprint": self.tr("Copy (marked COPY) printed.")}
            self.steps["confirmation"].message.show_info(done[job.copy])
            self.state_changed.emit(f"printed:{job.copy}")
            self.show_delivery()

        def print_then_record():
            # Rendering the pages for the printer takes most of a second: a worker does it, and the
            # print is recorded only once the printer accepted every page.
            print_pdf(job.pdf, printer, label=job.label, label_family=family)
            copies: list[tuple[str, str]] = counter_session.submit(RecordPrint(job)).value
            return copies
        run_task(self, print_then_record, recorded, self._print_failed)


def _approval_status(counter_session: Any, vault: Any, resubmit: bool = False) -> Callable[[], tuple[Any, Any]]:
    """A worker job that only reads (the flow moves on the UI's own submit): the sign-off's latest
    approval request and whether its records reached the hub; with ``resubmit`` it first asks again
    after an expired request."""
    signoff = counter_session.state.signoff
    user = counter_session.user

    def job() -> tuple[Any, Any]:
        sid = signoff.signoff_id
        request = approvals.resubmit(vault, user, sid) if resubmit else approvals.latest_request(vault, user, sid)
        reached = vault.transact(lambda s: delivery(s, "request_id", request.request_id)) if request else None
        return request, reached
    return job
