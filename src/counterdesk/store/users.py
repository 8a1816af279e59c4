"""User rows. Passwords are not here: each user's key slot is their password verifier."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import normalise_username
from counterdesk.base.roles import Role
from counterdesk.store.models.core import User


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create(db: Session, username: str, display_name: str, role: Role | str, created_by: str | None,
           must_change: bool = True) -> User:
    now = _now()
    row = User(id=str(uuid.uuid4()), username=normalise_username(username), display_name=display_name.strip(),
               role=Role(role).value, active=True, must_change_password=must_change, created_at=now,
               created_by=created_by, password_changed_at=now)
    db.add(row)
    db.flush()
    return row


def get(db: Session, user_id: str) -> User | None:
    return db.get(User, user_id)


def by_username(db: Session, username: str) -> User | None:
    return db.execute(select(User).where(User.username == normalise_username(username))).scalar_one_or_none()


def all_users(db: Session) -> list[User]:
    return list(db.execute(select(User).order_by(User.role, User.username)).scalars())


def active_admins(db: Session) -> int:
    return db.execute(select(func.count()).select_from(User)
                           .where(User.role == Role.ADMIN.value, User.active.is_(True))).scalar_one()
