"""Who acts: the signed-in user as the core sees them, and the actor an audit entry names."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from counterdesk.base.roles import Role


@dataclass(frozen=True)
class Actor:
    """Who did something, as written into the audit log."""

    user_id: str | None
    name: str
    workstation: str


def normalise_username(username: str) -> str:
    """The form a username is stored and compared in (NFKC, trimmed, lower case)."""
    return unicodedata.normalize("NFKC", username).strip().lower()


@dataclass(frozen=True)
class SignedInUser:
    """A user signed in at this workstation; every service call takes one and checks its role."""

    user_id: str
    username: str
    display_name: str
    role: Role
    signed_in_at: datetime
    workstation: str
    must_change_password: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.username, self.workstation)
