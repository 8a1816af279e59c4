"""The dashboard's figures per branch day and teller, computed from the store's tables, and kept for
closed days in the pre-aggregate tables (migration 0023).

A *cell* is one (day, teller): the counts every figure is a sum of, and per step the sorted durations
(milliseconds; the median and the slowest over any run of days are then exact to the millisecond).
``compute`` reads cells for a run of days straight from the source rows, with the same SQL the live
figures use plus the day and the teller; ``aggregate`` stores them for closed days; ``catch_up``
aggregates the closed days of a period that are missing, a few days per transaction so that the
single writer is never held long. Whether a stored day is still valid is the database's business:
the triggers of counterdesk.store.report_marks remove a day from ``report_days`` whenever a row
counting on it is written, changed or removed, and a removed day is read from the source again.
"""
from __future__ import annotations

import json
import sys
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.services.auth.vault import Vault
from counterdesk.services.evaluations.codes import SUBMITTED
from counterdesk.services.reports.common import seconds
from counterdesk.services.reports.holds import HELD
from counterdesk.services.reports.scope import Period, utc_iso
from counterdesk.services.reports.steps import TIMED, Timed
from counterdesk.store.models.report_daily import BRANCH_SCOPE
from counterdesk.suitability.evaluation import CUSTOMER_INITIATED_ONLY

# Every timed figure: the steps of the session, and the screening hits' disposition (the approval
# turnaround is the "approval" step).
SPREADS: dict[str, Timed] = {
    **TIMED,
    "screening": Timed(seconds("disposition_at", "created_at"), "screenings",
                       f"disposition_at IS NOT NULL AND +status IN {HELD!r}", "created_at", "created_by"),
}
BATCH_DAYS = 7  # closed days aggregated per transaction (a week of a large branch: a fraction of a second)


@dataclass
class Cell:
    """One day's counts for one teller (teller '' : rows that name none)."""
    sessions_completed: int = 0
    sessions_stopped: int = 0
    sessions_open: int = 0
    decisions: int = 0
    customer_initiated: int = 0
    mismatches: int = 0
    cooling_sales: int = 0
    cooling_cancelled: int = 0
    approvals_overrides: int = 0
    screening_waiting: int = 0
    eval_1: int = 0
    eval_2: int = 0
    eval_3: int = 0
    eval_4: int = 0
    eval_5: int = 0
    eval_skipped: int = 0
    nps_promoters: int = 0
    nps_passives: int = 0
    nps_detractors: int = 0
    approvals: Counter = field(default_factory=Counter)   # status -> requests made that day
    screenings: Counter = field(default_factory=Counter)  # status -> potential hits screened that day


COUNT_FIELDS = tuple(k for k in Cell.__dataclass_fields__ if k not in ("approvals", "screenings"))


@dataclass
class Days:
    """Cells and durations of a run of days: ``cells[(day, teller)]``, ``durations[(day, scope, step)]``
    (scope: a teller, or BRANCH_SCOPE for all of them), each list sorted, in milliseconds."""
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    durations: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)

    def cell(self, day: str, teller: str | None) -> Cell:
        key = (day, teller or "")
        found = self.cells.get(key)
        if found is None:
            found = self.cells[key] = Cell()
        return found


def _bounds(first: date, last: date) -> dict[str, Any]:
    return {"start": utc_iso(first), "end": utc_iso(last + timedelta(days=1))}


def _mine(column: str, teller: str | None) -> str:
    return f" AND {column} = :teller" if teller is not None else ""


def compute(db: Session, first: date, last: date, teller: str | None = None) -> Days:
    """The cells of the branch days [first, last], from the source rows (``teller``: only theirs)."""
    p = {**_bounds(first, last), "teller": teller, "mismatch": CUSTOMER_INITIATED_ONLY, "submitted": SUBMITTED}
    out = Days()
    for day, who, status, n in db.execute(text(
            "SELECT date(created_at, '+8 hours'), teller_id, status, count(*) FROM counter_sessions "
            f"WHERE created_at >= :start AND created_at < :end{_mine('teller_id', teller)} GROUP BY 1, 2, 3"), p):
        c = out.cell(day, who)
        if status == "completed":
            c.sessions_completed += n
        elif status == "stopped":
            c.sessions_stopped += n
        else:
            c.sessions_open += n
    for day, who, n, initiated, beyond in db.execute(text(
            "SELECT date(decided_at, '+8 hours'), decided_by, count(*), coalesce(sum(customer_initiated), 0), "
            "coalesce(sum(customer_initiated AND outcome = :mismatch), 0) FROM sale_decisions "
            f"WHERE decided_at >= :start AND decided_at < :end{_mine('decided_by', teller)} GROUP BY 1, 2"), p):
        c = out.cell(day, who)
        c.decisions, c.customer_initiated, c.mismatches = n, int(initiated), int(beyond)
    for day, who, n in db.execute(text(
            "SELECT date(g.completed_at, '+8 hours'), g.teller_id, count(*) FROM signoffs g "
            "WHERE g.cooling_off_until IS NOT NULL AND g.completed_at >= :start AND g.completed_at < :end"
            f"{_mine('g.teller_id', teller)} GROUP BY 1, 2"), p):
        out.cell(day, who).cooling_sales = n
    for day, who, n in db.execute(text(
            "SELECT date(c.recorded_at, '+8 hours'), g.teller_id, count(*) FROM cooling_off_cancellations c "
            "JOIN signoffs g ON g.id = c.signoff_id WHERE c.recorded_at >= :start AND c.recorded_at < :end"
            f"{_mine('g.teller_id', teller)} GROUP BY 1, 2"), p):
        out.cell(day, who).cooling_cancelled = n
    for day, who, status, n, overrides in db.execute(text(
            "SELECT date(requested_at, '+8 hours'), requested_by, status, count(*), coalesce(sum(override), 0) "
            f"FROM approval_requests WHERE requested_at >= :start AND requested_at < :end"
            f"{_mine('requested_by', teller)} GROUP BY 1, 2, 3"), p):
        c = out.cell(day, who)
        c.approvals[status] += n
        c.approvals_overrides += int(overrides)
    for day, who, status, n, waiting in db.execute(text(
            "SELECT date(created_at, '+8 hours'), created_by, status, count(*), sum(disposition_at IS NULL) "
            f"FROM screenings WHERE +status IN {HELD!r} AND created_at >= :start AND created_at < :end"
            f"{_mine('created_by', teller)} GROUP BY 1, 2, 3"), p):
        c = out.cell(day, who)
        c.screenings[status] += n
        c.screening_waiting += int(waiting)
    # The same reading as counterdesk.services.evaluations.stats: a rating is a submitted one with
    # stars; NPS answers count among the ratings only.
    for day, who, status, stars, nps, n in db.execute(text(
            "SELECT date(created_at, '+8 hours'), teller_id, status, stars, nps, count(*) FROM customer_evaluations "
            f"WHERE created_at >= :start AND created_at < :end{_mine('teller_id', teller)} GROUP BY 1, 2, 3, 4, 5"), p):
        c = out.cell(day, who)
        if status != SUBMITTED:
            c.eval_skipped += n
            continue
        if stars not in (1, 2, 3, 4, 5):
            continue
        setattr(c, f"eval_{stars}", getattr(c, f"eval_{stars}") + n)
        if nps is not None:
            if nps >= 9:
                c.nps_promoters += n
            elif nps <= 6:
                c.nps_detractors += n
            else:
                c.nps_passives += n
    for step, timed in SPREADS.items():
        sql = timed.by_day() + (_mine(timed.teller, teller))
        rows = db.execute(text(f"SELECT day, teller, dur FROM ({sql}) WHERE dur IS NOT NULL AND dur >= 0"), p)
        for chunk in rows.partitions(5000):  # in chunks: the GIL is handed over between them
            for day, who, dur in chunk:
                ms = round(dur * 1000)
                out.durations.setdefault((day, who, step), []).append(ms)
                out.durations.setdefault((day, BRANCH_SCOPE, step), []).append(ms)
    for values in out.durations.values():
        values.sort()
    return out


def pack(values: list[int]) -> bytes:
    """Sorted milliseconds as stored: a type byte, then 32-bit values (64-bit if one exceeds 24 days),
    little-endian. Four bytes a value: a year's durations are read in one go on every open."""
    code = "i" if not values or values[-1] < 2**31 else "q"
    data = array(code, values)
    if sys.byteorder == "big":
        data.byteswap()
    return code.encode() + data.tobytes()


def unpack(blob: bytes) -> array:
    data = array(blob[:1].decode())
    data.frombytes(blob[1:])
    if sys.byteorder == "big":
        data.byteswap()
    return data


def _store(db: Session, first: date, last: date, days: Days, now: datetime) -> None:
    """Replace the stored figures of the days [first, last] with ``days`` and mark them aggregated."""
    p = {"first": first.isoformat(), "last": last.isoformat()}
    db.execute(text("DELETE FROM report_daily WHERE day BETWEEN :first AND :last"), p)
    db.execute(text("DELETE FROM report_durations WHERE day BETWEEN :first AND :last"), p)
    columns = (*COUNT_FIELDS, "approvals", "screenings")
    rows = [{"day": day, "teller_id": who, **{k: getattr(c, k) for k in COUNT_FIELDS},
             "approvals": json.dumps(dict(c.approvals), sort_keys=True),
             "screenings": json.dumps(dict(c.screenings), sort_keys=True)} for (day, who), c in days.cells.items()]
    if rows:
        db.execute(text(f"INSERT INTO report_daily (day, teller_id, {', '.join(columns)}) "
                        f"VALUES (:day, :teller_id, {', '.join(':' + k for k in columns)})"), rows)
    samples = [{"day": day, "scope": who, "step": step, "samples": pack(values)}
               for (day, who, step), values in days.durations.items()]
    if samples:
        db.execute(text("INSERT INTO report_durations (day, scope, step, samples) "
                        "VALUES (:day, :scope, :step, :samples)"), samples)
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    db.execute(text("INSERT OR REPLACE INTO report_days (day, computed_at) VALUES (:day, :at)"),
               [{"day": d.isoformat(), "at": stamp} for d in Period(first, last).days])


def missing(db: Session, first: date, last: date) -> list[date]:
    """The days of [first, last] not aggregated (never, or invalidated since)."""
    if last < first:
        return []
    have = set(db.execute(text("SELECT day FROM report_days WHERE day BETWEEN :first AND :last"),
                          {"first": first.isoformat(), "last": last.isoformat()}).scalars())
    return [d for d in Period(first, last).days if d.isoformat() not in have]


def runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    out: list[tuple[date, date]] = []
    for d in sorted(days):
        if out and d == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def aggregate(db: Session, days: list[date], now: datetime) -> int:
    """Compute and store ``days`` (closed days) in the caller's transaction; how many were stored."""
    for first, last in runs(days):
        _store(db, first, last, compute(db, first, last), now)
    return len(days)


def catch_up(vault: Vault, first: date, last: date, now: datetime | None = None,
             batch: int = BATCH_DAYS) -> int:
    """Aggregate the missing closed days of [first, last] (``last`` must be before today), ``batch``
    days per transaction; returns how many days were computed. The days each transaction stores are
    read and written in that one transaction (BEGIN IMMEDIATE): no write can fall between."""
    moment = now or datetime.now(UTC)
    done = 0
    while True:
        def step(db: Session) -> int:
            todo = missing(db, first, last)[:batch]
            return aggregate(db, todo, moment)
        n = vault.transact(step)
        done += n
        if n < batch:
            return done
