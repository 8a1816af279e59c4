"""Evaluate the suitability rules for one customer and one (or many) products.

``evaluate`` runs every rule of ``RULES`` and keeps every one that triggered, so a decision can
always be explained and stored as evidence. The outcome is the strongest effect among them:

    any prohibit                 → prohibited
    else a customer-only rule    → customer_initiated_only (its conditions listed)
    else any condition           → eligible_with_conditions
    else an eligible-only rule   → eligible (may be sold, not a proactive recommendation)
    else                         → recommended
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from counterdesk.base.text import Text
from counterdesk.suitability.facts import AssessmentFacts, CustomerFacts, ProductFacts, SaleContext
from counterdesk.suitability.rules import (
    CONDITION_TEXTS,
    CONDITIONS,
    CUSTOMER_ONLY,
    ELIGIBLE_ONLY,
    PROHIBIT,
    RULES,
    RULES_VERSION,
    Limits,
    Rule,
    Subject,
    resolve_limits,
)
from counterdesk.suitability.sources import source_text

RECOMMENDED = "recommended"
ELIGIBLE = "eligible"
ELIGIBLE_WITH_CONDITIONS = "eligible_with_conditions"
CUSTOMER_INITIATED_ONLY = "customer_initiated_only"
PROHIBITED = "prohibited"
OUTCOMES = (RECOMMENDED, ELIGIBLE, ELIGIBLE_WITH_CONDITIONS, CUSTOMER_INITIATED_ONLY, PROHIBITED)
SELLABLE = frozenset({RECOMMENDED, ELIGIBLE, ELIGIBLE_WITH_CONDITIONS})

OUTCOME_TEXTS = {
    RECOMMENDED: Text("适合，可推荐", "Suitable: may be recommended"),
    ELIGIBLE: Text("适合，可销售（非主动推荐）", "Suitable: may be sold (not a proactive recommendation)"),
    ELIGIBLE_WITH_CONDITIONS: Text("满足以下条件后可销售", "May be sold once the conditions below are met"),
    CUSTOMER_INITIATED_ONLY: Text("仅限客户主动要求，须满足以下条件",
                                  "Only at the customer's own request, with the conditions below"),
    PROHIBITED: Text("不得销售", "May not be sold"),
}


@dataclass(frozen=True)
class SaleCondition:
    code: str
    text: Text
    rules: tuple[str, ...]  # the rules that require it
    satisfied: bool = False  # already met by the facts given (guardian consent, written acknowledgement)


@dataclass(frozen=True)
class Finding:
    """One triggered rule: the evidence line of a decision."""

    rule_id: str
    source: str
    effect: str
    reason: Text
    conditions: tuple[str, ...] = ()


class Decision:
    """The outcome for one product, with every triggered rule.

    ``outcome``, ``rule_ids`` and the condition codes are settled when the decision is made; the
    wording (``findings``, ``conditions``) is formatted on first use, so checking a whole catalog
    does not pay for texts nobody reads. Two decisions are equal when all of these are equal.
    """

    __slots__ = (
        "_codes",
        "_conditions",
        "_findings",
        "_hits",
        "_open",
        "_product",
        "_subject",
        "outcome",
        "product_code",
        "rule_ids",
    )
    rules_version = RULES_VERSION

    def __init__(self, product_code: str, outcome: str, rule_ids: tuple[str, ...], codes: tuple[str, ...],
                 open_conditions: int, hits: tuple[Rule, ...], subject: Subject, product: ProductFacts):
        self.product_code, self.outcome, self.rule_ids = product_code, outcome, rule_ids
        self._codes, self._open, self._hits = codes, open_conditions, hits
        self._subject, self._product = subject, product
        self._findings: tuple[Finding, ...] | None = None
        self._conditions: tuple[SaleCondition, ...] | None = None

    @property
    def sellable(self) -> bool:
        """May be sold in a normal (not customer-initiated-exception) sale."""
        return self.outcome in SELLABLE

    @property
    def findings(self) -> tuple[Finding, ...]:
        if self._findings is None:
            self._format()
        return self._findings  # type: ignore[return-value]

    @property
    def conditions(self) -> tuple[SaleCondition, ...]:
        """What must be fulfilled before the sale; empty when prohibited (nothing to fulfil)."""
        if self._conditions is None:
            self._format()
        return self._conditions  # type: ignore[return-value]

    @property
    def open_conditions(self) -> int:
        """How many conditions the given facts do not already satisfy."""
        return self._open

    def condition_codes(self) -> tuple[str, ...]:
        return self._codes

    def reasons(self, lang: str) -> list[str]:
        return [f.reason.get(lang) for f in self.findings]

    def _format(self) -> None:
        s, p = self._subject, self._product
        findings: list[Finding] = []
        conditions: dict[str, SaleCondition] = {}
        for rule in self._hits:
            pp = rule.params(s, p) if rule.params is not None else {}
            findings.append(Finding(rule.id, rule.source, rule.effect, rule.reason.format(**pp), rule.conditions))
            for code in rule.conditions:
                known = conditions.get(code)
                if known is None:
                    conditions[code] = SaleCondition(code, CONDITION_TEXTS[code].format(**pp), (rule.id,),
                                                 _satisfied(code, s))
                else:
                    conditions[code] = SaleCondition(code, known.text, (*known.rules, rule.id), known.satisfied)
        self._findings = tuple(findings)
        self._conditions = () if self.outcome == PROHIBITED else tuple(conditions.values())

    def _key(self) -> tuple[str, str, tuple[str, ...], tuple[Finding, ...], tuple[SaleCondition, ...]]:
        return (self.product_code, self.outcome, self.rule_ids, self.findings, self.conditions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Decision) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Decision({self.product_code!r}, {self.outcome!r}, rules={self.rule_ids!r}, conditions={self._codes!r})"


def _satisfied(code: str, subject: Subject) -> bool:
    if code == "guardian_consent":
        return subject.customer.guardian_consent
    if code == "written_acknowledgement":
        return subject.context.acknowledged_amount_mismatch
    return False


class _Checker:
    """Checks products for one Subject: keeps, per product type, only the rules that can trigger
    for this customer, and settles the outcome once per distinct set of triggered rules."""

    def __init__(self, subject: Subject, rules: Sequence[Rule]):
        self.subject = subject
        self.rules = tuple(r for r in rules if r.guard is None or r.guard(subject))
        self._by_type: dict[str, tuple[Rule, ...]] = {}
        self._memo: dict[tuple[Rule, ...], tuple[str, tuple[str, ...], tuple[str, ...], int]] = {}

    def decide(self, product: ProductFacts) -> Decision:
        rules = self._by_type.get(product.type)
        if rules is None:
            rules = self._by_type[product.type] = tuple(
                r for r in self.rules if r.types is None or product.type in r.types)
        s = self.subject
        hits = tuple([r for r in rules if r.when(s, product)])
        done = self._memo.get(hits)
        if done is None:
            done = self._memo[hits] = _conclude(s, hits)
        return Decision(product.code, done[0], done[1], done[2], done[3], hits, s, product)


def _conclude(subject: Subject, hits: tuple[Rule, ...]) -> tuple[str, tuple[str, ...], tuple[str, ...], int]:
    """Outcome, rule ids, condition codes and open-condition count: these depend on the rules only."""
    effects = {r.effect for r in hits}
    codes = tuple(dict.fromkeys(code for r in hits for code in r.conditions))
    ids = tuple(r.id for r in hits)
    if PROHIBIT in effects:
        return PROHIBITED, ids, (), 0
    if CUSTOMER_ONLY in effects:
        outcome = CUSTOMER_INITIATED_ONLY
    elif CONDITIONS in effects:
        outcome = ELIGIBLE_WITH_CONDITIONS
    elif ELIGIBLE_ONLY in effects:
        outcome = ELIGIBLE
    else:
        outcome = RECOMMENDED
    return outcome, ids, codes, sum(1 for c in codes if not _satisfied(c, subject))


def _limits(settings: Any) -> Limits:
    global _DEFAULT_LIMITS
    if settings is None:
        if _DEFAULT_LIMITS is None:  # declared defaults never change at run time
            _DEFAULT_LIMITS = resolve_limits(None)
        return _DEFAULT_LIMITS
    return resolve_limits(settings)


_DEFAULT_LIMITS: Limits | None = None


def subject_for(customer: CustomerFacts, assessment: AssessmentFacts | None, context: SaleContext,
                settings: Any = None) -> Subject:
    """The customer-side facts, computed once; reuse it to check many products quickly."""
    return Subject.of(customer, assessment, context, _limits(settings))


def evaluate(customer: CustomerFacts, assessment: AssessmentFacts | None, product: ProductFacts,
             context: SaleContext, settings: Any = None, rules: Sequence[Rule] = RULES) -> Decision:
    """The suitability decision for one product: outcome, conditions and every triggered rule.

    ``settings``: a SettingsValues (or a dict by key); None uses the declared defaults.
    ``assessment`` None means the customer has no assessment (prohibited: assess first).
    """
    return _Checker(subject_for(customer, assessment, context, settings), rules).decide(product)


def evaluate_many(customer: CustomerFacts, assessment: AssessmentFacts | None, products: Iterable[ProductFacts],
                  context: SaleContext, settings: Any = None, rules: Sequence[Rule] = RULES) -> list[Decision]:
    """``evaluate`` for a whole catalog, in the products' order."""
    checker = _Checker(subject_for(customer, assessment, context, settings), rules)
    return [checker.decide(p) for p in products]


def explain(decision: Decision, lang: str = "zh") -> list[str]:
    """A decision as text lines for the teller screen, the paper record or a log."""
    en = lang.startswith("en")
    lines = [f"{decision.product_code}: {OUTCOME_TEXTS[decision.outcome].get(lang)}"]
    if not decision.findings:
        lines.append("  " + ("No rule restricts this sale." if en else "无任何规则限制本次销售。"))
    for f in decision.findings:
        source = source_text(f.rule_id, f.source).get(lang)  # the screen's language, not the stored reference
        lines.append(f"  [{f.rule_id}] {f.reason.get(lang)} ({'source' if en else '依据'}: {source})")
    if decision.conditions:
        lines.append("  " + ("Conditions:" if en else "条件："))
        for c in decision.conditions:
            done = (" ✓ done" if en else " ✓ 已满足") if c.satisfied else ""
            lines.append(f"   - {c.text.get(lang)}{done}")  # the text, not the code: one language per screen
    lines.append(f"  ({'rules' if en else '规则版本'} {decision.rules_version})")
    return lines


def outcome_rank(outcome: str) -> int:
    """0 = best (recommended) … 4 = prohibited."""
    return OUTCOMES.index(outcome)


__all__ = [
    "OUTCOMES",
    "OUTCOME_TEXTS",
    "Decision",
    "Finding",
    "SaleCondition",
    "evaluate",
    "evaluate_many",
    "explain",
    "outcome_rank",
    "subject_for",
]
