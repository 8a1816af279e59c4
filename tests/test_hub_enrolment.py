"""Enrolment on the hub (real PostgreSQL): one-time codes from the hub admin and from workstations."""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import update

from counterdesk.hub.clock import utcnow
from counterdesk.hub.models import Branch, EnrolCode
from counterdesk.hub.models import Device as DeviceRow
from counterdesk.protocol.signing import (
    branch_key_id,
    code_sha256,
    is_weak_public_key,
    public_key_bytes,
    verify_signature,
)
from helpers.hub import Device


def _enrol(hub, branch, code, **extra):
    return hub.request("POST", "/v1/enrol", json_body=Device.new(branch).enrol_body(code, **extra))


def test_first_code_enrols_once(hub):
    branch = hub.add_branch()
    code = hub.first_code(branch)
    res = _enrol(hub, branch, code)
    assert res.status_code == 201
    body = res.json()
    assert body["branch_code"] == branch and body["wrapped_branch_key"] is None
    assert body["server_time"].endswith("Z") and res.headers["X-CD-Server-Time"]
    with hub.sessions() as s:
        row = s.get(EnrolCode, code_sha256(code))
        assert row.used_at is not None and str(row.used_by_device) == body["device_id"]
        assert s.get(DeviceRow, row.used_by_device).branch == branch
    again = _enrol(hub, branch, code)
    assert again.status_code == 403 and again.json()["error"] == "enrol_code_invalid"


def test_the_hub_keeps_only_the_hash_of_the_code(hub):
    branch = hub.add_branch()
    code = hub.first_code(branch)
    with hub.sessions() as s:
        rows = s.query(EnrolCode).filter(EnrolCode.branch == branch).all()
    assert [r.code_sha256 for r in rows] == [hashlib.sha256(bytes.fromhex(code)).hexdigest()]
    # The code may be typed in upper case.
    assert _enrol(hub, branch, code.upper()).status_code == 201


def test_expired_unknown_and_wrong_branch_codes_get_the_same_answer(hub):
    branch, other = hub.add_branch(), hub.add_branch()
    expired = hub.first_code(branch)
    with hub.sessions.begin() as s:
        s.execute(update(EnrolCode).where(EnrolCode.code_sha256 == code_sha256(expired))
                  .values(expires_at=utcnow() - timedelta(seconds=1)))
    wrong_branch = hub.first_code(other)
    answers = [_enrol(hub, branch, expired), _enrol(hub, branch, secrets.token_hex(16)),
               _enrol(hub, branch, wrong_branch), _enrol(hub, "NO-SUCH-BRANCH", hub.first_code(branch))]
    assert {(r.status_code, r.json()["error"], r.json()["detail"]) for r in answers} == {
        (403, "enrol_code_invalid", answers[0].json()["detail"])}
    # The refused codes stay usable where they belong (the wrong-branch one for its own branch).
    assert _enrol(hub, other, wrong_branch).status_code == 201


def test_malformed_enrolment_is_refused_as_invalid_request(hub):
    branch = hub.add_branch()
    code = hub.first_code(branch)
    for change in ({"code": "zz" * 16}, {"sign_public_key": base64.b64encode(b"x" * 31).decode()},
                   {"workstation_id": "not-a-uuid"}, {"name": ""}, {"branch_key_id": "bk2-xyz"}):
        body = {**Device.new(branch).enrol_body(code), **change}
        res = hub.request("POST", "/v1/enrol", json_body=body)
        assert res.status_code == 422 and res.json()["error"] == "invalid_request", change
    assert _enrol(hub, branch, code).status_code == 201  # none of those used the code


# The points of small order (and non-canonical encodings of them), as libsodium's blocklist has them.
SMALL_ORDER = ["01" + "00" * 31, "ec" + "ff" * 30 + "7f", "00" * 32, "00" * 31 + "80",
               "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
               "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
               "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
               "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
               "01" + "00" * 30 + "80", "ec" + "ff" * 31, "ee" + "ff" * 30 + "7f", "ee" + "ff" * 31,
               "ed" + "ff" * 30 + "7f", "ed" + "ff" * 31]


def test_a_device_key_of_small_order_is_refused():
    """Such a key verifies a forged signature for a share of all messages (the all-zero key: about one
    in four), so a device enrolled with it would prove nothing by its signatures."""
    forged = bytes.fromhex("01" + "00" * 63)  # R = the identity, S = 0
    zero = Ed25519PublicKey.from_public_bytes(bytes(32))
    assert any(verify_signature(zero, forged, os.urandom(16)) for _ in range(64))
    assert all(is_weak_public_key(bytes.fromhex(h)) for h in SMALL_ORDER)
    assert not any(is_weak_public_key(public_key_bytes(Ed25519PrivateKey.generate())) for _ in range(500))


def test_enrolment_refuses_a_key_of_small_order(hub):
    branch = hub.add_branch()
    code = hub.first_code(branch)
    for weak in SMALL_ORDER[:4]:
        body = {**Device.new(branch).enrol_body(code), "sign_public_key": base64.b64encode(bytes.fromhex(weak)).decode()}
        res = hub.request("POST", "/v1/enrol", json_body=body)
        assert res.status_code == 422 and "small order" in res.json()["detail"], weak
    assert _enrol(hub, branch, code).status_code == 201  # the code is still unused


def test_branch_key_id_is_set_by_the_first_enrolment_and_checked_later(hub):
    branch = hub.add_branch()
    key_id = branch_key_id(os.urandom(32))
    first = hub.enrol(branch, branch_key_id=key_id)
    with hub.sessions() as s:
        assert s.get(Branch, branch).key_id == key_id
    # A second "first workstation" code would make a second branch key: refused, the code stays unused.
    code = hub.first_code(branch)
    res = _enrol(hub, branch, code, branch_key_id=branch_key_id(os.urandom(32)))
    assert res.status_code == 409 and res.json()["error"] == "branch_key_mismatch"
    # Without a key id, a hub-made code (no wrapped key) cannot enrol a workstation that would have
    # no branch key; a workstation re-enrolling with the branch's key id can.
    res = _enrol(hub, branch, code)
    assert res.status_code == 409 and res.json()["error"] == "branch_key_mismatch"
    assert _enrol(hub, branch, code, branch_key_id=key_id).status_code == 201
    # A code made by an enrolled workstation carries the key: offering another key id is refused
    # without using it, and the retry without a key id gets the wrapped key.
    further = secrets.token_hex(16)
    wrapped = base64.b64encode(os.urandom(60)).decode()
    assert hub.signed(first, "POST", "/v1/enrol-codes", body={
        "code_sha256": code_sha256(further), "wrapped_branch_key": wrapped, "expires_in_s": 600}).status_code == 201
    res = _enrol(hub, branch, further, branch_key_id=branch_key_id(os.urandom(32)))
    assert res.status_code == 409 and res.json()["error"] == "branch_key_mismatch"
    res = _enrol(hub, branch, further)
    assert res.status_code == 201 and res.json()["wrapped_branch_key"] == wrapped


def test_enrolled_workstation_registers_a_code_for_the_next_one(hub):
    branch = hub.add_branch()
    first = hub.enrol(branch)
    code = secrets.token_hex(16)
    wrapped = os.urandom(12 + 32 + 16)
    body = {"code_sha256": code_sha256(code), "wrapped_branch_key": base64.b64encode(wrapped).decode(),
            "expires_in_s": 3600}
    res = hub.signed(first, "POST", "/v1/enrol-codes", body=body)
    assert res.status_code == 201, res.text
    assert res.json()["branch_code"] == branch
    # Registering the same code again is a conflict.
    again = hub.signed(first, "POST", "/v1/enrol-codes", body=body)
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    # The code works for this branch only, once, and hands over the wrapped key.
    assert _enrol(hub, hub.add_branch(), code).status_code == 403
    second = _enrol(hub, branch, code)
    assert second.status_code == 201
    assert base64.b64decode(second.json()["wrapped_branch_key"]) == wrapped
    assert _enrol(hub, branch, code).status_code == 403
    with hub.sessions() as s:
        assert str(s.get(EnrolCode, code_sha256(code)).created_by_device) == first.id


def test_enrol_code_request_must_be_signed_and_well_formed(hub):
    branch = hub.add_branch()
    first = hub.enrol(branch)
    body = {"code_sha256": code_sha256(secrets.token_hex(16)), "wrapped_branch_key": base64.b64encode(
        os.urandom(60)).decode(), "expires_in_s": 3600}
    unsigned = hub.request("POST", "/v1/enrol-codes", json_body=body)
    assert unsigned.status_code == 401
    for change in ({"expires_in_s": 10}, {"code_sha256": "AB" * 32}, {"wrapped_branch_key": "!!"}):
        res = hub.signed(first, "POST", "/v1/enrol-codes", body={**body, **change})
        assert res.status_code == 422 and res.json()["error"] == "invalid_request", change


def test_enrolment_returns_the_head_office_key_once_registered(hub):
    from counterdesk.hub.master import register_head_office_key
    from counterdesk.hub.models import HeadOfficeKey
    with hub.sessions() as s:
        existing = s.get(HeadOfficeKey, 1)
    raw = existing.public_key if existing else os.urandom(32)
    with hub.sessions.begin() as s:
        register_head_office_key(s, raw)
    device = hub.enrol(hub.add_branch())
    assert base64.b64decode(device.enrol_response["head_office_public_key"]) == raw
