"""Reading complaints: the queue by due date with its marks, one complaint with its history, and the
employees a complaint may be handed over to."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import Role, can, require
from counterdesk.services.auth.vault import Vault
from counterdesk.services.complaints import deadlines
from counterdesk.services.complaints.codes import OPEN
from counterdesk.services.complaints.common import load_visible, names, now_utc
from counterdesk.services.complaints.records import ComplaintInfo, info
from counterdesk.store.models.complaints import Complaint
from counterdesk.store.models.core import User


def _require_any(us: SignedInUser) -> None:
    if not (can(us.role, "complaint.handle") or can(us.role, "complaint.queue")):
        require(us.role, "complaint.queue")


def queue(vault: Vault, us: SignedInUser, include_resolved: bool = False,
          now: datetime | None = None) -> list[ComplaintInfo]:
    """Open complaints by due date, earliest first (then resolved ones, latest first, if asked).
    Supervisors and the auditor see the branch's; others the ones they own or received."""
    _require_any(us)
    today = deadlines.start_day(now_utc(now))
    values = vault.settings()

    def read(db: Session) -> list[ComplaintInfo]:
        q = select(Complaint)
        if not can(us.role, "complaint.queue"):
            q = q.where(or_(Complaint.owner_id == us.user_id, Complaint.received_by == us.user_id))
        if not include_resolved:
            q = q.where(Complaint.status == OPEN)
        rows = list(db.scalars(q))
        opened = sorted((r for r in rows if r.status == OPEN), key=lambda r: (r.due_on, r.received_at))
        done = sorted((r for r in rows if r.status != OPEN), key=lambda r: r.resolved_at or "", reverse=True)
        who = names(db)
        return [info(db, r, us, today, values, who) for r in (*opened, *done)]
    return vault.transact(read)


def get(vault: Vault, us: SignedInUser, complaint_id: str, now: datetime | None = None) -> ComplaintInfo:
    """One complaint with the customer's words and its history."""
    _require_any(us)
    today = deadlines.start_day(now_utc(now))
    values = vault.settings()

    def read(db: Session) -> ComplaintInfo:
        row = load_visible(db, us, complaint_id)
        return info(db, row, us, today, values, names(db), detail=True)
    return vault.transact(read)


@dataclass(frozen=True)
class Handler:
    user_id: str
    display_name: str
    role: str


def handlers(vault: Vault, us: SignedInUser) -> list[Handler]:
    """Active employees who may own a complaint (the handover's choices), the asking user left out."""
    require(us.role, "complaint.handle")

    def read(db: Session) -> list[Handler]:
        users = db.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name))
        return [Handler(u.id, u.display_name, u.role) for u in users
                if u.id != us.user_id and can(Role(u.role), "complaint.handle")]
    return vault.transact(read)
