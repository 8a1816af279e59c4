"""Keyboard first, verified (issue 14): whole counter sessions walked with keys only, each sent to the
widget that has the keyboard focus (QApplication.focusWidget()), as the teller and the customer press
them: Tab, Enter, Space, arrows, accelerators and shortcuts. Typing data (letters and digits into fields;
Chinese as an input method commits it) is allowed; nothing is clicked and no slot is called. The
customer's pen on the signature pad is the customer's own input device, and the customer's reading time
is a clock moved ahead, as in the other GUI tests; the print dialog is a PDF-file printer."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QComboBox

from counterdesk.forms.disclosures import confirmation_sentence
from helpers.demo import PASSWORDS, WAIT, totp_code
from helpers.gui import FakeClock, assessed_customer, at, draw, zigzag

NO = Qt.KeyboardModifier.NoModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ENTER, SPACE, TAB = Qt.Key.Key_Return, Qt.Key.Key_Space, Qt.Key.Key_Tab
TELLER_ACTIONS_TARGET = 25  # key presses (other than typing data) for a returning customer's repeat purchase


class Keys:
    """One person's key presses, each to whatever has the focus; presses other than typing are counted."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.actions = 0

    def focus(self):
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def press(self, key, modifier=NO, times: int = 1) -> None:
        for _ in range(times):
            self.actions += 1
            self.qtbot.keyClick(self.focus(), key, modifier)

    def alt(self, letter: str) -> None:
        self.press(getattr(Qt.Key, f"Key_{letter.upper()}"), ALT)

    def type(self, text: str) -> None:
        """Typing data into the focused field: ASCII as keys, Chinese as an input method commits it."""
        widget = self.focus()
        if text.isascii():
            self.qtbot.keyClicks(widget, text)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(text)
            QApplication.sendEvent(widget, event)

    def tab_to(self, target, limit: int = 40) -> None:
        """Tab until ``target`` has the focus, as a teller tabs through a form."""
        for _ in range(limit):
            if self.focus() is target:
                return
            self.press(TAB)
        raise AssertionError(f"Tab never reaches {target.objectName()}; stuck at {self.focus().objectName()}")

    def choose(self, combo: QComboBox, value) -> None:
        """The arrow keys on the focused combo box until it shows ``value``."""
        assert self.focus() is combo, self.focus().objectName()
        target = combo.findData(value)
        assert target >= 0, (combo.objectName(), value)
        key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
        self.press(key, times=abs(target - combo.currentIndex()))
        assert combo.currentData() == value


def start_and_read(qtbot, window, teller: Keys):
    """Start a session (F2) and read the document with the simulator reader (its first specimen)."""
    page = window.home.pages["session.start"]
    qtbot.waitUntil(lambda: window.isActiveWindow() and QApplication.focusWidget() is not None, timeout=WAIT)
    if window.home.stack.currentWidget() is not page:
        teller.press(Qt.Key.Key_1, CTRL)
    teller.press(Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: at(page, "document"), timeout=WAIT)
    doc = page.steps["document"]
    qtbot.waitUntil(doc.number.hasFocus, timeout=WAIT)
    teller.alt("r")  # 读取证件(&R)
    qtbot.waitUntil(lambda: doc.number.text() != "" and doc.copy_state == "ok", timeout=WAIT)
    teller.press(ENTER, CTRL)
    return page


def new_customer_data(qtbot, page, teller: Keys) -> None:
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    teller.alt("a")  # 客户同意(&A)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    view = page.steps["profile"].view
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and view.isAncestorOf(QApplication.focusWidget()),
                    timeout=WAIT)
    teller.tab_to(view.editors["phone"])
    teller.type("13812345678")
    occupation = view.editors["occupation"]
    teller.tab_to(occupation)
    teller.type(occupation.itemText(occupation.findData("gbt6565_2")))  # typed to filter the long list
    teller.tab_to(view.editors["employer"])
    teller.type("某某研究所")
    for key, value in (("civil_capacity", "full"), ("tax_residency", "cn_only"), ("pep_status", "none"),
                       ("customer_tier", "mass")):
        teller.tab_to(view.editors[key])
        teller.choose(view.editors[key], value)
    teller.press(ENTER, CTRL)
    qtbot.waitUntil(lambda: at(page, "assessment") or page.steps["profile"].message.text() != "", timeout=WAIT)
    assert at(page, "assessment"), page.steps["profile"].message.text()


def customer_answers(qtbot, window, page, teller: Keys, customer: Keys) -> None:
    """The teller starts the questionnaire (Alt+Q); the customer answers each question with its number
    key and Enter, tabs to "confirm" and presses Enter."""
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.start.isEnabled() and not page.busy, timeout=WAIT)
    teller.alt("q")
    qtbot.waitUntil(lambda: page.customer_window is not None and page.customer_window.isActiveWindow(),
                    timeout=WAIT)
    w = page.customer_window
    for question in w.q.questions:
        options = w.q.form.field(question.key).options
        wanted = "age_65_up" if question.key == "age" else options[1].value
        index = next(i for i, o in enumerate(options) if o.value == wanted)
        customer.press(getattr(Qt.Key, f"Key_{index + 1}"))
        assert w.answers[question.key] == wanted
        customer.press(ENTER)  # Enter goes on once the question is answered
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.result_page, timeout=WAIT)
    assert w.result_text.hasFocus()  # the result opens on its text, not on a button a repeated Enter hits
    customer.tab_to(w.confirm_button)
    customer.press(ENTER)
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    qtbot.waitUntil(lambda: window.isActiveWindow() and page.steps["recommendation"].amount.hasFocus(),
                    timeout=WAIT)


def show_products(qtbot, page, teller: Keys):
    rec = page.steps["recommendation"]
    qtbot.waitUntil(rec.amount.hasFocus, timeout=WAIT)
    teller.type("50000")
    teller.press(ENTER)
    assert rec.assets.hasFocus()
    teller.type("600000")
    teller.press(ENTER)  # shows the suitable products, the best fit selected with its reasons
    qtbot.waitUntil(lambda: not page.busy and rec.table.rowCount() > 0 and rec.selected_code() is not None,
                    timeout=WAIT)
    assert rec.details.toPlainText()
    page.signoff.clock = FakeClock()  # the customer's reading time is this clock moved ahead
    return rec


def customer_signs(qtbot, window, page, teller: Keys, customer: Keys) -> None:
    """Handed over (Alt+H): the customer reads to the end (End), confirms, consents to the recording,
    types the sentence, signs with the pen and presses "Sign"; the teller's window has the keyboard back."""
    qtbot.waitUntil(lambda: at(page, "signoff"), timeout=WAIT)
    signoff = page.steps["signoff"]
    qtbot.waitUntil(signoff.handover.hasFocus, timeout=WAIT)
    teller.alt("h")
    qtbot.waitUntil(lambda: page.signoff.window is not None and page.signoff.window.isActiveWindow(), timeout=WAIT)
    w = page.signoff.window
    plan = page.counter_session.state.signoff.plan
    assert w.text.hasFocus()
    page.signoff.clock.advance(plan.min_reading_seconds)
    customer.press(Qt.Key.Key_End)
    qtbot.waitUntil(w.read_button.isEnabled, timeout=WAIT)
    customer.tab_to(w.read_button)
    customer.press(SPACE)
    if plan.recording_required:
        qtbot.waitUntil(lambda: w.stage == "recording", timeout=WAIT)
        assert w.recording_text.hasFocus()  # not on a consent button a repeated Enter could hit
        customer.tab_to(w.recording_yes)
        customer.press(SPACE)
    if plan.sentence_required:
        qtbot.waitUntil(lambda: w.stage == "sentence", timeout=WAIT)
        assert w.sentence_edit.hasFocus()
        customer.type(confirmation_sentence("zh", plan.customer_initiated))
        customer.press(ENTER)
    qtbot.waitUntil(lambda: w.stage == "signature", timeout=WAIT)
    draw(qtbot, w.pad.canvas, zigzag(40, 120, 260))  # the customer's pen
    draw(qtbot, w.pad.canvas, zigzag(320, 110, 160))
    customer.tab_to(w.sign_button)
    customer.press(SPACE)
    qtbot.waitUntil(lambda: page.counter_session.state.signoff.signed_at is not None, timeout=WAIT)
    first = signoff.recording_ref if plan.recording_required else signoff.identity
    qtbot.waitUntil(lambda: window.isActiveWindow() and first.hasFocus(), timeout=WAIT)


def teller_attests(qtbot, page, teller: Keys) -> None:
    signoff = page.steps["signoff"]
    if signoff.recording_ref.isVisible():
        teller.type("REC-2026-000778")
        teller.press(ENTER)
    assert signoff.identity.hasFocus()
    teller.press(SPACE)
    teller.press(TAB)
    teller.press(SPACE)
    assert signoff.identity.isChecked() and signoff.explained.isChecked()
    teller.alt("f")  # 确认并提交(&F)
    qtbot.waitUntil(lambda: at(page, "approval") or at(page, "confirmation"), timeout=WAIT)


def supervisor_approves(qtbot, page, teller: Keys) -> None:
    """The supervisor approves at the teller's workstation: Alt+A, user name, Enter, password, Enter, the
    authenticator code, Alt+A."""
    approval = page.steps["approval"]
    qtbot.waitUntil(lambda: approval.override.isEnabled() and approval.override.hasFocus(), timeout=WAIT)
    teller.alt("a")
    qtbot.waitUntil(lambda: getattr(page.signoff, "dialog", None) is not None and page.signoff.dialog.isActiveWindow(),
                    timeout=WAIT)
    dialog = page.signoff.dialog
    assert dialog.username.hasFocus()
    teller.type("supervisor")
    teller.press(ENTER)
    teller.type(PASSWORDS["supervisor"])
    teller.press(ENTER)
    assert dialog.code.hasFocus()
    teller.type(totp_code("supervisor"))
    teller.alt("a")  # 批准(&A)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: at(page, "confirmation"), timeout=WAIT)


def print_and_finish(qtbot, window, page, teller: Keys, tmp_path) -> None:
    """Space prints the copy that has the focus (the customer's, then the branch's; the print dialog takes
    an Enter, counted), Ctrl+Enter to the summary and Ctrl+Enter to finish."""
    view = page.steps["confirmation"].view
    printed: list = []

    def printer(_parent, _title):
        teller.actions += 1  # the print dialog's Enter
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(tmp_path / f"print-{len(printed) + 1}.pdf"))
        printed.append(p.outputFileName())
        return p
    page.signoff.choose_printer = printer
    for kind in ("customer", "branch"):
        qtbot.waitUntil(lambda k=kind: window.isActiveWindow() and view.buttons[k].hasFocus()
                        and view.buttons[k].isEnabled(), timeout=WAIT * 3)
        teller.press(SPACE)
        qtbot.waitUntil(lambda k=kind: view.is_printed(k), timeout=WAIT * 3)
    assert len(printed) == 2 and all(os.path.getsize(p) > 0 for p in printed)
    qtbot.waitUntil(page.next_button.hasFocus, timeout=WAIT)
    teller.press(ENTER, CTRL)
    qtbot.waitUntil(lambda: at(page, "done"), timeout=WAIT)
    assert "已签署并打印" in page.steps["done"].summary.text()
    teller.press(ENTER, CTRL)
    qtbot.waitUntil(lambda: page.counter_session is None and not page.busy, timeout=WAIT)


def test_a_new_customers_whole_session_with_keys_only(qtbot, open_window, demo_lists_dir, tmp_path):
    """Every step: reader, consent, customer data, screening, the questionnaire on the customer window, the
    customer's own request (above the grade), the sign-off with recording and sentence, the supervisor's
    approval, both copies printed."""
    window = open_window(demo_lists_dir, "teller")
    teller, customer = Keys(qtbot), Keys(qtbot)
    page = start_and_read(qtbot, window, teller)
    new_customer_data(qtbot, page, teller)
    customer_answers(qtbot, window, page, teller, customer)
    rec = show_products(qtbot, page, teller)
    teller.alt("k")  # the customer asks for a product by code
    assert rec.own_code.hasFocus()
    teller.type("DM-WM-EQ")
    teller.press(ENTER)  # checks the request for the amount on screen
    qtbot.waitUntil(lambda: rec.own_request is not None and rec.own_choose.isEnabled(), timeout=WAIT)
    assert rec.own_request[1].outcome == "customer_initiated_only"
    teller.alt("p")  # proceed at the customer's request
    customer_signs(qtbot, window, page, teller, customer)
    plan = page.counter_session.state.signoff.plan
    assert plan.recording_required and plan.sentence_required and plan.approval_reasons
    teller_attests(qtbot, page, teller)
    supervisor_approves(qtbot, page, teller)
    print_and_finish(qtbot, window, page, teller, tmp_path)


def test_a_returning_customers_repeat_purchase_within_the_action_budget(qtbot, open_window, demo_lists_dir,
                                                                        tmp_path):
    """The customer has a valid assessment on file and buys the best-fit product again: at most 25 teller
    actions from F2 to the printed copies and the finished session."""
    window = open_window(demo_lists_dir, "teller")
    assessed_customer(window.ctx.vault, 1, pick=1)
    teller, customer = Keys(qtbot), Keys(qtbot)
    page = start_and_read(qtbot, window, teller)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)  # a returning customer: no new consent
    teller.press(ENTER, CTRL)  # nothing changed in the customer's data
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.use_current.isVisible() and step.use_current.hasFocus(), timeout=WAIT)
    teller.alt("u")  # use the current assessment
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    rec = show_products(qtbot, page, teller)
    teller.alt("h")  # choose the selected (best-fit) product
    customer_signs(qtbot, window, page, teller, customer)
    teller_attests(qtbot, page, teller)
    if at(page, "approval"):
        supervisor_approves(qtbot, page, teller)
    print_and_finish(qtbot, window, page, teller, tmp_path)
    assert rec.proposal is not None
    assert teller.actions <= TELLER_ACTIONS_TARGET, teller.actions
    print(f"\nreturning customer's repeat purchase: {teller.actions} teller actions, {customer.actions} customer key "
          f"presses")
