"""The risk questionnaire definition (validation on load) and the pure grading rules."""
from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.base.branchtime import BRANCH_TZ as CST
from counterdesk.forms import FormDefinitionError, list_forms, load_form
from counterdesk.forms.questionnaire import REQUIRED_FACTORS, parse_questionnaire
from counterdesk.forms.registry import DEFINITIONS_DIR, PUBLISHED_FILE, load_questionnaire
from counterdesk.grading.rules import AGE_MISMATCH, NO_FULL_CAPACITY, UNWILLING_ANY_LOSS, add_months, age_on, evaluate

RAW = json.loads((DEFINITIONS_DIR / "risk_questionnaire_v1.json").read_text(encoding="utf-8"))
Q = load_questionnaire()

# Score 29 (C3), no contradiction, not lowest category; the customer is 65 or over (born 1949).
MID = {"age": "age_65_up", "annual_income": "from_300k_to_1m", "financial_assets": "from_500k_to_3m",
       "experience_years": "from_2y_to_5y", "products_traded": "stocks_funds", "investment_purpose": "growth",
       "return_expectation": "moderate", "risk_preference": "moderate_volatility",
       "liquidity_needs": "from_3y_to_5y", "risk_awareness": "understands", "loss_tolerance": "from_5_to_20pct"}


def _codes(data) -> set[str]:
    with pytest.raises(FormDefinitionError) as err:
        parse_questionnaire(data, "test")
    return err.value.codes()


def _fields(data):
    return [f for s in data["sections"] for f in s["fields"]]


# ---- the bundled definition -------------------------------------------------------------------------------

def test_bundled_questionnaire_loads_covers_every_factor_and_is_published():
    assert Q.ref == "risk_questionnaire@1"
    assert {q.factor for q in Q.questions} == set(REQUIRED_FACTORS)
    assert (Q.min_score, Q.max_score) == (10, 43)
    assert [b.grade for b in Q.bands] == ["C1", "C2", "C3", "C4", "C5"]
    assert [b.name.zh for b in Q.bands] == ["保守型", "谨慎型", "稳健型", "进取型", "激进型"]
    published = json.loads(PUBLISHED_FILE.read_text(encoding="utf-8"))["forms"]
    assert published["risk_questionnaire@1"] == Q.hash
    # The registry sees it like any form, and the screen gets an ordinary Form to render.
    assert load_form("risk_questionnaire").hash == Q.hash
    assert {i.id: i.kind for i in list_forms()}["risk_questionnaire"] == "questionnaire"
    for f in Q.form.fields():
        assert f.type == "choice" and f.required and f.label.zh and f.label.en
        assert all(o.label.zh and o.label.en for o in f.options)


def test_changing_a_score_changes_the_hash():
    data = copy.deepcopy(RAW)
    _fields(data)[0]["options"][0]["score"] += 1
    assert parse_questionnaire(data).hash != Q.hash


# ---- refusing a broken definition --------------------------------------------------------------------------

def test_unscored_option_is_refused():
    data = copy.deepcopy(RAW)
    del _fields(data)[1]["options"][2]["score"]
    with pytest.raises(FormDefinitionError) as err:
        parse_questionnaire(data, "broken.json")
    assert "option_unscored" in err.value.codes()
    p = next(p for p in err.value.problems if p.code == "option_unscored")
    assert p.field == "$.sections[0].fields[1].options[2].score"
    assert p.text.zh and p.text.en


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_score_must_be_a_non_negative_integer(bad):
    data = copy.deepcopy(RAW)
    _fields(data)[0]["options"][0]["score"] = bad
    assert "option_unscored" in _codes(data)


def test_missing_factor_is_refused():
    data = copy.deepcopy(RAW)
    data["sections"][3]["fields"] = [f for f in data["sections"][3]["fields"] if f["factor"] != "risk_awareness"]
    assert "factor_missing" in _codes(data)


def test_unknown_or_absent_factor_is_refused():
    data = copy.deepcopy(RAW)
    _fields(data)[0]["factor"] = "star_sign"
    assert {"factor_unknown", "factor_missing"} <= _codes(data)


def test_gap_between_bands_is_refused():
    data = copy.deepcopy(RAW)
    data["scoring"]["bands"][1]["max"] = 22  # 23 has no grade
    assert "band_gap" in _codes(data)


def test_overlap_between_bands_is_refused():
    data = copy.deepcopy(RAW)
    data["scoring"]["bands"][2]["min"] = 23
    assert "band_overlap" in _codes(data)


def test_band_outside_the_score_range_is_refused():
    data = copy.deepcopy(RAW)
    data["scoring"]["bands"][4]["max"] = 50
    assert "band_outside_range" in _codes(data)
    data = copy.deepcopy(RAW)
    data["scoring"]["bands"][0]["min"] = 0
    assert "band_outside_range" in _codes(data)


def test_bands_not_reaching_the_ends_leave_a_gap():
    data = copy.deepcopy(RAW)
    data["scoring"]["bands"][0]["min"] = 11
    assert "band_gap" in _codes(data)
    data = copy.deepcopy(RAW)
    data["scoring"]["bands"][4]["max"] = 42
    assert "band_gap" in _codes(data)


def test_grades_must_be_c1_to_c5_once_each():
    data = copy.deepcopy(RAW)
    data["scoring"]["bands"][4]["grade"] = "C6"
    assert "band_grades" in _codes(data)
    data = copy.deepcopy(RAW)
    del data["scoring"]["bands"][4]
    data["scoring"]["bands"][3]["max"] = 43
    assert "band_grades" in _codes(data)


def test_contradiction_rule_must_name_real_questions_and_options():
    data = copy.deepcopy(RAW)
    data["scoring"]["contradictions"][0]["all"][1]["in"] = ["moon_rockets"]
    assert "bad_reference_value" in _codes(data)
    data = copy.deepcopy(RAW)
    data["scoring"]["contradictions"][0]["all"][0]["question"] = "nope"
    assert "unknown_reference" in _codes(data)


def test_generic_form_rules_still_apply_and_every_problem_is_listed():
    data = copy.deepcopy(RAW)
    del _fields(data)[0]["options"][0]["en"]  # generic: option label
    del _fields(data)[2]["options"][0]["score"]  # questionnaire: score
    _fields(data)[3]["type"] = "text"
    codes = _codes(data)
    assert {"option_label_missing", "option_unscored", "not_single_choice"} <= codes


def test_missing_scoring_section_is_refused():
    data = copy.deepcopy(RAW)
    del data["scoring"]
    assert "missing" in _codes(data)


# ---- grading ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("score,grade", [(10, "C1"), (16, "C1"), (17, "C2"), (23, "C2"), (24, "C3"), (30, "C3"),
                                         (31, "C4"), (37, "C4"), (38, "C5"), (43, "C5")])
def test_every_band_boundary(score, grade):
    assert Q.band_for(score).grade == grade


@pytest.mark.parametrize("score", [9, 44])
def test_scores_outside_the_range_have_no_band(score):
    with pytest.raises(ValueError):
        Q.band_for(score)


def test_every_reachable_score_has_exactly_one_band():
    for score in range(Q.min_score, Q.max_score + 1):
        assert sum(b.contains(score) for b in Q.bands) == 1


def test_mid_answers_grade_c3_with_name():
    ev = evaluate(Q, MID, birth_date=date(1949, 12, 31), on=date(2027, 3, 1))
    assert (ev.score, ev.band.grade, ev.band.name.en, ev.lowest_category) == (29, "C3", "Balanced", False)


_answers = st.fixed_dictionaries({q.key: st.sampled_from(sorted(q.scores)) for q in Q.questions})


@settings(max_examples=200, deadline=None)
@given(_answers)
def test_grade_follows_the_score_unless_blocked(answers):
    ev = evaluate(Q, answers)
    assert ev.score == sum(q.scores[answers[q.key]] for q in Q.questions)
    assert Q.min_score <= ev.score <= Q.max_score
    if ev.contradictions:
        assert ev.band is None
    elif answers["loss_tolerance"] == "no_loss":
        assert ev.lowest_category and ev.band.grade == "C1"
    else:
        assert ev.band == Q.band_for(ev.score)


def test_unwilling_to_bear_any_loss_is_the_lowest_category():
    ev = evaluate(Q, {**MID, "loss_tolerance": "no_loss", "risk_preference": "small_volatility"})
    assert ev.lowest_category and ev.lowest_reasons == (UNWILLING_ANY_LOSS,) and ev.band.grade == "C1"
    assert not ev.contradictions


@pytest.mark.parametrize("capacity", ["limited", "none"])
def test_lacking_full_civil_capacity_is_the_lowest_category(capacity):
    ev = evaluate(Q, {**MID, "annual_income": "above_1m"}, civil_capacity=capacity)
    assert ev.lowest_category and NO_FULL_CAPACITY in ev.lowest_reasons and ev.band.grade == "C1"


@pytest.mark.parametrize("change,code", [
    ({"experience_years": "none", "products_traded": "derivatives"}, "no_experience_but_derivatives"),
    ({"loss_tolerance": "no_loss", "return_expectation": "high_with_swings"}, "no_loss_but_high_return"),
    ({"loss_tolerance": "no_loss", "risk_preference": "large_volatility"}, "no_loss_but_large_swings"),
])
def test_contradictions_block_the_grade(change, code):
    ev = evaluate(Q, {**MID, **change})
    assert code in {c.code for c in ev.contradictions}
    assert ev.band is None and ev.score is not None
    c = next(c for c in ev.contradictions if c.code == code)
    assert set(c.questions) <= set(change) and c.text.zh and c.text.en


def test_age_band_is_cross_checked_against_the_birth_date():
    ok = evaluate(Q, MID, birth_date=date(1962, 3, 1), on=date(2027, 3, 1))  # 65 on that day
    assert not ok.contradictions
    young = evaluate(Q, MID, birth_date=date(1962, 3, 2), on=date(2027, 3, 1))  # 64 for one more day
    assert [c.code for c in young.contradictions] == [AGE_MISMATCH]
    assert young.contradictions[0].questions == ("age",) and young.band is None


def test_missing_answers_give_no_score():
    ev = evaluate(Q, {k: v for k, v in MID.items() if k != "liquidity_needs"})
    assert ev.missing == ("liquidity_needs",) and ev.score is None and ev.band is None


def test_age_and_month_arithmetic():
    assert age_on(date(2000, 2, 29), date(2018, 2, 28)) == 17
    assert age_on(date(2000, 2, 29), date(2018, 3, 1)) == 18
    t = datetime(2026, 1, 31, 2, 0, tzinfo=UTC)  # 10:00 CST
    assert add_months(t, 1) == datetime(2026, 2, 28, 2, 0, tzinfo=UTC)
    assert add_months(t, 12) == datetime(2027, 1, 31, 2, 0, tzinfo=UTC)
    late = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)  # already 1 April in CST
    assert add_months(late, -12).astimezone(CST).date() == date(2025, 4, 1)
