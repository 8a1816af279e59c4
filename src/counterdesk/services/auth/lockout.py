"""Failed sign-ins and account locks, kept beside the database.

A failed sign-in cannot write to the encrypted database (the wrong password opens nothing), so the
counters and the pending audit events live in auth-state.json (usernames and times only, no
personal data). Pending events move into the hash-chained audit log at the next successful sign-in.
A file lock serialises the GUI and the admin CLI.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from counterdesk.base.atomicfile import exclusive_lock, write_json_atomic
from counterdesk.base.logs import scrub
from counterdesk.services.auth.passwords import check_username

MAX_PENDING = 1000
NOT_A_USERNAME = "(not-a-username)"


def account_key(username: str) -> str:
    """The name failures are counted and reported under. Whatever was typed into the sign-in field
    lands in this clear-text file, so text that cannot be a username (a name, an e-mail) shares one
    bucket, and ID- or phone-shaped names are masked like in the log."""
    if not check_username(username).ok:
        return NOT_A_USERNAME
    return scrub(username)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LockStatus:
    locked: bool
    until: datetime | None
    failures: int


class AuthState:
    def __init__(self, path: Path):
        self.path = path
        self._lock_path = path.with_suffix(".lock")

    @contextmanager
    def _edit(self) -> Iterator[dict]:
        with exclusive_lock(self._lock_path):  # created private, whatever the umask
            state = self._read()
            before = json.dumps(state, sort_keys=True)
            yield state
            if json.dumps(state, sort_keys=True) != before:
                write_json_atomic(self.path, state)

    def _read(self) -> dict:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(state, dict):
                state.setdefault("accounts", {})
                state.setdefault("pending", [])
                state.setdefault("pending_dropped", 0)
                return state
        except (FileNotFoundError, ValueError, OSError):
            pass
        # A missing or unreadable file starts empty; lockouts are a UI defence, the KDF is the real one.
        return {"accounts": {}, "pending": [], "pending_dropped": 0}

    def status(self, username: str, now: datetime | None = None) -> LockStatus:
        now = now or utcnow()
        username = account_key(username)
        acct = self._read()["accounts"].get(username, {})
        until = acct.get("locked_until")
        until_dt = datetime.fromisoformat(until) if until else None
        return LockStatus(bool(until_dt and until_dt > now), until_dt, int(acct.get("failures", 0)))

    def record_failure(self, username: str, reason: str, workstation: str, max_attempts: int,
                       lockout_minutes: int, now: datetime | None = None) -> LockStatus:
        now = now or utcnow()
        username = account_key(username)
        with self._edit() as state:
            acct = state["accounts"].setdefault(username, {"failures": 0})
            until = acct.get("locked_until")
            if until and datetime.fromisoformat(until) <= now:
                acct["failures"], acct["locked_until"] = 0, None  # an expired lock starts a new count
            acct["failures"] = int(acct.get("failures", 0)) + 1
            self._pend(state, {"ts": now.isoformat(), "action": "auth.sign_in_failed", "username": username,
                               "reason": reason, "workstation": workstation, "attempts": acct["failures"]})
            if acct["failures"] >= max_attempts and not acct.get("locked_until"):
                lock_until = now + timedelta(minutes=lockout_minutes)
                acct["locked_until"] = lock_until.isoformat()
                self._pend(state, {"ts": now.isoformat(), "action": "auth.account_locked", "username": username,
                                   "reason": "too_many_failures", "workstation": workstation,
                                   "locked_until": acct["locked_until"]})
            result = acct
        until = result.get("locked_until")
        until_dt = datetime.fromisoformat(until) if until else None
        return LockStatus(bool(until_dt and until_dt > now), until_dt, result["failures"])

    def record_refused_while_locked(self, username: str, workstation: str, now: datetime | None = None) -> None:
        now = now or utcnow()
        username = account_key(username)
        with self._edit() as state:
            self._pend(state, {"ts": now.isoformat(), "action": "auth.sign_in_refused", "username": username,
                               "reason": "account_locked", "workstation": workstation})

    def clear(self, username: str) -> None:
        username = account_key(username)
        with self._edit() as state:
            state["accounts"].pop(username, None)

    def peek_pending(self) -> tuple[list[dict], int]:
        """The events waiting for the audit log, and how many older ones were dropped."""
        state = self._read()
        return list(state["pending"]), int(state.get("pending_dropped", 0))

    def ack_pending(self, count: int) -> None:
        """Forget the first ``count`` pending events once they are committed to the audit log."""
        with self._edit() as state:
            state["pending"] = state["pending"][count:]
            state["pending_dropped"] = 0

    @staticmethod
    def _pend(state: dict, event: dict) -> None:
        state["pending"].append(event)
        if len(state["pending"]) > MAX_PENDING:
            state["pending"].pop(0)
            state["pending_dropped"] = int(state.get("pending_dropped", 0)) + 1
