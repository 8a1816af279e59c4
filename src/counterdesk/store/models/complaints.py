"""Tables of complaint handling (migration 0018).

``complaints`` holds the current state of each complaint (owner, deadline, outcome) for the queue;
``complaint_events`` is its history, append-only (database triggers refuse UPDATE and DELETE): who
received, handed over, asked for and approved an extension, told the customer, resolved and
re-opened it, and when. The customer's words and the free-text reasons are personal data: they live
only here, in the encrypted store, never in the audit log.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), nullable=False, unique=True)
    received_at: Mapped[str] = mapped_column(String(32), nullable=False)
    received_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(24), nullable=False)
    customer_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("customers.id"), nullable=True, index=True)
    session_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("counter_sessions.id"), nullable=True)
    signoff_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("signoffs.id"), nullable=True)
    words: Mapped[str] = mapped_column(Text, nullable=False)
    # simple / complex / especially_complex (only through an approved and notified extension)
    complexity: Mapped[str] = mapped_column(String(24), nullable=False)
    owner_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)      # open / resolved
    due_on: Mapped[str] = mapped_column(String(10), nullable=False, index=True)  # branch calendar day
    period_start: Mapped[str] = mapped_column(String(10), nullable=False)  # the day the current deadline counts from
    # requested / approved / refused / notified; requested_days the total asked for
    extension_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    extension_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    extension_requested_by: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id"), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    decision: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id"), nullable=True)
    customer_response: Mapped[str | None] = mapped_column(String(16), nullable=True)  # accepted / disagreed
    reopen_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_at: Mapped[str] = mapped_column(String(32), nullable=False)


class ComplaintEvent(Base):
    __tablename__ = "complaint_events"
    __table_args__ = (UniqueConstraint("complaint_id", "seq", name="uq_complaint_events_complaint_seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(String(36), ForeignKey("complaints.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    at: Mapped[str] = mapped_column(String(32), nullable=False)
    by_user: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    to_user: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id"), nullable=True)
    days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_on: Mapped[str | None] = mapped_column(String(10), nullable=True)
    code: Mapped[str | None] = mapped_column(String(24), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
