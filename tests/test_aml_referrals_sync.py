"""AML referrals and their closures reach every workstation of the branch through a real hub (in process,
on PostgreSQL): a referral made on A waits on B for its customer, then is in B's queue; B's supervisor
closes it and A's queue shows it closed; a referral closed on both workstations keeps each one's closure
and records a conflict; the hub sees ids only, and verification stays clean on both."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from counterdesk.hub.models import Record
from counterdesk.services import verification
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import data_rights
from counterdesk.services.customers import referral_queue as rq
from counterdesk.services.retention import job
from counterdesk.services.sync import apply
from counterdesk.services.sync.client import SyncClient
from counterdesk.store.models.due_diligence import AmlReferral, AmlReferralClosure
from counterdesk.store.models.sync import PENDING, Inbox, Outbox, SyncConflict
from helpers.branch_pair import enrolled_pair
from helpers.demo import sign_in
from test_aml_referral_queue import refer

HELD = "held"  # a test-only outbox state: the record reaches the hub later
NOTE_B = "经分析为正常理财资金，编号 AN-7"


@pytest.fixture
def pair(hub, tmp_path, demo_lists_template):
    with enrolled_pair(hub, lambda name: tmp_path / name, demo_lists_template) as (branch, opened):
        yield branch, [(vault, client) for vault, _admin, client in opened]


def _sync(sender: SyncClient, receiver: SyncClient):
    assert sender.push_all().rejected == 0
    return receiver.pull_all()


def _outcomes(vault: Vault, record_type: str) -> list[str | None]:
    """How the other workstation's records of ``record_type`` were applied here."""
    return vault.transact(lambda s: [i.outcome for i in s.scalars(select(Inbox).where(
        Inbox.type == record_type, Inbox.outcome != apply.OWN))])


def _clean(vault: Vault) -> None:
    assert [c.name for c in verification.verify(vault, sign_in(vault, "auditor")).failed] == []


def test_a_referral_made_on_one_workstation_is_queued_and_closed_on_the_other(pair, hub):
    branch, ((va, ca), (vb, cb)) = pair
    referral_id = refer(va)
    # The customer's records reach the hub later: the referral waits on B for its customer and session.
    va.transact(lambda s: s.execute(update(Outbox).where(
        Outbox.state == PENDING, Outbox.type.in_(("customer.version", "counter_session"))).values(state=HELD)))
    _sync(ca, cb)
    assert _outcomes(vb, "aml.referral") == ["failed"]
    assert rq.queue(vb, sign_in(vb, "supervisor")) == []
    va.transact(lambda s: s.execute(update(Outbox).where(Outbox.state == HELD).values(state=PENDING)))
    assert _sync(ca, cb).failed == 0
    assert _outcomes(vb, "aml.referral") == ["applied"]

    supervisor_b = sign_in(vb, "supervisor")
    [item] = rq.queue(vb, supervisor_b)
    assert item.referral.referral_id == referral_id and item.status == rq.OPEN
    assert item.customer_masked == rq.queue(va, sign_in(va, "supervisor"))[0].customer_masked != ""
    # Delivered again, it is applied once.
    again = vb.transact(lambda s: apply.apply_one(s, s.scalars(select(Inbox).where(
        Inbox.type == "aml.referral")).one(), "ws-b"))
    assert again == apply.SKIPPED

    rq.close(vb, supervisor_b, referral_id, rq.NOT_SUSPICIOUS, NOTE_B)
    assert _sync(cb, ca).failed == 0
    assert _outcomes(va, "aml.referral_closure") == ["applied"]
    supervisor_a = sign_in(va, "supervisor")
    assert rq.queue(va, supervisor_a) == []
    [shown] = rq.queue(va, supervisor_a, include_closed=True)
    assert (shown.status, shown.outcome, shown.note) == (rq.CLOSED, rq.NOT_SUSPICIOUS, NOTE_B)
    assert shown.closed_by_name and shown.closed_at

    # The hub routes by ids only: neither the outcome nor the note is in clear.
    with hub.sessions() as session:
        [record] = session.scalars(select(Record).where(Record.branch == branch,
                                                        Record.type == "aml.referral_closure")).all()
        assert set(record.meta) == {"closure_id", "referral_id"} and record.meta["referral_id"] == referral_id
        assert b"AN-7" not in record.envelope and "not_suspicious" not in json.dumps(record.meta)
    _clean(va)
    _clean(vb)


def test_a_referral_closed_on_both_workstations_keeps_each_closure_and_records_a_conflict(pair):
    _branch, ((va, ca), (vb, cb)) = pair
    referral_id = refer(va)
    assert _sync(ca, cb).failed == 0
    rq.close(va, sign_in(va, "supervisor"), referral_id, rq.REPORTED, "已提交可疑交易报告 STR-9")
    rq.close(vb, sign_in(vb, "supervisor"), referral_id, rq.DUPLICATE, "与另一线索重复")
    _sync(ca, cb)
    _sync(cb, ca)
    for vault, kept in ((va, rq.REPORTED), (vb, rq.DUPLICATE)):
        # The first closure a workstation has stays (closures are append-only); the other is a conflict.
        assert vault.transact(lambda s: [c.outcome for c in s.scalars(select(AmlReferralClosure))]) == [kept]
        assert vault.transact(lambda s: [(c.kind, c.object_id) for c in s.scalars(select(SyncConflict))]) == [
            ("aml_referral_closure", referral_id)]
        assert _outcomes(vault, "aml.referral_closure") == ["conflict"]
        assert rq.queue(vault, sign_in(vault, "supervisor")) == []
        _clean(vault)


def test_a_purge_takes_the_synced_closure_and_its_copies_on_both_workstations(pair):
    _branch, ((va, ca), (vb, cb)) = pair
    referral_id = refer(va)
    assert _sync(ca, cb).failed == 0
    rq.close(vb, sign_in(vb, "supervisor"), referral_id, rq.REPORTED, NOTE_B)
    assert _sync(cb, ca).failed == 0
    customer_id = va.transact(lambda s: s.get(AmlReferral, referral_id).customer_id)
    data_rights.restrict(va, sign_in(va, "supervisor"), customer_id)
    later = date.today() + timedelta(days=365 * 21)
    assert len(job.run(va, sign_in(va, "admin"), dry_run=False, today=later).tombstones) == 1
    assert _sync(ca, cb).failed == 0
    for vault in (va, vb):
        assert vault.transact(lambda s: s.scalars(select(AmlReferralClosure)).all()) == []
        # No copy of the note is left in the sync tables (the closure's body names its customer).
        assert vault.transact(lambda s: [b for b in s.scalars(select(Outbox.body)).all() if b and "AN-7" in b]
                              + [b for b in s.scalars(select(Inbox.body)).all() if b and "AN-7" in b]) == []
        _clean(vault)
