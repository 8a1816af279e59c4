"""Recommendation for one customer in a counter session: every product of the current catalog is
decided by the suitability engine; the eligible ones are ranked; the customer's choice (or their own
request for a product) is stored with the decision and its reasons."""
from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.branchtime import branch_day
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Result, Text
from counterdesk.services.assessment import repository as assessments
from counterdesk.services.assessment.repository import AssessmentResult
from counterdesk.services.auth.vault import Vault
from counterdesk.services.catalog.licences import list_licences
from counterdesk.services.catalog.products import Product
from counterdesk.services.catalog.versions import Catalog, current_catalog
from counterdesk.services.customers.common import current_answers
from counterdesk.services.customers.data_rights import require_unrestricted
from counterdesk.services.customers.designation import require_not_designated
from counterdesk.services.sales.facts import assessment_facts, customer_facts
from counterdesk.store import audit
from counterdesk.store.models.sales import SaleDecision
from counterdesk.suitability import recommend
from counterdesk.suitability.evaluation import Decision, evaluate, evaluate_many
from counterdesk.suitability.facts import AssessmentFacts, CustomerFacts, ProductFacts, RiskRating, SaleContext
from counterdesk.suitability.ranking import Ranked

LIQUIDITY_DAYS = {"within_1y": 365, "from_1y_to_3y": 3 * 365, "from_3y_to_5y": 5 * 365, "above_5y": 10 * 365}


def _rank(level: str) -> int:
    return int(str(level).lstrip("Rr"))


def product_facts(p: Product) -> ProductFacts:
    """From a catalog Product (counterdesk.services.catalog.products). With an issuer's rating the engine
    gets both ratings and the higher as the product's risk (NFRA Order 2025 No. 7)."""
    ratings: tuple[RiskRating, ...] = ()
    if p.issuer_risk_level:
        ratings = (RiskRating("distributor", _rank(p.risk_level), p.distributor_rated_by, p.distributor_rated_on),
                   RiskRating("issuer", _rank(p.issuer_risk_level), p.issuer_rated_by, p.issuer_rated_on))
    return ProductFacts(code=p.code, type=p.type, risk_level=_rank(p.applied_risk_level), public=p.public,
                        private_class=p.private_class, min_amount=p.min_amount, term_days=p.term_days,
                        liquidity=p.liquidity, sale_start=p.sale_start, sale_end=p.sale_end, status=p.status,
                        cooling_off_hours=p.cooling_off_hours, recording_required=p.recording_required,
                        licence_required=p.licence_required or None, periodic_premium=p.periodic_premium,
                        premium_payment_years=p.premium_payment_years, annual_premium=p.annual_premium,
                        ratings=ratings, name_zh=p.name_zh, name_en=p.name_en)


def parse_amount(text: Any, field: str, res: Result, required: bool = True,
                 positive: bool = False) -> Decimal | None:
    """``positive``: 0 is refused too (an amount to invest; a declared income may be 0)."""
    raw = str(text or "").replace(",", "").replace("，", "").strip()
    if not raw:
        if required:
            res.add(field, "required", Text("请填写金额。", "Enter the amount."))
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        res.add(field, "amount_invalid", Text("金额格式不正确。", "The amount is not a number."))
        return None
    if not value.is_finite() or value < 0 or value > Decimal("1e12"):
        res.add(field, "amount_range", Text("金额超出范围。", "The amount is out of range."))
        return None
    if positive and value.quantize(Decimal("0.01")) <= 0:
        res.add(field, "amount_not_positive", Text("购买金额须大于 0。", "The amount to invest must be more than 0."))
        return None
    return value.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Buyer:
    """Who is buying in a counter session: what the recommendation reads about the customer."""

    session_id: str
    customer_id: str
    assessment: AssessmentResult | None
    aml_level: str | None


@dataclass
class Proposal:
    """What the teller shows: the ranked eligible products and every decision, with the inputs."""

    ranked: list[Ranked]  # best fit first
    decisions: dict[str, Decision]
    products: dict[str, Product]
    catalog_version: int | None
    context: SaleContext
    declared: dict[str, str]


def _inputs(vault: Vault, us: SignedInUser, buyer: Buyer, declared: Mapping[str, Any],
            today: date) -> tuple[CustomerFacts, AssessmentFacts | None, Catalog, dict[str, date | None]]:
    result = buyer.assessment
    answers = assessments.get_answers(vault, us, result.assessment_id) if result else {}
    kyc = vault.transact(lambda db: current_answers(db, buyer.customer_id)[1])
    customer = customer_facts(kyc, answers, declared, today, buyer.aml_level)
    licences = {li.licence_type: li.expires for li in list_licences(vault, us, us.user_id)}
    return customer, assessment_facts(result), current_catalog(vault, us), licences


def propose(vault: Vault, us: SignedInUser, buyer: Buyer, amount_text: str, declared_text: Mapping[str, Any],
            horizon: str | None, acknowledged: bool = False,
            today: date | None = None) -> tuple[Result, Proposal | None]:
    """Every product of the current catalog decided for this buyer and amount, the eligible ones ranked."""
    today = today or branch_day(datetime.now(UTC))  # the branch's day, whatever the machine's zone
    res = Result()
    amount = parse_amount(amount_text, "amount", res, positive=True)
    declared = {}
    for key in ("investable_assets", "household_net_financial_assets", "household_financial_assets",
                "avg_income_3y", "household_annual_income"):
        value = parse_amount(declared_text.get(key), key, res, required=key == "investable_assets")
        if value is not None:
            declared[key] = str(value)
    if not res.ok or amount is None:
        return res, None
    customer, assessment, catalog, licences = _inputs(vault, us, buyer, declared, today)
    context = SaleContext(amount=amount, today=today, teller_licences=licences,
                          acknowledged_amount_mismatch=acknowledged)
    products = {p.code: p for p in catalog.products}
    facts = [product_facts(p) for p in catalog.products]
    decisions = evaluate_many(customer, assessment, facts, context, vault.settings())
    by_code = {f.code: d for f, d in zip(facts, decisions)}
    ranked = recommend(customer, assessment, facts, context, horizon_days=LIQUIDITY_DAYS.get(horizon or ""),
                       settings=vault.settings(), decisions=decisions)
    return res, Proposal(ranked, by_code, products, catalog.number, context, declared)


def customer_request(vault: Vault, us: SignedInUser, buyer: Buyer, proposal: Proposal, code: str,
                     today: date | None = None) -> Decision | None:
    """The customer names a product themself: decided as customer-initiated (None: no such product)."""
    today = today or branch_day(datetime.now(UTC))  # the branch's day, whatever the machine's zone
    product = proposal.products.get(code.strip().upper()) or proposal.products.get(code.strip())
    if product is None:
        return None
    customer, assessment, _catalog, _licences = _inputs(vault, us, buyer, proposal.declared, today)
    context = SaleContext(amount=proposal.context.amount, today=today,
                          teller_licences=proposal.context.teller_licences, customer_initiated=True,
                          acknowledged_amount_mismatch=proposal.context.acknowledged_amount_mismatch)
    return evaluate(customer, assessment, product_facts(product), context, vault.settings())


def choose(vault: Vault, us: SignedInUser, buyer: Buyer, proposal: Proposal, code: str, decision: Decision,
           customer_initiated: bool) -> str:
    """Store the decision with the session (returns its id); a prohibited product cannot be chosen."""
    if decision.outcome == "prohibited":
        raise CounterDeskError(Text("该产品不得向该客户销售。", "This product may not be sold to this customer."),
                               code="prohibited")
    require(us.role, "session.start")
    decision_id = str(uuid.uuid4())
    findings = [{"rule": f.rule_id, "source": f.source, "effect": f.effect, "zh": f.reason.zh,
                 "en": f.reason.en} for f in decision.findings]
    conditions = [{"code": c.code, "zh": c.text.zh, "en": c.text.en, "satisfied": c.satisfied}
                  for c in decision.conditions]

    def write(db: Session) -> str:
        require_unrestricted(db, buyer.customer_id)  # PIPL Art 47: no sale to a restricted customer
        require_not_designated(db, buyer.customer_id)  # AML Law Art 40: no business with a designated customer
        result = buyer.assessment
        db.add(SaleDecision(
            id=decision_id, session_id=buyer.session_id, customer_id=buyer.customer_id,
            assessment_id=result.assessment_id if result else None,
            catalog_version=proposal.catalog_version or 0, product_code=code,
            amount=str(proposal.context.amount), customer_initiated=customer_initiated,
            outcome=decision.outcome, rules_version=decision.rules_version,
            findings=json.dumps(findings, ensure_ascii=False), conditions=json.dumps(conditions, ensure_ascii=False),
            declared=json.dumps(proposal.declared), decided_at=datetime.now(UTC).isoformat(timespec="seconds"),
            decided_by=us.user_id))
        db.flush()
        audit.append(db, us.actor, "sale.product_chosen", "counter_session", buyer.session_id,
                     {"product_code": code, "outcome": decision.outcome, "customer_initiated": customer_initiated,
                      "catalog_version": proposal.catalog_version})
        return decision_id
    return vault.transact(write)
