"""What the screens and the letter get about a complaint: de-identified, with names, marks and history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import can
from counterdesk.base.settings import COMPLAINT_DUE_SOON_DAYS, SettingsValues
from counterdesk.base.text import Text
from counterdesk.services.complaints import deadlines
from counterdesk.services.complaints.codes import OPEN, REQUESTED
from counterdesk.services.complaints.common import customer_masked, day, received_here
from counterdesk.services.customers.data_rights import restriction_in
from counterdesk.store.models.complaints import Complaint, ComplaintEvent
from counterdesk.store.models.signoff import Signoff


@dataclass(frozen=True)
class EventInfo:
    seq: int
    kind: str
    at: str
    by_name: str
    to_name: str | None
    days: int | None
    due_on: str | None
    code: str | None
    note: str | None


@dataclass(frozen=True)
class ComplaintInfo:
    complaint_id: str
    reference: str
    received_at: str
    received_by_name: str
    channel: str
    category: str
    customer_id: str | None
    customer_masked: str          # "" when anonymous
    session_id: str | None
    signoff_id: str | None
    confirmation_number: str | None  # the sale's confirmation (document) number, its evidence chain's name
    complexity: str
    owner_id: str
    owner_name: str
    status: str
    due_on: str
    days_left: int
    mark: str                     # overdue / due_soon / on_time / done
    extension_state: str | None
    extension_days: int | None
    extension_requested_by_name: str | None
    outcome: str | None
    resolved_at: str | None
    customer_response: str | None
    reopen_count: int
    can_handle: bool              # the asking user owns it and it is open
    can_approve: bool             # an extension waits and the asking user may decide it (maker ≠ checker)
    words: str | None = None      # the customer's words: in the detail only
    decision: str | None = None
    events: tuple[EventInfo, ...] = ()
    restriction: Text | None = None  # the customer's restricted processing (PIPL Art 47), for every screen
    here: bool = True             # received at this workstation (False: a copy; steps are taken there)


def info(db: Session, row: Complaint, us: SignedInUser, today: date, values: SettingsValues,
         who: dict[str, str], detail: bool = False) -> ComplaintInfo:
    due = day(row.due_on)
    mark = "done" if row.status != OPEN else deadlines.mark(due, today, int(values[COMPLAINT_DUE_SOON_DAYS]))
    number = None
    if row.signoff_id:
        signoff = db.get(Signoff, row.signoff_id)
        number = signoff.document_number if signoff is not None else None
    events: tuple[EventInfo, ...] = ()
    if detail:
        rows = db.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == row.id)
                          .order_by(ComplaintEvent.seq))
        events = tuple(EventInfo(e.seq, e.kind, e.at, who.get(e.by_user, "?"),
                                 who.get(e.to_user) if e.to_user else None, e.days, e.due_on, e.code, e.note)
                       for e in rows)
    waiting = row.status == OPEN and row.extension_state == REQUESTED
    restricted = restriction_in(db, row.customer_id) if row.customer_id else None
    here = received_here(db, row)
    return ComplaintInfo(
        row.id, row.reference, row.received_at, who.get(row.received_by, "?"), row.channel, row.category,
        row.customer_id, customer_masked(db, row.customer_id), row.session_id, row.signoff_id, number,
        row.complexity, row.owner_id, who.get(row.owner_id, "?"), row.status, row.due_on,
        deadlines.days_left(due, today), mark, row.extension_state, row.extension_days,
        who.get(row.extension_requested_by) if row.extension_requested_by else None, row.outcome, row.resolved_at,
        row.customer_response, row.reopen_count, here and row.status == OPEN and row.owner_id == us.user_id,
        waiting and can(us.role, "complaint.approve") and us.user_id not in (row.extension_requested_by, row.owner_id),
        row.words if detail else None, row.decision if detail else None, events,
        restricted.message if restricted is not None else None, here)
