"""The complete counter session through the real main window, from sign-in to the printed, signed
confirmation (printed to a PDF file): an ordinary sale, a customer-initiated mismatch approved by a
supervisor override at the teller's workstation, a rejection back to the teller, a refused
recording, and a 65+ special-care case."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from PySide6.QtCore import Qt

from helpers.demo import PASSWORDS, WAIT
from helpers.gui import (
    at,
    choose_own,
    choose_ranked,
    customer_reads,
    customer_signs,
    finish,
    override,
    pages_of,
    pages_of_bytes,
    print_both,
    signed_pdf,
    teller_attests,
    text_of,
    to_recommendation,
)


def test_ordinary_sale_to_printed_confirmation(qtbot, open_window, demo_lists_dir, tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    choose_ranked(qtbot, page, rec, "DM-WM-F90")
    assert not page.next_button.isVisible()
    customer_signs(qtbot, page)
    teller_attests(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "confirmation"), timeout=WAIT)  # no approval needed
    printed = print_both(qtbot, page, tmp_path)
    state = page.counter_session.state.signoff
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
    plan = page.counter_session.state.signoff.plan
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
    qtbot.waitUntil(lambda: page.counter_session.flow.stopped is not None and page.banner.text() != "", timeout=WAIT)
    assert page.counter_session.flow.stopped.code == "recording_refused" and page.signoff.window is None
    assert "双录" in page.banner.text() and page.start_button.isVisible()


def test_elderly_customer_high_risk_product_needs_special_care_and_approval(qtbot, open_window, demo_lists_dir,
                                                                             tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=3)
    choose_ranked(qtbot, page, rec, "DM-WM-EQ")
    plan = page.counter_session.state.signoff.plan
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
