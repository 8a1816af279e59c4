"""The engine's own inputs: plain frozen values, independent of how assessments and the catalog
are stored. Callers map their records to these; construction checks the enums and amounts, so a
mapping mistake fails loudly there and ``evaluate`` itself never has to raise.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

CIVIL_CAPACITIES = ("full", "limited", "none")
AML_LEVELS = ("low", "medium", "high")
PRODUCT_TYPES = ("deposit", "structured_deposit", "public_wm", "private_wm", "public_fund", "private_fund",
                 "bond", "insurance_guaranteed", "insurance_non_guaranteed", "precious_metal")
PRIVATE_CLASSES = ("fixed_income", "mixed", "equity_commodity_derivatives")
# Redemption/exit frequency, best first. The catalog maps its own wording onto these; any other
# value is accepted and ranked as "unknown" (neither preferred nor excluded).
# Includes the catalog's own values (periodic_open, surrender, closed_end); periodic_open is placed
# after quarterly because its dealing days vary by product (practice).
LIQUIDITY_LEVELS = ("daily", "weekly", "monthly", "quarterly", "periodic_open", "semiannual", "annual", "surrender",
                    "closed_end", "at_maturity")
# Catalog statuses under which a product may be sold (anything else: not on sale).
ON_SALE_STATUSES = ("on_sale",)
# Who rated a product's risk (NFRA Order 2025 No. 7: when they differ the higher applies).
RATING_ROLES = ("distributor", "issuer")


def _dec(value: Any, name: str, optional: bool = False) -> Decimal | None:
    """Money as an exact, finite, non-negative Decimal (floats go through str to avoid binary noise)."""
    if value is None:
        if optional:
            return None
        raise ValueError(f"{name} is required")
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an amount")
    try:
        dec = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{name} is not an amount: {value!r}") from exc
    if not dec.is_finite() or dec < 0:
        raise ValueError(f"{name} must be a finite amount >= 0: {value!r}")
    return dec


def _day(value: Any, name: str, optional: bool = False) -> date | None:
    """A calendar date; a datetime is cut to its date (comparing the two types would raise)."""
    if value is None and optional:
        return None
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise ValueError(f"{name} must be a date: {value!r}")
    return value


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


@dataclass(frozen=True)
class CustomerFacts:
    age: int
    civil_capacity: str = "full"
    guardian_consent: bool = False
    professional_investor: bool = False
    investable_assets: Decimal = Decimal(0)  # declared by the customer
    household_net_financial_assets: Decimal | None = None
    household_financial_assets: Decimal | None = None
    avg_income_3y: Decimal | None = None  # personal, average of the last 3 years
    household_annual_income: Decimal | None = None
    # The questionnaire's income band [min, max) when no amount was declared (max None: open-ended).
    household_income_band: tuple[Decimal, Decimal | None] | None = None
    investment_experience_years: int = 0
    aml_level: str | None = None  # low / medium / high (counterdesk.services.customers.aml); None: not rated

    def __post_init__(self) -> None:
        _check(isinstance(self.age, int) and 0 <= self.age <= 150, f"age out of range: {self.age!r}")
        _check(self.civil_capacity in CIVIL_CAPACITIES, f"civil_capacity: {self.civil_capacity!r}")
        _check(self.aml_level is None or self.aml_level in AML_LEVELS, f"aml_level: {self.aml_level!r}")
        _check(isinstance(self.investment_experience_years, int) and self.investment_experience_years >= 0,
               "investment_experience_years must be an int >= 0")
        _set(self, "investable_assets", _dec(self.investable_assets, "investable_assets"))
        for name in ("household_net_financial_assets", "household_financial_assets", "avg_income_3y",
                     "household_annual_income"):
            _set(self, name, _dec(getattr(self, name), name, optional=True))
        if self.household_income_band is not None:
            lo, hi = self.household_income_band
            band = (_dec(lo, "household_income_band"), _dec(hi, "household_income_band", optional=True))
            _check(band[1] is None or band[0] <= band[1], "household_income_band: min above max")  # type: ignore[operator]
            _set(self, "household_income_band", band)


@dataclass(frozen=True)
class AssessmentFacts:
    """A completed risk-tolerance assessment. ``valid_until`` is the LAST day on which it is valid
    (inclusive); see ``assessment_last_valid_day`` for the 12-month cap applied on top."""

    grade: int  # 1-5 for C1-C5
    completed_at: date
    valid_until: date | None = None
    lowest_category: bool = False

    def __post_init__(self) -> None:
        _check(isinstance(self.grade, int) and 1 <= self.grade <= 5, f"grade must be 1-5: {self.grade!r}")
        _set(self, "completed_at", _day(self.completed_at, "completed_at"))
        _set(self, "valid_until", _day(self.valid_until, "valid_until", optional=True))


@dataclass(frozen=True)
class RiskRating:
    """One rating of a product's risk with its source: who rated it and when."""

    role: str  # distributor / issuer
    level: int  # 1-5 for R1-R5
    rated_by: str = ""
    rated_on: date | None = None

    def __post_init__(self) -> None:
        _check(self.role in RATING_ROLES, f"rating role: {self.role!r}")
        _check(isinstance(self.level, int) and 1 <= self.level <= 5, f"rating level must be 1-5: {self.level!r}")
        _set(self, "rated_on", _day(self.rated_on, "rated_on", optional=True))


@dataclass(frozen=True)
class ProductFacts:
    code: str
    type: str
    risk_level: int  # 1-5 for R1-R5
    public: bool = True
    private_class: str | None = None
    min_amount: Decimal = Decimal(0)
    term_days: int | None = None  # None: open-ended
    liquidity: str = "at_maturity"
    sale_start: date | None = None
    sale_end: date | None = None  # inclusive
    status: str = "on_sale"
    cooling_off_hours: int = 0
    recording_required: bool = False
    licence_required: str | None = None
    periodic_premium: bool = False
    premium_payment_years: int | None = None
    annual_premium: Decimal | None = None  # insurance: the catalog's annual premium, when it has one
    # The ratings behind ``risk_level`` (empty: one rating, ``risk_level`` itself). ``risk_level`` must
    # be the highest of them: the higher applies (NFRA Order 2025 No. 7).
    ratings: tuple[RiskRating, ...] = ()
    name_zh: str = ""
    name_en: str = ""

    def __post_init__(self) -> None:
        _check(self.type in PRODUCT_TYPES, f"product type: {self.type!r}")
        _check(isinstance(self.risk_level, int) and 1 <= self.risk_level <= 5,
               f"risk_level must be 1-5: {self.risk_level!r}")
        _check(self.private_class is None or self.private_class in PRIVATE_CLASSES,
               f"private_class: {self.private_class!r}")
        _check(self.term_days is None or (isinstance(self.term_days, int) and self.term_days >= 0), "term_days")
        _check(isinstance(self.cooling_off_hours, int) and self.cooling_off_hours >= 0, "cooling_off_hours")
        _check(self.premium_payment_years is None
               or (isinstance(self.premium_payment_years, int) and self.premium_payment_years >= 0),
               "premium_payment_years")
        _set(self, "min_amount", _dec(self.min_amount, "min_amount"))
        _set(self, "annual_premium", _dec(self.annual_premium, "annual_premium", optional=True))
        _set(self, "ratings", tuple(self.ratings))
        _check(all(isinstance(r, RiskRating) for r in self.ratings), "ratings must be RiskRating values")
        _check(not self.ratings or self.risk_level == max(r.level for r in self.ratings),
               "risk_level must be the higher of the ratings (NFRA Order 2025 No. 7)")
        _set(self, "sale_start", _day(self.sale_start, "sale_start", optional=True))
        _set(self, "sale_end", _day(self.sale_end, "sale_end", optional=True))
        if self.licence_required == "":
            _set(self, "licence_required", None)  # the catalog stores "" for "no licence needed"


@dataclass(frozen=True)
class SaleContext:
    amount: Decimal
    today: date
    teller_licences: Mapping[str, date | None] = field(default_factory=dict)  # licence type -> expiry (None: none)
    customer_initiated: bool = False  # the customer named the product themself
    periodic_premium_amount: Decimal | None = None  # annualised periodic premium (insurance)
    acknowledged_amount_mismatch: bool = False

    def __post_init__(self) -> None:
        _set(self, "today", _day(self.today, "today"))
        _set(self, "amount", _dec(self.amount, "amount"))
        _set(self, "periodic_premium_amount", _dec(self.periodic_premium_amount, "periodic_premium_amount", True))
        _set(self, "teller_licences", {str(k): _day(v, f"licence {k}", optional=True)
                                       for k, v in dict(self.teller_licences or {}).items()})
