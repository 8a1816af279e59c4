"""Follow-up calls (回访, 保险销售行为管理办法 art 35): each call recorded with its outcome, time, caller and
recording; no sales contact during the cooling-off period; the follow-up made by someone who did not sell."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from counterdesk.flow.actions import CheckApproval, ChooseProduct, IssueConfirmation, Propose
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import approvals, cooling, follow_up_calls
from counterdesk.services.signoff.common import SignoffError
from counterdesk.store import ledger
from counterdesk.store.models.core import AuditEntry
from helpers.counter import MIDDLE, at_recommendation, customer_signs
from helpers.demo import PASSWORDS, totp_code


@pytest.fixture
def sold(demo_lists_dir):
    """A private WM product sold and issued (24 h cooling-off): (vault, teller, supervisor, signoff id, end)."""
    vault = Vault.open(demo_lists_dir)
    counter_session = at_recommendation(vault, option=3, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)
    proposal = counter_session.submit(Propose("400000", {"investable_assets": "9000000",
                                                         "household_financial_assets": "6000000"})).value
    code = next(c for c, d in proposal.decisions.items() if proposal.products[c].type == "private_wm"
                and d.outcome != "prohibited")
    assert counter_session.submit(ChooseProduct(code)).moved
    customer_signs(counter_session)
    supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    if counter_session.flow.current_id == "approval":
        approvals.decide(vault, supervisor, counter_session.submit(CheckApproval()).value.request_id, approve=True)
        counter_session.submit()
    state = counter_session.submit(IssueConfirmation()).value
    yield vault, counter_session.user, supervisor, state.signoff_id, datetime.fromisoformat(state.cooling_off_until)
    vault.close()


def test_no_contact_during_the_cooling_off_period(sold):
    vault, seller, supervisor, signoff_id, until = sold
    during = until - timedelta(hours=2)
    with pytest.raises(SignoffError) as seller_call:
        follow_up_calls.record_call(vault, seller, signoff_id, "reached_confirmed", "CALL-2026-0001", now=during)
    assert seller_call.value.code == "cooling_off_sales_contact"
    assert "冷静期内销售人员不得主动联系客户" in seller_call.value.text.zh and "art 35" in seller_call.value.text.en
    with pytest.raises(SignoffError) as early:
        follow_up_calls.record_call(vault, supervisor, signoff_id, "reached_confirmed", "CALL-2026-0001", now=during)
    assert early.value.code == "cooling_off_not_over" and "does not count" in early.value.text.en
    assert follow_up_calls.calls(vault, supervisor, signoff_id) == []


def test_a_call_records_outcome_time_caller_and_recording(sold):
    vault, seller, supervisor, signoff_id, until = sold
    after = until + timedelta(hours=3)
    with pytest.raises(SignoffError) as by_seller:
        follow_up_calls.record_call(vault, seller, signoff_id, "reached_confirmed", "CALL-2026-0001", now=after)
    assert by_seller.value.code == "seller_follow_up"
    with pytest.raises(SignoffError) as no_recording:
        follow_up_calls.record_call(vault, supervisor, signoff_id, "reached_confirmed", "", now=after)
    assert no_recording.value.code == "recording_ref"
    with pytest.raises(SignoffError) as bad_outcome:
        follow_up_calls.record_call(vault, supervisor, signoff_id, "fine", "CALL-2026-0001", now=after)
    assert bad_outcome.value.code == "call_outcome"

    # Not reached: kept, the task stays open; reached: the task is done.
    first = follow_up_calls.record_call(vault, supervisor, signoff_id, "not_reached", None, now=after)
    assert [t.signoff_id for t in cooling.follow_up_tasks(vault, supervisor, now=after)] == [signoff_id]
    later = after + timedelta(hours=1)
    second = follow_up_calls.record_call(vault, supervisor, signoff_id, "reached_confirmed", "CALL-2026-0002",
                                         "客户确认知悉产品风险", now=later)
    assert cooling.follow_up_tasks(vault, supervisor, now=later) == []
    calls = follow_up_calls.calls(vault, supervisor, signoff_id)
    assert [(c.call_id, c.outcome, c.recording_ref, c.called_by) for c in calls] == [
        (first, "not_reached", None, supervisor.user_id),
        (second, "reached_confirmed", "CALL-2026-0002", supervisor.user_id)]
    assert calls[1].called_at.startswith(later.isoformat()[:16]) and calls[1].task_id is not None
    with pytest.raises(SignoffError) as again:
        follow_up_calls.record_call(vault, supervisor, signoff_id, "reached_confirmed", "CALL-2026-0003", now=later)
    assert again.value.code == "task_done"

    def check(db):
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "signoff.follow_up_call")).all()
        assert [json.loads(e.details) for e in entries] == [{"signoff_id": signoff_id, "outcome": "not_reached"},
                                                            {"signoff_id": signoff_id, "outcome": "reached_confirmed"}]
        assert ledger.verify(db).ok
    vault.transact(check)
