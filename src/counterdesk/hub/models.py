"""The hub's tables. Record bodies are stored only as the workstations' ciphertext (``envelope``)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# One global, ever-growing sequence; SQLite only auto-increments an INTEGER PRIMARY KEY.
SEQ = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Branch(Base):
    __tablename__ = "branches"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The branch key's id (``bk1-…``): from the first enrolment that names it, else the first push.
    key_id: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # After `counterdesk-hub branch rekey` (hub migration 0006): the key given up, when, and the last seq
    # of the records under it (never pulled again: no workstation holds that key any more). Deferred: loaded
    # only when read, so the request path of a hub on an older schema (the upgrade tests) never asks for them.
    retired_key_id: Mapped[str | None] = mapped_column(String(24), deferred=True)
    rekeyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), deferred=True)
    key_floor_seq: Mapped[int | None] = mapped_column(BigInteger(), deferred=True)


class Device(Base):
    __tablename__ = "devices"
    # (branch, revoked_at): a branch's devices, and its active ones (revoked_at IS NULL) for the device
    # counts of `branch list`; it serves every lookup by branch alone too (migration 0002).
    __table_args__ = (Index("ix_devices_branch_revoked_at", "branch", "revoked_at"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    branch: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    workstation_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    name: Mapped[str] = mapped_column(String(100))
    sign_public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EnrolCode(Base):
    __tablename__ = "enrol_codes"
    code_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    branch: Mapped[str] = mapped_column(ForeignKey("branches.code"), index=True)
    wrapped_branch_key: Mapped[bytes | None] = mapped_column(LargeBinary(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The enrolled device that asked for the code; NULL for a code made on the hub (first workstation).
    created_by_device: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_device: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))


class Nonce(Base):
    __tablename__ = "nonces"
    device: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class RateLimit(Base):
    """A fixed-window counter shared by every hub process (hub migration 0004), e.g. ``enrol:<address>``."""

    __tablename__ = "rate_limits"
    bucket: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(Integer())


class Record(Base):
    __tablename__ = "records"
    # ix_records_device_id: what one device pushed (after a device is lost or revoked), and the foreign
    # key's own checks, without reading the whole table (migration 0002).
    # ix_records_customer_tag: one customer's tagged records of a branch (GET /v1/customer-records), holding
    # only the tagged rows (migration 0005).
    __table_args__ = (Index("ix_records_branch_seq", "branch", "seq"), Index("ix_records_device_id", "device_id"),
                      Index("ix_records_customer_tag", "branch", text("(meta ->> 'customer_tag')"), "seq",
                            postgresql_where=text("meta ->> 'customer_tag' IS NOT NULL"),
                            sqlite_where=text("meta ->> 'customer_tag' IS NOT NULL")))
    # ``protocol`` is written by its server default and never read in the request path: inserts do not
    # fetch it back, and loading a record leaves it out until it is asked for.
    __mapper_args__ = {"eager_defaults": False}
    seq: Mapped[int] = mapped_column(SEQ, Identity(), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), unique=True)
    branch: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    type: Mapped[str] = mapped_column(String(64))
    workstation_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(String(24))
    envelope: Mapped[bytes] = mapped_column(LargeBinary())
    content_sha256: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON())
    # The sync protocol version the record was pushed under (docs/sync-protocol.md, "version 1"): every
    # record so far came under version 1, so the server default fills it, for the rows that existed
    # before migration 0002 too. A later protocol tells its records apart by it.
    protocol: Mapped[int] = mapped_column(SmallInteger(), server_default=text("1"), deferred=True)


class MasterItem(Base):
    __tablename__ = "master_items"
    __table_args__ = (UniqueConstraint("kind", "version", name="uq_master_items_kind_version"),)
    seq: Mapped[int] = mapped_column(SEQ, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer())
    sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary())
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HeadOfficeKey(Base):
    """The head-office public key (one row, id 1) that workstations pin at enrolment."""

    __tablename__ = "head_office_key"
    id: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    fingerprint: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Checkpoint(Base):
    """A signed checkpoint of one chain of one installation (hub migration 0003), as the device sent it.

    Append-only (a trigger refuses UPDATE and DELETE). ``status`` is ``accepted``, or ``refused`` for an
    attempt that contradicted the history already anchored: kept, flagged, for head office to see.
    """

    __tablename__ = "checkpoints"
    __table_args__ = (Index("ix_checkpoints_scope", "branch", "installation_id", "id"),
                      Index("ix_checkpoints_status", "status"))
    id: Mapped[int] = mapped_column(SEQ, Identity(), primary_key=True)
    branch: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    installation_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    chain: Mapped[str] = mapped_column(String(16))
    from_seq: Mapped[int] = mapped_column(BigInteger())
    seq: Mapped[int] = mapped_column(BigInteger())
    prev_head: Mapped[str] = mapped_column(String(64))
    head: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())      # the device's clock
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[str] = mapped_column(Text())                         # the signed canonical JSON
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    # What this checkpoint newly anchored: [[signoff id, seq, hash], ...] (empty for a refused one).
    evidence: Mapped[list[Any]] = mapped_column(JSON())
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(300))


class AnchoredEntry(Base):
    """One entry hash of an installation's chain, as first anchored (append-only)."""

    __tablename__ = "anchored_entries"
    branch: Mapped[str] = mapped_column(ForeignKey("branches.code"), primary_key=True)
    installation_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger(), primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))


class AnchoredEvidence(Base):
    """The evidence head of one completed sale of an installation, as first anchored (append-only)."""

    __tablename__ = "anchored_evidence"
    branch: Mapped[str] = mapped_column(ForeignKey("branches.code"), primary_key=True)
    installation_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    signoff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer())
    hash: Mapped[str] = mapped_column(String(64))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
