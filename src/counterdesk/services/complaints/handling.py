"""Every step of a complaint, each checking the role, audited (ids and codes only) and synced (the
outbox picks up the rows).

首问负责制: whoever records a complaint owns it until it is resolved or handed over, with a reason,
to another employee who may handle complaints; only the owner changes it. A supervisor may hand over
a complaint they do not own (the owner is absent). An extension beyond 30 days is asked for by the
owner and approved by a supervisor who is neither the one who asked nor the owner (maker ≠ checker);
it takes effect once the owner records that the customer was told (both are the regulation's
conditions). A resolved complaint may be re-opened with a reason: the one who re-opens it owns it and
it gets the review period from that day (see ``deadlines``).
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import Role, can, require
from counterdesk.base.settings import COMPLAINT_COMPLEX_DAYS, COMPLAINT_MAX_DAYS, COMPLAINT_REVIEW_DAYS
from counterdesk.services.auth.vault import Vault
from counterdesk.services.complaints import deadlines
from counterdesk.services.complaints.codes import (
    ACCEPTED,
    APPROVED,
    CATEGORIES,
    CHANNELS,
    COMPLEX,
    DISAGREED,
    ESPECIALLY_COMPLEX,
    NOTICE_METHODS,
    NOTIFIED,
    OPEN,
    OUTCOMES,
    REFUSED,
    REOPEN_REASONS,
    REQUESTED,
    RESOLVED,
    RESPONSES,
    SIMPLE,
)
from counterdesk.services.complaints.common import (
    WORDS_MAX,
    add_event,
    check_status,
    clean_note,
    day,
    iso,
    load,
    load_owned,
    names,
    now_utc,
    refuse,
    require_here,
)
from counterdesk.services.complaints.records import ComplaintInfo, info
from counterdesk.services.customers.common import load_customer
from counterdesk.store import audit
from counterdesk.store.models.complaints import Complaint
from counterdesk.store.models.core import User
from counterdesk.store.models.customers import CounterSessionRecord
from counterdesk.store.models.signoff import Signoff


@dataclass(frozen=True)
class NewComplaint:
    channel: str
    category: str
    words: str                            # the customer's words (stored encrypted, never logged)
    complexity: str = SIMPLE              # simple or complex at receipt; especially complex only by extension
    customer_id: str | None = None        # None: anonymous (unless the sale names the customer)
    confirmation_number: str | None = None  # the sale's confirmation number, linking its evidence chain
    session_id: str | None = None         # a counter session without a sale


def _choice(value: str, allowed, code: str, zh: str, en: str) -> str:
    if value not in allowed:
        raise refuse(code, zh, en, str(value))
    return value


def _result(db: Session, row: Complaint, us: SignedInUser, vault: Vault, moment: datetime) -> ComplaintInfo:
    db.flush()
    return info(db, row, us, deadlines.start_day(moment), vault.settings(), names(db), detail=True)


def _reference(db: Session, moment: datetime) -> str:
    """TS + the branch day of receipt + 4 random hex digits (unique; what the customer quotes)."""
    stamp = deadlines.start_day(moment).strftime("%Y%m%d")
    while True:
        ref = f"TS{stamp}-{secrets.token_hex(2).upper()}"
        if db.scalar(select(Complaint.id).where(Complaint.reference == ref)) is None:
            return ref


def _link(db: Session, new: NewComplaint) -> tuple[str | None, str | None, str | None]:
    """(customer, session, sign-off) the complaint concerns; the sale's customer must be the complainant."""
    customer_id, session_id, signoff_id = new.customer_id, new.session_id, None
    number = (new.confirmation_number or "").strip()
    if number:
        signoff = db.scalars(select(Signoff).where(Signoff.document_number == number)).first()
        if signoff is None:
            raise refuse("sale_not_found", "找不到该确认书编号的销售。", "No sale has this confirmation number.")
        signoff_id, session_id = signoff.id, signoff.session_id
        if customer_id is None:
            customer_id = signoff.customer_id
        elif customer_id != signoff.customer_id:
            raise refuse("sale_of_other_customer", "该确认书属于另一位客户。",
                         "This confirmation belongs to another customer.")
    elif session_id:
        session = db.get(CounterSessionRecord, session_id)
        if session is None:
            raise refuse("session_not_found", "找不到该柜面服务会话。", "No such counter session.")
        if customer_id is None:
            customer_id = session.customer_id
        elif session.customer_id not in (None, customer_id):
            raise refuse("sale_of_other_customer", "该服务会话属于另一位客户。",
                         "This counter session belongs to another customer.")
    if customer_id is not None:
        load_customer(db, customer_id)
    return customer_id, session_id, signoff_id


def record(vault: Vault, us: SignedInUser, new: NewComplaint, now: datetime | None = None) -> ComplaintInfo:
    """Record a complaint as received now; the receiver owns it."""
    require(us.role, "complaint.record")
    _choice(new.channel, CHANNELS, "channel_unknown", "请选择投诉渠道。", "Choose the channel.")
    _choice(new.category, CATEGORIES, "category_unknown", "请选择投诉类别。", "Choose the category.")
    _choice(new.complexity, (SIMPLE, COMPLEX), "complexity_unknown",
            "受理时请选择“简单”或“复杂”；特别复杂须经审批延期。",
            "At receipt choose simple or complex; especially complex needs an approved extension.")
    words = clean_note(new.words, "words_required", "请记录投诉人的诉求和陈述。", "Record what the customer says.",
                       WORDS_MAX)
    moment = now_utc(now)
    values = vault.settings()

    def write(db: Session) -> ComplaintInfo:
        customer_id, session_id, signoff_id = _link(db, new)
        start = deadlines.start_day(moment)
        due = deadlines.due_date(start, deadlines.period_days(new.complexity, values))
        row = Complaint(id=str(uuid.uuid4()), reference=_reference(db, moment), received_at=iso(moment),
                        received_by=us.user_id, channel=new.channel, category=new.category, customer_id=customer_id,
                        session_id=session_id, signoff_id=signoff_id, words=words, complexity=new.complexity,
                        owner_id=us.user_id, status=OPEN, due_on=due.isoformat(), period_start=start.isoformat(),
                        reopen_count=0, created_at=iso(moment), updated_at=iso(moment))
        db.add(row)
        db.flush()
        add_event(db, row, us, "received", moment, due_on=row.due_on, code=new.channel)
        audit.append(db, us.actor, "complaint.recorded", "complaint", row.id, {
            "channel": new.channel, "category": new.category, "complexity": new.complexity, "due_on": row.due_on,
            "customer_id": customer_id, "session_id": session_id, "signoff_id": signoff_id})
        return _result(db, row, us, vault, moment)
    return vault.transact(write)


def reclassify(vault: Vault, us: SignedInUser, complaint_id: str, complexity: str, reason: str,
               now: datetime | None = None) -> ComplaintInfo:
    """Simple ↔ complex while open and not extended; the deadline is counted again from receipt."""
    require(us.role, "complaint.handle")
    _choice(complexity, (SIMPLE, COMPLEX), "complexity_unknown", "只能在“简单”和“复杂”之间调整；特别复杂须经审批延期。",
            "Only simple or complex; especially complex needs an approved extension.")
    note = clean_note(reason, "reason_required", "请填写调整原因。", "Give the reason for the change.")
    moment = now_utc(now)
    values = vault.settings()

    def write(db: Session) -> ComplaintInfo:
        row = load_owned(db, us, complaint_id, OPEN)
        if row.complexity == ESPECIALLY_COMPLEX or row.extension_state in (REQUESTED, APPROVED):
            raise refuse("extension_in_progress", "已申请或批准延期，不能再调整复杂程度。",
                         "An extension has been asked for or approved: the complexity stays.")
        if row.reopen_count:
            raise refuse("review_period_fixed", "重新处理的投诉期限固定，不能调整。",
                         "A re-opened complaint keeps its review period.")
        if row.complexity == complexity:
            raise refuse("complexity_same", "复杂程度未变。", "The complexity is already that.")
        row.complexity = complexity
        row.due_on = deadlines.due_date(day(row.period_start), deadlines.period_days(complexity, values)).isoformat()
        row.updated_at = iso(moment)
        add_event(db, row, us, "reclassified", moment, due_on=row.due_on, code=complexity, note=note)
        audit.append(db, us.actor, "complaint.reclassified", "complaint", row.id,
                     {"complexity": complexity, "due_on": row.due_on})
        return _result(db, row, us, vault, moment)
    return vault.transact(write)


def hand_over(vault: Vault, us: SignedInUser, complaint_id: str, to_user_id: str, reason: str,
              now: datetime | None = None) -> ComplaintInfo:
    """Give the complaint to another employee with a reason; from then on they own it."""
    require(us.role, "complaint.handle")
    note = clean_note(reason, "reason_required", "请填写移交原因。", "Give the reason for the handover.")
    moment = now_utc(now)

    def write(db: Session) -> ComplaintInfo:
        row = load(db, complaint_id)
        require_here(db, row)
        if row.owner_id != us.user_id and not can(us.role, "complaint.queue"):
            raise refuse("complaint_not_yours", "只有该投诉的负责人或主管可以移交。",
                         "Only the owner or a supervisor may hand this complaint over.", complaint_id)
        check_status(row, OPEN)
        target = db.get(User, to_user_id) if isinstance(to_user_id, str) else None
        if target is None or not target.active or not can(Role(target.role), "complaint.handle"):
            raise refuse("handover_target", "只能移交给可以处理投诉的在职员工。",
                         "Hand over only to an active employee who handles complaints.")
        if target.id == row.owner_id:
            raise refuse("handover_same", "该员工已是负责人。", "That employee already owns it.")
        previous = row.owner_id
        row.owner_id, row.updated_at = target.id, iso(moment)
        add_event(db, row, us, "handed_over", moment, to_user=target.id, note=note)
        audit.append(db, us.actor, "complaint.handed_over", "complaint", row.id,
                     {"owner": target.id, "by": previous})
        return _result(db, row, us, vault, moment)
    return vault.transact(write)


def request_extension(vault: Vault, us: SignedInUser, complaint_id: str, total_days: int, reason: str,
                      now: datetime | None = None) -> ComplaintInfo:
    """Ask a supervisor to extend the deadline to ``total_days`` from receipt (more than 30, at most 60)."""
    require(us.role, "complaint.handle")
    note = clean_note(reason, "reason_required", "请填写延期理由。", "Give the reason for the extension.")
    moment = now_utc(now)
    values = vault.settings()
    longest, complex_days = int(values[COMPLAINT_MAX_DAYS]), int(values[COMPLAINT_COMPLEX_DAYS])
    if not isinstance(total_days, int) or isinstance(total_days, bool):
        raise refuse("extension_days", "请填写延期后的总天数。", "Give the total number of days.")
    if total_days > longest:
        raise refuse("extension_over_limit", f"处理期限最长 {longest} 日。",
                     f"The deadline is at most {longest} days from receipt.", str(total_days))
    if total_days <= complex_days:
        raise refuse("extension_too_short", f"延期须超过 {complex_days} 日；复杂投诉请直接调整复杂程度。",
                     f"An extension goes beyond {complex_days} days; for a complex complaint change the complexity.")

    def write(db: Session) -> ComplaintInfo:
        row = load_owned(db, us, complaint_id, OPEN)
        if row.reopen_count:
            raise refuse("review_period_fixed", "重新处理的投诉期限固定，不能延期。",
                         "A re-opened complaint keeps its review period: it cannot be extended.")
        if row.extension_state in (REQUESTED, APPROVED, NOTIFIED):
            raise refuse("extension_exists", "该投诉已申请或已获延期。",
                         "An extension has already been asked for or granted.")
        row.extension_state, row.extension_days = REQUESTED, total_days
        row.extension_requested_by, row.updated_at = us.user_id, iso(moment)
        add_event(db, row, us, "extension_requested", moment, days=total_days, note=note)
        audit.append(db, us.actor, "complaint.extension_requested", "complaint", row.id, {"days": total_days})
        return _result(db, row, us, vault, moment)
    return vault.transact(write)


def decide_extension(vault: Vault, us: SignedInUser, complaint_id: str, approve: bool, reason: str = "",
                     now: datetime | None = None) -> ComplaintInfo:
    """A supervisor approves or refuses (a refusal needs a reason). Maker ≠ checker."""
    require(us.role, "complaint.approve")
    reason = (reason or "").strip()
    note = reason or None
    if not approve:
        note = clean_note(reason, "reason_required", "不批准时请填写原因。", "Give a reason for refusing.")
    moment = now_utc(now)

    def write(db: Session) -> ComplaintInfo:
        row = load(db, complaint_id)
        check_status(row, OPEN)
        if row.extension_state != REQUESTED:
            raise refuse("no_extension_request", "该投诉没有待审批的延期申请。",
                         "No extension is waiting for a decision.")
        if us.user_id in (row.extension_requested_by, row.owner_id):
            raise refuse("maker_checker", "不能审批自己负责或申请的延期，须由另一位主管处理。",
                         "You asked for or own this complaint: another supervisor must decide.")
        row.extension_state, row.updated_at = (APPROVED if approve else REFUSED), iso(moment)
        add_event(db, row, us, "extension_approved" if approve else "extension_refused", moment,
                  days=row.extension_days, note=note)
        audit.append(db, us.actor, "complaint.extension_approved" if approve else "complaint.extension_refused",
                     "complaint", row.id, {"days": row.extension_days, "decision": row.extension_state})
        return _result(db, row, us, vault, moment)
    return vault.transact(write)


def record_notice(vault: Vault, us: SignedInUser, complaint_id: str, method: str, note: str = "",
                  now: datetime | None = None) -> ComplaintInfo:
    """The customer was told of the approved extension: the new deadline applies from now on."""
    require(us.role, "complaint.handle")
    _choice(method, NOTICE_METHODS, "notice_method", "请选择告知方式。", "Choose how the customer was told.")
    moment = now_utc(now)

    def write(db: Session) -> ComplaintInfo:
        row = load_owned(db, us, complaint_id, OPEN)
        if row.extension_state != APPROVED:
            raise refuse("extension_not_approved", "延期尚未获批准，不能告知投诉人新期限。",
                         "The extension is not approved: there is no new deadline to tell the customer.")
        assert row.extension_days is not None  # set with the request
        row.complexity, row.extension_state = ESPECIALLY_COMPLEX, NOTIFIED
        row.due_on = deadlines.due_date(day(row.period_start), row.extension_days).isoformat()
        row.updated_at = iso(moment)
        add_event(db, row, us, "notice_recorded", moment, days=row.extension_days, due_on=row.due_on, code=method,
                  note=(note or "").strip()[:2000] or None)
        audit.append(db, us.actor, "complaint.notice_recorded", "complaint", row.id,
                     {"method": method, "due_on": row.due_on})
        return _result(db, row, us, vault, moment)
    return vault.transact(write)


def resolve(vault: Vault, us: SignedInUser, complaint_id: str, outcome: str, decision: str,
            response: str | None = None, now: datetime | None = None) -> ComplaintInfo:
    """The decision with its reasons (printed in the letter); the customer's response if known already."""
    require(us.role, "complaint.handle")
    _choice(outcome, OUTCOMES, "outcome_unknown", "请选择处理结果。", "Choose the outcome.")
    if response is not None:
        _choice(response, RESPONSES, "response_unknown", "请选择投诉人的意见。", "Choose the customer's response.")
    text = clean_note(decision, "decision_required", "请填写处理意见及理由。", "Write the decision and its reasons.")
    moment = now_utc(now)

    def write(db: Session) -> ComplaintInfo:
        row = load_owned(db, us, complaint_id, OPEN)
        late = deadlines.start_day(moment) > day(row.due_on)
        row.status, row.outcome, row.decision = RESOLVED, outcome, text
        row.resolved_at, row.resolved_by, row.customer_response = iso(moment), us.user_id, response
        if row.extension_state == REQUESTED:
            row.extension_state = None  # resolved before a decision: nothing left to extend
        row.updated_at = iso(moment)
        add_event(db, row, us, "resolved", moment, code=outcome, note=text)
        if response is not None:
            add_event(db, row, us, "response_recorded", moment, code=response)
        audit.append(db, us.actor, "complaint.resolved", "complaint", row.id,
                     {"outcome": outcome, "response": response, "result": "late" if late else "in_time"})
        return _result(db, row, us, vault, moment)
    return vault.transact(write)


def record_response(vault: Vault, us: SignedInUser, complaint_id: str, response: str, note: str = "",
                    now: datetime | None = None) -> ComplaintInfo:
    """The customer accepted the decision or disagrees (after the letter); the owner records it."""
    require(us.role, "complaint.handle")
    _choice(response, RESPONSES, "response_unknown", "请选择投诉人的意见。", "Choose the customer's response.")
    moment = now_utc(now)

    def write(db: Session) -> ComplaintInfo:
        row = load_owned(db, us, complaint_id, RESOLVED)
        row.customer_response, row.updated_at = response, iso(moment)
        add_event(db, row, us, "response_recorded", moment, code=response, note=(note or "").strip()[:2000] or None)
        audit.append(db, us.actor, "complaint.response_recorded", "complaint", row.id, {"response": response})
        return _result(db, row, us, vault, moment)
    return vault.transact(write)


def reopen(vault: Vault, us: SignedInUser, complaint_id: str, reason_code: str, reason: str,
           now: datetime | None = None) -> ComplaintInfo:
    """Open a resolved complaint again; the one who re-opens it owns it, with the review period from today."""
    require(us.role, "complaint.handle")
    _choice(reason_code, REOPEN_REASONS, "reopen_reason", "请选择重新处理的原因。", "Choose why it is re-opened.")
    note = clean_note(reason, "reason_required", "请填写重新处理的说明。", "Explain why it is re-opened.")
    moment = now_utc(now)
    values = vault.settings()

    def write(db: Session) -> ComplaintInfo:
        row = load(db, complaint_id)
        require_here(db, row)
        check_status(row, RESOLVED)
        if us.user_id not in (row.owner_id, row.received_by) and not can(us.role, "complaint.queue"):
            raise refuse("complaint_not_yours", "该投诉由其他员工负责。", "Another employee owns this complaint.")
        start = deadlines.start_day(moment)
        row.status, row.owner_id = OPEN, us.user_id
        row.period_start = start.isoformat()
        row.due_on = deadlines.due_date(start, int(values[COMPLAINT_REVIEW_DAYS])).isoformat()
        row.outcome = row.decision = row.resolved_at = row.resolved_by = row.customer_response = None
        row.extension_state = row.extension_days = row.extension_requested_by = None
        if row.complexity == ESPECIALLY_COMPLEX:
            row.complexity = COMPLEX
        row.reopen_count += 1
        row.updated_at = iso(moment)
        add_event(db, row, us, "reopened", moment, due_on=row.due_on, code=reason_code, note=note)
        audit.append(db, us.actor, "complaint.reopened", "complaint", row.id,
                     {"reason_code": reason_code, "due_on": row.due_on, "count": row.reopen_count})
        return _result(db, row, us, vault, moment)
    return vault.transact(write)


__all__ = ["ACCEPTED", "DISAGREED", "NewComplaint", "decide_extension", "hand_over", "reclassify", "record",
           "record_notice", "record_response", "reopen", "request_extension", "resolve"]
