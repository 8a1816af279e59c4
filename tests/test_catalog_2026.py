"""Catalog 2026 (issue 13): premium payment years and annual premium, both risk ratings with their sources,
through the real import format, the store, the counter session and the supervisor's queue.

Defect 5: before, the catalog had no payment years, so "payment years + age ≥ 60 needs a declaration"
(保监发〔2014〕3号) could never fire from the app; here it fires from the imported DEMO catalog."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from counterdesk.flow.actions import Attest, Propose, RecordReading, RecordRecording, RecordSignature
from counterdesk.forms.disclosures import confirmation_sentence
from counterdesk.services.auth.vault import Vault
from counterdesk.services.catalog import versions
from counterdesk.services.catalog.products import FIELDS, parse_product
from counterdesk.services.sales.recommendation import product_facts
from counterdesk.services.signoff import approvals
from counterdesk.services.signoff.common import SignoffError
from helpers.counter import MIDDLE, PNG, YOUNG, at_recommendation, choose, signature_json
from helpers.demo import PASSWORDS, totp_code
from test_catalog_store import csv_bytes, line

INSURANCE = dict(type="insurance_non_guaranteed", risk_level="R3", issuer="Demo Life", term_days="",
                 liquidity="surrender", licence_required="insurance_agency", periodic_premium="true",
                 min_amount="10000.00")


@pytest.fixture
def admin(sign_in):
    return sign_in("admin")


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def codes(raw) -> set[tuple[str, str]]:
    _product, res = parse_product(raw)
    return {(p.field, p.code) for p in res.problems if p.severity == "error"}


BASE = {"code": "IN-1", "name_zh": "分红险", "name_en": "Participating", "type": "insurance_non_guaranteed",
        "risk_level": "R3", "issuer": "Demo Life", "min_amount": "10000", "currency": "CNY",
        "liquidity": "surrender", "sale_start": "2026-01-01", "licence_required": "insurance_agency",
        "periodic_premium": "true", "premium_payment_years": "20", "annual_premium": "12000"}


# ---- the format ---------------------------------------------------------------------------------------------

def test_new_columns_are_optional_and_follow_the_old_ones():
    assert FIELDS[:20][-1] == "status" and FIELDS[20:] == (
        "premium_payment_years", "annual_premium", "distributor_rated_by", "distributor_rated_on",
        "issuer_risk_level", "issuer_rated_by", "issuer_rated_on")
    old = {k: v for k, v in BASE.items() if k not in ("premium_payment_years", "annual_premium")}
    old["periodic_premium"] = "false"
    product, res = parse_product(old)  # a file of before 2026 (no new column) still reads
    assert res.ok and product.premium_payment_years is None and product.applied_risk_level == "R3"


def test_payment_years_and_premium_rules():
    product, res = parse_product(BASE)
    assert res.ok and product.premium_payment_years == 20 and product.annual_premium == Decimal("12000.00")
    assert codes({**BASE, "premium_payment_years": ""}) == {("premium_payment_years", "required")}
    assert codes({**BASE, "premium_payment_years": "0"}) == {("premium_payment_years", "range")}
    assert codes({**BASE, "periodic_premium": "false"}) == {("premium_payment_years", "single_premium")}
    assert codes({**BASE, "annual_premium": "0"}) == {("annual_premium", "range")}
    bond = {**BASE, "type": "bond", "licence_required": "", "periodic_premium": "false", "liquidity": "daily"}
    assert codes(bond) == {("premium_payment_years", "not_insurance"), ("annual_premium", "not_insurance")}


def test_two_ratings_need_their_sources_and_the_higher_applies():
    rated = {**BASE, "issuer_risk_level": "R4", "issuer_rated_on": "2025-11-30",
             "distributor_rated_by": "Product committee", "distributor_rated_on": "2025-12-15"}
    product, res = parse_product(rated)
    assert res.ok and product.applied_risk_level == "R4" and product.risk_rank == 4 and product.ratings_differ
    assert product.issuer_rated_by == "Demo Life"  # the issuer rates its own product unless told otherwise
    facts = product_facts(product)
    assert facts.risk_level == 4 and {(r.role, r.level) for r in facts.ratings} == {("distributor", 3), ("issuer", 4)}
    assert codes({**rated, "issuer_rated_on": ""}) == {("issuer_rated_on", "rating_source")}
    assert codes({**rated, "distributor_rated_on": "", "distributor_rated_by": ""}) == {
        ("distributor_rated_on", "rating_source"), ("distributor_rated_by", "rating_source")}
    assert codes({**rated, "issuer_risk_level": "R9"}) == {("issuer_risk_level", "unknown")}
    lower, res = parse_product({**rated, "issuer_risk_level": "R2"})
    assert res.ok and lower.applied_risk_level == "R3"


# ---- import, store, export ------------------------------------------------------------------------------------

def _row(code: str, **kw) -> str:
    return line(code, **{**INSURANCE, **kw})


def test_import_is_all_or_nothing_and_names_the_faulty_line(demo_vault, admin):
    good = _row("IN-OK", premium_payment_years="20", annual_premium="12000.00")
    bad = _row("IN-BAD")  # periodic premium without payment years
    with pytest.raises(versions.ImportRejected) as err:
        versions.import_bytes(demo_vault, admin, "ins.csv", csv_bytes(good, bad))
    assert {(p.location.line, p.field, p.code) for p in err.value.problems} == {(3, "premium_payment_years",
                                                                                  "required")}
    assert "line 3 [premium_payment_years]" in err.value.message("en") and "第 3 行" in err.value.message("zh")
    assert versions.current_catalog(demo_vault, admin).number is None  # nothing stored


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_new_fields_round_trip_through_the_store_and_the_export(demo_vault, admin, fmt):
    rows = [_row("IN-1", premium_payment_years="20", annual_premium="12000.50", issuer_risk_level="R4",
                 issuer_rated_by="Demo Life actuarial", issuer_rated_on="2025-11-30",
                 distributor_rated_by="Product committee", distributor_rated_on="2025-12-15"),
            line("WM-1")]
    versions.import_bytes(demo_vault, admin, "c.csv", csv_bytes(*rows))
    stored = versions.current_catalog(demo_vault, admin).get("IN-1")
    assert (stored.premium_payment_years, stored.annual_premium, stored.issuer_risk_level, stored.issuer_rated_by,
            stored.issuer_rated_on, stored.distributor_rated_by, stored.distributor_rated_on) == (
        20, Decimal("12000.50"), "R4", "Demo Life actuarial", date(2025, 11, 30), "Product committee",
        date(2025, 12, 15))
    plain = versions.current_catalog(demo_vault, admin).get("WM-1")
    assert plain.issuer_risk_level is None and plain.distributor_rated_by == "" and plain.annual_premium is None
    data, _cat = versions.export_bytes(demo_vault, admin, fmt)
    if fmt == "json":
        doc = json.loads(data)
        item = next(p for p in (doc["products"] if isinstance(doc, dict) else doc) if p["code"] == "IN-1")
        assert item["annual_premium"] == "12000.50" and item["issuer_rated_on"] == "2025-11-30"
    again = versions.import_bytes(demo_vault, admin, f"again.{fmt}", data)
    assert again.status in ("unchanged", "imported") and again.changed == 0 and again.added == 0


# ---- from the imported DEMO catalog to the teller and the supervisor ------------------------------------------

def test_demo_catalog_carries_the_2026_fields(vault):
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    cat = versions.current_catalog(vault, teller)
    div, mix = cat.get("DM-IN-DIV"), cat.get("DM-WM-MIX")
    assert div.premium_payment_years == 20 and div.annual_premium == Decimal("10000.00")
    assert (mix.risk_level, mix.issuer_risk_level, mix.applied_risk_level) == ("R3", "R4", "R4")
    periodic = [p for p in cat.products if p.periodic_premium]
    assert periodic and all(p.premium_payment_years for p in periodic)


def test_payment_years_plus_age_fires_from_the_imported_catalog(vault):
    """Defect 5: a customer of 46 and DM-IN-DIV's 20 payment years (66 ≥ 60) need the signed declaration."""
    counter_session = at_recommendation(vault, option=2, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)
    assert int(counter_session.state.assessment.grade[1]) >= 3  # DM-IN-DIV (R3) is within the grade
    proposal = counter_session.submit(_propose()).value
    d = proposal.decisions["DM-IN-DIV"]
    assert d.outcome == "eligible_with_conditions", d
    assert "SUIT-INS-06" in d.rule_ids and "declaration" in d.condition_codes()
    f = next(f for f in d.findings if f.rule_id == "SUIT-INS-06")
    assert "20" in f.reason.en and "46" in f.reason.en
    # The free-look period shows with every insurance product.
    assert "SUIT-INS-09" in d.rule_ids


def test_the_higher_rating_reaches_the_teller(vault):
    counter_session = at_recommendation(vault, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)
    proposal = counter_session.submit(_propose()).value
    d = proposal.decisions["DM-WM-MIX"]
    f = next(f for f in d.findings if f.rule_id == "SUIT-RATE-01")
    assert "R4" in f.reason.zh and "R3" in f.reason.zh and "孰高" in f.reason.zh
    assert counter_session.state.assessment.grade == "C2" and d.outcome == "prohibited"
    assert "DM-WM-MIX" not in {r.product.code for r in proposal.ranked}
    grade_reason = next(f for f in d.findings if f.rule_id == "SUIT-GRADE-01")
    assert "R4" in grade_reason.reason.en  # the product's risk in every reason is the applied one


def test_insisting_customer_types_their_own_decision_and_the_supervisor_sees_the_rules(vault):
    counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
    # Below the due-diligence amount, so that only the suitability rules decide here.
    choose(counter_session, "DM-WM-EQ", amount="20000", own=True)
    plan = counter_session.state.signoff.plan
    assert plan.customer_initiated and plan.sentence_required
    assert "customer_initiated" in {r.code for r in plan.approval_reasons}
    assert not any(r.code == "open_condition:customer_own_words" for r in plan.approval_reasons)
    counter_session.submit(RecordReading({"seconds": plan.min_reading_seconds, "scrolled_to_end": True,
                                          "forms": [{"ref": r, "hash": h} for r, h in zip(plan.forms, plan.form_hashes)]},
                                         "customer_screen"))
    counter_session.submit(RecordRecording(True, "REC-2026-000123"))
    # The ordinary sentence is not the customer's own decision: refused (保险销售行为管理办法 Art 28).
    with pytest.raises(SignoffError) as wrong:
        counter_session.submit(RecordSignature(confirmation_sentence("zh"), signature_json(), PNG, "customer_screen"))
    assert wrong.value.code == "sentence_mismatch"
    state = counter_session.submit(RecordSignature(confirmation_sentence("zh", customer_insists=True),
                                                   signature_json(), PNG, "customer_screen")).value
    assert "坚持购买" in state.typed_sentence
    counter_session.submit(Attest(True, True))
    supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    queue = approvals.pending_requests(vault, supervisor)
    assert len(queue) == 1
    rules = {rule: (zh, en) for rule, zh, en in queue[0].rule_reasons}
    assert "SUIT-GRADE-02" in rules and "Art 28" in rules["SUIT-GRADE-02"][1] and "第七条" in rules["SUIT-GRADE-02"][0]


def _propose() -> Propose:
    return Propose("10000", {"investable_assets": "800000"})


def test_an_edit_without_the_new_fields_keeps_them(demo_vault, admin):
    """The GUI dialog edits the columns of before 2026: saving must keep the payment years and the ratings."""
    versions.import_bytes(demo_vault, admin, "c.csv", csv_bytes(_row(
        "IN-1", premium_payment_years="20", annual_premium="12000.00", issuer_risk_level="R4",
        issuer_rated_on="2025-11-30", distributor_rated_by="Product committee", distributor_rated_on="2025-12-15")))
    old = versions.current_catalog(demo_vault, admin).get("IN-1").to_row()
    edited = {k: old[k] for k in FIELDS[:20]} | {"min_amount": "20000.00"}
    versions.save_product(demo_vault, admin, edited, editing="IN-1")
    new = versions.current_catalog(demo_vault, admin).get("IN-1")
    assert new.min_amount == Decimal("20000.00") and new.premium_payment_years == 20
    assert (new.issuer_risk_level, new.applied_risk_level, new.distributor_rated_by) == ("R4", "R4", "Product committee")
