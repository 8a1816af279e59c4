"""Signed requests (real PostgreSQL): unknown and revoked devices, replays, bad signatures, clock skew."""
from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from counterdesk.hub import enrolment
from counterdesk.hub.auth import prune_nonces
from counterdesk.hub.models import Nonce
from counterdesk.protocol.signing import canonical_request, sign_request
from helpers.hub import Device


def _error(res):
    return res.status_code, res.json()["error"]


def test_a_signed_request_passes(hub):
    _branch, device = hub.new_branch_with_device()
    res = hub.pull(device)
    assert res.status_code == 200
    assert res.json() == {"records": [], "cursor": 0, "more": False}


def test_unenrolled_device_is_unknown(hub):
    stranger = Device.new(hub.add_branch())
    stranger.id = str(uuid.uuid4())
    assert _error(hub.pull(stranger)) == (401, "device_unknown")
    headers = sign_request(stranger.key, "GET", "/v1/pull", "", b"")  # no X-CD-Device at all
    assert _error(hub.request("GET", "/v1/pull", headers=headers)) == (401, "device_unknown")
    assert _error(hub.request("GET", "/v1/pull", headers={**headers, "X-CD-Device": "nope"})) == (
        401, "device_unknown")


def test_revoked_device_is_refused(hub):
    _branch, device = hub.new_branch_with_device()
    assert hub.pull(device).status_code == 200
    with hub.sessions.begin() as s:
        enrolment.revoke_device(s, device.id)
    assert _error(hub.pull(device)) == (401, "device_revoked")


def test_replayed_nonce_is_refused(hub):
    _branch, device = hub.new_branch_with_device()
    headers = sign_request(device.key, "GET", "/v1/pull", "", b"", device_id=device.id)
    assert hub.request("GET", "/v1/pull", headers=headers).status_code == 200
    assert _error(hub.request("GET", "/v1/pull", headers=headers)) == (401, "replayed")
    # The same nonce in a new, validly signed request is still a replay.
    again = hub.signed(device, "GET", "/v1/pull", {"cursor": 1}, nonce=headers["X-CD-Nonce"])
    assert _error(again) == (401, "replayed")


def test_nonces_of_another_device_do_not_collide(hub):
    branch, first = hub.new_branch_with_device()
    second = hub.enrol(branch)
    nonce = "ab" * 16
    assert hub.signed(first, "GET", "/v1/pull", nonce=nonce).status_code == 200
    assert hub.signed(second, "GET", "/v1/pull", nonce=nonce).status_code == 200


def test_bad_signatures_are_refused(hub):
    _branch, device = hub.new_branch_with_device()
    other_key = Ed25519PrivateKey.generate()
    signed_by_other = sign_request(other_key, "GET", "/v1/pull", "", b"", device_id=device.id)
    assert _error(hub.request("GET", "/v1/pull", headers=signed_by_other)) == (401, "bad_signature")

    # Signed for one thing, used for another: path, query, method, body.
    headers = sign_request(device.key, "GET", "/v1/pull", "cursor=0", b"", device_id=device.id)
    assert _error(hub.request("GET", "/v1/pull?cursor=5", headers=headers)) == (401, "bad_signature")
    headers = sign_request(device.key, "GET", "/v1/master", "", b"", device_id=device.id)
    assert _error(hub.request("GET", "/v1/pull", headers=headers)) == (401, "bad_signature")
    body = b'{"records": []}'
    headers = sign_request(device.key, "POST", "/v1/push", "", body, device_id=device.id)
    res = hub.request("POST", "/v1/push", content=b'{"records":[]}',
                      headers={**headers, "content-type": "application/json"})
    assert _error(res) == (401, "bad_signature")
    ok = hub.request("POST", "/v1/push", content=body, headers={**headers, "content-type": "application/json"})
    assert ok.status_code == 200 and ok.json()["receipts"] == []

    # Missing or garbled signature headers.
    good = sign_request(device.key, "GET", "/v1/pull", "", b"", device_id=device.id)
    for change in ({"X-CD-Signature": "!!"}, {"X-CD-Signature": base64.b64encode(b"x" * 63).decode()},
                   {"X-CD-Nonce": "short"}, {"X-CD-Timestamp": "soon"}, {"X-CD-Timestamp": "-5"}):
        assert _error(hub.request("GET", "/v1/pull", headers={**good, **change})) == (401, "bad_signature"), change
    assert _error(hub.request("GET", "/v1/pull", headers={"X-CD-Device": device.id})) == (401, "bad_signature")


def test_the_signature_covers_the_documented_string(hub):
    _branch, device = hub.new_branch_with_device()
    ts, nonce, body = int(time.time()), "0f" * 16, b""
    message = canonical_request("GET", "/v1/pull", "cursor=0&limit=1", ts, nonce, body)
    assert message == (f"CDv1\nGET\n/v1/pull\ncursor=0&limit=1\n{ts}\n{nonce}\n"
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").encode()
    headers = {"X-CD-Device": device.id, "X-CD-Timestamp": str(ts), "X-CD-Nonce": nonce,
               "X-CD-Signature": base64.b64encode(device.key.sign(message)).decode()}
    assert hub.request("GET", "/v1/pull?cursor=0&limit=1", headers=headers).status_code == 200


def test_clock_skew_both_ways_is_refused_with_the_server_time(hub):
    _branch, device = hub.new_branch_with_device()
    for offset in (-600, 600):
        res = hub.signed(device, "GET", "/v1/pull", now=time.time() + offset)
        assert _error(res) == (401, "clock_skew")
        server = datetime.fromisoformat(res.headers["X-CD-Server-Time"])
        assert abs((server - datetime.now(UTC)).total_seconds()) < 5
    # Within 300 s either way is accepted; the client corrects itself from the header.
    assert hub.signed(device, "GET", "/v1/pull", now=time.time() - 250).status_code == 200
    assert hub.signed(device, "GET", "/v1/pull", now=time.time() + 250).status_code == 200


def test_every_response_carries_the_server_time(hub):
    _branch, device = hub.new_branch_with_device()
    responses = [hub.request("GET", "/v1/health"), hub.request("GET", "/nowhere"), hub.pull(device),
                 hub.request("GET", "/v1/pull"), hub.request("DELETE", "/v1/push"),
                 hub.signed(device, "GET", "/v1/wait", {"cursor": 0, "timeout": 0})]
    assert [r.status_code for r in responses] == [200, 404, 200, 401, 405, 204]
    for res in responses:
        assert datetime.fromisoformat(res.headers["X-CD-Server-Time"]).tzinfo is not None
        if res.status_code >= 400:
            assert set(res.json()) == {"error", "detail"}


def test_old_nonces_are_pruned_after_the_window(hub):
    _branch, device = hub.new_branch_with_device()
    assert hub.pull(device).status_code == 200
    with hub.sessions() as s:
        mine = s.query(Nonce).filter(Nonce.device == uuid.UUID(device.id)).count()
    assert mine == 1
    prune_nonces(hub.sessions, time.time())  # nothing is old enough yet
    with hub.sessions() as s:
        assert s.query(Nonce).filter(Nonce.device == uuid.UUID(device.id)).count() == 1
    prune_nonces(hub.sessions, time.time() + 602)
    with hub.sessions() as s:
        assert s.query(Nonce).filter(Nonce.device == uuid.UUID(device.id)).count() == 0


def test_a_nonce_is_not_spent_by_a_refused_request(hub):
    _branch, device = hub.new_branch_with_device()
    nonce = "cd" * 16
    assert _error(hub.signed(device, "GET", "/v1/pull", now=time.time() - 900, nonce=nonce)) == (401, "clock_skew")
    assert hub.signed(device, "GET", "/v1/pull", nonce=nonce).status_code == 200
