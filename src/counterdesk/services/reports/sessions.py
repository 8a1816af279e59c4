"""Counter sessions per branch day and per teller (the status a session ended with)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.services.reports.common import params, teller_clause
from counterdesk.services.reports.scope import Scope


@dataclass(frozen=True)
class DayCount:
    day: date
    completed: int
    stopped: int
    open: int

    @property
    def total(self) -> int:
        return self.completed + self.stopped + self.open


@dataclass(frozen=True)
class TellerCount:
    teller_id: str
    name: str
    sessions: int
    completed: int
    stopped: int


def counts(db: Session, scope: Scope) -> tuple[list[DayCount], list[TellerCount]]:
    """Per day (every day of the period, zeros included: a chart needs the gaps) and per teller (most
    first), from one pass over the period's sessions grouped by day, teller and status."""
    sql = ("SELECT date(created_at, '+8 hours') AS day, teller_id, status, count(*) FROM counter_sessions "
           f"WHERE created_at >= :start AND created_at < :end{teller_clause('teller_id', scope)} "
           "GROUP BY day, teller_id, status")
    days: dict[str, list[int]] = {}
    tellers: dict[str, list[int]] = {}
    for day, teller, status, n in db.execute(text(sql), params(scope)):
        column = {"completed": 0, "stopped": 1}.get(status, 2)
        days.setdefault(day, [0, 0, 0])[column] += n
        tellers.setdefault(teller, [0, 0, 0])[column] += n
    per_day = [DayCount(d, *days.get(d.isoformat(), (0, 0, 0))) for d in scope.period.days]
    names = {row[0]: row[1] for row in db.execute(text("SELECT id, display_name FROM users"))}
    per_teller = [TellerCount(t, names.get(t, "?"), sum(c), c[0], c[1]) for t, c in tellers.items()]
    per_teller.sort(key=lambda x: (-x.sessions, x.name))
    return per_day, per_teller
