"""User rows. Passwords are not here: each user's key slot is their password verifier."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.base.roles import Role
from counterdesk.base.actors import normalise_username
from counterdesk.store.models.core import User


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def create(session: Session, username: str, display_name: str, role: Role | str, created_by: str | None,
           must_change: bool = True) -> User:
    now = _now()
    row = User(id=str(uuid.uuid4()), username=normalise_username(username), display_name=display_name.strip(),
               role=Role(role).value, active=True, must_change_password=must_change, created_at=now,
               created_by=created_by, password_changed_at=now)
    session.add(row)
    session.flush()
    return row


def get(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def by_username(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == normalise_username(username))).scalar_one_or_none()


def all_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.role, User.username)).scalars())


def active_admins(session: Session) -> int:
    return session.execute(select(func.count()).select_from(User)
                           .where(User.role == Role.ADMIN.value, User.active.is_(True))).scalar_one()
