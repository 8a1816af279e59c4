"""The sync client against a scripted hub (httpx.MockTransport): what it sends and how it treats
receipts, refusals, unreadable records, the network going away and tampered master data."""
from __future__ import annotations

import base64
import hashlib
import json
import uuid

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from counterdesk.protocol.signing import canonical_request, public_key_bytes, sign_master_item, verify_signature
from counterdesk.services.customers import counter_sessions
from counterdesk.services.sync import envelope, state
from counterdesk.services.sync.client import HubRefused, HubUnreachable, SyncClient
from counterdesk.store.models.sync import Inbox, Outbox, SyncMaster

BRANCH = "BJ001"
BRANCH_KEY = bytes(range(32))
DEVICE = Ed25519PrivateKey.generate()
HEAD_OFFICE = Ed25519PrivateKey.generate()
SERVER_TIME = "2030-01-01T00:00:00.000000Z"


@pytest.fixture
def enrolled(demo_vault, sign_in):
    """A demo workstation with sync keys and state as an enrolment leaves them."""
    admin = sign_in("admin")
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    def write(s):
        state.put_key(s, state.DEVICE_KEY, DEVICE.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()), "d1")
        state.put_key(s, state.BRANCH_KEY, BRANCH_KEY, envelope.key_id(BRANCH_KEY))
        state.put_key(s, state.HEAD_OFFICE_KEY, public_key_bytes(HEAD_OFFICE), "fp")
        for k, v in ((state.WORKSTATION_ID, str(uuid.uuid4())), (state.DEVICE_ID, str(uuid.uuid4())),
                     (state.BRANCH_CODE, BRANCH), (state.HUB_URL, "https://hub.example"), (state.CURSOR, 0)):
            state.put(s, k, v)
    demo_vault.transact(write)
    return demo_vault, admin


def _client(vault, us, handler, **kw) -> SyncClient:
    return SyncClient(vault, us, transport=httpx.MockTransport(handler), **kw)


def _verify(request: httpx.Request) -> bool:
    h = request.headers
    msg = canonical_request(request.method, request.url.path, request.url.query.decode(), h["X-CD-Timestamp"],
                            h["X-CD-Nonce"], request.content)
    return verify_signature(DEVICE.public_key(), base64.b64decode(h["X-CD-Signature"]), msg)


def test_push_sends_signed_sealed_records_and_follows_each_receipt(enrolled, sign_in):
    vault, admin = enrolled
    counter_sessions.open_session(vault, sign_in("teller"))
    pending = vault.transact(lambda s: [r.id for r in s.scalars(select(Outbox).where(Outbox.state == "pending")
                                                                 .order_by(Outbox.local_seq))])
    assert len(pending) >= 3
    seen: list[dict] = []

    def hub(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/push" and _verify(request)
        records = json.loads(request.content)["records"]
        seen.extend(records)
        receipts = []
        for i, rec in enumerate(records):
            raw = base64.b64decode(rec["envelope"])
            body = json.loads(envelope.open_(BRANCH_KEY, rec["id"], rec["type"], BRANCH, raw))
            assert body["table"] and rec["key_id"] == envelope.key_id(BRANCH_KEY)
            if i == 0:
                receipts.append({"id": rec["id"], "status": "rejected", "seq": None, "error": "malformed"})
            elif i == 1:
                receipts.append({"id": rec["id"], "status": "duplicate", "seq": 7, "error": None})
            elif i == 2:
                continue  # no receipt: it stays pending
            else:
                receipts.append({"id": rec["id"], "status": "accepted", "seq": 100 + i, "error": None})
        return httpx.Response(200, json={"receipts": receipts, "server_time": SERVER_TIME})

    with _client(vault, admin, hub) as client:
        result = client.push_once()
    assert [r["id"] for r in seen] == pending[:len(seen)]
    assert result.rejected == 1 and result.duplicate == 1 and result.sent == len(seen) - 3
    rows = vault.transact(lambda s: {r.id: (r.state, r.server_seq, r.attempts, r.last_error)
                                     for r in s.scalars(select(Outbox))})
    assert rows[pending[0]] == ("quarantined", None, 1, "malformed")
    assert rows[pending[1]][:2] == ("sent", 7)
    assert rows[pending[2]] == ("pending", None, 1, "no_receipt")
    # The envelope is kept: the record that got no receipt goes again byte for byte.
    again: list[dict] = []

    def hub2(request):
        again.extend(json.loads(request.content)["records"])
        return httpx.Response(200, json={"receipts": [], "server_time": SERVER_TIME})
    with _client(vault, admin, hub2) as client:
        client.push_once()
    assert next(r for r in again if r["id"] == pending[2]) == next(r for r in seen if r["id"] == pending[2])


def test_the_network_away_raises_hub_unreachable_and_status_says_offline(enrolled):
    vault, admin = enrolled

    def down(request):
        raise httpx.ConnectError("connection refused", request=request)
    with _client(vault, admin, down) as client:
        with pytest.raises(HubUnreachable):
            client.push_once()
        status = client.status()
    assert not status.online and status.pending_count > 0 and status.quarantined_count == 0


def test_clock_skew_is_corrected_once_then_refusals_are_reported(enrolled):
    vault, admin = enrolled
    calls: list[int] = []

    def skewed(request):
        calls.append(int(request.headers["X-CD-Timestamp"]))
        return httpx.Response(401, json={"error": "clock_skew", "detail": "off"},
                              headers={"X-CD-Server-Time": SERVER_TIME})
    with _client(vault, admin, skewed, clock=lambda: 1_000_000_000.0) as client:
        with pytest.raises(HubRefused) as refused:
            client.pull_once()
    assert refused.value.code == "clock_skew" and refused.value.status == 401
    assert len(calls) == 2 and calls[1] == 1_893_456_000  # re-signed once, on the hub's clock


def test_records_that_do_not_open_or_lie_in_their_meta_are_kept_apart_and_the_cursor_moves(enrolled):
    vault, admin = enrolled
    rid, rid2 = str(uuid.uuid4()), str(uuid.uuid4())
    body = json.dumps({"v": 1, "table": "counter_sessions", "op": "insert",
                       "row": {"id": "s1", "status": "open"}}).encode()
    lying = envelope.seal(BRANCH_KEY, rid2, "counter_session", BRANCH, body)
    records = [
        {"seq": 5, "id": rid, "type": "counter_session", "workstation_id": str(uuid.uuid4()), "created_at": SERVER_TIME,
         "key_id": envelope.key_id(BRANCH_KEY), "meta": {"session_id": "s1", "status": "open"},
         "envelope": base64.b64encode(envelope.seal(bytes(32), rid, "counter_session", BRANCH, body)).decode()},
        {"seq": 6, "id": rid2, "type": "counter_session", "workstation_id": str(uuid.uuid4()),
         "created_at": SERVER_TIME, "key_id": envelope.key_id(BRANCH_KEY),
         "meta": {"session_id": "s9", "status": "open"},
         "envelope": base64.b64encode(lying).decode()},
    ]

    def hub(request):
        assert request.url.query == b"cursor=0&limit=500"
        return httpx.Response(200, json={"records": records, "cursor": 6, "more": False})
    with _client(vault, admin, hub) as client:
        result = client.pull_once()
    assert result.received == 2 and result.failed == 2 and result.applied == 0 and result.cursor == 6
    rows = vault.transact(lambda s: {r.id: (r.outcome, r.apply_error, r.body) for r in s.scalars(select(Inbox))})
    assert rows[rid] == ("unreadable", "does_not_open", None)
    assert rows[rid2] == ("unreadable", "meta_mismatch", None)
    assert vault.transact(lambda s: state.get(s, state.CURSOR)) == 6
    actions = [e.action for e in vault.audit_entries(admin, limit=5)]
    assert actions.count("sync.record_refused") == 2


def test_tampered_master_data_is_refused_and_never_applied(enrolled):
    vault, admin = enrolled
    payload = b"code,name_zh\n"
    good = sign_master_item(HEAD_OFFICE, "questionnaire", 3, payload)
    forged = Ed25519PrivateKey.generate()
    items = [
        {"seq": 1, "kind": "questionnaire", "version": 3, "sha256": hashlib.sha256(payload).hexdigest(),
         "payload": base64.b64encode(payload).decode(), "signature": base64.b64encode(good).decode()},
        {"seq": 2, "kind": "catalog", "version": 4, "sha256": hashlib.sha256(payload).hexdigest(),
         "payload": base64.b64encode(payload).decode(),
         "signature": base64.b64encode(sign_master_item(forged, "catalog", 4, payload)).decode()},
        {"seq": 3, "kind": "catalog", "version": 5, "sha256": hashlib.sha256(b"other").hexdigest(),
         "payload": base64.b64encode(b"other").decode(), "signature": base64.b64encode(good).decode()},
    ]

    def hub(request):
        since = int(request.url.params["since"])
        return httpx.Response(200, json={"items": [i for i in items if i["seq"] > since], "more": False})
    with _client(vault, admin, hub) as client:
        result = client.pull_master()
        assert client.pull_master().refused == []   # the cursor moved on
    assert result.stored == [("questionnaire", 3)] and result.applied == []
    assert sorted(result.refused) == [("catalog", 4, "bad_signature"), ("catalog", 5, "bad_signature")]
    rows = vault.transact(lambda s: {m.seq: m.status for m in s.scalars(select(SyncMaster))})
    assert rows == {1: "stored", 2: "refused", 3: "refused"}
    actions = [e.action for e in vault.audit_entries(admin, limit=5)]
    assert actions.count("sync.master_refused") == 2
