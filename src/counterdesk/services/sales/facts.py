"""Build the suitability engine's inputs from what the store holds (KYC answers, the confirmed
assessment and its answers, what the customer declares at the counter)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from counterdesk.base.assessment_validity import completed_day
from counterdesk.identity.dates import age_on
from counterdesk.suitability.facts import AssessmentFacts, CustomerFacts

# Years of investment experience behind each questionnaire answer (the lower end: a claim of
# "2-5 years" counts as 2 for the qualified-investor test, never more).
EXPERIENCE_YEARS = {"none": 0, "below_2y": 0, "from_2y_to_5y": 2, "above_5y": 5}
# Household annual income bands of the questionnaire's "annual_income" question, [min, max) in CNY. The
# premium checks use the band when no amount is declared at the counter (suitability.rules._income).
INCOME_BANDS: dict[str, tuple[Decimal, Decimal | None]] = {
    "below_100k": (Decimal(0), Decimal(100_000)), "from_100k_to_300k": (Decimal(100_000), Decimal(300_000)),
    "from_300k_to_1m": (Decimal(300_000), Decimal(1_000_000)), "above_1m": (Decimal(1_000_000), None)}


def _option(answers: Mapping[str, Any], key: str) -> Any:
    value = answers.get(key)
    if isinstance(value, Mapping):  # stored answers carry the option with where/when it was entered
        value = value.get("option", value.get("value"))
    return value


def customer_facts(kyc: Mapping[str, Any], assessment_answers: Mapping[str, Any], declared: Mapping[str, Any],
                   today: date, aml_level: str | None = None) -> CustomerFacts:
    """``declared``: what the customer states at the counter for this sale: investable_assets and,
    for private products, household financial figures (all in CNY). The household income band comes
    from the customer's own questionnaire answer (annual_income), used when no amount is declared."""
    birth = date.fromisoformat(kyc["birth_date"])
    experience = _option(assessment_answers, "experience_years")
    income_band = INCOME_BANDS.get(_option(assessment_answers, "annual_income") or "")

    def money(key: str) -> Decimal | None:
        value = declared.get(key)
        return None if value in (None, "") else Decimal(str(value))

    return CustomerFacts(
        age=age_on(birth, today),
        civil_capacity=kyc.get("civil_capacity", "full"),
        guardian_consent=bool(kyc.get("guardian_name")),
        investable_assets=money("investable_assets") or Decimal(0),
        household_net_financial_assets=money("household_net_financial_assets"),
        household_financial_assets=money("household_financial_assets"),
        avg_income_3y=money("avg_income_3y"),
        household_annual_income=money("household_annual_income"),
        household_income_band=income_band,
        investment_experience_years=EXPERIENCE_YEARS.get(experience, 0) if isinstance(experience, str) else 0,
        aml_level=aml_level,
    )


def assessment_facts(result) -> AssessmentFacts | None:
    """From counterdesk.services.assessment's AssessmentResult (None: no valid assessment)."""
    if result is None:
        return None
    # Both days on the branch's clock (the stored times are UTC): base.assessment_validity.
    return AssessmentFacts(grade=int(str(result.grade).lstrip("Cc")), completed_at=completed_day(result.completed_at),
                           valid_until=result.last_valid_day, lowest_category=bool(result.lowest_category))
