"""What ``verify`` says about the key slots: every slot opens for an active user of this database and
nothing else, and no slot change is left half done (slot_journal.py).

A slot of a disabled user, or of no user at all, is an error: that password still opens the database
key. So is an unfinished change or a temp file a killed write left beside the slot file (it may hold
a removed slot). An active user without a slot cannot sign in: a warning.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.checks import CheckResult
from counterdesk.base.text import Result, Text
from counterdesk.services.auth import slot_journal
from counterdesk.services.auth.keyslots import KeySlotError, KeySlots
from counterdesk.services.auth.vault import Vault
from counterdesk.store import users as users_repo
from counterdesk.store.models.core import User
from counterdesk.store.models.sync import SyncRemoteUser

TITLE = Text("密钥槽", "Key slots")


def check_slots(vault: Vault) -> CheckResult:
    """Compare the key-slot file with the users in the (unlocked) database."""
    res = Result()

    def users(db: Session) -> tuple[list[User], set[str]]:
        return users_repo.all_users(db), set(db.scalars(select(SyncRemoteUser.user_id)))

    with vault.slot_lock():  # a change in progress in another process is waited for, not reported
        unfinished = vault.data.keyslot_intent_file.exists()
        leftovers = slot_journal.leftovers(vault.data.keyslot_file, vault.data.keyslot_intent_file)
        try:
            slots: KeySlots | None = vault.load_slots()
        except KeySlotError as exc:
            slots = None
            res.add("keyslots", exc.code or "keyslots", exc.text)
        rows, remote = vault.transact(users)
    if unfinished:
        res.add("keyslots", "unfinished", Text(
            "有一项未完成的密钥槽变更（keyslots.intent.json），下次登录时会完成或撤销。",
            "A key-slot change was left unfinished (keyslots.intent.json); the next sign-in finishes or undoes it."))
    if leftovers:
        res.add("keyslots", "leftover_copies", Text(
            f"数据目录中残留 {len(leftovers)} 个密钥槽临时文件，其中可能含有已删除的密钥槽。",
            f"{len(leftovers)} temporary key-slot file(s) were left in the data folder; they may hold a removed slot."))
    if slots is None:
        return CheckResult("key_slots", TITLE, res)

    by_id = {u.id: u for u in rows}
    password_slots = [s for s in slots.slots if s.kind == "password"]
    for user_id, count in Counter(s.user_id for s in password_slots).items():
        if count > 1:
            name = by_id[user_id].username if user_id in by_id else user_id
            res.add("keyslots", "duplicate", Text(f"用户 {name} 有 {count} 个密钥槽（密码变更未完成）。",
                                                  f"{name} has {count} key slots (an unfinished password change)."))
    for slot in password_slots:
        user = by_id.get(slot.user_id or "")
        if user is None:
            res.add("keyslots", "no_user", Text(
                f"密钥槽 {slot.username} 不属于本数据库中的任何用户，其密码仍能解锁数据库。",
                f"The key slot of {slot.username} belongs to no user of this database; "
                "its password still opens the database."))
        elif not user.active:
            res.add("keyslots", "disabled_user", Text(
                f"已停用的用户 {user.username} 仍有密钥槽，其密码仍能解锁数据库。",
                f"The disabled user {user.username} still has a key slot: their password still opens the database."))
        elif user.username != slot.username:
            res.add("keyslots", "wrong_name", Text(
                f"用户 {user.username} 的密钥槽写着另一个用户名（{slot.username}）。",
                f"The key slot of {user.username} names another username ({slot.username})."))
    with_slot = {s.user_id for s in password_slots}
    for user in rows:
        if user.active and user.id not in remote and user.id not in with_slot:
            res.add("keyslots", "no_slot", Text(f"启用的用户 {user.username} 没有密钥槽，无法登录。",
                                                f"The active user {user.username} has no key slot and cannot sign in."),
                    severity="warning")
    recovery = sum(1 for s in slots.slots if s.kind == "recovery")
    if recovery == 0:
        res.add("keyslots", "no_recovery", Text("没有恢复密钥槽：忘记所有管理员密码后将无法恢复。",
                                                "There is no recovery slot: if every admin password is lost, "
                                                "nothing can recover the data."), severity="warning")
    elif recovery > 1:
        res.add("keyslots", "duplicate_recovery", Text(
            f"有 {recovery} 个恢复密钥槽（恢复操作未完成）。",
            f"There are {recovery} recovery slots (an unfinished recovery)."))
    note = Text(f"密钥槽：{len(password_slots)} 个用户，{recovery} 个恢复密钥",
                f"Key slots: {len(password_slots)} user(s), {recovery} recovery key(s)")
    return CheckResult("key_slots", TITLE, res, (note,))
