"""After-sale page, driven offscreen on a real demo installation: a private-product sale in its
cooling-off period is cancelled (only with the customer's request ticked and a valid refund
reference), and the follow-up visit after the period is refused to the seller and recorded by a
colleague."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from counterdesk.flow.actions import (
    Attest,
    CheckApproval,
    ChooseProduct,
    IssueConfirmation,
    Propose,
    RecordReading,
    RecordRecording,
)
from counterdesk.forms.disclosures import confirmation_sentence
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import approvals, cooling, follow_up_calls, process
from counterdesk.ui.counter.aftersale_page import AfterSalePage
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages
from helpers.counter import MIDDLE, PNG, at_recommendation, signature_json
from helpers.demo import (
    PASSWORDS,
    WAIT,
    totp_code,
)
from helpers.gui import select, type_text


def private_sale(vault, signed_at: datetime | None = None):
    """A completed sale of a private wealth-management product (it has a cooling-off period), made
    by the demo teller. With ``signed_at`` the customer signed then, so the period may be over."""
    counter_session = at_recommendation(vault, option=3, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)
    proposal = counter_session.submit(Propose("400000", {"investable_assets": "9000000",
                                               "household_financial_assets": "6000000"})).value
    code = next(c for c, d in proposal.decisions.items()
                if proposal.products[c].type == "private_wm" and d.outcome != "prohibited")
    assert counter_session.submit(ChooseProduct(code)).moved
    plan = counter_session.state.signoff.plan
    assert plan.cooling_off_hours >= 24
    sid = counter_session.state.signoff.signoff_id
    counter_session.submit(RecordReading({"seconds": plan.min_reading_seconds, "scrolled_to_end": True,
                          "forms": [{"ref": r, "hash": h} for r, h in zip(plan.forms, plan.form_hashes)]},
                         "customer_screen")).value
    if plan.recording_required:
        counter_session.submit(RecordRecording(True, "REC-2026-000456")).value
    process.record_signature(vault, counter_session.user, sid, confirmation_sentence("zh") if plan.sentence_required else None,
                             signature_json(), PNG, "customer_screen", now=signed_at)
    counter_session.submit(Attest(True, True))
    if counter_session.flow.current_id == "approval":
        supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
        approvals.decide(vault, supervisor, counter_session.submit(CheckApproval()).value.request_id, approve=True)
        vault.sign_out(supervisor)
        counter_session.submit()
    state = counter_session.submit(IssueConfirmation()).value
    assert state.status == "completed" and state.cooling_off_until
    return counter_session, state


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


@pytest.fixture
def make_page(vault, qapp, qtbot, demo_lists_dir):
    made = []

    def make(username: str) -> AfterSalePage:
        ctx = AppContext(demo_lists_dir, demo=True, languages=Languages(qapp))
        ctx.vault, ctx.user = vault, vault.sign_in(username, PASSWORDS[username], totp_code(username))
        page = AfterSalePage(ctx)
        qtbot.addWidget(page)
        page.resize(1000, 700)
        page.show()
        with qtbot.waitSignal(page.loaded, timeout=WAIT):
            page.refresh()
        made.append(page)
        return page
    yield make
    for page in made:  # no background work may still run when the vault closes
        qtbot.waitUntil(lambda p=page: not p.loading and not p.busy, timeout=WAIT)


def product_label(vault, code: str) -> str:
    from counterdesk.services.catalog.versions import current_catalog

    user = vault.sign_in("auditor", PASSWORDS["auditor"])
    return f"{code} {current_catalog(vault, user).get(code).name('en')}"


def cells(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def test_a_sale_in_cooling_off_is_cancelled_only_when_asked_and_with_a_refund_reference(qtbot, vault, make_page):
    counter_session, state = private_sale(vault)
    page = make_page("teller")
    assert page.cooling_table.rowCount() == 1 and page.followup_table.rowCount() == 0
    row = cells(page.cooling_table, 0)
    plan = counter_session.state.signoff.plan
    assert row[0] == state.document_number and row[0].startswith("DEMO-")
    assert row[1:4] == ["张**", product_label(vault, plan.product_code), "400,000.00"]
    # The branch's time (UTC+8), not the workstation's clock zone; the column heading names the zone.
    until = datetime.fromisoformat(state.cooling_off_until).astimezone(timezone(timedelta(hours=8)))
    assert row[4] == f"{until:%Y-%m-%d %H:%M}" and row[5] == "演示柜员 Demo Teller"
    assert page.cooling_table.horizontalHeaderItem(4).text() == "Cooling-off until (UTC+8)"
    assert page.tabs.tabText(0) == "In cooling-off (1)" and page.tabs.tabText(1) == "Follow-up visits (0)"
    assert state.document_number in page.cooling_details.text()
    assert f"{until:%Y-%m-%d %H:%M} (UTC+8)" in page.cooling_details.text()
    assert "No follow-up visit is due." in page.followup_details.text() and not page.followup_done.isEnabled()
    assert page.cooling_cancel.isEnabled() and not page.cooling_confirm.isChecked()

    # Without the customer's request ticked: refused by the page, nothing stored.
    qtbot.keyClicks(page.refund_reference, "RF-000123")
    qtbot.mouseClick(page.cooling_cancel, Qt.MouseButton.LeftButton)
    assert "Tick the box" in page.message.text() and page.message.isVisible()
    assert [i.signoff_id for i in cooling.in_cooling_off(vault, page.ctx.user)] == [state.signoff_id]

    # An invalid refund reference: the core's refusal is shown.
    page.cooling_confirm.setChecked(True)
    page.refund_reference.clear()
    qtbot.keyClicks(page.refund_reference, "x")
    qtbot.mouseClick(page.cooling_cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "refund transaction reference" in page.message.text(), timeout=WAIT)
    assert page.cooling_table.rowCount() == 1 and page.cooling_cancel.isEnabled()

    page.refund_reference.clear()
    qtbot.keyClicks(page.refund_reference, "RF-000123")
    with qtbot.waitSignal(page.loaded, timeout=WAIT), qtbot.waitSignal(page.changed, timeout=WAIT) as changed:
        qtbot.mouseClick(page.cooling_cancel, Qt.MouseButton.LeftButton)
    assert changed.args == ["cancelled"]
    qtbot.waitUntil(lambda: page.cooling_table.rowCount() == 0 and not page.loading, timeout=WAIT)
    assert page.message.text() == f"Cancellation of {state.document_number} recorded with refund RF-000123."
    assert page.refund_reference.text() == "" and not page.cooling_confirm.isChecked()
    assert not page.cooling_cancel.isEnabled() and page.tabs.tabText(0) == "In cooling-off (0)"
    assert cooling.in_cooling_off(vault, page.ctx.user) == []


def test_the_follow_up_is_refused_to_the_seller_and_recorded_by_a_colleague(qtbot, vault, make_page):
    signed = datetime.now(UTC) - timedelta(days=30)  # the cooling-off period is long over
    _ident, state = private_sale(vault, signed_at=signed)
    assert datetime.fromisoformat(state.cooling_off_until) < datetime.now(UTC)

    seller = make_page("teller")
    assert seller.cooling_table.rowCount() == 0 and seller.followup_table.rowCount() == 1
    row = cells(seller.followup_table, 0)
    assert row[:4] == [state.document_number, "张**", product_label(vault, state.plan.product_code),
                       "演示柜员 Demo Teller"]
    assert seller.tabs.tabText(1) == "Follow-up visits (1)"
    assert not seller.followup_done.isEnabled() and not seller.followup_outcome.isEnabled()
    assert "You sold this product" in seller.followup_details.text()
    assert seller.followup_done.toolTip() == seller.followup_details.text()

    colleague = make_page("supervisor")
    assert colleague.followup_table.rowCount() == 1 and colleague.followup_done.isEnabled()
    task = colleague.current_task()
    assert task.can_do and task.document_number == state.document_number
    assert "sold by 演示柜员 Demo Teller" in colleague.followup_details.text()

    # No result chosen, then no recording of a call that reached the customer: the core's refusals.
    assert colleague.followup_result.currentData() is None  # nothing chosen in advance
    qtbot.mouseClick(colleague.followup_done, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Choose the outcome of the call" in colleague.message.text(), timeout=WAIT)
    select(colleague.followup_result, "reached_confirmed")
    type_text(qtbot, colleague.followup_outcome, "客户确认知悉产品风险，无异议")
    qtbot.mouseClick(colleague.followup_done, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "reference of the call recording" in colleague.message.text(), timeout=WAIT)

    type_text(qtbot, colleague.followup_recording, "CALL-2026-000123")
    with qtbot.waitSignal(colleague.loaded, timeout=WAIT), \
            qtbot.waitSignal(colleague.changed, timeout=WAIT) as changed:
        qtbot.mouseClick(colleague.followup_done, Qt.MouseButton.LeftButton)
    assert changed.args == ["follow_up_done"]
    qtbot.waitUntil(lambda: colleague.followup_table.rowCount() == 0 and not colleague.loading, timeout=WAIT)
    assert colleague.message.text() == f"Follow-up visit for {state.document_number} recorded."
    assert colleague.followup_outcome.text() == "" and not colleague.followup_done.isEnabled()
    done = cooling.follow_up_tasks(vault, colleague.ctx.user, include_done=True)
    assert [(t.task_id, t.status) for t in done] == [(task.task_id, "done")]
    calls = follow_up_calls.calls(vault, colleague.ctx.user, state.signoff_id)
    assert [(c.outcome, c.recording_ref, c.called_by) for c in calls] == [
        ("reached_confirmed", "CALL-2026-000123", colleague.ctx.user.user_id)]

    with qtbot.waitSignal(seller.loaded, timeout=WAIT):
        qtbot.mouseClick(seller.refresh_button, Qt.MouseButton.LeftButton)
    assert seller.followup_table.rowCount() == 0


def test_the_page_is_in_both_homes(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = window.home.pages["aftersale.manage"]
    assert isinstance(page, AfterSalePage)
    private_sale(window.ctx.vault)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        window.home.show_task("aftersale.manage")
    assert page.isVisible() and page.cooling_table.rowCount() == 1
    assert page.cooling_table.item(0, 1).text() == "张**"
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT)
