"""Product suitability (适当性): rules as data, decisions with reasons, proactive recommendation.

Qt-free and storage-free: callers map their customer, assessment, product and session records to
the input dataclasses in ``facts``. See ``rules.RULES`` for the rule table (id, source, effect).
"""
from counterdesk.suitability.evaluation import (
    CUSTOMER_INITIATED_ONLY,
    ELIGIBLE,
    ELIGIBLE_WITH_CONDITIONS,
    OUTCOME_TEXTS,
    OUTCOMES,
    PROHIBITED,
    RECOMMENDED,
    Decision,
    Finding,
    SaleCondition,
    evaluate,
    evaluate_many,
    explain,
    subject_for,
)
from counterdesk.suitability.facts import (
    AML_LEVELS,
    CIVIL_CAPACITIES,
    LIQUIDITY_LEVELS,
    ON_SALE_STATUSES,
    PRIVATE_CLASSES,
    PRODUCT_TYPES,
    AssessmentFacts,
    CustomerFacts,
    ProductFacts,
    SaleContext,
)
from counterdesk.suitability.ranking import Ranked, recommend
from counterdesk.suitability.rules import (
    RULES,
    RULES_BY_ID,
    RULES_VERSION,
    Rule,
    assessment_last_valid_day,
    resolve_limits,
)

__all__ = [
    "AML_LEVELS",
    "CIVIL_CAPACITIES",
    "CUSTOMER_INITIATED_ONLY",
    "ELIGIBLE",
    "ELIGIBLE_WITH_CONDITIONS",
    "LIQUIDITY_LEVELS",
    "ON_SALE_STATUSES",
    "OUTCOMES",
    "OUTCOME_TEXTS",
    "PRIVATE_CLASSES",
    "PRODUCT_TYPES",
    "PROHIBITED",
    "RECOMMENDED",
    "RULES",
    "RULES_BY_ID",
    "RULES_VERSION",
    "AssessmentFacts",
    "CustomerFacts",
    "Decision",
    "Finding",
    "ProductFacts",
    "Ranked",
    "Rule",
    "SaleCondition",
    "SaleContext",
    "assessment_last_valid_day",
    "evaluate",
    "evaluate_many",
    "explain",
    "recommend",
    "resolve_limits",
    "subject_for",
]
