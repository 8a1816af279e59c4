"""The identification step walked through the real main window, offscreen: a new customer, a
returning customer, an expired document, a minor, a refused consent (a screening hit that a second
supervisor decides: test_gui_screening_review)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from counterdesk.services.customers import repository
from counterdesk.store import audit
from helpers.demo import PASSWORDS, WAIT
from helpers.gui import (
    answer_questionnaire,
    at,
    choose_recommended,
    fill_profile,
    next_step,
    read_document,
    select,
    sell_through,
    session_page,
    type_text,
)


def test_new_customer_then_returning_customer(qtbot, open_window, demo_lists_dir, tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    assert "敏感个人信息" in page.steps["consent"].text.toPlainText()
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    view = page.steps["profile"].view
    assert view.editors["birth_date"].text() == "1949-12-31"  # filled from the document
    fill_profile(qtbot, page)
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)
    answer_questionnaire(qtbot, page, age="age_65_up")
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    choose_recommended(qtbot, page)
    sell_through(qtbot, page, tmp_path)
    qtbot.waitUntil(lambda: at(page, "done"), timeout=WAIT)
    summary = page.steps["done"].summary.text()
    assert "110***********002X" in summary and "新客户" in summary
    assert "反洗钱风险等级：低" in summary
    next_step(qtbot, page)  # Finish
    qtbot.waitUntil(lambda: page.counter_session is None and not page.busy, timeout=WAIT)

    # The same document again: found, consent not asked again, current values shown masked.
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.counter_session is not None and not page.busy, timeout=WAIT)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    phone = page.steps["profile"].view.editors["phone"]
    qtbot.waitUntil(lambda: phone.placeholderText() != "", timeout=WAIT)
    assert phone.placeholderText() == "+86 138****5678"
    type_text(qtbot, page.steps["profile"].view.editors["address"], "Beijing Haidian Zhongguancun 1")
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.use_current.isVisible(), timeout=WAIT)  # assessed a moment ago: still valid
    qtbot.mouseClick(step.use_current, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    choose_recommended(qtbot, page)
    sell_through(qtbot, page, tmp_path)
    qtbot.waitUntil(lambda: at(page, "done"), timeout=WAIT)
    assert "老客户" in page.steps["done"].summary.text()
    vault, user = window.ctx.vault, window.ctx.user
    found = repository.find_by_document(vault, user, "resident_id", "11010519491231002X")
    assert len(repository.versions(vault, user, found.customer_id)) == 2


def test_expired_document_stops_the_session(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_expired")
    qtbot.waitUntil(lambda: not page.busy and page.counter_session.flow.stopped is not None, timeout=WAIT)
    assert "终止" in page.banner.text() or "过期" in page.banner.text()
    assert page.start_button.isVisible()


def test_refused_consent_stores_nothing(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_adult")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    qtbot.mouseClick(page.steps["consent"].refuse, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and page.counter_session.flow.stopped is not None, timeout=WAIT)
    assert "未保存" in page.banner.text()
    vault, user = window.ctx.vault, window.ctx.user
    number = page.counter_session.state.document.number
    assert repository.find_by_document(vault, user, "resident_id", number) is None


def test_minor_needs_limited_capacity_and_a_guardian(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_minor")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    fill_profile(qtbot, page, name="陈小模", capacity="full")
    next_step(qtbot, page)
    step = page.steps["profile"]
    qtbot.waitUntil(lambda: not page.busy and step.message.isVisible(), timeout=WAIT)
    assert "限制民事行为能力" in step.message.text() and at(page, "profile")
    view = step.view
    select(view.editors["civil_capacity"], "limited")
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: not page.busy and "监护人" in step.message.text(), timeout=WAIT)
    type_text(qtbot, view.editors["guardian_name"], "陈大模")
    select(view.editors["guardian_relation"], "parent")
    select(view.editors["guardian_doc_type"], "resident_id")
    type_text(qtbot, view.editors["guardian_doc_number"], "11010519491231002X")
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)


def test_find_customer_masks_and_reveal_is_audited(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    fill_profile(qtbot, page)
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)

    window.home.show_task("customer.find")
    find = window.home.pages["customer.find"]
    qtbot.keyClicks(find.query, "zxm")  # pinyin initials of 张晓梅
    with qtbot.waitSignal(find.searched, timeout=WAIT):
        qtbot.keyClick(find.query, Qt.Key.Key_Return)
    assert find.table.rowCount() == 1
    assert "张*" in find.table.item(0, 0).text()
    find.table.selectRow(0)
    qtbot.waitUntil(lambda: find.details.rowCount() > 0, timeout=WAIT)
    values = [find.details.item(r, 1).text() for r in range(find.details.rowCount())]
    assert "13812345678" not in values
    keys = [find.details.item(r, 0).data(256) for r in range(find.details.rowCount())]
    find.details.selectRow(keys.index("phone"))
    with qtbot.waitSignal(find.revealed, timeout=WAIT):
        qtbot.mouseClick(find.reveal_button, Qt.MouseButton.LeftButton)
    assert find.details.item(keys.index("phone"), 1).text() == "+8613812345678"
    actions = [e.action for e in window.ctx.vault.transact(lambda s: audit.recent(s, 50))]
    assert "customer.revealed" in actions


def test_keyboard_wedge_scan_of_a_passport_mrz_fills_the_form(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    doc = page.steps["document"]
    # A wedge scanner types both MRZ lines into the focused field in one fast burst, then Enter.
    mrz = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
           "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
    qtbot.keyClicks(doc.number, mrz)
    qtbot.keyClick(doc.number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: doc.number.text() == "L898902C3", timeout=WAIT)
    assert doc.doc_type.currentData() == "passport"
    assert "L898902C36UTO" in doc.mrz.toPlainText()


def test_signing_out_ends_an_unfinished_session(qtbot, open_window, demo_lists_dir):
    from counterdesk.services.customers import counter_sessions

    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    session_id, vault = page.counter_session.session_id, window.ctx.vault
    window.sign_out("user")
    qtbot.waitUntil(lambda: window.state == "signin" and window.signin.submit.isEnabled(), timeout=WAIT)
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    info = counter_sessions.get_session(vault, teller, session_id)
    assert info.status == "stopped" and info.stop_reason_code == "cancelled_by_teller"
    vault.sign_out(teller)
