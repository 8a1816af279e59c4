"""From a confirmed assessment to a chosen product, headless, on the DEMO catalog."""
from __future__ import annotations

from decimal import Decimal

import pytest

from counterdesk.services.demo import create_demo
from counterdesk.flow.counter_session import CounterSession
from counterdesk.forms.registry import load_questionnaire
from counterdesk.services.sales.recommendation import Recommender
from counterdesk.services.auth.vault import DEMO_USERS

PW = {u.username: u.password for u in DEMO_USERS}
SPECIMEN = {"id_doc_type": "resident_id", "id_number": "11010519491231002X", "id_issue_date": "2006-05-20",
            "id_long_term": True}
KYC = {"name_zh": "张晓梅", "sex": "female", "birth_date": "1949-12-31", "nationality": "CHN",
       "phone": "13812345678", "address": "北京市朝阳区建国路 88 号", "occupation": "gbt6565_2",
       "employer": "某某研究所", "civil_capacity": "full", "tax_residency": "cn_only", "pep_status": "none",
       "customer_tier": "mass"}


@pytest.fixture
def at_recommendation(demo_lists_dir):
    from counterdesk.services.auth.vault import Vault

    vault = Vault.open(demo_lists_dir)
    teller = vault.sign_in("teller", PW["teller"])
    ident = CounterSession(vault, teller)
    for step in (SPECIMEN, {"consent_granted": True}, {"answers": KYC}, {}):
        ident.submit(step)
    ident.start_assessment()
    q = load_questionnaire()
    answers = {x.key: q.form.field(x.key).options[1].value
               for x in q.questions}
    answers["age"] = "age_65_up"
    found, result = ident.submit_answers(answers, "customer_screen")
    assert result is not None, found.contradictions
    ident.confirm_assessment(False)
    ident.submit({})
    assert ident.flow.current_id == "recommendation"
    yield ident, result
    vault.close()


def test_ranked_products_never_exceed_the_grade_and_the_choice_is_stored(at_recommendation):
    ident, result = at_recommendation
    rec = Recommender(ident)
    res, proposal = rec.propose("100000", {"investable_assets": "800000"}, "from_1y_to_3y")
    assert res.ok and proposal.ranked
    grade = int(result.grade[1])
    for ranked in proposal.ranked:
        assert ranked.product.risk_level <= grade
        assert ranked.decision.outcome in ("recommended", "eligible", "eligible_with_conditions")
    top = proposal.ranked[0]
    decision_id = rec.choose(proposal, top.product.code, top.decision, customer_initiated=False)
    ident.submit({"sale_decision_id": decision_id})
    assert ident.flow.current_id == "signoff" and ident.flow.data["signoff"].plan.product_code == top.product.code


def test_a_product_above_the_grade_only_on_the_customers_own_request(at_recommendation):
    ident, result = at_recommendation
    rec = Recommender(ident)
    _res, proposal = rec.propose("100000", {"investable_assets": "800000"}, None)
    grade = int(result.grade[1])
    above = [code for code, p in proposal.products.items()
             if int(str(p.risk_level)[1]) > grade and proposal.decisions[code].outcome != "prohibited"]
    assert not above  # nothing above the grade is offered by the bank
    candidates = [code for code, p in proposal.products.items() if int(str(p.risk_level)[1]) == grade + 1
                  and p.public and p.status == "on_sale" and p.licence_required != "precious_metals"]
    if not candidates:
        pytest.skip("the demo catalog has no public product one level above this grade")
    decision = rec.customer_request(proposal, candidates[0])
    assert decision.outcome in ("customer_initiated_only", "prohibited")


def test_bad_amounts_are_structured_problems(at_recommendation):
    ident, _ = at_recommendation
    res, proposal = Recommender(ident).propose("abc", {"investable_assets": "-5"}, None)
    assert proposal is None and {p.code for p in res.problems} >= {"amount_invalid", "amount_range"}


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
