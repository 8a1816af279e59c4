"""Every screen of the main window and of the customer windows, walked through in Chinese and in
English: one accelerator per visible action on each screen, and text in that screen's language only
(beyond proper names, codes and units). Qt's own dialogs in the screen's language too."""
from __future__ import annotations

import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from counterdesk.base.settings import declared
from counterdesk.services.auth.vault import DEMO_USERS
from counterdesk.ui import i18n_build
from helpers.demo import PASSWORDS, WAIT, totp_code
from helpers.gui import (
    FakeClock,
    at,
    choose_own,
    draw,
    fill_profile,
    next_step,
    print_both,
    read_document,
    session_page,
    zigzag,
)
from helpers.screens import accelerator_clashes, foreign_text

# What the screens show as data, proper names in whatever script they have: the demo users and branch,
# the demo specimen's name and address as read, the name typed and masked.
DATA = (*(u.display_name for u in DEMO_USERS), "演示支行 DEMO Branch", "演示银行 Demo Bank", "演示银行理财 Demo Bank Wealth",
        "张晓梅", "张*", "张**",
        "样例模拟", "北京市朝阳区（模拟地址）", "北京市公安局朝阳分局（模拟）",
        "银监办发〔2017〕110号（双录）",  # a regulation's citation is its name, also in English
        "简体中文",  # the language picker names each language in that language
        *declared())  # the settings page's tooltips name each setting by its key, an identifier


class Screens:
    """Collects what is wrong on each screen visited."""

    def __init__(self, lang: str):
        self.lang = lang
        self.problems: list[str] = []
        self.visited: list[str] = []

    def check(self, window: QWidget, where: str) -> None:
        self.visited.append(where)
        self.problems += [f"[{self.lang}] {where}: duplicate {p}" for p in accelerator_clashes(window)]
        self.problems += [f"[{self.lang}] {where}: {p}" for p in foreign_text(window, self.lang, DATA)]


def _language(qtbot, window, lang: str) -> None:
    window.set_language("en" if lang == "en" else "zh_CN")
    title = "&Session" if lang == "en" else "会话(&S)"  # the widgets retranslate on a posted event
    qtbot.waitUntil(lambda: window.ctx.lang == lang and window.session_menu.title() == title, timeout=WAIT)


def _tasks(qtbot, window, screens: Screens) -> None:
    screens.check(window, "home")
    for task in window.home.task_ids:
        window.home.show_task(task)
        page = window.home.pages[task]
        qtbot.waitUntil(lambda p=page: not getattr(p, "busy", False) and not getattr(p, "loading", False),
                        timeout=WAIT)
        screens.check(window, task)
    window.session_menu.popup(window.mapToGlobal(window.rect().center()))
    screens.check(window.session_menu, "session menu")
    window.session_menu.hide()


def _customer_signs(qtbot, page, screens: Screens) -> None:
    step = page.steps["signoff"]
    qtbot.mouseClick(step.handover, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.signoff.window is not None and page.signoff.window.isVisible(), timeout=WAIT)
    w = page.signoff.window
    plan = page.counter_session.state.signoff.plan
    screens.check(w, "customer: reading")
    screens.check(page.window(), "signoff handed over")
    qtbot.keyClick(w.text, Qt.Key.Key_End)
    page.signoff.clock.advance(plan.min_reading_seconds)
    w.refresh_gate()
    qtbot.waitUntil(w.read_button.isEnabled, timeout=WAIT)
    screens.check(w, "customer: read")
    qtbot.mouseClick(w.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.counter_session.state.signoff.read is not None, timeout=WAIT)
    if plan.recording_required:
        qtbot.waitUntil(lambda: w.stage == "recording", timeout=WAIT)
        screens.check(w, "customer: recording")
        qtbot.mouseClick(w.recording_yes, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.counter_session.state.signoff.recording_consent is True, timeout=WAIT)
    if plan.sentence_required:
        qtbot.waitUntil(lambda: w.stage == "sentence", timeout=WAIT)
        screens.check(w, "customer: sentence")
        w.sentence_edit.setFocus()
        w.sentence_edit.insert(w.sentence)  # typed through the input method
        qtbot.waitUntil(w.sentence_ok.isEnabled, timeout=WAIT)
        screens.check(w, "customer: sentence typed")
        qtbot.mouseClick(w.sentence_ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.stage == "signature", timeout=WAIT)
    screens.check(w, "customer: signature")
    draw(qtbot, w.pad.canvas, zigzag(40, 120, 260))
    draw(qtbot, w.pad.canvas, zigzag(320, 110, 160))
    qtbot.mouseClick(w.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.counter_session.state.signoff.signed_at is not None, timeout=WAIT)
    screens.check(w, "customer: thanks")
    screens.check(page.window(), "signoff signed")


def _questionnaire(qtbot, page, screens: Screens) -> None:
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.start.isEnabled() and not page.busy, timeout=WAIT)
    qtbot.mouseClick(step.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.customer_window is not None and page.customer_window.isVisible(), timeout=WAIT)
    customer = page.customer_window
    screens.check(customer, "customer: first question")
    for question in customer.q.questions:
        options = customer.q.form.field(question.key).options
        customer.choose(question.key, "age_65_up" if question.key == "age" else options[1].value)
    screens.check(page.window(), "assessment answering")
    for _ in customer.q.questions:
        if customer.forward.isVisible():
            qtbot.mouseClick(customer.forward, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: customer.stack.currentWidget() is customer.result_page, timeout=WAIT)
    screens.check(customer, "customer: result")
    qtbot.mouseClick(customer.confirm_button, Qt.MouseButton.LeftButton)


def _cancel_dialog(qtbot, page, screens: Screens) -> None:
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.cancel_dialog is not None and page.cancel_dialog.isVisible(), timeout=WAIT)
    dialog = page.cancel_dialog
    screens.check(dialog, "cancel dialog")
    qtbot.mouseClick(dialog.keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.cancel_dialog is None, timeout=WAIT)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_teller_screens_one_accelerator_each_one_language(qtbot, open_window, demo_lists_dir, tmp_path, lang):
    window = open_window(demo_lists_dir, "teller")
    _language(qtbot, window, lang)
    screens = Screens(lang)
    _tasks(qtbot, window, screens)
    page = session_page(qtbot, window)
    page.state_changed.connect(lambda state: screens.check(window, state))
    screens.check(window, "document")
    _cancel_dialog(qtbot, page, screens)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    fill_profile(qtbot, page)
    screens.check(window, "profile filled")
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)
    _questionnaire(qtbot, page, screens)
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    rec = page.steps["recommendation"]
    qtbot.keyClicks(rec.amount, "50000")
    qtbot.keyClicks(rec.assets, "600000")
    qtbot.mouseClick(rec.propose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and rec.table.rowCount() > 0, timeout=WAIT)
    screens.check(window, "recommendation proposed")
    # The customer asks for a product above their grade: the warning on the customer window, then a
    # supervisor's approval at the teller's workstation (override dialog).
    choose_own(qtbot, page, rec, "DM-WM-EQ")
    page.signoff.clock = FakeClock()
    _customer_signs(qtbot, page, screens)
    step = page.steps["signoff"]
    # The core has the signature before the page shows it: the teller's part opens once the page has.
    qtbot.waitUntil(lambda: step.submit.isEnabled() and not page.busy, timeout=WAIT)
    if step.recording_ref.isVisible():
        qtbot.keyClicks(step.recording_ref, "REC-2026-000777")
    step.identity.setChecked(True)
    step.explained.setChecked(True)
    qtbot.mouseClick(step.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "approval") or at(page, "confirmation"), timeout=WAIT)
    qtbot.waitUntil(lambda: at(page, "approval") and page.signoff.request is not None, timeout=WAIT)
    screens.check(window, "approval waiting")
    approval = page.steps["approval"]
    qtbot.waitUntil(approval.override.isEnabled, timeout=WAIT)
    qtbot.mouseClick(approval.override, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page.signoff, "dialog", None) is not None and page.signoff.dialog.isVisible(),
                    timeout=WAIT)
    dialog = page.signoff.dialog
    screens.check(dialog, "override dialog")
    qtbot.keyClicks(dialog.username, "supervisor")
    qtbot.keyClicks(dialog.password, PASSWORDS["supervisor"])
    qtbot.keyClicks(dialog.code, totp_code("supervisor"))
    qtbot.mouseClick(dialog.approve, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: at(page, "confirmation"), timeout=WAIT)
    print_both(qtbot, page, tmp_path)
    screens.check(window, "confirmation printed")
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "done"), timeout=WAIT)
    screens.check(window, "done")
    window.change_own_password()
    qtbot.waitUntil(lambda: window.password_dialog.isVisible(), timeout=WAIT)
    screens.check(window.password_dialog, "password dialog")
    window.password_dialog.reject()
    window.lock_manually()
    qtbot.waitUntil(lambda: window.state == "locked", timeout=WAIT)
    screens.check(window, "locked")
    assert {"step:consent", "step:profile", "step:signoff", "step:approval", "override dialog", "step:confirmation",
            "step:done"} <= set(screens.visited)
    assert not screens.problems, "\n".join(screens.problems)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("username", ["supervisor", "admin"])
def test_supervisor_and_admin_screens(qtbot, open_window, demo_lists_dir, lang, username):
    window = open_window(demo_lists_dir, username)
    _language(qtbot, window, lang)
    screens = Screens(lang)
    _tasks(qtbot, window, screens)
    assert not screens.problems, "\n".join(screens.problems)


def test_sign_in_screen_in_both_languages(qtbot, qapp, demo_lists_dir):
    from counterdesk.ui.shell.main_window import MainWindow
    from counterdesk.ui.widgets.context import AppContext
    from counterdesk.ui.widgets.resources import Languages

    languages = Languages(qapp)
    window = MainWindow(AppContext(data_dir=demo_lists_dir, demo=True, languages=languages))
    qtbot.addWidget(window)
    window.start()
    window.show()
    qtbot.waitUntil(lambda: window.state == "signin", timeout=WAIT)
    problems = []
    try:
        for lang in ("zh", "en"):
            _language(qtbot, window, lang)
            screens = Screens(lang)
            screens.check(window, "sign-in")
            problems += screens.problems
    finally:
        window.close()
        languages.set("en")
    assert not problems, "\n".join(problems)


def test_qt_dialogs_follow_the_language(qtbot, qapp):
    """Qt's own dialogs (print, standard buttons) are translated with Qt's translations."""
    from counterdesk.ui.widgets.resources import Languages

    languages = Languages(qapp)
    try:
        languages.set("zh_CN")
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        qtbot.addWidget(box)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text().startswith("取消")
        printer = QPrinter()  # the dialog does not own it: it must outlive the dialog
        dialog = QPrintDialog(printer, None)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
        shown = foreign_text(dialog, "zh", ("CUPS", "PDF"))
        assert not [p for p in shown if "Print" in p or "Cancel" in p or "Options" in p], shown
        dialog.reject()
        languages.set("en")
        qtbot.waitUntil(lambda: box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel", timeout=WAIT)
    finally:
        languages.set("en")


def test_no_tr_call_inside_an_f_string():
    """lupdate does not look inside f-strings: such a text stays English on a Chinese screen (the
    disclosure's "About this purchase" heading was one)."""
    inside = re.compile(r"""\bf(["'])(?:(?!\1).)*\{[^}]*\btr\(""")
    found = [f"{path.name}:{n}" for path in i18n_build.ui_sources()
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if inside.search(line)]
    assert not found, found
