"""Stored assessments on a real demo installation: limits, validity, re-confirmation, entry points,
paper-form linkage, permissions and the audit log."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from counterdesk.base.branchtime import BRANCH_TZ as CST
from counterdesk.base.roles import PermissionDenied
from counterdesk.base.text import ValidationFailed
from counterdesk.forms import load_form
from counterdesk.services.assessment import paper
from counterdesk.services.assessment import repository as arepo
from counterdesk.services.customers import repository as repo

KYC = {
    "id_doc_type": "resident_id", "id_number": "11010519491231002X", "id_issue_date": "2015-06-01",
    "id_long_term": True, "name_zh": "张三丰", "sex": "female", "birth_date": "1949-12-31", "nationality": "CHN",
    "phone": "13812345678", "address": "北京市朝阳区建国路88号院3号楼", "occupation": "retired",
    "civil_capacity": "full", "tax_residency": "cn_only", "pep_status": "none", "customer_tier": "wealth",
}
MID = {"age": "age_65_up", "annual_income": "from_300k_to_1m", "financial_assets": "from_500k_to_3m",
       "experience_years": "from_2y_to_5y", "products_traded": "stocks_funds", "investment_purpose": "growth",
       "return_expectation": "moderate", "risk_preference": "moderate_volatility",
       "liquidity_needs": "from_3y_to_5y", "risk_awareness": "understands", "loss_tolerance": "from_5_to_20pct"}
HIGH = {**MID, "annual_income": "above_1m", "financial_assets": "above_10m", "experience_years": "above_5y",
        "investment_purpose": "maximum_return", "liquidity_needs": "above_5y"}  # 29 + 1+2+1+1+1 = 35 -> C4
T0 = datetime(2027, 3, 1, 10, 0, tzinfo=CST)


@pytest.fixture
def teller(sign_in):
    return sign_in("teller")


@pytest.fixture
def customer(demo_vault, teller):
    sid = repo.open_session(demo_vault, teller)
    consent = repo.record_consent(demo_vault, teller, sid, True, 1)
    cid = repo.create_customer(demo_vault, teller, KYC, load_form("kyc"), consent, sid)
    return cid, sid


def _run(vault, us, cid, sid, now, answers=MID, confirm=True, regrade=False, **start):
    aid = arepo.start_assessment(vault, us, cid, sid, now=now, **start)
    res = arepo.record_answers(vault, us, aid, answers, start.get("entered_at", "customer_screen"), now=now) \
        if "paper_form_number" not in start else arepo.record_answers(vault, us, aid, answers, "paper_form", now=now)
    assert res.gradable, res
    result = arepo.grade(vault, us, aid, now=now)
    if confirm:
        arepo.confirm(vault, us, aid, regrade, now=now)
    return aid, result


def _audit(vault, action):
    return vault.transact(lambda s: [(r[0], json.loads(r[1])) for r in s.execute(
        text("SELECT object_id, details FROM audit_log WHERE action = :a ORDER BY seq"), {"a": action})])


def test_full_assessment_is_graded_confirmed_and_current(demo_vault, teller, customer):
    cid, sid = customer
    aid, result = _run(demo_vault, teller, cid, sid, T0)
    assert (result.grade, result.name.zh, result.score, result.lowest_category) == ("C3", "稳健型", 29, False)
    assert result.previous_grade is None and not result.needs_reconfirmation
    # Valid through the day before the anniversary, ending at 00:00 CST on it (base.assessment_validity).
    assert result.valid_until == datetime(2028, 3, 1, 0, 0, tzinfo=CST)
    assert result.last_valid_day == date(2028, 2, 29)
    current = arepo.current_assessment(demo_vault, teller, cid, now=T0 + timedelta(days=30))
    assert current.assessment_id == aid and current.confirmed_at is not None
    stored = arepo.get_answers(demo_vault, teller, aid)
    assert stored["age"]["entered_at"] == "customer_screen" and stored["age"]["option"] == "age_65_up"
    # Audit: ids and grades only, never the answers.
    graded = _audit(demo_vault, "assessment.graded")
    assert graded == [(aid, {"customer_id": cid, "grade": "C3", "previous_grade": None, "lowest_category": False})]
    everything = json.dumps([_audit(demo_vault, a) for a in ("assessment.started", "assessment.answers_recorded",
                                                             "assessment.graded", "assessment.confirmed")])
    assert "age_65_up" not in everything and "29" not in everything.replace(cid, "").replace(aid, "").replace(sid, "")


def test_validity_ends_at_the_start_of_the_anniversary_day(demo_vault, teller, customer):
    cid, sid = customer
    _run(demo_vault, teller, cid, sid, T0)
    end = datetime(2028, 3, 1, 0, 0, tzinfo=CST)
    assert arepo.current_assessment(demo_vault, teller, cid, now=end - timedelta(microseconds=1)) is not None
    assert arepo.current_assessment(demo_vault, teller, cid, now=end) is None


def test_unconfirmed_result_is_not_current(demo_vault, teller, customer):
    cid, sid = customer
    _run(demo_vault, teller, cid, sid, T0, confirm=False)
    assert arepo.current_assessment(demo_vault, teller, cid, now=T0) is None


def test_third_assessment_in_a_day_is_refused_and_the_next_day_allowed(demo_vault, teller, customer):
    cid, sid = customer
    _run(demo_vault, teller, cid, sid, T0)
    _run(demo_vault, teller, cid, sid, T0 + timedelta(hours=1))
    with pytest.raises(arepo.AssessmentError) as err:
        arepo.start_assessment(demo_vault, teller, cid, sid, now=T0 + timedelta(hours=2))
    assert err.value.code == "limit_day"
    assert "每日最多 2 次" in err.value.message("zh") and "at most 2 a day" in err.value.message("en")
    # Midnight in Beijing starts a new day.
    next_day = datetime(2027, 3, 2, 0, 0, tzinfo=CST)
    assert arepo.start_assessment(demo_vault, teller, cid, sid, now=next_day)


def test_limit_is_checked_again_when_grading(demo_vault, teller, customer):
    cid, sid = customer
    pending = [arepo.start_assessment(demo_vault, teller, cid, sid, now=T0) for _ in range(3)]
    for aid in pending:
        arepo.record_answers(demo_vault, teller, aid, MID, "customer_screen", now=T0)
    arepo.grade(demo_vault, teller, pending[0], now=T0)
    arepo.grade(demo_vault, teller, pending[1], now=T0)
    with pytest.raises(arepo.AssessmentError) as err:
        arepo.grade(demo_vault, teller, pending[2], now=T0)
    assert err.value.code == "limit_day"


def test_ninth_in_rolling_twelve_months_is_refused_and_the_window_rolls(demo_vault, teller, customer):
    cid, sid = customer
    times = [T0 + timedelta(days=30 * i) for i in range(8)]  # 8 completed within 210 days
    for t in times:
        _run(demo_vault, teller, cid, sid, t, confirm=False)
    ninth = T0 + timedelta(days=300)
    with pytest.raises(arepo.AssessmentError) as err:
        arepo.start_assessment(demo_vault, teller, cid, sid, now=ninth)
    assert err.value.code == "limit_year"
    assert "12" in err.value.message("zh") and "12 months" in err.value.message("en")
    # Exactly 12 months after the first, it leaves the window; a microsecond earlier it still counts.
    rolled = datetime(2028, 3, 1, 10, 0, tzinfo=CST)
    with pytest.raises(arepo.AssessmentError):
        arepo.start_assessment(demo_vault, teller, cid, sid, now=rolled - timedelta(microseconds=1))
    assert arepo.start_assessment(demo_vault, teller, cid, sid, now=rolled)


def test_grade_change_requires_explicit_reconfirmation(demo_vault, teller, customer):
    cid, sid = customer
    first, _ = _run(demo_vault, teller, cid, sid, T0)
    later = T0 + timedelta(days=40)
    aid = arepo.start_assessment(demo_vault, teller, cid, sid, now=later)
    arepo.record_answers(demo_vault, teller, aid, HIGH, "customer_screen", now=later)
    result = arepo.grade(demo_vault, teller, aid, now=later)
    assert (result.grade, result.previous_grade, result.needs_reconfirmation) == ("C4", "C3", True)
    with pytest.raises(arepo.AssessmentError) as err:
        arepo.confirm(demo_vault, teller, aid, regrade_confirmed=False, now=later)
    assert err.value.code == "regrade_unconfirmed" and "C3" in err.value.message("zh") and "C4" in err.value.message("en")
    # Until the customer re-confirms, the old result stays the current one.
    assert arepo.current_assessment(demo_vault, teller, cid, now=later).assessment_id == first
    confirmed = arepo.confirm(demo_vault, teller, aid, regrade_confirmed=True, now=later)
    assert confirmed.regrade_confirmed is True
    assert arepo.current_assessment(demo_vault, teller, cid, now=later).grade == "C4"
    status = demo_vault.transact(lambda s: s.execute(text("SELECT status FROM assessments WHERE id=:i"),
                                                     {"i": first}).scalar_one())
    assert status == "superseded"


def test_same_grade_needs_no_reconfirmation(demo_vault, teller, customer):
    cid, sid = customer
    _run(demo_vault, teller, cid, sid, T0)
    _, result = _run(demo_vault, teller, cid, sid, T0 + timedelta(days=40))
    assert result.previous_grade == "C3" and not result.needs_reconfirmation


def test_contradictions_block_the_grade_until_re_answered(demo_vault, teller, customer):
    cid, sid = customer
    aid = arepo.start_assessment(demo_vault, teller, cid, sid, now=T0)
    res = arepo.record_answers(demo_vault, teller, aid, {**MID, "loss_tolerance": "no_loss",
                                                         "return_expectation": "high_with_swings"},
                               "customer_screen", now=T0)
    assert [c.code for c in res.contradictions] == ["no_loss_but_high_return"]
    assert not res.gradable and {p.field for p in res.problems.errors()} == {"loss_tolerance", "return_expectation"}
    with pytest.raises(arepo.AssessmentError) as err:
        arepo.grade(demo_vault, teller, aid, now=T0)
    assert err.value.code == "contradictions"
    res = arepo.record_answers(demo_vault, teller, aid, {"return_expectation": "deposit_rate"}, "customer_screen", now=T0)
    assert res.gradable
    result = arepo.grade(demo_vault, teller, aid, now=T0)
    assert result.lowest_category and result.grade == "C1" and "unwilling_any_loss" in result.lowest_reasons


def test_age_answer_disagreeing_with_the_birth_date_is_a_contradiction(demo_vault, teller, customer):
    cid, sid = customer
    aid = arepo.start_assessment(demo_vault, teller, cid, sid, now=T0)
    res = arepo.record_answers(demo_vault, teller, aid, {**MID, "age": "age_31_45"}, "customer_screen", now=T0)
    assert [c.code for c in res.contradictions] == ["age_mismatch"]


def test_missing_answers_are_reported_and_block_the_grade(demo_vault, teller, customer):
    cid, sid = customer
    aid = arepo.start_assessment(demo_vault, teller, cid, sid, now=T0)
    res = arepo.record_answers(demo_vault, teller, aid, {"age": "age_65_up"}, "customer_screen", now=T0)
    assert len(res.missing) == 10 and not res.complete and res.problems.ok  # missing are warnings
    with pytest.raises(arepo.AssessmentError) as err:
        arepo.grade(demo_vault, teller, aid, now=T0)
    assert err.value.code == "answers_missing"


@pytest.mark.parametrize("entered_at,code", [("teller_screen", "teller_entry_refused"), ("phone", "entered_at_invalid"),
                                             ("paper_form", "paper_form_missing")])
def test_entered_at_is_validated(demo_vault, teller, customer, entered_at, code):
    cid, sid = customer
    aid = arepo.start_assessment(demo_vault, teller, cid, sid, now=T0)
    with pytest.raises(ValidationFailed) as err:
        arepo.record_answers(demo_vault, teller, aid, MID, entered_at, now=T0)
    assert code in {p.code for p in err.value.result.problems}
    assert arepo.get_answers(demo_vault, teller, aid) == {}


def test_unknown_question_or_option_stores_nothing(demo_vault, teller, customer):
    cid, sid = customer
    aid = arepo.start_assessment(demo_vault, teller, cid, sid, now=T0)
    with pytest.raises(ValidationFailed) as err:
        arepo.record_answers(demo_vault, teller, aid, {"age": "age_65_up", "shoe_size": "42", "loss_tolerance": "all"},
                             "customer_screen", now=T0)
    assert {p.code for p in err.value.result.problems} == {"unknown_field", "choice_invalid"}
    assert arepo.get_answers(demo_vault, teller, aid) == {}


def test_paper_form_number_links_the_answers_and_unknown_numbers_are_refused(demo_vault, teller, customer):
    cid, sid = customer
    number, pdf = paper.blank_questionnaire_pdf(demo_vault, teller, "zh", now=T0)
    assert pdf.startswith(b"%PDF") and number.startswith("RQ-") and number.endswith("-20270301-0001")
    number2, _ = paper.blank_questionnaire_pdf(demo_vault, teller, "en", now=T0)
    assert number2.endswith("-0002")
    with pytest.raises(arepo.AssessmentError) as err:
        arepo.start_assessment(demo_vault, teller, cid, sid, paper_form_number="RQ-X-20270301-9999", now=T0)
    assert err.value.code == "paper_form_unknown"
    aid, result = _run(demo_vault, teller, cid, sid, T0, paper_form_number=number)
    stored = arepo.get_answers(demo_vault, teller, aid)
    assert {v["entered_at"] for v in stored.values()} == {"paper_form"}
    row = demo_vault.transact(lambda s: s.execute(text("SELECT paper_form_number FROM assessments WHERE id=:i"),
                                                  {"i": aid}).scalar_one())
    assert row == number
    with pytest.raises(arepo.AssessmentError) as err:
        arepo.start_assessment(demo_vault, teller, cid, sid, paper_form_number=number, now=T0)
    assert err.value.code == "paper_form_used"
    assert [d["form_number"] for _, d in _audit(demo_vault, "paper_form.issued")] == [number, number2]


def test_session_must_serve_this_customer(demo_vault, teller, customer):
    cid, _sid = customer
    other = repo.open_session(demo_vault, teller)
    with pytest.raises(arepo.AssessmentError) as err:
        arepo.start_assessment(demo_vault, teller, cid, other, now=T0)
    assert err.value.code == "session_customer_mismatch"


def test_permissions(demo_vault, sign_in, customer):
    cid, sid = customer
    admin = sign_in("admin")
    with pytest.raises(PermissionDenied):
        arepo.start_assessment(demo_vault, admin, cid, sid, now=T0)
    with pytest.raises(PermissionDenied):
        paper.blank_questionnaire_pdf(demo_vault, admin, "zh")
    with pytest.raises(PermissionDenied):
        arepo.current_assessment(demo_vault, admin, cid)


# ---- the paper form -------------------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                    reason="poppler-utils (pdftotext, pdffonts) not installed")
@pytest.mark.parametrize("lang,expect", [("zh", ["风险承受能力评估问卷", "不能承受任何损失", "客户签名", "第 1 页 / 共"]),
                                         ("en", ["risk-tolerance questionnaire", "I cannot accept any loss",
                                                 "signature", "Page 1 of"])])
def test_blank_pdf_text_extracts_and_the_font_is_embedded(tmp_path, lang, expect):
    from counterdesk.forms.registry import load_questionnaire
    q = load_questionnaire()
    number = "RQ-DEMO-20270301-0007"
    data = paper.render_blank(q, number, lang)
    path = tmp_path / "blank.pdf"
    paper.save_pdf(path, data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(out.split())  # pdftotext drops the spaces around CJK characters
    for phrase in expect:
        assert "".join(phrase.split()) in flat, phrase
    pages = out.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for p in pages:
        assert number in p  # on every page
    last = "".join(pages[-1].split())
    assert (f"第{len(pages)}页/共{len(pages)}页" if lang == "zh" else f"Page{len(pages)}of{len(pages)}") in last
    for q_ in q.form.fields():
        assert "".join(q_.label.get(lang).split())[:10] in flat
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(line.split()[-5] == "yes" for line in rows), fonts  # emb column
