"""How long a risk-tolerance assessment stays valid: the ONE definition, used by the assessment store,
the suitability engine, the screens and the paper (NFRA 金融机构产品适当性管理办法 2025 Art 29, "valid
12 months"; the number of months is the setting ``assessment.validity_months``).

Validity is counted in whole calendar days on the branch's clock (China Standard Time, see
``branchtime``): an assessment completed on day D is valid through the day before D's anniversary
``months`` later and stops at 00:00 CST on the anniversary itself (completed 2025-03-10 at any hour →
valid through 2026-03-09; on 2026-03-10 the customer reassesses). The 31st becomes the month's last
day (2024-02-29 + 12 months = 2025-02-28, so last valid day 2025-02-27).

It lives in ``base`` because both the grading/assessment side and the suitability engine need it and
neither may import the other (independent layers).
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from counterdesk.base.branchtime import BRANCH_TZ, branch_day, to_branch

DEFAULT_MONTHS = 12  # NFRA 2025 Art 29; the setting assessment.validity_months may only shorten it


def add_months(day: date, months: int) -> date:
    """Same calendar day ``months`` later, clamped to the month's end (29 Feb + 12 months = 28 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def completed_day(completed_at: datetime | date) -> date:
    """The branch day on which the assessment was completed (a datetime is read on the branch clock;
    a naive one is UTC, as the store keeps times)."""
    return branch_day(completed_at) if isinstance(completed_at, datetime) else completed_at


def last_valid_day(completed_at: datetime | date, months: int = DEFAULT_MONTHS,
                   recorded_last_day: date | None = None) -> date:
    """The last branch day (inclusive) the assessment may be relied on. ``recorded_last_day`` (what a
    store or caller wrote) can only shorten it, never extend it past the rule."""
    last = add_months(completed_day(completed_at), months) - timedelta(days=1)
    return last if recorded_last_day is None else min(last, recorded_last_day)


def valid_end(completed_at: datetime | date, months: int = DEFAULT_MONTHS) -> datetime:
    """The first instant the assessment is no longer valid: 00:00 CST the day after the last valid day
    (what the store keeps as ``valid_until``, an exclusive end)."""
    return datetime.combine(last_valid_day(completed_at, months) + timedelta(days=1), datetime.min.time(), BRANCH_TZ)


def recorded_last_day(valid_until: datetime | None) -> date | None:
    """A stored exclusive end read back as the last valid branch day (None: nothing recorded); an end
    in the middle of a day (rows graded before this rule) leaves that day out, as the rule does."""
    if valid_until is None:
        return None
    end = to_branch(valid_until)
    day = end.date()
    return day - timedelta(days=1)


def state_on(completed_at: datetime | date, today: date, months: int = DEFAULT_MONTHS,
             recorded_last: date | None = None) -> str:
    """"future", "valid" or "expired" on branch day ``today``."""
    if completed_day(completed_at) > today:
        return "future"
    return "valid" if today <= last_valid_day(completed_at, months, recorded_last) else "expired"


def is_valid_at(completed_at: datetime, moment: datetime, months: int = DEFAULT_MONTHS,
                valid_until: datetime | None = None) -> bool:
    """Valid at ``moment`` (an aware datetime): completed by then and ``moment``'s branch day within validity."""
    if completed_at > moment:
        return False
    return state_on(completed_at, branch_day(moment), months, recorded_last_day(valid_until)) == "valid"


def stored_last_valid_day(completed_at: str | None, valid_until: str | None,
                          months: int = DEFAULT_MONTHS) -> date | None:
    """The last valid branch day of a stored assessment row or evidence payload (ISO strings, UTC);
    None when it was never completed or a time cannot be read."""
    try:
        done = datetime.fromisoformat(completed_at) if completed_at else None
        end = datetime.fromisoformat(valid_until) if valid_until else None
    except ValueError:
        return None
    return None if done is None else last_valid_day(done, months, recorded_last_day(end))


__all__ = ["DEFAULT_MONTHS", "add_months", "completed_day", "is_valid_at", "last_valid_day", "recorded_last_day",
           "state_on", "stored_last_valid_day", "valid_end"]
