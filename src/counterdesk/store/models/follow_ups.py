"""The outcomes of follow-ups (migration 0022): one row per contact recorded from the follow-up list
(counterdesk.services.followups), written once. The list itself is computed from the store (follow-up
tasks, sales, assessments, product terms); a closing outcome takes an item off it.

The note is the employee's own words about the customer and may hold personal data: it lives only
here, in the encrypted store (SQLCipher encrypts every page, indexes included), never in the audit log,
the hub's clear meta or a log file.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class FollowUpOutcome(Base):
    __tablename__ = "follow_up_outcomes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # post_sale_call / elderly_extra / assessment_expiring / product_maturing
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    # what the item is about: the follow-up task, the sale (sign-off) or the assessment
    source_id: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_id: Mapped[str] = mapped_column(String(36), ForeignKey("customers.id"), nullable=False, index=True)
    signoff_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("signoffs.id"), nullable=True)
    branch: Mapped[str] = mapped_column(String(16), nullable=False)
    due_on: Mapped[str] = mapped_column(String(10), nullable=False)  # the item's due day when it was recorded
    outcome: Mapped[str] = mapped_column(String(24), nullable=False)  # reached / not_reached / declined / wrong_contact
    closes: Mapped[bool] = mapped_column(Boolean, nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    recording_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    recorded_at: Mapped[str] = mapped_column(String(32), nullable=False)

    __table_args__ = (Index("ix_follow_up_outcomes_source", "kind", "source_id"),)
