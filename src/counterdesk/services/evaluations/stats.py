"""Reading evaluations back: aggregates only, and only for groups large enough that no single rating
can be identified (``evaluation.min_count``).

A supervisor (``report.branch``) gets every teller's figures per period; a teller (``report.own``) only
their own, with the same minimum, so a score never reaches the teller as an individual rating in real
time. Individual rows (with the customer's comment) are for the branch's supervisors only; a teller is
refused them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.branchtime import BRANCH_TZ, branch_day
from counterdesk.base.roles import PermissionDenied, can, require
from counterdesk.base.settings import EVALUATION_MIN_COUNT
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.evaluations.codes import STARS, SUBMITTED
from counterdesk.store.models.core import User
from counterdesk.store.models.evaluations import CustomerEvaluation

PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Aggregate:
    period: str                        # the period's first day (ISO), in the branch's calendar
    teller_id: str | None              # None: the whole branch
    teller_name: str
    count: int                         # ratings given (skips not counted)
    shown: bool                        # False: fewer than the minimum, the figures below are withheld
    mean: float | None = None
    distribution: dict[int, int] = field(default_factory=dict)  # stars -> count
    skipped: int | None = None
    nps: float | None = None           # % promoters (9-10) − % detractors (0-6), when enough answered
    nps_count: int = 0


@dataclass(frozen=True)
class EvaluationRow:
    evaluation_id: str
    session_id: str
    teller_id: str
    created_at: str
    status: str
    stars: int | None
    reasons: tuple[str, ...]
    comment: str | None
    nps: int | None


def _bounds(start: date, end: date) -> tuple[str, str]:
    """UTC ISO bounds of the branch days [start, end]."""
    low = datetime.combine(start, time.min, BRANCH_TZ).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time.min, BRANCH_TZ).astimezone(UTC)
    return low.isoformat(timespec="microseconds"), high.isoformat(timespec="microseconds")


def _period_of(created_at: str, period: str) -> str:
    d = branch_day(datetime.fromisoformat(created_at))
    if period == "week":
        d -= timedelta(days=d.weekday())
    elif period == "month":
        d = d.replace(day=1)
    return d.isoformat()


def _aggregate(period_key: str, teller_id: str | None, name: str, rows: list[CustomerEvaluation],
               minimum: int) -> Aggregate:
    rated = [r for r in rows if r.status == SUBMITTED and r.stars is not None]
    if len(rated) < minimum:
        return Aggregate(period_key, teller_id, name, len(rated), False)
    dist = {s: sum(1 for r in rated if r.stars == s) for s in STARS}
    answers = [r.nps for r in rated if r.nps is not None]
    nps = None
    if len(answers) >= minimum:
        nps = round(100.0 * (sum(a >= 9 for a in answers) - sum(a <= 6 for a in answers)) / len(answers), 1)
    return Aggregate(period_key, teller_id, name, len(rated), True,
                     round(sum(r.stars or 0 for r in rated) / len(rated), 2), dist,
                     sum(1 for r in rows if r.status != SUBMITTED), nps, len(answers))


def aggregates(vault: Vault, us: SignedInUser, start: date, end: date, period: str = "month",
               teller_id: str | None = None) -> list[Aggregate]:
    """Figures per period and teller (and for the branch, teller None) over the branch days [start, end].
    A teller gets only their own rows; asking for another's is refused."""
    if period not in PERIODS:
        raise ValueError(period)
    if can(us.role, "report.branch"):
        only = teller_id
    else:
        require(us.role, "report.own")
        if teller_id not in (None, us.user_id):
            raise PermissionDenied(Text("柜员只能查看本人的统计。", "A teller sees only their own figures."),
                                   code="report_own_only", detail=str(teller_id))
        only = us.user_id
    minimum = int(vault.settings()[EVALUATION_MIN_COUNT])
    low, high = _bounds(start, end)

    def read(db: Session) -> list[Aggregate]:
        query = select(CustomerEvaluation).where(CustomerEvaluation.created_at >= low,
                                                 CustomerEvaluation.created_at < high)
        if only is not None:
            query = query.where(CustomerEvaluation.teller_id == only)
        names = {u.id: u.display_name for u in db.scalars(select(User))}
        groups: dict[tuple[str, str | None], list[CustomerEvaluation]] = defaultdict(list)
        for row in db.scalars(query):
            key = _period_of(row.created_at, period)
            groups[(key, row.teller_id)].append(row)
            if only is None:
                groups[(key, None)].append(row)
        out = [_aggregate(p, t, names.get(t, "?") if t else "", rows, minimum) for (p, t), rows in groups.items()]
        return sorted(out, key=lambda a: (a.period, a.teller_id is not None, a.teller_name))
    return vault.transact(read)


def rows(vault: Vault, us: SignedInUser, start: date, end: date) -> list[EvaluationRow]:
    """The individual evaluations of the branch days [start, end], for supervisors; tellers are refused."""
    if not can(us.role, "report.branch"):
        raise PermissionDenied(Text("柜员不能查看单条客户评价。", "Tellers cannot see individual evaluations."),
                               code="evaluation_rows_refused", detail=str(us.role))
    low, high = _bounds(start, end)

    def read(db: Session) -> list[EvaluationRow]:
        found = db.scalars(select(CustomerEvaluation).where(CustomerEvaluation.created_at >= low,
                                                            CustomerEvaluation.created_at < high)
                           .order_by(CustomerEvaluation.created_at))
        return [EvaluationRow(r.id, r.session_id, r.teller_id, r.created_at, r.status, r.stars,
                              tuple(c for c in r.reasons.split(",") if c), r.comment, r.nps) for r in found]
    return vault.transact(read)
