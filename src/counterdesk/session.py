"""The signed-in user, as the rest of the core sees them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counterdesk.roles import Role


@dataclass(frozen=True)
class Actor:
    """Who did something, as written into the audit log."""

    user_id: str | None
    name: str
    workstation: str


@dataclass(frozen=True)
class UserSession:
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
