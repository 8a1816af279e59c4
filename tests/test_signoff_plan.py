"""What a sale's sign-off requires, decided from the stored decision (pure: no store, no Qt)."""
from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from counterdesk.base.paths import resources_dir
from counterdesk.base.settings import SettingsValues
from counterdesk.services.catalog.products import parse_product
from counterdesk.services.signoff.plan import SignoffPlan, make_plan


@pytest.fixture(scope="module")
def catalog():
    with open(resources_dir() / "catalog" / "demo_catalog.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    products = {}
    for row in rows:
        product, res = parse_product(row)
        assert product is not None, res
        products[product.code] = product
    return products


def plan(catalog, code, **kw):
    args = dict(amount=Decimal("50000"), customer_initiated=False, outcome="eligible", conditions=[],
                customer_age=40, aml_level="low", settings=SettingsValues())
    args.update(kw)
    return make_plan(product=catalog[code], **args)


def test_a_plain_deposit_needs_no_sentence_recording_or_approval(catalog):
    p = plan(catalog, "DM-DEP-1Y")
    assert p.forms[0].startswith("disclosure_deposit@") and len(p.forms) == 1
    assert not (p.sentence_required or p.recording_required or p.needs_approval) and p.cooling_off_hours == 0


def test_each_approval_reason_is_named(catalog):
    conditions = [{"code": "guardian_consent", "zh": "须取得监护人同意", "en": "The guardian's consent is required",
                   "satisfied": False},
                  {"code": "recording", "zh": "双录", "en": "recording", "satisfied": False}]
    p = plan(catalog, "DM-WM-F90", amount=Decimal("1500000"), aml_level="medium", conditions=conditions)
    codes = [r.code for r in p.approval_reasons]
    assert codes == ["amount", "aml_medium", "open_condition:guardian_consent"]
    assert p.recording_required and p.sentence_required  # the sign-off itself meets the recording condition
    texts = {r.code: (r.text("zh"), r.text("en")) for r in p.approval_reasons}
    assert texts["aml_medium"] == ("客户反洗钱风险等级：中", "Customer's AML risk rating: medium")
    assert "1,500,000.00" in texts["amount"][1]


def test_private_products_always_get_the_cooling_off_period(catalog):
    p = plan(catalog, "DM-PWM-EQ")
    assert p.cooling_off_hours >= 48 and p.forms[-1].startswith("notice_cooling_off@")


def test_the_plan_survives_its_stored_form(catalog):
    p = plan(catalog, "DM-WM-EQ", customer_initiated=True, outcome="customer_initiated_only", customer_age=70,
             conditions=[{"code": "extra_confirmation", "zh": "", "en": "", "satisfied": False}])
    assert p.customer_initiated and p.elderly_care
    assert SignoffPlan.from_dict(p.to_dict()) == p
