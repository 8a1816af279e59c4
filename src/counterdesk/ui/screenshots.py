"""Render every main screen to PNG, offscreen: `python -m counterdesk.ui.screenshots --out docs/screens`
(``--size 1920x1080``, ``--lang en`` for the other screen sizes and the other language).

Builds a throw-away DEMO installation with a month of counter figures (counterdesk.services.
demo_history), drives the real main window through sign-in, a whole counter session, each role's
home, the after-sale and service pages, the dashboard, the admin pages and the lock screen, and saves a
picture of each.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io

import pyotp
from PIL import Image, ImageDraw
from PySide6.QtCore import QEvent, QEventLoop, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from counterdesk.flow.actions import (
    Attest,
    CaptureDocumentImage,
    CheckOwnRequest,
    ChooseProduct,
    ConfirmAssessment,
    DecideConsent,
    EnterDocument,
    EnterProfile,
    IssueConfirmation,
    Propose,
    RecordAnswers,
    RecordReading,
    RecordRecording,
    RecordSignature,
    Screen,
    StartAssessment,
)
from counterdesk.flow.counter_session import CounterSession
from counterdesk.forms.disclosures import confirmation_sentence
from counterdesk.forms.registry import load_questionnaire
from counterdesk.identity.readers import SimulatorReader
from counterdesk.services.auth.vault import DEMO_USERS, Vault
from counterdesk.services.demo import create_demo
from counterdesk.services.demo_history import seed_month
from counterdesk.services.signoff.signature import Signature, Stroke
from counterdesk.ui import theme
from counterdesk.ui.shell.main_window import MainWindow
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.gc_guard import MainThreadGarbageCollector
from counterdesk.ui.widgets.resources import Languages, load_font


def _wait(predicate, timeout_ms: int = 20000) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(20)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    timer.timeout.connect(lambda: predicate() and loop.quit())
    timer.start()
    deadline.start(timeout_ms)
    loop.exec()
    timer.stop()
    if not predicate():
        raise RuntimeError("screen did not reach the expected state")


def _soon(predicate, timeout_ms: int = 5000) -> bool:
    """Wait for ``predicate`` like _wait, but say whether it came true instead of failing."""
    try:
        _wait(predicate, timeout_ms)
    except RuntimeError:
        return False
    return True


def _save(window: MainWindow, out: Path, name: str) -> None:
    # Layout requests posted by the last change (e.g. a language switch) need a few passes.
    for _ in range(5):
        QApplication.processEvents()
    window.grab().save(str(out / f"{name}.png"))
    print(out / f"{name}.png")


def _sign_in(window: MainWindow, username: str) -> None:
    user = next(u for u in DEMO_USERS if u.username == username)
    window.signin.username.setText(username)
    window.signin.password.setText(user.password)
    window.signin.attempt()
    if user.totp_secret:  # the DEMO authenticator's code, a step ahead: the demo set-up used the current one
        _wait(lambda: window.signin.step == "code" and not window.signin.busy)
        window.signin.code.setText(pyotp.TOTP(user.totp_secret).at(time.time() + 30))
        window.signin.attempt()
    _wait(lambda: window.state == "home")


def _second_factor(window: MainWindow, out: Path) -> None:
    """The code step after the password, and a teller setting up an authenticator (QR code, key,
    first code, then the recovery codes shown once)."""
    signin = window.signin
    signin.username.setText("supervisor")
    signin.password.setText(next(u.password for u in DEMO_USERS if u.username == "supervisor"))
    signin.attempt()
    _wait(lambda: signin.step == "code" and not signin.busy)
    signin.code.setText("4071")
    _save(window, out, "27-sign-in-code")
    signin.reset("")
    signin.username.setText("teller")
    signin.password.setText(next(u.password for u in DEMO_USERS if u.username == "teller"))
    signin.attempt()
    _wait(lambda: signin.enrolment is not None and signin.enrolment.isVisible())
    dialog = signin.enrolment
    _save(dialog, out, "28-mfa-enrolment")
    dialog.code.setText(pyotp.TOTP(dialog.enrolment.secret).now())
    dialog.submit()
    _wait(lambda: dialog.stack.currentWidget() is dialog.codes_page)
    _save(dialog, out, "29-mfa-recovery-codes")
    dialog.codes_page.done.click()
    _wait(lambda: window.state == "home")
    window.sign_out("user")
    _wait(lambda: window.state == "signin" and window.signin.submit.isEnabled())


# A customer who shares name, birth date and ID number with an entry of the fictional demo list.
_LISTED = {"name_zh": "刘建国", "sex": "male", "address": "北京市东城区东长安街 1 号", "phone": "13812345678",
           "occupation": "gbt6565_2", "employer": "某某研究所", "civil_capacity": "full", "tax_residency": "cn_only",
           "pep_status": "none", "customer_tier": "wealth"}


def _step(page, step: str) -> None:
    _wait(lambda: not page.busy and page.counter_session is not None and page.counter_session.flow.current_id == step)


def _identification(window: MainWindow, out: Path) -> None:
    """A new customer read from the simulator, then one whose screening waits for a supervisor."""
    window.home.show_task("session.start")
    page = window.home.pages["session.start"]
    page.start()
    _step(page, "document")
    doc = page.steps["document"]
    doc.profile.setCurrentIndex(doc.profile.findData("resident_id_long_term"))
    doc.read_simulator()
    _save(window, out, "10-session-document")
    page.next()
    _step(page, "consent")
    _save(window, out, "11-session-consent")
    page.steps["consent"].agree.click()
    _step(page, "profile")
    page.steps["profile"].view.set_values(dict(_LISTED, name_zh="张晓梅", sex="female",
                                               address="北京市朝阳区建国路 88 号"))
    _save(window, out, "12-session-customer-data")
    page.next()
    _step(page, "assessment")
    page.steps["assessment"].start.click()
    _wait(lambda: page.customer_window is not None and not page.busy)
    customer = page.customer_window
    for q in customer.q.questions:
        options = customer.q.form.field(q.key).options
        customer.choose(q.key, "age_65_up" if q.key == "age" else options[min(2, len(options) - 1)].value)
    customer.choose(customer.q.questions[2].key, customer.q.form.field(customer.q.questions[2].key).options[1].value)
    customer.resize(1000, 700)
    QApplication.processEvents()
    customer.grab().save(str(out / "16-customer-questionnaire.png"))
    customer.next_question()
    for _ in customer.q.questions:
        customer.next_question()
    _wait(lambda: customer.stack.currentWidget() is customer.result_page and not page.busy)
    QApplication.processEvents()
    customer.grab().save(str(out / "17-customer-result.png"))
    customer.confirm_button.click()
    _step(page, "recommendation")
    rec = page.steps["recommendation"]
    rec.amount.setText("200000")
    rec.assets.setText("1500000")
    rec.horizon.setCurrentIndex(1)
    rec.propose.click()
    _wait(lambda: not page.busy and rec.table.rowCount() > 0)
    _save(window, out, "18-session-recommendation")
    rec.choose.click()
    _step(page, "signoff")
    _save(window, out, "20-session-signoff")
    _customer_signs(page, out)
    _attest(page)
    _step(page, "confirmation")
    _wait(lambda: page.steps["confirmation"].view.page_count() > 0 and not page.busy)
    _save(window, out, "23-session-confirmation")
    _print_both(page)
    page.next()
    _step(page, "done")
    _save(window, out, "13-session-done")
    page.next()
    _wait(lambda: page.counter_session is None and not page.busy)
    if _soon(lambda: page.evaluation.window is not None and page.evaluation.window.isVisible()):
        rating = page.evaluation.window
        rating.resize(1000, 700)
        QApplication.processEvents()
        rating.grab().save(str(out / "31-customer-evaluation.png"))
        page.evaluation.close_window()

    page.start()
    _step(page, "document")
    doc = page.steps["document"]
    doc.doc_type.setCurrentIndex(doc.doc_type.findData("resident_id"))
    doc.number.setText("110101195911020011")
    doc.issue.setText("2010-01-01")
    doc.long_term.setChecked(True)
    page.next()
    _step(page, "consent")
    page.steps["consent"].agree.click()
    _step(page, "profile")
    page.steps["profile"].view.set_values(_LISTED)
    page.next()
    _wait(lambda: not page.busy and page.steps["screening"].recheck.isVisible())
    _save(window, out, "14-session-screening-hold")
    window.home.show_task("customer.find")
    find = window.home.pages["customer.find"]
    find.query.setText("zxm")
    find.search()
    _wait(lambda: find.table.rowCount() > 0)
    find.table.selectRow(0)
    _wait(lambda: find.details.rowCount() > 0)
    _save(window, out, "15-find-customer")


class _Clock:
    """The reading timer of the screenshots: time passes when told to, not in real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _draw(widget, points) -> None:

    for i, (x, y) in enumerate(points):
        kind = QEvent.Type.MouseButtonPress if i == 0 else (
            QEvent.Type.MouseButtonRelease if i == len(points) - 1 else QEvent.Type.MouseMove)
        button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
        pos = QPointF(x, y)
        QApplication.sendEvent(widget, QMouseEvent(kind, pos, widget.mapToGlobal(pos), button, buttons,
                                                   Qt.KeyboardModifier.NoModifier))


def _customer_signs(page, out: Path) -> None:
    """The customer's part on the customer window: read, consent, type the sentence, sign."""

    clock = _Clock()
    page.signoff.clock = clock
    page.steps["signoff"].handover.click()
    _wait(lambda: page.signoff.window is not None)
    w = page.signoff.window
    w.showNormal()
    w.resize(1000, 700)
    QApplication.processEvents()
    w.grab().save(str(out / "21-customer-disclosure.png"))
    bar = w.text.verticalScrollBar()
    bar.setValue(bar.maximum())
    clock.now += page.counter_session.state.signoff.plan.min_reading_seconds
    w.refresh_gate()
    w.read_button.click()
    if w.recording_yes is not None:
        _wait(lambda: w.stage == "recording")
        w.recording_yes.click()
    if w.sentence_edit is not None:
        _wait(lambda: w.stage == "sentence")
        signoff = page.counter_session.state.signoff
        w.sentence_edit.insert(confirmation_sentence(signoff.lang, signoff.plan.customer_initiated))
        w.sentence_ok.click()
    _wait(lambda: w.stage == "signature")
    QApplication.processEvents()
    canvas = w.pad.canvas
    width, height = canvas.width(), canvas.height()
    for x0, span in ((0.08, 0.3), (0.45, 0.4)):
        _draw(canvas, [(int(width * (x0 + span * i / 30)),
                        int(height * (0.5 + (0.25 if i % 2 else -0.2) / (1 + i % 3))))
                       for i in range(31)])
    QApplication.processEvents()
    w.grab().save(str(out / "22-customer-signature.png"))
    w.sign_button.click()
    _wait(lambda: page.counter_session.state.signoff.signed_at is not None and not page.busy)


def _attest(page) -> None:
    step = page.steps["signoff"]
    if step.recording_ref.isVisible():
        step.recording_ref.setText("REC-2026-000123")
    step.identity.setChecked(True)
    step.explained.setChecked(True)
    step.submit.click()


def _print_both(page) -> None:
    """Printed to PDF files in a temporary folder (a real printer is chosen in the print dialog)."""

    folder = Path(tempfile.mkdtemp())

    def printer(_parent, _title):
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(folder / f"copy-{len(list(folder.iterdir()))}.pdf"))
        return p
    page.signoff.choose_printer = printer
    view = page.steps["confirmation"].view
    for kind in ("customer", "branch"):
        view.buttons[kind].click()
        _wait(lambda k=kind: view.is_printed(k) and not page.busy)


def _headless_sale(vault, teller, doc: EnterDocument, kyc: dict, pick: int, code: str, own: bool,
                   declared: dict) -> CounterSession:
    """A sale through the core up to the teller's attestation (for the supervisor's and the
    after-sale screens): a customer identified, assessed, the product chosen, the customer signed."""
    counter_session = CounterSession(vault, teller)
    # The reader's copy of the card: these sales reach the due-diligence threshold (Order 〔2025〕 No. 11).
    counter_session.submit(CaptureDocumentImage(SimulatorReader().capture_image().data, "reader_simulator"))
    actions = {"document": doc, "consent": DecideConsent(True), "profile": EnterProfile(kyc), "screening": Screen()}
    while counter_session.flow.current_id != "assessment":
        outcome = counter_session.submit(actions[counter_session.flow.current_id])
        if not outcome.result.ok or outcome.stop or outcome.hold:
            raise RuntimeError(f"demo sale stopped at {counter_session.flow.current_id}: {outcome}")
    counter_session.submit(StartAssessment())
    q = load_questionnaire()
    answers = {x.key: q.form.field(x.key).options[min(pick, len(q.form.field(x.key).options) - 1)].value
               for x in q.questions}
    answers["age"] = "age_46_55"
    _found, graded = counter_session.submit(RecordAnswers(answers, "customer_screen")).value
    counter_session.submit(ConfirmAssessment(bool(graded and graded.needs_reconfirmation)))
    counter_session.submit(Propose(declared["amount"], declared))
    if own:
        counter_session.submit(CheckOwnRequest(code))
    counter_session.submit(ChooseProduct(code, customer_initiated=own))
    signoff = counter_session.state.signoff
    assert signoff is not None
    plan = signoff.plan
    counter_session.submit(RecordReading({"seconds": plan.min_reading_seconds, "scrolled_to_end": True,
                                "forms": [{"ref": r, "hash": h} for r, h in zip(plan.forms, plan.form_hashes)]},
                               "customer_screen"))
    if plan.recording_required:
        counter_session.submit(RecordRecording(True))
    strokes = (Stroke.of([(20 + i * 9, 60 + (i % 5) * 12, 0.6, i * 20) for i in range(30)]),)
    image = Image.new("RGBA", (400, 160), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 60), (200, 110), (380, 70)], fill=(0, 0, 90, 255), width=4)
    png = io.BytesIO()
    image.save(png, "PNG")
    counter_session.submit(RecordSignature(confirmation_sentence("zh", plan.customer_initiated)
                                           if plan.sentence_required else None,
                                 Signature(strokes=strokes, width=400, height=160).to_json(), png.getvalue(),
                                 "customer_screen"))
    counter_session.submit(Attest(True, True, "REC-2026-000456"))
    return counter_session


_MIDDLE_AGED = {"name_zh": "王建华", "sex": "female", "birth_date": "1980-05-05", "nationality": "CHN",
                "phone": "13912345678", "address": "北京市海淀区中关村大街 1 号", "occupation": "gbt6565_2",
                "employer": "某某科技公司", "civil_capacity": "full", "tax_residency": "cn_only", "pep_status": "none",
                "customer_tier": "wealth"}
_MIDDLE_DOC = EnterDocument("resident_id", "110105198005050023", id_issue_date="2020-06-01",
                            id_expiry_date="2040-06-01")


def _supervisor_and_after_sale(window: MainWindow, out: Path) -> None:
    """A sale in cooling-off (completed) and one waiting for approval, made by the teller through the
    core; then the supervisor's queue and the after-sale list."""
    vault, teller = window.ctx.vault, window.ctx.user
    private = _headless_sale(vault, teller, _MIDDLE_DOC, _MIDDLE_AGED, 3, "DM-PWM-FI", False,
                             {"amount": "400000", "investable_assets": "9000000",
                              "household_financial_assets": "6000000"})
    private.submit(IssueConfirmation())
    private.finish()
    _headless_sale(vault, teller, _MIDDLE_DOC, {}, 1, "DM-WM-EQ", True,
                   {"amount": "150000", "investable_assets": "900000"})
    window.home.show_task("aftersale.manage")
    page = window.home.pages["aftersale.manage"]
    _wait(lambda: page.cooling_table.rowCount() > 0)
    page.cooling_table.selectRow(0)
    _save(window, out, "25-aftersale-cooling-off")


def _service_pages(window: MainWindow, out: Path) -> None:
    """The teller's follow-up list and complaints, on the DEMO month."""
    window.home.show_task("followup.list")
    follow_ups = window.home.pages["followup.list"]
    if _soon(lambda: follow_ups.table.rowCount() > 0):
        follow_ups.table.selectRow(0)
    _save(window, out, "42-follow-ups")
    window.home.show_task("complaint.handle")
    complaints = window.home.pages["complaint.handle"]
    if _soon(lambda: complaints.table.rowCount() > 0):
        complaints.table.selectRow(0)
        _soon(lambda: bool(complaints.detail.toPlainText()))
    _save(window, out, "43-complaints")


def _dashboard(window: MainWindow, out: Path) -> None:
    window.home.show_task("report.dashboard")
    page = window.home.pages["report.dashboard"]
    _wait(lambda: page.figures is not None and not page.loading, 60000)
    _save(window, out, "40-supervisor-dashboard")


def _seed_history(data: Path) -> None:
    vault = Vault.open(data)
    user = next(u for u in DEMO_USERS if u.username == "supervisor")
    signed_in = vault.sign_in(user.username, user.password, pyotp.TOTP(user.totp_secret).now()
                              if user.totp_secret else None)
    try:
        seed_month(vault)
    finally:
        vault.sign_out(signed_in, "demo_setup")


def render(out: Path, size: tuple[int, int] = (1366, 768), lang: str = "zh_CN") -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    MainThreadGarbageCollector(app)
    load_font(app)
    theme.apply(app)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        create_demo(data)
        _seed_history(data)
        languages = Languages(app)
        languages.set(lang)
        ctx = AppContext(data_dir=data, demo=True, languages=languages)
        window = MainWindow(ctx)
        window.resize(*size)
        window.start()
        languages.set(lang)  # over the installation's stored language, as `counterdesk --lang` does
        window.show()
        _wait(lambda: window.state == "signin")
        _save(window, out, "01-sign-in-zh")

        _sign_in(window, "teller")
        today = window.home.today
        _soon(lambda: today is not None and getattr(today, "data", None) is not None and not today.loading, 20000)
        _save(window, out, "02-teller-home")
        _identification(window, out)
        _supervisor_and_after_sale(window, out)
        _service_pages(window, out)
        window.lock("manual")
        _save(window, out, "03-lock-screen")
        window.sign_out("user")
        _wait(lambda: window.state == "signin" and window.signin.submit.isEnabled())

        _sign_in(window, "supervisor")
        _wait(lambda: window.home.pages["approval.queue"].table.rowCount() > 0)
        _save(window, out, "04-supervisor-approvals")
        window.home.show_task("approval.signoff")
        queue = window.home.pages["approval.signoff"]
        _wait(lambda: queue.table.rowCount() > 0)
        # The sale made above (the DEMO month's waiting approvals are listed too).
        table = queue.table
        rows = [r for r in range(table.rowCount()) if any(
            table.item(r, c) is not None and "DM-WM-EQ" in table.item(r, c).text() for c in range(table.columnCount()))]
        table.selectRow(rows[0] if rows else 0)
        _wait(lambda: "DM-WM-EQ" in queue.details.toPlainText())
        _save(window, out, "24-supervisor-signoff-approvals")
        _dashboard(window, out)
        window.sign_out("user")
        _wait(lambda: window.state == "signin" and window.signin.submit.isEnabled())

        _sign_in(window, "admin")
        window.home.show_task("users.manage")
        _wait(lambda: window.home.pages["users.manage"].table.rowCount() > 0)
        _save(window, out, "05-admin-users")
        window.home.show_task("catalog.manage")
        _wait(lambda: window.home.pages["catalog.manage"].table.rowCount() > 0)
        _save(window, out, "19-admin-catalog")
        window.home.show_task("settings.manage")
        _save(window, out, "06-admin-settings")
        window.home.show_task("sync.manage")
        sync_page = window.home.pages["sync.manage"]
        _wait(lambda: getattr(sync_page, "view", None) is not None and not sync_page.loading)
        _save(window, out, "26-admin-sync")
        window.home.show_task("audit.view")
        audit_page = window.home.pages["audit.view"]
        _wait(lambda: audit_page.table.rowCount() > 0)
        audit_page.verify_button.click()
        _wait(lambda: audit_page.report is not None)
        _save(window, out, "07-audit-log")
        # Tellers need a second factor too from here on, so that the demo teller sets one up below.
        window.ctx.vault.set_setting(window.ctx.user, "mfa.tellers", True)
        window.sign_out("user")
        _wait(lambda: window.state == "signin" and window.signin.submit.isEnabled())
        _second_factor(window, out)

        window.set_language("zh_CN" if lang == "en" else "en")
        _save(window, out, "08-sign-in-zh" if lang == "en" else "08-sign-in-en")
        window.close()

        setup_ctx = AppContext(data_dir=Path(tmp) / "fresh", demo=False, languages=languages)
        languages.set(lang)
        wizard = MainWindow(setup_ctx)
        wizard.resize(*size)
        wizard.start()
        wizard.show()
        _save(wizard, out, "09-setup-wizard")
        wizard.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screens"))
    parser.add_argument("--size", default="1366x768", help="window size, WIDTHxHEIGHT (a branch PC: 1366x768)")
    parser.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    args = parser.parse_args(argv)
    width, _x, height = args.size.partition("x")
    render(args.out, (int(width), int(height)), args.lang)
    return 0


if __name__ == "__main__":
    sys.exit(main())
