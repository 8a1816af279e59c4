"""Complaints by status and due date (tables of counterdesk.services.complaints, migration 0018).

A complaint counts for the teller who owns it now (首问负责制: the owner answers for it). Received in
the period: by status; open now, whatever the period: by deadline mark and by due day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.services.reports.common import Spread, params, seconds, spread, teller_clause
from counterdesk.services.reports.scope import Scope


@dataclass(frozen=True)
class DueCount:
    due_on: date
    open: int
    mark: str  # overdue / due_soon / on_time


@dataclass(frozen=True)
class Complaints:
    received: int
    by_status: dict[str, int]   # received in the period: open / resolved
    marks: dict[str, int]       # open now: overdue / due_soon / on_time
    by_due_day: list[DueCount]  # open now, by due day
    resolution: Spread          # received to resolved (seconds), resolved complaints received in the period


def complaints(db: Session, scope: Scope, today: date, soon_days: int) -> Complaints:
    p = params(scope, today=today.isoformat(), soon=soon_days)
    who = teller_clause("owner_id", scope)
    rows = db.execute(text("SELECT status, count(*) FROM complaints WHERE received_at >= :start "
                           f"AND received_at < :end{who} GROUP BY status"), p).all()
    # The same marks as counterdesk.services.complaints.deadlines.mark, computed in SQLite.
    due = db.execute(text(
        "SELECT due_on, count(*), CASE WHEN due_on < :today THEN 'overdue' "
        "WHEN julianday(due_on) - julianday(:today) <= :soon THEN 'due_soon' ELSE 'on_time' END "
        f"FROM complaints WHERE status = 'open'{who} GROUP BY due_on ORDER BY due_on"), p).all()
    marks: dict[str, int] = {}
    for row in due:
        marks[row[2]] = marks.get(row[2], 0) + int(row[1])
    resolution = spread(db, f"SELECT {seconds('resolved_at', 'received_at')} AS dur FROM complaints "
                            f"WHERE resolved_at IS NOT NULL AND received_at >= :start AND received_at < :end{who}", p)
    by_status = {r[0]: int(r[1]) for r in rows}
    return Complaints(sum(by_status.values()), by_status, marks,
                      [DueCount(date.fromisoformat(r[0]), int(r[1]), r[2]) for r in due],
                      resolution)
