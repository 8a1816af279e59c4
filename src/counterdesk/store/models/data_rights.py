"""Data rights (个人信息保护法 arts 44-47): the restriction of a customer whose deletion request falls
inside a legal retention period, and the tombstones the retention job leaves where it purged.

Neither table holds personal data: ids, codes, times and the retention rule that applied. The
reason of a restriction is a code from a fixed list (the customer's own words stay on paper).
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class CustomerRestriction(Base):
    """One row per customer: processing restricted to storage and security protection (PIPL art 47).
    No foreign key on the customer: the row outlives the purge of the customer it restricted."""

    __tablename__ = "customer_restrictions"

    customer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    requested_at: Mapped[str] = mapped_column(String(32), nullable=False)
    recorded_at: Mapped[str] = mapped_column(String(32), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    reason_code: Mapped[str] = mapped_column(String(32), nullable=False)
    basis: Mapped[str] = mapped_column(String(32), nullable=False)  # the retention rule that keeps the data
    retain_until: Mapped[str | None] = mapped_column(String(10), nullable=True)  # ISO date, when known


class RetentionTombstone(Base):
    """What the retention job purged: the subject (a customer id), the rule and when; no personal data.
    Its presence is what lets the database delete the subject's append-only rows (migration 0019)."""

    __tablename__ = "retention_tombstones"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # customer
    subject_id: Mapped[str] = mapped_column(String(36), nullable=False)
    rule: Mapped[str] = mapped_column(String(32), nullable=False)
    retained_from: Mapped[str] = mapped_column(String(32), nullable=False)  # the event the period counts from
    retain_years: Mapped[int] = mapped_column(Integer, nullable=False)
    purged_at: Mapped[str] = mapped_column(String(32), nullable=False)
    purged_by: Mapped[str | None] = mapped_column(String(36), nullable=True)  # None: applied from another workstation
    rows: Mapped[int] = mapped_column(Integer, nullable=False)  # how many rows went, all tables together

    __table_args__ = (Index("ux_retention_tombstones_subject", "kind", "subject_id", unique=True),)
