"""All the dashboard's figures for one scope, read in one transaction (one consistent snapshot).

``dashboard`` (the page's read) first aggregates the period's closed days that have no valid daily
aggregate (counterdesk.services.reports.daily, a few days per transaction), then reads the stored
days and computes the rest (today, any day invalidated meanwhile) from the source rows:
``read_daily_figures``. ``read_figures`` computes everything from the source rows, each figure with
its own query: the reference the aggregates are tested against (tests/test_reports.py).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.branchtime import branch_day
from counterdesk.base.settings import COMPLAINT_DUE_SOON_DAYS, EVALUATION_MIN_COUNT
from counterdesk.services.auth.vault import Vault
from counterdesk.services.reports import complaints as complaint_figures
from counterdesk.services.reports import daily, holds, rollup, sales, scores, sessions, steps
from counterdesk.services.reports.common import NO_SPREAD, spread_of_runs
from counterdesk.services.reports.scope import Period, Scope, resolve


@dataclass(frozen=True)
class Teller:
    user_id: str
    name: str


@dataclass(frozen=True)
class Figures:
    scope: Scope
    teller_name: str | None  # the one teller the figures are of, if any
    computed_at: datetime
    per_day: list[sessions.DayCount]
    per_teller: list[sessions.TellerCount]
    steps: list[steps.StepTime]
    approvals: holds.Approvals
    screening: holds.ScreeningHolds
    customer_initiated: sales.CustomerInitiated
    cooling_off: sales.CoolingOff
    complaints: complaint_figures.Complaints
    evaluations: scores.Scores
    query_seconds: float = field(default=0.0, compare=False)  # how long the read took (for the benchmark)
    stored_days: int = field(default=0, compare=False)        # days read from the daily aggregates
    live_days: int = field(default=0, compare=False)          # days computed from the source rows
    aggregated_days: int = field(default=0, compare=False)    # closed days aggregated by this read
    aggregation_seconds: float = field(default=0.0, compare=False)

    @property
    def sessions_total(self) -> int:
        return sum(d.total for d in self.per_day)


def tellers(vault: Vault, us: SignedInUser) -> list[Teller]:
    """Whom the teller filter offers: every teller for a branch reader, only oneself for a teller."""
    scope = resolve(us, Period.last_days(1))

    def read(db: Session) -> list[Teller]:
        if not scope.branch:
            row = db.execute(text("SELECT id, display_name FROM users WHERE id = :id"), {"id": us.user_id}).one()
            return [Teller(row[0], row[1])]
        rows = db.execute(text("SELECT id, display_name FROM users WHERE role = 'teller' OR id IN "
                               "(SELECT DISTINCT teller_id FROM counter_sessions) ORDER BY display_name"))
        return [Teller(r[0], r[1]) for r in rows]
    return vault.transact(read)


def _through(scope: Scope, now: datetime) -> date:
    """The last day the evaluation scores count: a teller's stop at yesterday (see reports.scores)."""
    today = branch_day(now)
    return today if scope.branch else today - timedelta(days=1)


def read_figures(db: Session, scope: Scope, now: datetime, soon_days: int, min_count: int = 5) -> Figures:
    """Every figure from the source rows (inside a caller's transaction; tests and the benchmark time it)."""
    started = time.perf_counter()
    name = None
    if scope.teller_id is not None:
        name = db.execute(text("SELECT display_name FROM users WHERE id = :id"), {"id": scope.teller_id}).scalar()
    per_day, per_teller = sessions.counts(db, scope)
    ratings = rollup.Rollup()
    ratings.add_days(daily.compute(db, scope.period.first, scope.period.last, scope.teller_id), "")
    figures = Figures(
        scope=scope, teller_name=name, computed_at=now, per_day=per_day, per_teller=per_teller,
        steps=steps.step_times(db, scope), approvals=holds.approvals(db, scope, now),
        screening=holds.screening_holds(db, scope),
        customer_initiated=sales.customer_initiated(db, scope), cooling_off=sales.cooling_off(db, scope),
        complaints=complaint_figures.complaints(db, scope, branch_day(now), soon_days),
        evaluations=scores.scores(scope.period.first, scope.period.last, ratings.day_scores(), min_count,
                                  _through(scope, now)))
    return replace(figures, query_seconds=time.perf_counter() - started, live_days=len(scope.period.days))


def read_daily_figures(db: Session, scope: Scope, now: datetime, soon_days: int, min_count: int = 5) -> Figures:
    """The same figures from the daily aggregates, plus the days without one computed live."""
    started = time.perf_counter()
    name = None
    if scope.teller_id is not None:
        name = db.execute(text("SELECT display_name FROM users WHERE id = :id"), {"id": scope.teller_id}).scalar()
    r = rollup.read(db, scope, branch_day(now))
    per_day = [sessions.DayCount(d, *r.days.get(d.isoformat(), (0, 0, 0))) for d in scope.period.days]
    names = {row[0]: row[1] for row in db.execute(text("SELECT id, display_name FROM users"))}
    per_teller = [sessions.TellerCount(t, names.get(t, "?"), sum(c), c[0], c[1]) for t, c in r.tellers.items()]
    per_teller.sort(key=lambda x: (-x.sessions, x.name))
    spreads = {step: spread_of_runs(runs) for step, runs in r.runs.items()}
    spread = lambda step: spreads.get(step, NO_SPREAD)  # noqa: E731 - local shorthand
    c = r.total
    waiting, expired = holds.pending_now(db, scope, now)
    approvals = holds.Approvals(waiting, expired, {k: n for k, n in c.approvals.items() if n},
                                c.approvals_overrides, spread("approval"))
    screening = holds.ScreeningHolds(sum(c.screenings.values()), c.screening_waiting,
                                     {k: n for k, n in c.screenings.items() if n}, spread("screening"))
    through = _through(scope, now)
    figures = Figures(
        scope=scope, teller_name=name, computed_at=now, per_day=per_day, per_teller=per_teller,
        steps=[steps.StepTime(step, spread(step)) for step in steps.STEPS], approvals=approvals,
        screening=screening,
        customer_initiated=sales.CustomerInitiated(c.decisions, c.customer_initiated, c.mismatches),
        cooling_off=sales.CoolingOff(c.cooling_sales, c.cooling_cancelled),
        complaints=complaint_figures.complaints(db, scope, branch_day(now), soon_days),
        evaluations=scores.scores(scope.period.first, scope.period.last, r.day_scores(), min_count, through))
    return replace(figures, query_seconds=time.perf_counter() - started, stored_days=r.stored_days,
                   live_days=r.live_days)


def dashboard(vault: Vault, us: SignedInUser, period: Period, teller_id: str | None = None,
              now: datetime | None = None) -> Figures:
    """The dashboard's figures; a teller gets only their own (asking for more is refused). The closed
    days of the period without an aggregate are aggregated first (for the whole branch: the aggregates
    are the store's, what a reader sees of them is the scope's)."""
    scope = resolve(us, period, teller_id)
    moment = now or datetime.now(UTC)
    values = vault.settings()
    soon_days, min_count = int(values[COMPLAINT_DUE_SOON_DAYS]), int(values[EVALUATION_MIN_COUNT])
    started = time.perf_counter()
    closed_last = min(period.last, branch_day(moment) - timedelta(days=1))
    aggregated = daily.catch_up(vault, period.first, closed_last, moment) if closed_last >= period.first else 0
    spent = time.perf_counter() - started
    figures = vault.transact(lambda db: read_daily_figures(db, scope, moment, soon_days, min_count))
    return replace(figures, aggregated_days=aggregated, aggregation_seconds=spent)


def prepare(vault: Vault, now: datetime | None = None) -> int:
    """Aggregate the missing closed days of the longest period the page offers (the last 12 months)
    before anyone asks for it, so that choosing it reads aggregates only; for a background worker
    (batched transactions: the single writer is never held long). Returns the days computed."""
    moment = now or datetime.now(UTC)
    year = Period.last_days(365, moment)
    return daily.catch_up(vault, year.first, year.last - timedelta(days=1), moment)
