"""The second factor in the real window, offscreen: the code step after the password (keyboard
only), enrolment with the QR code and the recovery codes (copy, print), the administrator's reset on
the users page, and the supervisor override dialog asking for the code."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtPrintSupport import QPrinter

from counterdesk.services import accounts
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import approvals
from counterdesk.store import audit
from counterdesk.ui.admin.users_page import ResetFactorDialog, UsersPage
from counterdesk.ui.counter.override_dialog import OverrideDialog
from counterdesk.ui.shell.main_window import MainWindow
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages
from helpers.counter import YOUNG, at_recommendation, choose, customer_signs
from helpers.demo import PASSWORDS, WAIT, code_for, sign_in, totp_code
from helpers.gui import text_of


@pytest.fixture
def at_sign_in(qtbot, qapp, demo_dir):
    """The main window on a fresh demo copy, at the sign-in page (zh)."""
    languages = Languages(qapp)
    languages.set("zh_CN")
    window = MainWindow(AppContext(data_dir=demo_dir, demo=True, languages=languages))
    qtbot.addWidget(window)
    window.start()
    window.show()
    qtbot.waitUntil(lambda: window.state == "signin", timeout=WAIT)
    yield window
    window.close()
    languages.set("en")  # leave the shared QApplication without our translator


def password_then_enter(qtbot, window, username: str, password: str) -> None:
    page = window.signin
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    qtbot.keyClicks(page.username, username)
    qtbot.keyClick(page.username, Qt.Key.Key_Return)
    qtbot.keyClicks(page.password, password)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)


def test_the_code_step_follows_the_password_and_enter_signs_in(qtbot, at_sign_in):
    window = at_sign_in
    page = window.signin
    password_then_enter(qtbot, window, "supervisor", PASSWORDS["supervisor"])
    qtbot.waitUntil(lambda: page.step == "code" and not page.busy, timeout=WAIT)
    assert window.state == "signin" and not page.credentials.isVisible() and page.code.isVisible()
    assert "supervisor" in page.code_intro.text() and page.demo_key.isVisible()
    assert not page.password.text()  # the password is not left in the field

    wrong = "000000" if totp_code("supervisor") != "000000" else "111111"
    qtbot.keyClicks(page.code, wrong)
    qtbot.keyClick(page.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.busy and page.message.isVisible(), timeout=WAIT)
    assert page.step == "code" and "动态口令或恢复码不正确" in page.message.text() and page.code.text() == ""
    qtbot.keyClicks(page.code, "12ab")  # the field takes digits or a recovery code, nothing else
    assert page.code.text() in ("12", "12ab") and len(page.code.text()) <= 11
    page.code.clear()

    qtbot.mouseClick(page.back, Qt.MouseButton.LeftButton)  # Back: the password is asked again
    assert page.step == "credentials" and page._pending is None
    password_then_enter(qtbot, window, "", PASSWORDS["supervisor"])
    qtbot.waitUntil(lambda: page.step == "code" and not page.busy, timeout=WAIT)
    qtbot.keyClicks(page.code, totp_code("supervisor"))
    qtbot.keyClick(page.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.state == "home", timeout=WAIT)
    assert window.ctx.user.username == "supervisor"
    failed = [e for e in window.ctx.vault.audit_entries(sign_in(window.ctx.vault, "admin"), limit=20)
              if e.action == "auth.sign_in_failed"]
    assert failed and '"reason":"wrong_code"' in failed[0].details


def test_enrolment_shows_the_qr_code_and_the_recovery_codes_once(qtbot, at_sign_in, tmp_path):
    window = at_sign_in
    vault = window.ctx.vault
    admin = sign_in(vault, "admin")
    vault.set_setting(admin, "mfa.tellers", True)
    vault.sign_out(admin)
    page = window.signin
    password_then_enter(qtbot, window, "teller", PASSWORDS["teller"])
    qtbot.waitUntil(lambda: page.enrolment is not None and page.enrolment.isVisible(), timeout=WAIT)
    dialog = page.enrolment
    assert window.state == "signin" and (dialog.code.hasFocus() or not dialog.isActiveWindow())
    image = dialog.qr.grab().toImage()
    dark = sum(image.pixelColor(x, y) == QColor("black") for x in range(0, image.width(), 3)
               for y in range(0, image.height(), 3))
    assert dark > 200 and image.pixelColor(2, 2) == QColor("white")  # modules drawn, quiet zone light
    secret = dialog.key.text().replace(" ", "")
    assert secret == dialog.enrolment.secret and len(secret) == 32

    qtbot.keyClicks(dialog.code, "000000" if code_for(secret) != "000000" else "111111")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.isVisible() and dialog.confirm.isEnabled(), timeout=WAIT)
    assert dialog.stack.currentWidget() is dialog.enrol_page and window.state == "signin"
    qtbot.keyClicks(dialog.code, code_for(secret))
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.stack.currentWidget() is dialog.codes_page, timeout=WAIT)
    view = dialog.codes_page
    assert len(view.codes) == 10 and all(c in view.list.text() for c in view.codes)

    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text().split("\n") == view.codes
    pdf = tmp_path / "codes.pdf"

    def printer(_parent, _title):
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(pdf))
        return p
    view.choose_printer = printer
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    printed = text_of(pdf.read_bytes())
    assert "teller" in printed and all(c in printed for c in view.codes)

    qtbot.mouseClick(view.done, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.state == "home", timeout=WAIT)
    assert window.ctx.user.username == "teller"
    QGuiApplication.clipboard().clear()


@pytest.fixture
def admin_ctx(demo_dir, qapp):
    vault = Vault.open(demo_dir)
    ctx = AppContext(demo_dir, demo=True, languages=Languages(qapp))
    ctx.vault, ctx.user = vault, sign_in(vault, "admin")
    yield ctx
    vault.close()


@pytest.fixture
def users_page(admin_ctx, qtbot):
    """Held by the fixture: the page must outlive the test body (its refresh tasks are its children)."""
    page = UsersPage(admin_ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    return page


def test_the_users_page_resets_a_second_factor(qtbot, users_page):
    page, vault = users_page, users_page.ctx.vault
    column = {page.table.item(r, 0).text(): page.table.item(r, 6).text() for r in range(page.table.rowCount())}
    assert column == {"admin": "Set up (0 recovery codes left)", "supervisor": "Set up (0 recovery codes left)",
                      "teller": "", "auditor": ""}  # English here; the sign-in tests above run in Chinese
    page.select_username("admin")
    assert not page.mfa_reset_button.isEnabled()  # not one's own
    page.select_username("teller")
    assert not page.mfa_reset_button.isEnabled()  # nothing to reset
    page.select_username("supervisor")
    assert page.mfa_reset_button.isEnabled()
    qtbot.mouseClick(page.mfa_reset_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, ResetFactorDialog) and "supervisor" in dialog.intro.text()
    with qtbot.waitSignals([page.changed, page.loaded], timeout=WAIT):
        dialog.buttons.accepted.emit()
    row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == "supervisor")
    assert page.table.item(row, 6).text() == "Set up at next sign-in"
    assert "supervisor" in page.message.text()
    reset = vault.transact(lambda db: [e for e in audit.recent(db, 10) if e.action == "mfa.reset"])
    assert reset and reset[0].actor_name == "admin"


@pytest.fixture
def override_dialog(qtbot, qapp, demo_lists_dir):
    """A sale waiting for a supervisor, and the override dialog at the teller's station."""
    vault = Vault.open(demo_lists_dir)
    counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
    choose(counter_session, "DM-WM-EQ", own=True)
    customer_signs(counter_session)
    counter_session.submit()
    teller = counter_session.user
    request = approvals.latest_request(vault, teller, counter_session.state.signoff.signoff_id)
    ctx = AppContext(demo_lists_dir, demo=True, languages=Languages(qapp))
    ctx.vault, ctx.user = vault, teller
    dialog = OverrideDialog(ctx, request)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    vault.close()


def test_the_override_dialog_asks_the_supervisor_for_the_code(qtbot, override_dialog):
    dialog = override_dialog
    vault, teller, request = dialog.ctx.vault, dialog.ctx.user, dialog.request
    qtbot.keyClicks(dialog.username, "supervisor")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.password, PASSWORDS["supervisor"])
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.code.hasFocus() or not dialog.isActiveWindow()
    qtbot.mouseClick(dialog.approve, Qt.MouseButton.LeftButton)  # no code: refused, nothing decided
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled() and dialog.message.isVisible(), timeout=WAIT)
    assert "authenticator" in dialog.message.text() and dialog.result_info is None
    assert approvals.latest_request(vault, teller, request.signoff_id).status == "pending"
    qtbot.keyClicks(dialog.password, PASSWORDS["supervisor"])
    qtbot.keyClicks(dialog.code, totp_code("supervisor"))
    qtbot.mouseClick(dialog.approve, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=WAIT)
    assert dialog.result_info.status == "approved" and dialog.result_info.override
    assert [u for u in accounts.list_users(vault, sign_in(vault, "admin")) if u.username == "supervisor"]
