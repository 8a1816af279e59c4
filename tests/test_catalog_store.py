"""Versioned catalog in the encrypted store: all-or-nothing import, export round trips, versions, licences."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from counterdesk.base.paths import resources_dir
from counterdesk.base.roles import PermissionDenied
from counterdesk.base.text import ValidationFailed
from counterdesk.services import verification
from counterdesk.services.catalog import licences, versions
from counterdesk.services.catalog.products import FIELDS
from helpers.demo import totp_code

DEMO_CSV = resources_dir() / "catalog" / "demo_catalog.csv"
HEADER = ",".join(FIELDS)


def line(code, **kw) -> str:
    v = {"code": code, "name_zh": "稳享理财", "name_en": "Steady WM", "type": "public_wm", "risk_level": "R2",
         "issuer": "Demo WM", "term_days": "90", "min_amount": "10000.00", "currency": "CNY",
         "liquidity": "closed_end", "sale_start": "2026-01-01", "sale_end": "", "public": "true",
         "private_class": "", "principal_protected": "false", "cooling_off_hours": "0",
         "recording_required": "true", "licence_required": "wealth_management", "periodic_premium": "false",
         "status": "on_sale"}
    v.update(kw)
    return ",".join(v.get(f, "") for f in FIELDS)


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join((HEADER, *lines)) + "\n").encode("utf-8")


@pytest.fixture
def admin(sign_in):
    return sign_in("admin")


def test_import_and_read_back(demo_vault, admin):
    assert versions.current_catalog(demo_vault, admin).version is None  # the bare demo vault has none
    result = versions.import_bytes(demo_vault, admin, "c.csv", csv_bytes(line("WM-1"), line("WM-2", risk_level="R3")))
    assert result.status == "imported" and result.added == 2 and result.version.number == 1
    cat = versions.current_catalog(demo_vault, admin)
    assert [p.code for p in cat.products] == ["WM-1", "WM-2"] and cat.get("WM-2").risk_level == "R3"
    entries = [e for e in demo_vault.audit_entries(admin) if e.action == "catalog.imported"]
    assert len(entries) == 1 and json.loads(entries[0].details)["catalog_version"] == 1


def test_bad_rows_store_nothing_and_every_problem_names_line_and_field(demo_vault, admin):
    versions.import_bytes(demo_vault, admin, "first.csv", csv_bytes(line("WM-1")))
    data = csv_bytes(line("WM-2"), line("WM-3", min_amount="-5", risk_level="R7"), line("WM-4"),
                     line("WM-2"), line("PWM-1", type="private_wm", public="false", private_class="fixed_income",
                                        min_amount="299999.99", cooling_off_hours="24"))
    with pytest.raises(versions.ImportRejected) as err:
        versions.import_bytes(demo_vault, admin, "bad.csv", data)
    found = {(p.location.line, p.field, p.code) for p in err.value.problems}
    assert found == {(3, "min_amount", "range"), (3, "risk_level", "unknown"), (5, "code", "duplicate"),
                     (6, "min_amount", "private_minimum")}
    en = err.value.message("en")
    assert "line 3 [min_amount]" in en and "line 6 [min_amount]" in en and "nothing changed" in en
    assert "第 3 行" in err.value.message("zh")
    # nothing stored: still version 1 with one product
    cat = versions.current_catalog(demo_vault, admin)
    assert cat.number == 1 and [p.code for p in cat.products] == ["WM-1"]
    assert [v.number for v in versions.list_versions(demo_vault, admin)] == [1]
    assert any(e.action == "catalog.import_rejected" for e in demo_vault.audit_entries(admin))


def test_header_problems_and_encoding(demo_vault, admin):
    with pytest.raises(versions.ImportRejected) as err:
        versions.import_bytes(demo_vault, admin, "h.csv", b"code,name_zh,colour\nA,B,C\n")
    codes = {(p.location.line, p.field, p.code) for p in err.value.problems}
    assert (1, "colour", "unknown_column") in codes and (1, "issuer", "missing_column") in codes
    with pytest.raises(versions.ImportRejected) as err:
        versions.import_bytes(demo_vault, admin, "gbk.csv", csv_bytes(line("WM-1")) + "\n稳".encode("gbk"))
    assert err.value.problems[0].code == "encoding" and err.value.problems[0].location.line == 4


def test_bom_is_accepted(demo_vault, admin):
    result = versions.import_bytes(demo_vault, admin, "bom.csv", csv_bytes(line("WM-1"), bom=True))
    assert result.status == "imported"
    assert versions.current_catalog(demo_vault, admin).get("WM-1") is not None


def test_csv_and_json_round_trip(demo_vault, admin, tmp_path):
    first = versions.import_file(demo_vault, admin, DEMO_CSV)
    assert first.version.products >= 30
    original = versions.current_catalog(demo_vault, admin).products
    for fmt in ("csv", "json"):
        out = tmp_path / f"export.{fmt}"
        exported = versions.export_file(demo_vault, admin, out)
        assert exported.format == fmt and exported.products == len(original)
        again = versions.import_file(demo_vault, admin, out)
        assert again.status == "unchanged"  # identical content: no new version
    assert out.read_bytes().startswith(b"{")
    assert (tmp_path / "export.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    # a JSON array (without the wrapper object) imports too, and replaces the catalog
    doc = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))["products"][:3]
    (tmp_path / "three.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = versions.import_file(demo_vault, admin, tmp_path / "three.json")
    assert r.status == "imported" and r.removed == len(original) - 3
    assert versions.current_catalog(demo_vault, admin).products == original[:3]


def test_json_problems_name_the_product_position(demo_vault, admin):
    bad = {"products": [{"code": "A-1"}, "nope"]}
    with pytest.raises(versions.ImportRejected) as err:
        versions.import_bytes(demo_vault, admin, "p.json", json.dumps(bad).encode())
    where = {(p.location.index, p.field) for p in err.value.problems}
    assert (1, "name_zh") in where and (2, "") in where
    assert "product #1 [name_zh]" in err.value.message("en")


def test_versions_keep_old_catalogs(demo_vault, admin):
    versions.import_bytes(demo_vault, admin, "v1.csv", csv_bytes(line("WM-1"), line("WM-2")), note="first")
    versions.import_bytes(demo_vault, admin, "v2.csv", csv_bytes(line("WM-1", min_amount="20000")))
    listed = versions.list_versions(demo_vault, admin)
    assert [v.number for v in listed] == [2, 1] and listed[1].note == "first" and listed[0].created_by == "admin"
    old = versions.catalog_at(demo_vault, admin, 1)
    assert [p.code for p in old.products] == ["WM-1", "WM-2"] and str(old.get("WM-1").min_amount) == "10000.00"
    assert str(versions.current_catalog(demo_vault, admin).get("WM-1").min_amount) == "20000.00"
    merged = versions.import_bytes(demo_vault, admin, "v3.csv", csv_bytes(line("WM-9")), merge=True)
    assert merged.version.number == 3 and merged.added == 1 and merged.removed == 0
    with pytest.raises(versions.CatalogError):
        versions.catalog_at(demo_vault, admin, 99)
    # export of an earlier version
    data, cat = versions.export_bytes(demo_vault, admin, "csv", 1)
    assert cat.number == 1 and data.count(b"\r\n") == 3


def test_gui_edit_creates_a_version(demo_vault, admin):
    versions.import_bytes(demo_vault, admin, "v1.csv", csv_bytes(line("WM-1")))
    product = versions.current_catalog(demo_vault, admin).get("WM-1")
    row = product.to_row() | {"status": "suspended"}
    info, warnings = versions.save_product(demo_vault, admin, row, editing="WM-1", note="suspend")
    assert info.number == 2 and info.source == "gui" and warnings.ok
    assert versions.catalog_at(demo_vault, admin, 1).get("WM-1").status == "on_sale"
    assert versions.current_catalog(demo_vault, admin).get("WM-1").status == "suspended"
    with pytest.raises(ValidationFailed) as err:
        versions.save_product(demo_vault, admin, row | {"code": "WM-1"})  # add with an existing code
    assert err.value.result.errors()[0].code == "duplicate"
    with pytest.raises(ValidationFailed) as err:
        versions.save_product(demo_vault, admin, row | {"code": "NEW", "recording_required": "false",
                                                         "min_amount": "0"})
    assert {p.code for p in err.value.result.errors()} == {"dual_recording", "range"}
    assert [v.number for v in versions.list_versions(demo_vault, admin)] == [2, 1]
    assert verification.verify(demo_vault, admin).ok


def test_permissions(demo_vault, sign_in):
    teller = sign_in("teller")
    with pytest.raises(PermissionDenied):
        versions.import_bytes(demo_vault, teller, "c.csv", csv_bytes(line("WM-1")))
    assert versions.current_catalog(demo_vault, teller).products == ()  # everyone may read
    with pytest.raises(PermissionDenied):
        licences.set_licence(demo_vault, teller, teller.user_id, "fund_sales", "X1", date(2026, 1, 1), None)


def test_licences(demo_vault, admin, sign_in):
    teller = sign_in("teller")
    today = date(2026, 6, 1)
    missing = licences.licence_ok(demo_vault, teller.user_id, "fund_sales", today)
    assert not missing.ok and missing.errors()[0].code == "licence_missing"
    assert "基金销售从业资格" in missing.errors()[0].text.zh and "Fund sales" in missing.errors()[0].text.en

    licences.set_licence(demo_vault, admin, teller.user_id, "fund_sales", "F-001", date(2024, 1, 1),
                         today - timedelta(days=1))
    expired = licences.licence_ok(demo_vault, teller.user_id, "fund_sales", today)
    assert [p.code for p in expired.errors()] == ["licence_expired"]
    assert "2026-05-31" in expired.errors()[0].text.zh and "2026-05-31" in expired.errors()[0].text.en

    licences.set_licence(demo_vault, admin, teller.user_id, "fund_sales", "F-002", date(2024, 1, 1), today)
    assert licences.licence_ok(demo_vault, teller.user_id, "fund_sales", today).ok  # valid through its last day
    assert not licences.licence_ok(demo_vault, teller.user_id, "fund_sales", date(2023, 12, 31)).ok
    assert licences.licence_ok(demo_vault, teller.user_id, "", today).ok  # no licence needed

    rows = licences.list_licences(demo_vault, admin, teller.user_id)
    assert [(r.licence_type, r.number) for r in rows] == [("fund_sales", "F-002")]
    assert licences.list_licences(demo_vault, teller, teller.user_id) == rows  # own licences are readable
    with pytest.raises(ValidationFailed) as err:
        licences.set_licence(demo_vault, admin, teller.user_id, "astronaut", "", date(2026, 1, 2), date(2026, 1, 1))
    assert {p.field for p in err.value.result.errors()} == {"licence_type", "number", "expires"}
    assert licences.remove_licence(demo_vault, admin, teller.user_id, "fund_sales") is True
    assert licences.remove_licence(demo_vault, admin, teller.user_id, "fund_sales") is False
    actions = [e.action for e in demo_vault.audit_entries(admin)]
    assert actions.count("licence.set") == 2 and "licence.removed" in actions
    assert verification.verify(demo_vault, admin).ok


def test_demo_setup_loads_the_catalog(demo_lists_dir):
    from counterdesk.services.auth.vault import DEMO_USERS, Vault
    vault = Vault.open(demo_lists_dir)
    us = vault.sign_in("admin", DEMO_USERS[0].password, totp_code("admin"))
    try:
        cat = versions.current_catalog(vault, us)
        assert 30 <= len(cat.products) <= 40
        assert {p.risk_level for p in cat.products} == {"R1", "R2", "R3", "R4", "R5"}
        assert len({p.type for p in cat.products}) == 10
        teller = next(u for u in __import__("counterdesk.services.accounts", fromlist=["x"]).list_users(vault, us)
                      if u.username == "teller")
        assert licences.licence_ok(vault, teller.user_id, "fund_sales", date.today()).ok
        assert not licences.licence_ok(vault, teller.user_id, "precious_metals", date.today()).ok
    finally:
        vault.close()
