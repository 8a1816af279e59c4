"""Date helpers for identity documents: lenient parsing of typed dates, ages, adding years."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

# Years before this are refused for birth dates (GB 11643 numbers can encode them, but no living
# customer has one and they are far more often typing errors).
EARLIEST_BIRTH = date(1900, 1, 1)

# [0-9] rather than \d: \d also matches Arabic-Indic and other Unicode digits.
_DATE_RE = re.compile(r"([0-9]{4}) *[-/.年] *([0-9]{1,2}) *[-/.月] *([0-9]{1,2}) *日?")
_COMPACT_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


def make_date(year: int, month: int, day: int) -> date | None:
    """date(year, month, day), or None when that is not a real calendar day."""
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def parse_date(value: object) -> date | None:
    """A date from a date, datetime or text such as 2024-03-01, 2024.3.1, 20240301, 2024年3月1日.

    Returns None for anything else; never raises."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) > 40:
        return None
    text = value.strip()
    m = _COMPACT_RE.fullmatch(text) or _DATE_RE.fullmatch(text)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    return make_date(y, mo, d)


def from_yyyymmdd(text: str) -> date | None:
    if len(text) != 8 or not all("0" <= c <= "9" for c in text):
        return None
    return make_date(int(text[:4]), int(text[4:6]), int(text[6:]))


def age_on(birth: date, day: date) -> int:
    """Completed years of age on `day` (someone born on 29 February turns a year older on 1 March
    in common years, as Chinese practice counts it)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def add_years(start: date, years: int) -> date:
    """The same day and month `years` later; 29 February becomes 28 February in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def same_day_later(start: date, years: int) -> set[date]:
    """Every date that counts as 'the same day and month' `years` later: for 29 February both 28
    February and 1 March of a common year are accepted, because issuing offices differ."""
    exact = add_years(start, years)
    if start.month == 2 and start.day == 29 and exact.day == 28:
        return {exact, exact + timedelta(days=1)}
    return {exact}


def century_for_birth(yy: int, today: date) -> int:
    """Full year for a two-digit birth year: the most recent one that is not in the future."""
    year = 2000 + yy
    return year if year <= today.year else 1900 + yy


def century_for_expiry(yy: int, month: int, day: int, *, anchor: date, after: date | None,
                       max_years: int) -> date | None:
    """Full date for a two-digit expiry year: the latest century that puts it no later than
    `max_years` after `anchor` (today, or the issue date when known) and after `after` (the birth
    date), or None when no century does.

    Why: Doc 9303 Part 3 writes dates as YYMMDD and gives no century rule, so readers place the
    expiry within the document's longest validity from today (the `mrz` package, for one, reports
    "expiry date greater than 10 years"). A document valid today or in the past can then never be
    read as one valid a century later (981231 is 1998-12-31, not 2098)."""
    latest = add_years(anchor, max_years)
    for century in range(latest.year // 100 * 100, 1799, -100):
        found = make_date(century + yy, month, day)
        if found is None:
            if month == 2 and day == 29:
                continue  # 29 February of a common year (1900, 2100): try the century before
            return None
        if found <= latest:
            return found if after is None or found > after else None
    return None


def iso(d: date | None) -> str:
    return d.isoformat() if d else ""
