"""The customer's evaluation of the service at the end of a counter session (migration 0020).

One row per session, written once from the customer window: the stars (1-5), the reason codes, the
optional comment and, every N-th session, the likelihood to recommend (NPS, 0-10); or that the customer
skipped. The comment is the customer's own words: it lives only here, in the encrypted store, never in
the audit log or a log file.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class CustomerEvaluation(Base):
    __tablename__ = "customer_evaluations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(36), ForeignKey("counter_sessions.id"), nullable=False,
                                            unique=True)
    teller_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False)   # customer_screen (the only one accepted)
    status: Mapped[str] = mapped_column(String(16), nullable=False)   # submitted / skipped
    stars: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reasons: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # codes, comma-separated
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    nps_asked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    nps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
