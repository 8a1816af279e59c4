"""Grading rules of the risk-tolerance assessment, pure functions over a Questionnaire.

Nothing here touches the database, so every boundary (band edges, rolling limits) can be
tested directly. Times are aware datetimes; calendar days and months are counted in China Standard
Time (UTC+8, no daylight saving), the time zone of the branches.
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from counterdesk.base.branchtime import BRANCH_TZ, branch_day
from counterdesk.base.text import Text
from counterdesk.forms.questionnaire import Band, Questionnaire
from counterdesk.identity.dates import age_on

AGE_MISMATCH = "age_mismatch"
NO_FULL_CAPACITY = "no_full_civil_capacity"
UNWILLING_ANY_LOSS = "unwilling_any_loss"


@dataclass(frozen=True)
class Contradiction:
    code: str
    questions: tuple[str, ...]
    text: Text

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "questions": list(self.questions), "zh": self.text.zh, "en": self.text.en}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Contradiction:
        return cls(d["code"], tuple(d["questions"]), Text(d["zh"], d["en"]))


@dataclass(frozen=True)
class Evaluation:
    missing: tuple[str, ...]
    contradictions: tuple[Contradiction, ...]
    score: int | None  # None while answers are missing
    band: Band | None  # None while answers are missing or contradict each other
    lowest_category: bool
    lowest_reasons: tuple[str, ...]  # NO_FULL_CAPACITY / UNWILLING_ANY_LOSS

    @property
    def gradable(self) -> bool:
        return self.band is not None


def add_months(moment: datetime, months: int) -> datetime:
    """Same wall-clock time ``months`` later on the branch's clock; the 31st becomes the month's last day."""
    local = moment.astimezone(BRANCH_TZ)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(moment.tzinfo or UTC)


def local_day(moment: datetime) -> date:
    return branch_day(moment)


def find_contradictions(q: Questionnaire, answers: Mapping[str, str], birth_date: date | None = None,
                        on: date | None = None) -> list[Contradiction]:
    out = [Contradiction(rule.code, rule.questions, rule.text) for rule in q.contradictions
           if all(c.holds(dict(answers)) for c in rule.clauses)]
    age_q = q.age_question()
    if age_q is not None and birth_date is not None and on is not None and answers.get(age_q.key) in age_q.age_ranges:
        lo, hi = age_q.age_ranges[answers[age_q.key]]
        if not lo <= age_on(birth_date, on) <= hi:
            # The KYC birth date comes from an identity document: the chosen band is the likely slip.
            out.append(Contradiction(AGE_MISMATCH, (age_q.key,), Text(
                "所选年龄段与您身份证件上的出生日期不符，请重新选择。",
                "The age band chosen does not match the date of birth on your identity "
                "document; please choose again.")))
    return out


def evaluate(q: Questionnaire, answers: Mapping[str, str], *, birth_date: date | None = None,
             on: date | None = None, civil_capacity: str | None = "full") -> Evaluation:
    """Score, band and lowest-category status of ``answers`` (question -> option value)."""
    missing = tuple(x.key for x in q.questions if answers.get(x.key) not in x.scores)
    contradictions = tuple(find_contradictions(q, answers, birth_date, on))
    reasons = []
    if civil_capacity is not None and civil_capacity != "full":
        reasons.append(NO_FULL_CAPACITY)
    if q.lowest is not None and any(c.holds(dict(answers)) for c in q.lowest.clauses):
        reasons.append(UNWILLING_ANY_LOSS)
    if missing:
        return Evaluation(missing, contradictions, None, None, bool(reasons), tuple(reasons))
    score = sum(x.scores[answers[x.key]] for x in q.questions)
    band = None
    if not contradictions:
        # The lowest category is C1 whatever the score (domain-rules.md §3).
        band = q.band("C1") if reasons else q.band_for(score)
    return Evaluation((), contradictions, score, band, bool(reasons), tuple(reasons))
