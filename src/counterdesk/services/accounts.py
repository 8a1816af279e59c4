"""User management: create, reset, change password, change role, disable and enable, unlock.

Each operation checks the actor's permission, validates input into a structured result, changes
the database and the key-slot file together and writes its audit entry in the same transaction;
an entry that changes a key slot names the change ("slot_op"), which is how a change interrupted by
a crash is finished or rolled back at the next sign-in (services/auth/slot_journal.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser, normalise_username
from counterdesk.base.roles import Role, require
from counterdesk.base.settings import PASSWORD_MIN_LENGTH
from counterdesk.base.text import CounterDeskError, Result, Text, ValidationFailed
from counterdesk.services.auth.keyslots import KeySlots
from counterdesk.services.auth.passwords import check_password, check_username
from counterdesk.services.auth.vault import BAD_CREDENTIALS, AuthError, Vault
from counterdesk.store import audit
from counterdesk.store import users as repo
from counterdesk.store.models.core import User
from counterdesk.store.models.sync import SyncRemoteUser


@dataclass(frozen=True)
class UserInfo:
    user_id: str
    username: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool
    created_at: str
    locked: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _check_pw(vault: Vault, username: str, password: str) -> None:
    res = check_password(password, username, vault.settings()[PASSWORD_MIN_LENGTH])
    if not res.ok:
        raise ValidationFailed(res)


def list_users(vault: Vault, actor: SignedInUser) -> list[UserInfo]:
    require(actor.role, "users.manage")

    def local_users(db: Session) -> list[User]:
        # Users of other workstations that sync only knows by id (inactive placeholders, no key slot)
        # are not this workstation's accounts: the users page does not list them.

        remote = set(db.scalars(select(SyncRemoteUser.user_id)))
        return [r for r in repo.all_users(db) if r.id not in remote]
    rows = vault.transact(local_users)
    return [UserInfo(r.id, r.username, r.display_name, Role(r.role), r.active, r.must_change_password,
                     r.created_at, vault.auth_state.status(r.username).locked) for r in rows]


def create_user(vault: Vault, actor: SignedInUser, username: str, display_name: str, role: Role | str,
                password: str) -> str:
    """Create an account with an initial password that must be changed at first sign-in."""
    require(actor.role, "users.manage")
    res = check_username(username)
    if not display_name.strip():
        res.add("display_name", "required", Text("请填写姓名。", "Enter the display name."))
    try:
        role = Role(role)
    except ValueError:
        res.add("role", "unknown", Text("未知角色。", "Unknown role."))
    if res.ok:
        res.problems += check_password(password, username, vault.settings()[PASSWORD_MIN_LENGTH]).problems
    if not res.ok:
        raise ValidationFailed(res)

    def write(db: Session, slots: KeySlots) -> str:
        if repo.by_username(db, username) is not None:
            bad = Result()
            bad.add("username", "taken", Text("该用户名已存在。", "This username is already taken."))
            raise ValidationFailed(bad)
        row = repo.create(db, username, display_name, role, actor.user_id, must_change=True)
        audit.append(db, actor.actor, "user.created", "user", row.id,
                     {"username": row.username, "role": row.role, "slot_op": slots.op_id})
        vault.grant_password(slots, row.id, row.username, password)
        return row.id
    return vault.transact_with_slots(write)


def change_own_password(vault: Vault, us: SignedInUser, old_password: str, new_password: str) -> None:
    """Re-wraps only this user's slot; every other slot stays byte-for-byte the same."""
    slots = vault.load_slots()
    try:
        slots.unlock_with_password(us.username, old_password)
    except Exception:
        raise AuthError(Text("当前密码不正确。", "The current password is not correct."),
                        code="bad_credentials") from None
    if old_password == new_password:
        res = Result()
        res.add("password", "unchanged", Text("新密码不能与当前密码相同。",
                                              "The new password must differ from the current one."))
        raise ValidationFailed(res)
    _check_pw(vault, us.username, new_password)
    def write(db: Session, slots: KeySlots) -> None:
        row = _target(db, us.user_id)
        row.must_change_password, row.password_changed_at = False, _now()
        audit.append(db, us.actor, "user.password_changed", "user", us.user_id, {"by": "self", "slot_op": slots.op_id})
        vault.grant_password(slots, us.user_id, us.username, new_password)
    vault.transact_with_slots(write)


def _target(db: Session, user_id: str) -> User:
    row = repo.get(db, user_id)
    if row is None:
        raise CounterDeskError(Text("没有这个用户。", "No such user."), code="no_user")
    return row


def reset_password(vault: Vault, actor: SignedInUser, user_id: str, new_password: str) -> None:
    """Admin sets a temporary password; the user must change it at next sign-in."""
    require(actor.role, "users.manage")
    def write(db: Session, slots: KeySlots) -> str:
        row = _target(db, user_id)
        if not row.active:
            raise CounterDeskError(Text("该用户已停用，请改用“启用”并设置临时密码。",
                                        "This user is disabled: enable them with a temporary password instead."),
                                   code="user_disabled")
        _check_pw(vault, row.username, new_password)
        row.must_change_password, row.password_changed_at = True, _now()
        audit.append(db, actor.actor, "user.password_reset", "user", row.id,
                     {"username": row.username, "slot_op": slots.op_id})
        vault.grant_password(slots, row.id, row.username, new_password)
        return row.username
    name = vault.transact_with_slots(write)
    vault.auth_state.clear(name)


def _last_admin_guard(db, row, text: Text) -> None:
    if row.role == Role.ADMIN.value and row.active and repo.active_admins(db) <= 1:
        raise CounterDeskError(text, code="last_admin")


LAST_ADMIN = Text("不能停用或降级最后一个管理员。", "The last active administrator cannot be disabled or demoted.")


def set_role(vault: Vault, actor: SignedInUser, user_id: str, role: Role | str) -> None:
    require(actor.role, "users.manage")
    role = Role(role)

    def write(db: Session) -> None:
        row = _target(db, user_id)
        if row.role == role.value:
            return
        if role != Role.ADMIN:
            _last_admin_guard(db, row, LAST_ADMIN)
        audit.append(db, actor.actor, "user.role_changed", "user", row.id,
                     {"username": row.username, "old_role": row.role, "new_role": role.value})
        row.role = role.value
    vault.transact(write)


def disable_user(vault: Vault, actor: SignedInUser, user_id: str) -> None:
    """Disabling removes the user's key slot, so their password no longer opens anything."""
    require(actor.role, "users.manage")
    if user_id == actor.user_id:
        raise CounterDeskError(Text("不能停用自己的账户。", "You cannot disable your own account."),
                               code="self_disable")

    def write(db: Session, slots: KeySlots) -> None:
        row = _target(db, user_id)
        if not row.active:
            # Already disabled: a slot still there (left by an older version) goes now, on the record.
            if slots.for_user_id(row.id) is not None:
                audit.append(db, actor.actor, "user.slot_removed", "user", row.id,
                             {"username": row.username, "reason": "disabled", "slot_op": slots.op_id})
                slots.remove_user(row.id)
            return
        _last_admin_guard(db, row, LAST_ADMIN)
        row.active = False
        audit.append(db, actor.actor, "user.disabled", "user", row.id,
                     {"username": row.username, "slot_op": slots.op_id})
        slots.remove_user(row.id)
    vault.transact_with_slots(write)


def enable_user(vault: Vault, actor: SignedInUser, user_id: str, new_password: str) -> None:
    """Re-enabling needs a new temporary password, because disabling removed the key slot."""
    require(actor.role, "users.manage")
    def write(db: Session, slots: KeySlots) -> str:
        row = _target(db, user_id)
        _check_pw(vault, row.username, new_password)
        row.active, row.must_change_password, row.password_changed_at = True, True, _now()
        audit.append(db, actor.actor, "user.enabled", "user", row.id,
                     {"username": row.username, "slot_op": slots.op_id})
        vault.grant_password(slots, row.id, row.username, new_password)
        return row.username
    vault.auth_state.clear(vault.transact_with_slots(write))


def unlock_account(vault: Vault, actor: SignedInUser, username: str) -> None:
    """Lift a lockout after failed sign-ins before it runs out."""
    require(actor.role, "users.manage")
    name = normalise_username(username)
    if vault.transact(lambda db: repo.by_username(db, name)) is None:
        raise CounterDeskError(Text("没有这个用户。", "No such user."), code="no_user")
    vault.auth_state.clear(name)
    vault.record(actor, "user.unlocked", "user", None, {"username": name})


__all__ = [
    "BAD_CREDENTIALS",
    "UserInfo",
    "change_own_password",
    "create_user",
    "disable_user",
    "enable_user",
    "list_users",
    "reset_password",
    "set_role",
    "unlock_account",
]
