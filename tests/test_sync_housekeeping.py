"""Sync housekeeping through a real hub (in process, on PostgreSQL): another workstation's audit entries
are applied to a table of their own and verified per origin chain, the local chain untouched; sent
outbox rows and applied inbox rows are pruned after the retention window (by the command line and by
the sync cycle), never a row still pending, quarantined, unapplied or in a conflict."""
from __future__ import annotations

import base64
import io
import json
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from counterdesk.cli import admin as cli
from counterdesk.services import verification
from counterdesk.services.sync import envelope, prune, remote_audit, state
from counterdesk.services.sync.client import SyncWorker
from counterdesk.store import audit, migrate
from counterdesk.store.engine import make_engine
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.sync import PENDING, QUARANTINED, SENT, Inbox, Outbox, SyncConflict, SyncRemoteAudit
from counterdesk.store.outbox import backfill, canonical, now_iso
from helpers.branch_pair import enrolled_pair
from helpers.demo import sign_in_lines


@pytest.fixture
def pair(hub, tmp_path, demo_lists_template):
    with enrolled_pair(hub, lambda name: tmp_path / f"ws-{name}", demo_lists_template) as (branch, opened):
        yield branch, opened


def _audit_of(vault, n: int = 3) -> None:
    for i in range(n):
        vault.record(None, "probe.housekeeping", "probe", f"p-{i}", {"count": i})


def _count(vault, model, *where) -> int:
    return vault.transact(lambda s: s.scalar(select(func.count()).select_from(model).where(*where)))


def _ws(vault) -> str:
    return vault.transact(lambda s: state.get(s, state.WORKSTATION_ID))


# ---- other workstations' audit entries --------------------------------------------------------------

def test_another_workstations_audit_entries_are_applied_and_verified_per_origin(pair):
    _branch, [(a, _aa, ca), (b, _ab, cb)] = pair
    _audit_of(a)
    ca.push_all()
    b_local_before = _count(b, AuditEntry)
    cb.pull_all()

    a_ws, a_entries = _ws(a), a.transact(lambda s: [(e.seq, e.hash) for e in s.scalars(
        select(AuditEntry).order_by(AuditEntry.seq))])
    stored = b.transact(lambda s: [(r.seq, r.hash) for r in s.scalars(
        select(SyncRemoteAudit).where(SyncRemoteAudit.workstation_id == a_ws).order_by(SyncRemoteAudit.seq))])
    pushed = {seq for seq, _ in a_entries if seq <= max(s for s, _ in stored)}
    assert {seq for seq, _ in stored} == pushed and set(stored) <= set(a_entries)
    # Not left in the inbox, and B's own chain is B's alone (its new entries are its own, e.g. sign-ins).
    assert _count(b, Inbox, Inbox.type == "audit.entry", Inbox.outcome == "stored") == 0
    assert _count(b, Inbox, Inbox.type == "audit.entry", Inbox.outcome == "applied") == len(stored)
    assert b.transact(audit.verify).ok
    assert _count(b, AuditEntry) >= b_local_before
    report = b.transact(remote_audit.verify)
    chain = next(c for c in report.chains if c.workstation_id == a_ws)
    assert report.ok and chain.first_seq == 1 and chain.missing == 0 and chain.entries == len(stored)
    assert chain.name  # the origin's workstation name, as its entries carry it

    # Delivered again (the cursor back to 0): nothing is stored twice, no conflict.
    b.transact(lambda s: state.put(s, state.CURSOR, 0))
    b.transact(lambda s: s.execute(update(Inbox).where(Inbox.type == "audit.entry").values(applied_at=None)))
    cb.pull_all()
    assert _count(b, SyncRemoteAudit, SyncRemoteAudit.workstation_id == a_ws) == len(stored)
    assert _count(b, SyncConflict, SyncConflict.kind == "audit_fork") == 0


def _forged(client, vault, row: dict) -> dict:
    """An audit.entry record as workstation ``vault`` would push it, around ``row``."""
    creds = client.credentials()
    rid = str(uuid.uuid4())
    body = canonical({"v": 1, "table": "audit_log", "op": "insert", "row": row, "deps": {}})
    sealed = envelope.seal(creds.branch_key, rid, "audit.entry", creds.branch_code, body.encode())
    return {"id": rid, "type": "audit.entry", "workstation_id": creds.workstation_id, "created_at": now_iso(),
            "key_id": creds.branch_key_id, "envelope": base64.b64encode(sealed).decode(),
            "meta": {"seq": row["seq"], "action": row["action"]}}


def test_a_forked_or_altered_remote_entry_is_a_conflict_never_stored(pair):
    _branch, [(a, _aa, ca), (b, _ab, cb)] = pair
    _audit_of(a, 1)
    ca.push_all()
    cb.pull_all()
    a_ws = _ws(a)
    first = a.transact(lambda s: {c.name: getattr(e, c.key) for e in [s.get(AuditEntry, 1)]
                                  for c in AuditEntry.__table__.columns})
    altered = {**first, "action": "probe.altered"}                        # content changed, hash kept
    fork = {**altered, "hash": audit.compute_hash(altered["prev_hash"], altered)}  # a second entry #1
    receipts = ca.signed("POST", "/v1/push", payload={"records": [_forged(ca, a, altered), _forged(ca, a, fork)]})
    assert [r["status"] for r in receipts.json()["receipts"]] == ["accepted", "accepted"]
    cb.pull_all()
    kept = b.transact(lambda s: s.get(SyncRemoteAudit, (a_ws, 1)))
    assert kept.hash == first["hash"] and kept.action == first["action"]
    details = b.transact(lambda s: sorted(c.detail for c in s.scalars(
        select(SyncConflict).where(SyncConflict.kind == "audit_fork"))))
    assert details == ["another entry with this number is stored", "the entry does not match its hash"]
    assert b.transact(remote_audit.verify).ok  # what is stored still verifies


def test_a_broken_link_is_reported_by_origin(pair):
    _branch, [(a, _aa, ca), (b, b_admin, cb)] = pair
    _audit_of(a, 2)
    ca.push_all()
    cb.pull_all()
    a_ws = _ws(a)
    last = b.transact(lambda s: s.scalar(select(func.max(SyncRemoteAudit.seq)).where(
        SyncRemoteAudit.workstation_id == a_ws)))
    # An entry that hashes right but does not link to the one before it (forged by a key holder).
    row = {"seq": last + 1, "ts": now_iso(), "actor_id": None, "actor_name": "x", "workstation": "柜台 A",
           "action": "probe.unlinked", "object_type": None, "object_id": None, "details": "{}",
           "prev_hash": "f" * 64}
    row["hash"] = audit.compute_hash(row["prev_hash"], row)
    # Pushed before A's own next entries (still in A's outbox), so B stores it at last + 1.
    ca.signed("POST", "/v1/push", payload={"records": [_forged(ca, a, row)]})
    cb.pull_all()
    report = b.transact(remote_audit.verify)
    chain = next(c for c in report.chains if c.workstation_id == a_ws)
    assert b.transact(lambda s: s.get(SyncRemoteAudit, (a_ws, last + 1))).action == "probe.unlinked"
    assert not report.ok and chain.broken_at == last + 1 and "previous-hash" in chain.reason
    # B's own chain is not concerned; `verify` names the other workstation's break.
    assert b.transact(audit.verify).ok
    checked = verification.verify(b, b_admin)
    assert [c.name for c in checked.failed] == ["remote_audit"]
    assert f"breaks at entry #{last + 1}" in checked.check("remote_audit").errors[0].text.en


# ---- pruning --------------------------------------------------------------------------------------

def _age(vault, days: int) -> None:
    old = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="microseconds")

    def work(s):
        s.execute(update(Outbox).where(Outbox.sent_at.is_not(None)).values(sent_at=old))
        s.execute(update(Inbox).where(Inbox.applied_at.is_not(None)).values(applied_at=old))
    vault.transact(work)


def _states(vault) -> dict[str, int]:
    return dict(vault.transact(lambda s: s.execute(select(Outbox.state, func.count()).group_by(Outbox.state)).all()))


def test_prune_keeps_everything_not_sent_or_applied_and_a_resync_adds_nothing(pair, capsys, monkeypatch,
                                                                             no_terminal):
    _branch, [(a, _aa, ca), (b, _ab, cb)] = pair
    _audit_of(a, 4)
    ca.push_all()
    cb.pull_all()
    # On A: one row refused by the hub (quarantined, with a sent time all the same) and one not sent yet.
    sent_ids = a.transact(lambda s: list(s.scalars(select(Outbox.id).where(Outbox.state == SENT))))
    a.transact(lambda s: s.execute(update(Outbox).where(Outbox.id == sent_ids[0]).values(state=QUARANTINED)))
    _audit_of(a, 1)
    # On B: one applied row named by a conflict, one that failed, one only kept (stored).
    applied = b.transact(lambda s: list(s.scalars(select(Inbox.id).where(Inbox.outcome == "applied"))))
    assert len(applied) >= 3

    def mark(s):
        s.add(SyncConflict(id=str(uuid.uuid4()), kind="audit_fork", object_id="x", remote_record_id=applied[0],
                           remote_workstation_id=_ws(a), detected_at=now_iso()))
        s.execute(update(Inbox).where(Inbox.id == applied[1]).values(outcome="failed", applied_at=None))
        s.execute(update(Inbox).where(Inbox.id == applied[2]).values(outcome="stored"))
    b.transact(mark)
    _age(a, 40)
    _age(b, 40)
    before_a = _states(a)

    # Nothing is due within the window.
    assert prune.run(a, dry_run=True, now=datetime.now(UTC) - timedelta(days=20)).total == 0

    def run(vault, *argv):
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO("".join(x + "\n" for x in sign_in_lines("admin"))))
        code = cli.main(["--data-dir", str(vault.data.root), "--lang", "en", "--user", "admin", "--password-stdin",
                         "sync", "prune", *argv])
        return code, capsys.readouterr().out

    a_root, b_root = a.data.root, b.data.root
    a_due = _count(a, Outbox, Outbox.state == SENT)
    code, out = run(a, "--dry-run")
    assert code == 0 and f"Dry run: {a_due} sent records" in out and "nothing was changed" in out
    assert _count(a, Outbox, Outbox.pruned_at.is_not(None)) == 0
    code, out = run(a)
    assert code == 0 and f"Pruned: {a_due} sent records" in out, out
    # A: every sent row kept its id and meta, lost its body and envelope; quarantined and pending untouched.
    rows = a.transact(lambda s: [(r.state, r.body, r.envelope, r.pruned_at, r.meta) for r in s.scalars(select(Outbox))])
    for st, body, env, pruned, meta in rows:
        if st == SENT and pruned:
            assert body == prune.EMPTY_BODY and env is None and json.loads(meta)
        else:
            assert st in (PENDING, QUARANTINED) or not pruned
            assert body != prune.EMPTY_BODY
    assert _states(a)[QUARANTINED] == before_a[QUARANTINED]
    assert _count(a, Outbox, Outbox.state == PENDING) >= before_a[PENDING]
    assert a_root == a.data.root
    # Enrolling again would re-send only what never had a record: nothing.
    assert a.transact(backfill) == 0

    code, out = run(b)
    assert code == 0
    left = dict(b.transact(lambda s: s.execute(select(Inbox.id, Inbox.outcome)).all()))
    assert applied[0] in left and left[applied[1]] == "failed" and left[applied[2]] == "stored"
    assert all(outcome not in prune.PRUNABLE_OUTCOMES or rid == applied[0] for rid, outcome in left.items())
    assert b_root == b.data.root
    entries = b.transact(lambda s: list(s.scalars(select(AuditEntry).where(AuditEntry.action == "sync.pruned"))))
    assert entries and json.loads(entries[-1].details)["inbox_pruned"] > 0

    # The hub sends everything again (B's cursor back to 0): applied again idempotently, nothing doubled.
    remote_before = _count(b, SyncRemoteAudit)
    b.transact(lambda s: state.put(s, state.CURSOR, 0))
    cb.pull_all()
    assert _count(b, SyncRemoteAudit) == remote_before
    assert _count(b, SyncConflict) == 1
    # A still pushes what is pending; the pruned rows are never sent again.
    assert ca.push_all().sent >= 1


def test_the_sync_cycle_prunes_in_batches(pair, monkeypatch):
    _branch, [(a, _aa, ca), (_b, _ab, _cb)] = pair
    _audit_of(a, 12)
    ca.push_all()
    _age(a, 40)
    monkeypatch.setattr(prune, "BATCH", 5)
    sent = _count(a, Outbox, Outbox.state == SENT, Outbox.pruned_at.is_(None))
    assert sent > 5 * 4  # more than one round's batches
    worker = SyncWorker(ca, master_every_s=0, timestamp_every_s=0)
    worker.round()
    assert _count(a, Outbox, Outbox.pruned_at.is_not(None)) == 5 * 4
    assert worker._prune_at is None  # a backlog remains: due again at the next round
    for _ in range(10):
        worker.round()
        if worker._prune_at is not None:
            break
    assert _count(a, Outbox, Outbox.state == SENT, Outbox.pruned_at.is_(None), Outbox.sent_at < prune.cutoff_of(30)
                  ) == 0
    assert worker._prune_at is not None



# ---- migration 0024: the audit entries received before it -----------------------------------------

def test_migration_0024_moves_received_audit_entries_out_of_the_inbox(tmp_path):
    engine = make_engine(tmp_path / "m.db", os.urandom(32))
    try:
        migrate.upgrade(engine, "0023")
        ts, origin = now_iso(), str(uuid.uuid4())
        rows = []
        prev = audit.GENESIS
        for seq in (1, 2):
            row = {"seq": seq, "ts": ts, "actor_id": None, "actor_name": "admin", "workstation": "柜台 A",
                   "action": "probe.old", "object_type": None, "object_id": None, "details": "{}",
                   "prev_hash": prev}
            row["hash"] = prev = audit.compute_hash(prev, row)
            rows.append(row)
        with engine.begin() as conn:
            for i, (row, outcome, ws) in enumerate(((rows[0], "stored", origin), (rows[1], "stored", origin),
                                                    (rows[0], "own", str(uuid.uuid4())))):
                body = canonical({"v": 1, "table": "audit_log", "op": "insert", "row": row, "deps": {}})
                conn.exec_driver_sql(
                    "INSERT INTO inbox (id, seq, type, workstation_id, created_at, meta, body, received_at, "
                    "applied_at, outcome, apply_error) VALUES (?, ?, 'audit.entry', ?, ?, '{}', ?, ?, ?, ?, NULL)",
                    (str(uuid.uuid4()), 10 + i, ws, ts, body, ts, ts, outcome))
        migrate.upgrade(engine)
        with engine.connect() as conn:
            moved = conn.exec_driver_sql("SELECT workstation_id, seq, hash FROM sync_remote_audit ORDER BY seq").all()
            outcomes = sorted(r[0] for r in conn.exec_driver_sql("SELECT outcome FROM inbox").all())
        assert [tuple(r) for r in moved] == [(origin, 1, rows[0]["hash"]), (origin, 2, rows[1]["hash"])]
        assert outcomes == ["applied", "applied", "own"]
        with Session(engine) as session:
            report = remote_audit.verify(session)
        assert report.ok and report.chains[0].entries == 2 and report.chains[0].missing == 0
    finally:
        engine.dispose()
