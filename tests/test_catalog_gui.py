"""The admin catalog page, offscreen against a real DEMO installation (with the demo catalog loaded)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date

import pytest

from counterdesk.base.paths import resources_dir
from counterdesk.services.auth.vault import Vault
from counterdesk.services.catalog import licences, versions
from counterdesk.services.catalog.products import FIELD_LABELS
from counterdesk.ui.admin.catalog_page import FIX_MARKED, NEW_FIELDS, CatalogPage, ProductDialog
from counterdesk.ui.admin.licences_dialog import LicencesDialog
from counterdesk.ui.admin.users_page import UsersPage
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages
from helpers.demo import PASSWORDS, totp_code

DEMO_CSV = resources_dir() / "catalog" / "demo_catalog.csv"


@pytest.fixture
def ctx(demo_lists_dir, qapp):
    vault = Vault.open(demo_lists_dir)
    session = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    context = AppContext(demo_lists_dir, demo=True, languages=Languages(qapp))
    context.vault, context.user = vault, session
    yield context
    vault.close()


@pytest.fixture
def page(ctx, qtbot):
    p = CatalogPage(ctx)
    qtbot.addWidget(p)
    p.show()
    with qtbot.waitSignal(p.loaded, timeout=10_000):
        p.refresh()
    return p


def cells(table, row):
    return [table.item(row, c).text() for c in range(table.columnCount())]


def test_table_shows_the_current_version_and_filters(page):
    assert page.table.rowCount() >= 30
    header = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    assert len(header) == 7
    page.select_code("DM-PWM-FI")
    row = cells(page.table, page.table.currentRow())
    assert row[0] == "DM-PWM-FI" and row[3] == "R3" and "300,000.00" in row[4]
    assert page.versions_table.rowCount() == 1 and page.versions_table.item(0, 2).text() == "admin"
    page.filter.setText("R5")
    assert set(page.visible_codes()) >= {"DM-PWM-EQ", "DM-PM-AG"} and "DM-DEP-1Y" not in page.visible_codes()
    page.filter.setText("")
    assert len(page.visible_codes()) == page.table.rowCount()


def test_bad_import_shows_every_problem_and_changes_nothing(page, qtbot, tmp_path):
    lines = DEMO_CSV.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = lines[3].split(",")
    bad[header.index("min_amount")] = "-1"
    lines[3] = ",".join(bad)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with qtbot.waitSignal(page.failed, timeout=10_000):
        page.import_file(path)
    assert "line 4" in page.message.text() or "第 4 行" in page.message.text()
    assert "min_amount" in page.message.text()
    assert page.versions_table.rowCount() == 1


def test_import_creates_a_version_and_old_ones_stay_viewable(page, qtbot, tmp_path):
    lines = DEMO_CSV.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "smaller.csv"
    path.write_text("\n".join(lines[:11]), encoding="utf-8")
    with qtbot.waitSignals([page.changed, page.loaded], timeout=10_000):
        page.import_file(path)
    assert page.table.rowCount() == 10 and page.versions_table.rowCount() == 2
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show_version(1)
    assert page.table.rowCount() >= 30 and not page.add_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show_current()
    assert page.table.rowCount() == 10 and page.add_button.isEnabled()
    out = tmp_path / "export.json"
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.export_file(out)
    assert out.exists() and '"catalog_version": 2' in out.read_text(encoding="utf-8")


def test_add_product_dialog_shows_core_messages_then_saves(page, qtbot, ctx):
    dialog = page.open_add()
    assert isinstance(dialog, ProductDialog)
    dialog.code.setText("DM-NEW-1")
    dialog.name_zh.setText("新私募理财")
    dialog.name_en.setText("New private WM")
    dialog.type.setCurrentIndex(dialog.type.findData("private_wm"))
    assert not dialog.public.isChecked() and dialog.cooling.value() == 24 and dialog.recording.isChecked()
    dialog.risk.setCurrentIndex(dialog.risk.findData("R3"))
    dialog.issuer.setText("Demo WM")
    dialog.term.setText("365")
    dialog.min_amount.setText("299999.99")
    dialog.liquidity.setCurrentIndex(dialog.liquidity.findData("closed_end"))
    dialog.licence.setCurrentIndex(dialog.licence.findData("wealth_management"))
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.message.isVisible() and dialog.message.text() != "", timeout=10_000)
    problem = dialog.field_problems["private_class"].text()  # beside its field; the message points there
    assert "private class" in problem.lower() or "私募产品类别" in problem
    dialog.private_class.setCurrentIndex(dialog.private_class.findData("fixed_income"))
    dialog.submit()
    qtbot.waitUntil(lambda: "300,000.00" in dialog.field_problems["min_amount"].text(), timeout=10_000)
    assert not dialog.field_problems["private_class"].isVisible()
    dialog.min_amount.setText("300000")
    with qtbot.waitSignals([page.changed, page.loaded], timeout=10_000):
        dialog.submit()
    assert "DM-NEW-1" in page.visible_codes() and page.versions_table.rowCount() == 2
    cat = versions.current_catalog(ctx.vault, ctx.user)
    assert cat.version.source == "gui" and cat.get("DM-NEW-1").private_class == "fixed_income"

    page.select_code("DM-NEW-1")
    edit = page.open_edit()
    assert edit.code.isReadOnly() and edit.min_amount.text() == "300000.00"
    edit.status.setCurrentIndex(edit.status.findData("suspended"))
    with qtbot.waitSignals([page.changed, page.loaded], timeout=10_000):
        edit.submit()
    assert versions.current_catalog(ctx.vault, ctx.user).get("DM-NEW-1").status == "suspended"


def test_licences_dialog_from_the_catalog_and_users_pages(page, qtbot, ctx):
    dialog = page.open_licences()
    assert isinstance(dialog, LicencesDialog)
    qtbot.waitUntil(lambda: dialog.user_combo.count() == 4, timeout=10_000)
    teller = next(u for u in dialog.users if u.username == "teller")
    dialog.user_combo.setCurrentIndex(dialog.user_combo.findData(teller.user_id))
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=10_000)  # the demo teller's licences
    dialog.type.setCurrentIndex(dialog.type.findData("precious_metals"))
    dialog.number.setText("PM-0001")
    dialog.issued.setText("2026-01-01")
    dialog.expires.setText("2020-01-01")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert "expires" in dialog.message.text().lower() or "有效期" in dialog.message.text()
    dialog.expires.setText("")
    with qtbot.waitSignals([dialog.changed, dialog.loaded], timeout=10_000):
        dialog.save()
    assert dialog.table.rowCount() == 4
    assert licences.licence_ok(ctx.vault, teller.user_id, "precious_metals", date.today()).ok
    dialog.close()

    users = UsersPage(ctx)
    qtbot.addWidget(users)
    with qtbot.waitSignal(users.loaded, timeout=10_000):
        users.refresh()
    users.select_username("teller")
    from_users = users.open_licences()
    qtbot.waitUntil(lambda: from_users.user_id() == teller.user_id and from_users.table.rowCount() == 4,
                    timeout=10_000)
    from_users.close()


def test_product_dialog_edits_the_2026_fields_with_the_cores_problems_beside_each(page, qtbot, ctx):
    """Payment years, annual premium and both risk ratings (migration 0016) in the dialog; the core's
    problem with each field is shown under that field."""
    page.select_code("DM-IN-AN10")
    edit = page.open_edit()
    assert (edit.payment_years.text(), edit.annual_premium.text()) == ("10", "10000.00")
    assert edit.distributor_rated_on.text() == "2025-12-15" and edit.issuer_risk.currentData() == ""
    labels = [lab.text() for lab in edit.labels]
    assert {FIELD_LABELS[k].get(ctx.lang) for k in NEW_FIELDS} <= set(labels)  # the core's field names
    edit.payment_years.setText("")  # periodic premium without its years
    edit.annual_premium.setText("0")
    edit.issuer_risk.setCurrentIndex(edit.issuer_risk.findData("R4"))  # a rating without its date
    edit.distributor_rated_on.setText("")
    edit.submit()
    problems = edit.field_problems
    qtbot.waitUntil(lambda: problems["premium_payment_years"].isVisible(), timeout=10_000)
    for key in ("premium_payment_years", "annual_premium", "issuer_rated_on", "distributor_rated_on"):
        assert problems[key].isVisible() and problems[key].text(), key
        assert edit.widgets[key].property("state") == "invalid"
    assert "缴费年限" in problems["premium_payment_years"].text() or "payment years" in \
        problems["premium_payment_years"].text()
    assert not problems["code"].isVisible() and not edit.code.property("state")
    assert edit.message.text() == FIX_MARKED.get(ctx.lang)  # the message points at the marked fields
    edit.payment_years.setText("20")
    edit.annual_premium.setText("12000")
    edit.distributor_rated_on.setText("2025-12-15")
    edit.issuer_rated_on.setText("2025-11-30")
    edit.issuer_rated_by.setText("安和人寿评级部")
    with qtbot.waitSignals([page.changed, page.loaded], timeout=10_000):
        edit.submit()
    saved = versions.current_catalog(ctx.vault, ctx.user).get("DM-IN-AN10")
    assert saved.premium_payment_years == 20 and str(saved.annual_premium) == "12000.00"
    assert (saved.issuer_risk_level, saved.applied_risk_level) == ("R4", "R4")
    assert saved.issuer_rated_on == date(2025, 11, 30) and saved.issuer_rated_by == "安和人寿评级部"
    page.select_code("DM-IN-AN10")
    again = page.open_edit()
    assert again.issuer_risk.currentData() == "R4" and again.payment_years.text() == "20"
    assert not any(label.isVisible() for label in again.field_problems.values())
    assert again.sizeHint().height() <= 680  # two columns: it fits a 1366×768 screen
