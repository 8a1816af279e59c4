"""A retention purge reaches every copy: the purging workstation's own store (its outbox and inbox bodies
too), the hub (the tombstone names the records to delete; the hub cannot read them), and the branch's
other workstation once it applies the tombstone, which in turn has the hub delete the records it made
that the purging workstation had not heard of yet."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from counterdesk.flow.actions import IssueConfirmation, Propose
from counterdesk.flow.counter_session import CounterSession
from counterdesk.hub.record_types import KEPT_BY_PURGE
from counterdesk.services.auth import totp
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import data_rights
from counterdesk.services.retention import job, sync_copies
from counterdesk.services.sync import fresh
from counterdesk.services.sync.client import SyncClient
from counterdesk.store import ledger
from counterdesk.store.models.customers import Customer
from counterdesk.store.models.sync import Inbox, Outbox
from helpers.branch_pair import enrolled_pair
from helpers.counter import MIDDLE, assess, choose, customer_signs, identify, kyc, questionnaire_answers
from helpers.dbscan import store_hits
from helpers.demo import AUTH_CLOCK, PASSWORDS, sign_in, totp_code
from helpers.hub import Hub
from test_sync_hub import PortalTransport

PURGED = replace(MIDDLE, id_number="110105198010100080")  # born 1980-10-10
NAME, PHONE = "欧阳震华", "13900001234"
PIECES = [NAME, PURGED.id_number, PHONE]
SECOND = replace(MIDDLE, id_number="110105198011110029")  # born 1980-11-11


@pytest.fixture(scope="module")
def pair(hub, tmp_path_factory, demo_lists_template):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(totp, "clock", AUTH_CLOCK)
        with enrolled_pair(hub, lambda name: tmp_path_factory.mktemp(f"purge-{name}") / "data",
                           demo_lists_template) as (_branch, opened):
            yield [(vault, client) for vault, _admin, client in opened]


def session(hub: Hub, vault: Vault) -> CounterSession:
    def client(v: Vault, seconds: float) -> SyncClient:
        return SyncClient(v, None, transport=PortalTransport(hub), timeout=seconds, anchoring=False)
    return CounterSession(vault, vault.sign_in("teller", PASSWORDS["teller"]),
                          hub_check=fresh.CustomerCheck(vault, 2.0, client))


def answers() -> dict:
    return kyc("1980-10-10", name_zh=NAME, phone=PHONE)


def sell(hub: Hub, vault: Vault) -> str:
    """A completed, confirmed sale to the customer: sessions, sign-off, evidence, prints and all."""
    s = session(hub, vault)
    identify(s, PURGED, answers())
    assess(s, questionnaire_answers(3, "age_46_55"))
    proposal = s.submit(Propose("20000", {"investable_assets": "5000000"})).value
    code = next(c for c, d in proposal.decisions.items() if d.outcome == "recommended")
    choose(s, code, amount="20000")
    customer_signs(s)
    assert s.submit(IssueConfirmation()).value.status == "completed"
    return s.state.customer_id


def serve_again(hub: Hub, vault: Vault) -> None:
    s = session(hub, vault)
    identify(s, PURGED, answers(), copy=False)
    s.cancel("customer_left")


def record_ids(vault: Vault, cid: str) -> dict[str, str]:
    """{record id: type} of this workstation's records about the customer (its outbox)."""
    def read(db):
        owners = {cid} | set(db.scalars(text("SELECT id FROM counter_sessions WHERE customer_id = :c"), {"c": cid})) \
            | set(db.scalars(text("SELECT id FROM signoffs WHERE customer_id = :c"), {"c": cid}))
        return {r.id: r.type for r in db.scalars(select(Outbox)) if any(o in r.body for o in owners)}
    return vault.transact(read)


def hub_records(hub: Hub, ids) -> dict[str, str]:
    with hub.app.state.engine.connect() as conn:
        rows = conn.execute(text("SELECT id::text, type FROM records WHERE id::text = ANY(:ids)"),
                            {"ids": list(ids)}).all()
    return dict(rows)


def test_a_purge_leaves_nothing_of_the_customer_here_at_the_hub_or_at_the_other_workstation(hub, pair):
    (va, ca), (vb, cb) = pair
    cid = sell(hub, va)
    ca.push_all()
    cb.pull_all()
    serve_again(hub, vb)  # B's records of the customer, which A hears of ...
    cb.push_all()
    ca.pull_all()
    serve_again(hub, vb)  # ... and more that A has not heard of when it purges
    cb.push_all()
    assert {p for _t, _c, p in store_hits(va, PIECES)} == set(PIECES)  # positive control
    assert {p for _t, _c, p in store_hits(vb, PIECES)} == set(PIECES)
    ours = record_ids(va, cid) | record_ids(vb, cid)
    assert {"customer.version", "counter_session", "signoff", "evidence.link", "consent", "screening"} <= set(
        ours.values())
    assert set(hub_records(hub, ours)) == set(ours)  # all at the hub

    data_rights.restrict(va, va.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor")), cid)
    later = date.today() + timedelta(days=365 * 21)
    report = job.run(va, va.sign_in("admin", PASSWORDS["admin"], totp_code("admin")), dry_run=False, today=later)
    assert len(report.tombstones) == 1

    # A: nothing of the customer in any table or column, the sync copies included.
    assert store_hits(va, PIECES) == []
    stone = va.transact(lambda db: json.loads(db.scalar(select(Outbox.body).where(
        Outbox.id == report.tombstones[0]))))
    listed = set(stone["purges"])
    assert listed and listed <= set(ours)
    assert va.transact(lambda db: db.scalar(text(
        "SELECT COUNT(*) FROM outbox WHERE pruned_at IS NOT NULL AND envelope IS NULL AND body LIKE '%purged%'"))) > 0

    # The hub: the tombstone deletes the listed records (by id), and keeps what the purge keeps.
    assert ca.push_all().rejected == 0
    left = hub_records(hub, ours)
    assert not set(left) & listed
    assert set(left.values()) <= KEPT_BY_PURGE | {"customer.version", "counter_session", "consent", "screening",
                                                   "aml.rating", "customer.restriction"}

    # B applies the tombstone: its copies go; it has the hub delete its records A did not list.
    assert cb.pull_all().failed == 0
    assert vb.transact(lambda db: db.get(Customer, cid)) is None
    assert store_hits(vb, PIECES) == []
    assert cb.push_all().rejected == 0
    left = hub_records(hub, ours)
    assert set(left.values()) <= KEPT_BY_PURGE, left
    assert vb.transact(ledger.verify).result.ok

    # A hears of B's late records and of B's second tombstone record: nothing of the customer stays.
    ca.pull_all()
    assert store_hits(va, PIECES) == []
    assert va.transact(lambda db: db.scalar(select(Inbox.id).where(Inbox.outcome == "purged"))) is not None
    assert va.transact(ledger.verify).result.ok


def test_a_long_list_of_purged_records_goes_out_in_several_records_of_the_tombstone(hub, pair, monkeypatch):
    (va, ca), (vb, cb) = pair
    monkeypatch.setattr(sync_copies, "PER_RECORD", 3)
    s = session(hub, va)
    identify(s, SECOND, kyc("1980-11-11", name_zh="司马青云", phone="13900005678"))
    cid = s.state.customer_id
    data_rights.restrict(va, sign_in(va, "supervisor"), cid)
    assert ca.push_all().rejected == 0
    mine = record_ids(va, cid)
    report = job.run(va, sign_in(va, "admin"), dry_run=False, today=date.today() + timedelta(days=365 * 21))
    stones = va.transact(lambda db: [(json.loads(r.body), json.loads(r.meta)) for r in db.scalars(
        select(Outbox).where(Outbox.type == "retention.tombstone", Outbox.body.like(f"%{cid}%"))
        .order_by(Outbox.local_seq))])
    assert len(stones) >= 2 and all(len(body["purges"]) <= 3 for body, _m in stones)
    assert {body["row"]["id"] for body, _m in stones} == set(report.tombstones)
    assert all(meta == stones[0][1] for _b, meta in stones)
    listed = [p for body, _m in stones for p in body["purges"]]
    assert len(listed) == len(set(listed)) and set(listed) <= set(mine)
    assert ca.push_all().rejected == 0
    assert set(hub_records(hub, listed)) == set()
    assert cb.pull_all().failed == 0
    assert vb.transact(lambda db: db.get(Customer, cid)) is None
