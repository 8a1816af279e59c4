"""Whose figures and which days: the period is a range of branch calendar days (UTC+8), stored
times are UTC, so the range becomes two UTC bounds compared as ISO strings (the store's format)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from counterdesk.base.actors import SignedInUser
from counterdesk.base.branchtime import BRANCH_TZ, branch_day
from counterdesk.base.roles import PermissionDenied, can, require
from counterdesk.base.text import CounterDeskError, Text

MAX_DAYS = 400  # a little over a year: the dashboard's longest period


class ReportError(CounterDeskError):
    code = "report_refused"


@dataclass(frozen=True)
class Period:
    first: date  # branch days, both included
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ReportError(Text("结束日期早于开始日期。", "The period ends before it starts."),
                              code="period_reversed", detail=f"{self.first}..{self.last}")
        if (self.last - self.first).days + 1 > MAX_DAYS:
            raise ReportError(Text(f"统计期间最长 {MAX_DAYS} 天。", f"A period is at most {MAX_DAYS} days."),
                              code="period_too_long", detail=f"{self.first}..{self.last}")

    @classmethod
    def month_to_date(cls, now: datetime | None = None) -> Period:
        today = branch_day(now or datetime.now(UTC))
        return cls(today.replace(day=1), today)

    @classmethod
    def last_days(cls, days: int, now: datetime | None = None) -> Period:
        today = branch_day(now or datetime.now(UTC))
        return cls(today - timedelta(days=days - 1), today)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def bounds(self) -> tuple[str, str]:
        """[start, end) in UTC, in the store's ISO format."""
        return utc_iso(self.first), utc_iso(self.last + timedelta(days=1))


def utc_iso(day: date) -> str:
    """The UTC moment the branch day ``day`` begins, as the store writes times."""
    start = datetime.combine(day, time(0), BRANCH_TZ).astimezone(UTC)
    return start.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Scope:
    period: Period
    teller_id: str | None  # None: the whole branch
    branch: bool           # the reader may see the whole branch (and so choose any teller)


def resolve(us: SignedInUser, period: Period, teller_id: str | None = None) -> Scope:
    """Supervisors and administrators see the branch or one teller; a teller sees only their own
    figures, and asking for the branch's or another teller's is refused (not silently narrowed)."""
    if can(us.role, "report.branch"):
        return Scope(period, teller_id or None, True)
    require(us.role, "report.own")
    if teller_id is not None and teller_id != us.user_id:
        raise PermissionDenied(Text("柜员只能查看本人的统计数据。", "A teller may see only their own figures."),
                               code="report_own_only", detail=f"{us.role}:{teller_id}")
    return Scope(period, us.user_id, False)

