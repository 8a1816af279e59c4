"""Tables of the workstation side of sync (migration 0010), all inside the SQLCipher database.

``outbox``      one row per syncable change, written in the same transaction as the change; its body
                (the changed row, in clear) never leaves this file unencrypted: it is sealed with the
                branch key at the first push and the sealed envelope is kept, so a re-sent record is
                byte-identical (the hub answers "duplicate", never "conflict").
``inbox``       records pulled from the hub, decrypted, and whether they were applied.
``sync_state``  key/value: workstation_id, device_id, branch_code, hub_url, cursor, clock_offset, …
``sync_keys``   the device signing key, the branch key and the pinned head-office public key.
``sync_conflicts`` what could not be merged silently (two versions of one customer from one base, a
                request decided on two workstations): both sides are kept until a user resolves it.
``sync_remote_users`` users of other workstations that remote records name: each has an inactive
                placeholder row in ``users`` (no key slot, so it can never sign in) so that foreign
                keys hold; the users page may use this table to tell them apart.
``sync_origins`` which workstation a replicated row came from.
``sync_master`` signed master-data items from head office, verified, and whether applied.
``sync_remote_audit`` the audit entries of the branch's other workstations (migration 0024), as their
                origin wrote them, keyed by origin workstation and sequence: each origin's chain is
                verified on its own (counterdesk.services.sync.remote_audit); the local ``audit_log``
                and its chain stay this workstation's alone. Append-only (triggers).

Pruning (migration 0024, counterdesk.services.sync.prune): a sent outbox row keeps its id, type and
meta after the retention window (enrolling again and derived ids need them) but loses its body and
envelope (``pruned_at`` set); an applied inbox row is deleted.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base

PENDING, SENT, QUARANTINED = "pending", "sent", "quarantined"


class Outbox(Base):
    __tablename__ = "outbox"
    # Pruning looks for sent rows not pruned yet, oldest first (migration 0024).
    __table_args__ = (Index("ix_outbox_pruned_at_sent_at", "pruned_at", "sent_at"),)

    local_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    # For ids derived from the row (status changes, composite keys): uuid5(workstation_id | id_basis);
    # NULL when the id is the row's own uuid. Pending derived ids are re-derived at enrolment.
    id_basis: Mapped[str | None] = mapped_column(String(200), nullable=True)
    type: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[str] = mapped_column(String(40), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)            # JSON, stays in this encrypted file
    meta: Mapped[str] = mapped_column(Text, nullable=False)            # JSON, allow-listed keys only
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    server_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sent_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    workstation_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(24), nullable=True)
    envelope: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    pruned_at: Mapped[str | None] = mapped_column(String(40), nullable=True)   # body and envelope dropped


class Inbox(Base):
    __tablename__ = "inbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    type: Mapped[str] = mapped_column(String(64), nullable=False)
    workstation_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[str] = mapped_column(String(40), nullable=False)
    meta: Mapped[str] = mapped_column(Text, nullable=False)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)      # decrypted JSON; NULL if it did not open
    received_at: Mapped[str] = mapped_column(String(40), nullable=False)
    applied_at: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)   # applied, own, stored, conflict, …
    apply_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class SyncState(Base):
    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)           # JSON
    updated_at: Mapped[str] = mapped_column(String(40), nullable=False)


class SyncKey(Base):
    __tablename__ = "sync_keys"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)    # device_signing, branch, head_office
    key_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    material: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[str] = mapped_column(String(40), nullable=False)


class SyncConflict(Base):
    __tablename__ = "sync_conflicts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)      # customer_version, approval_decision, …
    object_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    local_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    remote_record_id: Mapped[str] = mapped_column(String(36), ForeignKey("inbox.id"), nullable=False)
    remote_workstation_id: Mapped[str] = mapped_column(String(36), nullable=False)
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    detected_at: Mapped[str] = mapped_column(String(40), nullable=False)
    resolved_by: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id"), nullable=True)
    resolved_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)   # local, remote


class SyncRemoteUser(Base):
    __tablename__ = "sync_remote_users"

    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), primary_key=True)
    workstation_id: Mapped[str] = mapped_column(String(36), nullable=False)
    username: Mapped[str] = mapped_column(String(64), nullable=False)  # as the other workstation knows it
    first_seen_at: Mapped[str] = mapped_column(String(40), nullable=False)


class SyncOrigin(Base):
    """Rows this workstation created from another workstation's record: only that workstation's
    later records may change them wholesale (others may only decide a pending approval)."""

    __tablename__ = "sync_origins"

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workstation_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[str] = mapped_column(String(40), nullable=False)


class SyncMaster(Base):
    __tablename__ = "sync_master"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    received_at: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)    # verified, applied, stored, refused, failed
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    applied_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class SyncRemoteAudit(Base):
    """One audit entry of another workstation of the branch, column for column as in its ``audit_log``."""

    __tablename__ = "sync_remote_audit"

    workstation_id: Mapped[str] = mapped_column(String(36), primary_key=True)   # the origin (from the hub)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    ts: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True)     # a user of the origin
    actor_name: Mapped[str] = mapped_column(String(64), nullable=False)
    workstation: Mapped[str] = mapped_column(String(64), nullable=False)        # the origin's name
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    object_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    object_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[str] = mapped_column(Text, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    received_at: Mapped[str] = mapped_column(String(40), nullable=False)
