"""Storing pushed records (idempotent by id, per-record rejection) and reading them back by cursor."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, bindparam, delete, func, inspect, literal_column, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from counterdesk.hub import hotpath
from counterdesk.hub.auth import SignedDevice
from counterdesk.hub.clock import iso_utc, parse_iso, utcnow
from counterdesk.hub.models import Branch, Record
from counterdesk.hub.record_types import CUSTOMER_TAG, PURGEABLE, RECORD_TYPES, meta_keys_not_allowed
from counterdesk.hub.schemas import RecordIn
from counterdesk.protocol.signing import sha256_hex

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
_RECORDS = cast(Table, Record.__table__)
_BRANCHES = cast(Table, Branch.__table__)
# Records up to the branch's key floor were sealed under a key given up by `branch rekey` (hub/rekey.py):
# no workstation of the branch can open them, so a pull never returns them (one primary-key look-up).
_FLOOR = (select(func.coalesce(_BRANCHES.c.key_floor_seq, 0)).where(_BRANCHES.c.code == bindparam("branch"))
          .scalar_subquery())
_PAGE_ALL = (select(_RECORDS.c.seq, _RECORDS.c.id, _RECORDS.c.type, _RECORDS.c.workstation_id,
                    _RECORDS.c.created_at, _RECORDS.c.key_id, _RECORDS.c.envelope, _RECORDS.c.meta)
             .where(_RECORDS.c.branch == bindparam("branch"), _RECORDS.c.seq > bindparam("cursor"))
             .order_by(_RECORDS.c.seq).limit(bindparam("limit")))
_PAGE = _PAGE_ALL.where(_RECORDS.c.seq > _FLOOR)
_FLOOR_OF = select(_BRANCHES.c.key_floor_seq).where(_BRANCHES.c.code == bindparam("branch"))
_NEWEST = select(func.max(_RECORDS.c.seq)).where(_RECORDS.c.branch == bindparam("branch"))
# The tag as a literal key (not a bound one), so that PostgreSQL's expression index of hub migration 0005
# serves the look-up; SQLite (the demo hub) reads the same operator.
_TAG: ColumnElement[str] = literal_column(f"meta ->> '{CUSTOMER_TAG}'")
_TAGGED = (select(_RECORDS.c.seq, _RECORDS.c.id, _RECORDS.c.type, _RECORDS.c.workstation_id, _RECORDS.c.created_at,
                  _RECORDS.c.key_id, _RECORDS.c.envelope, _RECORDS.c.meta)
           .where(_RECORDS.c.branch == bindparam("branch"), _TAG == bindparam("tag"),
                  _RECORDS.c.seq > bindparam("cursor"))
           .order_by(_RECORDS.c.seq).limit(bindparam("limit")))
_TAGGED_ABOVE_FLOOR = _TAGGED.where(_RECORDS.c.seq > _FLOOR)


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
    if record.purges is not None and record.type != "retention.tombstone":
        return receipt(raw_id, REJECTED, error="malformed")
    envelope = base64.b64decode(record.envelope)
    return _Checked(index, record, envelope, content_sha256(record, envelope))


def content_sha256(record: RecordIn, envelope: bytes) -> str:
    """What "the same content" means for a re-sent record: every field, the envelope by its digest."""
    canonical = {"id": str(record.id), "type": record.type, "workstation_id": str(record.workstation_id),
                 "created_at": record.created_at, "key_id": record.key_id, "envelope": sha256_hex(envelope),
                 "meta": record.meta}
    if record.purges is not None:  # absent for every other record: their digests stay as they were
        canonical["purges"] = [str(p) for p in record.purges]
    return sha256_hex(json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())


def store_batch(sessions: sessionmaker[Session], device: SignedDevice, raws: list[Any]) -> list[dict[str, Any]]:
    """One receipt per record, in order. Every accepted record of the batch commits in one transaction."""
    engine = sessions.kw["bind"]
    with engine.begin() as conn:
        return store_on(conn, device, raws)


def store_on(conn: Connection, device: SignedDevice, raws: list[Any]) -> list[dict[str, Any]]:
    """``store_batch`` inside the caller's transaction (the push route verifies and stores in one)."""
    receipts: list[dict[str, Any] | None] = [None] * len(raws)
    checked: list[_Checked] = []
    for index, raw in enumerate(raws):
        result = check_record(index, raw)
        if isinstance(result, _Checked):
            checked.append(result)
        else:
            receipts[index] = result
    if checked:
        for index, result in _store(conn, device, checked).items():
            receipts[index] = result
    return [r for r in receipts if r is not None]


def _store(conn: Connection, device: SignedDevice, checked: list[_Checked]) -> dict[int, dict]:
    """Two round trips for a batch of new records (hub/hotpath.py): lock the branch, one INSERT … ON
    CONFLICT (id) DO NOTHING RETURNING for the whole batch; a look-up only for ids that were there."""
    out: dict[int, dict] = {}
    # The branch row lock serialises the branch's pushes: its sequence numbers commit in order,
    # so a reader that has seen seq N never later finds a smaller one appear.
    key_id = hotpath.lock_branch(conn, device.branch)
    if key_id is None:  # the first push of a branch whose enrolment named no key sets it
        key_id = checked[0].record.key_id
        conn.execute(update(_BRANCHES).where(_BRANCHES.c.code == device.branch).values(key_id=key_id))
    received_at = utcnow()
    first: dict[Any, _Checked] = {}        # id -> its first occurrence in the batch
    repeats: list[_Checked] = []           # later occurrences of an id of the batch
    rows: list[dict[str, Any]] = []
    for c in checked:
        rec = c.record
        if rec.key_id != key_id:
            out[c.index] = receipt(str(rec.id), REJECTED, error="wrong_key")
        elif rec.id in first:
            repeats.append(c)
        else:
            first[rec.id] = c
            rows.append({"id": rec.id, "branch": device.branch, "type": rec.type,
                         "workstation_id": rec.workstation_id, "device_id": device.id,
                         "created_at": parse_iso(rec.created_at), "received_at": received_at, "key_id": rec.key_id,
                         "envelope": c.envelope, "content_sha256": c.content_sha256, "meta": rec.meta})
    inserted: dict[Any, int] = {}
    if rows:
        inserted = hotpath.insert_new(conn, rows)
    # Ids that were there already (pushed before, or by another push a moment ago: ON CONFLICT
    # waited for that transaction), judged against the stored row as before.
    missing = [rid for rid in first if rid not in inserted]
    existing = {}
    if missing:
        existing = {row.id: row for row in conn.execute(
            select(_RECORDS.c.id, _RECORDS.c.branch, _RECORDS.c.content_sha256, _RECORDS.c.seq)
            .where(_RECORDS.c.id.in_(missing)))}
        if len(existing) != len(missing):
            raise RuntimeError("a record id conflicted on insert but is not stored")  # never: records stay

    def judge(c: _Checked) -> dict[str, Any]:
        rid = c.record.id
        if rid in existing:
            old = existing[rid]
            if old.branch == device.branch and old.content_sha256 == c.content_sha256:
                return receipt(str(rid), DUPLICATE, seq=old.seq)
            return receipt(str(rid), REJECTED, error="conflict_id")
        if c is first[rid]:
            return receipt(str(rid), ACCEPTED, seq=inserted[rid])
        if c.content_sha256 == first[rid].content_sha256:  # sent twice in this batch
            return receipt(str(rid), DUPLICATE, seq=inserted[rid])
        return receipt(str(rid), REJECTED, error="conflict_id")

    for c in [*first.values(), *repeats]:
        out[c.index] = judge(c)
    _purge(conn, device.branch, [p for rid, c in first.items() if rid in inserted and c.record.purges
                                 for p in c.record.purges])
    return out


def _purge(conn: Connection, branch: str, ids: list[Any]) -> int:
    """A tombstone accepted just now: delete the listed records of the branch (the hub cannot read them,
    so the purging workstation names them). Never a record of another branch, nor one the purge keeps."""
    if not ids:
        return 0
    gone = 0
    for start in range(0, len(ids), 1000):
        gone += conn.execute(delete(_RECORDS).where(_RECORDS.c.branch == branch, _RECORDS.c.id.in_(
            ids[start:start + 1000]), _RECORDS.c.type.in_(sorted(PURGEABLE)))).rowcount or 0
    return gone


def floor_available(engine: Any) -> bool:
    """Whether the database has the branches' key floor (hub migration 0006 or later)."""
    with engine.connect() as conn:
        return any(c["name"] == "key_floor_seq" for c in inspect(conn).get_columns("branches"))


def pull(sessions: sessionmaker[Session], branch: str, cursor: int, limit: int,
         with_floor: bool = True) -> dict[str, Any]:
    """``with_floor``: the schema has the key floor (an app on a database from before hub migration 0006, as
    the upgrade tests run "the old hub", pulls without it)."""
    # Core rows, not ORM objects: the page is read once and turned into JSON at once.
    with sessions.kw["bind"].connect() as conn:
        rows = conn.execute(_PAGE if with_floor else _PAGE_ALL,
                            {"branch": branch, "cursor": cursor, "limit": limit + 1}).all()
        # Nothing new: a cursor below the key floor moves up to it (else a long poll would wake at once
        # for records this workstation is never given).
        floor = 0 if rows or not with_floor else (conn.execute(_FLOOR_OF, {"branch": branch}).scalar() or 0)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"records": [record_out(r) for r in rows], "cursor": rows[-1].seq if rows else max(cursor, floor),
            "more": more}


def customer_records(sessions: sessionmaker[Session], branch: str, tag: str, cursor: int,
                     limit: int, with_floor: bool = True) -> dict[str, Any]:
    """The branch's records carrying ``tag`` after ``cursor``, as a pull page (their cursor is theirs
    alone: the workstation's pull cursor does not move)."""
    with sessions.kw["bind"].connect() as conn:
        rows = conn.execute(_TAGGED_ABOVE_FLOOR if with_floor else _TAGGED,
                            {"branch": branch, "tag": tag, "cursor": cursor, "limit": limit + 1}).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"records": [record_out(r) for r in rows], "cursor": rows[-1].seq if rows else cursor, "more": more}


def record_out(row: Any) -> dict[str, Any]:
    return {"seq": row.seq, "id": str(row.id), "type": row.type, "workstation_id": str(row.workstation_id),
            "created_at": iso_utc(row.created_at), "key_id": row.key_id,
            "envelope": base64.b64encode(row.envelope).decode("ascii"), "meta": row.meta}


def newest_seq(sessions: sessionmaker[Session], branch: str) -> int:
    """The branch's highest sequence number, 0 when it has no record."""
    with sessions.kw["bind"].connect() as conn:
        return conn.execute(_NEWEST, {"branch": branch}).scalar() or 0
