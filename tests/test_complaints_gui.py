"""Complaints through the real window, in Chinese: the teller records a complaint from a phone call for
a customer found by the masked search, asks for an extension to 60 days; the supervisor approves it;
the teller records that the customer was told (the deadline moves), resolves it and prints the letter."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from counterdesk.base.branchtime import branch_day
from counterdesk.flow.counter_session import CounterSession
from counterdesk.services.auth.vault import DEMO_USERS, Vault
from helpers.counter import YOUNG, identify, kyc
from helpers.demo import PASSWORDS, WAIT
from helpers.gui import pages_of, select, sign_in_window, text_of, type_text
from helpers.screens import accelerator_clashes, foreign_text

WORDS = "客户来电：理财经理未说明产品可能亏损本金，要求赔偿。"
DATA = (*(u.display_name for u in DEMO_USERS), "演示支行 DEMO Branch", "张**")


def clean(widget) -> None:
    """One accelerator per visible action, and Chinese only (beyond names and codes)."""
    assert accelerator_clashes(widget) == []
    assert foreign_text(widget, "zh", DATA) == []


def complaints_page(qtbot, window):
    window.home.show_task("complaint.handle")
    page = window.home.pages["complaint.handle"]
    qtbot.waitUntil(lambda: not page.loading and page.isVisible(), timeout=WAIT)
    return page


def switch_to(qtbot, window, username):
    page = window.home.pages["complaint.handle"]
    qtbot.waitUntil(lambda: page.idle, timeout=WAIT)  # nothing of the page still running when it goes
    window.sign_out("user")
    qtbot.waitUntil(lambda: window.state == "signin" and window.signin.submit.isEnabled(), timeout=WAIT)
    window.signin.username.clear()  # the last user's name may be filled in
    sign_in_window(qtbot, window, username)


def click(qtbot, button):
    qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=WAIT)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def step(qtbot, page, button, fill) -> None:
    """Open a step's dialog with its button, fill it, press OK and wait for the page to show the result."""
    click(qtbot, button)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT)
    dialog = page.dialog
    fill(dialog)
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None and page.idle, timeout=WAIT)


def test_record_extend_approve_notify_resolve_and_print(qtbot, open_window, demo_lists_dir, tmp_path):
    vault = Vault.open(demo_lists_dir)  # a customer known to the branch, identified at an earlier visit
    identify(CounterSession(vault, vault.sign_in("teller", PASSWORDS["teller"])), YOUNG, kyc("1990-01-01"))
    vault.close()

    window = open_window(demo_lists_dir, "teller")
    page = complaints_page(qtbot, window)
    assert page.title.text() == "投诉处理" and page.table.rowCount() == 0
    window.activateWindow()  # shortcuts go to the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT)
    dialog = page.dialog
    select(dialog.channel, "phone")
    select(dialog.category, "disclosure")
    select(dialog.complexity, "complex")
    type_text(qtbot, dialog.search, "张")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.results.count() == 1 and not dialog.searching, timeout=WAIT)
    assert dialog.results.item(0).text().startswith("张*") and "张晓梅" not in dialog.results.item(0).text()
    assert not dialog.anonymous.isChecked()
    type_text(qtbot, dialog.words, WORDS)
    clean(dialog)
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None and page.table.rowCount() == 1 and not page.loading, timeout=WAIT)
    received = branch_day(datetime.now(UTC))
    due_30 = (received + timedelta(days=30)).isoformat()
    assert [page.table.item(0, c).text() for c in (1, 3, 5)] == [due_30, "张**", "演示柜员 Demo Teller"]
    assert WORDS in page.detail.toPlainText() and "情况复杂" in page.detail.toPlainText()
    clean(window)

    def ask(d):
        assert d.days.value() == 60
        type_text(qtbot, d.text, "需向产品发行方调取销售录音")
    step(qtbot, page, page.buttons["extend"], ask)
    assert page.current.extension_state == "requested" and not page.buttons["approve"].isVisible()

    switch_to(qtbot, window, "supervisor")
    page = complaints_page(qtbot, window)
    qtbot.waitUntil(lambda: page.current is not None and page.buttons["approve"].isVisible(), timeout=WAIT)
    clean(window)
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        click(qtbot, page.buttons["approve"])
    qtbot.waitUntil(lambda: page.current.extension_state == "approved" and not page.loading, timeout=WAIT)
    assert page.table.item(0, 1).text() == due_30  # not extended before the customer is told
    assert "延期已批准，待告知投诉人" in page.table.item(0, 6).text()

    switch_to(qtbot, window, "teller")
    page = complaints_page(qtbot, window)
    qtbot.waitUntil(lambda: page.current is not None and page.buttons["notice"].isVisible(), timeout=WAIT)

    def told(d):
        select(d.choice, "phone")
        type_text(qtbot, d.text, "已电话告知延期及新期限")
    step(qtbot, page, page.buttons["notice"], told)
    due_60 = (received + timedelta(days=60)).isoformat()
    qtbot.waitUntil(lambda: page.table.item(0, 1).text() == due_60, timeout=WAIT)
    assert "情况特别复杂" in page.detail.toPlainText()

    def decide(d):
        select(d.choice, "partly_upheld")
        type_text(qtbot, d.text, "录音显示风险揭示不完整，退还认购费。")
    step(qtbot, page, page.buttons["resolve"], decide)
    assert page.current.status == "resolved" and page.buttons["letter"].isVisible()
    assert page.table.rowCount() == 0  # the queue holds open complaints; resolved ones on request
    page.show_resolved.setChecked(True)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and not page.loading, timeout=WAIT)
    clean(window)

    printed = tmp_path / "letter.pdf"

    def printer(_parent, _title):
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(printed))
        return p
    page.choose_printer = printer
    with qtbot.waitSignal(page.changed, timeout=WAIT * 2):
        click(qtbot, page.buttons["letter"])
    text = text_of(page.last_letter)
    assert "投诉处理决定告知书" in text and page.current.reference in text and "部分支持投诉请求" in text
    assert "张**" in text and "张晓梅" not in text and "理财经理未说明" not in text
    assert pages_of(printed) == 1
    qtbot.waitUntil(lambda: page.idle, timeout=WAIT)
    assert [e.kind for e in page.current.events] == ["received", "extension_requested", "extension_approved",
                                                     "notice_recorded", "resolved"]
