"""What the report modules share: the spread of a duration and the SQL that computes it in SQLite."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.services.reports.scope import Scope


@dataclass(frozen=True)
class Spread:
    """How long something took, in seconds: how many, the median and the slowest."""
    count: int
    median: float | None
    slowest: float | None


NO_SPREAD = Spread(0, None, None)


def seconds(later: str, earlier: str) -> str:
    """SQL for the seconds from ``earlier`` to ``later`` (both ISO text columns)."""
    return f"(julianday({later}) - julianday({earlier})) * 86400.0"


def spread(db: Session, durations_sql: str, params: dict[str, Any]) -> Spread:
    """Count, median and slowest of ``durations_sql`` (rows of one column ``dur``, seconds): SQLite
    sorts, the middle is picked here. One evaluation of the query: a second one (an aggregate, then
    ORDER BY ... OFFSET) doubled the cost of the joined steps, and a window function over the steps
    measured ten times slower on a year of data."""
    result = db.execute(text(f"SELECT dur FROM ({durations_sql}) WHERE dur IS NOT NULL AND dur >= 0 "
                             "ORDER BY dur"), params).scalars()
    values: list[float] = []
    # In chunks: one fetch of a year's rows is a single long C loop that holds the GIL, and the UI
    # thread waits for it; between chunks the interpreter hands the GIL over.
    for chunk in result.partitions(5000):
        values.extend(chunk)
    n = len(values)
    if not n:
        return NO_SPREAD
    middle = (values[(n - 1) // 2] + values[n // 2]) / 2
    return Spread(n, round(float(middle), 3), round(float(values[-1]), 3))


def spread_of_runs(runs: Sequence[Sequence[int]]) -> Spread:
    """Count, median and slowest of durations given as sorted runs of milliseconds (one run per day
    of the daily aggregates), without merging them: the k-th smallest is found by bisecting the value
    range, counting in each run (a year is a few hundred runs of a few hundred values)."""
    runs = [r for r in runs if len(r)]
    n = sum(len(r) for r in runs)
    if not n:
        return NO_SPREAD

    def at_most(value: int) -> int:
        return sum(bisect_right(r, value) for r in runs)

    k = (n - 1) // 2  # the lower middle (0-based); for an even n the upper one is the next value
    low, high = min(r[0] for r in runs), max(r[-1] for r in runs)
    slowest = high
    while low < high:
        mid = (low + high) // 2
        if at_most(mid) >= k + 1:
            high = mid
        else:
            low = mid + 1
    lower = upper = low
    if n % 2 == 0 and at_most(lower) < k + 2:
        upper = min(r[i] for r in runs if (i := bisect_right(r, lower)) < len(r))
    return Spread(n, round((lower + upper) / 2000.0, 3), round(slowest / 1000.0, 3))


def params(scope: Scope, **more: Any) -> dict[str, Any]:
    start, end = scope.period.bounds()
    return {"start": start, "end": end, "teller": scope.teller_id, **more}


def teller_clause(column: str, scope: Scope) -> str:
    """`` AND column = :teller`` when the scope is one teller (bound, never formatted in)."""
    return f" AND {column} = :teller" if scope.teller_id is not None else ""
