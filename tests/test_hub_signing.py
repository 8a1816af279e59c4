"""counterdesk.protocol.signing: the protocol's signatures as pure functions, shared with the workstations."""
from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.protocol.signing import (
    branch_key_id,
    canonical_request,
    code_sha256,
    public_key_bytes,
    public_key_fingerprint,
    sign_master_item,
    sign_request,
    verify_master_item,
    verify_signature,
)

KEY = Ed25519PrivateKey.generate()


def test_sign_request_headers():
    headers = sign_request(KEY, "post", "/v1/push", "", b'{"records":[]}', now=1_700_000_000.9,
                           device_id="d-1", nonce="ab" * 16)
    assert headers["X-CD-Timestamp"] == "1700000000" and headers["X-CD-Nonce"] == "ab" * 16
    assert headers["X-CD-Device"] == "d-1"
    expected = (b"CDv1\nPOST\n/v1/push\n\n1700000000\n" + b"ab" * 16 + b"\n"
                + hashlib.sha256(b'{"records":[]}').hexdigest().encode())
    assert canonical_request("post", "/v1/push", "", 1700000000, "ab" * 16, b'{"records":[]}') == expected
    assert verify_signature(public_key_bytes(KEY), base64.b64decode(headers["X-CD-Signature"]), expected)
    fresh = sign_request(KEY, "GET", "/v1/pull", "cursor=0", b"")
    assert "X-CD-Device" not in fresh and len(fresh["X-CD-Nonce"]) == 32
    assert fresh["X-CD-Nonce"] != sign_request(KEY, "GET", "/v1/pull", "cursor=0", b"")["X-CD-Nonce"]


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(["catalog", "questionnaire", "sanctions"]), st.integers(1, 2 ** 31 - 1), st.binary())
def test_master_items_verify_and_any_change_breaks_them(kind, version, payload):
    item = {"kind": kind, "version": version, "sha256": hashlib.sha256(payload).hexdigest(),
            "payload": base64.b64encode(payload).decode(),
            "signature": base64.b64encode(sign_master_item(KEY, kind, version, payload)).decode()}
    assert verify_master_item(public_key_bytes(KEY), item)
    assert verify_master_item(KEY.public_key(), item)
    assert not verify_master_item(public_key_bytes(KEY), {**item, "version": version + 1})
    assert not verify_master_item(public_key_bytes(KEY), {**item, "payload": base64.b64encode(payload + b"!").decode()})
    assert not verify_master_item(b"short", item)
    assert not verify_master_item(public_key_bytes(KEY), {**item, "version": "seven"})


def test_codes_keys_and_fingerprints():
    code = "00112233445566778899aabbccddeeff"
    assert code_sha256(code) == hashlib.sha256(bytes.fromhex(code)).hexdigest() == code_sha256(code.upper())
    key = bytes(range(32))
    assert branch_key_id(key) == "bk1-" + hashlib.sha256(key).hexdigest()[:16]
    assert public_key_fingerprint(KEY) == hashlib.sha256(public_key_bytes(KEY)).hexdigest()
    assert public_key_fingerprint(public_key_bytes(KEY)) == public_key_fingerprint(KEY.public_key())


def test_signing_imports_neither_fastapi_nor_a_database():
    """The workstation imports this module; it must stay light."""
    script = ("import sys, json\nimport counterdesk.protocol.signing\n"
              "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
              "{'fastapi', 'starlette', 'sqlalchemy', 'pydantic', 'PySide6', 'uvicorn'})))")
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == []
