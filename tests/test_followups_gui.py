"""The follow-up list through the real window, in Chinese and keyboard only: a private-product sale
whose cooling-off period is over has its post-sale call on the supervisor's list (filtered by kind);
Enter opens the outcome dialog, the outcome is recorded and the item leaves the list."""
from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from sqlalchemy import select

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
from counterdesk.services.auth.vault import DEMO_USERS, Vault
from counterdesk.services.signoff import approvals, process
from counterdesk.store.models.assessment import Assessment
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.follow_ups import FollowUpOutcome
from helpers.counter import MIDDLE, PNG, at_recommendation, signature_json
from helpers.demo import PASSWORDS, WAIT, totp_code
from helpers.gui import select as choose
from helpers.gui import type_text
from helpers.screens import accelerator_clashes, foreign_text

NOTE = "客户确认已了解产品风险，无其他疑问。"
DATA = (*(u.display_name for u in DEMO_USERS), "演示支行 DEMO Branch", "张**", "CALL-2026-0100")


def sale_signed_two_days_ago(vault) -> str:
    """A private WM sale (24 h cooling-off) the customer signed two days ago: its follow-up is due."""
    counter_session = at_recommendation(vault, option=3, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)
    proposal = counter_session.submit(Propose("400000", {"investable_assets": "9000000",
                                                         "household_financial_assets": "6000000"})).value
    code = next(c for c, d in proposal.decisions.items()
                if proposal.products[c].type == "private_wm" and d.outcome != "prohibited")
    assert counter_session.submit(ChooseProduct(code)).moved
    plan = counter_session.state.signoff.plan
    sid = counter_session.state.signoff.signoff_id
    counter_session.submit(RecordReading({"seconds": plan.min_reading_seconds, "scrolled_to_end": True,
                                          "forms": [{"ref": r, "hash": h} for r, h in zip(plan.forms,
                                                                                          plan.form_hashes)]},
                                         "customer_screen"))
    if plan.recording_required:
        counter_session.submit(RecordRecording(True, "REC-2026-000456"))
    process.record_signature(vault, counter_session.user, sid,
                             confirmation_sentence("zh") if plan.sentence_required else None, signature_json(), PNG,
                             "customer_screen", now=datetime.now(UTC) - timedelta(days=2))
    counter_session.submit(Attest(True, True))
    if counter_session.flow.current_id == "approval":
        supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
        approvals.decide(vault, supervisor, counter_session.submit(CheckApproval()).value.request_id, approve=True)
        vault.sign_out(supervisor)
        counter_session.submit()
    state = counter_session.submit(IssueConfirmation()).value
    assert state.status == "completed"
    return sid


def clean(widget) -> None:
    assert accelerator_clashes(widget) == []
    assert foreign_text(widget, "zh", DATA) == []


def test_a_supervisor_records_a_post_sale_call_from_the_list(qtbot, open_window, demo_lists_dir):
    vault = Vault.open(demo_lists_dir)
    signoff_id = sale_signed_two_days_ago(vault)
    vault.close()

    window = open_window(demo_lists_dir, "supervisor")
    window.home.show_task("followup.list")
    page = window.home.pages["followup.list"]
    qtbot.waitUntil(lambda: page.isVisible() and page.idle and page.table.rowCount() == 1, timeout=WAIT)
    assert page.title.text() == "回访清单"
    assert [page.table.item(0, c).text() for c in (2, 3)] == ["售后回访", "张**"]
    assert page.table.item(0, 1).text() in ("待办", "即将到期")
    qtbot.waitUntil(lambda: page.current is not None and page.record_button.isEnabled(), timeout=WAIT)
    clean(window)

    # The filter by kind: nothing maturing yet; back to every kind.
    choose(page.kind, "product_maturing")
    qtbot.waitUntil(lambda: page.idle and page.table.rowCount() == 0, timeout=WAIT)
    choose(page.kind, "post_sale_call")
    qtbot.waitUntil(lambda: page.idle and page.table.rowCount() == 1, timeout=WAIT)

    # Keyboard only: the row, Enter, the dialog's fields, Enter.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    page.table.setFocus()
    page.table.setCurrentCell(0, 0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT)
    dialog = page.dialog
    assert dialog.outcome.currentData() == "reached"
    assert dialog.channel.currentData() == "phone"
    clean(dialog)
    type_text(qtbot, dialog.note, NOTE)
    qtbot.keyClicks(dialog.recording, "CALL-2026-0100")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.keyClick(dialog.recording, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.dialog is None and page.idle and page.table.rowCount() == 0, timeout=WAIT)
    assert page.message.text() == "回访结果已登记。"

    # Shown with the closed ones; recorded in the store with its note, audited without it.
    page.show_done.setChecked(True)
    qtbot.waitUntil(lambda: page.idle and page.table.rowCount() == 1, timeout=WAIT)
    assert page.table.item(0, 1).text() == "已完成" and page.table.item(0, 5).text() == "已联系上客户"
    qtbot.waitUntil(lambda: page.current is not None and NOTE in page.detail.toPlainText(), timeout=WAIT)
    assert not page.record_button.isEnabled()
    vault = window.ctx.vault

    def check(db):
        row = db.scalars(select(FollowUpOutcome)).one()
        assert (row.kind, row.signoff_id, row.outcome, row.channel, row.recording_ref, row.note) == (
            "post_sale_call", signoff_id, "reached", "phone", "CALL-2026-0100", NOTE)
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "follow_up.outcome"))
        assert json.loads(entry.details)["outcome"] == "reached" and NOTE not in entry.details
    vault.transact(check)


def test_show_done_and_lapsed_lists_a_lapsed_item_as_such(qtbot, open_window, demo_lists_dir):
    """An assessment whose stored end passed 60 days ago (lapse: 30 days) is off the open list and shown,
    with its state said, when done and lapsed items are asked for."""
    vault = Vault.open(demo_lists_dir)
    at_recommendation(vault, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)

    def expire(db):
        row = db.scalars(select(Assessment).where(Assessment.status == "completed")).one()
        row.valid_until = (datetime.now(UTC) - timedelta(days=60)).isoformat()
    vault.transact(expire)
    vault.close()

    window = open_window(demo_lists_dir, "supervisor")
    window.home.show_task("followup.list")
    page = window.home.pages["followup.list"]
    qtbot.waitUntil(lambda: page.isVisible() and page.idle, timeout=WAIT)
    assert page.table.rowCount() == 0
    assert page.show_done.text() == "显示已完成和已失效(&D)"
    assert page.table.horizontalHeaderItem(1).text() == "状态"
    page.show_done.setChecked(True)
    qtbot.waitUntil(lambda: page.idle and page.table.rowCount() == 1, timeout=WAIT)
    assert [page.table.item(0, c).text() for c in (1, 2)] == ["已失效", "风险评估即将到期"]
    assert page.table.item(0, 5).text().startswith("已失效：")
    clean(window)
