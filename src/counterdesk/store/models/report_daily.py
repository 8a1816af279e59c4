"""The dashboard's daily pre-aggregates (migration 0023; filled by counterdesk.services.reports.daily).

Derived from the store's own tables, never entered: ``report_days`` lists the closed branch days that
are aggregated (the triggers of counterdesk.store.report_marks remove a day as soon as one of its
source rows changes), ``report_daily`` holds the counts per day and teller, ``report_durations`` the
sorted durations of each step per day and teller, and per day for the whole branch (scope ``*``).
"""
from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base

BRANCH_SCOPE = "*"  # report_durations.scope of the whole branch's durations


class ReportDay(Base):
    __tablename__ = "report_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # branch day, ISO
    computed_at: Mapped[str] = mapped_column(String(32), nullable=False)


class ReportDaily(Base):
    __tablename__ = "report_daily"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    teller_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # '' : a row with no teller
    sessions_completed: Mapped[int] = mapped_column(Integer, nullable=False)
    sessions_stopped: Mapped[int] = mapped_column(Integer, nullable=False)
    sessions_open: Mapped[int] = mapped_column(Integer, nullable=False)
    decisions: Mapped[int] = mapped_column(Integer, nullable=False)
    customer_initiated: Mapped[int] = mapped_column(Integer, nullable=False)
    mismatches: Mapped[int] = mapped_column(Integer, nullable=False)
    cooling_sales: Mapped[int] = mapped_column(Integer, nullable=False)
    cooling_cancelled: Mapped[int] = mapped_column(Integer, nullable=False)
    approvals_overrides: Mapped[int] = mapped_column(Integer, nullable=False)
    screening_waiting: Mapped[int] = mapped_column(Integer, nullable=False)
    eval_1: Mapped[int] = mapped_column(Integer, nullable=False)
    eval_2: Mapped[int] = mapped_column(Integer, nullable=False)
    eval_3: Mapped[int] = mapped_column(Integer, nullable=False)
    eval_4: Mapped[int] = mapped_column(Integer, nullable=False)
    eval_5: Mapped[int] = mapped_column(Integer, nullable=False)
    eval_skipped: Mapped[int] = mapped_column(Integer, nullable=False)
    nps_promoters: Mapped[int] = mapped_column(Integer, nullable=False)
    nps_passives: Mapped[int] = mapped_column(Integer, nullable=False)
    nps_detractors: Mapped[int] = mapped_column(Integer, nullable=False)
    approvals: Mapped[str] = mapped_column(Text, nullable=False)   # JSON {status: count}, requested that day
    screenings: Mapped[str] = mapped_column(Text, nullable=False)  # JSON {status: count}, potential hits


class ReportDuration(Base):
    __tablename__ = "report_durations"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    scope: Mapped[str] = mapped_column(String(36), primary_key=True)  # a teller's id, or BRANCH_SCOPE
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    samples: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # sorted milliseconds (reports.daily.pack)
