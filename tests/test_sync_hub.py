"""Two workstations of one branch syncing through a real hub (in process, on PostgreSQL).

A teller on workstation A sends a sale for approval; B pulls it and B's supervisor approves; A
pulls the decision and the sale goes on to its confirmation. Also: re-sent batches, a poison
record, a clock ten minutes off, the long poll, the background worker, customer conflicts and
signed master data.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from counterdesk.base.paths import resources_dir
from counterdesk.flow.actions import CheckApproval, IssueConfirmation
from counterdesk.hub import master as hub_master
from counterdesk.hub.models import Record
from counterdesk.protocol.signing import public_key_bytes, sign_master_item
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import counter_sessions, repository
from counterdesk.services.signoff import approvals, evidence
from counterdesk.services.sync import conflicts, state
from counterdesk.services.sync.client import HubRefused, SyncClient, SyncError, SyncWorker
from counterdesk.services.sync.enrol import checked_hub_url, enrol, make_enrol_code
from counterdesk.store.models.signoff import ApprovalRequest, Signoff
from counterdesk.store.models.sync import Inbox, Outbox, SyncConflict
from helpers.counter import YOUNG, at_recommendation, choose, customer_signs
from helpers.demo import PASSWORDS, totp_code
from helpers.hub import Hub

HUB = "http://hub"


class PortalTransport(httpx.BaseTransport):
    """A synchronous httpx transport onto the in-process ASGI hub (httpx.ASGITransport is async only):
    each request runs on the hub's event loop through an anyio blocking portal."""

    def __init__(self, hub: Hub):
        self.portal = hub.portal
        self.inner = httpx.ASGITransport(app=hub.app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()

        async def run():
            forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=content)
            response = await self.inner.handle_async_request(forwarded)
            body = await response.aread()
            return response.status_code, response.headers, body
        status, headers, body = self.portal.call(run)
        return httpx.Response(status, headers=headers, content=body, request=request)


@pytest.fixture(scope="module")
def head_office() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def hub(hub_url, head_office):
    with Hub.started(hub_url) as started:
        with started.sessions.begin() as session:
            hub_master.register_head_office_key(session, public_key_bytes(head_office))
        yield started


@dataclass
class Station:
    vault: Vault
    admin: object
    client: SyncClient

    def push(self):
        return self.client.push_all()

    def pull(self):
        return self.client.pull_all()

    def outbox(self, **where) -> list[Outbox]:
        def read(s):
            q = select(Outbox).order_by(Outbox.local_seq)
            for k, v in where.items():
                q = q.where(getattr(Outbox, k) == v)
            return list(s.scalars(q))
        return self.vault.transact(read)


@pytest.fixture
def stations(hub, tmp_path, demo_lists_template):
    """Workstations A (first of its branch) and B (enrolled with a code A asked for)."""
    transport = PortalTransport(hub)
    branch = hub.add_branch()
    made: list[Station] = []
    for name in ("a", "b"):
        root = tmp_path / name
        shutil.copytree(demo_lists_template, root)
        vault = Vault.open(root)
        admin = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
        if name == "a":
            done = enrol(vault, admin, HUB, hub.first_code(branch), name="柜台 A", branch_code=branch,
                         transport=transport)
            assert done.first_in_branch and done.head_office_fingerprint
        else:
            code = make_enrol_code(made[0].vault, made[0].admin, transport=transport)
            done = enrol(vault, admin, HUB, code.code, name="柜台 B", branch_code=branch, transport=transport)
            assert not done.first_in_branch
            assert done.branch_key_id == made[0].client.credentials().branch_key_id
        made.append(Station(vault, admin, SyncClient(vault, admin, transport=transport)))
    yield made
    for st in made:
        st.client.close()
        st.vault.close()


def _records_on_hub(hub) -> int:
    with hub.sessions() as session:
        return session.scalar(select(func.count()).select_from(Record))


def test_approval_requested_on_a_is_decided_on_b_and_the_sale_completes_on_a(stations, hub):
    a, b = stations
    first = a.push()
    assert first.sent > 0 and first.rejected == 0 and first.pending == 0
    assert b.push().rejected == 0
    b.pull()
    a.pull()

    counter_session = at_recommendation(a.vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
    choose(counter_session, "DM-WM-EQ", own=True)
    customer_signs(counter_session)
    assert counter_session.flow.current_id == "approval"
    pushed = a.push()
    assert pushed.sent > 0 and pushed.rejected == 0 and a.client.status().pending_count == 0

    pulled = b.pull()
    assert pulled.failed == 0 and pulled.applied > 0
    supervisor = b.vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    queue = approvals.pending_requests(b.vault, supervisor)
    assert len(queue) == 1
    request = queue[0]
    assert request.can_decide and request.customer_masked == "张**" and request.product_code == "DM-WM-EQ"
    _info, chain = approvals.request_evidence(b.vault, supervisor, request.request_id)
    assert [link["kind"] for link in chain][-1] == "attestation"
    approvals.decide(b.vault, supervisor, request.request_id, approve=True)

    assert b.push().sent > 0
    waiting = counter_session.submit()
    assert waiting.hold is not None and counter_session.flow.current_id == "approval"  # nothing pulled yet
    got = a.pull()
    assert got.failed == 0 and got.conflicts == 0
    assert counter_session.submit(CheckApproval()).value.status == "approved"
    assert counter_session.flow.current_id == "confirmation"  # the approval moved the session on
    issued = counter_session.submit(IssueConfirmation()).value
    assert issued.status == "completed"
    chain_a = a.vault.transact(lambda s: evidence.links(s, issued.signoff_id))
    assert [link["kind"] for link in chain_a][-2:] == ["approval", "pdf"]
    assert a.vault.transact(evidence.verify_all).ok

    # B follows: the replica of the sign-off is completed and its evidence chain verifies there too.
    a.push()
    b.pull()
    replica = b.vault.transact(lambda s: (s.get(Signoff, issued.signoff_id).status,
                                          s.get(ApprovalRequest, request.request_id).status))
    assert replica == ("completed", "approved")
    assert b.vault.transact(evidence.verify_all).ok
    assert approvals.pending_requests(b.vault, supervisor) == []

    # Each workstation's own records came back to it as "own", nothing is left unapplied.
    for st in (a, b):
        left = st.vault.transact(lambda s: s.scalar(select(func.count()).select_from(Inbox)
                                                    .where(Inbox.applied_at.is_(None))))
        assert left == 0
        assert st.client.status().quarantined_count == 0

    # Pushing the same batch again (receipts lost) gives duplicates, never new records.
    on_hub = _records_on_hub(hub)
    sent = a.outbox(state="sent")

    def forget_receipts(s):
        for row in s.scalars(select(Outbox).where(Outbox.state == "sent")):
            row.state, row.server_seq = "pending", None
    a.vault.transact(forget_receipts)
    again = a.push()
    assert again.sent == 0 and again.duplicate == len(sent) and again.rejected == 0
    assert _records_on_hub(hub) == on_hub
    assert {(r.id, r.server_seq) for r in a.outbox(state="sent")} == {(r.id, r.server_seq) for r in sent}
    assert b.pull().received == 0


def test_a_poison_record_is_quarantined_and_the_rest_flow(stations):
    a, b = stations
    a.push()
    teller = a.vault.sign_in("teller", PASSWORDS["teller"])
    sid = counter_sessions.open_session(a.vault, teller)

    def poison(s):
        good = s.scalar(select(Outbox).where(Outbox.id == sid))
        s.add(Outbox(id="11111111-2222-4333-8444-555555555555", type="counter_session", created_at=good.created_at,
                     body=good.body, meta=json.dumps({"session_id": sid, "name": "Zhang"}), state="pending",
                     attempts=0))
    a.vault.transact(poison)
    counter_sessions.set_step(a.vault, teller, sid, "profile")
    counter_sessions.stop_session(a.vault, teller, sid, "customer_left")
    result = a.push()
    assert result.rejected == 1 and result.sent >= 4 and result.pending == 0
    status = a.client.status()
    assert status.quarantined_count == 1 and status.pending_count == 0 and status.online
    from counterdesk.services.sync.client import quarantined
    [bad] = quarantined(a.vault)
    assert bad["error"] == "meta_not_allowed" and bad["id"].startswith("11111111")
    # The quarantine itself is audited, and that entry flowed too (push_all sends until nothing is left).
    audited = [r for r in a.outbox(type="audit.entry") if json.loads(r.meta)["action"] == "sync.quarantined"]
    assert len(audited) == 1 and audited[0].state == "sent"
    b.pull()
    from counterdesk.store.models.customers import CounterSessionRecord
    assert b.vault.transact(lambda s: s.get(CounterSessionRecord, sid).status) == "stopped"


def test_a_clock_ten_minutes_off_still_syncs(stations, hub):
    a, _b = stations
    transport = PortalTransport(hub)
    a.vault.transact(lambda s: state.put(s, state.CLOCK_OFFSET, 0))
    a.vault.record(a.admin, "sync.probe")  # something to push
    skewed = SyncClient(a.vault, a.admin, transport=transport, clock=lambda: time.time() - 600)
    try:
        result = skewed.push_all()
        assert result.sent >= 1 and result.rejected == 0 and result.pending == 0
        assert 590 <= skewed.clock_offset <= 610
        assert a.vault.transact(lambda s: state.get(s, state.CLOCK_OFFSET)) == pytest.approx(600, abs=10)
        assert skewed.pull_all().failed == 0
    finally:
        skewed.close()
    ahead = SyncClient(a.vault, a.admin, transport=transport, clock=lambda: time.time() + 600)
    try:
        # Its first request, signed with the stored +600 s, is 1200 s off: refused, corrected, signed again.
        assert ahead.wait_once(0) in (True, False)
        assert ahead.clock_offset == pytest.approx(-600, abs=10)
    finally:
        ahead.close()


def test_long_poll_and_the_background_worker(stations):
    a, b = stations
    a.push()
    b.push()
    b.pull()  # up to date, its own records included
    assert b.client.wait_once(0) is False
    teller = a.vault.sign_in("teller", PASSWORDS["teller"])
    sid = counter_sessions.open_session(a.vault, teller)
    a.push()
    assert b.client.wait_once(5) is True

    statuses = []
    worker = SyncWorker(b.client, wait_timeout=1, on_change=statuses.append, master_every_s=0).start()
    try:
        from counterdesk.store.models.customers import CounterSessionRecord
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if b.vault.transact(lambda s: s.get(CounterSessionRecord, sid)) is not None:
                break
            time.sleep(0.1)
        assert b.vault.transact(lambda s: s.get(CounterSessionRecord, sid).status) == "open"
        counter_sessions.stop_session(a.vault, teller, sid, "customer_left")
        a.push()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if b.vault.transact(lambda s: s.get(CounterSessionRecord, sid).status) == "stopped":
                break
            time.sleep(0.1)
        assert b.vault.transact(lambda s: s.get(CounterSessionRecord, sid).status) == "stopped"
    finally:
        worker.stop()
    assert not worker.running and worker.last_error is None and statuses and statuses[-1].online


def test_the_same_customer_changed_on_both_keeps_both_versions_until_a_user_chooses(stations):
    a, b = stations
    counter_session = at_recommendation(a.vault)
    teller_a, cid = counter_session.user, counter_session.state.customer_id
    counter_session.cancel()
    a.push()
    b.pull()
    teller_b = b.vault.sign_in("teller", PASSWORDS["teller"])
    assert repository.get_customer(b.vault, teller_b, cid).version == 1

    repository.update_customer(a.vault, teller_a, cid, {"phone": "13900001111"}, "new phone (A)")
    repository.update_customer(b.vault, teller_b, cid, {"occupation": "gbt6565_4"}, "new job (B)")
    a.push()
    b.push()
    got_a, got_b = a.pull(), b.pull()
    assert got_a.conflicts == 1 and got_b.conflicts == 1

    # Nothing lost: each side keeps its own version current and the other one in the inbox.
    assert repository.get_customer(a.vault, teller_a, cid).version == 2
    assert repository.reveal(b.vault, teller_b, cid, "occupation") == "gbt6565_4"
    open_b = conflicts.list_conflicts(b.vault, teller_b)
    assert len(open_b) == 1 and open_b[0].kind == "customer_version" and open_b[0].object_id == cid
    assert open_b[0].base_version == 1 and open_b[0].local_version == 2 and open_b[0].remote_version == 2
    assert set(open_b[0].changed_fields) == {"phone", "occupation"}

    done = conflicts.resolve(b.vault, teller_b, open_b[0].id, "remote")
    assert done.resolution == "remote" and done.resolved_at
    assert repository.get_customer(b.vault, teller_b, cid).version == 3
    assert repository.reveal(b.vault, teller_b, cid, "phone") == "+8613900001111"
    assert conflicts.list_conflicts(b.vault, teller_b) == []
    [kept] = conflicts.list_conflicts(a.vault, teller_a)
    conflicts.resolve(a.vault, teller_a, kept.id, "local")
    assert conflicts.list_conflicts(a.vault, teller_a) == []
    assert a.vault.transact(lambda s: s.scalar(select(func.count()).select_from(SyncConflict)
                                               .where(SyncConflict.resolution == "local"))) == 1


def test_signed_master_data_is_applied_and_a_tampered_item_refused(stations, hub, head_office):
    a, b = stations
    catalog = (resources_dir() / "catalog" / "demo_catalog.csv").read_bytes()
    changed = catalog.replace(b"3-month time deposit", b"Three-month time deposit")
    questionnaire = json.dumps({"id": "risk_questionnaire", "version": 99}).encode()
    with hub.sessions.begin() as session:
        version = 1000 + int(time.time() * 1000) % 100000
        for kind, payload in (("catalog", changed), ("questionnaire", questionnaire)):
            hub_master.publish(session, kind, version, payload, sign_master_item(head_office, kind, version, payload))
    result = a.client.pull_master()
    assert ("catalog", version) in result.applied and ("questionnaire", version) in result.stored
    assert not result.refused
    from counterdesk.services.catalog.versions import current_catalog
    names = {p.code: p.name_en for p in current_catalog(a.vault, a.admin).products}
    assert names["DM-DEP-3M"] == "Three-month time deposit"

    # A teller's client verifies and keeps the catalog for an administrator to apply.
    teller = b.vault.sign_in("teller", PASSWORDS["teller"])
    as_teller = SyncClient(b.vault, teller, transport=PortalTransport(hub))
    try:
        res = as_teller.pull_master()
        assert ("catalog", version) in res.stored and not res.applied
    finally:
        as_teller.close()
    assert ("catalog", version) in b.client.apply_master().applied

    # An item whose payload was changed on the way (here: in the hub's table) is refused and reported.
    with hub.sessions.begin() as session:
        item = hub_master.publish(session, "catalog", version + 1, catalog,
                                  sign_master_item(head_office, "catalog", version + 1, catalog))
        item.payload = catalog.replace(b"50.00", b"5.00")
        item.sha256 = hashlib.sha256(item.payload).hexdigest()
    refused = a.client.pull_master()
    assert refused.refused == [("catalog", version + 1, "bad_signature")] and not refused.applied
    names = {p.code: p.name_en for p in current_catalog(a.vault, a.admin).products}
    assert names["DM-DEP-3M"] == "Three-month time deposit"   # unchanged
    entries = a.vault.audit_entries(a.admin, limit=20)
    assert any(e.action == "sync.master_refused" for e in entries)


def test_enrolling_twice_needs_intent_and_a_bad_code_changes_nothing(stations, hub):
    a, _b = stations
    with pytest.raises(SyncError) as twice:
        enrol(a.vault, a.admin, HUB, "00" * 16, transport=PortalTransport(hub))
    assert twice.value.code == "already_enrolled"
    before = a.vault.transact(state.all_state)
    with pytest.raises(HubRefused) as bad:
        enrol(a.vault, a.admin, HUB, "00" * 16, branch_code=before["branch_code"], transport=PortalTransport(hub),
              again=True)
    assert bad.value.code == "enrol_code_invalid" and bad.value.status == 403
    assert a.vault.transact(state.all_state) == before
    for address in ("hub.branch.example", "ftp://hub.branch.example", "  "):
        with pytest.raises(SyncError) as wrong:
            enrol(a.vault, a.admin, address, "00" * 16, transport=PortalTransport(hub), again=True)
        assert wrong.value.code == "bad_hub_url"
    assert a.vault.transact(state.all_state) == before
    assert a.push().rejected == 0


def test_the_hub_address_is_trimmed_and_must_be_http_or_https():
    assert checked_hub_url("  https://hub.branch.example/ ") == "https://hub.branch.example"
    assert checked_hub_url("HTTP://127.0.0.1:8443") == "HTTP://127.0.0.1:8443"
    with pytest.raises(SyncError) as refused:
        checked_hub_url("hub.branch.example")
    assert "https://" in refused.value.text.en and "hub.branch.example" in refused.value.text.en
