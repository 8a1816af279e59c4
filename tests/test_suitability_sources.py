"""Every suitability rule's source in both languages (counterdesk.suitability.sources), each in its own
language only, and ``explain`` citing it in the screen's language."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from counterdesk.suitability.evaluation import evaluate, explain
from counterdesk.suitability.facts import AssessmentFacts, CustomerFacts, ProductFacts, SaleContext
from counterdesk.suitability.rules import RULES
from counterdesk.suitability.sources import SOURCE_TEXTS
from helpers.screens import HAN, LATIN_WORD, _zh_allowed


def test_every_rule_has_its_source_in_zh_and_en():
    assert {r.id for r in RULES} == set(SOURCE_TEXTS)
    for rule_id, text in SOURCE_TEXTS.items():
        assert HAN.findall(text.en) == [], rule_id
        assert [w for w in LATIN_WORD.findall(text.zh) if not _zh_allowed(w, set())] == [], rule_id


def test_explain_cites_each_rule_in_the_screens_language():
    d = evaluate(CustomerFacts(age=70, investable_assets=1_000_000, household_annual_income=300_000,
                               investment_experience_years=5, aml_level="low"),
                 AssessmentFacts(grade=5, completed_at=date(2026, 1, 10)),
                 ProductFacts(code="B1", type="public_fund", risk_level=5, licence_required="fund_sales"),
                 SaleContext(amount=Decimal(100_000), today=date(2026, 6, 15)))
    zh, en = "\n".join(explain(d, "zh")), "\n".join(explain(d, "en"))
    assert "依据：" not in zh and "（依据" not in zh and "(依据: " in zh  # the line's form is kept
    assert "持证上岗" in zh and "licensed staff only" in en
    assert not [w for w in LATIN_WORD.findall(zh) if not _zh_allowed(w, {"B1", "suit-2026.1"})]
    assert HAN.findall(en) == []
