"""Tamper-evident audit log: append-only rows, each hashing the previous one.

Entry hash = SHA-256(prev_hash || canonical JSON of the entry). ``verify`` recomputes the whole chain
and names the first entry that does not fit. Details carry ids and masked values only; their keys
are checked against an allow-list so personal data cannot slip in by accident.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import Actor
from counterdesk.base.text import Text
from counterdesk.store.models.core import AuditEntry

GENESIS = "0" * 64

# Keys that may appear in details. Values must be ids, codes, counts or masked text. One list for
# the whole product, so that which keys are allowed never depends on which modules a process happened
# to import (a decision that failed only in a fresh process once stopped screening reviews).
SAFE_DETAIL_KEYS: frozenset[str] = frozenset({
    # accounts, settings, the store
    "reason", "role", "old_role", "new_role", "username", "display_name", "setting", "old", "new",
    "attempts", "locked_until", "mode", "count", "result", "first_broken", "format", "file",
    "masked", "field", "source", "version", "revision", "pending_dropped", "workstation", "by",
    "language", "error", "slot_op", "reconciled_op",
    # the second sign-in factor (never the secret or a code)
    "method",
    # customers, consent, AML
    "consent_id", "customer_id", "doc_type", "fields", "form", "level", "rules_version", "session_id",
    "text_version",
    # sanctions lists and screening
    "decision", "entries", "hits", "list_id", "lists", "location", "matcher_version", "published",
    "reason_code", "screening_id", "sha256", "status", "subject_ref", "superseded", "threshold",
    # risk assessment
    "assessment_id", "contradictions", "entered_at", "form_number", "grade", "limit", "lowest_category",
    "previous_grade", "questions", "regrade_confirmed",
    # catalog and licences
    "added", "catalog_version", "changed", "code", "products", "removed", "warnings", "expires", "issued",
    "licence_type",
    # recommendation and sale decision
    "amount_band", "customer_initiated", "outcome", "product_code",
    # sign-off, confirmation, certificates
    "consent", "copy", "document_number", "needs_approval", "override", "request_id", "signoff_id",
    "station_user", "fingerprint", "not_after",
    # sync
    "branch", "conflict_id", "device_id", "hub", "key_id", "kind", "record_id", "record_type", "records",
    "resolution", "seq", "outbox_pruned", "inbox_pruned",
    # complaints (never the customer's words or a free-text reason)
    "category", "channel", "complexity", "days", "due_on", "owner", "response",
    # anchoring and the end-of-day journal
    "day", "ledger_seq",
    # verify: the names of the checks that failed
    "checks",
    # data rights and retention (ids, codes and counts; never the customer's words)
    "basis", "rule", "retain_until", "tombstone_id", "sections", "encrypted", "dry_run", "customers",
})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _canonical(entry: AuditEntry | dict) -> bytes:
    get = entry.get if isinstance(entry, dict) else lambda k: getattr(entry, k)
    fields = [get("seq"), get("ts"), get("actor_id"), get("actor_name"), get("workstation"), get("action"),
              get("object_type"), get("object_id"), get("details")]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compute_hash(prev_hash: str, entry: AuditEntry | dict) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + _canonical(entry)).hexdigest()


def _details_json(details: dict[str, Any] | None) -> str:
    details = details or {}
    unknown = set(details) - SAFE_DETAIL_KEYS
    if unknown:
        raise ValueError(f"audit detail keys not on the allow-list: {sorted(unknown)}")
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def append(db: Session, actor: Actor, action: str, object_type: str | None = None,
           object_id: str | None = None, details: dict[str, Any] | None = None,
           ts: str | None = None) -> AuditEntry:
    """Add one entry in the caller's transaction (so it commits or rolls back with the change)."""
    last = db.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = AuditEntry(seq=seq, ts=ts or _now(), actor_id=actor.user_id, actor_name=actor.name,
                       workstation=actor.workstation, action=action, object_type=object_type,
                       object_id=object_id, details=_details_json(details), prev_hash=prev)
    entry.hash = compute_hash(prev, entry)
    db.add(entry)
    db.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken: int | None
    reason: str | None
    head_hash: str
    append_only_enforced: bool

    @property
    def ok(self) -> bool:
        return self.first_broken is None and self.append_only_enforced

    def reason_text(self) -> Text:
        """The reason in both languages, for screens and the CLI."""
        return _reason_text(self.reason or "")


_REASONS = (
    (re.compile(r"sequence gap: expected (\d+), found (\d+)"), "序号不连续：应为 {0}，实为 {1}"),
    (re.compile(r"previous-hash link does not match"), "与前一条记录的哈希链接不符"),
    (re.compile(r"entry content does not match its hash"), "记录内容与其哈希不符（写入后被修改）"),
    (re.compile(r"append-only triggers were removed"), "审计表的只追加保护触发器已被删除"),
    (re.compile(r"audit log unreadable: (\S+)"), "审计日志无法读取：{0}"),
)


def _reason_text(reason: str) -> Text:
    for pattern, zh in _REASONS:
        match = pattern.search(reason)
        if match:
            return Text(zh.format(*match.groups()), reason)
    return Text(reason, reason)


def verify_rows(rows: Iterable[AuditEntry]) -> tuple[int, int | None, str | None, str]:
    prev, expected_seq, count = GENESIS, 1, 0
    for row in rows:
        count += 1
        if row.seq != expected_seq:
            return count, row.seq, f"sequence gap: expected {expected_seq}, found {row.seq}", prev
        if row.prev_hash != prev:
            return count, row.seq, "previous-hash link does not match the entry before it", prev
        if compute_hash(prev, row) != row.hash:
            return count, row.seq, "entry content does not match its hash (changed after writing)", prev
        prev, expected_seq = row.hash, expected_seq + 1
    return count, None, None, prev


def verify(db: Session) -> ChainReport:
    rows = db.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    count, broken, reason, head = verify_rows(rows)
    triggers = {r[0] for r in db.connection().exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'")}
    enforced = {"audit_log_no_update", "audit_log_no_delete"} <= triggers
    if not enforced and broken is None:
        reason = "append-only triggers were removed from the audit table"
    return ChainReport(count, broken, reason, head, enforced)


def recent(db: Session, limit: int = 200, before_seq: int | None = None) -> list[AuditEntry]:
    q = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before_seq is not None:
        q = q.where(AuditEntry.seq < before_seq)
    return list(db.execute(q).scalars())
