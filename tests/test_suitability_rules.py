"""Suitability engine: one table-driven test per rule, each boundary on both sides."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from counterdesk.base import settings as S
from counterdesk.suitability import (
    CUSTOMER_INITIATED_ONLY,
    ELIGIBLE,
    ELIGIBLE_WITH_CONDITIONS,
    PROHIBITED,
    RECOMMENDED,
    RULES,
    RULES_BY_ID,
    AssessmentFacts,
    CustomerFacts,
    ProductFacts,
    SaleContext,
    assessment_last_valid_day,
    evaluate,
    explain,
)

TODAY = date(2026, 6, 15)


def customer(**kw) -> CustomerFacts:
    base = dict(age=40, investable_assets=D(1_000_000), household_annual_income=D(300_000),
                investment_experience_years=5, aml_level="low")
    return CustomerFacts(**{**base, **kw})


def assessment(**kw) -> AssessmentFacts:
    return AssessmentFacts(**{**dict(grade=3, completed_at=date(2026, 1, 10)), **kw})


def product(**kw) -> ProductFacts:
    # A bond: not dual-recorded by type, public, on sale, no minimum, no licence → recommended.
    return ProductFacts(**{**dict(code="B1", type="bond", risk_level=3), **kw})


def context(**kw) -> SaleContext:
    return SaleContext(**{**dict(amount=D(100_000), today=TODAY), **kw})


def run(c=None, a="default", p=None, x=None, settings=None):
    return evaluate(c or customer(), assessment() if a == "default" else a, p or product(), x or context(), settings)


def hit(decision, rule_id) -> bool:
    return rule_id in decision.rule_ids


def test_the_baseline_is_recommended_with_no_findings():
    d = run()
    assert d.outcome == RECOMMENDED and d.findings == () and d.conditions == ()


def test_rules_are_data_with_unique_ids_sources_and_texts():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)) == len(RULES_BY_ID)
    for r in RULES:
        assert r.id.startswith("SUIT-") and r.source.strip()
        assert r.title.zh and r.title.en and r.reason.zh and r.reason.en
        assert r.effect in ("prohibit", "customer_initiated_only", "conditions", "eligible_only", "info")
        assert (r.effect in ("conditions", "customer_initiated_only")) == bool(r.conditions)


# ---- civil capacity (NFRA 2025 Art 19) --------------------------------------------------------------

@pytest.mark.parametrize("capacity,risk,consent,outcome,rule", [
    ("none", 1, True, PROHIBITED, "SUIT-CAP-01"),
    ("limited", 2, True, ELIGIBLE_WITH_CONDITIONS, "SUIT-CAP-03"),
    ("limited", 2, False, ELIGIBLE_WITH_CONDITIONS, "SUIT-CAP-03"),
    ("limited", 3, True, PROHIBITED, "SUIT-CAP-02"),
    ("full", 3, False, RECOMMENDED, None),
])
def test_civil_capacity(capacity, risk, consent, outcome, rule):
    d = run(c=customer(civil_capacity=capacity, guardian_consent=consent), p=product(risk_level=risk))
    assert d.outcome == outcome
    if rule:
        assert hit(d, rule)
    if rule == "SUIT-CAP-03":
        (cond,) = [c for c in d.conditions if c.code == "guardian_consent"]
        assert cond.satisfied is consent


def test_limited_capacity_ceiling_is_a_setting():
    d = run(c=customer(civil_capacity="limited"), p=product(risk_level=3),
            settings={"suitability.limited_capacity_max_risk": 3})
    assert d.outcome == ELIGIBLE_WITH_CONDITIONS


def test_limited_capacity_c1_is_lowest_category():
    # §3: a C1 customer without full capacity is in the lowest category → R1 only.
    d = run(c=customer(civil_capacity="limited", guardian_consent=True), a=assessment(grade=1), p=product(risk_level=2))
    assert d.outcome == PROHIBITED and hit(d, "SUIT-LOWEST-01")


# ---- assessment validity (NFRA 2025 Art 29) ------------------------------------------------------------

def test_missing_assessment_is_prohibited_and_says_reassess():
    d = run(a=None)
    assert d.outcome == PROHIBITED and d.rule_ids == ("SUIT-ASSESS-01",)
    assert "assess" in d.findings[0].reason.en and "评估" in d.findings[0].reason.zh


@pytest.mark.parametrize("today,outcome", [
    (date(2026, 3, 9), RECOMMENDED),   # the day before the anniversary: last valid day
    (date(2026, 3, 10), PROHIBITED),   # the anniversary: reassess
])
def test_valid_through_the_day_before_the_anniversary(today, outcome):
    a = assessment(completed_at=date(2025, 3, 10))
    assert assessment_last_valid_day(a) == date(2026, 3, 9)
    d = run(a=a, x=context(today=today))
    assert d.outcome == outcome
    if outcome == PROHIBITED:
        assert d.rule_ids == ("SUIT-ASSESS-02",) and "reassess" in d.findings[0].reason.en


@pytest.mark.parametrize("valid_until,today,outcome", [
    (date(2026, 6, 15), TODAY, RECOMMENDED),  # valid_until is inclusive: valid on that day
    (date(2026, 6, 14), TODAY, PROHIBITED),   # the day after it: expired
    (date(2027, 12, 31), date(2027, 1, 10), PROHIBITED),  # a later valid_until cannot extend the 12 months
])
def test_valid_until_is_an_inclusive_last_day_capped_at_12_months(valid_until, today, outcome):
    d = run(a=assessment(valid_until=valid_until), x=context(today=today))
    assert d.outcome == outcome


def test_leap_day_assessment_and_future_dated_assessment():
    assert assessment_last_valid_day(assessment(completed_at=date(2024, 2, 29))) == date(2025, 2, 27)
    d = run(a=assessment(completed_at=TODAY + timedelta(days=1)))
    assert d.outcome == PROHIBITED and hit(d, "SUIT-ASSESS-03")


# ---- grade matching ----------------------------------------------------------------------------------

@pytest.mark.parametrize("grade,risk,initiated,lowest,professional,capacity,outcome,rules", [
    (3, 3, False, False, False, "full", RECOMMENDED, ()),                     # C3 buys R3
    (3, 4, False, False, False, "full", PROHIBITED, ("SUIT-GRADE-01",)),      # C3 not R4
    (3, 4, True, False, False, "full", CUSTOMER_INITIATED_ONLY, ("SUIT-GRADE-02",)),
    (1, 2, True, True, False, "full", PROHIBITED, ("SUIT-LOWEST-01", "SUIT-GRADE-01")),  # lowest: no exception
    (1, 1, True, True, False, "full", ELIGIBLE, ("SUIT-INIT-01",)),           # lowest may buy R1
    (2, 3, True, False, False, "limited", PROHIBITED, ("SUIT-CAP-02", "SUIT-GRADE-01")),  # no capacity: no exception
    (1, 5, False, False, True, "full", ELIGIBLE_WITH_CONDITIONS, ("SUIT-PRO-01",)),  # professional: anything
    (5, 5, False, False, False, "full", RECOMMENDED, ()),
    (3, 1, True, False, False, "full", ELIGIBLE, ("SUIT-INIT-01",)),          # chosen by the customer
])
def test_grade_rules(grade, risk, initiated, lowest, professional, capacity, outcome, rules):
    d = run(c=customer(professional_investor=professional, civil_capacity=capacity, guardian_consent=True),
            a=assessment(grade=grade, lowest_category=lowest), p=product(risk_level=risk),
            x=context(customer_initiated=initiated))
    assert d.outcome == outcome
    for rule in rules:
        assert hit(d, rule), d.rule_ids


def test_customer_initiated_exception_lists_its_conditions():
    d = run(a=assessment(grade=3), p=product(risk_level=5), x=context(customer_initiated=True))
    assert d.outcome == CUSTOMER_INITIATED_ONLY
    assert {"special_risk_warning", "customer_signature", "supervisor_approval", "recording"} <= set(d.condition_codes())


# ---- amount vs ability to pay (NFRA 2025 Art 12) ---------------------------------------------------------

@pytest.mark.parametrize("amount,acknowledged,outcome", [
    (D("500000"), False, RECOMMENDED),            # exactly 50 %: in line
    (D("500000.01"), False, ELIGIBLE_WITH_CONDITIONS),
    (D("500000.01"), True, ELIGIBLE_WITH_CONDITIONS),  # acknowledged: still listed, marked satisfied
])
def test_amount_share(amount, acknowledged, outcome):
    d = run(x=context(amount=amount, acknowledged_amount_mismatch=acknowledged))
    assert d.outcome == outcome
    if outcome != RECOMMENDED:
        (cond,) = d.conditions
        assert cond.code == "written_acknowledgement" and cond.satisfied is acknowledged and hit(d, "SUIT-AMOUNT-01")


def test_amount_share_is_a_setting_and_deposits_are_exempt():
    assert run(x=context(amount=D(600_000)), settings={"suitability.max_amount_share": 0.6}).outcome == RECOMMENDED
    assert run(p=product(type="deposit", risk_level=1), x=context(amount=D(900_000))).outcome == RECOMMENDED


# ---- older customers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("age,risk,triggered", [(64, 4, False), (65, 4, True), (65, 3, False), (80, 5, True)])
def test_special_care_from_65_for_r4_and_above(age, risk, triggered):
    d = run(c=customer(age=age), a=assessment(grade=5), p=product(risk_level=risk))
    assert hit(d, "SUIT-ELDER-01") is triggered
    if triggered:
        assert d.outcome == ELIGIBLE_WITH_CONDITIONS
        assert set(d.condition_codes()) == {"extra_confirmation", "longer_reading_time", "supervisor_approval"}
        assert "300" in next(c for c in d.conditions if c.code == "longer_reading_time").text.en
    else:
        assert d.outcome == RECOMMENDED


# ---- private products (资管新规) --------------------------------------------------------------------------

QUALIFIED = dict(investment_experience_years=2, household_net_financial_assets=D(3_000_000))


@pytest.mark.parametrize("facts,qualified", [
    (QUALIFIED, True),
    ({**QUALIFIED, "investment_experience_years": 1}, False),
    ({**QUALIFIED, "household_net_financial_assets": D("2999999.99")}, False),
    (dict(investment_experience_years=2, household_financial_assets=D(5_000_000)), True),
    (dict(investment_experience_years=2, household_financial_assets=D(4_999_999)), False),
    (dict(investment_experience_years=2, avg_income_3y=D(400_000)), True),
    (dict(investment_experience_years=2, avg_income_3y=D(399_999)), False),
    (dict(investment_experience_years=10), False),
])
def test_qualified_investor(facts, qualified):
    p = product(type="private_wm", public=False, private_class="fixed_income", risk_level=3)
    d = run(c=customer(**facts), p=p, x=context(amount=D(300_000), acknowledged_amount_mismatch=True))
    assert hit(d, "SUIT-PRIV-01") is not qualified
    assert (d.outcome == PROHIBITED) is not qualified


@pytest.mark.parametrize("cls,amount,ok", [
    ("fixed_income", D(299_999), False), ("fixed_income", D(300_000), True),
    ("mixed", D(399_999), False), ("mixed", D(400_000), True),
    ("equity_commodity_derivatives", D(999_999), False), ("equity_commodity_derivatives", D(1_000_000), True),
    (None, D(400_000), False),  # unclassified: the strictest minimum applies
])
def test_private_minimum_by_class(cls, amount, ok):
    p = product(type="private_fund", public=False, private_class=cls, risk_level=3)
    d = run(c=customer(investable_assets=D(10_000_000), **QUALIFIED), p=p, x=context(amount=amount))
    assert hit(d, "SUIT-PRIV-02") is not ok
    assert d.outcome == (ELIGIBLE_WITH_CONDITIONS if ok else PROHIBITED)
    if ok:
        cond = next(c for c in d.conditions if c.code == "cooling_off")
        assert "24" in cond.text.en and "recording" in d.condition_codes()


def test_cooling_off_hours():
    p = product(type="private_wm", public=False, private_class="fixed_income", cooling_off_hours=48)
    d = run(c=customer(investable_assets=D(10_000_000), **QUALIFIED), p=p, x=context(amount=D(300_000)))
    assert "48" in next(c for c in d.conditions if c.code == "cooling_off").text.en
    d = run(p=product(cooling_off_hours=0))
    assert not hit(d, "SUIT-COOL-01")
    d = run(p=product(cooling_off_hours=12))  # a public product with its own period
    assert hit(d, "SUIT-COOL-01") and d.outcome == ELIGIBLE_WITH_CONDITIONS


# ---- bank-channel insurance (保监发〔2014〕3号) ------------------------------------------------------------

def ins(**kw) -> ProductFacts:
    return product(**{**dict(code="I1", type="insurance_non_guaranteed", risk_level=2), **kw})


@pytest.mark.parametrize("age,periodic,prohibited", [
    (65, False, False), (66, False, True),   # single premium: over 65
    (60, True, False), (61, True, True),     # periodic premium: over 60
])
def test_insurance_age_limit(age, periodic, prohibited):
    p = ins(periodic_premium=periodic, premium_payment_years=None)
    d = run(c=customer(age=age), p=p, x=context(amount=D(10_000)))
    assert hit(d, "SUIT-INS-01") is prohibited
    assert (d.outcome == PROHIBITED) is prohibited
    # fixed-benefit insurance stays open at any age
    assert run(c=customer(age=age), p=replace(p, type="insurance_guaranteed"), x=context(amount=D(10_000))
               ).outcome != PROHIBITED


@pytest.mark.parametrize("income,prohibited,rule", [
    (D(49_999), True, "SUIT-INS-02"), (D(50_000), False, None), (None, True, "SUIT-INS-03"),
])
def test_insurance_low_or_unknown_income(income, prohibited, rule):
    d = run(c=customer(household_annual_income=income), p=ins(), x=context(amount=D(10_000)))
    assert (d.outcome == PROHIBITED) is prohibited
    if rule:
        assert hit(d, rule)


@pytest.mark.parametrize("kw,amount,periodic_amount,rule,triggered", [
    (dict(), D(400_000), None, "SUIT-INS-04", False),       # single premium = 4× income: not above
    (dict(), D("400000.01"), None, "SUIT-INS-04", True),
    (dict(periodic_premium=True, premium_payment_years=5), D(1_000), D(20_000), "SUIT-INS-05", False),  # 20 %
    (dict(periodic_premium=True, premium_payment_years=5), D(1_000), D("20000.01"), "SUIT-INS-05", True),
    (dict(periodic_premium=True, premium_payment_years=5), D(20_001), None, "SUIT-INS-05", True),  # amount used
    (dict(periodic_premium=True, premium_payment_years=19), D(1_000), D(1_000), "SUIT-INS-06", False),  # 19+40
    (dict(periodic_premium=True, premium_payment_years=20), D(1_000), D(1_000), "SUIT-INS-06", True),   # 20+40
])
def test_insurance_declaration(kw, amount, periodic_amount, rule, triggered):
    d = run(c=customer(household_annual_income=D(100_000), investable_assets=D(10_000_000)), p=ins(**kw),
            x=context(amount=amount, periodic_premium_amount=periodic_amount))
    assert hit(d, rule) is triggered
    assert ("declaration" in d.condition_codes()) is triggered
    assert d.outcome == ELIGIBLE_WITH_CONDITIONS  # recording always applies to insurance


# ---- teller licence (持证上岗) ----------------------------------------------------------------------------

@pytest.mark.parametrize("licences,prohibited,rule", [
    ({"fund": TODAY}, False, None),                        # expiring today: still valid today
    ({"fund": TODAY - timedelta(days=1)}, True, "SUIT-LIC-02"),
    ({"fund": None}, False, None),                         # no expiry date
    ({"insurance": date(2030, 1, 1)}, True, "SUIT-LIC-01"),
    ({}, True, "SUIT-LIC-01"),
])
def test_teller_licence(licences, prohibited, rule):
    d = run(p=product(licence_required="fund"), x=context(teller_licences=licences))
    assert (d.outcome == PROHIBITED) is prohibited
    if rule:
        assert hit(d, rule) and "fund" in d.findings[-1].reason.en and "fund" in d.findings[-1].reason.zh


def test_empty_licence_means_none_required():
    assert run(p=product(licence_required="")).outcome == RECOMMENDED


# ---- product state, recording, minimum, AML ---------------------------------------------------------------

@pytest.mark.parametrize("kw,outcome,rule", [
    (dict(recording_required=True), ELIGIBLE_WITH_CONDITIONS, "SUIT-REC-01"),
    (dict(type="public_fund"), ELIGIBLE_WITH_CONDITIONS, "SUIT-REC-01"),  # agency products always recorded
    (dict(status="suspended"), PROHIBITED, "SUIT-SALE-01"),
    (dict(sale_start=TODAY), RECOMMENDED, None),
    (dict(sale_start=TODAY + timedelta(days=1)), PROHIBITED, "SUIT-SALE-02"),
    (dict(sale_end=TODAY), RECOMMENDED, None),
    (dict(sale_end=TODAY - timedelta(days=1)), PROHIBITED, "SUIT-SALE-02"),
    (dict(min_amount=D(100_000)), RECOMMENDED, None),
    (dict(min_amount=D("100000.01")), PROHIBITED, "SUIT-MIN-01"),
])
def test_product_state(kw, outcome, rule):
    d = run(p=product(**kw))
    assert d.outcome == outcome
    if rule:
        assert hit(d, rule)


@pytest.mark.parametrize("level,outcome", [("low", RECOMMENDED), ("medium", RECOMMENDED), (None, RECOMMENDED),
                                           ("high", ELIGIBLE_WITH_CONDITIONS)])
def test_aml_high_needs_supervisor(level, outcome):
    d = run(c=customer(aml_level=level))
    assert d.outcome == outcome
    assert ("supervisor_approval" in d.condition_codes()) is (level == "high")


# ---- decisions, settings, explanation ----------------------------------------------------------------------

def test_conditions_are_merged_and_prohibited_has_none():
    d = run(c=customer(age=70, aml_level="high"), a=assessment(grade=5), p=product(risk_level=5))
    (sup,) = [c for c in d.conditions if c.code == "supervisor_approval"]
    assert sup.rules == ("SUIT-ELDER-01", "SUIT-AML-01")
    d = run(c=customer(age=70), a=assessment(grade=3), p=product(risk_level=5))
    assert d.outcome == PROHIBITED and d.conditions == () and hit(d, "SUIT-ELDER-01")


def test_every_number_is_a_declared_setting():
    keys = {k for k in S.declared() if k.startswith("suitability.")}
    assert {"suitability.max_amount_share", "suitability.elderly_care_age", "suitability.private_min_fixed_income",
            "suitability.cooling_off_hours", "suitability.insurance_max_age_periodic"} <= keys
    assert S.declared()["suitability.max_amount_share"].default == 0.5
    assert S.declared()["suitability.elderly_care_age"].default == 65
    # a SettingsValues snapshot works like a dict; invalid stored values fall back to the default
    values = S.SettingsValues({"suitability.elderly_care_age": 70})
    assert run(c=customer(age=65), a=assessment(grade=5), p=product(risk_level=5), settings=values
               ).outcome == RECOMMENDED
    assert run(c=customer(age=65), a=assessment(grade=5), p=product(risk_level=5),
               settings={"suitability.elderly_care_age": "x"}).outcome == ELIGIBLE_WITH_CONDITIONS


def test_explain_in_both_languages():
    d = run(c=customer(age=70), a=assessment(grade=5), p=product(risk_level=5, licence_required="fund"))
    zh, en = explain(d, "zh"), explain(d, "en")
    assert zh[0] == "B1: 不得销售" and en[0] == "B1: May not be sold"
    assert any("SUIT-LIC-01" in line and "fund" in line for line in en)
    assert any("依据" in line for line in zh)
    ok = explain(run(), "en")
    assert ok[0] == "B1: Suitable: may be recommended" and "No rule" in ok[1]


@pytest.mark.parametrize("bad", [
    lambda: CustomerFacts(age=30, civil_capacity="partial"),
    lambda: CustomerFacts(age=30, investable_assets=D(-1)),
    lambda: CustomerFacts(age=30, investable_assets=D("NaN")),
    lambda: AssessmentFacts(grade=6, completed_at=TODAY),
    lambda: ProductFacts(code="X", type="crypto", risk_level=3),
    lambda: ProductFacts(code="X", type="bond", risk_level=0),
    lambda: SaleContext(amount=D(-5), today=TODAY),
])
def test_bad_inputs_fail_at_construction(bad):
    with pytest.raises(ValueError):
        bad()
