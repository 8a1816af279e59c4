"""Storing pushed records (idempotent by id, per-record rejection) and reading them back by cursor."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from counterdesk.hub.auth import SignedDevice
from counterdesk.hub.clock import iso_utc, parse_iso, utcnow
from counterdesk.hub.models import Branch, Record
from counterdesk.hub.record_types import RECORD_TYPES, meta_keys_not_allowed
from counterdesk.hub.schemas import RecordIn
from counterdesk.protocol.signing import sha256_hex

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
STORE_ATTEMPTS = 3


@dataclass
class _Checked:
    """A record that passed every check needing no database."""

    index: int
    record: RecordIn
    envelope: bytes
    content_sha256: str


def receipt(record_id: Any, status: str, seq: int | None = None, error: str | None = None) -> dict[str, Any]:
    return {"id": record_id[:64] if isinstance(record_id, str) else None, "status": status, "seq": seq, "error": error}


def check_record(index: int, raw: Any) -> _Checked | dict[str, Any]:
    """Structure, type and meta: a checked record, or the receipt that rejects it."""
    if not isinstance(raw, dict):
        return receipt(None, REJECTED, error="malformed")
    raw_id = raw.get("id")
    record_type, meta = raw.get("type"), raw.get("meta", {})
    if isinstance(record_type, str) and record_type not in RECORD_TYPES:
        return receipt(raw_id, REJECTED, error="unknown_type")
    if isinstance(record_type, str) and isinstance(meta, dict) and meta_keys_not_allowed(record_type, set(meta)):
        return receipt(raw_id, REJECTED, error="meta_not_allowed")
    try:
        record = RecordIn.model_validate(raw)
    except ValidationError:
        return receipt(raw_id, REJECTED, error="malformed")
    envelope = base64.b64decode(record.envelope)
    return _Checked(index, record, envelope, content_sha256(record, envelope))


def content_sha256(record: RecordIn, envelope: bytes) -> str:
    """What "the same content" means for a re-sent record: every field, the envelope by its digest."""
    canonical = {"id": str(record.id), "type": record.type, "workstation_id": str(record.workstation_id),
                 "created_at": record.created_at, "key_id": record.key_id, "envelope": sha256_hex(envelope),
                 "meta": record.meta}
    return sha256_hex(json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())


def store_batch(sessions: sessionmaker[Session], device: SignedDevice, raws: list[Any]) -> list[dict[str, Any]]:
    """One receipt per record, in order. Every accepted record of the batch commits in one transaction."""
    receipts: list[dict[str, Any] | None] = [None] * len(raws)
    checked: list[_Checked] = []
    for index, raw in enumerate(raws):
        result = check_record(index, raw)
        if isinstance(result, _Checked):
            checked.append(result)
        else:
            receipts[index] = result
    if checked:
        for attempt in range(STORE_ATTEMPTS):
            try:
                stored = _store(sessions, device, checked)
                break
            except IntegrityError:
                # Another branch's push inserted the same record id at the same moment; look again.
                if attempt == STORE_ATTEMPTS - 1:
                    raise
        for index, result in stored.items():
            receipts[index] = result
    return [r for r in receipts if r is not None]


def _store(sessions: sessionmaker[Session], device: SignedDevice, checked: list[_Checked]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    with sessions.begin() as session:
        # The branch row lock serialises the branch's pushes: its sequence numbers commit in order,
        # so a reader that has seen seq N never later finds a smaller one appear.
        branch = session.execute(select(Branch).where(Branch.code == device.branch).with_for_update()).scalar_one()
        ids = [c.record.id for c in checked]
        existing = {row.id: row for row in session.execute(
            select(Record.id, Record.branch, Record.content_sha256, Record.seq).where(Record.id.in_(ids)))}
        received_at = utcnow()
        fresh: dict[Any, tuple[str, dict]] = {}
        pending: list[tuple[int, Any, str]] = []
        for c in checked:
            rec = c.record
            if branch.key_id is None:
                branch.key_id = rec.key_id
            if rec.key_id != branch.key_id:
                out[c.index] = receipt(str(rec.id), REJECTED, error="wrong_key")
            elif rec.id in existing:
                old = existing[rec.id]
                if old.branch == device.branch and old.content_sha256 == c.content_sha256:
                    out[c.index] = receipt(str(rec.id), DUPLICATE, seq=old.seq)
                else:
                    out[c.index] = receipt(str(rec.id), REJECTED, error="conflict_id")
            elif rec.id in fresh:
                sha, _row = fresh[rec.id]
                pending.append((c.index, rec.id, DUPLICATE if sha == c.content_sha256 else "conflict_id"))
            else:
                row = {"id": rec.id, "branch": device.branch, "type": rec.type, "workstation_id": rec.workstation_id,
                       "device_id": device.id, "created_at": parse_iso(rec.created_at), "received_at": received_at,
                       "key_id": rec.key_id, "envelope": c.envelope, "content_sha256": c.content_sha256,
                       "meta": rec.meta}
                fresh[rec.id] = (c.content_sha256, row)
                pending.append((c.index, rec.id, ACCEPTED))
        seqs: dict[Any, int] = {}
        if fresh:
            # One multi-row INSERT … RETURNING (Core, not the ORM unit of work): the batch's rows and
            # their new sequence numbers in a single round trip, in the order given.
            result = session.execute(insert(Record).returning(Record.id, Record.seq, sort_by_parameter_order=True),
                                     [row for _sha, row in fresh.values()])
            seqs = {rid: seq for rid, seq in result.all()}
        for index, rid, status in pending:
            if status == "conflict_id":
                out[index] = receipt(str(rid), REJECTED, error="conflict_id")
            else:
                out[index] = receipt(str(rid), status, seq=seqs[rid])
    return out


def pull(sessions: sessionmaker[Session], branch: str, cursor: int, limit: int) -> dict[str, Any]:
    with sessions() as session:
        rows = session.execute(select(Record).where(Record.branch == branch, Record.seq > cursor)
                               .order_by(Record.seq).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"records": [record_out(r) for r in rows], "cursor": rows[-1].seq if rows else cursor, "more": more}


def record_out(row: Record) -> dict[str, Any]:
    return {"seq": row.seq, "id": str(row.id), "type": row.type, "workstation_id": str(row.workstation_id),
            "created_at": iso_utc(row.created_at), "key_id": row.key_id,
            "envelope": base64.b64encode(row.envelope).decode("ascii"), "meta": row.meta}


def newest_seq(sessions: sessionmaker[Session], branch: str) -> int:
    """The branch's highest sequence number, 0 when it has no record."""
    with sessions() as session:
        return session.execute(select(func.max(Record.seq)).where(Record.branch == branch)).scalar() or 0
