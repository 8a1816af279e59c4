"""The hash chains that are anchored, behind one small interface: a name, the head, the entry hashes
after a sequence number, and the time of the last entry up to a moment (for the end-of-day journal)."""
from __future__ import annotations

from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.base.text import Text
from counterdesk.store import ledger
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.ledger import LedgerEntry


class Chain(Protocol):
    @property
    def name(self) -> str:
        """As the protocol names it: "audit", "records"."""
        ...

    @property
    def title(self) -> Text:
        """"the audit log"."""
        ...

    @property
    def entry(self) -> Text:
        """"audit entry"."""
        ...

    @property
    def entries(self) -> Text:
        """"audit entries"."""
        ...

    def head(self, db: Session) -> tuple[int, str]:
        """(last seq, its hash); (0, the chain's genesis) when empty."""
        ...

    def hashes(self, db: Session, after_seq: int = 0) -> list[tuple[int, str]]:
        """(seq, hash) of every entry after ``after_seq``, in order."""
        ...

    def head_before(self, db: Session, moment_iso: str) -> tuple[int, str, str | None]:
        """(seq, hash, ts) of the last entry written before ``moment_iso`` (UTC ISO); (0, "", None) if none."""
        ...


class AuditChain:
    name = "audit"
    title = Text("审计日志", "the audit log")
    entry = Text("审计记录", "audit entry")
    entries = Text("审计记录", "audit entries")

    def head(self, db: Session) -> tuple[int, str]:
        row = db.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
        return (row[0], row[1]) if row else (0, "0" * 64)

    def hashes(self, db: Session, after_seq: int = 0) -> list[tuple[int, str]]:
        rows = db.execute(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq > after_seq)
                          .order_by(AuditEntry.seq))
        return [(r[0], r[1]) for r in rows]

    def head_before(self, db: Session, moment_iso: str) -> tuple[int, str, str | None]:
        row = db.execute(select(AuditEntry.seq, AuditEntry.hash, AuditEntry.ts).where(AuditEntry.ts < moment_iso)
                         .order_by(AuditEntry.seq.desc()).limit(1)).first()
        return (row[0], row[1], row[2]) if row else (0, "", None)


class LedgerChain:
    """The records ledger (counterdesk.store.ledger)."""

    name = "records"
    title = Text("记录台账", "the records ledger")
    entry = Text("台账条目", "records ledger entry")
    entries = Text("台账条目", "records ledger entries")

    def head(self, db: Session) -> tuple[int, str]:
        return ledger.head(db)

    def hashes(self, db: Session, after_seq: int = 0) -> list[tuple[int, str]]:
        return ledger.hashes(db, after_seq)

    def head_before(self, db: Session, moment_iso: str) -> tuple[int, str, str | None]:
        row = db.execute(select(LedgerEntry.seq, LedgerEntry.hash, LedgerEntry.ts).where(LedgerEntry.ts < moment_iso)
                         .order_by(LedgerEntry.seq.desc()).limit(1)).first()
        return (row[0], row[1], row[2]) if row else (0, "", None)


AUDIT: Chain = AuditChain()
RECORDS: Chain = LedgerChain()
CHAINS: tuple[Chain, ...] = (AUDIT, RECORDS)


def by_name(name: str) -> Chain | None:
    return next((c for c in CHAINS if c.name == name), None)


def day_counts(db: Session, start_iso: str, end_iso: str) -> tuple[dict[str, int], dict[str, int]]:
    """(audit entries by action, ledger entries by table) written in [start, end): counts only."""
    actions = dict(db.execute(select(AuditEntry.action, func.count()).where(
        AuditEntry.ts >= start_iso, AuditEntry.ts < end_iso).group_by(AuditEntry.action)).all())
    tables = dict(db.execute(select(LedgerEntry.table_name, func.count()).where(
        LedgerEntry.ts >= start_iso, LedgerEntry.ts < end_iso).group_by(LedgerEntry.table_name)).all())
    return actions, tables
