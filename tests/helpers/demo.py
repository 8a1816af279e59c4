"""The DEMO branch's users, their passwords and their authenticator, and how long GUI tests wait.

The supervisor and the administrator have the DEMO second factor (services/auth/vault.py
DEMO_TOTP_SECRET). ``totp_code()`` is the one place tests get a code from: it plays the authenticator app
with pyotp and, because the product accepts each code once, moves the product's TOTP clock one step
(30 s) ahead first, as if that much time had passed since the previous sign-in (conftest installs
AUTH_CLOCK for every test). The product then checks the code for real.
"""
from __future__ import annotations

import time

import pyotp

from counterdesk.services.auth import totp
from counterdesk.services.auth.vault import DEMO_TOTP_SECRET, DEMO_USERS

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
SECRETS = {u.username: u.totp_secret for u in DEMO_USERS if u.totp_secret}
WAIT = 15_000  # ms; tests wait with qtbot.waitUntil, this is only the upper bound


class AuthClock:
    """Real time plus whole TOTP steps added as codes are handed out."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self) -> float:
        self.offset += totp.STEP_SECONDS
        return self()


AUTH_CLOCK = AuthClock()


def code_for(secret: str) -> str:
    """The authenticator's code for ``secret`` at a step no earlier code used."""
    return pyotp.TOTP(secret).at(AUTH_CLOCK.advance())


def totp_code(username: str) -> str | None:
    """The code a demo user's authenticator shows now (None for a demo user without a factor)."""
    secret = SECRETS.get(username)
    return code_for(secret) if secret else None


# The authenticator key tests enrol for users they create (a real branch's first administrator, a
# second supervisor): any valid base32 secret works; one fixed value keeps the tests readable.
OTHER_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_sign_in(vault, username: str, password: str, secret: str = OTHER_SECRET):
    """The first sign-in of a user who must enrol a factor: the password, then the first code of the
    new secret (as the enrolment dialog does)."""
    return vault.sign_in(username, password, code_for(secret), new_secret=secret)


def clock_source() -> str:
    """Python lines for a child process that signs in: the same authenticator clock as this one."""
    return (f"import time as _t; from counterdesk.services.auth import totp as _totp; "
            f"_totp.clock = lambda: _t.time() + {AUTH_CLOCK.offset!r}")


def sign_in_lines(username: str) -> list[str]:
    """What a demo user types for ``counterdesk-admin --password-stdin``: the password, then the
    authenticator code when the user has a factor."""
    factor = totp_code(username)
    return [PASSWORDS[username], *([factor] if factor else [])]


def sign_in(vault, username: str, password: str | None = None):
    """Sign a demo user in as a person would: the password, and the code when the user has a factor."""
    return vault.sign_in(username, password or PASSWORDS[username], totp_code(username))


__all__ = ["AUTH_CLOCK", "DEMO_TOTP_SECRET", "OTHER_SECRET", "PASSWORDS", "SECRETS", "WAIT", "clock_source", "code_for",
           "enrol_sign_in", "sign_in", "sign_in_lines", "totp_code"]
