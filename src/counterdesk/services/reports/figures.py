"""All the dashboard's figures for one scope, read in one transaction (one consistent snapshot)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.branchtime import branch_day
from counterdesk.base.settings import COMPLAINT_DUE_SOON_DAYS
from counterdesk.services.auth.vault import Vault
from counterdesk.services.reports import complaints as complaint_figures
from counterdesk.services.reports import holds, sales, sessions, steps
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
    query_seconds: float = field(default=0.0, compare=False)  # how long the read took (for the benchmark)

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


def read_figures(db: Session, scope: Scope, now: datetime, soon_days: int) -> Figures:
    """Inside a caller's transaction (tests and the benchmark time this part alone)."""
    started = time.perf_counter()
    name = None
    if scope.teller_id is not None:
        name = db.execute(text("SELECT display_name FROM users WHERE id = :id"), {"id": scope.teller_id}).scalar()
    per_day, per_teller = sessions.counts(db, scope)
    figures = Figures(
        scope=scope, teller_name=name, computed_at=now, per_day=per_day, per_teller=per_teller,
        steps=steps.step_times(db, scope), approvals=holds.approvals(db, scope, now),
        screening=holds.screening_holds(db, scope),
        customer_initiated=sales.customer_initiated(db, scope), cooling_off=sales.cooling_off(db, scope),
        complaints=complaint_figures.complaints(db, scope, branch_day(now), soon_days))
    return replace(figures, query_seconds=time.perf_counter() - started)


def dashboard(vault: Vault, us: SignedInUser, period: Period, teller_id: str | None = None,
              now: datetime | None = None) -> Figures:
    """The dashboard's figures; a teller gets only their own (asking for more is refused)."""
    scope = resolve(us, period, teller_id)
    moment = now or datetime.now(UTC)
    soon_days = int(vault.settings()[COMPLAINT_DUE_SOON_DAYS])
    return vault.transact(lambda db: read_figures(db, scope, moment, soon_days))
