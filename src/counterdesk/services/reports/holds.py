"""What held a sale for someone else: sign-off approval requests and sanctions screening hits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.services.reports.common import Spread, params, seconds, spread, teller_clause
from counterdesk.services.reports.scope import Scope

# Screenings that found a potential hit: still waiting (potential_hit), or disposed either way.
HELD = ("potential_hit", "confirmed_match", "false_positive")


@dataclass(frozen=True)
class Approvals:
    waiting: int               # pending now and not yet expired
    expired_unanswered: int    # pending past their expiry (nobody answered in time)
    by_status: dict[str, int]  # requested in the period: approved / rejected / withdrawn / expired / pending
    overrides: int             # decided at the teller's workstation
    turnaround: Spread         # request to decision, requested in the period


@dataclass(frozen=True)
class ScreeningHolds:
    held: int                  # screenings in the period with a potential hit
    waiting: int               # of those, not disposed yet
    by_status: dict[str, int]
    disposition: Spread        # screening to disposition


def pending_now(db: Session, scope: Scope, now: datetime) -> tuple[int, int]:
    """Approval requests pending now, whatever the period: (still waiting, past their expiry)."""
    waiting, expired = db.execute(text(
        "SELECT coalesce(sum(expires_at > :now), 0), coalesce(sum(expires_at <= :now), 0) "
        f"FROM approval_requests WHERE status = 'pending'{teller_clause('requested_by', scope)}"),
        params(scope, now=now.isoformat(timespec="seconds"))).one()
    return int(waiting), int(expired)


def approvals(db: Session, scope: Scope, now: datetime) -> Approvals:
    p = params(scope)
    who = teller_clause("requested_by", scope)
    waiting, expired = pending_now(db, scope, now)
    rows = db.execute(text(
        "SELECT status, count(*), sum(override) FROM approval_requests "
        f"WHERE requested_at >= :start AND requested_at < :end{who} GROUP BY status"), p).all()
    turnaround = spread(db, f"SELECT {seconds('decided_at', 'requested_at')} AS dur "
                            f"FROM approval_requests WHERE status IN ('approved', 'rejected') "
                            f"AND requested_at >= :start AND requested_at < :end{who}", p)
    return Approvals(waiting, expired, {r[0]: int(r[1]) for r in rows}, sum(int(r[2] or 0) for r in rows),
                     turnaround)


def screening_holds(db: Session, scope: Scope) -> ScreeningHolds:
    p = params(scope)
    # "+status": the period's index on created_at, not the status index (most screenings are clear,
    # but a period is a small part of the years a branch keeps).
    where = (f"+status IN {HELD!r} AND created_at >= :start AND created_at < :end"
             f"{teller_clause('created_by', scope)}")
    rows = db.execute(text(f"SELECT status, count(*), sum(disposition_at IS NULL) FROM screenings WHERE {where} "
                           "GROUP BY status"), p).all()
    disposition = spread(db, f"SELECT {seconds('disposition_at', 'created_at')} AS dur FROM screenings "
                             f"WHERE disposition_at IS NOT NULL AND {where}", p)
    return ScreeningHolds(sum(int(r[1]) for r in rows), sum(int(r[2]) for r in rows), {r[0]: int(r[1]) for r in rows},
                          disposition)
