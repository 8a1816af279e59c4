"""Tables of the sign-off (migration 0009).

``signoffs`` holds the state of one sign-off while it is being collected; everything that decides
or proves something is also written to the append-only tables: ``evidence_links`` (the hash chain
of the session's evidence), ``approval_requests`` (one row per request, decided once), ``confirmation_prints``
(every print), ``cooling_off_cancellations`` and ``follow_up_tasks``.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class Signoff(Base):
    __tablename__ = "signoffs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(36), ForeignKey("counter_sessions.id"), nullable=False, index=True)
    sale_decision_id: Mapped[str] = mapped_column(String(36), ForeignKey("sale_decisions.id"), nullable=False)
    customer_id: Mapped[str] = mapped_column(String(36), ForeignKey("customers.id"), nullable=False, index=True)
    teller_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    # collecting → pending_approval → approved/rejected → completed; stopped (recording refused, cancelled)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    plan: Mapped[str] = mapped_column(Text, nullable=False)            # JSON of SignoffPlan
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    read: Mapped[str | None] = mapped_column(Text, nullable=True)       # JSON: seconds, forms shown
    recording_consent: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    recording_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    typed_sentence: Mapped[str | None] = mapped_column(String(400), nullable=True)
    signature_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    signed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attested_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    document_number: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    evidence_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    completed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # indexed with status and id (follow_up_indexes, migration 0026)
    cooling_off_until: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_at: Mapped[str] = mapped_column(String(32), nullable=False)


class EvidenceLink(Base):
    __tablename__ = "evidence_links"
    __table_args__ = (UniqueConstraint("signoff_id", "seq", name="uq_evidence_links_signoff_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signoff_id: Mapped[str] = mapped_column(String(36), ForeignKey("signoffs.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)        # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)


class ApprovalRequest(Base):
    __tablename__ = "approval_requests"
    # One pending request per counter session (the core checks it too).
    __table_args__ = (Index("uq_approval_requests_one_pending", "session_id", unique=True,
                            sqlite_where=text("status = 'pending'")),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    signoff_id: Mapped[str] = mapped_column(String(36), ForeignKey("signoffs.id"), nullable=False, index=True)
    session_id: Mapped[str] = mapped_column(String(36), ForeignKey("counter_sessions.id"), nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)        # JSON list of {code, zh, en}
    requested_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    requested_at: Mapped[str] = mapped_column(String(32), nullable=False)
    expires_at: Mapped[str] = mapped_column(String(32), nullable=False)
    # pending → approved / rejected / withdrawn; an unanswered request past expires_at counts as expired
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    decided_by: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # decided at the teller's workstation
    override: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())


class ConfirmationPrint(Base):
    __tablename__ = "confirmation_prints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signoff_id: Mapped[str] = mapped_column(String(36), ForeignKey("signoffs.id"), nullable=False, index=True)
    copy: Mapped[str] = mapped_column(String(16), nullable=False)      # customer, branch, reprint
    pdf_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    printed_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    printed_at: Mapped[str] = mapped_column(String(32), nullable=False)


class CoolingOffCancellation(Base):
    __tablename__ = "cooling_off_cancellations"

    signoff_id: Mapped[str] = mapped_column(String(36), ForeignKey("signoffs.id"), primary_key=True)
    refund_reference: Mapped[str] = mapped_column(String(64), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    recorded_at: Mapped[str] = mapped_column(String(32), nullable=False)


class FollowUpTask(Base):
    __tablename__ = "follow_up_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    signoff_id: Mapped[str] = mapped_column(String(36), ForeignKey("signoffs.id"), nullable=False, unique=True)
    seller_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    due_at: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)    # open, done
    done_by: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id"), nullable=True)
    done_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(500), nullable=True)
