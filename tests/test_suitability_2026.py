"""The 2026 suitability rules in the engine (issue 13): the higher of two ratings (NFRA Order 2025 No. 7),
art 7 cited where unsuitable trades are restricted, insurance informed consent (premium vs household income,
instalments past 75), the household income from the questionnaire, the insisting customer's own words
(保险销售行为管理办法 Art 28) and the bank-channel free-look period."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

import counterdesk.forms
from counterdesk.base import settings as S
from counterdesk.forms import load_form
from counterdesk.services.sales.facts import INCOME_BANDS, customer_facts
from counterdesk.suitability import (
    CUSTOMER_INITIATED_ONLY,
    ELIGIBLE_WITH_CONDITIONS,
    PROHIBITED,
    RECOMMENDED,
    RULES_BY_ID,
    AssessmentFacts,
    CustomerFacts,
    ProductFacts,
    SaleContext,
    evaluate,
    explain,
)
from counterdesk.suitability.facts import RiskRating

TODAY = date(2026, 6, 15)


def customer(**kw) -> CustomerFacts:
    base = dict(age=40, investable_assets=D(1_000_000), household_annual_income=D(300_000),
                investment_experience_years=5, aml_level="low")
    return CustomerFacts(**{**base, **kw})


def run(c=None, grade=3, p=None, x=None, settings=None):
    a = AssessmentFacts(grade=grade, completed_at=date(2026, 1, 10))
    return evaluate(c or customer(), a, p, x or SaleContext(amount=D(100_000), today=TODAY), settings)


def rated(distributor: int, issuer: int, **kw) -> ProductFacts:
    ratings = (RiskRating("distributor", distributor, "Demo Bank rating team", date(2025, 12, 15)),
               RiskRating("issuer", issuer, "Demo WM Co.", date(2025, 11, 30)))
    return ProductFacts(**{**dict(code="WM1", type="bond", risk_level=max(distributor, issuer), ratings=ratings),
                           **kw})


def insurance(**kw) -> ProductFacts:
    return ProductFacts(**{**dict(code="IN1", type="insurance_guaranteed", risk_level=1, periodic_premium=True,
                                  premium_payment_years=10), **kw})


# ---- the higher of two ratings (NFRA Order 2025 No. 7) ----------------------------------------------------

def test_the_higher_rating_applies_and_the_reasons_say_so():
    d = run(grade=3, p=rated(3, 4))
    assert d.outcome == PROHIBITED and {"SUIT-RATE-01", "SUIT-GRADE-01"} <= set(d.rule_ids)
    rate = next(f for f in d.findings if f.rule_id == "SUIT-RATE-01")
    assert rate.effect == "info" and "Order 2025 No. 7" in rate.source
    assert "R4" in rate.reason.zh and "R3" in rate.reason.zh and "孰高" in rate.reason.zh
    assert "the higher, R4, applies" in rate.reason.en and "Demo WM Co." in rate.reason.en
    assert "2025-11-30" in rate.reason.en and "2025-12-15" in rate.reason.en
    # The teller's explanation lists it with its source.
    assert any("SUIT-RATE-01" in line and "孰高" in line for line in explain(d, "zh"))
    # The issuer's lower rating never lowers the applied one.
    lower = run(grade=3, p=rated(4, 2))
    assert lower.outcome == PROHIBITED and "SUIT-RATE-01" in lower.rule_ids


def test_equal_ratings_say_nothing_and_the_info_rule_changes_no_outcome():
    assert run(grade=3, p=rated(3, 3)).outcome == RECOMMENDED
    d = run(grade=4, p=rated(3, 4))
    assert d.outcome == RECOMMENDED and d.rule_ids == ("SUIT-RATE-01",)


def test_risk_level_must_be_the_higher_of_the_ratings():
    with pytest.raises(ValueError, match="higher"):
        ProductFacts(code="X", type="bond", risk_level=3,
                     ratings=(RiskRating("distributor", 3), RiskRating("issuer", 4)))
    with pytest.raises(ValueError):
        RiskRating("auditor", 3)


# ---- art 7: the system identifies, prompts and restricts unsuitable trades -------------------------------

def test_unsuitable_trades_are_restricted_citing_art_7():
    d = run(grade=2, p=ProductFacts(code="B", type="bond", risk_level=3))
    grade = next(f for f in d.findings if f.rule_id == "SUIT-GRADE-01")
    assert d.outcome == PROHIBITED and "Art 7" in grade.reason.en and "第七条" in grade.reason.zh
    assert "Arts 7, 12" in RULES_BY_ID["SUIT-GRADE-01"].source and "Arts 7, 12" in RULES_BY_ID["SUIT-AMOUNT-01"].source


def test_an_insisting_customer_confirms_in_their_own_words_art_28():
    d = run(grade=2, p=ProductFacts(code="B", type="bond", risk_level=3),
            x=SaleContext(amount=D(100_000), today=TODAY, customer_initiated=True))
    assert d.outcome == CUSTOMER_INITIATED_ONLY and "customer_own_words" in d.condition_codes()
    assert "Art 28" in RULES_BY_ID["SUIT-GRADE-02"].source
    own = next(c for c in d.conditions if c.code == "customer_own_words")
    assert "第二十八条" in own.text.zh and "Art 28" in own.text.en
    assert "第二十八条" in next(f for f in d.findings if f.rule_id == "SUIT-GRADE-02").reason.zh


# ---- insurance informed consent (NFRA Order 2025 No. 7) ----------------------------------------------------

@pytest.mark.parametrize("premium,consent", [(D(60_001), True), (D(60_000), False)])
def test_premium_above_the_share_of_household_income_needs_informed_consent(premium, consent):
    # 20% of RMB 300,000 = 60,000: strictly above needs the declaration.
    d = run(p=insurance(annual_premium=premium))
    assert ("SUIT-INS-07" in d.rule_ids) is consent
    assert ("informed_consent" in d.condition_codes()) is consent
    if consent:
        f = next(f for f in d.findings if f.rule_id == "SUIT-INS-07")
        assert d.outcome == ELIGIBLE_WITH_CONDITIONS and "知情同意书" in f.reason.zh and "declared" in f.reason.en


def test_the_sale_premium_wins_over_the_catalog_premium_and_the_ratio_is_a_setting():
    x = SaleContext(amount=D(100_000), today=TODAY, periodic_premium_amount=D(30_000))
    assert "SUIT-INS-07" not in run(p=insurance(annual_premium=D(90_000)), x=x).rule_ids
    settings = {S.SUIT_INSURANCE_CONSENT_PREMIUM_PERCENT.key: 5}
    d = run(p=insurance(annual_premium=D(20_000)), settings=settings)
    assert "SUIT-INS-07" in d.rule_ids and "5%" in next(f for f in d.findings if f.rule_id == "SUIT-INS-07").reason.en
    assert "Order 2025 No. 7" in S.SUIT_INSURANCE_CONSENT_PREMIUM_PERCENT.source


@pytest.mark.parametrize("age,years,consent", [(60, 16, True), (60, 15, False), (30, 46, True), (59, 16, False)])
def test_instalments_past_age_75_need_informed_consent(age, years, consent):
    d = run(c=customer(age=age), p=insurance(premium_payment_years=years, annual_premium=D(10_000)))
    assert ("SUIT-INS-08" in d.rule_ids) is consent
    if consent:
        f = next(f for f in d.findings if f.rule_id == "SUIT-INS-08")
        assert f"{age + years}" in f.reason.en and "75" in f.reason.en and "知情同意书" in f.reason.zh
    assert S.SUIT_INSURANCE_INSTALMENT_END_AGE.default == 75 and S.SUIT_INSURANCE_INSTALMENT_END_AGE.source


def test_single_premium_has_no_instalments():
    single = ProductFacts(code="IN2", type="insurance_guaranteed", risk_level=1)
    assert not {"SUIT-INS-07", "SUIT-INS-08"} & set(run(c=customer(age=80), p=single).rule_ids)


# ---- the household income from the questionnaire ----------------------------------------------------------

def test_the_questionnaire_band_feeds_the_premium_checks_when_nothing_is_declared():
    kyc = {"birth_date": "1980-05-05", "civil_capacity": "full"}
    answers = {"annual_income": {"option": "from_300k_to_1m", "entered_at": "customer_screen"}}
    c = customer_facts(kyc, answers, {"investable_assets": "500000"}, TODAY)
    assert c.household_annual_income is None and c.household_income_band == (D(300_000), D(1_000_000))
    d = run(c=c, p=insurance(annual_premium=D(70_000)))  # 70k > 20% of the band's lower end, 300k
    f = next(f for f in d.findings if f.rule_id == "SUIT-INS-07")
    assert "questionnaire" in f.reason.en and "问卷" in f.reason.zh
    # A declared amount is more precise and wins.
    declared = customer_facts(kyc, answers, {"investable_assets": "500000", "household_annual_income": "400000"},
                              TODAY)
    assert "SUIT-INS-07" not in run(c=declared, p=insurance(annual_premium=D(70_000))).rule_ids


def test_the_bands_are_the_questionnaires_options():
    q = load_form("risk_questionnaire")
    assert set(INCOME_BANDS) == {o.value for o in q.field("annual_income").options}


@pytest.mark.parametrize("band,rule", [
    ((D(0), D(100_000)), "SUIT-INS-03"),         # may or may not be below RMB 50,000: ask for the amount
    ((D(0), D(50_000)), "SUIT-INS-02"),          # all of it below: low income, fixed-benefit only
    ((D(100_000), D(300_000)), None),            # clearly above
])
def test_low_income_from_a_band(band, rule):
    c = customer(household_annual_income=None, household_income_band=band)
    d = run(c=c, p=ProductFacts(code="NG", type="insurance_non_guaranteed", risk_level=3))
    hits = {"SUIT-INS-02", "SUIT-INS-03"} & set(d.rule_ids)
    assert hits == ({rule} if rule else set())
    assert (d.outcome == PROHIBITED) is (rule is not None)
    if rule == "SUIT-INS-02":
        f = next(f for f in d.findings if f.rule_id == rule)
        assert "upper end of the questionnaire band RMB 0-50,000" in f.reason.en and "上限" in f.reason.zh


def test_payment_years_plus_age_fires_with_the_catalog_years():
    ng = ProductFacts(code="NG", type="insurance_non_guaranteed", risk_level=3, periodic_premium=True,
                      premium_payment_years=20, annual_premium=D(10_000))
    assert "SUIT-INS-06" in run(c=customer(age=40), p=ng).rule_ids
    assert "SUIT-INS-06" not in run(c=customer(age=39), p=ng).rule_ids


# ---- free-look period (保险销售行为管理办法; bank channel 15 days) ------------------------------------------

def test_free_look_period_is_a_setting_shown_for_insurance_only():
    d = run(p=insurance(annual_premium=D(10_000)))
    f = next(f for f in d.findings if f.rule_id == "SUIT-INS-09")
    assert f.effect == "info" and "15 days" in f.reason.en and "15 日" in f.reason.zh
    assert "SUIT-INS-09" not in run(p=ProductFacts(code="B", type="bond", risk_level=1)).rule_ids
    longer = run(p=insurance(annual_premium=D(10_000)), settings={S.SUIT_INSURANCE_FREE_LOOK_DAYS.key: 20})
    assert "20 days" in next(f for f in longer.findings if f.rule_id == "SUIT-INS-09").reason.en
    assert S.SUIT_INSURANCE_FREE_LOOK_DAYS.minimum == 15 and "保险销售行为管理办法" in S.SUIT_INSURANCE_FREE_LOOK_DAYS.source


def test_the_insurance_disclosure_states_the_free_look_setting():
    """The customer reads the period in the disclosure: it must be the setting's default."""
    raw = (Path(counterdesk.forms.__file__).parent / "definitions" / "disclosure_insurance_v1.json").read_text("utf-8")
    days = S.SUIT_INSURANCE_FREE_LOOK_DAYS.default
    assert f"犹豫期 {days} 日" in raw and f"Free-look period of {days} days" in raw


def test_the_readme_quotes_the_2026_numbers_as_set():
    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8").split())
    said = readme[readme.index("## Suitability and sales rules, in brief"):]
    assert f"exceeds {S.SUIT_INSURANCE_CONSENT_PREMIUM_PERCENT.default} % of household income" in said
    assert f"past age {S.SUIT_INSURANCE_INSTALMENT_END_AGE.default}" in said
    assert f"free-look period (犹豫期) is {S.SUIT_INSURANCE_FREE_LOOK_DAYS.default} days" in said
