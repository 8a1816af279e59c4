"""Verification of signed requests (protocol "Signed requests"): device, signature, clock, nonce."""
from __future__ import annotations

import base64
import binascii
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from counterdesk.hub import hotpath
from counterdesk.hub.clock import from_unix
from counterdesk.hub.errors import unauthorised
from counterdesk.hub.models import Nonce
from counterdesk.protocol.signing import (
    H_DEVICE,
    H_NONCE,
    H_SIGNATURE,
    H_TIMESTAMP,
    MAX_SKEW_S,
    NONCE_WINDOW_S,
    canonical_request,
    verify_signature,
)

_NONCE = re.compile(r"^[0-9a-fA-F]{32}$")
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
PRUNE_EVERY_S = 60


@dataclass(frozen=True)
class SignedDevice:
    """The enrolled, unrevoked device a request was verified for."""

    id: uuid.UUID
    branch: str
    workstation_id: uuid.UUID


class RequestVerifier:
    """Checks, in this order: device known, device not revoked, signature, clock skew, nonce unused.

    The signature is checked before the clock so that only the holder of the device key learns that
    its clock is off (``X-CD-Server-Time`` is on every response anyway). A nonce is recorded only for
    a request that passed every other check.
    """

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], float] = time.time):
        self.sessions = sessions
        engine = sessions.kw["bind"]
        assert isinstance(engine, Engine)
        self.engine = engine
        self.clock = clock
        self._pruned_at = 0.0
        self._prune_lock = threading.Lock()

    def verify(self, headers: Mapping[str, str], method: str, path: str, query: str, body: bytes) -> SignedDevice:
        """Verify in a transaction of its own (one connection, four round trips)."""
        with self.engine.begin() as conn:
            signed = self.verify_on(conn, headers, method, path, query, body)
        self._prune(self.clock())
        return signed

    def verify_on(self, conn: Connection, headers: Mapping[str, str], method: str, path: str, query: str,
                  body: bytes) -> SignedDevice:
        """Verify inside the caller's transaction: the nonce is recorded only if that transaction commits,
        so a request that fails later (and rolls back) leaves no trace and can be signed again."""
        now = self.clock()
        device_id = _device_id(headers.get(H_DEVICE))
        timestamp, nonce, signature = _signature_headers(headers)
        device = hotpath.device(conn, device_id)
        if device is None:
            raise unauthorised("device_unknown", "no device is enrolled with this id")
        found_id, branch, workstation_id, public_key, revoked_at = device
        if revoked_at is not None:
            raise unauthorised("device_revoked", "this device was revoked")
        message = canonical_request(method, path, query, timestamp, nonce, body)
        if not verify_signature(public_key, signature, message):
            raise unauthorised("bad_signature", "the signature does not verify")
        if abs(int(timestamp) - now) > MAX_SKEW_S:
            raise unauthorised("clock_skew", f"the timestamp is more than {MAX_SKEW_S} s from the hub's clock; "
                                             "correct the offset from X-CD-Server-Time and sign again")
        if not hotpath.use_nonce(conn, found_id, nonce, from_unix(now)):
            raise unauthorised("replayed", "this nonce was already used")
        return SignedDevice(found_id, branch, workstation_id)

    def maybe_prune(self) -> None:
        self._prune(self.clock())

    def _prune(self, now: float) -> None:
        """Forget nonces older than the window: their timestamps can no longer pass the clock check.
        Each process does it at most once a minute; any process's pruning serves all of them."""
        with self._prune_lock:
            if now - self._pruned_at < PRUNE_EVERY_S:
                return
            self._pruned_at = now
        prune_nonces(self.sessions, now)


def prune_nonces(sessions: sessionmaker[Session], now: float) -> int:
    """Delete the nonces seen more than the window (plus a second) before ``now``; their count."""
    cutoff = from_unix(now) - timedelta(seconds=NONCE_WINDOW_S + 1)
    with sessions.begin() as session:
        # Session.execute is typed as returning a Result; a DELETE without RETURNING gives a CursorResult.
        return cast(CursorResult[Any], session.execute(delete(Nonce).where(Nonce.seen_at < cutoff))).rowcount


def _device_id(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        raise unauthorised("device_unknown", f"missing or malformed {H_DEVICE} header") from None


def _signature_headers(headers: Mapping[str, str]) -> tuple[str, str, bytes]:
    timestamp, nonce = headers.get(H_TIMESTAMP, ""), headers.get(H_NONCE, "")
    if not _TIMESTAMP.match(timestamp):
        raise unauthorised("bad_signature", f"missing or malformed {H_TIMESTAMP} header (unix seconds)")
    if not _NONCE.match(nonce):
        raise unauthorised("bad_signature", f"missing or malformed {H_NONCE} header (32 hex)")
    try:
        signature = base64.b64decode(headers.get(H_SIGNATURE, ""), validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if len(signature) != 64:
        raise unauthorised("bad_signature", f"missing or malformed {H_SIGNATURE} header")
    return timestamp, nonce, signature
