"""A counter session with one customer, as a Qt-free flow.

Steps: document → (new customer: consent) → profile → screening → assessment → recommendation →
signoff → (approval) → confirmation → done; the sign-off part lives in .signoff_steps. Each step's ``advance`` does the step's work through the core (document checks, the customer
store, sanctions screening, the customer's risk assessment, the suitability decision) and names the
next step, stops the session with a reason, or holds it for a supervisor. The GUI runs ``submit``
in a background task and maps steps to pages; tests drive it without Qt.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from counterdesk.services.customers import consent as consents
from counterdesk.services.customers import counter_sessions as sessions
from counterdesk.services.customers import repository as customers
from counterdesk.services.customers.consistency import document_problems
from counterdesk.forms import load_form
from counterdesk.forms.answers import check_answers, stop_problems
from counterdesk.identity.documents import check_document
from counterdesk.base.actors import SignedInUser
from counterdesk.base.text import Result, Text
from counterdesk.flow.engine import Flow, Outcome, Step, Stop
from counterdesk.flow.signoff_steps import SignoffSteps
from counterdesk.services.sanctions import disposition, screening
from counterdesk.services.customers.common import load_customer, version_row
from counterdesk.services.assessment import repository as assessments
from counterdesk.services.customers import aml
import json

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
                                                       "A customer aged 8 to 15 has limited capacity and needs a guardian."))
    return res


@dataclass
class CounterSession(SignoffSteps):
    """One counter session of the signed-in teller, from identification to the signed confirmation."""

    vault: Any
    user: SignedInUser
    today: date | None = None
    lang: str = "zh"  # the customer's language: disclosures, the typed sentence, the confirmation

    def __post_init__(self) -> None:
        self.form = load_form(KYC_FORM)
        self.consent_form = load_form(CONSENT_FORM)
        self.session_id = sessions.open_session(self.vault, self.user)
        self.flow = Flow([
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
            Step("done", TITLES["done"], lambda data: Outcome(), final=True, locks_back=True),
        ], "document")

    # ---- steps -------------------------------------------------------------------------------------------
    def _document(self, data: dict) -> Outcome:
        expiry = "long-term" if data.get("id_long_term") else data.get("id_expiry_date")
        check = check_document(data.get("id_doc_type"), data.get("id_number"), issue_date=data.get("id_issue_date"),
                               expiry=expiry, mrz=data.get("mrz"), today=self.today or date.today())
        if check.stops_session:
            expired = next((p for p in check.result.errors() if p.code == "expired"), check.result.errors()[0])
            sessions.stop_session(self.vault, self.user, self.session_id, "document_expired")
            return Outcome(check.result, stop=Stop("document_expired", expired.text))
        if not check.result.ok:
            return Outcome(check.result)
        parsed = check.parsed
        data["document"] = {"doc_type": parsed.doc_type.value if parsed.doc_type else data.get("id_doc_type"),
                            "number": parsed.number, "birth_date": _iso(parsed.birth_date), "sex": parsed.sex,
                            "nationality": parsed.nationality, "age": parsed.age}
        data["warnings"] = [p for p in check.result.problems if p.severity == "warning"]
        found = customers.find_by_document(self.vault, self.user, data["document"]["doc_type"], parsed.number)
        data["existing"] = found
        if found is not None:
            sessions.attach_customer(self.vault, self.user, self.session_id, found.customer_id)
            data["customer_id"] = found.customer_id
            return Outcome(check.result, next_step="profile")
        return Outcome(check.result, next_step="consent")

    def _consent(self, data: dict) -> Outcome:
        granted = data.get("consent_granted")
        if granted is None:
            res = Result()
            res.add("consent", "required", Text("请记录客户同意或拒绝。", "Record whether the customer agrees."))
            return Outcome(res)
        consent_id = consents.record_consent(self.vault, self.user, self.session_id, bool(granted),
                                             self.consent_form.version)
        if not granted:
            return Outcome(stop=Stop("consent_refused", Text(
                "客户不同意处理其敏感个人信息，本次业务终止，未保存任何客户信息。",
                "The customer did not consent to processing sensitive personal information: the session ends and "
                "nothing about the customer was stored.")))
        data["consent_id"] = consent_id
        return Outcome(next_step="profile")

    def _profile(self, data: dict) -> Outcome:
        answers = dict(data.get("answers") or {})
        for key in DOCUMENT_FIELDS:
            if data.get(key) not in (None, ""):
                answers[key] = data[key]
        # A returning customer's screen shows masked current values; what the teller types replaces them.
        current = self._current_data(data["customer_id"]) if data.get("customer_id") else {}
        merged = {k: v for k, v in {**current, **answers}.items() if v is not None and self.form.has_field(k)}
        values, result = check_answers(self.form, merged, today=self.today)
        result.problems += document_problems(values, mrz=data.get("mrz"), today=self.today)
        age = (data.get("document") or {}).get("age")
        result.problems += civil_capacity_problems(age, values.get("civil_capacity")).problems
        stops = stop_problems(self.form, result)
        if stops:
            sessions.stop_session(self.vault, self.user, self.session_id, stops[0].code)
            return Outcome(result, stop=Stop(stops[0].code, stops[0].text))
        if not result.ok:
            return Outcome(result)
        if data.get("customer_id"):
            customers.update_customer(self.vault, self.user, data["customer_id"], answers, "counter_session")
        else:
            data["customer_id"] = customers.create_customer(self.vault, self.user, answers, self.form,
                                                            data["consent_id"], self.session_id)
        data["profile"] = values
        return Outcome(result, next_step="screening")

    def _screening(self, data: dict) -> Outcome:

        previous = data.get("screening_id")
        record = disposition.get_screening(self.vault, self.user, previous) if previous else None
        if record is None or record.status == "refused_stale_lists":
            values = data.get("profile") or {}
            names = [n for n in (values.get("name_zh"), values.get("name_latin"), values.get("name_pinyin")) if n]
            doc = data.get("document") or {}
            subject = screening.Subject(names=names, birth_date=_date(values.get("birth_date")),
                                        nationality=values.get("nationality"),
                                        documents=[doc.get("number")] if doc.get("number") else [])
            result = screening.screen(self.vault, self.user, subject, data["customer_id"])
            data["screening_id"], status, message = result.screening_id, result.status, result.message
        else:
            status, message = record.status, None
        data["screening_status"] = status
        if status in ("clear", "false_positive"):

            history = aml.ScreeningHistory(cleared_false_positive=status == "false_positive")
            data["aml"] = aml.rate_customer(self.vault, self.user, data["customer_id"], history)
            return Outcome(next_step="assessment")
        if status == "confirmed_match":
            sessions.stop_session(self.vault, self.user, self.session_id, "sanctions_match")
            return Outcome(stop=Stop("sanctions_match", Text(
                "主管确认客户与制裁名单匹配：本次业务终止，已按规定记录并上报。",
                "A supervisor confirmed a sanctions match: the session ends; the escalation is recorded.")))
        if status == "refused_stale_lists":
            return Outcome(hold=message)
        return Outcome(hold=Text("筛查发现疑似命中，须由另一位主管复核。复核完成后点击“重新检查”。",
                                 "Screening found a potential hit that another supervisor must review. "
                                 "Press “Check again” once it has been reviewed."))

    def _current_data(self, customer_id: str) -> dict[str, Any]:
        """The stored answers, for validation only (never shown: the screen gets masked values)."""


        def read(session) -> dict[str, Any]:
            customer = load_customer(session, customer_id)
            return json.loads(version_row(session, customer.id, customer.current_version).data)
        return self.vault.transact(read)

    # ---- risk assessment: answered by the customer on the customer screen -----------------------------
    def current_assessment(self):
        """A completed, confirmed, unexpired assessment the customer already has, or None."""
        return assessments.current_assessment(self.vault, self.user, self.flow.data["customer_id"])

    def start_assessment(self, paper_form_number: str | None = None) -> str:
        aid = assessments.start_assessment(self.vault, self.user, self.flow.data["customer_id"], self.session_id,
                                           paper_form_number=paper_form_number)
        self.flow.data["assessment_id"] = aid
        return aid

    def submit_answers(self, answers: dict[str, str], entered_at: str):
        """Store the answers; returns (AnswersResult, AssessmentResult or None when not gradable yet)."""
        aid = self.flow.data["assessment_id"]
        found = assessments.record_answers(self.vault, self.user, aid, answers, entered_at)
        if not found.gradable:
            return found, None
        return found, assessments.grade(self.vault, self.user, aid)

    def confirm_assessment(self, regrade_confirmed: bool):
        result = assessments.confirm(self.vault, self.user, self.flow.data["assessment_id"], regrade_confirmed)
        self.flow.data["assessment"] = result
        return result

    def _assessment(self, data: dict) -> Outcome:
        # Either the customer confirmed a new result, or the teller chose the valid one on file.
        if data.get("use_current_assessment"):
            current = self.current_assessment()
            if current is not None:
                data["assessment"] = current
        result = data.get("assessment")
        if result is None or result.confirmed_at is None:
            res = Result()
            res.add("assessment", "not_confirmed", Text("客户尚未完成并确认风险测评。",
                                                        "The customer has not completed and confirmed the assessment."))
            return Outcome(res)
        return Outcome(next_step="recommendation")

    # ---- for the UI ----------------------------------------------------------------------------------------
    def submit(self, updates: dict[str, Any] | None = None) -> Outcome:
        outcome = self.flow.submit(updates)
        if outcome.result.ok and outcome.stop is None and outcome.hold is None:
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


def _iso(value: date | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
