"""Multi-factor sign-in: enrolling an authenticator app, recovery codes, an administrator's reset.

Supervisors and administrators always sign in with a second factor, tellers when ``mfa.tellers`` is
on (the rule is ``totp.required``). The check itself runs inside ``Vault.sign_in`` once the password
has opened the key slot, so no path to a session skips it; the key slot is never touched by any of
this. A user who must have a factor and has none enrols at sign-in: the secret is made here and
shown once (QR code and text key), and it is stored only when the first code from the app confirms
it. Every enrolment, use, recovery-code issue and reset is in the audit log, never a secret or a code.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser, normalise_username
from counterdesk.base.qrcode import qr_modules
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Result, Text, ValidationFailed
from counterdesk.services.auth import totp
from counterdesk.services.auth.vault import WRONG_CODE, AuthError, Vault
from counterdesk.store import audit
from counterdesk.store import users as users_repo
from counterdesk.store.models.core import User
from counterdesk.store.models.mfa import MfaFactor

NO_USER = Text("没有这个用户。", "No such user.")
SELF_RESET = Text("不能重置自己的第二因素：请使用恢复码登录，或请另一位管理员重置。",
                  "You cannot reset your own second factor: sign in with a recovery code, or ask another "
                  "administrator.")
NOT_ENROLLED = Text("该账户尚未设置第二因素。", "This account has no second factor yet.")
ALREADY_ENROLLED = Text("该账户已设置第二因素；如需更换，请管理员先重置。",
                        "This account already has a second factor; an administrator resets it first to change it.")


@dataclass(frozen=True)
class Enrolment:
    """A new secret to show once: as a QR code for the app, and as a key to type in."""
    username: str
    secret: str
    key_text: str  # the secret in groups of four
    uri: str  # otpauth://totp/... (what the QR code holds)
    modules: list[list[bool]]  # the QR code, dark modules True


@dataclass(frozen=True)
class FactorStatus:
    enrolled: bool
    required: bool
    recovery_left: int
    enrolled_at: str | None


def issuer(vault: Vault) -> str:
    return f"CounterDesk {vault.info.branch_code}"


def start_enrolment(vault: Vault, username: str) -> Enrolment:
    """A fresh secret for ``username``; nothing is stored until a first code confirms it."""
    name = normalise_username(username)
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, name, issuer(vault))
    return Enrolment(name, secret, totp.grouped(secret), uri, qr_modules(uri))


def sign_in_enrolling(vault: Vault, username: str, password: str, secret: str,
                      code: str) -> tuple[SignedInUser, list[str]]:
    """Enrolment at sign-in: the password, then the first code of the secret just shown. Returns the
    session and the recovery codes, shown once."""
    us = vault.sign_in(username, password, code=code, new_secret=secret)
    try:
        return us, new_recovery_codes(vault, us)
    except BaseException:
        vault.sign_out(us, "mfa_enrolment_failed")
        raise


def _check_secret(secret: str) -> str:
    clean = totp.normalise_secret(secret)
    if clean is None:
        res = Result()
        res.add("secret", "format", Text("密钥格式不正确（base32）。", "The key is not in base32."))
        raise ValidationFailed(res)
    return clean


def enrol(vault: Vault, us: SignedInUser, secret: str, code: str) -> list[str]:
    """A signed-in user without a factor enrols one (for a role that does not require it, or from
    the command line); returns the recovery codes."""
    clean = _check_secret(secret)
    now = totp.clock()

    def write(db: Session) -> list[str]:
        user = _user(db, us.user_id)
        if db.get(MfaFactor, user.id) is not None:
            raise CounterDeskError(ALREADY_ENROLLED, code="mfa_already_enrolled")
        step = totp.matching_step(clean, totp.normalise_code(code), now)
        if step is None:
            raise AuthError(WRONG_CODE, code="mfa_wrong_code")
        totp.store_factor(db, us.actor, user, clean, step, now, by="self")
        return totp.replace_recovery_codes(db, us.actor, user, now)
    return vault.transact(write)


def new_recovery_codes(vault: Vault, us: SignedInUser) -> list[str]:
    """Replace the signed-in user's recovery codes (the old ones stop working); shown once."""
    def write(db: Session) -> list[str]:
        user = _user(db, us.user_id)
        if db.get(MfaFactor, user.id) is None:
            raise CounterDeskError(NOT_ENROLLED, code="mfa_not_enrolled")
        return totp.replace_recovery_codes(db, us.actor, user, totp.clock())
    return vault.transact(write)


def status(vault: Vault, us: SignedInUser) -> FactorStatus:
    settings = vault.settings()
    return vault.transact(lambda db: _status(db, _user(db, us.user_id), settings))


def statuses(vault: Vault, admin: SignedInUser) -> dict[str, FactorStatus]:
    """Every user's factor by user id, for the users page."""
    require(admin.role, "users.manage")
    settings = vault.settings()
    return vault.transact(lambda db: {u.id: _status(db, u, settings) for u in db.scalars(select(User))})


def reset(vault: Vault, admin: SignedInUser, user_id: str) -> bool:
    """An administrator removes another user's factor and recovery codes (a lost phone); the user
    enrols again at the next sign-in. Returns whether there was a factor to remove."""
    require(admin.role, "users.manage")
    if user_id == admin.user_id:
        raise CounterDeskError(SELF_RESET, code="mfa_self_reset")

    def write(db: Session) -> bool:
        user = _user(db, user_id)
        removed = totp.remove_factor(db, user)
        audit.append(db, admin.actor, "mfa.reset", "user", user.id,
                     {"username": user.username, "result": "removed" if removed else "none"})
        return removed
    return vault.transact(write)


def _user(db: Session, user_id: str) -> User:
    user = users_repo.get(db, user_id)
    if user is None:
        raise CounterDeskError(NO_USER, code="no_user")
    return user


def _status(db: Session, user: User, settings) -> FactorStatus:
    row = totp.factor(db, user.id)
    return FactorStatus(row is not None, totp.required(user.role, settings),
                        totp.recovery_left(db, user.id) if row else 0, row.enrolled_at if row else None)
