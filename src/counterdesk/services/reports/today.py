"""The teller's home: today's sessions and what waits for the teller (returned sign-offs, sign-offs
waiting for a supervisor, follow-up calls due, complaints they own). Read in a worker by the home page;
no names or numbers of customers, only what the teller needs to pick the work up."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.branchtime import branch_day
from counterdesk.base.roles import require
from counterdesk.base.settings import COMPLAINT_DUE_SOON_DAYS, SIGNOFF_FOLLOWUP_DAYS
from counterdesk.services.auth.vault import Vault
from counterdesk.services.reports.scope import Period
from counterdesk.services.signoff.common import PENDING, REJECTED
from counterdesk.services.signoff.cooling import sync_follow_ups


@dataclass(frozen=True)
class SessionLine:
    session_id: str
    opened_at: str
    status: str
    step: str | None


@dataclass(frozen=True)
class Today:
    sessions: list[SessionLine]  # today's, latest first
    completed: int
    stopped: int
    returned_signoffs: int       # a supervisor rejected the approval: back to the teller
    awaiting_approval: int       # waiting for a supervisor's decision
    follow_ups_due: int          # open follow-up calls due by the end of today
    follow_ups_overdue: int      # of those, already past due
    complaints_open: int         # open complaints the teller owns
    complaints_due_soon: int     # of those, overdue or due soon

    @property
    def waiting(self) -> int:
        return self.returned_signoffs + self.follow_ups_due + self.complaints_open


def today(vault: Vault, us: SignedInUser, now: datetime | None = None) -> Today:
    require(us.role, "report.own")
    moment = now or datetime.now(UTC)
    day = branch_day(moment)
    period = Period(day, day)
    start, end = period.bounds()
    values = vault.settings()
    due_days, soon = int(values[SIGNOFF_FOLLOWUP_DAYS]), int(values[COMPLAINT_DUE_SOON_DAYS])
    p = {"me": us.user_id, "start": start, "end": end, "now": moment.isoformat(timespec="seconds"),
         "today": day.isoformat(), "soon": soon}

    def read(db: Session) -> Today:
        # The follow-up list is kept up to date the way the after-sale page does it (tasks appear
        # once a cooling-off period ends), so the count here is the list the teller will open.
        sync_follow_ups(db, moment, due_days)
        rows = db.execute(text(
            "SELECT id, created_at, status, step FROM counter_sessions WHERE teller_id = :me "
            "AND created_at >= :start AND created_at < :end ORDER BY created_at DESC"), p).all()
        lines = [SessionLine(r[0], r[1], r[2], r[3]) for r in rows]
        returned, awaiting = db.execute(text(
            "SELECT coalesce(sum(status = :rejected), 0), coalesce(sum(status = :pending), 0) FROM signoffs "
            "WHERE teller_id = :me AND status IN (:rejected, :pending)"),
            {**p, "rejected": REJECTED, "pending": PENDING}).one()
        due, overdue = db.execute(text(
            "SELECT count(*), coalesce(sum(due_at < :now), 0) FROM follow_up_tasks WHERE seller_id = :me "
            "AND status = 'open' AND due_at < :end"), p).one()
        open_, soon_ = db.execute(text(
            "SELECT count(*), coalesce(sum(julianday(due_on) - julianday(:today) <= :soon), 0) FROM complaints "
            "WHERE owner_id = :me AND status = 'open'"), p).one()
        return Today(lines, sum(x.status == "completed" for x in lines), sum(x.status == "stopped" for x in lines),
                     int(returned), int(awaiting), int(due), int(overdue), int(open_), int(soon_))
    return vault.transact(read)
