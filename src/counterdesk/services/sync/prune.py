"""Pruning what sync no longer needs on this workstation, after ``sync.retention_days``.

* A **sent** outbox row (the hub acknowledged it, ``sent_at`` before the cut-off) loses its body (the
  changed row in clear) and its sealed envelope; its id, type and meta stay (about 200 bytes): enrolling
  again re-sends only rows that never had a record (``outbox.backfill`` reads them), and a derived id is
  never given to a second record (``outbox._enqueue`` checks the ids in use). Pending and quarantined
  rows are never touched.
* An **applied** inbox row (outcome applied, own or skipped, ``applied_at`` before the cut-off) is
  deleted: what it carried is in the local tables. Rows that failed, did not open, wait as a conflict,
  are named by a conflict, or are only kept (``stored``: complaints, AML referrals) stay.

The hub keeps every record, so nothing pruned here is lost to the branch. Work is done in batches of
``BATCH`` rows, each in a transaction of its own, so the single writer is never held for long.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from counterdesk.base.actors import Actor, SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.settings import SYNC_RETENTION_DAYS
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sync.apply import APPLIED, OWN, SKIPPED
from counterdesk.store import audit
from counterdesk.store.models.sync import SENT, Inbox, Outbox, SyncConflict
from counterdesk.store.outbox import now_iso

BATCH = 500
PRUNABLE_OUTCOMES = (APPLIED, OWN, SKIPPED)
EMPTY_BODY = "{}"


@dataclass(frozen=True)
class PruneResult:
    outbox: int          # sent rows whose body and envelope were dropped (or would be, dry run)
    inbox: int           # applied rows deleted (or that would be)
    days: int
    cutoff: str
    dry_run: bool = False
    more: bool = False   # the batch limit was reached: more is due

    @property
    def total(self) -> int:
        return self.outbox + self.inbox


def cutoff_of(days: int, now: datetime | None = None) -> str:
    """The ISO time before which rows are pruned (the format of ``now_iso``, so strings compare)."""
    moment = (now or datetime.now(UTC)) - timedelta(days=days)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _outbox_due(cutoff: str):
    return (Outbox.state == SENT, Outbox.pruned_at.is_(None), Outbox.sent_at.is_not(None), Outbox.sent_at < cutoff)


def _inbox_due(cutoff: str):
    named = exists().where(SyncConflict.remote_record_id == Inbox.id)
    return (Inbox.applied_at.is_not(None), Inbox.applied_at < cutoff, Inbox.outcome.in_(PRUNABLE_OUTCOMES), ~named)


def count_due(db: Session, cutoff: str) -> tuple[int, int]:
    """(outbox rows, inbox rows) that pruning at ``cutoff`` would touch."""
    out = db.scalar(select(func.count()).select_from(Outbox).where(*_outbox_due(cutoff))) or 0
    inn = db.scalar(select(func.count()).select_from(Inbox).where(*_inbox_due(cutoff))) or 0
    return int(out), int(inn)


def prune_batch(db: Session, cutoff: str, batch: int | None = None) -> tuple[int, int]:
    """One batch of each (``BATCH`` rows by default), oldest first, in the caller's transaction:
    (outbox rows, inbox rows)."""
    batch = batch or BATCH
    seqs = list(db.scalars(select(Outbox.local_seq).where(*_outbox_due(cutoff)).order_by(Outbox.sent_at)
                           .limit(batch)))
    if seqs:
        db.execute(update(Outbox).where(Outbox.local_seq.in_(seqs))
                   .values(body=EMPTY_BODY, envelope=None, pruned_at=now_iso()))
    ids = list(db.scalars(select(Inbox.id).where(*_inbox_due(cutoff)).order_by(Inbox.applied_at).limit(batch)))
    if ids:
        db.execute(delete(Inbox).where(Inbox.id.in_(ids)))
    return len(seqs), len(ids)


def run(vault: Vault, us: SignedInUser | None = None, dry_run: bool = False, max_batches: int | None = None,
        now: datetime | None = None) -> PruneResult:
    """Prune everything due (at most ``max_batches`` batches of each; None: all), one transaction per
    batch; an audit entry says how much when anything was pruned. ``us`` (an administrator) for the
    command line; None for the background sync."""
    if us is not None:
        require(us.role, "settings.manage")
    days = int(vault.settings()[SYNC_RETENTION_DAYS])
    cutoff = cutoff_of(days, now)
    if dry_run:
        out, inn = vault.transact(lambda db: count_due(db, cutoff))
        return PruneResult(out, inn, days, cutoff, dry_run=True)
    total_out = total_in = batches = 0
    more = False
    while True:
        out, inn = vault.transact(lambda db: prune_batch(db, cutoff))
        total_out, total_in, batches = total_out + out, total_in + inn, batches + 1
        if out < BATCH and inn < BATCH:
            break
        if max_batches is not None and batches >= max_batches:
            more = True
            break
    if total_out or total_in:
        actor = us.actor if us is not None else Actor(None, "sync", vault.info.workstation)
        vault.transact(lambda db: audit.append(db, actor, "sync.pruned", None, None,
                                               {"outbox_pruned": total_out, "inbox_pruned": total_in,
                                                "days": days}))
    return PruneResult(total_out, total_in, days, cutoff, more=more)
