"""What the report modules share: the spread of a duration and the SQL that computes it in SQLite."""
from __future__ import annotations

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


def params(scope: Scope, **more: Any) -> dict[str, Any]:
    start, end = scope.period.bounds()
    return {"start": start, "end": end, "teller": scope.teller_id, **more}


def teller_clause(column: str, scope: Scope) -> str:
    """`` AND column = :teller`` when the scope is one teller (bound, never formatted in)."""
    return f" AND {column} = :teller" if scope.teller_id is not None else ""
