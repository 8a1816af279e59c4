"""Admin and auditor pages (users, settings, audit) driven offscreen against a real demo installation."""
from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from counterdesk.base.roles import Role
from counterdesk.base.settings import declared
from counterdesk.services import accounts
from counterdesk.services.auth.vault import AuthError, Vault
from counterdesk.store import audit
from counterdesk.store.engine import make_engine
from counterdesk.ui import theme
from counterdesk.ui.admin.audit_page import AuditPage, AuditRow
from counterdesk.ui.admin.settings_page import SettingsPage
from counterdesk.ui.admin.users_page import AddUserDialog, UsersPage
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages
from helpers.demo import PASSWORDS, totp_code

NEW_PW = "Linshi-Mima-2026!"


@pytest.fixture
def ctx(demo_dir, qapp):
    """An admin signed in on a fresh copy of the demo installation (demo_dir: tests/conftest.py)."""
    data = demo_dir
    vault = Vault.open(data)
    session = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    context = AppContext(data, demo=True, languages=Languages(qapp))
    context.vault, context.user = vault, session
    yield context
    vault.close()


def users_by_name(ctx) -> dict[str, accounts.UserInfo]:
    return {u.username: u for u in accounts.list_users(ctx.vault, ctx.user)}


def table_rows(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def row_of(page: UsersPage, username: str) -> list[str]:
    return next(r for r in table_rows(page.table) if r[0] == username)


@pytest.fixture
def users_page(ctx, qtbot):
    page = UsersPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    return page


def change_and_reload(qtbot, page: UsersPage, action) -> None:
    """Run an action that changes a user; wait for `changed` and the table refill that follows."""
    with qtbot.waitSignals([page.changed, page.loaded], timeout=10_000):
        action()


# ---- users ---------------------------------------------------------------------------------------
def test_users_table_lists_demo_users(users_page):
    rows = table_rows(users_page.table)
    assert sorted(r[0] for r in rows) == ["admin", "auditor", "supervisor", "teller"]
    assert row_of(users_page, "admin")[2] == "Administrator"
    assert row_of(users_page, "teller")[2:] == ["Teller", "Active", "No", "", ""]
    assert row_of(users_page, "admin")[6] == "Set up (0 recovery codes left)"  # the DEMO factor
    header = [users_page.table.horizontalHeaderItem(c).text() for c in range(7)]
    assert header == ["Username", "Display name", "Role", "Status", "Must change password", "Locked out",
                      "Second factor"]
    # Nothing selected: only "Add user" is possible.
    assert users_page.add_button.isEnabled() and not users_page.disable_button.isEnabled()


def test_add_user_through_dialog(ctx, qtbot, users_page):
    users_page.add_button.click()
    dlg = users_page.dialog
    assert isinstance(dlg, AddUserDialog)
    qtbot.keyClicks(dlg.username, "newteller")
    qtbot.keyClick(dlg.username, Qt.Key.Key_Return)  # Enter moves on, it does not submit
    qtbot.waitUntil(lambda: dlg.display_name.hasFocus())
    assert dlg.buttons.isEnabled() and not dlg.message.text()
    qtbot.keyClicks(dlg.display_name, "New Teller")
    dlg.role.setCurrentIndex(dlg.role.findData(Role.TELLER.value))
    qtbot.keyClicks(dlg.password, NEW_PW)
    qtbot.keyClicks(dlg.confirm, NEW_PW)
    assert "newteller" not in users_by_name(ctx)
    change_and_reload(qtbot, users_page, lambda: qtbot.keyClick(dlg.confirm, Qt.Key.Key_Return))
    assert row_of(users_page, "newteller")[1:5] == ["New Teller", "Teller", "Active", "Yes"]
    assert users_page.selected_user().username == "newteller"
    assert "newteller" in users_page.message.text()
    created = users_by_name(ctx)["newteller"]
    assert created.role is Role.TELLER and created.must_change_password


def test_bad_password_shows_every_problem_and_creates_nothing(ctx, qtbot, users_page):
    dlg = users_page.open_add_user()
    qtbot.keyClicks(dlg.username, "badpw")
    qtbot.keyClicks(dlg.display_name, "Bad Password")
    qtbot.keyClicks(dlg.password, "short")
    qtbot.keyClicks(dlg.confirm, "shorter")
    dlg.submit()
    assert dlg.message.text() == "The two passwords do not match."
    dlg.confirm.clear()
    qtbot.keyClicks(dlg.confirm, "short")
    dlg.submit()
    qtbot.waitUntil(lambda: dlg.buttons.isEnabled() and "12 characters" in dlg.message.text())
    lines = dlg.message.text().splitlines()
    assert "The password needs at least 12 characters." in lines
    assert "Use at least two of: letters, digits, symbols." in lines
    assert dlg.isVisible()
    assert "badpw" not in users_by_name(ctx) and users_page.table.rowCount() == 4


def test_disable_then_enable(ctx, qtbot, users_page):
    assert users_page.select_username("teller")
    assert users_page.disable_button.isEnabled() and not users_page.enable_button.isEnabled()
    change_and_reload(qtbot, users_page, users_page.disable_button.click)
    assert row_of(users_page, "teller")[3] == "Disabled"
    assert not users_by_name(ctx)["teller"].active
    with pytest.raises(AuthError):
        ctx.vault.sign_in("teller", PASSWORDS["teller"])  # the slot is gone

    assert users_page.selected_user().username == "teller" and users_page.enable_button.isEnabled()
    users_page.enable_button.click()
    dlg = users_page.dialog
    qtbot.keyClicks(dlg.password, NEW_PW)
    qtbot.keyClicks(dlg.confirm, NEW_PW)
    change_and_reload(qtbot, users_page, dlg.submit)
    assert row_of(users_page, "teller")[3:5] == ["Active", "Yes"]
    assert ctx.vault.sign_in("teller", NEW_PW).must_change_password


def test_users_shortcuts(qtbot, users_page):
    assert QTest.qWaitForWindowActive(users_page)
    qtbot.keyClick(users_page.table, Qt.Key.Key_Insert)  # buttons fire shortcuts via a short animateClick
    qtbot.waitUntil(lambda: isinstance(users_page.dialog, AddUserDialog))
    users_page.dialog.reject()
    users_page.activateWindow()  # the dialog was the active window; shortcuts need the page's
    assert QTest.qWaitForWindowActive(users_page)
    with qtbot.waitSignal(users_page.loaded):
        qtbot.keyClick(users_page.table, Qt.Key.Key_F5)


def test_cannot_disable_self(ctx, qtbot, users_page):
    users_page.select_username("admin")
    users_page.disable_button.click()
    qtbot.waitUntil(lambda: users_page.message.text() == "You cannot disable your own account.")
    assert users_by_name(ctx)["admin"].active


def test_change_role_and_last_admin_refused(ctx, qtbot, users_page):
    users_page.select_username("teller")
    users_page.role_button.click()
    dlg = users_page.dialog
    assert dlg.role.currentData() == Role.TELLER.value
    dlg.role.setCurrentIndex(dlg.role.findData(Role.SUPERVISOR.value))
    change_and_reload(qtbot, users_page, lambda: qtbot.keyClick(dlg.role, Qt.Key.Key_Return))
    assert row_of(users_page, "teller")[2] == "Supervisor"
    assert users_by_name(ctx)["teller"].role is Role.SUPERVISOR

    # The core refuses to demote the only administrator; the dialog shows why and stays open.
    users_page.select_username("admin")
    dlg = users_page.open_change_role()
    dlg.role.setCurrentIndex(dlg.role.findData(Role.TELLER.value))
    dlg.submit()
    qtbot.waitUntil(lambda: "last active administrator" in dlg.message.text())
    assert dlg.isVisible() and users_by_name(ctx)["admin"].role is Role.ADMIN


def test_unlock_after_failures(ctx, qtbot, users_page):
    ctx.vault.set_setting(ctx.user, "auth.max_failed_attempts", 1)
    with pytest.raises(AuthError) as err:
        ctx.vault.sign_in("teller", "Wrong-password-1")
    assert err.value.code == "account_locked"
    with qtbot.waitSignal(users_page.loaded):
        users_page.refresh_button.click()
    assert row_of(users_page, "teller")[5] == "Locked"
    users_page.select_username("teller")
    assert users_page.unlock_button.isEnabled()
    change_and_reload(qtbot, users_page, users_page.unlock_button.click)
    assert row_of(users_page, "teller")[5] == ""
    assert not ctx.vault.auth_state.status("teller").locked
    assert not users_page.unlock_button.isEnabled()


# ---- settings ------------------------------------------------------------------------------------
@pytest.fixture
def settings_page(ctx, qtbot):
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def test_settings_page_shows_every_declared_setting(ctx, settings_page):
    kinds = {bool: QCheckBox, int: QSpinBox, float: QDoubleSpinBox}
    values = ctx.vault.settings()
    for key, s in declared().items():
        editor = settings_page.findChild(QWidget, key)
        expected = QComboBox if s.choices else kinds.get(s.type, QLineEdit)
        assert isinstance(editor, expected), key
        assert settings_page.labels[key].text().startswith(s.description.en)
        assert key in editor.toolTip()
        if isinstance(editor, QSpinBox):
            # An unbounded setting gets the widget's own limit; a declared bound is used exactly.
            assert editor.minimum() == s.minimum
            assert editor.maximum() == (s.maximum if s.maximum is not None else 2**31 - 1)
            assert editor.value() == values[key]
        if isinstance(editor, QDoubleSpinBox):
            assert editor.value() == pytest.approx(values[key])
    language = settings_page.findChild(QComboBox, "ui.language")
    assert [language.itemText(i) for i in range(language.count())] == ["简体中文", "English"]
    assert language.currentData() == values["ui.language"]


def test_change_idle_lock_and_save(ctx, qtbot, settings_page):
    spin = settings_page.findChild(QSpinBox, "auth.idle_lock_seconds")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "120")
    assert spin.value() == 120
    with qtbot.waitSignal(settings_page.saved) as blocker:
        settings_page.save_button.click()
    assert blocker.args == [{"auth.idle_lock_seconds": 120}]
    assert ctx.vault.settings()["auth.idle_lock_seconds"] == 120
    assert settings_page.message.text().startswith("Saved")
    entries = ctx.vault.transact(lambda s: [(e.action, e.object_id, e.details) for e in audit.recent(s, 20)])
    assert ("settings.changed", "auth.idle_lock_seconds", '{"new":120,"old":300}') in entries

    settings_page.save_button.click()  # nothing changed since: nothing written
    assert settings_page.message.text().startswith("Nothing to save")


def test_save_with_ctrl_s(ctx, qtbot, settings_page):
    assert QTest.qWaitForWindowActive(settings_page)
    box = settings_page.findChild(QSpinBox, "auth.lockout_minutes")
    box.setValue(30)
    with qtbot.waitSignal(settings_page.saved) as blocker:
        qtbot.keyClick(box, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == [{"auth.lockout_minutes": 30}] and ctx.vault.settings()["auth.lockout_minutes"] == 30


def test_out_of_range_value_impossible(ctx, qtbot, settings_page):
    spin = settings_page.findChild(QSpinBox, "auth.idle_lock_seconds")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "99999")
    assert spin.value() <= 3600
    spin.setValue(0)
    assert spin.value() == 1
    spin.setValue(10**6)
    assert spin.value() == 3600


# ---- audit ---------------------------------------------------------------------------------------
@pytest.fixture
def audit_page(ctx, qtbot):
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    return page


def test_audit_page_lists_entries_and_verifies(ctx, qtbot, audit_page):
    rows = table_rows(audit_page.table)
    seqs = [int(r[0]) for r in rows]
    assert seqs == sorted(seqs, reverse=True) and seqs[-1] == 1
    assert rows[0][2] == "admin" and rows[0][4] == "auth.signed_in"
    assert any(r[4] == "user.created" and "username=teller" in r[6] for r in rows)
    assert len(rows[0][1]) == 19  # local time to the second: YYYY-MM-DD HH:MM:SS

    assert QTest.qWaitForWindowActive(audit_page)
    with qtbot.waitSignal(audit_page.verified, timeout=10_000) as blocker:
        qtbot.keyClick(audit_page.table, Qt.Key.Key_V,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert blocker.args[0].ok
    shown = audit_page.message.text().splitlines()
    assert shown[0] == f"Verification passed: all {len(blocker.args[0].checks)} checks are ok"
    assert "✓ Audit log chain" in shown and f"    · Audit entries checked: {len(rows)}" in shown
    qtbot.waitUntil(lambda: audit_page.table.item(0, 4).text() == "audit.verified")


def test_audit_verify_reports_tampered_entry(ctx, qtbot, audit_page):
    key = ctx.vault.load_slots().unlock_with_password("admin", PASSWORDS["admin"])[1]
    engine = make_engine(ctx.vault.data.database, key)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            conn.exec_driver_sql("""UPDATE audit_log SET details = '{"role":"teller"}' WHERE seq = 3""")
            conn.commit()
    finally:
        engine.dispose()
    with qtbot.waitSignal(audit_page.verified, timeout=10_000) as blocker:
        audit_page.verify()
    report = blocker.args[0]
    assert not report.ok and report.chain.first_broken == 3
    shown = audit_page.message.text().splitlines()
    assert shown[0].startswith("VERIFICATION FAILED: ") and "✗ Audit log chain" in shown
    assert any(line.startswith("    ✗ first broken entry: #3 (") for line in shown)
    assert theme.role_of(audit_page.message) == "error"
    qtbot.waitUntil(lambda: audit_page.table.item(0, 4).text() == "audit.verified")
    selected = audit_page.table.selectionModel().selectedRows()
    assert selected and audit_page.table.item(selected[0].row(), 0).text() == "3"


def test_audit_refill_of_500_rows_is_fast(qtbot, audit_page):
    """Regression: refilling in place made the resize-to-contents header quadratic (~50 s for 500 rows)."""
    rows = [AuditRow(i, "2026-11-25T07:27:49.123456+00:00", "admin", "ws-01", "user.created", "user",
                     "8c614e9a-1234-4567-89ab-0123456789ab", '{"role":"teller"}') for i in range(500, 0, -1)]
    start = time.perf_counter()
    for _ in range(2):
        audit_page._generation += 1
        audit_page._loaded(audit_page._generation, rows)
    assert time.perf_counter() - start < 3
    assert audit_page.table.rowCount() == 500 and audit_page.table.item(0, 5).text() == "user 8c614e9a…"


# ---- language --------------------------------------------------------------------------------------
def test_language_switch_retranslates_core_texts(ctx, qtbot, users_page, settings_page):
    ctx.languages.set("zh_CN")
    try:
        qtbot.waitUntil(lambda: row_of(users_page, "teller")[2] == "柜员")
        assert settings_page.labels["auth.idle_lock_seconds"].text() == "无操作自动锁屏（秒）："
    finally:
        ctx.languages.set("en")
    qtbot.waitUntil(lambda: row_of(users_page, "teller")[2] == "Teller")
    assert users_page.table.horizontalHeaderItem(0).text() == "Username"
