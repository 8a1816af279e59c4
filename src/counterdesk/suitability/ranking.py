"""Proactive recommendation: the sellable products within the customer's grade, ranked by fit.

Only products the bank may put forward itself are listed, so the context is treated as NOT
customer-initiated and anything above the grade is left out even for professional investors
(CSRC 适当性办法 Art 22: never proactively recommend above the grade). Lower score = better fit;
ties break on product code, then catalog order, so the order is stable and deterministic.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from counterdesk.base.text import Text
from counterdesk.suitability.evaluation import SELLABLE, Decision, _Checker, outcome_rank, subject_for
from counterdesk.suitability.facts import LIQUIDITY_LEVELS, AssessmentFacts, CustomerFacts, ProductFacts, SaleContext
from counterdesk.suitability.rules import RULES, Rule

LIQUIDITY_TEXTS = {"daily": ("每日可赎回", "daily redemption"), "weekly": ("每周开放", "weekly"),
                   "monthly": ("每月开放", "monthly"), "quarterly": ("每季开放", "quarterly"),
                   "semiannual": ("每半年开放", "half-yearly"), "annual": ("每年开放", "yearly"),
                   "periodic_open": ("定期开放", "periodic open"), "surrender": ("退保（可能有损失）", "surrender"),
                   "closed_end": ("封闭式", "closed-end"), "at_maturity": ("到期兑付", "at maturity")}

# Weights of the fit score (practice, not regulation; tune with the business).
W_GRADE = 1.0  # per level below the grade
W_TERM_OVER = 2.0  # the term runs past the horizon
W_LIQUIDITY = 2.0  # exits less often than needed
W_CONDITION = 0.3  # per condition still to fulfil
W_AMOUNT = 0.25  # the amount barely reaches the minimum


@dataclass(frozen=True)
class Ranked:
    rank: int  # 1 = best
    product: ProductFacts
    decision: Decision
    score: float
    reason: Text  # one line


def _liq_index(value: str | None) -> int | None:
    return LIQUIDITY_LEVELS.index(value) if value in LIQUIDITY_LEVELS else None


def _fit(p: ProductFacts, d: Decision, grade: int, horizon: int | None, need: int | None) -> tuple[float, Text]:
    zh: list[str] = []
    en: list[str] = []
    gap = grade - p.risk_level
    score = W_GRADE * gap
    if gap == 0:
        zh.append(f"风险 R{p.risk_level} 与客户等级 C{grade} 相当")
        en.append(f"risk R{p.risk_level} matches grade C{grade}")
    else:
        zh.append(f"风险 R{p.risk_level}，低于客户等级 C{grade}")
        en.append(f"risk R{p.risk_level}, below grade C{grade}")
    if horizon is not None:
        if p.term_days is None:
            score += 0.25  # open-ended: fits any horizon, slightly less precisely than a matching term
            zh.append("无固定期限")
            en.append("open-ended")
        elif p.term_days > horizon:
            score += W_TERM_OVER + min(1.0, (p.term_days - horizon) / max(horizon, 1))
            zh.append(f"期限 {p.term_days} 天，超过投资期限 {horizon} 天")
            en.append(f"term {p.term_days} d, beyond the {horizon}-day horizon")
        else:
            score += 0.5 * (horizon - p.term_days) / max(horizon, 1)
            zh.append(f"期限 {p.term_days} 天，在投资期限 {horizon} 天内")
            en.append(f"term {p.term_days} d, within the {horizon}-day horizon")
    if need is not None:
        have = _liq_index(p.liquidity)
        lz, le = LIQUIDITY_TEXTS.get(p.liquidity, (p.liquidity, p.liquidity))
        if have is None:
            score += 1.0
            zh.append(f"流动性「{lz}」未知")
            en.append(f"liquidity \"{le}\" unknown")
        elif have > need:
            score += W_LIQUIDITY + 0.5 * (have - need)
            zh.append(f"{lz}，低于流动性需要")
            en.append(f"{le}, less liquid than needed")
        else:
            zh.append(f"{lz}，满足流动性需要")
            en.append(f"{le}, meets the liquidity need")
    open_conditions = d.open_conditions
    if open_conditions:
        score += W_CONDITION * open_conditions
        zh.append(f"须满足 {open_conditions} 项条件")
        en.append(f"{open_conditions} condition(s) to fulfil")
    return round(score, 9), Text("；".join(zh), "; ".join(en))


def recommend(customer: CustomerFacts, assessment: AssessmentFacts | None, products: Sequence[ProductFacts],
              context: SaleContext, horizon_days: int | None = None, liquidity_need: str | None = None,
              settings: Any = None, rules: Sequence[Rule] = RULES,
              decisions: Sequence[Decision] | None = None) -> list[Ranked]:
    """Products that may be recommended or sold (with conditions), best fit first.

    ``horizon_days``: how long the customer can commit the money; ``liquidity_need``: one of
    LIQUIDITY_LEVELS (how often they need access). Both optional. ``decisions``: the result of
    ``evaluate_many`` for the same products and a NOT customer-initiated context, to save a second
    pass; ignored (re-evaluated) when the context is customer-initiated or they do not line up.
    """
    proactive = replace(context, customer_initiated=False) if context.customer_initiated else context
    subject = subject_for(customer, assessment, proactive, settings)
    grade = subject.grade
    if grade is None:
        return []
    if decisions is not None and (context.customer_initiated or len(decisions) != len(products)):
        decisions = None
    need = _liq_index(liquidity_need)
    amount = proactive.amount
    checker = _Checker(subject, rules)
    fits: dict[tuple[int, int | None, str, int], tuple[float, Text]] = {}  # many products share the same fit inputs
    scored = []
    for index, product in enumerate(products):
        if product.risk_level > grade:  # never, whatever the outcome (professional investors included)
            continue
        decision = decisions[index] if decisions is not None else None
        if decision is None or decision.product_code != product.code:
            decision = checker.decide(product)
        if decision.outcome not in SELLABLE:
            continue
        key = (product.risk_level, product.term_days, product.liquidity, decision.open_conditions)
        fit = fits.get(key)
        if fit is None:
            fit = fits[key] = _fit(product, decision, grade, horizon_days, need)
        score = fit[0]
        if product.min_amount > 0 and amount > 0:  # prefer headroom above the minimum
            score = round(score + W_AMOUNT * float(product.min_amount / amount), 9)
        scored.append((score, outcome_rank(decision.outcome), product.code, index, product, decision, fit[1]))
    scored.sort(key=lambda t: t[:4])
    return [Ranked(i + 1, t[4], t[5], t[0], t[6]) for i, t in enumerate(scored)]
