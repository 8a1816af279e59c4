"""The risk questionnaire on the customer window, through the real main window: a grade change
that the customer must re-confirm, and a third assessment on one day that is refused."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from sqlalchemy import text

from helpers.demo import WAIT
from helpers.gui import (
    assessed_customer,
    assessment_answers,
    at,
    to_assessment,
)


def test_changed_grade_needs_the_customers_reconfirmation(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    assessed_customer(window.ctx.vault, 1, pick=0)
    page = to_assessment(qtbot, window)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.use_current.isVisible(), timeout=WAIT)
    qtbot.mouseClick(step.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.customer_window is not None, timeout=WAIT)
    customer = page.customer_window
    for key, value in assessment_answers(3).items():
        customer.choose(key, value)
    customer.next_question()
    qtbot.waitUntil(lambda: customer.stack.currentWidget() is customer.result_page, timeout=WAIT)
    assert customer.reconfirm.isVisible() and "C1" in customer.result_text.text()
    qtbot.mouseClick(customer.confirm_button, Qt.MouseButton.LeftButton)
    assert "勾选" in customer.notice.text() and at(page, "assessment")
    customer.reconfirm.setChecked(True)
    qtbot.mouseClick(customer.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    assert page.customer_window is None


def test_contradictory_answers_are_sent_back_to_the_customer(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    assessed_customer(window.ctx.vault, 1, pick=0)
    page = to_assessment(qtbot, window)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.start.isEnabled() and not page.busy, timeout=WAIT)
    qtbot.mouseClick(step.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.customer_window is not None, timeout=WAIT)
    customer = page.customer_window
    chosen = assessment_answers(1)
    chosen["experience_years"], chosen["products_traded"] = "none", "derivatives"
    for key, value in chosen.items():
        customer.choose(key, value)
    customer.next_question()
    qtbot.waitUntil(lambda: customer.notice.text() != "", timeout=WAIT)
    assert customer.q.questions[customer.index].key in ("experience_years", "products_traded")
    assert at(page, "assessment")


def test_third_assessment_in_a_day_is_refused(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    assessed_customer(window.ctx.vault, 2)
    page = to_assessment(qtbot, window)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.start.isEnabled() and not page.busy, timeout=WAIT)
    qtbot.mouseClick(step.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.message.isVisible(), timeout=WAIT)
    assert "2" in step.message.text() and page.customer_window is None
    # The valid assessment from earlier today can still be used.
    qtbot.mouseClick(step.use_current, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)


def test_customer_initiated_product_above_the_grade(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    assessed_customer(window.ctx.vault, 1, pick=0)  # a low grade
    page = to_assessment(qtbot, window)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.use_current.isVisible(), timeout=WAIT)
    qtbot.mouseClick(step.use_current, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    rec = page.steps["recommendation"]
    qtbot.keyClicks(rec.amount, "50000")
    qtbot.keyClicks(rec.assets, "600000")
    qtbot.mouseClick(rec.propose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and rec.proposal is not None, timeout=WAIT)
    listed = {rec.table.item(r, 1).text() for r in range(rec.table.rowCount())}
    above = next(code for code, p in rec.proposal.products.items()
                 if p.risk_level in ("R4", "R5") and p.status == "on_sale" and p.public
                 and p.licence_required != "precious_metals")
    assert above not in listed  # never offered by the bank
    qtbot.keyClicks(rec.own_code, above)
    qtbot.mouseClick(rec.own_check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rec.own_request is not None, timeout=WAIT)
    decision = rec.own_request[1]
    assert decision.outcome in ("customer_initiated_only", "prohibited")
    assert rec.own_choose.isEnabled() == (decision.outcome == "customer_initiated_only")


def test_paper_questionnaire_printed_then_keyed_in_with_its_number(qtbot, open_window, demo_lists_dir, tmp_path):
    window = open_window(demo_lists_dir, "teller")
    assessed_customer(window.ctx.vault, 1, pick=1)
    page = to_assessment(qtbot, window)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.use_current.isVisible(), timeout=WAIT)
    pdf = tmp_path / "blank.pdf"
    with qtbot.waitSignal(page.state_changed, timeout=WAIT, check_params_cb=lambda s: s == "blank_printed"):
        page.print_blank_questionnaire(str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    number = next(w for w in step.message.text().replace("，", " ").split() if w.startswith("RQ-"))
    # An unknown number is refused; the issued one is keyed in on the teller's screen.
    step.message.clear_message()
    qtbot.keyClicks(step.paper_number, "RQ-NOPE-1")
    qtbot.mouseClick(step.paper_start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and step.message.isVisible(), timeout=WAIT)
    assert page.customer_window is None and step.paper_start.isEnabled()
    step.paper_number.clear()
    qtbot.keyClicks(step.paper_number, number)
    qtbot.mouseClick(step.paper_start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.customer_window is not None, timeout=WAIT)
    paper = page.customer_window
    assert paper.entered_at == "paper_form" and not paper.isFullScreen() and number in paper.title.text()
    for key, value in assessment_answers(1).items():
        paper.choose(key, value)
    paper.next_question()
    qtbot.waitUntil(lambda: paper.stack.currentWidget() is paper.result_page, timeout=WAIT)
    qtbot.mouseClick(paper.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    query = text("SELECT paper_form_number FROM assessments WHERE paper_form_number IS NOT NULL")
    stored = window.ctx.vault.transact(lambda s: s.execute(query).scalars().all())
    assert stored == [number]
