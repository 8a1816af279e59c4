"""A period's figures summed from daily cells: the stored aggregates of closed days, and the days the
store has no valid aggregate for (today, and any day invalidated since) computed from the source
rows in the same read. Whatever the mix, the sums are those of the source rows at this moment.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.services.reports import daily
from counterdesk.services.reports.daily import COUNT_FIELDS, Cell, Days
from counterdesk.services.reports.scope import Scope
from counterdesk.services.reports.scores import DayScores
from counterdesk.store.models.report_daily import BRANCH_SCOPE

SESSIONS = ("sessions_completed", "sessions_stopped", "sessions_open")
RATINGS = ("eval_1", "eval_2", "eval_3", "eval_4", "eval_5", "eval_skipped", "nps_promoters", "nps_passives",
           "nps_detractors")


@dataclass
class Rollup:
    days: dict[str, list[int]] = field(default_factory=dict)     # day -> [completed, stopped, open]
    tellers: dict[str, list[int]] = field(default_factory=dict)  # teller -> [completed, stopped, open]
    total: Cell = field(default_factory=Cell)                    # every count of the period
    scores: dict[str, list[int]] = field(default_factory=dict)   # day -> stars 1-5, skipped, nps p/p/d
    runs: dict[str, list[Sequence[int]]] = field(default_factory=dict)  # step -> sorted runs (ms)
    stored_days: int = 0                                         # days read from the aggregates
    live_days: int = 0                                           # days computed from the source rows

    def add_sessions(self, day: str, teller: str, sessions: Sequence[int]) -> None:
        _add_row(self.days, day, sessions)
        _add_row(self.tellers, teller, sessions)

    def add_counts(self, cell: Cell) -> None:
        for name in COUNT_FIELDS:
            setattr(self.total, name, getattr(self.total, name) + getattr(cell, name))
        self.total.approvals.update(cell.approvals)
        self.total.screenings.update(cell.screenings)

    def add_scores(self, day: str, ratings: Sequence[int]) -> None:
        if any(ratings):
            row = self.scores.setdefault(day, [0] * len(RATINGS))
            for i, n in enumerate(ratings):
                row[i] += int(n)

    def add(self, day: str, teller: str, cell: Cell) -> None:
        self.add_sessions(day, teller, (cell.sessions_completed, cell.sessions_stopped, cell.sessions_open))
        self.add_counts(cell)
        self.add_scores(day, [getattr(cell, k) for k in RATINGS])

    def add_days(self, days: Days, scope_key: str) -> None:
        for (day, teller), cell in days.cells.items():
            self.add(day, teller, cell)
        for (_day, who, step), values in days.durations.items():
            if who == scope_key:
                self.runs.setdefault(step, []).append(values)

    def day_scores(self, before: date | None = None) -> list[DayScores]:
        out = []
        for day, r in sorted(self.scores.items()):
            d = date.fromisoformat(day)
            if before is None or d < before:
                out.append(DayScores(d, (r[0], r[1], r[2], r[3], r[4]), r[5], r[6], r[7], r[8]))
        return out


def _sums(columns: Sequence[str]) -> str:
    return ", ".join(f"sum(r.{c})" for c in columns)


def _add_row(table: dict[str, list[int]], key: str, sessions: Sequence[int]) -> None:
    if any(sessions):
        row = table.setdefault(key, [0, 0, 0])
        for i, n in enumerate(sessions):
            row[i] += int(n)


def _read_stored(db: Session, out: Rollup, p: dict, teller: str | None) -> None:
    """Add the stored days of [first, last] (only those still valid), summed by SQLite per day, per
    teller and in all; the durations as the stored runs."""
    joined = "report_daily r JOIN report_days d ON d.day = r.day"
    where = "WHERE r.day BETWEEN :first AND :last" + (" AND r.teller_id = :teller" if teller is not None else "")
    for day, *n in db.execute(text(f"SELECT r.day, {_sums(SESSIONS)} FROM {joined} {where} GROUP BY r.day"), p):
        _add_row(out.days, day, n)
    for who, *n in db.execute(text(f"SELECT r.teller_id, {_sums(SESSIONS)} FROM {joined} {where} "
                                   "GROUP BY r.teller_id"), p):
        _add_row(out.tellers, who, n)
    total = db.execute(text(f"SELECT {_sums(COUNT_FIELDS)} FROM {joined} {where}"), p).one()
    cell = Cell()
    for name, value in zip(COUNT_FIELDS, total):
        setattr(cell, name, int(value or 0))
    for column, counter in (("approvals", cell.approvals), ("screenings", cell.screenings)):
        for status, n in db.execute(text(f"SELECT j.key, sum(j.value) FROM {joined}, json_each(r.{column}) j "
                                         f"{where} GROUP BY j.key"), p):
            counter[status] += int(n)
    out.add_counts(cell)
    for day, *n in db.execute(text(f"SELECT r.day, {_sums(RATINGS)} FROM {joined} {where} GROUP BY r.day"), p):
        out.add_scores(day, n)
    for step, blob in db.execute(text(
            "SELECT r.step, r.samples FROM report_durations r JOIN report_days d ON d.day = r.day "
            "WHERE r.day BETWEEN :first AND :last AND r.scope = :scope"), p):
        out.runs.setdefault(step, []).append(daily.unpack(blob))


def read(db: Session, scope: Scope, today: date) -> Rollup:
    """The scope's period: stored cells for the aggregated closed days, live cells for the others."""
    first, last = scope.period.first, scope.period.last
    out = Rollup()
    closed_last = min(last, today - timedelta(days=1))
    p = {"first": first.isoformat(), "last": closed_last.isoformat(), "teller": scope.teller_id,
         "scope": scope.teller_id or BRANCH_SCOPE}
    stored: set[str] = set()
    if closed_last >= first:
        stored = set(db.execute(text("SELECT day FROM report_days WHERE day BETWEEN :first AND :last"), p).scalars())
        _read_stored(db, out, p, scope.teller_id)
    out.stored_days = len(stored)
    live = [d for d in scope.period.days if d.isoformat() not in stored]
    out.live_days = len(live)
    for run_first, run_last in daily.runs(live):
        out.add_days(daily.compute(db, run_first, run_last, scope.teller_id), scope.teller_id or BRANCH_SCOPE)
    return out
