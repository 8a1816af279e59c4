"""AML customer risk rating: each rule, the highest level wins, every reason is explained."""
from __future__ import annotations

import pytest

from counterdesk.base.settings import SettingsValues, declared
from counterdesk.services.customers.aml import RULES_VERSION, ScreeningHistory, assess, country_list

BASE = {"nationality": "CHN", "occupation": "gbt6565_2", "pep_status": "none", "tax_residency": "cn_only"}
CONFIRMED = ScreeningHistory(confirmed_match=True)
CLEARED = ScreeningHistory(cleared_false_positive=True)


@pytest.mark.parametrize("name,changes,screening,level,rules", [
    ("no factor", {}, None, "low", {"baseline"}),
    ("low-risk occupation adds nothing", {"occupation": "retired"}, None, "low", {"baseline"}),
    ("high-risk nationality", {"nationality": "PRK"}, None, "high", {"nationality.high"}),
    ("Iran", {"nationality": "IRN"}, None, "high", {"nationality.high"}),
    ("Myanmar", {"nationality": "MMR"}, None, "high", {"nationality.high"}),
    ("other foreign nationality", {"nationality": "USA"}, None, "low", {"baseline"}),
    ("high-risk tax residence", {"tax_jurisdictions": [{"country": "USA", "tin": "1"}, {"country": "IRN"}]}, None,
     "high", {"tax.high"}),
    ("medium-risk occupation", {"occupation": "self_employed"}, None, "medium", {"occupation"}),
    ("casino", {"occupation": "casino_gambling"}, None, "high", {"occupation"}),
    ("precious metals", {"occupation": "precious_metals_dealer"}, None, "high", {"occupation"}),
    ("arms", {"occupation": "arms_trade"}, None, "high", {"occupation"}),
    ("cash-intensive business", {"occupation": "cash_intensive_business"}, None, "high", {"occupation"}),
    ("foreign PEP", {"pep_status": "foreign_pep"}, None, "high", {"pep"}),
    ("domestic PEP", {"pep_status": "domestic_pep"}, None, "high", {"pep"}),
    ("international organisation", {"pep_status": "intl_org"}, None, "high", {"pep"}),
    ("PEP relative", {"pep_status": "relative_or_associate"}, None, "high", {"pep"}),
    ("confirmed screening match", {}, CONFIRMED, "high", {"screening.confirmed"}),
    ("cleared false positive alone is medium", {}, CLEARED, "medium", {"screening.cleared"}),
    ("cleared false positive plus a high factor", {"pep_status": "domestic_pep"}, CLEARED, "high",
     {"pep", "screening.cleared"}),
    ("several factors, all listed", {"nationality": "PRK", "occupation": "money_services"}, None, "high",
     {"nationality.high", "occupation"}),
])
def test_rules(name, changes, screening, level, rules):
    rating = assess({**BASE, **changes}, screening)
    assert rating.level == level
    assert {r.rule for r in rating.reasons} == rules
    assert rating.rules_version == RULES_VERSION
    for r in rating.reasons:
        assert r.text.zh.strip() and r.text.en.strip()
        assert r.level in ("low", "medium", "high")


def test_country_lists_come_from_settings():
    settings = SettingsValues({"aml.high_risk_countries": "USA", "aml.monitored_countries": "VNM,PRK"})
    assert assess({**BASE, "nationality": "USA"}, settings=settings).level == "high"
    assert assess({**BASE, "nationality": "PRK"}, settings=settings).level == "medium"  # no longer on the high list
    rating = assess({**BASE, "nationality": "VNM"}, settings=settings)
    assert rating.level == "medium" and rating.reasons[0].rule == "nationality.monitored"
    assert "越南" in rating.reasons[0].text.zh and "Vietnam" in rating.reasons[0].text.en


def test_country_list_settings_are_validated():
    setting = declared()["aml.high_risk_countries"]
    assert setting.default == "PRK,IRN,MMR"
    assert setting.validate("PRK,IRN").ok and setting.validate("").ok
    bad = setting.validate("North Korea")
    assert not bad.ok and bad.problems[0].code == "format"
    assert country_list(" prk, IRN ,,") == {"PRK", "IRN"}
    assert country_list(None) == frozenset()
