"""Catalog product rules: one row in, every problem out (field, code, zh/en) — no database."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from counterdesk.base.settings import SettingsValues
from counterdesk.services.catalog.products import (
    FIELDS,
    CatalogRules,
    Product,
    parse_product,
    rules_from_settings,
    validate_product,
)

BASE = {  # a valid private fixed-income WM product: the strictest combination
    "code": "PWM-FI-01", "name_zh": "尊享固收私募理财", "name_en": "Prestige FI private WM", "type": "private_wm",
    "risk_level": "R3", "issuer": "Demo WM", "term_days": "365", "min_amount": "300000.00", "currency": "CNY",
    "liquidity": "closed_end", "sale_start": "2026-01-01", "sale_end": "2026-12-31", "public": "false",
    "private_class": "fixed_income", "principal_protected": "false", "cooling_off_hours": "24",
    "recording_required": "true", "licence_required": "wealth_management", "periodic_premium": "false",
    "status": "on_sale",
}


def row(**changes) -> dict:
    out = dict(BASE)
    out.update(changes)
    return out


def codes(raw: dict, rules: CatalogRules | None = None) -> set[tuple[str, str]]:
    product, res = parse_product(raw, rules)
    assert (product is None) == (not res.ok)
    for p in res.problems:  # every problem carries both languages
        assert p.text.zh and p.text.en
    return {(p.field, p.code) for p in res.errors()}


def test_base_row_is_valid_and_round_trips_through_to_row():
    product, res = parse_product(BASE)
    assert res.ok and res.problems == [], [p.text.en for p in res.problems]
    assert product.min_amount == Decimal("300000.00") and product.sale_end == date(2026, 12, 31)
    again, res2 = parse_product(product.to_row())
    assert again == product and res2.ok
    assert list(product.to_row()) == list(FIELDS)


@pytest.mark.parametrize("changes, expected", [
    # private fixed-income minimum: 300,000 is fine, one cent less is not
    ({"min_amount": "299999.99"}, {("min_amount", "private_minimum")}),
    ({"private_class": "mixed", "min_amount": "399999.99", "risk_level": "R4"}, {("min_amount", "private_minimum")}),
    ({"private_class": "equity_commodity_derivatives", "min_amount": "999999.99", "risk_level": "R5"},
     {("min_amount", "private_minimum")}),
    ({"private_class": ""}, {("private_class", "required")}),
    ({"public": "true"}, {("public", "private_not_public")}),
    ({"cooling_off_hours": "23"}, {("cooling_off_hours", "private_cooling_off")}),
    ({"sale_end": "2025-12-31"}, {("sale_end", "before_start")}),
    ({"recording_required": "false"}, {("recording_required", "dual_recording")}),
    ({"principal_protected": "true"}, {("principal_protected", "no_guarantee")}),
    ({"periodic_premium": "true"}, {("periodic_premium", "not_insurance")}),
    ({"risk_level": "R6"}, {("risk_level", "unknown")}),
    ({"type": "hedge_fund"}, {("type", "unknown")}),
    ({"currency": "XYZ"}, {("currency", "unknown")}),
    ({"liquidity": "whenever"}, {("liquidity", "unknown")}),
    ({"status": "sold_out"}, {("status", "unknown")}),
    ({"licence_required": "driving"}, {("licence_required", "unknown")}),
    ({"min_amount": "0"}, {("min_amount", "range")}),
    ({"min_amount": "300000.001"}, {("min_amount", "precision")}),
    ({"min_amount": "abc"}, {("min_amount", "number")}),
    ({"term_days": "0"}, {("term_days", "range")}),
    ({"term_days": "36501"}, {("term_days", "range")}),
    ({"term_days": ""}, {("term_days", "required")}),  # closed-end needs a term
    ({"term_days": "1.5"}, {("term_days", "number")}),
    ({"sale_start": "2026-02-30"}, {("sale_start", "date")}),
    ({"sale_start": ""}, {("sale_start", "required")}),
    ({"code": "bad code!"}, {("code", "format")}),
    ({"name_en": "x" * 101}, {("name_en", "too_long")}),
    ({"issuer": " "}, {("issuer", "required")}),
    ({"public": "maybe"}, {("public", "bool")}),
    ({"colour": "red"}, {("colour", "unknown_field")}),
])
def test_each_rule(changes, expected):
    assert codes(row(**changes)) == expected


def test_every_problem_is_listed_not_just_the_first():
    found = codes(row(min_amount="1000", cooling_off_hours="0", recording_required="no", risk_level="R9"))
    assert found == {("min_amount", "private_minimum"), ("cooling_off_hours", "private_cooling_off"),
                     ("recording_required", "dual_recording"), ("risk_level", "unknown")}


def test_boundaries_that_pass():
    for changes in ({"min_amount": "300000"}, {"min_amount": "300,000.00"}, {"cooling_off_hours": "24"},
                    {"sale_end": "2026-01-01"}, {"sale_end": ""}, {"term_days": "36500"},
                    {"private_class": "mixed", "min_amount": "400000", "risk_level": "R4"},
                    {"private_class": "equity_commodity_derivatives", "min_amount": "1000000", "risk_level": "R5"}):
        assert codes(row(**changes)) == set(), changes


def test_public_products_and_type_defaults():
    deposit = {"code": "DEP-1Y", "name_zh": "一年定期", "name_en": "1-year deposit", "type": "deposit",
               "risk_level": "R1", "issuer": "Demo Bank", "term_days": "365", "min_amount": "50",
               "currency": "cny", "liquidity": "at_maturity", "sale_start": "2026-01-01"}
    product, res = parse_product(deposit)
    assert res.ok, [p.text.en for p in res.problems]
    assert (product.public, product.recording_required, product.principal_protected, product.cooling_off_hours,
            product.status, product.currency) == (True, False, False, 0, "on_sale", "CNY")
    assert codes({**deposit, "risk_level": "R2"}) == {("risk_level", "deposit_r1")}
    assert codes({**deposit, "public": "false"}) == {("public", "public_type")}
    assert codes({**deposit, "private_class": "mixed"}) == {("private_class", "public_product")}
    sd, res = parse_product({**deposit, "type": "structured_deposit", "liquidity": "closed_end"})
    assert res.ok and sd.principal_protected and sd.recording_required
    assert codes({**deposit, "type": "structured_deposit", "principal_protected": "false"}) == {
        ("principal_protected", "structured_deposit")}
    ins, res = parse_product({**deposit, "type": "insurance_guaranteed", "periodic_premium": "是",
                              "liquidity": "surrender", "licence_required": "insurance_agency",
                              "premium_payment_years": "10"})
    assert res.ok and ins.periodic_premium and ins.premium_payment_years == 10 and res.problems == []


def test_private_defaults_take_the_cooling_off_setting():
    raw = row(cooling_off_hours="", public="", recording_required="")
    product, res = parse_product(raw, CatalogRules(cooling_off_default=48))
    assert res.ok and product.cooling_off_hours == 48 and product.public is False and product.recording_required


def test_settings_can_only_make_rules_stricter():
    strict = rules_from_settings(SettingsValues({"suitability.private_min_fixed_income": 500_000}))
    assert codes(row(min_amount="400000"), strict) == {("min_amount", "private_minimum")}
    loose = rules_from_settings({"suitability.private_min_fixed_income": 1, "suitability.cooling_off_hours": 1})
    assert loose.minimum("fixed_income") == Decimal("300000") and loose.cooling_off_default == 24


def test_usual_licence_missing_is_a_warning_only():
    product, res = parse_product(row(licence_required=""))
    assert product is not None and res.ok
    assert [(p.field, p.code, p.severity) for p in res.problems] == [("licence_required", "usual_licence", "warning")]


def test_json_values_are_accepted_natively():
    raw = {**BASE, "term_days": 365, "min_amount": 300000.5, "public": False, "principal_protected": False,
           "recording_required": True, "periodic_premium": False, "cooling_off_hours": 24, "sale_end": None}
    product, res = parse_product(raw)
    assert res.ok and product.min_amount == Decimal("300000.50") and product.sale_end is None


def test_on_sale_window_and_validate_product_directly():
    product, _ = parse_product(BASE)
    assert product.on_sale(date(2026, 1, 1)) and product.on_sale(date(2026, 12, 31))
    assert not product.on_sale(date(2025, 12, 31)) and not product.on_sale(date(2027, 1, 1))
    assert isinstance(product, Product) and validate_product(product).ok
