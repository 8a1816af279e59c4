"""Record envelopes: AES-256-GCM under the branch key (docs/sync-protocol.md, "Records").

``envelope = nonce(12) ‖ ciphertext-with-tag``; the associated data is ``id|type|branch_code``, so
an envelope opened under another record's id, type or branch fails. The plaintext is the record's
JSON body, zlib-compressed (only workstations ever read it; a sign-off with its PDF stays well under
the hub's envelope limit).
"""
from __future__ import annotations

import hashlib
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
KEY_BYTES = 32


class EnvelopeError(Exception):
    """The envelope does not open with this key for this record (or is malformed)."""


def new_branch_key() -> bytes:
    return os.urandom(KEY_BYTES)


def key_id(key: bytes) -> str:
    """``bk1-<first 16 hex of SHA-256(key)>``."""
    return "bk1-" + hashlib.sha256(key).hexdigest()[:16]


def associated_data(record_id: str, record_type: str, branch_code: str) -> bytes:
    return f"{record_id}|{record_type}|{branch_code}".encode()


def seal(key: bytes, record_id: str, record_type: str, branch_code: str, plaintext: bytes,
         compress: bool = True) -> bytes:
    if len(key) != KEY_BYTES:
        raise ValueError("the branch key is 32 bytes")
    nonce = os.urandom(NONCE_BYTES)
    data = zlib.compress(plaintext, 9) if compress else plaintext
    return nonce + AESGCM(key).encrypt(nonce, data, associated_data(record_id, record_type, branch_code))


def open_(key: bytes, record_id: str, record_type: str, branch_code: str, envelope: bytes,
          compressed: bool = True) -> bytes:
    if len(key) != KEY_BYTES or len(envelope) < NONCE_BYTES + 16:
        raise EnvelopeError("malformed envelope or key")
    try:
        data = AESGCM(key).decrypt(envelope[:NONCE_BYTES], envelope[NONCE_BYTES:],
                                   associated_data(record_id, record_type, branch_code))
    except InvalidTag:
        raise EnvelopeError("the envelope does not open for this record with this key") from None
    if not compressed:
        return data
    try:
        return zlib.decompress(data)
    except zlib.error as exc:
        raise EnvelopeError("the envelope's content is not compressed JSON") from exc


# ---- wrapping the branch key inside an enrolment code ---------------------------------------------------

WRAP_INFO = b"counterdesk branch key v1"


def wrapping_key(code: str) -> bytes:
    """HKDF-SHA256(code's 16 raw bytes, info="counterdesk branch key v1") → 32 bytes."""

    raw = bytes.fromhex(code)
    if len(raw) != 16:
        raise ValueError("an enrolment code is 16 bytes (32 hex characters)")
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=WRAP_INFO).derive(raw)


def wrap_branch_key(code: str, branch_key: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(wrapping_key(code)).encrypt(nonce, branch_key, None)


def unwrap_branch_key(code: str, wrapped: bytes) -> bytes:
    if len(wrapped) < NONCE_BYTES + 16:
        raise EnvelopeError("malformed wrapped key")
    try:
        key = AESGCM(wrapping_key(code)).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], None)
    except InvalidTag:
        raise EnvelopeError("the enrolment code does not unwrap this branch key") from None
    if len(key) != KEY_BYTES:
        raise EnvelopeError("the unwrapped branch key is not 32 bytes")
    return key
