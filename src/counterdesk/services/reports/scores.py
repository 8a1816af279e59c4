"""The customers' evaluation scores over time, for the dashboard: per day (periods up to two months)
or per week (from Monday), the mean of the stars, how many ratings, and the NPS.

The rule of counterdesk.services.evaluations.stats applies to every point and to the period's total:
a group's mean and distribution are shown only from ``evaluation.min_count`` ratings, its NPS only
from that many answers; below it only the count is given. No individual rating ever leaves the core.
A teller's scores stop at yesterday: today's figures move with each rating, so a teller refreshing
after a session could read that customer's score as the difference.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from counterdesk.services.evaluations.codes import STARS

DAY_POINTS_UP_TO = 62  # days; a longer period is drawn by week


@dataclass(frozen=True)
class DayScores:
    """One day's ratings (of the scope): stars -> count, skips, and the NPS answers by kind."""
    day: date
    stars: tuple[int, int, int, int, int]
    skipped: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0


@dataclass(frozen=True)
class ScorePoint:
    start: date                     # the first day of the group (a Monday for a week)
    count: int                      # ratings (skips not counted)
    shown: bool                     # False: fewer than the minimum, nothing below is given
    mean: float | None = None
    distribution: dict[int, int] = field(default_factory=dict)
    skipped: int | None = None
    nps: float | None = None        # % promoters (9-10) - % detractors (0-6), from the minimum of answers
    nps_count: int = 0


@dataclass(frozen=True)
class Scores:
    by: str                         # "day" or "week"
    minimum: int                    # evaluation.min_count
    through: date | None            # the last day counted (None: no day of the period counted)
    total: ScorePoint
    points: list[ScorePoint]

    @property
    def any_shown(self) -> bool:
        return self.total.shown


def grouping(days: int) -> str:
    return "day" if days <= DAY_POINTS_UP_TO else "week"


def _start(day: date, by: str) -> date:
    return day - timedelta(days=day.weekday()) if by == "week" else day


def point(start: date, days: Iterable[DayScores], minimum: int) -> ScorePoint:
    stars = [0] * len(STARS)
    skipped = promoters = passives = detractors = 0
    for d in days:
        for i, n in enumerate(d.stars):
            stars[i] += n
        skipped += d.skipped
        promoters, passives, detractors = promoters + d.promoters, passives + d.passives, detractors + d.detractors
    count = sum(stars)
    if count < minimum:
        return ScorePoint(start, count, False)
    mean = round(sum(s * n for s, n in zip(STARS, stars)) / count, 2)
    answers = promoters + passives + detractors
    nps = round(100.0 * (promoters - detractors) / answers, 1) if answers >= minimum else None
    return ScorePoint(start, count, True, mean, dict(zip(STARS, stars)), skipped, nps, answers)


def scores(first: date, last: date, days: Iterable[DayScores], minimum: int, through: date) -> Scores:
    """The points of the branch days [first, last], counting the days up to ``through`` only."""
    by = grouping((last - first).days + 1)
    end = min(last, through)
    kept = [d for d in days if first <= d.day <= end]
    groups: dict[date, list[DayScores]] = {}
    day = first
    while day <= end:
        groups.setdefault(_start(day, by), [])
        day += timedelta(days=1)
    for d in kept:
        groups[_start(d.day, by)].append(d)
    points = [point(start, group, minimum) for start, group in groups.items()]
    return Scores(by, minimum, end if end >= first else None, point(first, kept, minimum), points)
