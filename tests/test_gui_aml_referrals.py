"""The AML referral queue on the supervisor's home (ui/supervisor/aml_referrals.py), through the real
window: the referral of a stopped sale listed with the customer masked, the core's per-field problems
shown beside the fields, closing with an outcome and a note, the auditor reading only."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import referral_queue as rq
from helpers.demo import WAIT
from helpers.gui import select, type_text
from test_aml_referral_queue import refer


def test_supervisor_closes_a_referral_from_the_home_navigation(qtbot, open_window, demo_lists_dir):
    vault = Vault.open(demo_lists_dir)
    try:
        referral_id = refer(vault)
    finally:
        vault.close()
    window = open_window(demo_lists_dir, "supervisor")
    home = window.home
    row = home.task_ids.index("aml.referrals")
    assert home.nav.item(row).text().startswith("可疑交易报告线索")
    assert home.nav.item(row).text().endswith(f"Ctrl+{row + 1}")
    home.nav.setCurrentRow(row)  # as a click on the task list does
    page = home.pages["aml.referrals"]
    qtbot.waitUntil(lambda: home.stack.currentWidget() is page and page.table.rowCount() == 1, timeout=WAIT)
    customer = page.table.item(0, 1).text()
    assert "*" in customer and "样例" not in customer
    assert "身份证件影印件" in page.table.item(0, 2).text() and page.table.item(0, 4).text() == "待处理"
    assert "〔2025〕第11号" in page.details.toPlainText()
    assert page.outcome.currentData() is None  # nothing chosen for the officer

    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert page.problems["outcome"].isVisible() and page.problems["note"].isVisible()
    assert page.problems["outcome"].text() == "请选择处理结果。"
    select(page.outcome, rq.NOT_SUSPICIOUS)
    assert not page.problems["outcome"].isVisible()
    type_text(qtbot, page.note, "经分析，客户拒绝留存影印件系误解，已解释，不构成可疑")
    with qtbot.waitSignal(page.closed, timeout=WAIT) as closed:
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert closed.args == [referral_id]
    qtbot.waitUntil(lambda: not page.loading and page.table.rowCount() == 0, timeout=WAIT)
    assert "已记录" in page.message.text()
    page.show_closed.setChecked(True)
    qtbot.waitUntil(lambda: not page.loading and page.table.rowCount() == 1, timeout=WAIT)
    assert page.table.item(0, 4).text() == "已处理" and "不构成可疑" in page.details.toPlainText()
    assert not page.close_button.isEnabled()


def test_the_auditor_reads_the_queue_but_cannot_close(qtbot, open_window, demo_lists_dir):
    vault = Vault.open(demo_lists_dir)
    try:
        refer(vault)
    finally:
        vault.close()
    window = open_window(demo_lists_dir, "auditor")
    home = window.home
    home.show_task("aml.referrals")
    page = home.pages["aml.referrals"]
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    assert not page.close_button.isEnabled() and not page.note.isEnabled()
