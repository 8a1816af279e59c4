"""What this workstation anchored at the hub (migration 0012): the checkpoints it issued and the sales'
evidence heads they carried.

A local record only — it proves nothing (whoever holds the database key can change it). It says
what was sent and what the hub answered, so sync knows which evidence heads are still to send and
the administrator can see pending and refused checkpoints. ``verify`` asks the hub.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base

PENDING, ACKNOWLEDGED, REFUSED = "pending", "acknowledged", "refused"


class AnchorCheckpoint(Base):
    __tablename__ = "anchor_checkpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    chain: Mapped[str] = mapped_column(String(16), nullable=False)
    from_seq: Mapped[int] = mapped_column(Integer, nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    head: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[str] = mapped_column(String(40), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)              # the signed canonical JSON
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)   # pending, acknowledged, refused
    hub_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answered_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class AnchorEvidence(Base):
    __tablename__ = "anchor_evidence"

    signoff_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    checkpoint_id: Mapped[str] = mapped_column(String(36), ForeignKey("anchor_checkpoints.id"), nullable=False)
