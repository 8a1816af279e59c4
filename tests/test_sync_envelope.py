"""Envelopes under the branch key, the wrapped branch key in an enrolment code, and the backoff."""
from __future__ import annotations

import base64
import hashlib
import os
import random

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.protocol.signing import branch_key_id
from counterdesk.services.sync import envelope
from counterdesk.services.sync.client import Backoff

KEY = bytes(range(32))
RID = "0b6c2f1e-2d7a-4a53-9a1f-3c5d6e7f8091"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=4096), st.sampled_from(["signoff", "audit.entry", "customer.version"]),
       st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=32))
def test_round_trip(plaintext, record_type, branch):
    sealed = envelope.seal(KEY, RID, record_type, branch, plaintext)
    assert envelope.open_(KEY, RID, record_type, branch, sealed) == plaintext
    assert sealed[:12] != envelope.seal(KEY, RID, record_type, branch, plaintext)[:12]  # a fresh nonce


def test_format_is_nonce_then_aes_gcm_with_the_record_as_associated_data():
    sealed = envelope.seal(KEY, RID, "signoff", "BJ001", b'{"a":1}', compress=False)
    nonce, body = sealed[:12], sealed[12:]
    assert AESGCM(KEY).decrypt(nonce, body, f"{RID}|signoff|BJ001".encode()) == b'{"a":1}'
    assert envelope.key_id(KEY) == "bk1-" + hashlib.sha256(KEY).hexdigest()[:16] == branch_key_id(KEY)


@pytest.mark.parametrize("change", ["key", "id", "type", "branch", "bit"])
def test_wrong_key_or_a_moved_envelope_does_not_open(change):
    sealed = envelope.seal(KEY, RID, "signoff", "BJ001", b"secret")
    key, rid, rtype, branch = KEY, RID, "signoff", "BJ001"
    if change == "key":
        key = os.urandom(32)
    elif change == "id":
        rid = "0b6c2f1e-2d7a-4a53-9a1f-3c5d6e7f8092"
    elif change == "type":
        rtype = "signoff.approval_decision"
    elif change == "branch":
        branch = "BJ002"
    else:
        sealed = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_(key, rid, rtype, branch, sealed)


def test_a_truncated_envelope_is_refused():
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_(KEY, RID, "signoff", "B", b"\x00" * 20)


def test_branch_key_wrapped_in_an_enrolment_code():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    code = os.urandom(16).hex()
    wrapped = envelope.wrap_branch_key(code, KEY)
    assert envelope.unwrap_branch_key(code, wrapped) == KEY
    # The documented construction, independently: HKDF-SHA256(code, info) as an AES-256-GCM key.
    kek = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"counterdesk branch key v1").derive(
        bytes.fromhex(code))
    assert AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], None) == KEY
    with pytest.raises(envelope.EnvelopeError):
        envelope.unwrap_branch_key(os.urandom(16).hex(), wrapped)
    with pytest.raises(ValueError):
        envelope.wrapping_key("abc")
    assert base64.b64encode(wrapped)  # what travels to the hub


# ---- backoff -------------------------------------------------------------------------------------------

def test_backoff_grows_with_jitter_and_caps_without_sleeping():
    slept: list[float] = []
    b = Backoff(base=1, cap=60, factor=2, jitter=0.5, rng=random.Random(7), sleep=slept.append)
    delays = [b.wait() for _ in range(12)]
    assert delays == slept
    for n, d in enumerate(delays):
        top = min(60, 2 ** n)
        assert top * 0.5 <= d <= top
    assert max(delays) <= 60 and delays[-1] >= 30          # capped, still long
    assert delays[5] > delays[0] * 8                         # grows
    again = Backoff(base=1, cap=60, rng=random.Random(8), sleep=lambda _s: None)
    assert [round(again.next_delay(), 6) for _ in range(6)] != [round(d, 6) for d in delays[:6]]  # jitter
    b.reset()
    assert b.next_delay() <= 1


def test_backoff_jitter_spreads_the_same_attempt():
    values = {round(Backoff(base=4, cap=100, rng=random.Random(seed)).next_delay(), 6) for seed in range(20)}
    assert len(values) > 15 and all(2 <= v <= 4 for v in values)


def test_backoff_refuses_nonsense():
    with pytest.raises(ValueError):
        Backoff(base=0)
    with pytest.raises(ValueError):
        Backoff(base=10, cap=5)
