"""The risk questionnaire on the customer window, through the real main window: a grade change
that the customer must re-confirm, and a third assessment on one day that is refused."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from sqlalchemy import text  # noqa: E402

from counterdesk.flow.counter_session import CounterSession  # noqa: E402
from counterdesk.forms.registry import load_questionnaire  # noqa: E402
from test_gui_identification import (PASSWORDS, WAIT, at, open_window, read_document,  # noqa: E402,F401
                                     session_page)

KYC = {"name_zh": "张晓梅", "sex": "female", "birth_date": "1949-12-31", "nationality": "CHN",
       "phone": "13812345678", "address": "北京市朝阳区建国路 88 号", "occupation": "gbt6565_2",
       "employer": "某某研究所", "civil_capacity": "full", "tax_residency": "cn_only", "pep_status": "none",
       "customer_tier": "mass"}
SPECIMEN = {"id_doc_type": "resident_id", "id_number": "11010519491231002X", "id_issue_date": "2006-05-20",
            "id_long_term": True}


def answers(pick: int) -> dict:
    q = load_questionnaire()
    chosen = {x.key: q.form.field(x.key).options[min(pick, len(q.form.field(x.key).options) - 1)].value
              for x in q.questions}
    chosen["age"] = "age_65_up"
    if pick == 0:
        chosen["loss_tolerance"] = q.form.field("loss_tolerance").options[1].value  # not "no loss"
    return chosen


def assessed_customer(vault, times: int, pick: int = 0) -> None:
    """A customer identified and assessed ``times`` times today, through the core."""
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    for n in range(times):
        ident = CounterSession(vault, teller)
        steps = [SPECIMEN, {"consent_granted": True}, {"answers": KYC}, {}] if n == 0 else \
            [SPECIMEN, {"answers": {}}, {}]
        for step in steps:
            ident.submit(step)
        ident.start_assessment()
        ident.submit_answers(answers(pick), "customer_screen")
        ident.confirm_assessment(regrade_confirmed=False)
        ident.cancel()  # the sale itself is not the point here
    vault.sign_out(teller)


def to_assessment(qtbot, window):
    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)
    return page


def test_changed_grade_needs_the_customers_reconfirmation(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    assessed_customer(window.ctx.vault, 1, pick=0)
    page = to_assessment(qtbot, window)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.use_current.isVisible(), timeout=WAIT)
    qtbot.mouseClick(step.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.customer_window is not None, timeout=WAIT)
    customer = page.customer_window
    for key, value in answers(3).items():
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
    chosen = answers(1)
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
    for key, value in answers(1).items():
        paper.choose(key, value)
    paper.next_question()
    qtbot.waitUntil(lambda: paper.stack.currentWidget() is paper.result_page, timeout=WAIT)
    qtbot.mouseClick(paper.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    query = text("SELECT paper_form_number FROM assessments WHERE paper_form_number IS NOT NULL")
    stored = window.ctx.vault.transact(lambda s: s.execute(query).scalars().all())
    assert stored == [number]
