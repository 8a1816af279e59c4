"""A counter session with one customer, as a Qt-free flow over a typed state.

Steps: document → (new customer: consent) → profile → screening → assessment → recommendation →
signoff → (approval) → confirmation → done; the sign-off part lives in .signoff_steps. Everything the
teller and the customer do is an action (counterdesk.flow.actions) submitted to the current step,
which does the work through the services (document checks, the customer store, sanctions
screening, the customer's risk assessment, the suitability decision) and names the next step,
stays (the work is recorded, the step goes on), stops the session with a reason, or holds it for a
supervisor. The GUI submits actions in a background task and maps steps to pages; tests drive it
without Qt.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any

from counterdesk.base.actors import SignedInUser
from counterdesk.base.text import Result, Text
from counterdesk.flow.actions import (
    CaptureDocumentImage,
    CheckOwnRequest,
    ChooseProduct,
    ConfirmAssessment,
    DecideConsent,
    EnterDocument,
    EnterProfile,
    FindCurrentAssessment,
    Propose,
    RecordAnswers,
    RefuseDocumentCopy,
    Screen,
    StartAssessment,
    UseCurrentAssessment,
)
from counterdesk.flow.due_diligence import DueDiligenceSteps
from counterdesk.flow.engine import Flow, Outcome, Step, Stop
from counterdesk.flow.signoff_steps import SignoffSteps
from counterdesk.flow.state import CounterSessionState, DocumentFacts
from counterdesk.forms import load_form
from counterdesk.forms.answers import check_answers, stop_problems
from counterdesk.identity.documents import check_document
from counterdesk.services.assessment import repository as assessments
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import aml, designation, designation_referral
from counterdesk.services.customers import consent as consents
from counterdesk.services.customers import counter_sessions as sessions
from counterdesk.services.customers import repository as customers
from counterdesk.services.customers.common import current_answers
from counterdesk.services.customers.consistency import document_problems
from counterdesk.services.sales import recommendation
from counterdesk.services.sanctions import disposition, screening
from counterdesk.services.sync import fresh

KYC_FORM = "kyc"
CONSENT_FORM = "consent_sensitive_pi"

# Fields the document step owns; the profile step shows the rest of the KYC form.
DOCUMENT_FIELDS = ("id_doc_type", "id_number", "id_issue_date", "id_long_term", "id_expiry_date")

TITLES = {
    "document": Text("证件", "Document"),
    "consent": Text("授权同意", "Consent"),
    "profile": Text("客户信息", "Customer data"),
    "screening": Text("名单筛查", "Screening"),
    "assessment": Text("风险测评", "Risk assessment"),
    "recommendation": Text("产品推荐", "Recommendation"),
    "signoff": Text("揭示与签署", "Disclosure and signature"),
    "approval": Text("主管审批", "Supervisor approval"),
    "confirmation": Text("确认书", "Confirmation"),
    "done": Text("完成", "Done"),
}


def civil_capacity_problems(age: int | None, capacity: str | None) -> Result:
    """Civil capacity must fit the age (民法典 Arts 18-22): under 8 none; 8-15 limited; 16-17 limited,
    or full when living mainly on their own labour income; adults as declared."""
    res = Result()
    if age is None or capacity is None:
        return res
    if age < 8 and capacity != "none":
        res.add("civil_capacity", "capacity_age", Text("未满 8 周岁的客户为无民事行为能力人。",
                                                       "A customer under 8 has no civil capacity."))
    elif 8 <= age < 16 and capacity == "full":
        res.add("civil_capacity", "capacity_age", Text("8 至 15 周岁的客户为限制民事行为能力人，须由监护人陪同。",
                                                       "A customer aged 8 to 15 has limited "
                                                       "capacity and needs a guardian."))
    return res


def problem(field: str, code: str, zh: str, en: str) -> Result:
    res = Result()
    res.add(field, code, Text(zh, en))
    return res


def unexpected(step: str, action: object) -> Outcome:
    """An action another step owns: a problem, never a crash."""
    return Outcome(problem(step, "unexpected_action", "当前步骤不能执行该操作。",
                           f"The {step} step cannot do that ({type(action).__name__})."))


class CounterSession(SignoffSteps, DueDiligenceSteps):
    """One counter session of the signed-in teller, from identification to the signed confirmation."""

    def __init__(self, vault: Vault, user: SignedInUser, today: date | None = None, lang: str = "zh",
                 hub_check: Callable[[str], fresh.Freshness] | None = None):
        self.vault, self.user, self.today = vault, user, today
        # Asks the hub for a returning customer's flags recorded elsewhere in the branch (services.sync.fresh).
        self.hub_check = hub_check or fresh.CustomerCheck(vault)
        self.freshness: fresh.Freshness | None = None
        self.lang = lang  # the customer's language: disclosures, the typed sentence, the confirmation
        self.form = load_form(KYC_FORM)
        self.consent_form = load_form(CONSENT_FORM)
        self.session_id = sessions.open_session(self.vault, self.user)
        self.flow: Flow[CounterSessionState] = Flow([
            Step("document", TITLES["document"], self._document),
            Step("consent", TITLES["consent"], self._consent),
            Step("profile", TITLES["profile"], self._profile),
            # Screening runs on the stored data: going back to change it would let a hit be edited away.
            Step("screening", TITLES["screening"], self._screening, locks_back=True),
            Step("assessment", TITLES["assessment"], self._assessment, locks_back=True),
            Step("recommendation", TITLES["recommendation"], self._recommendation),
            Step("signoff", TITLES["signoff"], self._signoff),
            # Once sent for approval or signed off, the sale cannot be taken back through the flow.
            Step("approval", TITLES["approval"], self._approval, locks_back=True),
            Step("confirmation", TITLES["confirmation"], self._confirmation, locks_back=True),
            Step("done", TITLES["done"], lambda state, action: Outcome(), final=True, locks_back=True),
        ], "document", CounterSessionState())

    @property
    def state(self) -> CounterSessionState:
        return self.flow.state

    # ---- for the UI and the tests ---------------------------------------------------------------------
    def submit(self, action: object = None) -> Outcome:
        """Hand ``action`` to the current step (None: go on); a move is recorded with the session."""
        outcome = self.flow.submit(action)
        if outcome.moved:
            sessions.set_step(self.vault, self.user, self.session_id, self.flow.current_id)
        return outcome

    def finish(self) -> None:
        sessions.complete_session(self.vault, self.user, self.session_id)

    def cancel(self, reason: str | None = None) -> None:
        """End the session unfinished: ``reason`` is one of CANCEL_REASONS when the teller cancels it on
        purpose, None when it ends with the teller's sign-out."""
        if reason is not None and reason not in sessions.CANCEL_REASONS:
            raise ValueError(f"unknown cancel reason {reason!r}")
        if self.flow.stopped is None and not self.flow.finished:
            code = sessions.CANCEL_PREFIX + reason if reason else "cancelled_by_teller"
            sessions.stop_session(self.vault, self.user, self.session_id, code)
            self.flow.stop(Stop(code, sessions.CANCEL_REASONS[reason] if reason else Text(
                "柜员签退，业务终止。", "The teller signed out: the session ended.")))

    def buyer(self, state: CounterSessionState | None = None) -> recommendation.Buyer:
        state = state or self.state
        if state.customer_id is None:
            raise ValueError("no customer yet")
        return recommendation.Buyer(self.session_id, state.customer_id, state.assessment,
                                    state.aml.level if state.aml else None)

    # ---- identification ---------------------------------------------------------------------------------
    def _document(self, state: CounterSessionState, action: object) -> Outcome:
        if isinstance(action, (CaptureDocumentImage, RefuseDocumentCopy)):
            return self._document_copy(state, action) or unexpected("document", action)
        if not isinstance(action, EnterDocument):
            return unexpected("document", action)
        expiry = "long-term" if action.id_long_term else action.id_expiry_date
        check = check_document(action.id_doc_type, action.id_number, issue_date=action.id_issue_date,
                               expiry=expiry, mrz=action.mrz, today=self.today or date.today())
        if check.stops_session:
            expired = next((p for p in check.result.errors() if p.code == "expired"), check.result.errors()[0])
            sessions.stop_session(self.vault, self.user, self.session_id, "document_expired")
            return Outcome(check.result, stop=Stop("document_expired", expired.text))
        if not check.result.ok or check.parsed is None:
            return Outcome(check.result)
        copied = self._copy_from_entry(state, action.copy, action.copy_refused)
        if not copied.ok:
            return Outcome(copied)
        parsed = check.parsed
        state.document_entry = {k: v for k, v in asdict(action).items() if k in DOCUMENT_FIELDS}
        state.mrz = action.mrz
        state.document = DocumentFacts(
            doc_type=parsed.doc_type.value if parsed.doc_type else action.id_doc_type, number=parsed.number,
            birth_date=parsed.birth_date.isoformat() if parsed.birth_date else None, sex=parsed.sex,
            nationality=parsed.nationality, age=parsed.age)
        state.warnings = [p for p in check.result.problems if p.severity == "warning"]
        found = customers.find_by_document(self.vault, self.user, state.document.doc_type, parsed.number)
        if found is not None:
            # A restriction, withdrawn consent or confirmed match recorded at another counter of the branch
            # counts before this customer is served again: fetched now, or the teller is told it could not be.
            self.freshness = self.hub_check(found.customer_id)
            if self.freshness.applied:
                found = customers.find_by_document(self.vault, self.user, state.document.doc_type, parsed.number)
            if self.freshness.message is not None:
                check.result.add("hub", "flags_unchecked", self.freshness.message, severity="warning")
        state.existing = found
        if found is not None and found.restriction is not None:
            # PIPL Art 47: a restricted customer's data is only stored; the session ends with the reason.
            sessions.stop_session(self.vault, self.user, self.session_id, "customer_restricted")
            return Outcome(check.result, stop=Stop("customer_restricted", found.restriction))
        if found is not None and designation.designation(self.vault, self.user, found.customer_id) is not None:
            # AML Law Art 40: a confirmed sanctions match (here or synced from the branch) ends every session.
            text = designation_referral.refer_attempt_and_stop(self.vault, self.user, self.session_id,
                                                               found.customer_id)
            return Outcome(check.result, stop=Stop(designation.STOP_CODE, text))
        if found is not None:
            sessions.attach_customer(self.vault, self.user, self.session_id, found.customer_id)
            state.customer_id = found.customer_id
            return Outcome(check.result, next_step="profile")
        return Outcome(check.result, next_step="consent")

    def _consent(self, state: CounterSessionState, action: object) -> Outcome:
        if not isinstance(action, DecideConsent):
            return unexpected("consent", action)
        if action.granted is None:
            return Outcome(problem("consent", "required", "请记录客户同意或拒绝。",
                                   "Record whether the customer agrees."))
        consent_id = consents.record_consent(self.vault, self.user, self.session_id, action.granted,
                                             self.consent_form.version)
        if not action.granted:
            return Outcome(stop=Stop("consent_refused", Text(
                "客户不同意处理其敏感个人信息，本次业务终止，未保存任何客户信息。",
                "The customer did not consent to processing sensitive personal information: the session ends and "
                "nothing about the customer was stored.")))
        state.consent_id = consent_id
        return Outcome(next_step="profile")

    def _profile(self, state: CounterSessionState, action: object) -> Outcome:
        if isinstance(action, (CaptureDocumentImage, RefuseDocumentCopy)):
            return self._document_copy(state, action) or unexpected("profile", action)
        if not isinstance(action, EnterProfile):
            return unexpected("profile", action)
        answers = dict(action.answers)
        for key, value in state.document_entry.items():
            if value not in (None, ""):
                answers[key] = value
        # A returning customer's screen shows masked current values; what the teller types replaces them.
        current = self._current_answers(state.customer_id) if state.customer_id else {}
        merged = {k: v for k, v in {**current, **answers}.items() if v is not None and self.form.has_field(k)}
        values, result = check_answers(self.form, merged, today=self.today)
        result.problems += document_problems(values, mrz=state.mrz, today=self.today)
        age = state.document.age if state.document else None
        result.problems += civil_capacity_problems(age, values.get("civil_capacity")).problems
        stops = stop_problems(self.form, result)
        if stops:
            sessions.stop_session(self.vault, self.user, self.session_id, stops[0].code)
            return Outcome(result, stop=Stop(stops[0].code, stops[0].text))
        if not result.ok:
            return Outcome(result)
        if state.customer_id:
            customers.update_customer(self.vault, self.user, state.customer_id, answers, "counter_session")
        elif state.consent_id is None:
            return Outcome(problem("consent", "required", "尚未记录客户同意。",
                                   "The customer's consent is not recorded."))
        else:
            state.customer_id = customers.create_customer(self.vault, self.user, answers, self.form,
                                                          state.consent_id, self.session_id)
        self._keep_document_copy(state)  # a copy captured before the customer existed (Order 〔2025〕 No. 11)
        state.profile = values
        return Outcome(result, next_step="screening")

    def _screening(self, state: CounterSessionState, action: object) -> Outcome:
        if action is not None and not isinstance(action, Screen):
            return unexpected("screening", action)
        if state.customer_id is None:
            return Outcome(problem("customer", "missing", "尚无客户。", "There is no customer yet."))
        previous = state.screening_id
        record = disposition.get_screening(self.vault, self.user, previous) if previous else None
        message: Text | None = None
        if record is None or record.status == "refused_stale_lists":
            values = state.profile
            names = [n for n in (values.get("name_zh"), values.get("name_latin"), values.get("name_pinyin")) if n]
            doc = state.document
            subject = screening.ScreenedPerson(names=names, birth_date=_date(values.get("birth_date")),
                                        nationality=values.get("nationality"),
                                        documents=[doc.number] if doc and doc.number else [],
                                        gender=values.get("sex"))
            result = screening.screen(self.vault, self.user, subject, state.customer_id)
            state.screening_id, status, message = result.screening_id, result.status, result.message
        else:
            status = record.status
        state.screening_status = status
        if status in ("clear", "false_positive"):
            history = aml.ScreeningHistory(cleared_false_positive=status == "false_positive")
            state.aml = aml.rate_customer(self.vault, self.user, state.customer_id, history)
            return Outcome(next_step="assessment")
        if status == "confirmed_match":
            # The supervisor's confirmation already stopped this session and referred the customer
            # (AML Law Art 40); a screening confirmed elsewhere may still leave it open here.
            if sessions.is_open(self.vault, self.session_id):
                sessions.stop_session(self.vault, self.user, self.session_id, designation.STOP_CODE)
            return Outcome(stop=Stop(designation.STOP_CODE, designation.designated_text()))
        if status == "refused_stale_lists" and message is not None:
            return Outcome(hold=message)
        return Outcome(hold=Text("筛查发现疑似命中，须由另一位主管复核。复核完成后点击“重新检查”。",
                                 "Screening found a potential hit that another supervisor must review. "
                                 "Press “Check again” once it has been reviewed."))

    def _current_answers(self, customer_id: str) -> dict[str, Any]:
        """The stored answers, for validation only (never shown: the screen gets masked values)."""
        return self.vault.transact(lambda db: current_answers(db, customer_id)[1])

    # ---- risk assessment: answered by the customer on the customer screen ---------------------------
    def _assessment(self, state: CounterSessionState, action: object) -> Outcome:
        customer_id = state.customer_id
        if customer_id is None:
            return Outcome(problem("customer", "missing", "尚无客户。", "There is no customer yet."))
        if isinstance(action, FindCurrentAssessment):
            return Outcome(stay=True, value=assessments.current_assessment(self.vault, self.user, customer_id))
        if isinstance(action, StartAssessment):
            state.assessment_id = assessments.start_assessment(self.vault, self.user, customer_id, self.session_id,
                                                               paper_form_number=action.paper_form_number)
            state.assessment = None
            return Outcome(stay=True, value=state.assessment_id)
        if isinstance(action, RecordAnswers):
            if state.assessment_id is None:
                return Outcome(problem("assessment", "not_started", "测评尚未开始。",
                                       "The assessment has not started."))
            found = assessments.record_answers(self.vault, self.user, state.assessment_id, action.answers,
                                               action.entered_at)
            graded = assessments.grade(self.vault, self.user, state.assessment_id) if found.gradable else None
            return Outcome(stay=True, value=(found, graded))
        if isinstance(action, ConfirmAssessment):
            if state.assessment_id is None:
                return Outcome(problem("assessment", "not_started", "测评尚未开始。",
                                       "The assessment has not started."))
            state.assessment = assessments.confirm(self.vault, self.user, state.assessment_id,
                                                   action.regrade_confirmed)
        elif isinstance(action, UseCurrentAssessment):
            current = assessments.current_assessment(self.vault, self.user, customer_id)
            if current is not None:
                state.assessment = current
        elif action is not None:
            return unexpected("assessment", action)
        # Either the customer confirmed a new result, or the teller chose the valid one on file.
        if state.assessment is None or state.assessment.confirmed_at is None:
            return Outcome(problem("assessment", "not_confirmed", "客户尚未完成并确认风险测评。",
                                   "The customer has not completed and confirmed the assessment."))
        return Outcome(next_step="recommendation")

    # ---- recommendation ------------------------------------------------------------------------------
    def _recommendation(self, state: CounterSessionState, action: object) -> Outcome:
        if isinstance(action, (CaptureDocumentImage, RefuseDocumentCopy)):
            return self._document_copy(state, action) or unexpected("recommendation", action)
        proposing = action if isinstance(action, Propose) else getattr(action, "inputs", None)
        if isinstance(proposing, Propose):
            res, proposal = recommendation.propose(self.vault, self.user, self.buyer(state), proposing.amount,
                                                   proposing.declared, proposing.horizon, proposing.acknowledged,
                                                   today=self.today)
            if proposal is None:
                return Outcome(res)
            state.proposal, state.own_request = proposal, None
            if action is proposing:
                self._due_diligence_notice(state, res)
                return Outcome(res, stay=True, value=proposal)
        if state.proposal is None:
            return Outcome(problem("amount", "not_proposed", "请先填写金额并推荐产品。",
                                   "Enter the amount and propose products first."))
        if isinstance(action, CheckOwnRequest):
            decision = recommendation.customer_request(self.vault, self.user, self.buyer(state), state.proposal,
                                                       action.code, today=self.today)
            state.own_request = (action.code, decision)
            return Outcome(stay=True, value=decision)
        if isinstance(action, ChooseProduct):
            if action.customer_initiated:
                own = state.own_request
                decision = own[1] if own is not None and own[0] == action.code else None
            else:
                decision = state.proposal.decisions.get(action.code)
            if decision is None:
                return Outcome(problem("product", "unknown", "请选择产品。", "Choose a product."))
            stopped = self._due_diligence_stop(state, action.code)
            if stopped is not None:
                return stopped
            state.sale_decision_id = recommendation.choose(self.vault, self.user, self.buyer(state), state.proposal,
                                                           action.code, decision, action.customer_initiated)
            return self._begin_signoff(state)
        if action is not None:
            return unexpected("recommendation", action)
        if not state.sale_decision_id:
            return Outcome(problem("product", "required", "请选择产品。", "Choose a product."))
        return self._begin_signoff(state)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
