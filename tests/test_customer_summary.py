"""The customer panel's view model and the step bar's marks, without Qt: what the teller sees beside
every step (masked name and document, the grade and its validity by the one rule, the AML rating,
screening, consent, a data-rights restriction), and each step done, current, blocked, pending or not
needed, through real counter sessions on the demo branch."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from counterdesk.base import assessment_validity as validity
from counterdesk.base.text import Text
from counterdesk.flow.actions import DecideConsent, EnterProfile, Screen
from counterdesk.flow.counter_session import CounterSession
from counterdesk.flow.customer_summary import WAITING, OnFile, build_panel, customer_panel, load_on_file
from counterdesk.flow.engine import Stop
from counterdesk.flow.state import CounterSessionState, DocumentFacts
from counterdesk.flow.step_progress import BLOCKED, CURRENT, DONE, PENDING, SKIPPED, step_marks
from counterdesk.services.assessment.repository import AssessmentResult
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.records import CustomerSummary, Rating
from helpers.counter import SPECIMEN, assess, choose, customer_signs, identify, kyc, questionnaire_answers
from helpers.demo import sign_in

TODAY = date(2026, 6, 1)
FULL_ID = "11010519491231002X"
MASKED_ID = "110***********002X"


def _state(**changes) -> CounterSessionState:
    state = CounterSessionState(
        document=DocumentFacts("resident_id", FULL_ID, "1949-12-31", "F", "CHN", 76),
        document_entry={"id_doc_type": "resident_id", "id_number": FULL_ID, "id_long_term": True})
    for key, value in changes.items():
        setattr(state, key, value)
    return state


def _assessment(completed: datetime, grade: str = "C3") -> AssessmentResult:
    return AssessmentResult("a1", "c1", "rq@1", 40, grade, Text("稳健型", "Balanced"), False, (), completed,
                            validity.valid_end(completed), None, False, confirmed_at=completed)


def _returning(restriction: Text | None = None) -> CustomerSummary:
    return CustomerSummary("c1", "张**", "", "resident_id", MASKED_ID, "1949-**-**", "female", "mass", "active", 1,
                           "document", restriction)


# ---- the view model ---------------------------------------------------------------------------------------
def test_before_the_document_the_panel_waits():
    panel = build_panel(CounterSessionState(), None, None, TODAY)
    assert panel is WAITING and not panel.known
    assert "身份证件" in panel.texts("zh")[1] + panel.texts("zh")[2]


def test_a_new_customer_identified_by_the_document_shows_masked_and_waits_for_the_rest():
    panel = build_panel(_state(), None, None, TODAY)
    assert panel.known and not panel.returning and panel.heading.zh == "新客户"
    codes = {r.key: r.code for r in panel.rows}
    assert codes == {"name": "not_entered", "document": "masked", "grade": "none", "aml": "none",
                     "screening": "not_screened", "consent": "pending"}
    assert panel.row("document").value.zh == f"居民身份证 {MASKED_ID}\n长期有效"
    assert panel.row("document").value.en == f"Resident ID card {MASKED_ID}\nno expiry (long-term)"


def test_names_and_numbers_are_masked_in_both_languages():
    state = _state(consent_id="k1", profile={"name_zh": "张晓梅", "name_latin": "ZHANG XIAOMEI"},
                   document_entry={"id_expiry_date": "2040-05-20"})
    panel = build_panel(state, None, None, TODAY)
    assert panel.row("name").value == Text("张**（Z*）", "张** (Z*)")
    assert "有效期至 2040-05-20" in panel.row("document").value.zh
    for lang in ("zh", "en"):
        shown = "\n".join(panel.texts(lang))
        assert FULL_ID not in shown and "晓梅" not in shown and "XIAOMEI" not in shown
    assert panel.row("consent").code == "granted"


def test_the_grade_is_valid_through_the_day_before_its_anniversary_then_expired():
    # Completed 2025-06-01 10:00 CST (02:00 UTC): valid through 2026-05-31, expired on 2026-06-01.
    done = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
    on_file = OnFile("c1", _assessment(done), None)
    state = _state(customer_id="c1", existing=_returning())
    valid = build_panel(state, None, on_file, date(2026, 5, 31)).row("grade")
    assert valid.code == "valid" and valid.tone == "ok"
    assert valid.value == Text("C3 稳健型\n有效期至 2026-05-31", "C3 Balanced\nvalid until 2026-05-31")
    expired = build_panel(state, None, on_file, date(2026, 6, 1)).row("grade")
    assert expired.code == "expired" and expired.tone == "warning" and "2026-05-31" in expired.value.en
    # A shorter validity set by the bank (assessment.validity_months) counts too.
    short = build_panel(state, None, replace(on_file, validity_months=6), date(2026, 1, 1)).row("grade")
    assert short.code == "expired" and "2025-11-30" in short.value.zh


def test_the_grade_confirmed_in_this_session_replaces_the_one_on_file():
    old = _assessment(datetime(2024, 1, 10, tzinfo=UTC), "C2")
    new = _assessment(datetime(2026, 5, 30, tzinfo=UTC), "C4")
    state = _state(customer_id="c1", existing=_returning(), assessment=new)
    row = build_panel(state, None, OnFile("c1", old, None), TODAY).row("grade")
    assert row.code == "valid" and row.value.zh.startswith("C4")
    # What was read for another customer never shows.
    assert build_panel(_state(customer_id="c2"), None, OnFile("c1", old, None), TODAY).row("grade").code == "none"


@pytest.mark.parametrize(("status", "code", "tone"), [
    (None, "not_screened", ""), ("clear", "clear", "ok"), ("false_positive", "clear", "ok"),
    ("potential_hit", "held", "error"), ("refused_stale_lists", "lists_stale", "error"),
    ("confirmed_match", "confirmed_match", "error")])
def test_each_screening_state(status, code, tone):
    row = build_panel(_state(screening_status=status), None, None, TODAY).row("screening")
    assert (row.code, row.tone) == (code, tone)


def test_a_designated_customer_stopped_at_the_document_shows_the_confirmed_match():
    stop = Stop("sanctions_designated", Text("…", "…"))
    assert build_panel(_state(existing=_returning()), stop, None, TODAY).row("screening").code == "confirmed_match"


def test_aml_rating_and_a_refused_consent():
    high = Rating("high", (), "aml-1")
    row = build_panel(_state(aml=high), None, None, TODAY).row("aml")
    assert (row.code, row.value.zh, row.tone) == ("high", "高", "warning")
    refused = build_panel(_state(), Stop("consent_refused", Text("…", "…")), None, TODAY).row("consent")
    assert (refused.code, refused.tone) == ("refused", "error")


def test_a_restricted_customer_shows_the_restriction():
    text = Text("该客户已申请删除个人信息", "This customer asked for deletion")
    panel = build_panel(_state(existing=_returning(text)), None, None, TODAY)
    assert panel.returning and panel.row("restriction").value == text and panel.row("restriction").tone == "error"
    assert panel.row("consent").code == "on_file"


# ---- through real sessions on the demo branch (with the sanctions sample) ----------------------------------
@pytest.fixture
def lists_vault(demo_lists_dir):
    vault = Vault.open(demo_lists_dir)
    yield vault
    vault.close()


def _statuses(counter_session: CounterSession) -> dict[str, str]:
    return {m.step_id: m.status for m in step_marks(counter_session.flow)}


def test_a_session_step_by_step_and_the_returning_customers_file(lists_vault):
    teller = sign_in(lists_vault, "teller")
    first = CounterSession(lists_vault, teller)
    assert _statuses(first)["document"] == CURRENT and set(list(_statuses(first).values())[1:]) == {PENDING}
    assert customer_panel(first) is WAITING
    identify(first, SPECIMEN, kyc())
    marks = _statuses(first)
    assert [marks[s] for s in ("document", "consent", "profile", "screening", "assessment")] == \
        [DONE, DONE, DONE, DONE, CURRENT]
    assess(first, questionnaire_answers(1))
    choose(first, "DM-WM-F90")
    customer_signs(first)
    marks = _statuses(first)
    assert marks["signoff"] == DONE and marks["approval"] == SKIPPED and marks["confirmation"] == CURRENT
    panel = customer_panel(first, load_on_file(first))
    assert panel.row("grade").code == "valid" and panel.row("screening").code == "clear"
    assert panel.row("aml").code in ("low", "medium", "high")
    first.cancel()
    # The same customer again: the grade and the AML rating are on file before this session's steps.
    again = CounterSession(lists_vault, teller)
    outcome = again.submit(SPECIMEN)
    assert outcome.result.ok and again.flow.current_id == "profile"
    assert _statuses(again)["consent"] == SKIPPED
    on_file = load_on_file(again)
    panel = customer_panel(again, on_file)
    assert panel.returning and panel.row("consent").code == "on_file"
    assert panel.row("grade").code == "valid" and panel.row("aml").code == on_file.aml.level
    assert panel.row("screening").code == "not_screened"  # this session's screening is still to come
    # A year on, the same assessment is expired by the one validity rule.
    later = on_file.assessment.last_valid_day + timedelta(days=1)
    assert customer_panel(again, on_file, today=later).row("grade").code == "expired"
    again.cancel()


def test_a_screening_hold_blocks_its_step(lists_vault):
    teller = sign_in(lists_vault, "teller")
    counter_session = CounterSession(lists_vault, teller)
    listed = replace(SPECIMEN, id_number="110101195911020011", id_issue_date="2010-01-01")
    for action in (listed, DecideConsent(True), EnterProfile(kyc("1959-11-02", name_zh="刘建国", sex="male"))):
        assert counter_session.submit(action).result.ok
    outcome = counter_session.submit(Screen())
    assert outcome.hold is not None
    marks = {m.step_id: m for m in step_marks(counter_session.flow)}
    assert marks["screening"].status == BLOCKED and marks["screening"].why.en == "held for review"
    assert marks["profile"].status == DONE and marks["assessment"].status == PENDING
    panel = customer_panel(counter_session)
    assert panel.row("screening").code == "held" and panel.row("name").value.zh == "刘**"
    counter_session.cancel()


def test_a_refused_consent_blocks_its_step(lists_vault):
    counter_session = CounterSession(lists_vault, sign_in(lists_vault, "teller"))
    counter_session.submit(SPECIMEN)
    outcome = counter_session.submit(DecideConsent(False))
    assert outcome.stop is not None
    marks = {m.step_id: m for m in step_marks(counter_session.flow)}
    assert marks["consent"].status == BLOCKED and marks["consent"].why.en.startswith("refused")
    assert customer_panel(counter_session).row("consent").code == "refused"
