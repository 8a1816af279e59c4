"""The protocol's signatures, shared by the hub and the workstations (docs/sync-protocol.md).

Pure functions only: no FastAPI, no database. Keys are ``cryptography`` Ed25519 objects; byte
strings travel as standard base64, digests as lowercase hex.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

H_DEVICE = "X-CD-Device"
H_TIMESTAMP = "X-CD-Timestamp"
H_NONCE = "X-CD-Nonce"
H_SIGNATURE = "X-CD-Signature"
H_SERVER_TIME = "X-CD-Server-Time"

MAX_SKEW_S = 300
NONCE_WINDOW_S = 600
MASTER_KINDS = ("catalog", "questionnaire", "sanctions")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_request(method: str, path: str, query: str, timestamp: int | str, nonce: str, body: bytes) -> bytes:
    """The bytes a request signature covers (protocol "Signed requests")."""
    text = "\n".join(("CDv1", method.upper(), path, query, str(timestamp), nonce, sha256_hex(body)))
    return text.encode("utf-8")


def sign_request(private_key: Ed25519PrivateKey, method: str, path: str, query: str, body: bytes,
                 now: float | None = None, *, device_id: str | None = None, nonce: str | None = None) -> dict[str, str]:
    """Headers that sign one request: timestamp, nonce, signature (and the device id when given).

    ``now`` is the caller's estimate of the hub's clock in unix seconds (its own clock plus the
    offset learnt from ``X-CD-Server-Time``); ``query`` is the raw query string without ``?``.
    """
    timestamp = int(time.time() if now is None else now)
    nonce = nonce or secrets.token_hex(16)
    signature = private_key.sign(canonical_request(method, path, query, timestamp, nonce, body))
    headers = {H_TIMESTAMP: str(timestamp), H_NONCE: nonce, H_SIGNATURE: base64.b64encode(signature).decode("ascii")}
    if device_id is not None:
        headers[H_DEVICE] = str(device_id)
    return headers


def verify_signature(public_key: Ed25519PublicKey | bytes, signature: bytes, message: bytes) -> bool:
    try:
        key = public_key if isinstance(public_key, Ed25519PublicKey) else Ed25519PublicKey.from_public_bytes(public_key)
        key.verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


_P = 2 ** 255 - 19
# The y-coordinates of the eight points of small order on edwards25519 (orders 1, 2, 4 and 8): a
# public key there verifies forged signatures for a share of all messages (RFC 8032 §5.1.7 does not
# exclude them), so enrolment refuses them, as libsodium does.
_SMALL_ORDER_Y = frozenset({
    0, 1, _P - 1,
    int.from_bytes(bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"), "little"),
    int.from_bytes(bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"), "little"),
})


def is_weak_public_key(raw: bytes) -> bool:
    """True for a key that is not 32 bytes, not a canonical encoding, or a point of small order."""
    if len(raw) != 32:
        return True
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    return y >= _P or y in _SMALL_ORDER_Y


def public_key_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_fingerprint(key: Ed25519PublicKey | Ed25519PrivateKey | bytes) -> str:
    """SHA-256 of the 32 raw public-key bytes, lowercase hex: what the admin compares by eye."""
    raw = key if isinstance(key, bytes) else public_key_bytes(key)
    return sha256_hex(raw)


def code_sha256(code: str) -> str:
    """``SHA-256`` of an enrolment code's 16 raw bytes, given the code as 32 hex characters."""
    raw = bytes.fromhex(code)
    if len(raw) != 16:
        raise ValueError("an enrolment code is 16 bytes (32 hex characters)")
    return sha256_hex(raw)


def branch_key_id(key: bytes) -> str:
    """``bk1-<first 16 hex of SHA-256(key)>`` for a 256-bit branch key."""
    return "bk1-" + sha256_hex(key)[:16]


# ---- master data ---------------------------------------------------------------------------------

def master_signing_string(kind: str, version: int, payload_sha256: str) -> bytes:
    return f"CDMD1\n{kind}\n{int(version)}\n{payload_sha256}".encode()


def sign_master_item(private_key: Ed25519PrivateKey, kind: str, version: int, payload: bytes) -> bytes:
    return private_key.sign(master_signing_string(kind, version, sha256_hex(payload)))


def verify_master_item(public_key: Ed25519PublicKey | bytes, item: Mapping[str, Any]) -> bool:
    """True when ``item`` (as served by ``GET /v1/master``: base64 payload and signature) is intact.

    Checks that ``sha256`` is the payload's digest and that the head-office signature covers kind,
    version and that digest. Any malformed field gives False, never an exception.
    """
    try:
        kind, version = str(item["kind"]), int(item["version"])
        payload = _b64(item["payload"])
        signature = _b64(item["signature"])
        digest = sha256_hex(payload)
        if str(item.get("sha256", digest)) != digest:
            return False
    except (KeyError, TypeError, ValueError):
        return False
    return verify_signature(public_key, signature, master_signing_string(kind, version, digest))


def _b64(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return base64.b64decode(str(value), validate=True)
