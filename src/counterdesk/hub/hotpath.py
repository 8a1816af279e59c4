"""The statements of the push path (device, nonce, branch lock, record insert), written twice: as plain
SQL on the psycopg connection under SQLAlchemy's transaction for PostgreSQL, and as SQLAlchemy Core
for SQLite (the demo hub).

Why: per push, SQLAlchemy's execution layer (cache look-up, bind processing, result wrapping) cost
about as much CPU as psycopg and PostgreSQL together, ~0.8 ms of the ~2 ms of database work
(benches/hub_profile.py). The statements stay inside the caller's SQLAlchemy transaction, so commit,
rollback and pooling are SQLAlchemy's; psycopg prepares each one on the server after 5 uses.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from counterdesk.hub.models import Branch, Device, Nonce, Record

_DEVICES, _NONCES, _BRANCHES, _RECORDS = Device.__table__, Nonce.__table__, Branch.__table__, Record.__table__
_DIALECTS = (("postgresql", postgresql), ("sqlite", sqlite))

_DEVICE_BY_ID = select(_DEVICES.c.id, _DEVICES.c.branch, _DEVICES.c.workstation_id, _DEVICES.c.sign_public_key,
                       _DEVICES.c.revoked_at).where(_DEVICES.c.id == bindparam("id"))
_USE_NONCE = {name: d.insert(_NONCES).on_conflict_do_nothing().returning(_NONCES.c.device) for name, d in _DIALECTS}
_LOCK_BRANCH = select(_BRANCHES.c.key_id).where(_BRANCHES.c.code == bindparam("code")).with_for_update()
_INSERT_NEW = {name: d.insert(_RECORDS).on_conflict_do_nothing(index_elements=[_RECORDS.c.id])
               .returning(_RECORDS.c.id, _RECORDS.c.seq) for name, d in _DIALECTS}
# The batch as 8 arrays (one per column that varies) rather than 11 parameters per row: one short,
# constant statement that psycopg parses once and PostgreSQL prepares once, whatever the batch size,
# the arrays sent in binary (%b: no per-element text escaping)
# (with a VALUES row per record, psycopg re-parsed a 5,500-placeholder query for each 500-record push:
# half of that push's CPU). ORDER BY the position keeps the sequence numbers in batch order.
_PG_INSERT = (
    "INSERT INTO records (id, branch, type, workstation_id, device_id, created_at, received_at, key_id, envelope, "
    "content_sha256, meta) "
    "SELECT u.id, %(branch)s, u.type, u.ws, %(device)s, u.created, %(received)s, u.key_id, u.envelope, u.sha, "
    "u.meta::json FROM unnest(%(ids)b::uuid[], %(types)b::text[], %(ws)b::uuid[], %(created)b::timestamptz[], "
    "%(keys)b::text[], %(envelopes)b::bytea[], %(shas)b::text[], %(metas)b::text[]) WITH ORDINALITY "
    "AS u(id, type, ws, created, key_id, envelope, sha, meta, n) ORDER BY u.n "
    "ON CONFLICT (id) DO NOTHING RETURNING id, seq")


def _pg(conn: Connection) -> Any:
    """The psycopg connection under ``conn`` on PostgreSQL, else None."""
    return conn.connection.driver_connection if conn.dialect.name == "postgresql" else None


def device(conn: Connection, device_id: uuid.UUID) -> tuple | None:
    """(id, branch, workstation_id, sign_public_key, revoked_at) of a device, or None."""
    raw = _pg(conn)
    if raw is None:
        row = conn.execute(_DEVICE_BY_ID, {"id": device_id}).first()
        return None if row is None else tuple(row)
    return raw.execute("SELECT id, branch, workstation_id, sign_public_key, revoked_at FROM devices WHERE id = %s",
                       (device_id,)).fetchone()


def use_nonce(conn: Connection, device_id: uuid.UUID, nonce: str, seen_at: datetime) -> bool:
    """Record the nonce; False if the device used it before (ON CONFLICT DO NOTHING: no exception that
    would end the transaction; a concurrent request with the same nonce waits for this one)."""
    raw = _pg(conn)
    if raw is None:
        return conn.execute(_USE_NONCE[conn.dialect.name],
                            {"device": device_id, "nonce": nonce, "seen_at": seen_at}).first() is not None
    return raw.execute("INSERT INTO nonces (device, nonce, seen_at) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING "
                       "RETURNING device", (device_id, nonce, seen_at)).fetchone() is not None


def lock_branch(conn: Connection, code: str) -> str | None:
    """Lock the branch row until commit; its key id."""
    raw = _pg(conn)
    if raw is None:
        return conn.execute(_LOCK_BRANCH, {"code": code}).scalar_one()
    row = raw.execute("SELECT key_id FROM branches WHERE code = %s FOR UPDATE", (code,)).fetchone()
    if row is None:
        raise LookupError(f"branch {code} is gone")  # never: a device's branch is a foreign key
    return row[0]


def insert_new(conn: Connection, rows: list[dict[str, Any]]) -> dict[uuid.UUID, int]:
    """One multi-row INSERT … ON CONFLICT (id) DO NOTHING RETURNING: {id: seq} of the rows inserted."""
    raw = _pg(conn)
    if raw is None:
        return {rid: seq for rid, seq in conn.execute(_INSERT_NEW[conn.dialect.name], rows).all()}
    first = rows[0]  # one push: one branch, one device, one receive time
    params = {"branch": first["branch"], "device": first["device_id"], "received": first["received_at"],
              "ids": [r["id"] for r in rows], "types": [r["type"] for r in rows],
              "ws": [r["workstation_id"] for r in rows], "created": [r["created_at"] for r in rows],
              "keys": [r["key_id"] for r in rows], "envelopes": [r["envelope"] for r in rows],
              "shas": [r["content_sha256"] for r in rows], "metas": [json.dumps(r["meta"]) for r in rows]}
    return {rid: seq for rid, seq in raw.execute(_PG_INSERT, params).fetchall()}
