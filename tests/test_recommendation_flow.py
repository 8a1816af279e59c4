"""From a confirmed assessment to a chosen product, headless, on the DEMO catalog."""
from __future__ import annotations

from decimal import Decimal

import pytest

from counterdesk.flow.actions import CheckOwnRequest, ChooseProduct, Propose
from counterdesk.services.auth.vault import Vault
from helpers.counter import at_recommendation as sale_at_recommendation


@pytest.fixture
def at_recommendation(demo_lists_dir):
    vault = Vault.open(demo_lists_dir)
    counter_session = sale_at_recommendation(vault)
    yield counter_session, counter_session.state.assessment
    vault.close()


def test_ranked_products_never_exceed_the_grade_and_the_choice_is_stored(at_recommendation):
    counter_session, result = at_recommendation
    outcome = counter_session.submit(Propose("100000", {"investable_assets": "800000"}, "from_1y_to_3y"))
    proposal = outcome.value
    assert outcome.result.ok and outcome.stay and proposal.ranked and counter_session.state.proposal is not None
    grade = int(result.grade[1])
    for ranked in proposal.ranked:
        assert ranked.product.risk_level <= grade
        assert ranked.decision.outcome in ("recommended", "eligible", "eligible_with_conditions")
    top = proposal.ranked[0]
    assert counter_session.submit(ChooseProduct(top.product.code)).moved
    assert counter_session.flow.current_id == "signoff" and counter_session.state.signoff.plan.product_code == top.product.code
    assert counter_session.state.sale_decision_id is not None


def test_a_product_above_the_grade_only_on_the_customers_own_request(at_recommendation):
    counter_session, result = at_recommendation
    proposal = counter_session.submit(Propose("100000", {"investable_assets": "800000"})).value
    grade = int(result.grade[1])
    above = [code for code, p in proposal.products.items()
             if int(str(p.risk_level)[1]) > grade and proposal.decisions[code].outcome != "prohibited"]
    assert not above  # nothing above the grade is offered by the bank
    candidates = [code for code, p in proposal.products.items() if int(str(p.risk_level)[1]) == grade + 1
                  and p.public and p.status == "on_sale" and p.licence_required != "precious_metals"]
    if not candidates:
        pytest.skip("the demo catalog has no public product one level above this grade")
    decision = counter_session.submit(CheckOwnRequest(candidates[0])).value
    assert decision.outcome in ("customer_initiated_only", "prohibited")
    # Choosing it as a bank proposal is not possible: only as the customer's own request.
    refused = counter_session.submit(ChooseProduct("NO-SUCH-PRODUCT"))
    assert not refused.result.ok and counter_session.flow.current_id == "recommendation"


def test_bad_amounts_are_structured_problems(at_recommendation):
    counter_session, _ = at_recommendation
    outcome = counter_session.submit(Propose("abc", {"investable_assets": "-5"}))
    assert outcome.value is None and {p.code for p in outcome.result.problems} >= {"amount_invalid", "amount_range"}
    assert counter_session.state.proposal is None


def test_choosing_before_proposing_is_a_problem(at_recommendation):
    counter_session, _ = at_recommendation
    outcome = counter_session.submit(ChooseProduct("DM-DEP-1Y"))
    assert not outcome.result.ok and {p.code for p in outcome.result.problems} == {"not_proposed"}


def test_declared_finances_reach_the_qualified_investor_rule():
    from datetime import date

    from counterdesk.services.sales.facts import customer_facts

    kyc = {"birth_date": "1970-05-01", "civil_capacity": "full"}
    answers = {"experience_years": {"option": "above_5y", "entered_at": "customer_screen"}}
    plain = customer_facts(kyc, answers, {"investable_assets": "2000000"}, date(2026, 11, 25))
    declared = customer_facts(kyc, answers, {"investable_assets": "2000000", "household_financial_assets": "6000000"},
                              date(2026, 11, 25))
    assert plain.age == 56 and plain.investment_experience_years == 5
    assert plain.household_financial_assets is None
    assert declared.household_financial_assets == Decimal("6000000")
