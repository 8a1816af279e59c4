"""A restricted customer (PIPL Art 47) is said to be restricted on the after-sale page and on the complaint
screens too, not only on the find page: the mark on the list row, the core's message over the selected
record, in zh and in en; the record dialog of a complaint says it for a found customer."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from counterdesk.services.auth.vault import Vault
from counterdesk.services.complaints import handling
from counterdesk.services.customers import data_rights
from helpers.demo import WAIT, sign_in
from test_gui_aftersale import private_sale


def restricted_sale_with_a_complaint(data_dir) -> str:
    vault = Vault.open(data_dir)
    try:
        counter_session, _state = private_sale(vault)
        customer_id = counter_session.state.customer_id
        data_rights.restrict(vault, sign_in(vault, "supervisor"), customer_id)
        handling.record(vault, sign_in(vault, "teller"), handling.NewComplaint(
            "counter", "disclosure", "对销售过程有意见", "simple", customer_id))
        return customer_id
    finally:
        vault.close()


def test_the_after_sale_page_and_the_complaint_screens_show_the_restriction(qtbot, open_window, demo_lists_dir):
    restricted_sale_with_a_complaint(demo_lists_dir)
    window = open_window(demo_lists_dir, "teller")
    home = window.home

    home.show_task("aftersale.manage")
    aftersale = home.pages["aftersale.manage"]
    qtbot.waitUntil(lambda: not aftersale.loading and aftersale.cooling_table.rowCount() == 1, timeout=WAIT)
    cell = aftersale.cooling_table.item(0, 1)
    assert cell.text().startswith("[限制处理]") and "第四十七条" in cell.toolTip()
    aftersale.cooling_table.selectRow(0)
    assert aftersale.cooling_restriction.isVisible()
    assert "个人信息保护法" in aftersale.cooling_restriction.text()

    home.show_task("complaint.handle")
    complaints = home.pages["complaint.handle"]
    qtbot.waitUntil(lambda: complaints.idle and complaints.table.rowCount() == 1, timeout=WAIT)
    assert complaints.table.item(0, 3).text().startswith("[限制处理]")
    qtbot.waitUntil(lambda: complaints.current is not None and complaints.restriction.isVisible(), timeout=WAIT)
    assert "第四十七条" in complaints.restriction.text()

    complaints.new_complaint()
    dialog = complaints.dialog
    qtbot.keyClicks(dialog.search, "zhangxiaomei")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.searching and dialog.results.count() >= 1, timeout=WAIT)
    assert dialog.results.item(0).text().startswith("[限制处理]")
    assert dialog.restriction.isVisible() and "第四十七条" in dialog.restriction.text()
    dialog.reject()

    window.ctx.languages.set("en")  # the same screens in English: the core's English message
    qtbot.waitUntil(lambda: "PIPL Art 47" in complaints.restriction.text(), timeout=WAIT)
    home.show_task("aftersale.manage")
    qtbot.waitUntil(lambda: "PIPL Art 47" in aftersale.cooling_restriction.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: aftersale.cooling_table.item(0, 1).text().startswith("[Restricted]"), timeout=WAIT)
