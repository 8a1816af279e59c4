"""The records ledger: every stored record that matters is bound into one hash chain.

Each insert, change or removal of a row of a ledgered table (``TABLES``) appends one entry
``(seq, ts, table_name, row_key, op, row_sha256, prev_hash, hash)`` in the SAME transaction:

* ``row_sha256`` is the SHA-256 of the row exactly as SQLite stores it (read back raw, canonical JSON,
  keys sorted, NULL columns left out so that a later migration adding a nullable column changes no
  hash, BLOBs by their SHA-256);
* ``hash = SHA-256(prev_hash "\\n" canonical JSON [seq, ts, table_name, row_key, op, row_sha256])``.

Two hooks write it, like the outbox's (``counterdesk.store.outbox``): an ORM ``after_flush``
listener for rows written through the ORM, and, for the few bulk statements (``insert(Model)``,
``update(Model)``, ``delete(Model)``), a reconciliation of the touched tables just before commit.
Records pulled from the hub are stored records too: unlike the outbox, the ledger ignores
``APPLYING``.

``verify`` recomputes the chain and compares every current row with its latest entry. Against an
insider who re-hashes the whole ledger this proves nothing by itself: the head (``head``, ``hashes``)
is what gets anchored outside the workstation.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session

from counterdesk.base.checks import CheckResult
from counterdesk.base.text import Result, Text
from counterdesk.store.models.ledger import LedgerEntry
from counterdesk.store.stores import is_store_with, table_exists

GENESIS = "0" * 64
# MIGRATE: a schema migration changed stored rows (see ``reconcile``); allowed for append-only tables.
# PURGE: the retention job removed a row whose period had passed (``record_purge``); the entry keeps the
# row's last hash, the row's customer has a tombstone, and verify accepts the row's absence.
INSERT, UPDATE, DELETE, MIGRATE, PURGE = "insert", "update", "delete", "migrate", "purge"
GONE = frozenset({DELETE, PURGE})

# The ledgered tables, each with why it matters. Not ledgered: customer_names (search keys rebuilt
# from the current customer version), sanctions_entries (public list data, bulky; each list's file
# SHA-256 is in sanctions_lists and every screening names the lists it used), the sync tables
# (transport state; what they carry is ledgered where it is stored), the anchors (signed themselves).
TABLES: dict[str, str] = {
    "audit_log": "the audit log: its own chain, bound here too, so that rewriting it means rewriting both chains "
                 "and one anchored head covers both",
    "users": "who may do what (role, active)",
    "settings": "regulatory numbers and thresholds",
    "form_definitions": "the exact wording answers were given against",
    "customers": "the customer and its status",
    "customer_versions": "the customer's data (KYC), append-only",
    "customer_documents": "which document belongs to which customer",
    "counter_sessions": "the session and its outcome",
    "consents": "separate consent (PIPL)",
    "aml_ratings": "the AML risk level",
    "sanctions_lists": "which lists screening used",
    "screenings": "screening results and dispositions",
    "paper_forms": "paper questionnaires handed out",
    "assessments": "the risk grade",
    "catalog_versions": "what was on offer",
    "catalog_products": "the products' risk levels and terms",
    "user_licences": "who may sell what",
    "sale_decisions": "the suitability decision, append-only",
    "signoffs": "the sign-off and its confirmation",
    "evidence_links": "each sale's evidence chain, append-only",
    "approval_requests": "supervisor approvals",
    "confirmation_prints": "every print, append-only",
    "cooling_off_cancellations": "cancellations and refunds, append-only",
    "follow_up_tasks": "follow-up visits",
    "branch_certificates": "which certificate signs confirmations",
    "mfa_factors": "who holds a second factor (a secret swapped for an insider's own would pass it)",
    "mfa_recovery_codes": "one-time recovery codes and their use",
    "confirmation_timestamps": "the trusted timestamps of confirmations",
    "timestamp_authorities": "which timestamp authorities were trusted",
    "complaints": "complaints: owner, deadline, outcome",
    "complaint_events": "each complaint's history (handovers, extensions, notices, resolution), append-only",
    "customer_document_images": "the kept copy of the identity document (due diligence), append-only",
    "aml_referrals": "suspicious-transaction referrals for the AML officer, append-only",
    "aml_referral_closures": "how the AML officer closed each referral, append-only",
    "follow_up_calls": "each follow-up call: outcome, time, caller, recording, append-only",
    "customer_restrictions": "restricted processing after a deletion request (PIPL art 47)",
    "retention_tombstones": "what the retention job purged, under which rule, append-only",
    "customer_evaluations": "the customer's rating of each counter session, written once",
    "follow_up_outcomes": "the outcome of each follow-up contact (who, when, channel, outcome), written once",
}
# Tables whose rows never change once written: the ledger may only hold inserts for them.
APPEND_ONLY: frozenset[str] = frozenset({"audit_log", "customer_versions", "sale_decisions", "evidence_links",
                                         "confirmation_prints", "cooling_off_cancellations",
                                         "complaint_events", "customer_document_images", "aml_referrals",
                                         "aml_referral_closures", "follow_up_calls", "retention_tombstones",
                                         "follow_up_outcomes"})


_keys: dict[str, tuple[str, ...]] = {}


def key_columns(conn: Connection, table: str) -> tuple[str, ...]:
    """The table's primary key columns, in order, as the database has them (keys never change)."""
    if table not in _keys:
        # rows of (cid, name, type, notnull, default, pk)
        info = conn.exec_driver_sql(f"PRAGMA table_info('{table}')").fetchall()
        _keys[table] = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
    return _keys[table]


# ---- hashing ----------------------------------------------------------------------------------------------

def _value(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$sha256": hashlib.sha256(bytes(value)).hexdigest()}
    return value


def row_sha256(row: Mapping[str, Any]) -> str:
    """SHA-256 of one row as stored (raw SQLite values)."""
    data = {k: _value(v) for k, v in row.items() if v is not None}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(prev_hash: str, seq: int, ts: str, table_name: str, row_key: str, op: str, sha: str) -> str:
    fields = json.dumps([seq, ts, table_name, row_key, op, sha], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + fields.encode("utf-8")).hexdigest()


def row_key(values: Iterable[Any]) -> str:
    return "|".join(str(v) for v in values)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


# ---- reading (for the anchors and for verify) -------------------------------------------------------------

def head(db: Session) -> tuple[int, str]:
    """The last entry's (seq, hash); (0, GENESIS) while the ledger is empty."""
    last = db.execute(select(LedgerEntry.seq, LedgerEntry.hash).order_by(LedgerEntry.seq.desc()).limit(1)).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def hashes(db: Session, after_seq: int = 0) -> list[tuple[int, str]]:
    """(seq, hash) of every entry after ``after_seq``, in order."""
    rows = db.execute(select(LedgerEntry.seq, LedgerEntry.hash).where(LedgerEntry.seq > after_seq)
                      .order_by(LedgerEntry.seq))
    return [(r[0], r[1]) for r in rows]


def entry(db: Session, seq: int) -> LedgerEntry | None:
    return db.get(LedgerEntry, seq)


# ---- writing ----------------------------------------------------------------------------------------------

def _raw_rows(conn: Connection, table: str) -> Iterator[dict[str, Any]]:
    result = conn.exec_driver_sql(f'SELECT * FROM "{table}"')
    names = list(result.keys())
    for values in result:
        yield dict(zip(names, values, strict=True))


def _raw_row(conn: Connection, table: str, key: tuple[Any, ...]) -> dict[str, Any] | None:
    cols = key_columns(conn, table)
    where = " AND ".join(f'"{c}" = ?' for c in cols)
    result = conn.exec_driver_sql(f'SELECT * FROM "{table}" WHERE {where}', tuple(key))
    values = result.first()
    return dict(zip(result.keys(), values, strict=True)) if values is not None else None


def _latest(conn: Connection, table: str, keys: Iterable[str] | None = None) -> dict[str, tuple[int, str, str]]:
    """row_key -> (seq, op, row_sha256) of the latest entry of each row of ``table`` (all rows, or ``keys``)."""
    sql = "SELECT row_key, seq, op, row_sha256 FROM record_ledger WHERE table_name = ?"
    out: dict[str, tuple[int, str, str]] = {}
    if keys is None:
        for key, seq, op, sha in conn.exec_driver_sql(sql + " ORDER BY seq", (table,)):
            out[key] = (seq, op, sha)
        return out
    keys = list(keys)
    for i in range(0, len(keys), 500):  # within SQLite's limit on bound parameters
        chunk = keys[i:i + 500]
        for key, seq, op, sha in conn.exec_driver_sql(
                sql + f" AND row_key IN ({','.join('?' * len(chunk))}) ORDER BY seq", (table, *chunk)):
            out[key] = (seq, op, sha)
    return out


def _append(conn: Connection, items: list[tuple[str, str, str, str]]) -> None:
    """Append (table, row_key, op, row_sha256) entries after the current head."""
    if not items:
        return
    last = conn.exec_driver_sql("SELECT seq, hash FROM record_ledger ORDER BY seq DESC LIMIT 1").first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    ts = _now()
    rows = []
    for table, key, op, sha in items:
        seq += 1
        h = entry_hash(prev, seq, ts, table, key, op, sha)
        rows.append((seq, ts, table, key, op, sha, prev, h))
        prev = h
    conn.exec_driver_sql("INSERT INTO record_ledger (seq, ts, table_name, row_key, op, row_sha256, prev_hash, hash) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _changes(conn: Connection, table: str, current: Mapping[str, str | None],
             latest: Mapping[str, tuple[int, str, str]] | None = None,
             change: str = UPDATE) -> list[tuple[str, str, str, str]]:
    """Entries for rows whose stored state (sha, or None when gone) differs from their latest entry."""
    if latest is None:
        latest = _latest(conn, table, current.keys())
    items = []
    for key, sha in current.items():
        last = latest.get(key)
        if sha is None:
            if last is not None and last[1] not in GONE:
                items.append((table, key, DELETE, last[2]))
        elif last is None or last[1] in GONE:
            items.append((table, key, INSERT, sha))
        elif last[2] != sha:
            items.append((table, key, change, sha))
    return items


def reconcile(conn: Connection, tables: Iterable[str], migration: bool = False) -> int:
    """Bring the ledger up to the rows as stored in ``tables`` (after bulk statements; the migration's
    backfill of existing rows). A later migration that rewrites rows of a ledgered table (a new NOT
    NULL column, a converted value) calls this with ``migration=True`` for the tables it changed: the
    changes are then entries of their own (``migrate``), anchored like any other. Returns how many
    entries were appended."""
    items: list[tuple[str, str, str, str]] = []
    for table in tables:
        if table not in TABLES or not table_exists(conn, table):
            continue
        cols = key_columns(conn, table)
        current: dict[str, str | None] = {row_key(r[c] for c in cols): row_sha256(r) for r in _raw_rows(conn, table)}
        latest = _latest(conn, table)
        for key in latest:
            current.setdefault(key, None)
        items += _changes(conn, table, current, latest, MIGRATE if migration else UPDATE)
    _append(conn, items)
    return len(items)


def record_purge(conn: Connection, table: str, keys: Iterable[str]) -> int:
    """Entries for rows the retention job is removing (call before the rows go, in the same transaction):
    one ``purge`` entry each, with the row's latest hash. Returns how many were appended."""
    latest = _latest(conn, table, keys)
    items = [(table, key, PURGE, sha) for key, (_seq, op, sha) in latest.items() if op not in GONE]
    _append(conn, items)
    return len(items)


def backfill(conn: Connection) -> int:
    """Ledger every row that exists (an installation upgraded to the ledger), table by table."""
    return reconcile(conn, TABLES)


# ---- the hooks ---------------------------------------------------------------------------------------------

_lock = threading.Lock()  # guards the hooks' installation and callbacks
_TOUCHED = "counterdesk.ledger.touched"


def _is_store(conn: Connection) -> bool:
    """The workstation's SQLCipher store, at a revision that has the ledger."""
    return is_store_with(conn, "record_ledger")


def _table_of(obj: Any) -> str | None:
    name = getattr(obj, "__tablename__", None)
    return name if name in TABLES else None


def _columns(obj: Any) -> dict[str, Any]:
    """The object's primary key by column name."""
    mapper = inspect(obj).mapper
    return {col.name: getattr(obj, mapper.get_property_by_column(col).key) for col in mapper.primary_key}


def _after_flush(db: Session, _flush_context) -> None:
    written: list[tuple[str, dict[str, Any], bool]] = []  # (table, key by column, still there)
    for obj in db.new:
        if (table := _table_of(obj)) is not None:
            written.append((table, _columns(obj), True))
    for obj in db.dirty:
        if (table := _table_of(obj)) is not None and db.is_modified(obj, include_collections=False):
            written.append((table, _columns(obj), True))
    for obj in db.deleted:
        if (table := _table_of(obj)) is not None:
            written.append((table, _columns(obj), False))
    if not written:
        return
    conn = db.connection()
    if not _is_store(conn):
        return
    current: dict[str, dict[str, str | None]] = {}  # table -> row_key -> sha (None: deleted)
    for table, by_name, present in written:
        key = tuple(by_name[c] for c in key_columns(conn, table))
        row = _raw_row(conn, table, key) if present else None
        current.setdefault(table, {})[row_key(key)] = row_sha256(row) if row is not None else None
    items: list[tuple[str, str, str, str]] = []
    for table in sorted(current, key=list(TABLES).index):
        items += _changes(conn, table, current[table])
    _append(conn, items)


def _on_execute(state: ORMExecuteState) -> None:
    """Bulk ``insert/update/delete(Model)`` statements bypass the flush: note their table for commit."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in TABLES:
        state.session.info.setdefault(_TOUCHED, set()).add(table)


def _before_commit(db: Session) -> None:
    touched = db.info.pop(_TOUCHED, None)
    if not touched:
        return
    conn = db.connection()
    if _is_store(conn):
        reconcile(conn, sorted(touched, key=list(TABLES).index))


def _after_rollback(db: Session) -> None:
    db.info.pop(_TOUCHED, None)


_installed = False


def install() -> None:
    """Register the hooks (idempotent); ``Database.__init__`` does it, like the outbox's."""
    global _installed
    with _lock:
        if not _installed:
            event.listen(Session, "after_flush", _after_flush)
            event.listen(Session, "do_orm_execute", _on_execute)
            event.listen(Session, "before_commit", _before_commit)
            event.listen(Session, "after_soft_rollback", lambda db, _tx: _after_rollback(db))
            _installed = True


# ---- verification ------------------------------------------------------------------------------------------

TITLE = Text("记录台账", "Records ledger")


@dataclass
class _Chain:
    entries: int = 0
    first_broken: int | None = None
    reason: Text | None = None
    head: str = GENESIS


def _verify_chain(conn: Connection, result: Result) -> tuple[_Chain, dict[tuple[str, str], tuple[int, str, str]]]:
    """One pass: the chain's links and hashes, the latest entry of every row, inserts-only tables."""
    chain = _Chain()
    latest: dict[tuple[str, str], tuple[int, str, str]] = {}
    changed_append_only: dict[str, tuple[str, int]] = {}
    prev, expected = GENESIS, 1
    for seq, ts, table, key, op, sha, prev_hash, h in conn.exec_driver_sql(
            "SELECT seq, ts, table_name, row_key, op, row_sha256, prev_hash, hash FROM record_ledger ORDER BY seq"):
        chain.entries += 1
        latest[(table, key)] = (seq, op, sha)
        if op in (UPDATE, DELETE) and table in APPEND_ONLY and table not in changed_append_only:
            changed_append_only[table] = (key, seq)
        if chain.first_broken is not None:
            continue
        if seq != expected:
            chain.first_broken = seq
            chain.reason = Text(f"序号不连续：应为 {expected}，实为 {seq}",
                                f"sequence gap: expected {expected}, found {seq}")
        elif prev_hash != prev:
            chain.first_broken = seq
            chain.reason = Text("与前一条的哈希链接不符", "previous-hash link does not match the entry before it")
        elif entry_hash(prev, seq, ts, table, key, op, sha) != h:
            chain.first_broken = seq
            chain.reason = Text("条目内容与其哈希不符（写入后被修改）",
                                "entry content does not match its hash (changed after writing)")
        else:
            prev, expected = h, expected + 1
    chain.head = prev
    if chain.first_broken is not None:
        assert chain.reason is not None
        result.add("record_ledger", "ledger_broken", Text(
            f"记录台账在第 {chain.first_broken} 条断裂：{chain.reason.zh}",
            f"The records ledger is broken at entry {chain.first_broken}: {chain.reason.en}"))
    for table, (key, seq) in sorted(changed_append_only.items()):
        result.add(table, "append_only_changed", Text(
            f"只追加表 {table} 的记录 {key} 被修改或删除（台账第 {seq} 条）",
            f"Row {key} of the append-only table {table} was changed or removed (ledger entry {seq})"))
    return chain, latest


def _verify_table(conn: Connection, table: str, latest: Mapping[tuple[str, str], tuple[int, str, str]],
                  result: Result) -> int:
    """One pass over the table: every row matches its latest entry, none is missing. Returns the row count."""
    cols = key_columns(conn, table)
    changed: list[tuple[str, int]] = []
    unledgered: list[str] = []
    seen: set[str] = set()
    rows = 0
    for row in _raw_rows(conn, table):
        rows += 1
        key = row_key(row[c] for c in cols)
        seen.add(key)
        last = latest.get((table, key))
        if last is None or last[1] in GONE:
            unledgered.append(key)
        elif last[2] != row_sha256(row):
            changed.append((key, last[0]))
    removed = sorted((seq, key) for (t, key), (seq, op, _sha) in latest.items()
                     if t == table and op not in GONE and key not in seen)
    def add(code: str, found: list, zh: str, en: str) -> None:
        more = len(found) - 1
        result.add(table, code, Text(zh + (f"，另有 {more} 条" if more else ""),
                                     en + (f"; {more} more" if more else "")))
    if changed:
        key, seq = changed[0]
        add("record_changed", changed, f"表 {table} 的记录 {key} 与台账第 {seq} 条不符（在程序之外被修改）",
            f"Row {key} of {table} does not match ledger entry {seq} (changed outside the application)")
    if unledgered:
        add("record_unledgered", unledgered, f"表 {table} 的记录 {unledgered[0]} 不在台账中（在程序之外写入）",
            f"Row {unledgered[0]} of {table} is not in the ledger (written outside the application)")
    if removed:
        seq, key = removed[0]
        add("record_removed", removed, f"表 {table} 的记录 {key}（台账第 {seq} 条）已不存在（在程序之外删除）",
            f"Row {key} of {table} (ledger entry {seq}) is missing (deleted outside the application)")
    return rows


def _verify_purges(conn: Connection, latest: Mapping[tuple[str, str], tuple[int, str, str]], result: Result) -> None:
    """A purged customer has its tombstone (the retention job writes it first, in the same transaction)."""
    purged = sorted(key for (t, key), (_seq, op, _sha) in latest.items() if t == "customers" and op == PURGE)
    if not purged:
        return
    sql = "SELECT subject_id FROM retention_tombstones WHERE kind = 'customer'"
    stones = {r[0] for r in conn.exec_driver_sql(sql)} if table_exists(conn, "retention_tombstones") else set()
    missing = [key for key in purged if key not in stones]
    if missing:
        result.add("retention_tombstones", "purge_without_tombstone", Text(
            f"客户 {missing[0]} 已被清除，但没有对应的删除标记（tombstone）",
            f"Customer {missing[0]} was purged without a tombstone"))


def verify(db: Session) -> CheckResult:
    """The chain intact, and every current row of every ledgered table equal to its latest entry."""
    conn = db.connection()
    result = Result()
    if not table_exists(conn, "record_ledger"):
        result.add("record_ledger", "ledger_missing", Text("记录台账表不存在", "The records ledger table is missing"))
        return CheckResult("records", TITLE, result)
    chain, latest = _verify_chain(conn, result)
    _verify_purges(conn, latest, result)
    rows = tables = 0
    for table in TABLES:
        if table_exists(conn, table):
            tables += 1
            rows += _verify_table(conn, table, latest, result)
    notes = (Text(f"{chain.entries} 条台账条目，{rows} 条记录，{tables} 个表；链头 {chain.head[:16]}",
                  f"{chain.entries} ledger entries, {rows} records in {tables} tables; head {chain.head[:16]}"),)
    return CheckResult("records", TITLE, result, notes)
