"""The teller's counter session on one page, driven by the Qt-free flow
(counterdesk.flow.counter_session): each step has a page; what the teller or the customer does is
submitted to the flow as an action, off the UI thread, and the page shows the outcome."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from counterdesk.flow.actions import (
    CheckOwnRequest,
    ChooseProduct,
    ConfirmAssessment,
    DecideConsent,
    FindCurrentAssessment,
    Propose,
    RecordAnswers,
    Screen,
    StartAssessment,
    UseCurrentAssessment,
)
from counterdesk.flow.counter_session import DOCUMENT_FIELDS, CounterSession
from counterdesk.flow.customer_summary import WAITING, OnFile, customer_panel, load_on_file
from counterdesk.flow.engine import Outcome
from counterdesk.flow.step_progress import step_marks
from counterdesk.forms.registry import load_questionnaire
from counterdesk.services.assessment.paper import blank_questionnaire_pdf, save_pdf
from counterdesk.services.customers import repository
from counterdesk.ui.counter.cancel_dialog import CancelSessionDialog
from counterdesk.ui.counter.customer_panel import CustomerPanelView
from counterdesk.ui.counter.evaluation_controller import EVALUATED_CANCELS, EvaluationController
from counterdesk.ui.counter.recommendation_step import RecommendationStep
from counterdesk.ui.counter.session_steps import (
    AssessmentStep,
    ConsentStep,
    DocumentStep,
    DoneStep,
    ProfileStep,
    ScreeningStep,
    StepWidget,
)
from counterdesk.ui.counter.signoff_controller import SignoffController
from counterdesk.ui.counter.signoff_pages import ApprovalStep, ConfirmationStep, SignoffStep
from counterdesk.ui.counter.step_bar import StepBar
from counterdesk.ui.customer.questionnaire import CustomerWindow
from counterdesk.ui.widgets.common import MessageLabel, Page, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task

STEP_ORDER = ("document", "consent", "profile", "screening", "assessment", "recommendation", "signoff", "approval",
              "confirmation", "done")
# Steps whose page has its own buttons: the common Next button is hidden there.
OWN_BUTTONS = ("consent", "assessment", "recommendation", "signoff", "approval")

_SEX = {"M": "male", "F": "female"}


class CounterSessionPage(Page):
    state_changed = Signal(str)  # idle, busy, step:<id>, stopped, held, finished
    panel_updated = Signal()     # the customer panel shows the session's latest state

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.counter_session: CounterSession | None = None
        self.reader_fields: dict[str, Any] = {}
        self.steps: dict[str, StepWidget] = {}
        outer = QVBoxLayout(self)
        self.step_bar = StepBar(STEP_ORDER)
        outer.addWidget(self.step_bar)
        # The step on the left, the customer it serves on the right, for the whole session.
        body = QHBoxLayout()
        column = QVBoxLayout()
        self.stack = QStackedWidget()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.stack.addWidget(self.intro)
        column.addWidget(self.stack, 1)
        self.banner = MessageLabel()
        self.banner.setObjectName("session_banner")
        column.addWidget(self.banner)
        body.addLayout(column, 1)
        self.customer_panel = CustomerPanelView(ctx)
        body.addWidget(self.customer_panel)
        outer.addLayout(body, 1)
        self.on_file: OnFile | None = None  # what the store holds about the session's customer
        self._on_file_loading: str | None = None
        buttons = QHBoxLayout()
        self.start_button = QPushButton()
        self.start_button.setObjectName("start_session")
        self.back_button = QPushButton()
        self.back_button.setObjectName("session_back")
        self.next_button = QPushButton()
        self.next_button.setObjectName("session_next")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("session_cancel")
        for b in (self.start_button, self.back_button, self.cancel_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        column.addLayout(buttons)
        self.start_button.clicked.connect(self.start)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.cancel_button.clicked.connect(self.cancel)
        # F2 works from the customer's rating window too, which has the keyboard once a session is done.
        QShortcut(QKeySequence("F2"), self, context=Qt.ShortcutContext.ApplicationShortcut).activated.connect(
            self._start_shortcut)
        QShortcut(QKeySequence("Ctrl+Return"), self).activated.connect(self.next)
        QShortcut(QKeySequence("Alt+Left"), self).activated.connect(self.back)
        self.busy = False
        self.customer_window: CustomerWindow | None = None  # the questionnaire on the customer screen
        self.customer_where = ""
        self.paper_form: str | None = None
        self.cancel_dialog: CancelSessionDialog | None = None
        self.signoff: SignoffController | None = None  # drives the sign-off steps of the running session
        self.evaluation = EvaluationController(self)  # the customer's rating once a session is complete
        self.retranslate()
        self._update_buttons()

    # ---- text ----------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        names = {"document": self.tr("1 Document"), "consent": self.tr("2 Consent"),
                 "profile": self.tr("3 Customer data"),
                 "screening": self.tr("4 Screening"), "assessment": self.tr("5 Risk assessment"),
                 "recommendation": self.tr("6 Recommendation"), "signoff": self.tr("7 Sign-off"),
                 "approval": self.tr("8 Approval"), "confirmation": self.tr("9 Confirmation"),
                 "done": self.tr("10 Done")}
        self.step_bar.set_names(names, self.ctx.lang)
        self.customer_panel.retranslate()
        self.intro.setText(self.tr(
            "Start a counter session to serve a customer (F2). First the customer is identified: the identity "
            "document is typed, scanned or read; a new customer gives separate consent to the processing of "
            "sensitive personal information; the customer's data is completed; and the customer is screened "
            "against the sanctions lists. Then the customer answers the risk questionnaire, the teller proposes "
            "suitable products, the customer reads the risk disclosure and signs, a supervisor approves where "
            "required, and the signed confirmation is printed."))
        self.start_button.setText(self.tr("S&tart counter session (F2)"))
        self.back_button.setText(self.tr("← &Back"))
        self.next_button.setText(self.tr("&Next (Ctrl+Enter)")
                                 if not (self.counter_session and self.counter_session.flow.finished)
                                 else self.tr("&Finish"))
        self.cancel_button.setText(self.tr("&Cancel session"))
        for step in self.steps.values():
            step.retranslate()

    def _update_buttons(self) -> None:
        active = self.counter_session is not None and self.counter_session.flow.stopped is None
        self.start_button.setVisible(not active)
        self.start_button.setEnabled(not self.busy)
        self.back_button.setVisible(active)
        self.back_button.setEnabled(active and not self.busy and self.counter_session.flow.can_go_back)
        self.next_button.setVisible(active and self.counter_session.flow.current_id not in OWN_BUTTONS)
        self.next_button.setEnabled(active and not self.busy)
        self.cancel_button.setVisible(active and not self.counter_session.flow.finished)
        self.cancel_button.setEnabled(not self.busy)

    def set_busy(self, busy: bool) -> None:
        """Buttons wait while a core call runs (the sign-off controller uses it too)."""
        self.busy = busy
        self._update_buttons()
        if busy:
            self.state_changed.emit("busy")

    def submit(self, action: object = None, on_stay: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> None:
        """Submit ``action`` to the flow in a worker; the outcome is shown when it comes back.
        ``on_stay`` gets the outcome's value when the step recorded the action and stays."""
        counter_session = self.counter_session
        if counter_session is None:
            return
        self.set_busy(True)
        run_task(self, lambda: counter_session.submit(action), lambda outcome: self.show_outcome(outcome, on_stay),
                 on_error or self._failed)

    # ---- starting -------------------------------------------------------------------------------------------
    def _start_shortcut(self) -> None:
        if self.start_button.isVisible() and self.start_button.isEnabled():
            self.start()

    def start(self) -> None:
        vault, user = self.ctx.vault, self.ctx.user
        self.evaluation.close_window()  # the last customer's rating screen, if still open
        self.banner.clear_message()
        self.set_busy(True)
        lang = self.ctx.lang
        run_task(self, lambda: CounterSession(vault, user, lang=lang), self._started, self._failed)

    def _started(self, counter_session: CounterSession) -> None:
        self.counter_session = counter_session
        self.reader_fields = {}
        self.on_file = None
        for step in list(self.steps.values()):
            self.stack.removeWidget(step)
            step.deleteLater()
        document = DocumentStep(self.ctx)
        document.read_done.connect(self._reader_fields)
        consent = ConsentStep(self.ctx, counter_session.consent_form)
        consent.decided.connect(self._consent_decided)
        screening = ScreeningStep(self.ctx)
        screening.recheck_requested.connect(self._recheck)
        assessment = AssessmentStep(self.ctx)
        assessment.start_requested.connect(self._start_assessment)
        assessment.use_current_requested.connect(self._use_current_assessment)
        assessment.paper_requested.connect(self._start_paper_assessment)
        assessment.print_blank_requested.connect(self.print_blank_questionnaire)
        self.customer_window = None
        self.paper_form = None
        recommendation = RecommendationStep(self.ctx)
        recommendation.propose_requested.connect(self._propose)
        recommendation.request_checked.connect(self._check_request)
        recommendation.choose_requested.connect(self._choose_product)
        self.steps = {"document": document, "consent": consent,
                      "profile": ProfileStep(self.ctx, counter_session.form, set(DOCUMENT_FIELDS)),
                      "screening": screening, "assessment": assessment, "recommendation": recommendation,
                      "signoff": SignoffStep(self.ctx), "approval": ApprovalStep(self.ctx),
                      "confirmation": ConfirmationStep(self.ctx), "done": DoneStep(self.ctx)}
        for step in self.steps.values():
            self.stack.addWidget(step)
        if self.signoff is not None:
            self.signoff.leave()
            self.signoff.deleteLater()
        self.signoff = SignoffController(self, self.steps)
        self.signoff.state_changed.connect(self.state_changed)
        self.signoff.state_changed.connect(self._signoff_event)
        self.set_busy(False)
        self._show_current()
        document.number.setFocus()

    def _current_assessment_found(self, current: Any) -> None:
        self.steps["assessment"].show_current(current)
        self._focus_step()  # "Use the current assessment" when there is one

    def _signoff_event(self, event: str) -> None:
        # The confirmation's print buttons open once it is issued; after each copy, the next one (then Next).
        if event in ("issued", "printed:customer", "printed:branch"):
            self._focus_step()

    def _reader_fields(self, fields: dict[str, Any]) -> None:
        self.reader_fields = fields

    # ---- moving ---------------------------------------------------------------------------------------------
    def _show_current(self) -> None:
        counter_session = self.counter_session
        if counter_session is None:
            return
        flow = counter_session.flow
        step = self.steps[flow.current_id]
        self.stack.setCurrentWidget(step)
        step.message.clear_message()
        if flow.current_id == "profile":
            self._prepare_profile()
        elif flow.current_id == "screening":
            self.steps["screening"].running()
            self.submit(Screen())  # screening runs as soon as its page opens
        elif flow.current_id == "assessment":
            run_task(self, lambda: counter_session.submit(FindCurrentAssessment()).value,
                     self._current_assessment_found, self._failed)
        elif flow.current_id in ("signoff", "approval", "confirmation") and self.signoff is not None:
            self.signoff.enter(flow.current_id)
        elif flow.current_id == "done":
            self.steps["done"].enter(counter_session.state)
        self.retranslate()
        self._update_buttons()
        self._refresh_progress()
        self._focus_step()
        self.state_changed.emit(f"step:{flow.current_id}")

    def _focus_step(self) -> None:
        """The keyboard goes to the current step's first field, or its primary button, or Next."""
        if self.counter_session is None:
            return
        step = self.steps[self.counter_session.flow.current_id]
        first = step.first_field()
        if first is None or not first.isVisibleTo(self) or not first.isEnabled():
            first = self.next_button if self.next_button.isVisibleTo(self) and self.next_button.isEnabled() else None
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- the step bar and the customer panel ------------------------------------------------------------
    def _refresh_progress(self) -> None:
        """Both show the session as it is now. What the store holds about the customer (the assessment on
        file, the AML rating) is read once per customer, in a worker; the rest is the session's state."""
        counter_session = self.counter_session
        if counter_session is None:
            self.step_bar.show_marks(None)
            self.customer_panel.show_model(WAITING)
            self.panel_updated.emit()
            return
        self.step_bar.show_marks(step_marks(counter_session.flow))
        customer_id = counter_session.state.customer_id
        if customer_id is not None and (self.on_file is None or self.on_file.customer_id != customer_id) \
                and self._on_file_loading != customer_id:
            self._on_file_loading = customer_id
            run_task(self, lambda: load_on_file(counter_session),
                     lambda on_file: self._on_file_loaded(counter_session, on_file), self._on_file_failed)
        self.customer_panel.show_model(customer_panel(counter_session, self.on_file))
        self.panel_updated.emit()

    def _on_file_loaded(self, counter_session: CounterSession, on_file: OnFile) -> None:
        self._on_file_loading = None
        if counter_session is self.counter_session:
            self.on_file = on_file
            self._refresh_progress()

    def _on_file_failed(self, _exc: BaseException) -> None:
        # The panel goes on without the stored facts (run_task logged why); the steps still check them.
        self._on_file_loading = None

    def _prepare_profile(self) -> None:
        if self.counter_session is None:
            return
        step = self.steps["profile"]
        state = self.counter_session.state
        if state.customer_id and state.existing is not None:
            vault, user, cid = self.ctx.vault, self.ctx.user, state.customer_id
            run_task(self, lambda: repository.get_customer(vault, user, cid),
                     lambda record: step.prefill({}, record.fields), self._failed)
            return
        doc, read = state.document, self.reader_fields
        values = {"sex": _SEX.get(doc.sex or "") if doc else None, "birth_date": doc.birth_date if doc else None,
                  "nationality": (doc.nationality or None) if doc else None}
        name = read.get("name")
        if isinstance(name, str) and name and not name.isascii():
            values["name_zh"] = name
        elif isinstance(name, str) and name:
            values["name_latin"] = name
        if read.get("address"):
            values["address"] = read["address"]
        step.prefill({k: v for k, v in values.items() if v})

    def next(self) -> None:
        if self.counter_session is None or self.busy or not self.next_button.isVisible():
            return
        if self.counter_session.flow.finished:
            self._finish()
            return
        self.submit(self.steps[self.counter_session.flow.current_id].collect())

    def _consent_decided(self, granted: bool) -> None:
        self.submit(DecideConsent(granted))

    def _recheck(self) -> None:
        self.steps["screening"].running()
        self.submit(Screen())

    def show_outcome(self, outcome: Outcome, on_stay: Callable[[Any], None] | None = None) -> None:
        self.set_busy(False)
        if self.counter_session is None:
            return
        flow = self.counter_session.flow
        self._refresh_progress()
        if outcome.stop is not None:
            self._close_customer_window()
            if self.signoff is not None:
                self.signoff.leave()
            stop = outcome.stop
            self.banner.show_error(lambda: self.tr("Session stopped: {reason}").format(
                reason=stop.text.get(self.ctx.lang)))
            self.steps[flow.current_id].message.clear_message()
            self._update_buttons()
            self.start_button.setFocus(Qt.FocusReason.OtherFocusReason)  # the next customer (F2)
            self.state_changed.emit("stopped")
            return
        if not outcome.result.ok:
            self.steps[flow.current_id].show_problems(outcome.result)
            self.state_changed.emit("problems")
            return
        if outcome.hold is not None:
            self.steps[flow.current_id].held(outcome.hold.get(self.ctx.lang))
            self._focus_step()  # "Check again"
            self.state_changed.emit("held")
            if on_stay is not None:
                on_stay(outcome.value)
            return
        if outcome.stay:
            if on_stay is not None:
                on_stay(outcome.value)
            return
        warnings = [p for p in outcome.result.problems if p.severity == "warning"]
        self.banner.show_info("\n".join(p.message(self.ctx.lang) for p in warnings))
        self._show_current()

    # ---- risk assessment on the customer window ---------------------------------------------------------
    def _start_assessment(self) -> None:
        self.paper_form = None
        self.submit(StartAssessment(), self._assessment_started, self._assessment_failed)

    def _start_paper_assessment(self, number: str) -> None:
        self.paper_form = number
        self.submit(StartAssessment(paper_form_number=number), self._assessment_started, self._assessment_failed)

    def print_blank_questionnaire(self, path: str | None = None) -> None:
        """A blank paper questionnaire with a new form number, saved as PDF for printing."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the blank questionnaire"),
                                                  "questionnaire.pdf", "PDF (*.pdf)")
            if not path:
                return
        vault, user, lang, target = self.ctx.vault, self.ctx.user, self.ctx.lang, path

        def make() -> str:
            number, data = blank_questionnaire_pdf(vault, user, lang)
            save_pdf(target, data)
            return number
        run_task(self, make, self._blank_printed, self._assessment_failed)

    def _blank_printed(self, number: str) -> None:
        self.steps["assessment"].message.show_info(
            self.tr("Blank questionnaire {number} saved; print it for the customer.").format(number=number))
        self.state_changed.emit("blank_printed")

    def _assessment_started(self, _assessment_id: str) -> None:
        self.steps["assessment"].message.clear_message()  # e.g. that the customer closed an earlier window
        questionnaire = load_questionnaire()
        window = CustomerWindow(questionnaire, self.ctx.lang, paper_form=self.paper_form)
        window.answered.connect(self._customer_answered)
        window.submitted.connect(self._customer_submitted)
        window.confirmed.connect(self._customer_confirmed)
        window.closed.connect(self._customer_window_closed)
        self.customer_window = window
        if self.paper_form:
            window.resize(900, 650)
            window.show()
            self.customer_where = "paper"
        else:
            self.customer_where = window.show_for_customer()
        self.steps["assessment"].answering(0, len(questionnaire.questions), self.customer_where)
        self.state_changed.emit("customer_answering")

    def _customer_answered(self, _key: str, _value: str) -> None:
        window = self.customer_window
        if window is not None:
            self.steps["assessment"].answering(len(window.answers), len(window.q.questions), self.customer_where)

    def _customer_submitted(self, answers: dict[str, str]) -> None:
        if self.customer_window is not None:
            self.submit(RecordAnswers(answers, self.customer_window.entered_at), self._answers_recorded,
                        self._assessment_failed)

    def _answers_recorded(self, value: Any) -> None:
        found, result = value
        if self.customer_window is None:
            return
        if result is None:
            self.customer_window.show_contradictions(found.contradictions, self.ctx.lang)
            self.state_changed.emit("contradictions")
            return
        self.customer_window.show_result(result, self.ctx.lang)
        self.steps["assessment"].graded(result)
        self.state_changed.emit("graded")

    def _customer_confirmed(self, regrade: bool) -> None:
        counter_session = self.counter_session
        if counter_session is None:
            return
        self.set_busy(True)
        run_task(self, lambda: counter_session.submit(ConfirmAssessment(regrade)), self._assessment_confirmed,
                 self._assessment_failed)

    def _assessment_confirmed(self, outcome: Outcome) -> None:
        if outcome.result.ok:
            self._close_customer_window()
        self.show_outcome(outcome)

    def _use_current_assessment(self) -> None:
        self.submit(UseCurrentAssessment())

    def _assessment_failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.steps["assessment"].reset_buttons()
        self.steps["assessment"].message.show_error(error_text(exc, self.ctx.lang))
        if self.customer_window is not None:
            self.customer_window.notice.setText(error_text(exc, self.ctx.lang))

    def _close_customer_window(self) -> None:
        if self.customer_window is not None:
            window, self.customer_window = self.customer_window, None
            window.closed.disconnect(self._customer_window_closed)  # the teller's own close is no news
            window.close()
            window.deleteLater()
            self.return_to_teller()

    def _customer_window_closed(self) -> None:
        """The customer closed the questionnaire (Alt+F4) before it was done: the teller is told and
        can start it again."""
        window, self.customer_window = self.customer_window, None
        if window is None:
            return
        window.deleteLater()
        step = self.steps["assessment"]
        step.reset_buttons()
        step.message.show_error(self.tr("The customer closed the questionnaire window before finishing. Start "
                                        "the questionnaire again when the customer is ready."))
        self.return_to_teller(step.start)
        self.state_changed.emit("customer_window_closed")

    def return_to_teller(self, focus: QWidget | None = None) -> None:
        """The teller's window gets the keyboard back once a customer window has gone, on ``focus``
        (or, when the flow moves on, on the next step's first field)."""
        window = self.window()
        window.raise_()
        window.activateWindow()
        if focus is None and self.counter_session is None and self.start_button.isVisible():
            focus = self.start_button  # the session is over (e.g. the customer rated it): the next one
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def customer_window_in_use(self) -> bool:
        windows = [self.customer_window, self.signoff.window if self.signoff is not None else None,
                   self.evaluation.window]
        return any(w is not None and w.isVisible() for w in windows)

    # ---- recommendation ----------------------------------------------------------------------------------------
    def _propose(self, inputs: dict[str, Any]) -> None:
        step = self.steps["recommendation"]
        step.message.clear_message()
        self.submit(Propose(inputs["amount"], inputs, inputs["horizon"]), self._proposed, self._recommendation_failed)

    def _proposed(self, proposal: Any) -> None:
        self.steps["recommendation"].show_proposal(proposal)
        self.state_changed.emit("proposed")

    def _check_request(self, code: str, inputs: dict[str, Any]) -> None:
        step = self.steps["recommendation"]
        step.message.clear_message()
        counter_session = self.counter_session

        def checked(decision: Any) -> None:
            step.show_own_request(code, decision, counter_session.state.proposal if counter_session else None)
        self.submit(CheckOwnRequest(code, Propose(inputs["amount"], inputs, inputs["horizon"])), checked,
                    self._recommendation_failed)

    def _choose_product(self, code: str, customer_initiated: bool) -> None:
        self.submit(ChooseProduct(code, customer_initiated), None, self._recommendation_failed)

    def _recommendation_failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.steps["recommendation"].message.show_error(error_text(exc, self.ctx.lang))

    def back(self) -> None:
        if self.counter_session is None or self.busy or not self.back_button.isEnabled():
            return
        self.counter_session.flow.back()
        self._show_current()

    def cancel(self) -> None:
        """Ask first (and why); nothing ends until the teller confirms with a reason."""
        if self.counter_session is None or self.busy or self.cancel_dialog is not None:
            return
        dialog = CancelSessionDialog(self.ctx, self)
        dialog.finished.connect(self._cancel_answered)
        self.cancel_dialog = dialog
        dialog.open()
        self.state_changed.emit("cancel_asked")

    def _cancel_answered(self, result: int) -> None:
        dialog, self.cancel_dialog = self.cancel_dialog, None
        reason = dialog.chosen_reason() if dialog is not None else None
        if dialog is not None:
            dialog.deleteLater()
        if result != CancelSessionDialog.DialogCode.Accepted or reason is None or self.counter_session is None:
            self.state_changed.emit("cancel_declined")
            return
        counter_session = self.counter_session
        self.set_busy(True)
        run_task(self, lambda: counter_session.cancel(reason),
                 lambda _r: self._cancelled(counter_session.session_id, reason), self._failed)

    def _cancelled(self, session_id: str, reason: str) -> None:
        stop = self.counter_session.flow.stopped if self.counter_session else None
        self._reset(self.tr("Session cancelled: {reason}").format(reason=stop.text.get(self.ctx.lang))
                    if stop else self.tr("Session cancelled."))
        if reason in EVALUATED_CANCELS:  # served without a sale: the customer may still rate the service
            self.evaluation.ask(session_id)

    def _finish(self) -> None:
        counter_session = self.counter_session
        if counter_session is None:
            return
        self.set_busy(True)
        session_id = counter_session.session_id
        run_task(self, counter_session.finish, lambda _r: self._finished(session_id), self._failed)

    def _finished(self, session_id: str) -> None:
        self._reset(self.tr("Session complete. Start the next one with F2."))
        self.state_changed.emit("finished")
        self.evaluation.ask(session_id)  # with or without a sale: the customer was served

    def _reset(self, message: str) -> None:
        self._close_customer_window()
        if self.signoff is not None:
            self.signoff.leave()
        self.counter_session = None
        self.stack.setCurrentWidget(self.intro)
        self.set_busy(False)
        self.banner.show_info(message)
        self.retranslate()
        self._refresh_progress()
        self.start_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.state_changed.emit("idle")

    def _failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.banner.show_error(error_text(exc, self.ctx.lang))
        self.state_changed.emit("error")
