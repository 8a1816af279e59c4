"""Suitability: recommend() ranking, and properties over all valid inputs (hypothesis)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from counterdesk.suitability import (
    AML_LEVELS,
    CIVIL_CAPACITIES,
    LIQUIDITY_LEVELS,
    OUTCOMES,
    PRIVATE_CLASSES,
    PRODUCT_TYPES,
    PROHIBITED,
    RECOMMENDED,
    RULES,
    AssessmentFacts,
    CustomerFacts,
    ProductFacts,
    SaleContext,
    evaluate,
    evaluate_many,
    explain,
    recommend,
)
from counterdesk.suitability.evaluation import _Checker, subject_for
from counterdesk.suitability.rules import Rule

TODAY = date(2026, 6, 15)
C = CustomerFacts(age=40, investable_assets=D(2_000_000), household_annual_income=D(300_000))
A = AssessmentFacts(grade=3, completed_at=date(2026, 1, 10))
X = SaleContext(amount=D(100_000), today=TODAY)


def p(code, risk, **kw):
    return ProductFacts(**{**dict(code=code, type="bond", risk_level=risk), **kw})


def codes(ranked):
    return [r.product.code for r in ranked]


def test_ranks_by_grade_proximity_and_leaves_out_above_the_grade_and_prohibited():
    products = [p("R1", 1), p("R5", 5), p("R3", 3), p("R2", 2), p("R4", 4), p("OFF", 3, status="closed"),
                p("BIG", 3, min_amount=D(1_000_000))]
    ranked = recommend(C, A, products, X)
    assert codes(ranked) == ["R3", "R2", "R1"]
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert ranked[0].reason.zh and ranked[0].reason.en and "matches grade C3" in ranked[0].reason.en


def test_term_versus_horizon_and_liquidity_need():
    products = [p("LONG", 3, term_days=720, liquidity="at_maturity"), p("FIT", 3, term_days=170, liquidity="monthly"),
                p("SHORT", 3, term_days=30, liquidity="daily"), p("OPEN", 3, term_days=None, liquidity="daily")]
    assert codes(recommend(C, A, products, X, horizon_days=180)) == ["FIT", "OPEN", "SHORT", "LONG"]
    ranked = recommend(C, A, products, X, horizon_days=180, liquidity_need="daily")
    assert codes(ranked)[:2] == ["OPEN", "SHORT"] and codes(ranked)[-1] == "LONG"
    assert "beyond" in ranked[-1].reason.en and "less liquid" in ranked[-1].reason.en


def test_conditions_count_against_fit_and_order_is_stable():
    products = [p("B", 3, recording_required=True), p("A", 3), p("C", 3)]
    assert codes(recommend(C, A, products, X)) == ["A", "C", "B"]
    assert codes(recommend(C, A, list(reversed(products)), X)) == ["A", "C", "B"]


def test_recommend_is_proactive_even_when_the_context_says_customer_initiated():
    products = [p("R4", 4), p("R3", 3)]
    ranked = recommend(C, A, products, replace(X, customer_initiated=True))
    assert codes(ranked) == ["R3"] and ranked[0].decision.outcome == RECOMMENDED


def test_professional_investor_gets_nothing_above_the_grade_proactively():
    pro = replace(C, professional_investor=True)
    assert codes(recommend(pro, A, [p("R5", 5), p("R3", 3)], X)) == ["R3"]
    assert evaluate(pro, A, p("R5", 5), X).outcome == "eligible_with_conditions"


def test_no_valid_assessment_recommends_nothing():
    assert recommend(C, None, [p("R1", 1)], X) == []
    assert recommend(C, replace(A, completed_at=date(2025, 1, 1)), [p("R1", 1)], X) == []


def test_reusing_decisions_gives_the_same_ranking():
    products = [p(f"P{i}", 1 + i % 5, term_days=30 * (i % 7), min_amount=D(1000 * (i % 3))) for i in range(60)]
    decisions = evaluate_many(C, A, products, X)
    assert recommend(C, A, products, X, horizon_days=90, decisions=decisions) == recommend(C, A, products, X,
                                                                                          horizon_days=90)
    # decisions made for a customer-initiated context are not reused
    initiated = replace(X, customer_initiated=True)
    other = evaluate_many(C, A, products, initiated)
    assert recommend(C, A, products, initiated, decisions=other) == recommend(C, A, products, X)


# ---- properties ---------------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
opt_amounts = st.none() | amounts
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))

customers = st.builds(CustomerFacts, age=st.integers(0, 120), civil_capacity=st.sampled_from(CIVIL_CAPACITIES),
                      guardian_consent=st.booleans(), professional_investor=st.booleans(), investable_assets=amounts,
                      household_net_financial_assets=opt_amounts, household_financial_assets=opt_amounts,
                      avg_income_3y=opt_amounts, household_annual_income=opt_amounts,
                      investment_experience_years=st.integers(0, 60),
                      aml_level=st.none() | st.sampled_from(AML_LEVELS))
assessments = st.none() | st.builds(AssessmentFacts, grade=st.integers(1, 5), completed_at=days,
                                    valid_until=st.none() | days, lowest_category=st.booleans())
products = st.builds(ProductFacts, code=st.text(min_size=1, max_size=6), type=st.sampled_from(PRODUCT_TYPES),
                     risk_level=st.integers(1, 5), public=st.booleans(),
                     private_class=st.none() | st.sampled_from(PRIVATE_CLASSES), min_amount=amounts,
                     term_days=st.none() | st.integers(0, 3650),
                     liquidity=st.sampled_from((*LIQUIDITY_LEVELS, "odd")), sale_start=st.none() | days,
                     sale_end=st.none() | days, status=st.sampled_from(("on_sale", "closed", "draft")),
                     cooling_off_hours=st.integers(0, 200), recording_required=st.booleans(),
                     licence_required=st.none() | st.sampled_from(("", "fund", "insurance", "wm")),
                     periodic_premium=st.booleans(), premium_payment_years=st.none() | st.integers(0, 40))
contexts = st.builds(SaleContext, amount=amounts, today=days,
                     teller_licences=st.dictionaries(st.sampled_from(("fund", "insurance", "wm")), st.none() | days),
                     customer_initiated=st.booleans(), periodic_premium_amount=opt_amounts,
                     acknowledged_amount_mismatch=st.booleans())


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=customers, a=assessments, prod=products, x=contexts)
def test_evaluate_never_raises_and_never_sells_above_the_grade(c, a, prod, x):
    d = evaluate(c, a, prod, x)
    assert d.outcome in OUTCOMES
    if a is not None and prod.risk_level > a.grade:
        assert d.outcome not in ("recommended", "eligible")
        if not x.customer_initiated and not c.professional_investor:
            assert d.outcome == PROHIBITED
    if a is not None and a.lowest_category and prod.risk_level > 1:
        assert d.outcome == PROHIBITED
    if c.civil_capacity == "none" or a is None:
        assert d.outcome == PROHIBITED
    assert explain(d, "zh") and explain(d, "en")
    assert all(f.reason.zh and f.reason.en for f in d.findings)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=customers, a=assessments, prods=st.lists(products, max_size=8), x=contexts,
       horizon=st.none() | st.integers(1, 3650), need=st.none() | st.sampled_from(LIQUIDITY_LEVELS))
def test_recommend_never_lists_above_the_grade_or_unsellable(c, a, prods, x, horizon, need):
    ranked = recommend(c, a, prods, x, horizon_days=horizon, liquidity_need=need)
    for r in ranked:
        assert a is not None and r.product.risk_level <= a.grade
        assert r.decision.outcome in ("recommended", "eligible", "eligible_with_conditions")
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert recommend(c, a, prods, x, horizon_days=horizon, liquidity_need=need) == ranked  # deterministic


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=customers, a=assessments, prod=products, x=contexts)
def test_guards_and_memo_are_speed_only(c, a, prod, x):
    """The per-customer guards, per-type filters and shared findings never change a decision."""
    plain = tuple(Rule(r.id, r.source, r.title, r.when, r.effect, r.reason, r.conditions, r.params) for r in RULES)
    subject = subject_for(c, a, x)
    expected = _Checker(subject, plain).decide(prod)
    checker = _Checker(subject, RULES)
    checker.decide(replace(prod, code=prod.code + "-warm"))  # fill the memo first
    assert checker.decide(prod) == expected
