"""The complete counter session through the real main window, from sign-in to the printed, signed
confirmation (printed to a PDF file): an ordinary sale, a customer-initiated mismatch approved by a
supervisor override at the teller's workstation, a rejection back to the teller, a refused
recording, and a 65+ special-care case."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess  # noqa: E402

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtPrintSupport import QPrinter  # noqa: E402

from counterdesk.forms.disclosures import confirmation_sentence  # noqa: E402
from test_gui_assessment import assessed_customer, to_assessment  # noqa: E402
from test_gui_identification import PASSWORDS, WAIT, at, open_window  # noqa: E402,F401
from test_signoff_window import FakeClock, draw, zigzag  # noqa: E402


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
    plan = page.ident.flow.data["signoff"].plan
    shown = w.text.toPlainText()
    assert plan.product_code in shown and "风险承受能力等级" in shown and "适当性匹配结果" in shown
    assert not w.read_button.isEnabled()
    qtbot.keyClick(w.text, Qt.Key.Key_End)
    page.signoff.clock.advance(plan.min_reading_seconds)
    w.refresh_gate()
    qtbot.waitUntil(w.read_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(w.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.ident.flow.data["signoff"].read is not None, timeout=WAIT)
    return w, plan


def customer_signs(qtbot, page) -> None:
    w, plan = customer_reads(qtbot, page)
    if plan.recording_required:
        qtbot.waitUntil(lambda: w.stage == "recording", timeout=WAIT)
        qtbot.mouseClick(w.recording_yes, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.ident.flow.data["signoff"].recording_consent is True, timeout=WAIT)
    if plan.sentence_required:
        qtbot.waitUntil(lambda: w.stage == "sentence", timeout=WAIT)
        w.sentence_edit.setFocus()
        w.sentence_edit.insert(confirmation_sentence("zh"))  # Chinese typed through the IME
        qtbot.waitUntil(w.sentence_ok.isEnabled, timeout=WAIT)
        qtbot.mouseClick(w.sentence_ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.stage == "signature", timeout=WAIT)
    draw(qtbot, w.pad.canvas, zigzag(40, 120, 260))
    draw(qtbot, w.pad.canvas, zigzag(320, 110, 160))
    qtbot.mouseClick(w.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.ident.flow.data["signoff"].signed_at is not None, timeout=WAIT)
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
    qtbot.waitUntil(lambda: page.ident is None, timeout=WAIT)


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
    from counterdesk.services.signoff.document import confirmation_pdf
    return confirmation_pdf(page.ctx.vault, page.ctx.user, page.ident.flow.data["signoff"].signoff_id)


def test_ordinary_sale_to_printed_confirmation(qtbot, open_window, demo_lists_dir, tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    choose_ranked(qtbot, page, rec, "DM-WM-F90")
    assert not page.next_button.isVisible()
    customer_signs(qtbot, page)
    teller_attests(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "confirmation"), timeout=WAIT)  # no approval needed
    printed = print_both(qtbot, page, tmp_path)
    state = page.ident.flow.data["signoff"]
    pdf = signed_pdf(page)
    assert len(printed) == 2 and all(pages_of(p) == pages_of_bytes(pdf) for p in printed)
    first = text_of(pdf)
    assert state.document_number in first and "金融产品购买确认书" in first and "张*" in first
    assert "11010519491231002X" not in first  # masked on paper
    from counterdesk.services.confirmation.signing import verify_pdf
    assert verify_pdf(pdf).intact
    finish(qtbot, page)
    entries = [e.action for e in window.ctx.vault.audit_entries(window.ctx.vault.sign_in("auditor", PASSWORDS["auditor"]))]
    assert entries.count("signoff.printed") == 2 and "signoff.issued" in entries


def test_customer_initiated_mismatch_approved_by_supervisor_override(qtbot, open_window, demo_lists_dir, tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    choose_own(qtbot, page, rec, "DM-WM-EQ")
    plan = page.ident.flow.data["signoff"].plan
    assert plan.customer_initiated and "warning_customer_initiated_mismatch@1" in plan.forms
    customer_signs(qtbot, page)
    teller_attests(qtbot, page)
    assert at(page, "approval")
    qtbot.waitUntil(lambda: getattr(page.signoff.request, "status", None) == "pending", timeout=WAIT)
    assert "单机" in page.steps["approval"].delivery.text()  # no hub: the supervisor approves here
    override(qtbot, page, approve=True)
    qtbot.waitUntil(lambda: at(page, "confirmation"), timeout=WAIT)
    printed = print_both(qtbot, page, tmp_path)
    body = text_of(signed_pdf(page))
    assert len(printed) == 2
    assert "风险警示函" in body and "复核主管" in body
    finish(qtbot, page)
    assert window.ctx.user.username == "teller"  # the supervisor was signed out again


def test_rejection_goes_back_to_the_teller(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    choose_own(qtbot, page, rec, "DM-WM-EQ")
    customer_signs(qtbot, page)
    teller_attests(qtbot, page)
    override(qtbot, page, approve=False, reason="客户资产证明不足")
    qtbot.waitUntil(lambda: at(page, "signoff"), timeout=WAIT)
    step = page.steps["signoff"]
    assert "客户资产证明不足" in step.rejection.text() and step.rejection.isVisible()
    assert page.back_button.isEnabled() and step.handover.isEnabled() and not step.submit.isEnabled()


def test_refused_recording_stops_the_sale(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    choose_ranked(qtbot, page, rec, "DM-WM-F90")
    w, _plan = customer_reads(qtbot, page)
    qtbot.waitUntil(lambda: w.stage == "recording", timeout=WAIT)
    qtbot.mouseClick(w.recording_no, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.ident.flow.stopped is not None and page.banner.text() != "", timeout=WAIT)
    assert page.ident.flow.stopped.code == "recording_refused" and page.signoff.window is None
    assert "双录" in page.banner.text() and page.start_button.isVisible()


def test_elderly_customer_high_risk_product_needs_special_care_and_approval(qtbot, open_window, demo_lists_dir,
                                                                             tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=3)
    choose_ranked(qtbot, page, rec, "DM-WM-EQ")
    plan = page.ident.flow.data["signoff"].plan
    assert plan.elderly_care and "notice_elderly_care@1" in plan.forms and plan.sentence_required
    assert plan.min_reading_seconds >= 300
    assert "65" in page.steps["signoff"].summary.text() or "76" in page.steps["signoff"].summary.text()
    customer_signs(qtbot, page)
    teller_attests(qtbot, page)
    assert at(page, "approval")
    override(qtbot, page, approve=True)
    qtbot.waitUntil(lambda: at(page, "confirmation"), timeout=WAIT)
    printed = print_both(qtbot, page, tmp_path)
    from counterdesk.forms import load_form
    title = load_form("notice_elderly_care").title.zh
    assert len(printed) == 2 and title in text_of(signed_pdf(page)).replace("\n", "")
