"""The suitability rules as data: each Rule has an id, its source, a predicate and an effect.

Every number comes from a declared setting (counterdesk.base.settings, keys ``suitability.*``), resolved
once into ``Limits``. Customer-side facts (grade, validity, qualification) are computed once per
customer into a ``Subject`` so that checking a whole catalog only runs the per-product predicates.

Effects, strongest first: prohibit > customer_initiated_only > conditions > eligible_only > info.
An ``info`` finding changes no outcome: it explains one (which of two ratings applied, the free-look period).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from counterdesk.base import assessment_validity as validity
from counterdesk.base import settings as S
from counterdesk.base.text import Text
from counterdesk.suitability.facts import ON_SALE_STATUSES, AssessmentFacts, CustomerFacts, ProductFacts, SaleContext

RULES_VERSION = "suit-2026.1"

PROHIBIT = "prohibit"
CUSTOMER_ONLY = "customer_initiated_only"
CONDITIONS = "conditions"
ELIGIBLE_ONLY = "eligible_only"  # may be sold, but is not a proactive recommendation
INFO = "info"  # shown with the reasons, changes nothing
EFFECTS = (PROHIBIT, CUSTOMER_ONLY, CONDITIONS, ELIGIBLE_ONLY, INFO)

# NFRA 金融机构产品适当性管理办法 (Order 2025 No. 7, in force 2026-02-01), cited by the 2026 rules.
NFRA_2025_7 = "NFRA 金融机构产品适当性管理办法 (Order 2025 No. 7)"
ART7 = Text("（金融机构产品适当性管理办法第七条：系统识别、提示并限制不适当交易）",
            " (NFRA Order 2025 No. 7 Art 7: the system identifies, prompts and restricts unsuitable trades)")
# 保险销售行为管理办法 (NFRA Order 2023 No. 2, in force 2024-03-01).
INSURANCE_SALES = "保险销售行为管理办法 (2024-03-01)"

# Sales that are always dual-recorded: bank WM and agency products (funds, insurance) to individuals.
RECORDED_TYPES = frozenset({"public_wm", "private_wm", "public_fund", "private_fund",
                            "insurance_guaranteed", "insurance_non_guaranteed"})


# ---- conditions ---------------------------------------------------------------------------------

CONDITION_TEXTS: dict[str, Text] = {
    "extra_confirmation": Text("客户须再次书面确认已充分了解产品风险",
                               "The customer confirms again, in writing, that they understand the product's risks"),
    "longer_reading_time": Text("风险揭示最短阅读时间 {reading_seconds} 秒",
                                "Minimum reading time of the risk disclosure: {reading_seconds} s"),
    "supervisor_approval": Text("须经主管审批", "Supervisor approval required"),
    "written_acknowledgement": Text("客户须书面确认购买金额超出其申报可投资资产的 {share_pct}%",
                                    "The customer acknowledges in writing that the amount exceeds {share_pct}% of "
                                    "the declared investable assets"),
    "guardian_consent": Text("须取得监护人同意", "The guardian's consent is required"),
    "recording": Text("须全程录音录像（双录），客户须同意录音录像",
                      "The sale is audio/video recorded (dual recording); the customer must consent"),
    "cooling_off": Text("投资冷静期 {cooling_hours} 小时：期间可无条件解除合同，不得营销联系；期满后由非销售人员回访",
                        "Cooling-off period of {cooling_hours} h: the customer may cancel for a full refund, "
                        "no sales contact; afterwards a follow-up visit by a non-sales employee"),
    "declaration": Text("投保人须填写并签署投保提示书（投保声明）",
                        "The policyholder fills in and signs the declaration (the insurance purchase notice)"),
    "special_risk_warning": Text("须向客户出具特别书面风险警示",
                                 "A special written risk warning is given to the customer"),
    "customer_signature": Text("客户须在特别风险警示上签字确认", "The customer signs the special risk warning"),
    "customer_own_words": Text("客户须在客户屏上亲自输入坚持购买的决定（保险销售行为管理办法第二十八条）",
                               "The customer types their own decision to insist on the purchase on the customer "
                               "screen (Measures on insurance sales conduct Art 28)"),
    "informed_consent": Text("投保人须签署知情同意书（金融机构产品适当性管理办法）",
                             "The policyholder signs an informed-consent declaration (NFRA Order 2025 No. 7)"),
}


# ---- resolved numbers -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    max_amount_share: Decimal
    limited_capacity_max_risk: int
    elderly_age: int
    elderly_min_risk: int
    elderly_reading_seconds: int
    qualified_min_experience: int
    qualified_net_fin_assets: Decimal
    qualified_fin_assets: Decimal
    qualified_avg_income: Decimal
    private_minimum: Mapping[str | None, Decimal]
    cooling_off_hours: int
    insurance_max_age: int
    insurance_max_age_periodic: int
    insurance_low_income: Decimal
    insurance_single_multiple: Decimal
    insurance_periodic_share: Decimal
    insurance_years_plus_age: int
    validity_months: int
    insurance_consent_premium_share: Decimal
    insurance_instalment_end_age: int
    insurance_free_look_days: int


def _value(settings: Any, setting: S.Setting) -> Any:
    if settings is None:
        return setting.default
    try:
        value = settings[setting]
    except (KeyError, TypeError):
        try:
            value = settings[setting.key]
        except (KeyError, TypeError):
            return setting.default
    return value if setting.validate(value).ok else setting.default


def resolve_limits(settings: Any = None) -> Limits:
    """All the numbers the rules use: from a SettingsValues (or a dict by key), defaults otherwise."""
    def v(setting: S.Setting) -> Any:
        return _value(settings, setting)

    equity = Decimal(v(S.SUIT_PRIVATE_MIN_EQUITY))
    return Limits(
        max_amount_share=Decimal(str(v(S.SUIT_MAX_AMOUNT_SHARE))),
        limited_capacity_max_risk=v(S.SUIT_LIMITED_CAPACITY_MAX_RISK),
        elderly_age=v(S.SUIT_ELDERLY_AGE),
        elderly_min_risk=v(S.SUIT_ELDERLY_MIN_RISK),
        elderly_reading_seconds=v(S.SUIT_ELDERLY_READING_SECONDS),
        qualified_min_experience=v(S.SUIT_QUALIFIED_MIN_EXPERIENCE),
        qualified_net_fin_assets=Decimal(v(S.SUIT_QUALIFIED_NET_FIN_ASSETS)),
        qualified_fin_assets=Decimal(v(S.SUIT_QUALIFIED_FIN_ASSETS)),
        qualified_avg_income=Decimal(v(S.SUIT_QUALIFIED_AVG_INCOME)),
        # A private product without a class is held to the strictest minimum (safe side).
        private_minimum={"fixed_income": Decimal(v(S.SUIT_PRIVATE_MIN_FIXED_INCOME)),
                         "mixed": Decimal(v(S.SUIT_PRIVATE_MIN_MIXED)),
                         "equity_commodity_derivatives": equity, None: equity},
        cooling_off_hours=v(S.SUIT_COOLING_OFF_HOURS),
        insurance_max_age=v(S.SUIT_INSURANCE_MAX_AGE),
        insurance_max_age_periodic=v(S.SUIT_INSURANCE_MAX_AGE_PERIODIC),
        insurance_low_income=Decimal(v(S.SUIT_INSURANCE_LOW_INCOME)),
        insurance_single_multiple=Decimal(v(S.SUIT_INSURANCE_SINGLE_MULTIPLE)),
        insurance_periodic_share=Decimal(v(S.SUIT_INSURANCE_PERIODIC_PERCENT)) / 100,
        insurance_years_plus_age=v(S.SUIT_INSURANCE_YEARS_PLUS_AGE),
        validity_months=v(S.ASSESSMENT_VALIDITY_MONTHS),
        insurance_consent_premium_share=Decimal(v(S.SUIT_INSURANCE_CONSENT_PREMIUM_PERCENT)) / 100,
        insurance_instalment_end_age=v(S.SUIT_INSURANCE_INSTALMENT_END_AGE),
        insurance_free_look_days=v(S.SUIT_INSURANCE_FREE_LOOK_DAYS),
    )


# ---- customer-side facts, computed once -------------------------------------------------------------

def assessment_last_valid_day(assessment: AssessmentFacts, months: int = validity.DEFAULT_MONTHS) -> date:
    """The last day an assessment may be relied on: base.assessment_validity, the one definition
    shared with the assessment store (NFRA 2025 Art 29): valid through the day BEFORE the anniversary
    of completion (completed 2025-03-10 → last valid day 2026-03-09). ``valid_until`` is an inclusive
    last day and can only shorten that, never extend it."""
    return validity.last_valid_day(assessment.completed_at, months, assessment.valid_until)


@dataclass(frozen=True)
class Subject:
    """One customer at one counter session: the facts every product rule needs."""

    customer: CustomerFacts
    assessment: AssessmentFacts | None
    context: SaleContext
    limits: Limits
    assessment_state: str  # missing / future / expired / valid
    last_valid_day: date | None
    grade: int | None  # None unless the assessment is valid
    lowest: bool
    exception_ok: bool  # may use the customer-initiated exception
    amount_cap: Decimal
    qualified: bool
    elderly: bool

    @classmethod
    def of(cls, customer: CustomerFacts, assessment: AssessmentFacts | None, context: SaleContext,
           limits: Limits) -> Subject:
        today = context.today
        last = None
        if assessment is None:
            state = "missing"
        elif assessment.completed_at > today:
            state = "future"
        else:
            last = assessment_last_valid_day(assessment, limits.validity_months)
            state = validity.state_on(assessment.completed_at, today, limits.validity_months, assessment.valid_until)
        grade = assessment.grade if assessment is not None and state == "valid" else None
        # Lowest category: declared by the assessment, or a C1 customer without full capacity (§3).
        lowest = assessment is not None and (
            assessment.lowest_category or (assessment.grade == 1 and customer.civil_capacity != "full"))
        c = customer
        qualified = c.investment_experience_years >= limits.qualified_min_experience and (
            (c.household_net_financial_assets or 0) >= limits.qualified_net_fin_assets
            or (c.household_financial_assets or 0) >= limits.qualified_fin_assets
            or (c.avg_income_3y or 0) >= limits.qualified_avg_income)
        return cls(customer, assessment, context, limits, state, last, grade, lowest,
                   exception_ok=not lowest and c.civil_capacity == "full",
                   amount_cap=c.investable_assets * limits.max_amount_share,
                   qualified=qualified, elderly=c.age >= limits.elderly_age)


# ---- the rule type --------------------------------------------------------------------------------

Predicate = Callable[[Subject, ProductFacts], bool]
Params = Callable[[Subject, ProductFacts], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    id: str
    source: str
    title: Text
    when: Predicate
    effect: str
    reason: Text  # template, formatted with params(subject, product)
    conditions: tuple[str, ...] = ()
    params: Params | None = None
    # Speed only, never semantics: ``guard(subject)`` False means ``when`` cannot hold for this
    # customer, and ``types`` lists the only product types it can hold for. A test checks both.
    guard: Callable[[Subject], bool] | None = None
    types: frozenset[str] | None = None


@lru_cache(maxsize=4096)  # the same few amounts recur across a whole catalog
def _money(d: Decimal | None) -> str:
    return "-" if d is None else f"{d.normalize():,f}" if d == d.to_integral_value() else f"{d:,}"


def _r(level: int) -> str:
    return f"R{level}"


def _above(s: Subject, p: ProductFacts) -> bool:
    return s.grade is not None and p.risk_level > s.grade


def _non_guaranteed(p: ProductFacts) -> bool:
    return p.type == "insurance_non_guaranteed"


def _insurance_age_limit(s: Subject, p: ProductFacts) -> int:
    return s.limits.insurance_max_age_periodic if p.periodic_premium else s.limits.insurance_max_age


def _periodic_premium(s: Subject, p: ProductFacts | None = None) -> Decimal:
    """The annual premium of a periodic-premium sale: what the sale states, else the catalog's, else the amount."""
    x = s.context
    if x.periodic_premium_amount is not None:
        return x.periodic_premium_amount
    if p is not None and p.annual_premium is not None:
        return p.annual_premium
    return x.amount


def _income(s: Subject) -> Decimal | None:
    """Household annual income for the premium checks: the amount declared at the counter, else the lower
    end of the questionnaire's band (the least the customer said: a premium is never compared with more)."""
    c = s.customer
    if c.household_annual_income is not None:
        return c.household_annual_income
    return c.household_income_band[0] if c.household_income_band is not None else None


def _income_text(s: Subject, upper: bool = False) -> dict[str, str]:
    """Where the income in a reason comes from: declared, or an end of the questionnaire's band."""
    c = s.customer
    if c.household_annual_income is not None or c.household_income_band is None:
        return {"income_src": "申报", "income_src_en": "declared"}
    lo, hi = c.household_income_band
    band = f"{_money(lo)}-{_money(hi)}" if hi is not None else f"≥ {_money(lo)}"
    end_zh, end_en = ("上限", "upper") if upper else ("下限", "lower")
    return {"income_src": f"风险测评问卷所选区间 {band} 元的{end_zh}",
            "income_src_en": f"{end_en} end of the questionnaire band RMB {band}"}


def _low_income(s: Subject) -> bool:
    c, low = s.customer, s.limits.insurance_low_income
    if c.household_annual_income is not None:
        return c.household_annual_income < low
    band = c.household_income_band
    return band is not None and band[1] is not None and band[1] <= low


def _income_unknown(s: Subject) -> bool:
    """No income, or only a questionnaire band that straddles the low-income line (cannot tell)."""
    c, low = s.customer, s.limits.insurance_low_income
    if c.household_annual_income is not None:
        return False
    band = c.household_income_band
    return band is None or (band[0] < low and (band[1] is None or band[1] > low))


def _insurance(p: ProductFacts) -> bool:
    return p.type in _INSURANCE


def _ratings_differ(p: ProductFacts) -> bool:
    return len({r.level for r in p.ratings}) > 1


def _ratings_params(s: Subject, p: ProductFacts) -> dict[str, Any]:
    by_role = {r.role: r for r in p.ratings}
    out: dict[str, Any] = {"applied": _r(p.risk_level)}
    for role in ("issuer", "distributor"):
        r = by_role.get(role)
        out[role] = _r(r.level) if r else "-"
        out[f"{role}_by"] = (r.rated_by or "-") if r else "-"
        out[f"{role}_on"] = r.rated_on.isoformat() if r and r.rated_on else "-"
    return out


def _instalment_end_age(s: Subject, p: ProductFacts) -> int | None:
    """The policyholder's age when the payment period ends (age now + payment years); None: no instalments."""
    if not p.periodic_premium or p.premium_payment_years is None:
        return None
    return s.customer.age + p.premium_payment_years


def _licence_missing(s: Subject, p: ProductFacts) -> bool:
    return p.licence_required is not None and p.licence_required not in s.context.teller_licences


def _licence_expired(s: Subject, p: ProductFacts) -> bool:
    # Valid through its expiry date: expiring today still sells today.
    expiry = s.context.teller_licences.get(p.licence_required) if p.licence_required is not None else None
    return expiry is not None and expiry < s.context.today


def _licence_expired_params(s: Subject, p: ProductFacts) -> dict[str, Any]:
    assert p.licence_required is not None  # formatted only when _licence_expired holds
    return {"licence": p.licence_required, "expiry": str(s.context.teller_licences[p.licence_required])}


def _cooling_hours(s: Subject, p: ProductFacts) -> int:
    return max(s.limits.cooling_off_hours, p.cooling_off_hours) if not p.public else p.cooling_off_hours


def _base(s: Subject, p: ProductFacts) -> dict[str, str]:
    g = s.assessment.grade if s.assessment is not None else None
    return {"risk": _r(p.risk_level), "grade": f"C{g}" if g else "-"}


_NG = frozenset({"insurance_non_guaranteed"})
_INSURANCE = frozenset({"insurance_guaranteed", "insurance_non_guaranteed"})

RULES: tuple[Rule, ...] = (
    # -- civil capacity
    Rule("SUIT-CAP-01", "NFRA 金融机构产品适当性管理办法 2025 Art 19",
         Text("无民事行为能力", "No civil capacity"),
         lambda s, p: s.customer.civil_capacity == "none", PROHIBIT,
         Text("客户无民事行为能力，不得销售任何产品", "The customer has no civil capacity: no product may be sold"),
         guard=lambda s: s.customer.civil_capacity == "none"),
    Rule("SUIT-CAP-02", "NFRA 2025 Measures Art 19",
         Text("限制民事行为能力：仅限低风险", "Limited capacity: low risk only"),
         lambda s, p: s.customer.civil_capacity == "limited" and p.risk_level > s.limits.limited_capacity_max_risk,
         PROHIBIT,
         Text("限制民事行为能力客户仅可购买 R{max} 及以下产品，本产品为 {risk}",
              "A customer with limited civil capacity may buy only R{max} or lower; this product is {risk}"),
         params=lambda s, p: {**_base(s, p), "max": s.limits.limited_capacity_max_risk},
         guard=lambda s: s.customer.civil_capacity == "limited"),
    Rule("SUIT-CAP-03", "NFRA 2025 Measures Art 19",
         Text("限制民事行为能力：监护人同意", "Limited capacity: guardian's consent"),
         lambda s, p: s.customer.civil_capacity == "limited" and p.risk_level <= s.limits.limited_capacity_max_risk,
         CONDITIONS,
         Text("限制民事行为能力客户须取得监护人同意（{state}）",
              "Limited civil capacity: the guardian's consent is needed ({state_en})"),
         ("guardian_consent",),
         params=lambda s, p: {"state": "已取得" if s.customer.guardian_consent else "尚未取得",
                              "state_en": "recorded" if s.customer.guardian_consent else "not yet recorded"},
         guard=lambda s: s.customer.civil_capacity == "limited"),
    # -- assessment
    Rule("SUIT-ASSESS-01", "NFRA 2025 Measures §1 (assess before selling); Art 29",
         Text("缺少风险评估", "No risk assessment"),
         lambda s, p: s.assessment_state == "missing", PROHIBIT,
         Text("客户没有有效的风险承受能力评估，请先完成评估",
              "The customer has no risk-tolerance assessment: assess first"),
         guard=lambda s: s.assessment_state == "missing"),
    Rule("SUIT-ASSESS-02", "NFRA 2025 Measures Art 29 (valid 12 months)",
         Text("风险评估已过期", "Assessment expired"),
         lambda s, p: s.assessment_state == "expired", PROHIBIT,
         Text("风险评估已于 {last} 后失效，请客户重新评估",
              "The risk assessment was valid through {last}: the customer must reassess"),
         params=lambda s, p: {"last": s.last_valid_day.isoformat() if s.last_valid_day else "-"},
         guard=lambda s: s.assessment_state == "expired"),
    Rule("SUIT-ASSESS-03", "NFRA 2025 Measures Art 29",
         Text("评估日期晚于今日", "Assessment dated in the future"),
         lambda s, p: s.assessment_state == "future", PROHIBIT,
         Text("风险评估完成日期晚于今日，数据有误，请重新评估",
              "The assessment is dated after today (data error): reassess"),
         guard=lambda s: s.assessment_state == "future"),
    # -- the product's risk rating
    Rule("SUIT-RATE-01", f"{NFRA_2025_7} (issuer's and distributor's ratings differ: the higher applies)",
         Text("两个风险评级不一致，按孰高适用", "Ratings differ: the higher applies"),
         lambda s, p: _ratings_differ(p), INFO,
         Text("发行机构评级 {issuer}（{issuer_by}，{issuer_on}）与本行（代销机构）评级 {distributor}"
              "（{distributor_by}，{distributor_on}）不一致，按孰高原则适用 {applied}",
              "The issuer's rating {issuer} ({issuer_by}, {issuer_on}) and this bank's (the distributor's) rating "
              "{distributor} ({distributor_by}, {distributor_on}) differ: the higher, {applied}, applies"),
         params=_ratings_params),
    # -- grade matching
    Rule("SUIT-LOWEST-01", "CSRC 证券期货投资者适当性管理办法 Art 19; NFRA 2025 Measures",
         Text("最低风险等级客户：仅限 R1", "Lowest category: R1 only"),
         lambda s, p: s.lowest and p.risk_level > 1, PROHIBIT,
         Text("客户属于最低风险承受能力类别，只能购买 R1 产品，无任何例外（含客户主动要求）",
              "Lowest-category customer: R1 products only, no exception (not even at the customer's own request)"),
         guard=lambda s: s.lowest),
    Rule("SUIT-GRADE-01", f"{NFRA_2025_7} Arts 7, 12; CSRC 适当性办法 Art 22",
         Text("产品风险高于客户等级", "Product risk above the customer's grade"),
         lambda s, p: _above(s, p) and not s.customer.professional_investor
         and not (s.context.customer_initiated and s.exception_ok),
         PROHIBIT,
         Text("产品风险 {risk} 高于客户风险等级 {grade}，不得销售或推荐" + ART7.zh,
              "Product risk {risk} is above the customer's grade {grade}: it may not be sold or recommended" + ART7.en),
         params=_base,
         guard=lambda s: s.grade is not None and not s.customer.professional_investor),
    Rule("SUIT-GRADE-02", f"CSRC 适当性办法 Art 19; {NFRA_2025_7} Art 7 and exception article (unconfirmed Art 38/39); "
         f"{INSURANCE_SALES} Art 28",
         Text("客户主动要求购买高于其等级的产品", "Customer-initiated purchase above the grade"),
         lambda s, p: _above(s, p) and not s.customer.professional_investor
         and s.context.customer_initiated and s.exception_ok,
         CUSTOMER_ONLY,
         Text("产品风险 {risk} 高于客户等级 {grade}：仅在客户主动要求时办理，"
              "须特别书面风险警示、客户签字、客户在客户屏上亲自输入坚持购买的决定（保险销售行为管理办法第二十八条）、"
              "双录及主管审批" + ART7.zh,
              "Product risk {risk} is above the grade {grade}: only at the customer's own request, "
              "with a special written warning signed by the customer, the customer's own decision typed in their "
              "words on the customer screen (Measures on insurance sales conduct Art 28), the sale recording and "
              "supervisor approval"
              + ART7.en),
         ("special_risk_warning", "customer_signature", "customer_own_words", "recording", "supervisor_approval"),
         params=_base,
         guard=lambda s: s.grade is not None and not s.customer.professional_investor
         and s.context.customer_initiated and s.exception_ok),
    Rule("SUIT-PRO-01", "CSRC 适当性办法 Art 8 (professional investors); Art 22",
         Text("专业投资者购买高于评估等级的产品", "Professional investor above the assessed grade"),
         lambda s, p: _above(s, p) and s.customer.professional_investor, CONDITIONS,
         Text("专业投资者可购买产品风险 {risk}（高于评估等级 {grade}），不作主动推荐，须客户确认",
              "Professional investor may buy {risk} (above the assessed grade {grade}); not proactively recommended, "
              "the customer confirms"),
         ("extra_confirmation",), params=_base,
         guard=lambda s: s.grade is not None and s.customer.professional_investor),
    Rule("SUIT-INIT-01", "CSRC 适当性办法 Art 22 (practice: record who chose the product)",
         Text("客户自选产品", "Chosen by the customer"),
         lambda s, p: s.context.customer_initiated and s.grade is not None and p.risk_level <= s.grade,
         ELIGIBLE_ONLY,
         Text("客户主动选择本产品，与其等级相符；记录为客户自选，而非机构推荐",
              "The customer chose this product (within the grade); "
              "recorded as the customer's choice, not a recommendation"),
         guard=lambda s: s.grade is not None and s.context.customer_initiated),
    # -- ability to pay
    Rule("SUIT-AMOUNT-01", f"{NFRA_2025_7} Arts 7, 12",
         Text("金额与支付能力不相符", "Amount out of line with ability to pay"),
         lambda s, p: p.type != "deposit" and s.context.amount > s.amount_cap, CONDITIONS,
         Text("购买金额 {amount} 元超过申报可投资资产 {assets} 元的 {share_pct}%，{ack}",
              "Amount RMB {amount} exceeds {share_pct}% of the declared investable assets RMB {assets}; {ack_en}"),
         ("written_acknowledgement",),
         params=lambda s, p: {"amount": _money(s.context.amount), "assets": _money(s.customer.investable_assets),
                              "share_pct": _money(s.limits.max_amount_share * 100),
                              "ack": "客户已书面确认" if s.context.acknowledged_amount_mismatch
                              else "须客户书面确认，否则不适合",
                              "ack_en": "acknowledged in writing" if s.context.acknowledged_amount_mismatch
                              else "unsuitable unless the customer acknowledges it in writing"},
         guard=lambda s: s.context.amount > s.amount_cap),
    # -- older customers
    Rule("SUIT-ELDER-01", "NFRA 2025 Measures (older customers); CSRC 适当性办法 Art 20",
         Text("老年客户购买高风险产品", "Older customer, high-risk product"),
         lambda s, p: s.elderly and p.risk_level >= s.limits.elderly_min_risk, CONDITIONS,
         Text("客户 {age} 岁（≥{elder}），产品风险 {risk}：须额外确认、延长阅读时间并经主管审批",
              "Customer aged {age} (≥ {elder}) and product risk {risk}: extra confirmation, longer reading time and "
              "supervisor approval"),
         ("extra_confirmation", "longer_reading_time", "supervisor_approval"),
         params=lambda s, p: {**_base(s, p), "age": s.customer.age, "elder": s.limits.elderly_age,
                              "reading_seconds": s.limits.elderly_reading_seconds},
         guard=lambda s: s.elderly),
    # -- private products
    Rule("SUIT-PRIV-01", "资管新规 (银发〔2018〕106号) Art 5",
         Text("私募产品：非合格投资者", "Private product: not a qualified investor"),
         lambda s, p: not p.public and not s.qualified, PROHIBIT,
         Text("私募产品仅向合格投资者销售：须投资经历 ≥{years} 年，且家庭金融净资产 ≥{net} 元、"
              "或家庭金融资产 ≥{fin} 元、或近 3 年本人年均收入 ≥{inc} 元",
              "Private products are for qualified investors only: ≥ {years} years of experience and household net "
              "financial assets ≥ RMB {net}, or household financial assets ≥ RMB {fin}, "
              "or average income ≥ RMB {inc} over 3 years"),
         params=lambda s, p: {"years": s.limits.qualified_min_experience,
                              "net": _money(s.limits.qualified_net_fin_assets),
                              "fin": _money(s.limits.qualified_fin_assets),
                              "inc": _money(s.limits.qualified_avg_income)},
         guard=lambda s: not s.qualified),
    Rule("SUIT-PRIV-02", "资管新规 (银发〔2018〕106号) Art 5",
         Text("私募产品：低于最低金额", "Private product: below the minimum"),
         lambda s, p: not p.public
         and s.context.amount < s.limits.private_minimum.get(p.private_class, s.limits.private_minimum[None]),
         PROHIBIT,
         Text("私募产品（{cls}）单笔最低 {min} 元，本次 {amount} 元",
              "Private product ({cls}): minimum RMB {min}, amount RMB {amount}"),
         params=lambda s, p: {"cls": p.private_class or "unclassified",
                              "min": _money(s.limits.private_minimum.get(p.private_class,
                                                                         s.limits.private_minimum[None])),
                              "amount": _money(s.context.amount)}),
    Rule("SUIT-COOL-01", "私募投资基金募集行为管理办法 Art 31; 理财业务监督管理办法 2018 (cooling-off ≥ 24 h)",
         Text("投资冷静期", "Cooling-off period"),
         lambda s, p: not p.public or p.cooling_off_hours > 0, CONDITIONS,
         Text("本产品设投资冷静期 {cooling_hours} 小时", "This product has a cooling-off period of {cooling_hours} h"),
         ("cooling_off",), params=lambda s, p: {"cooling_hours": _cooling_hours(s, p)}),
    # -- bank-channel insurance (保监发〔2014〕3号)
    Rule("SUIT-INS-01", "保监发〔2014〕3号",
         Text("银保：高龄投保人仅限固定收益类", "Bank insurance: older policyholder, fixed-benefit only"),
         lambda s, p: _non_guaranteed(p) and s.customer.age > _insurance_age_limit(s, p), PROHIBIT,
         Text("投保人 {age} 岁，超过 {limit} 岁（{kind}），银保渠道只可购买固定收益类保险",
              "Policyholder aged {age}, over {limit} ({kind_en}): bank channel may sell fixed-benefit insurance only"),
         params=lambda s, p: {"age": s.customer.age, "limit": _insurance_age_limit(s, p),
                              "kind": "期交产品" if p.periodic_premium else "趸交产品",
                              "kind_en": "periodic premium" if p.periodic_premium else "single premium"},
         types=_NG),
    # The income is bound to a name (:=) where it is compared: a name narrows to not-None, a repeated call does not.
    Rule("SUIT-INS-02", "保监发〔2014〕3号",
         Text("银保：低收入投保人仅限固定收益类", "Bank insurance: low income, fixed-benefit only"),
         lambda s, p: _non_guaranteed(p) and _low_income(s),
         PROHIBIT,
         Text("家庭年收入（{income_src}）{income} 元低于 {low} 元，银保渠道只可购买固定收益类保险",
              "Household income ({income_src_en}) RMB {income} is below RMB {low}: fixed-benefit insurance only"),
         params=lambda s, p: {"income": _money(_income(s) if s.customer.household_annual_income is not None
                                               else (s.customer.household_income_band or (None, None))[1]),
                              "low": _money(s.limits.insurance_low_income), **_income_text(s, upper=True)},
         types=_NG, guard=_low_income),
    Rule("SUIT-INS-03", "保监发〔2014〕3号 (income needed for the checks)",
         Text("银保：未申报家庭年收入", "Bank insurance: household income not declared"),
         lambda s, p: _non_guaranteed(p) and _income_unknown(s), PROHIBIT,
         Text("非保证收益保险须先登记客户申报的家庭年收入"
              "（收入与保费检查；问卷所选收入区间不足以判断是否低于 {low} 元）",
              "Non-guaranteed insurance: record the household annual income the customer declares first (income and "
              "premium checks; the questionnaire's income band cannot tell whether it is below RMB {low})"),
         params=lambda s, p: {"low": _money(s.limits.insurance_low_income)},
         types=_NG, guard=_income_unknown),
    Rule("SUIT-INS-04", "保监发〔2014〕3号",
         Text("趸交保费超过家庭年收入 4 倍", "Single premium above 4× household income"),
         lambda s, p: _non_guaranteed(p) and not p.periodic_premium and (income := _income(s)) is not None
         and s.context.amount > income * s.limits.insurance_single_multiple,
         CONDITIONS,
         Text("趸交保费 {amount} 元超过家庭年收入 {income} 元的 {mult} 倍，须签署投保声明",
              "Single premium RMB {amount} exceeds {mult}× household income RMB {income}: signed declaration"),
         ("declaration",),
         params=lambda s, p: {"amount": _money(s.context.amount), "income": _money(_income(s)),
                              "mult": _money(s.limits.insurance_single_multiple)},
         types=_NG, guard=lambda s: _income(s) is not None),
    Rule("SUIT-INS-05", "保监发〔2014〕3号",
         Text("期交保费超过家庭年收入 20%", "Periodic premium above 20% of household income"),
         lambda s, p: _non_guaranteed(p) and p.periodic_premium and (income := _income(s)) is not None
         and _periodic_premium(s, p) > income * s.limits.insurance_periodic_share,
         CONDITIONS,
         Text("年期交保费 {premium} 元超过家庭年收入 {income} 元的 {pct}%，须签署投保声明",
              "Annual periodic premium RMB {premium} exceeds {pct}% of household income "
              "RMB {income}: signed declaration"),
         ("declaration",),
         params=lambda s, p: {"premium": _money(_periodic_premium(s, p)), "income": _money(_income(s)),
                              "pct": _money(s.limits.insurance_periodic_share * 100)},
         types=_NG, guard=lambda s: _income(s) is not None),
    Rule("SUIT-INS-06", "保监发〔2014〕3号",
         Text("缴费年限与年龄之和 ≥ 60", "Payment years + age ≥ 60"),
         lambda s, p: _non_guaranteed(p) and p.premium_payment_years is not None
         and p.premium_payment_years + s.customer.age >= s.limits.insurance_years_plus_age,
         CONDITIONS,
         Text("缴费年限 {years} 年与投保人年龄 {age} 岁之和达到 {limit}，须签署投保声明",
              "Payment years {years} + policyholder age {age} reach {limit}: signed declaration"),
         ("declaration",),
         params=lambda s, p: {"years": p.premium_payment_years, "age": s.customer.age,
                              "limit": s.limits.insurance_years_plus_age},
         types=_NG),
    # -- insurance under NFRA Order 2025 No. 7 and 保险销售行为管理办法 (all insurance, bank channel)
    Rule("SUIT-INS-07", f"{NFRA_2025_7} (insurance informed consent)",
         Text("保费占家庭年收入比例较高", "Premium high relative to household income"),
         lambda s, p: _insurance(p) and p.periodic_premium and (income := _income(s)) is not None
         and _periodic_premium(s, p) > income * s.limits.insurance_consent_premium_share,
         CONDITIONS,
         Text("年缴保费 {premium} 元超过家庭年收入 {income} 元（{income_src}）的 {pct}%，"
              "投保人须签署知情同意书（金融机构产品适当性管理办法）",
              "Annual premium RMB {premium} exceeds {pct}% of household income RMB {income} ({income_src_en}): "
              "the policyholder signs an informed-consent declaration (NFRA Order 2025 No. 7)"),
         ("informed_consent",),
         params=lambda s, p: {"premium": _money(_periodic_premium(s, p)), "income": _money(_income(s)),
                              "pct": _money(s.limits.insurance_consent_premium_share * 100), **_income_text(s)},
         types=_INSURANCE, guard=lambda s: _income(s) is not None),
    Rule("SUIT-INS-08", f"{NFRA_2025_7} (insurance: instalments past age 75)",
         Text("缴费期满时投保人年龄超过上限", "Instalments run past the age limit"),
         lambda s, p: _insurance(p) and (end := _instalment_end_age(s, p)) is not None
         and end > s.limits.insurance_instalment_end_age,
         CONDITIONS,
         Text("投保人 {age} 岁，缴费 {years} 年，缴费期满时 {end} 岁，超过 {limit} 岁，"
              "须签署知情同意书（金融机构产品适当性管理办法）",
              "Policyholder aged {age} paying for {years} years is {end} when the instalments end, past {limit}: "
              "signed informed-consent declaration (NFRA Order 2025 No. 7)"),
         ("informed_consent",),
         params=lambda s, p: {"age": s.customer.age, "years": p.premium_payment_years,
                              "end": _instalment_end_age(s, p), "limit": s.limits.insurance_instalment_end_age},
         types=_INSURANCE),
    Rule("SUIT-INS-09", f"{INSURANCE_SALES}; 商业银行代理保险业务管理办法 (银保监办发〔2019〕179号), "
         "bank-channel 犹豫期",
         Text("银保犹豫期", "Bank-channel free-look period"),
         lambda s, p: _insurance(p), INFO,
         Text("犹豫期 {days} 日：自签收保险合同之日起 {days} 日内可无条件解除合同，退还保费（扣除不超过 10 元工本费）",
              "Free-look period of {days} days: within {days} days of receiving the policy the customer may cancel "
              "without a reason and get the premiums back (less a fee of at most RMB 10)"),
         params=lambda s, p: {"days": s.limits.insurance_free_look_days}, types=_INSURANCE),
    # -- staff qualification (持证上岗)
    Rule("SUIT-LIC-01", "seed 003 §1.2 (持证上岗)",
         Text("柜员无所需资格证", "Teller lacks the licence"),
         _licence_missing, PROHIBIT,
         Text("本柜员未持有销售本产品所需的资格证「{licence}」，不得由本柜员销售",
              "This teller does not hold the licence \"{licence}\" this product requires: not for sale by this teller"),
         params=lambda s, p: {"licence": p.licence_required}),
    Rule("SUIT-LIC-02", "seed 003 §1.2 (持证上岗)",
         Text("柜员资格证已过期", "Teller's licence expired"),
         _licence_expired, PROHIBIT,
         Text("本柜员的资格证「{licence}」已于 {expiry} 到期，不得由本柜员销售",
              "This teller's licence \"{licence}\" expired on {expiry}: not for sale by this teller"),
         params=_licence_expired_params),
    # -- product state
    Rule("SUIT-REC-01", "银监办发〔2017〕110号 (双录)",
         Text("双录", "Dual recording"),
         lambda s, p: p.recording_required or p.type in RECORDED_TYPES, CONDITIONS,
         Text("本产品销售须全程录音录像（双录）；客户拒绝录音录像则不得销售",
              "This sale must be audio/video recorded; if the customer refuses, the product cannot be sold"),
         ("recording",)),
    Rule("SUIT-SALE-01", "product catalog (practice)",
         Text("产品未在售", "Product not on sale"),
         lambda s, p: p.status not in ON_SALE_STATUSES, PROHIBIT,
         Text("产品状态为「{status}」，当前不可销售", "Product status is \"{status}\": not on sale"),
         params=lambda s, p: {"status": p.status}),
    Rule("SUIT-SALE-02", "product catalog (practice)",
         Text("不在销售期内", "Outside the sale window"),
         lambda s, p: (p.sale_start is not None and s.context.today < p.sale_start)
         or (p.sale_end is not None and s.context.today > p.sale_end),
         PROHIBIT,
         Text("今日不在产品销售期（{start} 至 {end}）内", "Today is outside the sale window ({start} to {end})"),
         params=lambda s, p: {"start": p.sale_start.isoformat() if p.sale_start else "-",
                              "end": p.sale_end.isoformat() if p.sale_end else "-"}),
    Rule("SUIT-MIN-01", "product terms",
         Text("低于产品起购金额", "Below the product minimum"),
         lambda s, p: s.context.amount < p.min_amount, PROHIBIT,
         Text("购买金额 {amount} 元低于起购金额 {min} 元", "Amount RMB {amount} is below the minimum RMB {min}"),
         params=lambda s, p: {"amount": _money(s.context.amount), "min": _money(p.min_amount)}),
    # -- AML
    Rule("SUIT-AML-01", "反洗钱法 2024 (enhanced due diligence); bank practice",
         Text("反洗钱高风险客户", "High AML-risk customer"),
         lambda s, p: s.customer.aml_level == "high", CONDITIONS,
         Text("客户反洗钱风险等级为高，须主管审批", "The customer's AML risk rating is high: supervisor approval"),
         ("supervisor_approval",),
         guard=lambda s: s.customer.aml_level == "high"),
)

RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
