"""The second factor's rules on the database: TOTP codes (RFC 6238 through pyotp), one-time recovery
codes and the check made at every sign-in once the password has opened its key slot.

The factor gates the session, not the key: the database key stays wrapped under the password alone,
and this check runs on the opened database before any session starts. A code is accepted for the
current 30-second step or the one before or after (clock drift), and only for a step later than the
last accepted one, so an observed code cannot be replayed. Recovery codes carry 50 random bits each
and are stored as salted SHA-256 hashes (a memory-hard hash is not needed for random codes).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import Actor
from counterdesk.base.roles import Role
from counterdesk.base.settings import MFA_TELLERS, SettingsValues
from counterdesk.store import audit
from counterdesk.store.models.core import User
from counterdesk.store.models.mfa import MfaFactor, MfaRecoveryCode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of the current one
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
_RECOVERY_RE = re.compile(r"[A-Z2-9]{10}")
_TOTP_RE = re.compile(r"\d{6}")
_SECRET_RE = re.compile(r"[A-Z2-7]{16,64}")

ALWAYS_REQUIRED = frozenset({Role.SUPERVISOR, Role.ADMIN})

# The time codes are checked against. Tests sign the same user in many times a minute, which a real
# clock (one new code per 30 s, none accepted twice) cannot serve; their authenticator moves this
# clock a step ahead for each code it shows (tests/helpers/demo.py), like time passing between sign-ins.
clock: Callable[[], float] = time.time


def required(role: Role | str, settings: SettingsValues) -> bool:
    """Supervisors and administrators always sign in with a second factor; tellers when the branch
    says so. Auditors read masked records only and change nothing, so the password suffices."""
    role = Role(role)
    return role in ALWAYS_REQUIRED or (role == Role.TELLER and bool(settings[MFA_TELLERS]))


def _now_iso(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")


# ---- secrets and codes --------------------------------------------------------------------------------
def new_secret() -> str:
    return pyotp.random_base32(32)  # 160 bits, the length RFC 4226 recommends


def normalise_secret(text: str) -> str | None:
    """A typed or pasted key (spaces, lower case) as base32, or None when it cannot be one."""
    secret = re.sub(r"[\s-]", "", text).upper()
    return secret if _SECRET_RE.fullmatch(secret) else None


def grouped(secret: str) -> str:
    """The key as a person types it into an authenticator app: groups of four."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=username,
                                                                                    issuer_name=issuer)




def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def matching_step(secret: str, code: str, now: float, after: int | None = None) -> int | None:
    """The time step whose code ``code`` is (inside the window around ``now``), only steps after
    ``after``; None when it matches none."""
    totp = _totp(secret)
    current = totp.timecode(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if (after is None or step > after) and hmac.compare_digest(code, totp.generate_otp(step)):
            return step
    return None


def current_code(secret: str) -> str:
    """What an authenticator app holding ``secret`` shows now (the DEMO set-up signs in with it)."""
    return _totp(secret).at(clock())


def normalise_code(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def new_recovery_codes() -> list[str]:
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)]
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + normalise_code(code).encode("ascii")).hexdigest()


# ---- the stored factor ----------------------------------------------------------------------------------
def factor(db: Session, user_id: str) -> MfaFactor | None:
    return db.get(MfaFactor, user_id)


def recovery_left(db: Session, user_id: str) -> int:
    return len(list(db.scalars(select(MfaRecoveryCode.id).where(MfaRecoveryCode.user_id == user_id,
                                                                  MfaRecoveryCode.used_at.is_(None)))))


def store_factor(db: Session, actor: Actor, user: User, secret: str, used_step: int | None, now: float,
                 by: str) -> None:
    """Activate ``secret`` for ``user`` (confirmed by a code of ``used_step``, or a DEMO secret)."""
    db.add(MfaFactor(user_id=user.id, secret=secret, enrolled_at=_now_iso(now), last_used_step=used_step))
    audit.append(db, actor, "mfa.enrolled", "user", user.id, {"username": user.username, "by": by})


def replace_recovery_codes(db: Session, actor: Actor, user: User, now: float) -> list[str]:
    """New one-time recovery codes for ``user`` (the unused old ones stop working); returned once."""
    for old in db.scalars(select(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id)):
        db.delete(old)
    codes = new_recovery_codes()
    for code in codes:
        salt = secrets.token_hex(16)
        db.add(MfaRecoveryCode(user_id=user.id, salt=salt, code_hash=_hash(salt, code), created_at=_now_iso(now)))
    audit.append(db, actor, "mfa.recovery_codes_issued", "user", user.id,
                 {"username": user.username, "count": len(codes)})
    return codes


def remove_factor(db: Session, user: User) -> bool:
    """Delete the factor and every recovery code of ``user``; whether there was a factor."""
    row = db.get(MfaFactor, user.id)
    for code in db.scalars(select(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id)):
        db.delete(code)
    if row is not None:
        db.delete(row)
    return row is not None


def _use_recovery_code(db: Session, user_id: str, code: str, now: float) -> bool:
    for row in db.scalars(select(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id,
                                                        MfaRecoveryCode.used_at.is_(None))):
        if hmac.compare_digest(row.code_hash, _hash(row.salt, code)):
            row.used_at = _now_iso(now)
            return True
    return False


# ---- the check at sign-in ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FactorCheck:
    """What the second step of a sign-in came to. ``passed``: the session may start. Otherwise
    ``needed`` says what the user must give ("code" or "enrolment"), or ``failure`` why the code was
    refused ("wrong_code", "replayed_code"); a failure counts towards the account lock."""
    passed: bool
    needed: str | None = None
    failure: str | None = None
    method: str | None = None  # totp, recovery, enrolment; None when no factor was needed


def check(db: Session, user: User, workstation: str, settings: SettingsValues, code: str | None,
          new_secret: str | None = None, now: float | None = None) -> FactorCheck:
    """The second step of signing ``user`` in, after the password opened the key slot. With a factor,
    ``code`` is its current code or an unused recovery code; without one (and required), the user
    enrols here: ``new_secret`` is the secret just shown and ``code`` its first code."""
    now = clock() if now is None else now
    actor = Actor(user.id, user.username, workstation)
    row = db.get(MfaFactor, user.id)
    typed = normalise_code(code or "")
    if row is None:
        if new_secret is None:
            return FactorCheck(False, needed="enrolment") if required(user.role, settings) else FactorCheck(True)
        if not typed:
            return FactorCheck(False, needed="code")
        step = matching_step(new_secret, typed, now) if _TOTP_RE.fullmatch(typed) else None
        if step is None:
            return FactorCheck(False, failure="wrong_code")
        store_factor(db, actor, user, new_secret, step, now, by="self")
        return FactorCheck(True, method="enrolment")
    if not typed:
        return FactorCheck(False, needed="code")
    if new_secret is not None:
        # Already enrolled: a second enrolment would let a stolen password replace the factor.
        return FactorCheck(False, failure="wrong_code")
    if _TOTP_RE.fullmatch(typed):
        step = matching_step(row.secret, typed, now, after=row.last_used_step)
        if step is None:
            replayed = matching_step(row.secret, typed, now) is not None
            return FactorCheck(False, failure="replayed_code" if replayed else "wrong_code")
        row.last_used_step = step  # the sign-in's own audit entry names the method
        return FactorCheck(True, method="totp")
    if _RECOVERY_RE.fullmatch(typed) and _use_recovery_code(db, user.id, typed, now):
        db.flush()
        audit.append(db, actor, "mfa.recovery_code_used", "user", user.id, {"count": recovery_left(db, user.id)})
        return FactorCheck(True, method="recovery")
    return FactorCheck(False, failure="wrong_code")
