"""What docs/sync-protocol.md says of nonces and pushes: a push refused whole (its body fails the schema
after the signature passed) leaves its nonce unspent, because the nonce is recorded in the push's own
transaction; a push answered 200 spends it, even when every record in it was rejected."""
from __future__ import annotations


def test_a_push_refused_whole_does_not_spend_its_nonce(hub):
    _branch, device = hub.new_branch_with_device()
    nonce = "e1" * 16
    refused = hub.signed(device, "POST", "/v1/push", body={"records": "not a list"}, nonce=nonce)
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_request"
    accepted = hub.push(device, [device.record()], nonce=nonce)
    assert accepted.status_code == 200 and accepted.json()["receipts"][0]["status"] == "accepted"
    again = hub.push(device, [device.record()], nonce=nonce)
    assert again.status_code == 401 and again.json()["error"] == "replayed"


def test_a_push_answered_with_rejected_records_spends_its_nonce(hub):
    _branch, device = hub.new_branch_with_device()
    nonce = "e2" * 16
    answered = hub.push(device, [device.record(record_type="no.such.type")], nonce=nonce)
    assert answered.status_code == 200
    assert [r["error"] for r in answered.json()["receipts"]] == ["unknown_type"]
    again = hub.push(device, [device.record()], nonce=nonce)
    assert again.status_code == 401 and again.json()["error"] == "replayed"
