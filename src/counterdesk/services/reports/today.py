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
from counterdesk.base.follow_up_codes import OVERDUE
from counterdesk.base.roles import require
from counterdesk.base.settings import COMPLAINT_DUE_SOON_DAYS
from counterdesk.services.auth.vault import Vault
from counterdesk.services.followups.queue import due_by, items_in
from counterdesk.services.reports.scope import Period
from counterdesk.services.signoff.common import PENDING, REJECTED

# The teller's returned and awaiting sign-offs: read from the index on (status, teller_id) alone
# (store.models.home_indexes, migration 0027), not a scan of every sign-off.
SIGNOFFS_WAITING = text(
    "SELECT coalesce(sum(status = :rejected), 0), coalesce(sum(status = :pending), 0) FROM signoffs "
    "WHERE teller_id = :me AND status IN (:rejected, :pending)")


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
    follow_ups_due: int          # open follow-ups of the teller's book due by the end of today
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
    soon, branch = int(values[COMPLAINT_DUE_SOON_DAYS]), vault.info.branch_code
    p = {"me": us.user_id, "start": start, "end": end, "now": moment.isoformat(timespec="seconds"),
         "today": day.isoformat(), "soon": soon}

    def read(db: Session) -> Today:
        rows = db.execute(text(
            "SELECT id, created_at, status, step FROM counter_sessions WHERE teller_id = :me "
            "AND created_at >= :start AND created_at < :end ORDER BY created_at DESC"), p).all()
        lines = [SessionLine(r[0], r[1], r[2], r[3]) for r in rows]
        returned, awaiting = db.execute(SIGNOFFS_WAITING, {**p, "rejected": REJECTED, "pending": PENDING}).one()
        # The same list the follow-up page shows (counterdesk.services.followups): the teller's book,
        # what is still open and due by the end of today.
        book = due_by(items_in(db, values, branch, moment, us.user_id, teller_id=us.user_id,
                                     with_names=False), day)
        due, overdue = len(book), sum(i.state == OVERDUE for i in book)
        open_, soon_ = db.execute(text(
            "SELECT count(*), coalesce(sum(julianday(due_on) - julianday(:today) <= :soon), 0) FROM complaints "
            "WHERE owner_id = :me AND status = 'open'"), p).one()
        return Today(lines, sum(x.status == "completed" for x in lines), sum(x.status == "stopped" for x in lines),
                     int(returned), int(awaiting), int(due), int(overdue), int(open_), int(soon_))
    return vault.transact(read)
