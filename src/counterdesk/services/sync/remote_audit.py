"""The audit entries of the branch's other workstations (``sync_remote_audit``), so that every
workstation shows the whole branch's audit trail.

Each workstation's ``audit_log`` is one hash chain of its own; an entry of another workstation never
enters it (that would fork both chains). It is stored as its origin wrote it, keyed by the origin
workstation (as the hub names it, from the device that pushed it) and its sequence number, and each
origin's entries are verified as a chain of their own: every entry's hash over its content, and each
entry's link to the one before it. An entry whose hash does not match its content is not stored; a
second, different entry at a stored (origin, seq) is a conflict, never an overwrite.

A workstation enrolled again gets a new workstation id: its chain then continues under the new id, and
the first entry there links to the last one under the old id (``continues``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.checks import CheckResult
from counterdesk.base.roles import require
from counterdesk.base.text import Result, Text
from counterdesk.services.auth.vault import Vault
from counterdesk.store import audit
from counterdesk.store.models.sync import Inbox, SyncRemoteAudit
from counterdesk.store.outbox import now_iso

T = TypeVar("T")
STORED, SAME, FORK, BAD_HASH = "stored", "same", "fork", "bad_hash"
TITLE = Text("其他工作站的审计日志", "Audit logs of the other workstations")
_COLUMNS = ("seq", "ts", "actor_id", "actor_name", "workstation", "action", "object_type", "object_id", "details",
            "prev_hash", "hash")


def store(db: Session, inbox: Inbox, row: dict) -> str:
    """Keep one remote entry: STORED, SAME (had it), FORK (another entry at its seq) or BAD_HASH."""
    entry = {k: row.get(k) for k in _COLUMNS}
    if not isinstance(entry["seq"], int) or not isinstance(entry["hash"], str) or not isinstance(
            entry["prev_hash"], str):
        return BAD_HASH
    if audit.compute_hash(entry["prev_hash"], entry) != entry["hash"]:
        return BAD_HASH
    have = db.get(SyncRemoteAudit, (inbox.workstation_id, entry["seq"]))
    if have is not None:
        return SAME if have.hash == entry["hash"] else FORK
    db.add(SyncRemoteAudit(workstation_id=inbox.workstation_id, record_id=inbox.id, received_at=now_iso(),
                           **{k: entry[k] for k in _COLUMNS}))
    db.flush()
    return STORED


def recent(db: Session, limit: int = 500) -> list[SyncRemoteAudit]:
    """The newest remote entries, by their origin's time."""
    return list(db.scalars(select(SyncRemoteAudit).order_by(SyncRemoteAudit.ts.desc()).limit(limit)))


@dataclass
class OriginChain:
    """One origin workstation's entries as verified here."""
    workstation_id: str
    name: str = ""                   # the origin's name, from its newest entry
    entries: int = 0
    first_seq: int = 0
    last_seq: int = 0
    missing: int = 0                 # entries between first_seq and last_seq not received (yet)
    continues: str | None = None     # the workstation id this chain continues (enrolled again)
    starts_late: bool = False        # the first entry is not #1 and continues no stored chain
    broken_at: int | None = None     # the first entry that does not link to the one before it
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


@dataclass
class RemoteAuditReport:
    chains: list[OriginChain] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains)


def verify(db: Session) -> RemoteAuditReport:
    """Every origin's chain: hashes over content, links between consecutive entries; gaps are counted
    (records still on their way), not failures."""
    rows = db.execute(select(SyncRemoteAudit).order_by(SyncRemoteAudit.workstation_id, SyncRemoteAudit.seq)
                      ).scalars()
    by_hash: dict[tuple[int, str], str] = {}
    chains: dict[str, OriginChain] = {}
    firsts: dict[str, SyncRemoteAudit] = {}
    prev: SyncRemoteAudit | None = None
    for row in rows:
        chain = chains.get(row.workstation_id)
        if chain is None:
            chain = chains[row.workstation_id] = OriginChain(row.workstation_id, first_seq=row.seq)
            firsts[row.workstation_id] = row
            prev = None
        chain.entries += 1
        chain.last_seq, chain.name = row.seq, row.workstation
        by_hash[(row.seq, row.hash)] = row.workstation_id
        if chain.broken_at is None:
            if audit.compute_hash(row.prev_hash, {k: getattr(row, k) for k in _COLUMNS}) != row.hash:
                chain.broken_at, chain.reason = row.seq, "entry content does not match its hash"
            elif prev is not None and row.seq == prev.seq + 1 and row.prev_hash != prev.hash:
                chain.broken_at, chain.reason = row.seq, "previous-hash link does not match the entry before it"
            elif prev is not None and row.seq > prev.seq + 1:
                chain.missing += row.seq - prev.seq - 1
        prev = row
    for ws, first in firsts.items():
        chain = chains[ws]
        if first.seq == 1:
            if first.prev_hash != audit.GENESIS and chain.broken_at is None:
                chain.broken_at, chain.reason = 1, "the first entry does not start the chain"
            continue
        before = by_hash.get((first.seq - 1, first.prev_hash))
        before = before if before != ws else None
        chain.continues = before
        chain.starts_late = before is None
    return RemoteAuditReport(sorted(chains.values(), key=lambda c: c.name or c.workstation_id))


def read_branch(vault: Vault, us: SignedInUser, limit: int = 500, convert: Callable[[SyncRemoteAudit], T] | None = None
                ) -> tuple[list[Any], RemoteAuditReport]:
    """For those allowed to read the log: the newest remote entries (passed through ``convert`` inside
    the transaction, so no ORM object leaves the writer) and every origin chain's verification."""
    require(us.role, "audit.view")

    def read(db: Session) -> tuple[list[Any], RemoteAuditReport]:
        rows = recent(db, limit)
        return [convert(r) if convert else r for r in rows], verify(db)
    return vault.transact(read)


def check(db: Session) -> CheckResult:
    """``verify``'s part: every other workstation's chain (a break is an error; gaps are notes)."""
    report = verify(db)
    result = Result()
    notes: list[Text] = []
    for c in report.chains:
        name = c.name or c.workstation_id
        if not c.ok:
            result.add("sync_remote_audit", "remote_audit_broken",
                       Text(f"{name} 的审计链在第 #{c.broken_at} 条处断开（{c.reason}）",
                            f"the audit chain of {name} breaks at entry #{c.broken_at} ({c.reason})"))
            continue
        missing = (Text(f"，{c.missing} 条尚未到达", f", {c.missing} not arrived yet") if c.missing
                   else Text("", ""))
        notes.append(Text(f"{name}：第 #{c.first_seq}–#{c.last_seq} 条校验通过{missing.zh}",
                          f"{name}: entries #{c.first_seq}-#{c.last_seq} verify{missing.en}"))
    if not report.chains:
        notes.append(Text("尚无其他工作站的审计记录", "No audit entries of other workstations yet"))
    return CheckResult("remote_audit", TITLE, result, tuple(notes))
