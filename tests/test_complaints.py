"""Complaints in the core, on a real demo store: every deadline (15 / 30 / up to 60 days, counted in
the branch's calendar), the extension with a supervisor's approval (maker ≠ checker, never beyond 60)
and the notice to the customer, handover (首问负责制), resolution, the customer's response, re-opening,
the refusals, the audit entries (ids and codes only, never the customer's words) and the outbox."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from counterdesk.base import settings as S
from counterdesk.base.roles import PermissionDenied
from counterdesk.base.settings import SettingsValues
from counterdesk.flow.actions import IssueConfirmation, Propose
from counterdesk.flow.counter_session import CounterSession
from counterdesk.services import accounts
from counterdesk.services.auth.vault import Vault
from counterdesk.services.complaints import deadlines, handling, queue
from counterdesk.services.complaints.common import ComplaintError
from counterdesk.services.complaints.handling import NewComplaint
from counterdesk.store import ledger, triggers
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.sync import Outbox
from helpers.counter import MIDDLE, YOUNG, at_recommendation, choose, customer_signs, identify, kyc
from helpers.demo import enrol_sign_in, sign_in

WORDS = "客户称理财产品的风险未讲清楚，要求退还手续费。电话 13912345678"
# 2026-03-01 17:30 UTC is already 2 March in the branch (UTC+8): the deadline counts from 2 March.
RECEIVED = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
SECOND_PW = "Fuhe-Zhuguan-2026!"


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


user = sign_in  # a demo user signed in with the password and, where set, the authenticator code


@pytest.fixture
def teller(vault):
    return user(vault, "teller")


@pytest.fixture
def supervisor(vault):
    return user(vault, "supervisor")


@pytest.fixture
def second_supervisor(vault):
    accounts.create_user(vault, user(vault, "admin"), "supervisor2", "复核主管 Second Supervisor", "supervisor",
                         SECOND_PW)
    return enrol_sign_in(vault, "supervisor2", SECOND_PW)


def new(**changes):
    values = {"channel": "counter", "category": "sale_suitability", "words": WORDS}
    values.update(changes)
    return NewComplaint(**values)


def at(days: float) -> datetime:
    return RECEIVED + timedelta(days=days)


def audit_rows(vault, complaint_id):
    def read(db):
        return [(a.action, json.loads(a.details)) for a in db.scalars(
            select(AuditEntry).where(AuditEntry.object_id == complaint_id).order_by(AuditEntry.seq))]
    return vault.transact(read)


def outbox_rows(vault, complaint_id):
    def read(db):
        return [(o.type, json.loads(o.meta)) for o in db.scalars(select(Outbox).order_by(Outbox.local_seq))
                if json.loads(o.meta).get("complaint_id") == complaint_id]
    return vault.transact(read)


# ---- deadlines ------------------------------------------------------------------------------------------

def test_days_count_from_the_day_after_receipt_in_the_branch_calendar():
    values = SettingsValues()
    start = deadlines.start_day(RECEIVED)
    assert start == date(2026, 3, 2)
    assert deadlines.due_date(start, deadlines.period_days("simple", values)) == date(2026, 3, 17)
    assert deadlines.due_date(start, deadlines.period_days("complex", values)) == date(2026, 4, 1)
    assert deadlines.due_date(start, deadlines.period_days("especially_complex", values, 60)) == date(2026, 5, 1)
    # a deadline over a month end and a leap day
    assert deadlines.due_date(date(2028, 2, 20), 15) == date(2028, 3, 6)
    assert deadlines.mark(date(2026, 3, 17), date(2026, 3, 17), 3) == "due_soon"   # the last day is in time
    assert deadlines.mark(date(2026, 3, 17), date(2026, 3, 18), 3) == "overdue"
    assert deadlines.mark(date(2026, 3, 17), date(2026, 3, 13), 3) == "on_time"
    assert deadlines.mark(date(2026, 3, 17), date(2026, 3, 14), 3) == "due_soon"


def test_the_settings_cannot_exceed_the_regulation():
    assert not S.COMPLAINT_SIMPLE_DAYS.validate(16).ok and S.COMPLAINT_SIMPLE_DAYS.validate(10).ok
    assert not S.COMPLAINT_COMPLEX_DAYS.validate(31).ok and not S.COMPLAINT_MAX_DAYS.validate(61).ok
    assert "投诉处理管理办法" in S.COMPLAINT_MAX_DAYS.source


def test_simple_and_complex_deadlines_and_the_queue_marks(vault, teller, supervisor):
    simple = handling.record(vault, teller, new(), now=RECEIVED)
    assert (simple.owner_id, simple.status, simple.due_on) == (teller.user_id, "open", "2026-03-17")
    assert simple.reference.startswith("TS20260302-")
    complex_ = handling.record(vault, teller, new(complexity="complex", channel="letter"), now=at(0.1))
    assert complex_.due_on == "2026-04-01"
    # Simple → complex later: counted again from receipt, not from the change.
    other = handling.record(vault, teller, new(channel="phone"), now=at(0.2))
    other = handling.reclassify(vault, teller, other.complaint_id, "complex", "需调取录音", now=at(5))
    assert other.due_on == "2026-04-01"
    marks = {c.complaint_id: c.mark for c in queue.queue(vault, supervisor, now=at(13))}  # 2026-03-14 branch
    assert marks == {simple.complaint_id: "due_soon", complex_.complaint_id: "on_time",
                     other.complaint_id: "on_time"}
    listed = queue.queue(vault, teller, now=at(16.5))                                    # 2026-03-18 branch
    assert next(c.complaint_id for c in listed) == simple.complaint_id  # earliest due first
    assert listed[0].mark == "overdue" and listed[0].days_left == -1
    assert all(c.words is None for c in listed)  # the words only in the detail


# ---- the extension --------------------------------------------------------------------------------------

def test_an_extension_needs_another_supervisors_approval_and_the_notice(vault, teller, supervisor,
                                                                          second_supervisor):
    c = handling.record(vault, teller, new(complexity="complex"), now=RECEIVED)
    with pytest.raises(ComplaintError) as over:
        handling.request_extension(vault, teller, c.complaint_id, 61, "涉及多方", now=at(20))
    assert over.value.code == "extension_over_limit"
    with pytest.raises(ComplaintError) as short:
        handling.request_extension(vault, teller, c.complaint_id, 30, "涉及多方", now=at(20))
    assert short.value.code == "extension_too_short"
    with pytest.raises(ComplaintError) as no_reason:
        handling.request_extension(vault, teller, c.complaint_id, 60, " ", now=at(20))
    assert no_reason.value.code == "reason_required"
    with pytest.raises(PermissionDenied):
        handling.decide_extension(vault, teller, c.complaint_id, True)
    with pytest.raises(ComplaintError) as nothing:
        handling.decide_extension(vault, supervisor, c.complaint_id, True)
    assert nothing.value.code == "no_extension_request"

    c = handling.request_extension(vault, teller, c.complaint_id, 60, "需要产品发行方核实", now=at(20))
    assert c.extension_state == "requested" and c.due_on == "2026-04-01"
    with pytest.raises(ComplaintError) as twice:
        handling.request_extension(vault, teller, c.complaint_id, 45, "再次申请", now=at(20))
    assert twice.value.code == "extension_exists"
    with pytest.raises(ComplaintError) as early:
        handling.record_notice(vault, teller, c.complaint_id, "phone", now=at(20))
    assert early.value.code == "extension_not_approved"
    assert queue.get(vault, supervisor, c.complaint_id).can_approve
    c = handling.decide_extension(vault, supervisor, c.complaint_id, True, now=at(21))
    # Approved, but the customer has not been told: the deadline is still 30 days.
    assert (c.extension_state, c.due_on, c.complexity) == ("approved", "2026-04-01", "complex")
    with pytest.raises(ComplaintError) as not_owner:
        handling.record_notice(vault, supervisor, c.complaint_id, "phone", now=at(21))
    assert not_owner.value.code == "complaint_not_yours"
    c = handling.record_notice(vault, teller, c.complaint_id, "phone", "已电话告知新期限", now=at(22))
    assert (c.extension_state, c.due_on, c.complexity) == ("notified", "2026-05-01", "especially_complex")
    assert [e.kind for e in c.events] == ["received", "extension_requested", "extension_approved", "notice_recorded"]
    actions = [a for a, _d in audit_rows(vault, c.complaint_id)]
    assert actions == ["complaint.recorded", "complaint.extension_requested", "complaint.extension_approved",
                       "complaint.notice_recorded"]


def test_the_owner_and_the_one_who_asked_cannot_approve(vault, teller, supervisor, second_supervisor):
    c = handling.record(vault, supervisor, new(), now=RECEIVED)
    c = handling.request_extension(vault, supervisor, c.complaint_id, 45, "需协调总行", now=at(3))
    assert not queue.get(vault, supervisor, c.complaint_id).can_approve
    with pytest.raises(ComplaintError) as own:
        handling.decide_extension(vault, supervisor, c.complaint_id, True, now=at(3))
    assert own.value.code == "maker_checker"
    with pytest.raises(ComplaintError) as bare:
        handling.decide_extension(vault, second_supervisor, c.complaint_id, False, "", now=at(3))
    assert bare.value.code == "reason_required"
    c = handling.decide_extension(vault, second_supervisor, c.complaint_id, False, "理由不充分", now=at(4))
    assert c.extension_state == "refused" and c.due_on == "2026-03-17"
    # Handed over after the refusal, the new owner may ask again; the one who approves is not them.
    c = handling.hand_over(vault, supervisor, c.complaint_id, teller.user_id, "柜员熟悉该客户", now=at(5))
    c = handling.request_extension(vault, teller, c.complaint_id, 45, "补充材料", now=at(6))
    c = handling.decide_extension(vault, supervisor, c.complaint_id, True, now=at(6))
    assert c.extension_state == "approved"
    decided = [d for a, d in audit_rows(vault, c.complaint_id) if a.startswith("complaint.extension_")]
    assert decided[-1] == {"days": 45, "decision": "approved"}


# ---- handover, resolution, response, reopen ------------------------------------------------------------

def test_the_receiver_owns_it_until_handed_over_with_a_reason(vault, teller, supervisor):
    c = handling.record(vault, teller, new(), now=RECEIVED)
    with pytest.raises(ComplaintError) as reason:
        handling.hand_over(vault, teller, c.complaint_id, supervisor.user_id, "", now=at(1))
    assert reason.value.code == "reason_required"
    auditor = user(vault, "auditor")
    with pytest.raises(ComplaintError) as target:
        handling.hand_over(vault, teller, c.complaint_id, auditor.user_id, "转审计", now=at(1))
    assert target.value.code == "handover_target"
    assert {h.user_id for h in queue.handlers(vault, teller)} == {supervisor.user_id}
    c = handling.hand_over(vault, teller, c.complaint_id, supervisor.user_id, "涉及主管审批的销售", now=at(1))
    assert c.owner_id == supervisor.user_id and not c.can_handle  # the teller's view after the handover
    with pytest.raises(ComplaintError) as gone:
        handling.resolve(vault, teller, c.complaint_id, "upheld", "退还手续费", now=at(2))
    assert gone.value.code == "complaint_not_yours"
    # The receiver still sees it in their queue (they received it), but cannot handle it.
    mine = [x for x in queue.queue(vault, teller, now=at(2)) if x.complaint_id == c.complaint_id]
    assert mine and not mine[0].can_handle
    assert ("complaint.handed_over", {"owner": supervisor.user_id, "by": teller.user_id}) in audit_rows(
        vault, c.complaint_id)
    # A supervisor may take over a complaint whose owner is absent; a teller may not take another's.
    other = handling.record(vault, teller, new(), now=RECEIVED)
    taken = handling.hand_over(vault, supervisor, other.complaint_id, supervisor.user_id, "柜员休假", now=at(1))
    assert taken.owner_id == supervisor.user_id
    with pytest.raises(ComplaintError) as not_theirs:
        handling.hand_over(vault, teller, other.complaint_id, teller.user_id, "收回", now=at(2))
    assert not_theirs.value.code == "complaint_not_yours"


def test_resolution_response_and_reopen_with_a_review_period(vault, teller, supervisor):
    c = handling.record(vault, teller, new(), now=RECEIVED)
    with pytest.raises(ComplaintError) as empty:
        handling.resolve(vault, teller, c.complaint_id, "upheld", " ", now=at(3))
    assert empty.value.code == "decision_required"
    with pytest.raises(ComplaintError) as unknown:
        handling.resolve(vault, teller, c.complaint_id, "maybe", "x", now=at(3))
    assert unknown.value.code == "outcome_unknown"
    with pytest.raises(ComplaintError) as not_yet:
        handling.reopen(vault, teller, c.complaint_id, "review_request", "客户不满意", now=at(3))
    assert not_yet.value.code == "complaint_state"
    c = handling.resolve(vault, teller, c.complaint_id, "partly_upheld", "退还部分手续费，风险揭示符合规定。",
                         now=at(20))  # 2026-03-22: after the 17th
    assert (c.status, c.mark, c.outcome, c.customer_response) == ("resolved", "done", "partly_upheld", None)
    c = handling.record_response(vault, teller, c.complaint_id, "disagreed", "客户要求全额退还", now=at(21))
    assert c.customer_response == "disagreed"
    with pytest.raises(ComplaintError) as why:
        handling.reopen(vault, supervisor, c.complaint_id, "review_request", "", now=at(22))
    assert why.value.code == "reason_required"
    c = handling.reopen(vault, supervisor, c.complaint_id, "review_request", "客户申请核查", now=at(22))
    # 2026-03-24 (branch) + 30 days; the supervisor who re-opened it owns it; no extension of a review.
    assert (c.status, c.owner_id, c.due_on, c.reopen_count) == ("open", supervisor.user_id, "2026-04-23", 1)
    assert c.outcome is None and c.customer_response is None
    with pytest.raises(ComplaintError) as fixed:
        handling.request_extension(vault, supervisor, c.complaint_id, 60, "复杂", now=at(23))
    assert fixed.value.code == "review_period_fixed"
    c = handling.resolve(vault, supervisor, c.complaint_id, "upheld", "全额退还手续费。", "accepted", now=at(30))
    assert [e.kind for e in c.events] == ["received", "resolved", "response_recorded", "reopened", "resolved",
                                          "response_recorded"]
    details = dict((a, d) for a, d in audit_rows(vault, c.complaint_id))
    assert details["complaint.reopened"] == {"reason_code": "review_request", "due_on": "2026-04-23", "count": 1}
    assert details["complaint.resolved"] == {"outcome": "upheld", "response": "accepted", "result": "in_time"}
    late = next(d for a, d in audit_rows(vault, c.complaint_id) if a == "complaint.resolved")
    assert late["result"] == "late"


def test_a_customer_and_a_sale_link_the_complaint_to_its_evidence(vault, teller, supervisor):
    counter_session = at_recommendation(vault, option=3, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)
    # Below the due-diligence threshold (CNY 50,000): no copy of the document needed for this sale.
    proposal = counter_session.submit(Propose("20000", {"investable_assets": "5000000"})).value
    code = next(c for c, d in proposal.decisions.items() if d.outcome == "recommended")
    choose(counter_session, code, amount="20000")
    customer_signs(counter_session)
    state = counter_session.submit(IssueConfirmation()).value
    assert state.status == "completed"
    customer_id = counter_session.state.customer_id
    c = handling.record(vault, teller, new(confirmation_number=state.document_number), now=RECEIVED)
    assert (c.customer_id, c.signoff_id, c.confirmation_number) == (customer_id, state.signoff_id,
                                                                    state.document_number)
    assert c.customer_masked.endswith("*") and "*" in c.customer_masked
    with pytest.raises(ComplaintError) as missing:
        handling.record(vault, teller, new(confirmation_number="DEMO-NOPE"), now=RECEIVED)
    assert missing.value.code == "sale_not_found"
    other = CounterSession(vault, teller)  # another customer, identified at the counter
    identify(other, YOUNG, kyc("1990-01-01"))
    with pytest.raises(ComplaintError) as someone_else:
        handling.record(vault, teller, new(customer_id=other.state.customer_id,
                                           confirmation_number=state.document_number), now=RECEIVED)
    assert someone_else.value.code == "sale_of_other_customer"
    anonymous = handling.record(vault, teller, new(channel="online"), now=RECEIVED)
    assert anonymous.customer_id is None and anonymous.customer_masked == ""


# ---- refusals, audit, outbox, ledger ----------------------------------------------------------------------

def test_refusals_by_role_and_input(vault, teller):
    auditor = user(vault, "auditor")
    with pytest.raises(PermissionDenied):
        handling.record(vault, auditor, new())
    with pytest.raises(PermissionDenied):
        handling.record(vault, user(vault, "admin"), new())
    for changes, code in (({"channel": "fax"}, "channel_unknown"), ({"category": "x"}, "category_unknown"),
                          ({"complexity": "especially_complex"}, "complexity_unknown"),
                          ({"words": "  "}, "words_required"), ({"words": "字" * 4001}, "text_too_long")):
        with pytest.raises(ComplaintError) as refused:
            handling.record(vault, teller, new(**changes))
        assert refused.value.code == code
    c = handling.record(vault, teller, new(), now=RECEIVED)
    assert [x.complaint_id for x in queue.queue(vault, auditor, now=RECEIVED)] == [c.complaint_id]
    with pytest.raises(PermissionDenied):
        handling.resolve(vault, auditor, c.complaint_id, "upheld", "x")


def test_audit_carries_codes_only_and_every_step_is_synced_and_ledgered(vault, teller, supervisor,
                                                                         second_supervisor):
    c = handling.record(vault, teller, new(complexity="complex"), now=RECEIVED)
    handling.request_extension(vault, teller, c.complaint_id, 60, "需要总行核实", now=at(10))
    handling.decide_extension(vault, supervisor, c.complaint_id, True, now=at(11))
    handling.record_notice(vault, teller, c.complaint_id, "letter", now=at(12))
    handling.resolve(vault, teller, c.complaint_id, "not_upheld", "销售过程符合规定。", now=at(40))

    def raw(db):
        audit_text = " ".join(a.details for a in db.scalars(select(AuditEntry)))
        out = " ".join(o.meta for o in db.scalars(select(Outbox)))
        return audit_text, out
    audit_text, out_meta = vault.transact(raw)
    for secret in ("风险未讲清楚", "13912345678", "需要总行核实", "销售过程符合规定"):
        assert secret not in audit_text and secret not in out_meta
    rows = outbox_rows(vault, c.complaint_id)
    assert [t for t, _m in rows].count("complaint.event") == 5
    statuses = [m for t, m in rows if t == "complaint"]
    assert statuses[0] == {"complaint_id": c.complaint_id, "status": "open", "due_on": "2026-04-01"}
    assert {"complaint_id": c.complaint_id, "status": "open", "due_on": "2026-05-01"} in statuses
    assert statuses[-1]["status"] == "resolved" and len(statuses) == 5
    # The history is append-only in the database itself, and the ledger covers both tables.
    with pytest.raises(Exception, match="append-only"):
        vault.transact(lambda db: db.execute(text("UPDATE complaint_events SET note = 'x'")))
    assert vault.transact(ledger.verify).result.ok
    assert vault.transact(triggers.verify).result.ok
