"""The counter screen designed for the work (issue 14), through the real windows: the customer panel
beside every step (masked, updated after each step), the step bar's states (a screening hold shows as
blocked, approval as not needed), the layout on a branch PC's 1366×768 screen and on 1920×1080 in both
languages, and where the keyboard is after each step and after a customer window closes."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QPushButton, QWidget

from counterdesk.flow.counter_session import CounterSession
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import data_rights
from counterdesk.ui.theme import role_of
from helpers.counter import SPECIMEN, identify, kyc
from helpers.demo import WAIT, sign_in
from helpers.gui import (
    FakeClock,
    answer_questionnaire,
    at,
    choose_ranked,
    customer_signs,
    fill_profile,
    next_step,
    print_both,
    read_document,
    select,
    session_page,
    teller_attests,
    to_recommendation,
    type_text,
)

FULL_NAME, FULL_ID, MASKED_ID = "张晓梅", "11010519491231002X", "110***********002X"
SCREEN_1366 = QRect(0, 0, 1366, 768 - 40)  # the task bar takes ~40 px


def _panel(page) -> str:
    return "\n".join(page.customer_panel.texts())


def _value(page, key: str) -> str:
    return page.customer_panel.values[key].text()


def _roles(page) -> dict[str, str]:
    return {sid: role_of(label) for sid, label in page.step_bar.labels.items()}


def _focused(window, widget) -> bool:
    """The teller's window holds the keyboard on ``widget`` (its focus widget, and the window active)."""
    return window.isActiveWindow() and window.focusWidget() is widget


def _assert_masked(page) -> None:
    shown = _panel(page)
    assert FULL_NAME not in shown and FULL_ID not in shown and "晓梅" not in shown
    for label in page.step_bar.labels.values():
        assert FULL_ID not in label.accessibleName()


# ---- the panel through a whole session, and focus after each step -----------------------------------------
def test_a_new_customers_session_panel_step_bar_and_focus(qtbot, open_window, demo_lists_dir, tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    doc = page.steps["document"]
    assert "尚未识别客户" in _panel(page)
    assert _roles(page)["document"] == "step-current" and _roles(page)["consent"] == "step-pending"
    qtbot.waitUntil(lambda: _focused(window, doc.number), timeout=WAIT)

    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    assert page.customer_panel.heading.text() == "新客户"
    assert _value(page, "document") == f"居民身份证 {MASKED_ID}\n长期有效"
    assert _value(page, "consent") == "尚未征得" and _value(page, "name") == "尚未录入"
    assert _roles(page)["document"] == "step-done" and _roles(page)["consent"] == "step-current"
    assert page.step_bar.labels["document"].accessibleName().endswith("已完成")
    assert "当前步骤" in page.step_bar.labels["consent"].accessibleName()
    consent = page.steps["consent"]
    qtbot.waitUntil(lambda: _focused(window, consent.agree), timeout=WAIT)
    qtbot.keyClick(consent.agree, Qt.Key.Key_Space)  # from the keyboard, where the focus is

    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    assert _value(page, "consent") == "本次已同意"
    profile = page.steps["profile"]
    qtbot.waitUntil(lambda: _focused(window, profile.first_field()), timeout=WAIT)
    assert profile.first_field() is next(iter(profile.view.editors.values()))
    fill_profile(qtbot, page)
    next_step(qtbot, page)

    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)
    assert _value(page, "name") == "张**" and _value(page, "screening") == "未命中"
    assert _value(page, "aml") in ("低", "中", "高") and _value(page, "grade") == "无风险测评"
    assert [_roles(page)[s] for s in ("profile", "screening", "assessment")] == \
        ["step-done", "step-done", "step-current"]
    _assert_masked(page)
    assessment = page.steps["assessment"]
    qtbot.waitUntil(lambda: _focused(window, assessment.start), timeout=WAIT)

    answer_questionnaire(qtbot, page, age="age_65_up")
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    qtbot.waitUntil(lambda: "有效期至" in _value(page, "grade"), timeout=WAIT)
    grade = page.counter_session.state.assessment
    assert _value(page, "grade") == f"{grade.grade} {grade.name.zh}\n有效期至 {grade.last_valid_day.isoformat()}"
    rec = page.steps["recommendation"]
    qtbot.waitUntil(lambda: _focused(window, rec.amount), timeout=WAIT)  # back from the customer window
    qtbot.keyClicks(rec.amount, "50000")
    qtbot.keyClicks(rec.assets, "600000")
    qtbot.keyClick(rec.assets, Qt.Key.Key_Return)  # Enter shows the products
    qtbot.waitUntil(lambda: not page.busy and rec.table.rowCount() > 0, timeout=WAIT)
    choose_ranked(qtbot, page, rec, "DM-WM-F90")

    signoff = page.steps["signoff"]
    qtbot.waitUntil(lambda: _focused(window, signoff.handover), timeout=WAIT)
    page.signoff.clock = FakeClock()
    customer_signs(qtbot, page)
    qtbot.waitUntil(lambda: page.signoff.window is None or not page.signoff.window.isActiveWindow()
                    or window.isActiveWindow(), timeout=WAIT)
    teller_attests(qtbot, page)
    if at(page, "approval"):
        pytest.skip("the chosen sale needs an approval here; the approval path is another test's")
    assert _roles(page)["approval"] == "step-skipped"
    assert "无需办理" in page.step_bar.labels["approval"].accessibleName()

    confirmation = page.steps["confirmation"]
    qtbot.waitUntil(lambda: confirmation.view.buttons["customer"].isEnabled(), timeout=WAIT * 3)
    qtbot.waitUntil(lambda: _focused(window, confirmation.view.buttons["customer"]), timeout=WAIT)
    print_both(qtbot, page, tmp_path)
    qtbot.waitUntil(lambda: _focused(window, page.next_button), timeout=WAIT)  # both copies out: Next
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "done"), timeout=WAIT)
    assert _roles(page)["done"] == "step-done" and _roles(page)["confirmation"] == "step-done"
    qtbot.waitUntil(lambda: _focused(window, page.next_button), timeout=WAIT)  # Finish
    _assert_masked(page)
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: page.counter_session is None, timeout=WAIT)
    assert "尚未识别客户" in _panel(page) and set(_roles(page).values()) == {"step-pending"}
    # The customer rates the service on the customer window; once it closes, the keyboard is back for F2.
    qtbot.waitUntil(lambda: page.evaluation.window is not None, timeout=WAIT)
    page.evaluation.window.close()
    qtbot.waitUntil(lambda: _focused(window, page.start_button), timeout=WAIT)


def test_a_returning_customers_panel_shows_what_is_on_file(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    assert page.customer_panel.heading.text() == "老客户"
    assert _value(page, "consent") == "已于开户时同意"
    assert "有效期至" in _value(page, "grade") and _value(page, "screening") == "未命中"
    assert _roles(page)["consent"] == "step-skipped"
    assert "老客户无需再次同意" in page.step_bar.labels["consent"].toolTip()
    _assert_masked(page)


def test_a_screening_hold_is_blocked_on_the_step_bar_and_in_the_panel(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    doc = page.steps["document"]
    select(doc.doc_type, "resident_id")
    qtbot.keyClicks(doc.number, "110101195911020011")  # shares name, birth date and number with a listed entry
    qtbot.keyClicks(doc.issue, "2010-01-01")
    doc.long_term.setChecked(True)
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    fill_profile(qtbot, page, name="刘建国")
    view = page.steps["profile"].view
    type_text(qtbot, view.editors["address"], "北京市东城区东长安街 1 号")
    next_step(qtbot, page)
    screening = page.steps["screening"]
    qtbot.waitUntil(lambda: not page.busy and screening.recheck.isVisible(), timeout=WAIT)
    assert _roles(page)["screening"] == "step-blocked" and page.step_bar.labels["screening"].text().startswith("⚠")
    assert "受阻" in page.step_bar.labels["screening"].accessibleName()
    assert "等待主管复核" in page.step_bar.labels["screening"].accessibleName()
    assert _roles(page)["assessment"] == "step-pending"
    assert _value(page, "screening") == "疑似命中，待主管复核"
    assert page.customer_panel.values["screening"].property("state") == "error"
    assert _value(page, "name") == "刘**" and "刘建国" not in _panel(page) and "110101195911020011" not in _panel(page)
    qtbot.waitUntil(lambda: _focused(window, screening.recheck), timeout=WAIT)  # "Check again"


# ---- the layout on a branch PC's screen ---------------------------------------------------------------------
def _outside(window) -> list[str]:
    """Visible widgets that reach past the window's edges (content scrolled inside a view is not)."""
    out = []
    frame = window.rect()
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) or w.isWindow():
            continue
        parent, scrolled = w.parentWidget(), False
        while parent is not None and parent is not window:
            if isinstance(parent, QAbstractScrollArea):
                scrolled = True
                break
            parent = parent.parentWidget()
        if scrolled:
            continue
        rect = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        if not frame.contains(rect):
            out.append(f"{type(w).__name__} {w.objectName()} {rect}")
    return out


def _clipped(page) -> list[str]:
    """Labels and buttons on the current step narrower than their text needs (no wrapping)."""
    out = []
    for w in page.findChildren(QWidget):
        if not w.isVisibleTo(page):
            continue
        if isinstance(w, QPushButton) and w.width() < w.minimumSizeHint().width():
            out.append(f"button {w.objectName()} {w.text()!r}")
        if isinstance(w, QLabel) and not w.wordWrap() and w.width() < w.minimumSizeHint().width():
            out.append(f"label {w.objectName()} {w.text()!r}")
    return out


def _check_layout(qtbot, window, page, rec) -> None:
    qtbot.waitUntil(lambda: rec.table.rowCount() >= 5, timeout=WAIT)
    qtbot.wait(50)  # the layout settles
    rows = rec.table.viewport().height() // rec.table.rowHeight(0)
    assert rows >= 5, f"the products table shows {rows} rows"
    # Every column in view, no sideways scrolling (long English product names are shortened with …).
    assert rec.table.horizontalHeader().length() <= rec.table.viewport().width() + 1
    # The customer-data form fits its page's width too: the longest occupation does not widen it.
    profile = page.steps["profile"]
    assert profile.view.minimumSizeHint().width() <= profile.scroll.viewport().width(), (
        profile.view.minimumSizeHint().width(), profile.scroll.viewport().width())
    nav = window.home.nav
    assert not nav.horizontalScrollBar().isVisible()
    widest = max(nav.visualItemRect(nav.item(i)).width() for i in range(nav.count()))
    assert nav.sizeHintForColumn(0) <= nav.viewport().width() or widest <= nav.viewport().width()
    assert _outside(window) == []
    assert _clipped(page) == []
    bar = page.step_bar
    for label in bar.labels.values():
        assert label.geometry().right() <= bar.width(), label.text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_recommendation_fits_1366x768_and_1920x1080(qtbot, open_window, demo_lists_dir, lang):
    window = open_window(demo_lists_dir, "teller")
    assert SCREEN_1366.contains(QRect(QPoint(0, 0), window.size())), window.size()  # the default size fits
    assert window.minimumSizeHint().width() <= 1366
    if lang == "en":
        window.set_language("en")
        qtbot.waitUntil(lambda: window.ctx.lang == "en" and window.session_menu.title() == "&Session", timeout=WAIT)
        qtbot.waitUntil(lambda: window.minimumSizeHint().width() <= window.width(), timeout=WAIT)
    assert window.width() <= 1366
    page, rec = to_recommendation(qtbot, window, pick=1)
    _check_layout(qtbot, window, page, rec)
    assert SCREEN_1366.contains(QRect(QPoint(0, 0), window.size()))
    window.resize(1920, 1080 - 40)
    qtbot.waitUntil(lambda: window.width() == 1920, timeout=WAIT)
    _check_layout(qtbot, window, page, rec)
    assert rec.table.viewport().height() // rec.table.rowHeight(0) >= 12


def _restricted_customer(data_dir) -> None:
    vault = Vault.open(data_dir)
    try:
        counter_session = CounterSession(vault, sign_in(vault, "teller"))
        identify(counter_session, SPECIMEN, kyc())
        customer_id = counter_session.state.customer_id
        counter_session.finish()
        data_rights.restrict(vault, sign_in(vault, "supervisor"), customer_id)
    finally:
        vault.close()


def test_a_restricted_customers_panel_says_so_and_fits(qtbot, open_window, demo_lists_dir):
    _restricted_customer(demo_lists_dir)
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: not page.busy and page.counter_session.flow.stopped is not None, timeout=WAIT)
    assert "第四十七条" in _value(page, "restriction")
    assert page.customer_panel.values["restriction"].property("state") == "error"
    assert _roles(page)["document"] == "step-blocked" and _value(page, "consent") == "已于开户时同意"
    qtbot.waitUntil(lambda: _focused(window, page.start_button), timeout=WAIT)  # the next customer, F2
    _assert_masked(page)
    for lang in ("zh", "en"):
        if lang == "en":
            window.set_language("en")
            qtbot.waitUntil(lambda: window.ctx.lang == "en" and "PIPL" in _value(page, "restriction"), timeout=WAIT)
        qtbot.wait(50)
        panel = page.customer_panel
        # Every line of the panel shows in full beside the step, at the default size on a 1366×768 screen.
        assert panel.minimumSizeHint().height() <= panel.height(), lang
        assert _outside(window) == []
