"""The customer panel of a counter session: who is being served, as far as the session knows, in
masked form, beside every step (the teller never has to go back to see the grade or the screening).

``load_on_file`` reads what the store already holds about the customer (the latest assessment, valid
or not, and the latest AML rating) once per customer, in a worker; ``customer_panel`` turns the
session's state and that into rows of bilingual text. It never reads the database, so the page can
call it after every step on the UI thread, and tests call it without Qt or a store.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from counterdesk.base import assessment_validity as validity
from counterdesk.base.branchtime import branch_day
from counterdesk.base.settings import ASSESSMENT_VALIDITY_MONTHS
from counterdesk.base.text import Text
from counterdesk.flow.counter_session import CounterSession
from counterdesk.flow.engine import Stop
from counterdesk.flow.state import CounterSessionState
from counterdesk.identity.documents import DocumentType
from counterdesk.services.assessment import repository as assessments
from counterdesk.services.assessment.repository import AssessmentResult
from counterdesk.services.customers import aml
from counterdesk.services.customers.consent import REFUSED_CODE
from counterdesk.services.customers.designation import STOP_CODE as DESIGNATED
from counterdesk.services.customers.masking import mask_id_number, mask_name
from counterdesk.services.customers.records import Rating

# A row's tone: how the panel shows it ("" plain).
PLAIN, OK, WARNING, ERROR = "", "ok", "warning", "error"

LABELS = {
    "name": Text("姓名", "Name"),
    "document": Text("证件", "Document"),
    "grade": Text("风险等级", "Risk grade"),
    "aml": Text("洗钱风险", "AML risk"),
    "screening": Text("名单筛查", "Screening"),
    "consent": Text("敏感信息同意", "Consent"),
    "restriction": Text("个人信息权利", "Data rights"),
}
AML_LEVELS = {"low": Text("低", "low"), "medium": Text("中", "medium"), "high": Text("高", "high")}


@dataclass(frozen=True)
class OnFile:
    """What the store held about the customer when the session found them."""

    customer_id: str | None
    assessment: AssessmentResult | None  # the latest confirmed one, valid or expired
    aml: Rating | None
    validity_months: int = validity.DEFAULT_MONTHS


@dataclass(frozen=True)
class PanelRow:
    key: str     # one of LABELS
    code: str    # a stable state: "valid", "expired", "held" …, for tests and the screen's colour
    label: Text
    value: Text
    tone: str = PLAIN


@dataclass(frozen=True)
class CustomerPanel:
    known: bool       # the document identified the customer (before that the panel waits)
    returning: bool
    heading: Text
    rows: tuple[PanelRow, ...] = ()

    def row(self, key: str) -> PanelRow | None:
        return next((r for r in self.rows if r.key == key), None)

    def texts(self, lang: str) -> list[str]:
        return [self.heading.get(lang)] + [t for r in self.rows for t in (r.label.get(lang), r.value.get(lang))]


WAITING = CustomerPanel(False, False, Text("尚未识别客户", "No customer yet"), (
    PanelRow("name", "unknown", LABELS["name"],
             Text("读取或录入客户的身份证件后，这里显示客户的概况。",
                  "Once the identity document is read or typed, the customer's summary shows here.")),))


def load_on_file(counter_session: CounterSession) -> OnFile:
    """Read the stored assessment and AML rating of the session's customer (a worker calls this)."""
    vault, user = counter_session.vault, counter_session.user
    customer_id = counter_session.state.customer_id
    months = int(vault.settings()[ASSESSMENT_VALIDITY_MONTHS])
    if customer_id is None:
        return OnFile(None, None, None, months)
    rating = aml.latest_rating(vault, user, customer_id)
    return OnFile(customer_id, assessments.latest_assessment(vault, user, customer_id),
                  rating[0] if rating else None, months)


def customer_panel(counter_session: CounterSession, on_file: OnFile | None = None,
                   today: date | None = None) -> CustomerPanel:
    flow = counter_session.flow
    return build_panel(flow.state, flow.stopped, on_file,
                       today or counter_session.today or branch_day(datetime.now(UTC)))


def build_panel(state: CounterSessionState, stopped: Stop | None, on_file: OnFile | None,
                today: date) -> CustomerPanel:
    """The panel for ``state``; ``on_file`` counts only for the customer it was read for."""
    if state.document is None:
        return WAITING
    if on_file is not None and on_file.customer_id != state.customer_id:
        on_file = None
    returning = state.existing is not None
    rows = [_name(state), _document(state), _grade(state, on_file, today), _aml(state, on_file),
            _screening(state, stopped), _consent(state, stopped)]
    restriction = state.existing.restriction if state.existing is not None else None
    if restriction is not None:
        rows.append(PanelRow("restriction", "restricted", LABELS["restriction"], restriction, ERROR))
    heading = Text("老客户", "Returning customer") if returning else Text("新客户", "New customer")
    return CustomerPanel(True, returning, heading, tuple(rows))


def _name(state: CounterSessionState) -> PanelRow:
    values = state.profile
    # The validated answers (this session's) first: a returning customer may have changed the name.
    zh = mask_name(values.get("name_zh")) if values.get("name_zh") else ""
    latin = mask_name(values.get("name_latin")) if values.get("name_latin") else ""
    if not (zh or latin) and state.existing is not None:
        zh, latin = state.existing.name, state.existing.name_latin
        if zh == latin:
            latin = ""
    if not (zh or latin):
        return PanelRow("name", "not_entered", LABELS["name"], Text("尚未录入", "not entered yet"))
    shown = f"{zh}（{latin}）" if zh and latin else zh or latin
    shown_en = f"{zh} ({latin})" if zh and latin else zh or latin
    return PanelRow("name", "masked", LABELS["name"], Text(shown, shown_en))


def _document(state: CounterSessionState) -> PanelRow:
    doc = state.document
    assert doc is not None
    kind = DocumentType.coerce(doc.doc_type)
    label = kind.label if kind is not None else Text(doc.doc_type or "", doc.doc_type or "")
    number = mask_id_number(doc.number)
    entry = state.document_entry
    if entry.get("id_long_term"):
        expiry = Text("长期有效", "no expiry (long-term)")
    elif entry.get("id_expiry_date"):
        expiry = Text("有效期至 {day}", "valid until {day}").format(day=entry["id_expiry_date"])
    else:
        expiry = Text("未录入有效期", "no expiry date entered")
    warned = any(p.severity == "warning" for p in state.warnings)
    return PanelRow("document", "masked", LABELS["document"],
                    Text(f"{label.zh} {number}\n{expiry.zh}", f"{label.en} {number}\n{expiry.en}"),
                    WARNING if warned else PLAIN)


def _grade(state: CounterSessionState, on_file: OnFile | None, today: date) -> PanelRow:
    found = state.assessment if state.assessment is not None and state.assessment.confirmed_at else None
    if found is None and on_file is not None:
        found = on_file.assessment
    months = on_file.validity_months if on_file is not None else validity.DEFAULT_MONTHS
    if found is None:
        return PanelRow("grade", "none", LABELS["grade"], Text("无风险测评", "no assessment on file"), WARNING)
    # The one validity rule (base.assessment_validity), as the store and the suitability engine apply it.
    recorded = validity.recorded_last_day(found.valid_until)
    state_now = validity.state_on(found.completed_at, today, months, recorded)
    last = validity.last_valid_day(found.completed_at, months, recorded).isoformat()
    grade = Text(f"{found.grade} {found.name.zh}", f"{found.grade} {found.name.en}")
    if state_now == "valid":
        return PanelRow("grade", "valid", LABELS["grade"],
                        Text(f"{grade.zh}\n有效期至 {last}", f"{grade.en}\nvalid until {last}"), OK)
    return PanelRow("grade", "expired", LABELS["grade"],
                    Text(f"{grade.zh}\n已过期（有效期至 {last}），须重新测评",
                         f"{grade.en}\nexpired (valid until {last}): reassess"), WARNING)


def _aml(state: CounterSessionState, on_file: OnFile | None) -> PanelRow:
    rating = state.aml or (on_file.aml if on_file is not None else None)
    if rating is None:
        return PanelRow("aml", "none", LABELS["aml"], Text("尚未评级", "not rated yet"))
    level = AML_LEVELS.get(rating.level, Text(rating.level, rating.level))
    return PanelRow("aml", rating.level, LABELS["aml"], level, WARNING if rating.level == "high" else PLAIN)


def _screening(state: CounterSessionState, stopped: Stop | None) -> PanelRow:
    status = state.screening_status
    label = LABELS["screening"]
    if status == "confirmed_match" or (stopped is not None and stopped.code == DESIGNATED):
        return PanelRow("screening", "confirmed_match", label, Text("确认命中制裁名单", "confirmed match"), ERROR)
    if status == "clear":
        return PanelRow("screening", "clear", label, Text("未命中", "clear"), OK)
    if status == "false_positive":
        return PanelRow("screening", "clear", label, Text("未命中（疑似命中已排除）", "clear (hit cleared)"), OK)
    if status == "potential_hit":
        return PanelRow("screening", "held", label, Text("疑似命中，待主管复核", "held for review"), ERROR)
    if status == "refused_stale_lists":
        return PanelRow("screening", "lists_stale", label,
                        Text("名单过期，未能筛查", "not screened: lists out of date"), ERROR)
    return PanelRow("screening", "not_screened", label, Text("尚未筛查", "not screened yet"))


def _consent(state: CounterSessionState, stopped: Stop | None) -> PanelRow:
    label = LABELS["consent"]
    if state.existing is not None:
        return PanelRow("consent", "on_file", label, Text("已于开户时同意", "given when first served"), OK)
    if state.consent_id is not None:
        return PanelRow("consent", "granted", label, Text("本次已同意", "given in this session"), OK)
    if stopped is not None and stopped.code == REFUSED_CODE:
        return PanelRow("consent", "refused", label, Text("客户拒绝", "refused"), ERROR)
    return PanelRow("consent", "pending", label, Text("尚未征得", "not asked yet"))


__all__ = ["WAITING", "CustomerPanel", "OnFile", "PanelRow", "build_panel", "customer_panel", "load_on_file"]
