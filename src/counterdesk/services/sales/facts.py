"""Build the suitability engine's inputs from what the store holds (KYC answers, the confirmed
assessment and its answers, what the customer declares at the counter)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from counterdesk.identity.dates import age_on
from counterdesk.suitability.facts import AssessmentFacts, CustomerFacts

# Years of investment experience behind each questionnaire answer (the lower end: a claim of
# "2-5 years" counts as 2 for the qualified-investor test, never more).
EXPERIENCE_YEARS = {"none": 0, "below_2y": 0, "from_2y_to_5y": 2, "above_5y": 5}


def customer_facts(kyc: Mapping[str, Any], assessment_answers: Mapping[str, Any], declared: Mapping[str, Any],
                   today: date, aml_level: str | None = None) -> CustomerFacts:
    """``declared``: what the customer states at the counter for this sale: investable_assets and,
    for private products, household financial figures (all in CNY)."""
    birth = date.fromisoformat(kyc["birth_date"])
    experience = assessment_answers.get("experience_years")
    if isinstance(experience, Mapping):  # stored answers carry the option with where/when it was entered
        experience = experience.get("option", experience.get("value"))

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
        investment_experience_years=EXPERIENCE_YEARS.get(experience, 0) if isinstance(experience, str) else 0,
        aml_level=aml_level,
    )


def assessment_facts(result) -> AssessmentFacts | None:
    """From counterdesk.services.assessment's AssessmentResult (None: no valid assessment)."""
    if result is None:
        return None
    return AssessmentFacts(grade=int(str(result.grade).lstrip("Cc")), completed_at=result.completed_at.date(),
                           valid_until=result.valid_until.date(), lowest_category=bool(result.lowest_category))
