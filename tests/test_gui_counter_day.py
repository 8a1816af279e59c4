"""Defects that stopped a branch's day, each through the real main window: an unexpected error that
must be in the log, a cancel that asks first, an idle lock that neither locks while the customer
reads nor counts someone's typing as sign-in attempts, messages that go when the field is fixed or
the language changes."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer

from counterdesk.base import logs
from counterdesk.services.customers import counter_sessions
from counterdesk.services.sanctions import disposition
from counterdesk.store import audit
from counterdesk.ui import theme
from helpers.demo import PASSWORDS, WAIT
from helpers.gui import at, fill_profile, next_step, read_document, select, session_page, type_text

ID_NUMBER = "110105198506151236"


def log_text(path) -> str:
    for handler in __import__("logging").getLogger("counterdesk").handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


# ---- 3: the log ------------------------------------------------------------------------------------------

def test_an_unexpected_error_is_in_the_log_redacted(qtbot, open_window, demo_lists_dir, tmp_path, monkeypatch):
    window = open_window(demo_lists_dir, "supervisor")
    reviews = window.home.pages["approval.queue"]
    qtbot.waitUntil(lambda: not reviews.message.isVisible() and reviews.table.rowCount() == 0, timeout=WAIT)

    def broken(vault, user):
        raise RuntimeError(f"index lookup failed for {ID_NUMBER}")
    monkeypatch.setattr(disposition, "pending_hits", broken)
    log_file = tmp_path / "logs" / "counterdesk.log"
    with qtbot.capture_exceptions() as caught:
        logs.setup(tmp_path / "logs", catch_uncaught=True)  # as the application's entry point does
        try:
            reviews.refresh()
            qtbot.waitUntil(lambda: reviews.message.isVisible(), timeout=WAIT)
            assert "详情已记录在日志中" in reviews.message.text()
            text = log_text(log_file)
            assert "background task failed" in text and "RuntimeError: index lookup failed for 110***1236" in text
            assert "in broken" in text  # where it happened, frame by frame
            assert ID_NUMBER not in text

            def slot_that_fails():
                raise ZeroDivisionError("division by zero in a slot")
            QTimer.singleShot(0, slot_that_fails)  # an exception no caller catches (PySide6 → sys.excepthook)
            qtbot.waitUntil(lambda: len(caught) == 1, timeout=WAIT)
            assert "uncaught exception" in log_text(log_file) and "ZeroDivisionError" in log_text(log_file)
        finally:
            logs.shutdown()
    assert (log_file.stat().st_mode & 0o777) == 0o600


def test_a_crash_leaves_its_stacks_in_crash_log(tmp_path):
    """A fatal error in a C extension (such as the none_dealloc abort) writes every thread's Python
    stack to logs/crash.log: the only trace such a crash can leave."""
    script = textwrap.dedent("""
        import faulthandler, sys
        from pathlib import Path
        from counterdesk.base import logs
        logs.setup(Path(sys.argv[1]), catch_uncaught=True)
        def counter_page_switch():
            faulthandler._sigabrt()
        counter_page_switch()
    """)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "logs")], capture_output=True, timeout=60)
    assert done.returncode != 0
    crash = (tmp_path / "logs" / "crash.log").read_text(encoding="utf-8")
    assert "Fatal Python error" in crash and "counter_page_switch" in crash
    assert (tmp_path / "logs" / "crash.log").stat().st_mode & 0o777 == 0o600


# ---- 4: cancel asks first ------------------------------------------------------------------------------------

def test_cancel_asks_first_and_records_the_reason(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    vault, user, session_id = window.ctx.vault, window.ctx.user, page.counter_session.session_id
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    dialog = page.cancel_dialog
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=WAIT)
    assert dialog.chosen_reason() is None and not dialog.confirm.isEnabled() and dialog.keep.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # a slip of the key keeps the session
    qtbot.waitUntil(lambda: page.cancel_dialog is None, timeout=WAIT)
    assert page.counter_session is not None and page.counter_session.flow.stopped is None
    assert counter_sessions.get_session(vault, user, session_id).status == "open"

    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    dialog = page.cancel_dialog
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=WAIT)
    select(dialog.reason, "customer_left")
    assert dialog.confirm.isEnabled()
    qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.counter_session is None and not page.busy, timeout=WAIT)
    assert "客户已离开柜台" in page.banner.text()
    info = counter_sessions.get_session(vault, user, session_id)
    assert info.status == "stopped" and info.stop_reason_code == "cancelled:customer_left"
    entries = vault.transact(lambda s: audit.recent(s, 20))
    stopped = next(e for e in entries if e.action == "session.stopped" and e.object_id == session_id)
    assert '"reason":"cancelled:customer_left"' in stopped.details


# ---- 5: the idle lock ------------------------------------------------------------------------------------------

def to_assessment(qtbot, page):
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    fill_profile(qtbot, page)
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)


def test_no_idle_lock_while_the_customer_window_is_in_use(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    to_assessment(qtbot, page)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.start.isEnabled() and not page.busy, timeout=WAIT)
    qtbot.mouseClick(step.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.customer_window is not None and page.customer_window.isVisible(), timeout=WAIT)
    window.idle_timer.timeout.emit()  # the idle limit is reached while the customer answers
    assert window.state == "home" and window.idle_timer.isActive()
    page.customer_window.hide()  # the customer window is put away: now the counter is unattended
    window.idle_timer.timeout.emit()
    qtbot.waitUntil(lambda: window.state == "locked", timeout=WAIT)


def test_typing_under_way_at_the_lock_is_never_a_sign_in_attempt(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    find = window.home.pages["customer.find"]
    window.home.show_task("customer.find")
    vault = window.ctx.vault
    qtbot.keyClicks(find.query, "13812")  # typing into the form ...
    window.idle_timer.timeout.emit()  # ... when the screen locks
    qtbot.waitUntil(lambda: window.state == "locked", timeout=WAIT)
    lock = window.lock_page
    now = [time.monotonic()]
    lock.clock = lambda: now[0]
    qtbot.keyClicks(lock.password, "345678")  # the rest of the phone number, then Enter
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    assert window.state == "locked" and lock.password.text() == ""
    assert "不计为登录尝试" in lock.message.text()
    assert vault.auth_state.status("teller").failures == 0
    now[0] += 2.0  # a pause: what is typed now is the teller's password
    qtbot.keyClicks(lock.password, PASSWORDS["teller"])
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.state == "home", timeout=WAIT)


def test_a_wrong_password_after_a_pause_still_counts(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # a manual lock
    qtbot.waitUntil(lambda: window.state == "locked", timeout=WAIT)
    lock = window.lock_page
    qtbot.keyClicks(lock.password, "not-the-password")
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lock.message.isVisible() and not lock.busy, timeout=WAIT)
    assert window.ctx.vault.auth_state.status("teller").failures == 1


# ---- 6 and 11: messages that go when the field is fixed or the language changes --------------------------

def test_kyc_problems_go_when_the_field_is_fixed_and_follow_the_language(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    doc = page.steps["document"]
    select(doc.doc_type, "resident_id")
    qtbot.keyClicks(doc.number, ID_NUMBER)
    qtbot.keyClicks(doc.issue, "2015-06-01")
    qtbot.keyClicks(doc.expiry, "2035-06-01")
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    profile = page.steps["profile"]
    view = profile.view
    fill_profile(qtbot, page, name="王建军")
    type_text(qtbot, view.editors["address"], "北京市朝阳区建国路 88 号")
    birth = view.editors["birth_date"]
    assert birth.text() == "1985-06-15"  # taken from the document
    birth.clear()
    qtbot.keyClicks(birth, "1986-06-15")  # contradicts the ID
    view.editors["phone"].clear()  # and a required field left empty
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: not page.busy and profile.message.isVisible(), timeout=WAIT)
    assert at(page, "profile")
    assert "出生日期与证件不一致" in profile.message.text() and "联系电话" in profile.message.text()
    assert theme.state_of(birth) == "invalid"

    window.set_language("en")
    qtbot.waitUntil(lambda: "date of birth contradicts" in profile.message.text(), timeout=WAIT)
    birth.clear()
    qtbot.keyClicks(birth, "1985-06-15")  # fixed: its message and mark go at once
    assert "date of birth" not in profile.message.text() and "Phone number" in profile.message.text()
    assert theme.state_of(birth) == ""
    type_text(qtbot, view.editors["phone"], "13812345678")
    assert not profile.message.isVisible(), profile.message.text()
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: not page.busy and not at(page, "profile"), timeout=WAIT)
    window.set_language("zh_CN")


def test_the_sign_in_error_follows_the_language(qtbot, qapp, demo_lists_dir):
    from counterdesk.ui.shell.main_window import MainWindow
    from counterdesk.ui.widgets.context import AppContext
    from counterdesk.ui.widgets.resources import Languages

    languages = Languages(qapp)
    languages.set("zh_CN")
    window = MainWindow(AppContext(data_dir=demo_lists_dir, demo=True, languages=languages))
    qtbot.addWidget(window)
    window.start()
    window.show()
    qtbot.waitUntil(lambda: window.state == "signin", timeout=WAIT)
    signin = window.signin
    qtbot.keyClicks(signin.username, "teller")
    qtbot.keyClicks(signin.password, "wrong-password")
    qtbot.keyClick(signin.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: signin.message.isVisible() and not signin.busy, timeout=WAIT)
    assert signin.message.text() == "用户名或密码错误。"
    window.set_language("en")
    qtbot.waitUntil(lambda: signin.message.text() == "Wrong username or password.", timeout=WAIT)
    signin.password.clear()
    qtbot.keyClick(signin.password, Qt.Key.Key_Return)  # nothing typed: the page's own message
    qtbot.waitUntil(lambda: signin.message.text() == "Enter your username and password.", timeout=WAIT)
    window.set_language("zh_CN")
    qtbot.waitUntil(lambda: signin.message.text() != "Enter your username and password.", timeout=WAIT)
    assert signin.message.text().isascii() is False
    window.close()
    languages.set("en")
