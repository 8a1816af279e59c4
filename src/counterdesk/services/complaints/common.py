"""Shared pieces of the complaint modules: the error, time, loading, the history and the names shown."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import can
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.customers.common import current_answers
from counterdesk.services.customers.masking import mask_name
from counterdesk.store.models.complaints import Complaint, ComplaintEvent
from counterdesk.store.models.core import User
from counterdesk.store.models.sync import SyncOrigin

NOTE_MAX = 2000
WORDS_MAX = 4000


class ComplaintError(CounterDeskError):
    code = "complaint_refused"


def refuse(code: str, zh: str, en: str, detail: str | None = None) -> ComplaintError:
    return ComplaintError(Text(zh, en), code=code, detail=detail)


def now_utc(now: datetime | None = None) -> datetime:
    moment = now or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def day(value: str) -> date:
    return date.fromisoformat(value)


def load(db: Session, complaint_id: str) -> Complaint:
    row = db.get(Complaint, complaint_id) if isinstance(complaint_id, str) else None
    if row is None:
        raise refuse("complaint_not_found", "找不到该投诉。", "No such complaint.", str(complaint_id))
    return row


def may_see(us: SignedInUser, row: Complaint) -> bool:
    """The branch's queue holders see every complaint; others the ones they own or received."""
    return can(us.role, "complaint.queue") or us.user_id in (row.owner_id, row.received_by)


def load_visible(db: Session, us: SignedInUser, complaint_id: str) -> Complaint:
    row = load(db, complaint_id)
    if not may_see(us, row):
        raise refuse("complaint_not_yours", "该投诉由其他员工负责。", "Another employee owns this complaint.",
                     complaint_id)
    return row


def received_here(db: Session, row: Complaint) -> bool:
    """Received at this workstation, not a copy synced from another one of the branch."""
    return db.get(SyncOrigin, ("complaints", row.id)) is None


def require_here(db: Session, row: Complaint) -> None:
    """A complaint is handled where it was received (its copies follow that workstation's record); at
    the branch's other workstations a supervisor may only decide a requested extension."""
    if not received_here(db, row):
        raise refuse("complaint_elsewhere", "该投诉由本网点另一台工作站受理，请在受理的工作站上处理。",
                     "This complaint was received at another workstation of the branch: handle it there.",
                     row.id)


def load_owned(db: Session, us: SignedInUser, complaint_id: str, *statuses: str) -> Complaint:
    """The complaint, if the signed-in user owns it (首问负责制) and it is in one of ``statuses``."""
    row = load(db, complaint_id)
    require_here(db, row)
    if row.owner_id != us.user_id:
        raise refuse("complaint_not_yours", "只有该投诉的负责人可以执行此操作。",
                     "Only the employee who owns this complaint may do this.", complaint_id)
    check_status(row, *statuses)
    return row


def check_status(row: Complaint, *statuses: str) -> None:
    if statuses and row.status not in statuses:
        raise refuse("complaint_state", "该投诉当前状态下不能执行此操作。",
                     "Not possible while the complaint is in this state.", f"{row.id}:{row.status}")


def clean_note(value: str | None, code: str, zh: str, en: str, limit: int = NOTE_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise refuse(code, zh, en)
    if len(text) > limit:
        raise refuse("text_too_long", f"文字不得超过 {limit} 字。", f"The text is longer than {limit} characters.")
    return text


def add_event(db: Session, row: Complaint, us: SignedInUser, kind: str, at: datetime, *, to_user: str | None = None,
              days: int | None = None, due_on: str | None = None, code: str | None = None,
              note: str | None = None) -> ComplaintEvent:
    last = db.scalar(select(func.max(ComplaintEvent.seq)).where(ComplaintEvent.complaint_id == row.id)) or 0
    ev = ComplaintEvent(id=str(uuid.uuid4()), complaint_id=row.id, seq=last + 1, kind=kind, at=iso(at),
                        by_user=us.user_id, to_user=to_user, days=days, due_on=due_on, code=code, note=note)
    db.add(ev)
    return ev


def names(db: Session) -> dict[str, str]:
    return {u.id: u.display_name for u in db.scalars(select(User))}


def customer_masked(db: Session, customer_id: str | None) -> str:
    """The customer's name masked (surname + *); "" for an anonymous complaint."""
    if not customer_id:
        return ""
    _customer, kyc = current_answers(db, customer_id)
    return mask_name(kyc.get("name_zh") or kyc.get("name_latin") or "")
