"""The real widgets driven as a teller, a customer or a supervisor would: typing (Chinese as an input
method commits it), choosing, the counter session's pages from the document to the printed
confirmation, the customer window's reading timer and signature pad."""
from __future__ import annotations

import subprocess

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputMethodEvent, QMouseEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QComboBox

from counterdesk.flow.counter_session import CounterSession
from counterdesk.forms.disclosures import confirmation_sentence
from counterdesk.services.signoff.document import confirmation_pdf
from helpers.counter import SPECIMEN, assess, identify, kyc, questionnaire_answers
from helpers.demo import PASSWORDS, SECRETS, WAIT, code_for, totp_code


def type_text(qtbot, widget, text):
    """Type like a person: ASCII as key clicks; Chinese as an input method commits it."""
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        event = QInputMethodEvent("", [])
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)


def sign_in_window(qtbot, window, username: str, password: str | None = None) -> None:
    """Sign in on the window's sign-in page as a person does: the password, Enter, then the
    authenticator code, Enter, when the user has a factor; waits for the home screen."""
    page = window.signin
    qtbot.waitUntil(lambda: window.state == "signin" and not page.busy, timeout=WAIT)
    qtbot.keyClicks(page.username, username)
    qtbot.keyClicks(page.password, password or PASSWORDS[username])
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    if username in SECRETS:
        type_code(qtbot, window, username)
    qtbot.waitUntil(lambda: window.state == "home", timeout=WAIT)


def type_code(qtbot, window, username: str) -> None:
    """The code step after the password: the authenticator's code, Enter."""
    page = window.signin
    qtbot.waitUntil(lambda: page.step == "code" and not page.busy, timeout=WAIT)
    assert page.code.hasFocus() or not window.isActiveWindow()
    qtbot.keyClicks(page.code, totp_code(username))
    qtbot.keyClick(page.code, Qt.Key.Key_Return)


def enrol_in_dialog(qtbot, window) -> list[str]:
    """Enrolment at sign-in as a person does it: the app reads the key shown (here: the text key),
    its first code is typed with Enter; returns the recovery codes shown once, then continues."""
    page = window.signin
    qtbot.waitUntil(lambda: page.enrolment is not None and page.enrolment.isVisible(), timeout=WAIT)
    dialog = page.enrolment
    secret = dialog.key.text().replace(" ", "")
    qtbot.keyClicks(dialog.code, code_for(secret))
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.stack.currentWidget() is dialog.codes_page, timeout=WAIT)
    codes = list(dialog.codes_page.codes)
    qtbot.mouseClick(dialog.codes_page.done, Qt.MouseButton.LeftButton)
    return codes


def select(combo: QComboBox, value):
    idx = combo.findData(value)
    assert idx >= 0, (combo.objectName(), value)
    combo.setCurrentIndex(idx)


def session_page(qtbot, window):
    window.home.show_task("session.start")
    page = window.home.pages["session.start"]
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.counter_session is not None and not page.busy, timeout=WAIT)
    return page


def at(page, step):
    return not page.busy and page.counter_session is not None and page.counter_session.flow.current_id == step


def read_document(qtbot, page, profile):
    doc = page.steps["document"]
    select(doc.profile, profile)
    qtbot.mouseClick(doc.read_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)


def fill_profile(qtbot, page, name="张晓梅", capacity="full"):
    view = page.steps["profile"].view
    name_field = view.editors["name_zh"]
    name_field.clear()
    type_text(qtbot, name_field, name)
    type_text(qtbot, view.editors["phone"], "13812345678")
    type_text(qtbot, view.editors["employer"], "Research Institute")
    select(view.editors["occupation"], "gbt6565_2")
    select(view.editors["civil_capacity"], capacity)
    select(view.editors["tax_residency"], "cn_only")
    select(view.editors["pep_status"], "none")
    select(view.editors["customer_tier"], "mass")


def answer_questionnaire(qtbot, page, age, pick=1):
    """The customer answers every question on the customer window and confirms the result."""
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.start.isEnabled() and not page.busy, timeout=WAIT)
    qtbot.mouseClick(step.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.customer_window is not None and page.customer_window.isVisible(), timeout=WAIT)
    customer = page.customer_window
    for question in customer.q.questions:
        options = customer.q.form.field(question.key).options
        customer.choose(question.key, age if question.key == "age" else options[pick].value)
    total = len(customer.q.questions)
    assert f"{total} of {total}" in step.progress.text() or f"{total} / " in step.progress.text() \
        or str(total) in step.progress.text()  # the teller sees progress, not the answers
    for _ in customer.q.questions:
        if customer.forward.isVisible():
            qtbot.mouseClick(customer.forward, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: customer.stack.currentWidget() is customer.result_page, timeout=WAIT)
    assert "C" in customer.result_text.text()
    qtbot.mouseClick(customer.confirm_button, Qt.MouseButton.LeftButton)


def choose_recommended(qtbot, page):
    """Amount and declared assets typed, suitable products shown best first, the first chosen."""
    step = page.steps["recommendation"]
    qtbot.keyClicks(step.amount, "50000")
    qtbot.keyClicks(step.assets, "600000")
    qtbot.mouseClick(step.propose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and step.table.rowCount() > 0, timeout=WAIT)
    assert step.details.toPlainText()  # the selected product's decision and reasons
    qtbot.mouseClick(step.choose, Qt.MouseButton.LeftButton)


def next_step(qtbot, page):
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)


def sell_through(qtbot, page, tmp_path) -> None:
    """From the chosen product to the printed confirmation."""
    qtbot.waitUntil(lambda: at(page, "signoff"), timeout=WAIT)
    page.signoff.clock = FakeClock()
    customer_signs(qtbot, page)
    teller_attests(qtbot, page)
    if at(page, "approval"):
        override(qtbot, page, approve=True)
    qtbot.waitUntil(lambda: at(page, "confirmation"), timeout=WAIT)
    print_both(qtbot, page, tmp_path)
    next_step(qtbot, page)


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def move_pressed(widget, pos: QPoint) -> None:
    """qtbot.mouseMove carries no buttons, so a drag is sent as a move event with the left button held."""
    ev = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)),
                     Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def draw(qtbot, widget, points) -> None:
    first, *rest = [QPoint(*p) for p in points]
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=first)
    for p in rest:
        move_pressed(widget, p)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=rest[-1] if rest else first)


def zigzag(x0, y0, width, n=24, amp=40):
    return [(x0 + width * i // n, y0 + (amp if i % 2 else -amp) // (1 + i % 3)) for i in range(n + 1)]


def to_recommendation(qtbot, window, pick: int):
    assessed_customer(window.ctx.vault, 1, pick=pick)
    page = to_assessment(qtbot, window)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.use_current.isVisible(), timeout=WAIT)
    qtbot.mouseClick(step.use_current, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    page.signoff.clock = FakeClock()
    rec = page.steps["recommendation"]
    qtbot.keyClicks(rec.amount, "50000")
    qtbot.keyClicks(rec.assets, "600000")
    qtbot.mouseClick(rec.propose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and rec.proposal is not None, timeout=WAIT)
    return page, rec


def choose_ranked(qtbot, page, rec, code: str) -> None:
    row = next(r for r in range(rec.table.rowCount()) if rec.table.item(r, 1).text() == code)
    rec.table.selectRow(row)
    qtbot.mouseClick(rec.choose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "signoff"), timeout=WAIT)


def choose_own(qtbot, page, rec, code: str) -> None:
    qtbot.keyClicks(rec.own_code, code)
    qtbot.mouseClick(rec.own_check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rec.own_request is not None and rec.own_choose.isEnabled(), timeout=WAIT)
    assert rec.own_request[1].outcome == "customer_initiated_only"
    qtbot.mouseClick(rec.own_choose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "signoff"), timeout=WAIT)


def customer_reads(qtbot, page):
    step = page.steps["signoff"]
    qtbot.mouseClick(step.handover, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.signoff.window is not None and page.signoff.window.isVisible(), timeout=WAIT)
    w = page.signoff.window
    assert w.windowState() & Qt.WindowState.WindowFullScreen  # handed over: full screen for the customer
    plan = page.counter_session.state.signoff.plan
    shown = w.text.toPlainText()
    assert plan.product_code in shown and "风险承受能力等级" in shown and "适当性匹配结果" in shown
    assert not w.read_button.isEnabled()
    qtbot.keyClick(w.text, Qt.Key.Key_End)
    page.signoff.clock.advance(plan.min_reading_seconds)
    w.refresh_gate()
    qtbot.waitUntil(w.read_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(w.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.counter_session.state.signoff.read is not None, timeout=WAIT)
    return w, plan


def customer_signs(qtbot, page) -> None:
    w, plan = customer_reads(qtbot, page)
    if plan.recording_required:
        qtbot.waitUntil(lambda: w.stage == "recording", timeout=WAIT)
        qtbot.mouseClick(w.recording_yes, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.counter_session.state.signoff.recording_consent is True, timeout=WAIT)
    if plan.sentence_required:
        qtbot.waitUntil(lambda: w.stage == "sentence", timeout=WAIT)
        w.sentence_edit.setFocus()
        w.sentence_edit.insert(confirmation_sentence("zh", plan.customer_initiated))  # typed through the IME
        qtbot.waitUntil(w.sentence_ok.isEnabled, timeout=WAIT)
        qtbot.mouseClick(w.sentence_ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.stage == "signature", timeout=WAIT)
    draw(qtbot, w.pad.canvas, zigzag(40, 120, 260))
    draw(qtbot, w.pad.canvas, zigzag(320, 110, 160))
    qtbot.mouseClick(w.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.counter_session.state.signoff.signed_at is not None, timeout=WAIT)
    assert w.stage == "thanks"


def teller_attests(qtbot, page, reference: str = "REC-2026-000777") -> None:
    step = page.steps["signoff"]
    qtbot.waitUntil(step.submit.isEnabled, timeout=WAIT)
    if step.recording_ref.isVisible():
        qtbot.keyClicks(step.recording_ref, reference)
    step.identity.setChecked(True)
    step.explained.setChecked(True)
    qtbot.mouseClick(step.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "approval") or at(page, "confirmation"), timeout=WAIT)
    assert page.signoff.window is None  # the customer window is closed once the teller took over


def override(qtbot, page, approve: bool, reason: str = "") -> None:
    step = page.steps["approval"]
    qtbot.waitUntil(lambda: step.override.isEnabled() and page.signoff.request is not None, timeout=WAIT)
    qtbot.mouseClick(step.override, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page.signoff, "dialog", None) is not None and page.signoff.dialog.isVisible(),
                    timeout=WAIT)
    dialog = page.signoff.dialog
    qtbot.keyClicks(dialog.username, "supervisor")
    qtbot.keyClicks(dialog.password, PASSWORDS["supervisor"])
    qtbot.keyClicks(dialog.code, totp_code("supervisor"))
    if reason:
        dialog.reason.insert(reason)
    qtbot.mouseClick(dialog.approve if approve else dialog.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=WAIT)


def print_both(qtbot, page, tmp_path) -> list:
    printed = []

    def printer(_parent, _title):
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        path = tmp_path / f"print-{len(printed) + 1}.pdf"
        p.setOutputFileName(str(path))
        printed.append(path)
        return p
    page.signoff.choose_printer = printer
    step = page.steps["confirmation"]
    qtbot.waitUntil(lambda: step.view.page_count() > 0 and not page.busy, timeout=WAIT * 3)
    for kind in ("customer", "branch"):
        qtbot.waitUntil(step.view.buttons[kind].isEnabled, timeout=WAIT)
        qtbot.mouseClick(step.view.buttons[kind], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda k=kind: step.view.is_printed(k), timeout=WAIT * 3)
    return printed


def finish(qtbot, page) -> None:
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "done"), timeout=WAIT)
    assert "已签署并打印" in page.steps["done"].summary.text() or "signed and printed" in page.steps["done"].summary.text()
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.counter_session is None, timeout=WAIT)


def text_of(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def pages_of(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pages_of_bytes(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def signed_pdf(page) -> bytes:
    return confirmation_pdf(page.ctx.vault, page.ctx.user, page.counter_session.state.signoff.signoff_id)


def assessment_answers(pick: int) -> dict[str, str]:
    """The ``pick``-th answer everywhere, aged 65 or over (0: the lowest, but willing to bear a loss)."""
    answers = questionnaire_answers(pick)
    if pick == 0:
        answers["loss_tolerance"] = questionnaire_answers(1)["loss_tolerance"]  # not "no loss"
    return answers


def assessed_customer(vault, times: int, pick: int = 0) -> None:
    """The demo specimen identified and assessed ``times`` times today, through the core."""
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    for n in range(times):
        counter_session = CounterSession(vault, teller)
        identify(counter_session, SPECIMEN, kyc() if n == 0 else {})
        assess(counter_session, assessment_answers(pick))
        counter_session.cancel()  # the sale itself is not the point here
    vault.sign_out(teller)


def to_assessment(qtbot, window):
    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)
    return page
