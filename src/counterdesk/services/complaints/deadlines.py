"""Deadlines of complaint handling, as the regulation counts them.

银行业保险业消费投诉处理管理办法 (2020) Art 19: a decision within 15 days of receiving the complaint; a
complex one within 30; an especially complex one a further 30 (at most 60) with a senior approval AND
notice to the complainant. Days are calendar days; the day of receipt is not counted (民法典 Art 201),
so a complaint received on 1 March is due by the end of 16 March, in the branch's time zone whatever
the workstation's clock says. A last day on a public holiday is NOT moved to the next working day:
deciding earlier is never late, and the workstation holds no holiday calendar.

A re-opened complaint (the customer's review request, new facts, a correction) gets the review
period (``complaints.review_days``, 30) from the day it is re-opened; its deadline is not extended.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from counterdesk.base import settings as S
from counterdesk.base.branchtime import branch_day
from counterdesk.base.settings import SettingsValues
from counterdesk.services.complaints.codes import COMPLEX, ESPECIALLY_COMPLEX, SIMPLE


def period_days(complexity: str, values: SettingsValues, extension_days: int | None = None) -> int:
    if complexity == ESPECIALLY_COMPLEX and extension_days:
        return int(extension_days)
    if complexity == COMPLEX:
        return int(values[S.COMPLAINT_COMPLEX_DAYS])
    if complexity == SIMPLE:
        return int(values[S.COMPLAINT_SIMPLE_DAYS])
    raise ValueError(complexity)


def due_date(start: date, days: int) -> date:
    """The last day on which the decision is still in time."""
    return start + timedelta(days=days)


def start_day(moment: datetime) -> date:
    """The branch's calendar day of a moment (the day of receipt or re-opening)."""
    return branch_day(moment)


def days_left(due: date, today: date) -> int:
    """Negative once overdue."""
    return (due - today).days


def mark(due: date, today: date, soon_days: int) -> str:
    """overdue (the last day has passed), due_soon (within ``soon_days`` of it), on_time."""
    left = days_left(due, today)
    if left < 0:
        return "overdue"
    return "due_soon" if left <= soon_days else "on_time"
