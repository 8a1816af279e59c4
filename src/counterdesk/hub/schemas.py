"""Request and response bodies of the hub's HTTP API, with the limits the protocol sets."""
from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, WithJsonSchema, field_validator
from pydantic.config import JsonDict

from counterdesk.hub.clock import iso_utc, parse_iso
from counterdesk.hub.record_types import RECORD_TYPES
from counterdesk.protocol.checkpoints import MAX_ENTRIES, MAX_EVIDENCE
from counterdesk.protocol.signing import is_weak_public_key

MAX_BATCH = 500
MAX_PULL = 500
MAX_WAIT_S = 30
MAX_ENVELOPE_BYTES = 256 * 1024
MIN_ENVELOPE_BYTES = 12 + 16  # AES-GCM nonce and tag around an empty plaintext
MAX_META_KEYS = 16
MAX_MASTER_ITEMS = 50
MAX_CHECKPOINT_ENTRIES = MAX_ENTRIES
MAX_CHECKPOINT_EVIDENCE = MAX_EVIDENCE
MAX_CHECKPOINTS = 500
MAX_ANCHORED_ENTRIES = 5000

BRANCH_CODE = r"^[A-Za-z0-9_-]{1,32}$"
KEY_ID = r"^bk1-[0-9a-f]{16}$"
META_TEXT = r"^[A-Za-z0-9_.:+-]*$"
CUSTOMER_TAG = r"^ct1-[0-9a-f]{32}$"
MAX_PURGES = 10000
BASE64: JsonDict = {"contentEncoding": "base64"}


def _b64(value: str, *, min_len: int = 0, max_len: int) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not standard base64") from exc
    if not min_len <= len(raw) <= max_len:
        raise ValueError(f"must decode to {min_len}..{max_len} bytes")
    return raw


def _b64_len(n: int) -> int:
    return 4 * ((n + 2) // 3)


MetaKey = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
MetaValue = (Annotated[StrictInt, Field(ge=-(2 ** 63), lt=2 ** 63)]
             | Annotated[str, StringConstraints(max_length=64, pattern=META_TEXT)] | None)
IsoTime = Annotated[str, StringConstraints(min_length=10, max_length=40), WithJsonSchema({"type": "string",
                                                                                          "format": "date-time"})]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


# ---- enrolment -----------------------------------------------------------------------------------

class EnrolIn(_In):
    branch_code: str = Field(pattern=BRANCH_CODE)
    code: str = Field(pattern=r"^[0-9A-Fa-f]{32}$")
    workstation_id: uuid.UUID
    name: str = Field(min_length=1, max_length=100)
    sign_public_key: str = Field(min_length=_b64_len(32), max_length=_b64_len(32),
                                 description="base64 of the 32 raw Ed25519 public-key bytes",
                                 json_schema_extra=BASE64)
    branch_key_id: str | None = Field(default=None, pattern=KEY_ID)

    @field_validator("sign_public_key")
    @classmethod
    def _key(cls, value: str) -> str:
        if is_weak_public_key(_b64(value, min_len=32, max_len=32)):
            raise ValueError("not a usable Ed25519 public key (a point of small order or a non-canonical encoding)")
        return value


class EnrolOut(BaseModel):
    device_id: uuid.UUID
    branch_code: str
    wrapped_branch_key: str | None
    head_office_public_key: str | None
    server_time: str


class EnrolCodeIn(_In):
    code_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    wrapped_branch_key: str = Field(min_length=_b64_len(MIN_ENVELOPE_BYTES), max_length=_b64_len(256),
                                    json_schema_extra=BASE64)
    expires_in_s: int = Field(ge=60, le=7 * 24 * 3600)

    @field_validator("wrapped_branch_key")
    @classmethod
    def _wrapped(cls, value: str) -> str:
        _b64(value, min_len=MIN_ENVELOPE_BYTES, max_len=256)
        return value


class EnrolCodeOut(BaseModel):
    branch_code: str
    expires_at: str
    server_time: str


# ---- records -------------------------------------------------------------------------------------

class RecordIn(_In):
    """One record as a workstation pushes it; anything else in ``records`` is rejected as ``malformed``."""

    id: uuid.UUID
    type: str = Field(min_length=1, max_length=64, json_schema_extra={"examples": [*sorted(RECORD_TYPES)]})
    workstation_id: uuid.UUID
    created_at: IsoTime
    key_id: str = Field(pattern=KEY_ID)
    envelope: str = Field(min_length=_b64_len(MIN_ENVELOPE_BYTES), max_length=_b64_len(MAX_ENVELOPE_BYTES),
                          description="base64 of nonce(12) ‖ AES-256-GCM ciphertext", json_schema_extra=BASE64)
    meta: dict[MetaKey, MetaValue] = Field(default_factory=dict, max_length=MAX_META_KEYS)
    # A retention tombstone only: the ids of the branch's records its purge removes (the hub deletes them).
    purges: list[uuid.UUID] | None = Field(default=None, max_length=MAX_PURGES,
                                           description="retention.tombstone only: ids of the branch's records "
                                                       "that the purge removes from the hub")

    @field_validator("created_at")
    @classmethod
    def _time(cls, value: str) -> str:
        return iso_utc(parse_iso(value))

    @field_validator("envelope")
    @classmethod
    def _envelope(cls, value: str) -> str:
        _b64(value, min_len=MIN_ENVELOPE_BYTES, max_len=MAX_ENVELOPE_BYTES)
        return value


RawRecord = Annotated[Any, WithJsonSchema(RecordIn.model_json_schema())]


class PushIn(_In):
    records: list[RawRecord] = Field(max_length=MAX_BATCH)


class Receipt(BaseModel):
    id: str | None
    status: str
    seq: int | None
    error: str | None


class PushOut(BaseModel):
    receipts: list[Receipt]
    server_time: str


class RecordOut(BaseModel):
    seq: int
    id: uuid.UUID
    type: str
    workstation_id: uuid.UUID
    created_at: str
    key_id: str
    envelope: str
    meta: dict[str, Any]


class PullOut(BaseModel):
    records: list[RecordOut]
    cursor: int
    more: bool


class WaitOut(BaseModel):
    cursor: int


# ---- master data, health -------------------------------------------------------------------------

class MasterItemOut(BaseModel):
    seq: int
    kind: str
    version: int
    sha256: str
    payload: str
    signature: str
    published_at: str


class MasterOut(BaseModel):
    items: list[MasterItemOut]
    more: bool


class HealthOut(BaseModel):
    status: str
    protocol: int
    server_time: str


class ErrorOut(BaseModel):
    error: str
    detail: str


# ---- checkpoints (counterdesk.hub.checkpoints, protocol.checkpoints) -----------------------------

Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
LowerUuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
Seq = Annotated[StrictInt, Field(ge=0, lt=2 ** 63)]
SignoffRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class CheckpointBody(_In):
    """What the device signed (protocol.checkpoints); the hub checks it field by field as sent."""

    v: Literal[1]
    branch: str = Field(pattern=BRANCH_CODE)
    installation_id: LowerUuid
    device_id: LowerUuid
    chain: Literal["audit", "records"]
    from_seq: Seq
    prev_head: str = Field(pattern=r"^([0-9a-f]{64})?$")
    seq: Seq
    head: str = Field(pattern=r"^([0-9a-f]{64})?$")
    entries: list[tuple[Seq, Hex64]] = Field(max_length=MAX_CHECKPOINT_ENTRIES)
    evidence: list[tuple[SignoffRef, Seq, Hex64]] = Field(max_length=MAX_CHECKPOINT_EVIDENCE)
    created_at: IsoTime


class CheckpointIn(_In):
    checkpoint: CheckpointBody
    signature: str = Field(min_length=_b64_len(64), max_length=_b64_len(64), json_schema_extra=BASE64,
                           description="base64 of the 64-byte Ed25519 signature of the checkpoint")

    @field_validator("signature")
    @classmethod
    def _signature(cls, value: str) -> str:
        _b64(value, min_len=64, max_len=64)
        return value


class CheckpointOut(BaseModel):
    id: int | None       # None: everything in it was anchored already
    status: str          # accepted, duplicate
    chain: str
    seq: int
    server_time: str


class CheckpointSummary(BaseModel):
    id: int
    device_id: uuid.UUID
    chain: str
    from_seq: int
    prev_head: str
    seq: int
    head: str
    created_at: str
    received_at: str
    status: str          # accepted, refused
    reason: str | None
    evidence: list[tuple[str, int, str]]


class CheckpointsOut(BaseModel):
    checkpoints: list[CheckpointSummary]
    more: bool


class AnchorHead(BaseModel):
    chain: str
    seq: int
    head: str
    anchored_at: str


class AnchorHeadsOut(BaseModel):
    heads: list[AnchorHead]
    server_time: str


class AnchoredEntriesOut(BaseModel):
    entries: list[tuple[int, str]]
    more: bool
