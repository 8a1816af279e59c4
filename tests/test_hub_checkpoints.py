"""The hub keeps the workstations' chain checkpoints append-only (hub/checkpoints.py, migration 0003), on
PostgreSQL: a checkpoint signed by the device is accepted and read back; one that contradicts what is
anchored is refused with 409 and kept, flagged; the tables refuse UPDATE, DELETE and TRUNCATE even
through SQL."""
from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import make_url

from counterdesk.protocol.checkpoints import FIELDS, sign_checkpoint, structure_problem, verify_checkpoint
from counterdesk.protocol.signing import public_key_bytes
from helpers.hub import Hub


def _hash(n: int, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}{n}".encode()).hexdigest()


def _body(device, installation: str, start: int, end: int, *, chain: str = "audit", salt: str = "",
          prev: str | None = None, evidence: list | None = None) -> dict:
    entries = [[n, _hash(n, salt)] for n in range(start + 1, end + 1)]
    prev_head = ("" if start == 0 else _hash(start, salt)) if prev is None else prev
    return {"v": 1, "branch": device.branch, "installation_id": installation, "device_id": device.id,
            "chain": chain, "from_seq": start, "prev_head": prev_head, "seq": end,
            "head": entries[-1][1] if entries else prev_head, "entries": entries, "evidence": evidence or [],
            "created_at": datetime.now(UTC).isoformat()}


def _post(hub: Hub, device, body: dict, key: Ed25519PrivateKey | None = None):
    signature = sign_checkpoint(key or device.key, body)
    return hub.signed(device, "POST", "/v1/checkpoints",
                      body={"checkpoint": body, "signature": base64.b64encode(signature).decode()})


def _listing(hub: Hub, device, installation: str) -> list[dict]:
    res = hub.signed(device, "GET", "/v1/checkpoints", {"installation_id": installation})
    assert res.status_code == 200, res.text
    return res.json()["checkpoints"]


def _heads(hub: Hub, device, installation: str) -> dict:
    res = hub.signed(device, "GET", "/v1/checkpoints/heads", {"installation_id": installation})
    assert res.status_code == 200, res.text
    return {h["chain"]: (h["seq"], h["head"]) for h in res.json()["heads"]}


@pytest.fixture
def device(hub):
    _branch, dev = hub.new_branch_with_device()
    return dev


def test_a_signed_checkpoint_is_accepted_read_back_and_a_repeat_is_a_duplicate(hub, device):
    installation = str(uuid.uuid4())
    first = _post(hub, device, _body(device, installation, 0, 5, evidence=[["s-1", 10, _hash(99)]]))
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "accepted" and first.json()["seq"] == 5
    second = _post(hub, device, _body(device, installation, 5, 9))
    assert second.status_code == 201 and second.json()["status"] == "accepted"
    assert _heads(hub, device, installation) == {"audit": (9, _hash(9))}
    listed = _listing(hub, device, installation)
    assert [(c["from_seq"], c["seq"], c["status"]) for c in listed] == [(0, 5, "accepted"), (5, 9, "accepted")]
    assert listed[0]["evidence"] == [["s-1", 10, _hash(99)]]
    res = hub.signed(device, "GET", "/v1/checkpoints/entries",
                     {"installation_id": installation, "chain": "audit", "after_seq": 3, "to_seq": 7})
    assert res.json() == {"entries": [[n, _hash(n)] for n in range(4, 8)], "more": False}
    # A re-sent checkpoint (its answer was lost) changes nothing.
    again = _post(hub, device, _body(device, installation, 0, 5, evidence=[["s-1", 10, _hash(99)]]))
    assert again.status_code == 201 and again.json() == {**again.json(), "status": "duplicate", "id": None}
    assert len(_listing(hub, device, installation)) == 2
    # The history is the installation's: a workstation enrolled again (a new device) continues it.
    other = hub.enrol(device.branch)
    assert _post(hub, other, _body(other, installation, 9, 12)).status_code == 201
    assert _heads(hub, device, installation)["audit"][0] == 12


def test_a_checkpoint_contradicting_the_anchored_history_is_refused_and_kept_flagged(hub, device):
    installation = str(uuid.uuid4())
    assert _post(hub, device, _body(device, installation, 0, 20)).status_code == 201
    # The chain re-hashed from entry 17 on, then continued: it no longer continues the anchored head.
    rewritten = _post(hub, device, _body(device, installation, 20, 25, salt="x"))
    assert rewritten.status_code == 409
    assert rewritten.json()["error"] == "checkpoint_contradiction"
    assert "audit entry 20" in rewritten.json()["detail"] and "flagged checkpoint #" in rewritten.json()["detail"]
    # Repeating anchored entries with other hashes names the first that differs.
    entries = [[n, _hash(n) if n < 17 else _hash(n, "x")] for n in range(11, 21)]
    body = {**_body(device, installation, 10, 20), "entries": entries, "head": entries[-1][1]}
    repeated = _post(hub, device, body)
    assert repeated.status_code == 409 and "audit entry 17 differs" in repeated.json()["detail"]
    # A sale's evidence head never changes once anchored.
    assert _post(hub, device, _body(device, installation, 20, 21, evidence=[["s-9", 10, _hash(1)]])).status_code == 201
    changed = _post(hub, device, _body(device, installation, 21, 22, evidence=[["s-9", 10, _hash(2)]]))
    assert changed.status_code == 409 and "sign-off s-9" in changed.json()["detail"]
    # Nothing of the refused ones was anchored; every attempt is kept, flagged, with its signature.
    assert _heads(hub, device, installation) == {"audit": (21, _hash(21))}
    listed = _listing(hub, device, installation)
    assert [c["status"] for c in listed] == ["accepted", "refused", "refused", "accepted", "refused"]
    assert all(c["reason"] for c in listed if c["status"] == "refused")


def test_signature_owner_range_and_shape_are_checked(hub, device):
    installation = str(uuid.uuid4())
    body = _body(device, installation, 0, 3)
    stranger = Ed25519PrivateKey.generate()
    res = _post(hub, device, body, key=stranger)
    assert res.status_code == 400 and res.json()["error"] == "bad_signature"
    other = hub.enrol(device.branch)
    res = _post(hub, other, body)  # signed by `other`, but naming `device`
    assert res.status_code == 403 and res.json()["error"] == "checkpoint_not_yours"
    gap = _post(hub, device, _body(device, installation, 4, 6))
    assert gap.status_code == 409 and gap.json()["error"] == "checkpoint_gap"
    holes = {**body, "entries": [body["entries"][0], body["entries"][2]]}
    res = _post(hub, device, holes)
    assert res.status_code in (400, 422) and res.json()["error"] in ("checkpoint_invalid", "invalid_request")
    assert structure_problem(holes) is not None and structure_problem(body) is None
    assert verify_checkpoint(public_key_bytes(device.key), body, sign_checkpoint(stranger, body)) is False
    assert verify_checkpoint(public_key_bytes(device.key), body, sign_checkpoint(device.key, body)) is True
    assert _listing(hub, device, installation) == []
    assert set(FIELDS) == set(body)


def test_the_checkpoint_tables_refuse_update_delete_and_truncate_even_through_sql(hub, hub_url, device):
    installation = str(uuid.uuid4())
    assert _post(hub, device, _body(device, installation, 0, 4)).status_code == 201
    url = make_url(hub_url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                         autocommit=True) as conn:
        for sql in ("UPDATE anchored_entries SET hash = repeat('0', 64) WHERE seq = 2",
                    "DELETE FROM anchored_entries WHERE seq = 4",
                    "UPDATE checkpoints SET status = 'accepted'",
                    "DELETE FROM checkpoints",
                    "TRUNCATE anchored_entries",
                    "TRUNCATE checkpoints CASCADE"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(sql)
    assert _heads(hub, device, installation) == {"audit": (4, _hash(4))}
