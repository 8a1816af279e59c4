"""A purge reaches the sync copies too: the outbox and inbox bodies of the purged customer's records,
and the hub's stored envelopes of them.

The rows that go (``job.PURGE_ORDER``) were also written into the outbox (this workstation's records,
sent or waiting) and the inbox (other workstations' records, decrypted). In the purge's own transaction
each such copy loses its body and envelope (an outbox row keeps id, type and meta, as after pruning,
so it is never sent again and its id is never reused; an inbox row keeps its id and outcome
``purged``). The ids of the copies that may be at the hub go into the tombstone's body as ``purges``:
sent with the tombstone, they make the hub delete those records (it cannot read them to find them),
and a workstation applying the tombstone blanks its inbox copies of them as well as what it finds of
the customer itself. If that workstation holds records of the customer the tombstone did not list (it
made them after the purging workstation last heard from it), it sends a second tombstone record of the
same tombstone listing them.
"""
from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Connection

from counterdesk.store.models.sync import PENDING, QUARANTINED, SENT, Inbox, Outbox
from counterdesk.store.outbox import canonical, derived_id, now_iso, workstation_id

PURGED = "purged"  # the outbox state of a never-sent record that was purged, and the inbox outcome
# Ids per tombstone record: well inside the hub's limit (10,000) and, sealed, its 256 KiB envelope limit;
# a longer list goes out in further records of the same tombstone.
PER_RECORD = 5000
_OUTBOX, _INBOX = cast(Table, Outbox.__table__), cast(Table, Inbox.__table__)
_CHUNK = 200


def owners(conn: Connection, customer_id: str) -> tuple[set[str], set[str]]:
    """(session ids, sign-off ids) of the customer: the rows that name no customer but one of these."""
    sessions = {r[0] for r in conn.exec_driver_sql("SELECT id FROM counter_sessions WHERE customer_id = ?",
                                                   (customer_id,))}
    signoffs = {r[0] for r in conn.exec_driver_sql("SELECT id FROM signoffs WHERE customer_id = ?", (customer_id,))}
    return sessions, signoffs


def _concerns(body: Any, tables: Collection[str], customer_id: str, sessions: set[str], signoffs: set[str]) -> bool:
    if not isinstance(body, dict) or body.get("table") not in tables:
        return False
    row = body.get("row") or {}
    table = body["table"]
    return (customer_id in (row.get("customer_id"), row.get("subject_ref"), body.get("customer_id"))
            or row.get("session_id") in sessions or row.get("signoff_id") in signoffs
            or (table == "counter_sessions" and row.get("id") in sessions)
            or (table == "signoffs" and row.get("id") in signoffs))


def _candidates(conn: Connection, table: Table, keys: list[str]) -> list[Any]:
    """Rows whose body mentions one of ``keys`` (a cheap filter in SQLite before the JSON is read)."""
    found: dict[str, Any] = {}
    for start in range(0, len(keys), _CHUNK):
        part = keys[start:start + _CHUNK]
        clause = " OR ".join("instr(body, ?) > 0" for _ in part)
        key_col = "local_seq" if table is _OUTBOX else "seq"
        extra = ", state, envelope IS NOT NULL" if table is _OUTBOX else ", NULL, NULL"
        sql = f"SELECT {key_col}, id, body{extra} FROM {table.name} WHERE body IS NOT NULL AND ({clause})"
        for row in conn.exec_driver_sql(sql, tuple(part)):
            found[row[1]] = row
    return list(found.values())


def purge_copies(conn: Connection, customer_id: str, sessions: set[str], signoffs: set[str],
                 tables: Collection[str], tombstone_id: str, listed: Collection[str] = ()) -> list[str]:
    """Blank the outbox and inbox copies of the customer's records (and the inbox rows ``listed`` by a
    tombstone received); returns the ids of those that may be at the hub (sent or received)."""
    keys = sorted({customer_id, *sessions, *signoffs})
    blank = canonical({"purged": tombstone_id})
    at_hub: list[str] = []
    ts = now_iso()
    for local_seq, rec_id, body, state, sealed in _candidates(conn, _OUTBOX, keys):
        if not _concerns(json.loads(body), tables, customer_id, sessions, signoffs):
            continue
        if state == SENT or sealed:
            at_hub.append(rec_id)  # sent, or sealed for a push that may have reached the hub
        values: dict[str, Any] = {"body": blank, "envelope": None, "pruned_at": ts}
        if state in (PENDING, QUARANTINED):
            values["state"] = PURGED  # never sent now
        conn.execute(update(_OUTBOX).where(_OUTBOX.c.local_seq == local_seq).values(**values))
    inbox_ids = [rec_id for _seq, rec_id, body, _s, _e in _candidates(conn, _INBOX, keys)
                 if _concerns(json.loads(body), tables, customer_id, sessions, signoffs)]
    listed_here = [r for r in listed if isinstance(r, str)]
    for start in range(0, len(listed_here), _CHUNK):
        inbox_ids += conn.execute(select(_INBOX.c.id).where(_INBOX.c.id.in_(listed_here[start:start + _CHUNK]),
                                                            _INBOX.c.body.is_not(None))).scalars().all()
    inbox_ids = sorted(set(inbox_ids))
    for start in range(0, len(inbox_ids), _CHUNK):
        conn.execute(update(_INBOX).where(_INBOX.c.id.in_(inbox_ids[start:start + _CHUNK])).values(
            body=None, outcome=PURGED, apply_error=None, applied_at=ts))
    return sorted(set(at_hub) | set(inbox_ids))


def list_in_tombstone(conn: Connection, tombstone_id: str, stone_row: dict[str, Any], ids: list[str]) -> None:
    """Put the purged copies' ids into the tombstone's outbox body (the hub deletes them when it arrives);
    beyond PER_RECORD ids, in further records of the tombstone."""
    row = conn.execute(select(_OUTBOX.c.local_seq, _OUTBOX.c.body).where(
        _OUTBOX.c.id == tombstone_id, _OUTBOX.c.type == "retention.tombstone", _OUTBOX.c.envelope.is_(None))).first()
    if row is None or not ids:
        return
    body = json.loads(row.body)
    body["purges"] = ids[:PER_RECORD]
    conn.execute(update(_OUTBOX).where(_OUTBOX.c.local_seq == row.local_seq).values(body=canonical(body)))
    _send_more(conn, stone_row, ids[PER_RECORD:])


def send_unlisted(conn: Connection, stone_row: dict[str, Any], ids: list[str], listed: Collection[str]) -> list[str]:
    """A tombstone applied here: send further records of it listing this workstation's copies that it did
    not list (written directly: records applied from the hub are otherwise never enqueued)."""
    return _send_more(conn, stone_row, sorted(set(ids) - set(listed)))


def _send_more(conn: Connection, stone_row: dict[str, Any], extra: list[str]) -> list[str]:
    ws = workstation_id(conn)
    sent: list[str] = []
    if ws is None:
        return sent
    meta = {"tombstone_id": stone_row["id"], "kind": stone_row["kind"], "subject_id": stone_row["subject_id"]}
    for start in range(0, len(extra), PER_RECORD):
        part = extra[start:start + PER_RECORD]
        basis = f"retention.tombstone|{stone_row['id']}|{len(part)}|{part[0]}"
        rec_id = derived_id(ws, basis)
        if conn.execute(select(_OUTBOX.c.local_seq).where(_OUTBOX.c.id == rec_id)).first() is not None:
            continue
        body = {"v": 1, "table": "retention_tombstones", "op": "insert", "row": stone_row, "purges": part,
                "deps": {}}
        conn.execute(_OUTBOX.insert().values(id=rec_id, id_basis=basis, type="retention.tombstone",
                                             created_at=now_iso(), body=canonical(body), meta=canonical(meta),
                                             state=PENDING, attempts=0))
        sent.append(rec_id)
    return sent
