"""One installation, opened: its files, its keys and (after a sign-in) its database.

Before sign-in only install.json, keyslots.json and auth-state.json are read; none holds personal
data. A successful sign-in unwraps the database key from the user's slot, opens the SQLCipher
database, brings its schema up to date and records the sign-in in the audit log.

Changes of the key slots go through ``transact_with_slots``, journalled (slot_journal.py) so that a
kill at any point leaves the slot file and the database in agreement once the next unlock has
reconciled them; the crash points named in it are where the kill tests stop the process.
"""
from __future__ import annotations

import hmac
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from counterdesk.base.actors import Actor, SignedInUser, normalise_username
from counterdesk.base.atomicfile import exclusive_lock
from counterdesk.base.branchtime import format_time
from counterdesk.base.crashpoints import crash_point
from counterdesk.base.paths import DataDir
from counterdesk.base.roles import Role, require
from counterdesk.base.settings import (
    LOCKOUT_MINUTES,
    MAX_FAILED_ATTEMPTS,
    PASSWORD_MIN_LENGTH,
    SettingsValues,
    declared,
)
from counterdesk.base.text import CounterDeskError, Result, Text, ValidationFailed
from counterdesk.services.auth import installation, slot_journal
from counterdesk.services.auth.installation import InstallInfo
from counterdesk.services.auth.keyslots import (
    KeySlots,
    Slot,
    WrongSecret,
    dummy_password_work,
    format_recovery_key,
    new_database_key,
    new_recovery_secret,
    parse_recovery_key,
)
from counterdesk.services.auth.lockout import AuthState, utcnow
from counterdesk.services.auth.passwords import check_password, check_username
from counterdesk.services.auth.slot_journal import SlotIntent

if TYPE_CHECKING:  # annotations only: the store (and SQLAlchemy) is imported lazily, see preload_store
    from sqlalchemy.orm import Session

    from counterdesk.store.models.core import AuditEntry
    from counterdesk.store.writer import Database

T = TypeVar("T")

log = logging.getLogger("counterdesk.auth.vault")


class AuthError(CounterDeskError):
    code = "auth"


BAD_CREDENTIALS = Text("用户名或密码错误。", "Wrong username or password.")
ACCOUNT_DISABLED = Text("该账户已停用，请联系管理员。", "This account is disabled. Contact your administrator.")
NOT_UNLOCKED = Text("数据库尚未解锁，请先登录。", "The database is locked. Sign in first.")
RECOVERY_WRONG = Text("恢复密钥不正确。", "The recovery key is not correct.")
WRONG_CODE = Text("动态口令或恢复码不正确（每个口令只能使用一次）。",
                  "Wrong code or recovery code (each code works only once).")
SECOND_FACTOR_NEEDED = {
    "code": Text("请输入身份验证器中的 6 位动态口令（或一个恢复码）。",
                 "Enter the 6-digit code from your authenticator app (or a recovery code)."),
    "enrolment": Text("该账户须先设置第二因素（身份验证器）才能登录。",
                      "This account must set up a second factor (an authenticator app) before signing in."),
}


def account_locked_text(until: datetime | None) -> Text:
    zh = format_time(until, "zh", clock_only=True) if until else "?"
    en = format_time(until, "en", clock_only=True) if until else "?"
    return Text(f"连续登录失败次数过多，账户已锁定至 {zh}。",
                f"Too many failed sign-ins: the account is locked until {en}.")


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: Role
    password: str
    totp_secret: str | None = None  # a published DEMO second factor, active without enrolment


DEMO_BRANCH = ("DEMO", "演示支行 DEMO Branch")
# The DEMO branch's authenticator key (base32), the same for its supervisor and administrator and
# printed by the demo set-up: anyone may add it to an authenticator app. Never a real branch's.
DEMO_TOTP_SECRET = "DEMOCOUNTERDESKDEMOCOUNTERDESK23"
DEMO_USERS = (
    NewUser("admin", "演示管理员 Demo Admin", Role.ADMIN, "Guanli-2026!", DEMO_TOTP_SECRET),
    NewUser("teller", "演示柜员 Demo Teller", Role.TELLER, "Guiyuan-2026!"),
    NewUser("supervisor", "演示主管 Demo Supervisor", Role.SUPERVISOR, "Zhuguan-2026!", DEMO_TOTP_SECRET),
    NewUser("auditor", "演示审计 Demo Auditor", Role.AUDITOR, "Shenji-2026!"),
)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Vault:
    def __init__(self, data: DataDir, info: InstallInfo):
        self.data = data
        self.info = info
        self.auth_state = AuthState(data.auth_state_file)
        self.db: Database | None = None  # once unlocked
        self._key: bytes | None = None
        self._settings: SettingsValues | None = None
        self._open_lock = threading.Lock()
        self._signed_in: list[str] = []  # user ids with an open session; the key goes when it empties

    # ---- opening and creating ------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path | str) -> Vault:
        data = DataDir(root)
        info = installation.load(data)
        data.secure()  # files an older version left readable to others become private
        data.prepare_locks()
        return cls(data, info)

    @classmethod
    def initialise(cls, root: Path | str, branch_code: str, branch_name: str, admin: NewUser,
                   more_users: tuple[NewUser, ...] = (), demo: bool = False) -> tuple[Vault, str]:
        """Create a new installation; returns the vault and the one-time recovery key to show."""
        preload_store()  # see WARM_UP_LOCK
        data = DataDir(root)
        res = Result()
        code = branch_code.strip()
        if not (1 <= len(code) <= 16 and code.replace("-", "").isalnum() and code.isascii()):
            res.add("branch_code", "format", Text("网点代码须为 1-16 位字母或数字。",
                                                  "The branch code must be 1-16 letters or digits."))
        if not branch_name.strip() or len(branch_name) > 100:
            res.add("branch_name", "required", Text("请填写网点名称（不超过 100 字）。",
                                                    "Enter the branch name (up to 100 characters)."))
        seen: set[str] = set()
        for user in (admin, *more_users):
            res.problems += check_username(user.username).problems
            res.problems += check_password(user.password, user.username, SettingsValues()[PASSWORD_MIN_LENGTH]).problems
            if normalise_username(user.username) in seen:
                res.add("username", "duplicate", Text("用户名重复。", "Duplicate username."))
            seen.add(normalise_username(user.username))
        if admin.role != Role.ADMIN:
            res.add("role", "admin_required", Text("第一个用户必须是管理员。",
                                                   "The first user must be an administrator."))
        if not res.ok:
            raise ValidationFailed(res)
        if not data.install_file.exists() and data.database.exists():
            _set_aside_unfinished(data)
        if data.install_file.exists() or data.database.exists():
            raise CounterDeskError(Text("该数据目录已经初始化，不会覆盖。",
                                        "This data folder is already set up; it will not be overwritten."),
                                   code="already_initialised", detail=str(data.root))
        data.ensure()

        from counterdesk.store import migrate
        from counterdesk.store import users as users_repo
        from counterdesk.store.engine import make_engine
        from counterdesk.store.writer import Database

        info = InstallInfo.new(code.upper(), branch_name.strip(), demo)
        info.pre_auth_settings = SettingsValues().pre_auth()
        key, recovery = new_database_key(), new_recovery_secret()
        partial = data.database.with_name(data.database.name + ".partial")
        for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            stale.unlink(missing_ok=True)
        slots = KeySlots.create(data.keyslot_file, info.installation_id)
        database = Database(make_engine(partial, key))
        try:
            migrate.upgrade(database.engine)
            system = Actor(None, "system", info.workstation)

            def create_all(db: Session) -> None:
                from counterdesk.store import audit
                audit.append(db, system, "install.created", "branch", info.branch_code,
                             {"mode": "demo" if demo else "production"})
                created_by: str | None = None
                for user in (admin, *more_users):
                    row = users_repo.create(db, user.username, user.display_name, user.role, created_by,
                                            must_change=False)
                    created_by = created_by or row.id
                    audit.append(db, Actor(created_by, normalise_username(admin.username), info.workstation),
                                 "user.created", "user", row.id, {"username": row.username, "role": row.role})
                    if user.totp_secret:
                        from counterdesk.services.auth import totp
                        totp.store_factor(db, system, row, user.totp_secret, None, time.time(), by="demo")
                    slots.set_password_slot(row.id, row.username, user.password, key)
            database.call(create_all)
        finally:
            database.close()
        slots.set_recovery_slot(recovery, key)
        # The database becomes visible first, then the slots, then install.json: a crash before
        # the last step leaves a folder that set-up recognises and can redo.
        os.replace(partial, data.database)
        slots.save()
        installation.save(data, info)
        return cls(data, info), format_recovery_key(recovery)

    @classmethod
    def create_demo(cls, root: Path | str) -> tuple[Vault, str]:
        return cls.initialise(root, DEMO_BRANCH[0], DEMO_BRANCH[1], DEMO_USERS[0], DEMO_USERS[1:], demo=True)

    @staticmethod
    def is_initialised(root: Path | str) -> bool:
        return DataDir(root).install_file.exists()

    @staticmethod
    def partial_setup_left(root: Path | str) -> bool:
        """A database without install.json: an earlier set-up stopped before finishing."""
        data = DataDir(root)
        return not data.install_file.exists() and data.database.exists()

    # ---- settings before sign-in -----------------------------------------------------------------
    def pre_auth_settings(self) -> SettingsValues:
        return self._settings or SettingsValues(self.info.pre_auth_settings)

    @property
    def unlocked(self) -> bool:
        return self.db is not None

    # ---- keys ---------------------------------------------------------------------------------------
    def load_slots(self) -> KeySlots:
        return KeySlots.load(self.data.keyslot_file, self.info.installation_id)

    @contextmanager
    def slot_lock(self) -> Iterator[None]:
        """Held by every change of the key slots and by their reconcile (one process at a time)."""
        with exclusive_lock(self.data.keyslot_lock_file):
            yield

    def transact_with_slots(self, fn: Callable[[Session, KeySlots], T]) -> T:
        """Run ``fn(session, slots)`` in one database transaction together with the slot change it
        makes; ``fn`` names ``slots.op_id`` as "slot_op" in the operation's audit entry. The journal,
        the slots before and after the commit: slot_journal.py."""
        with self.slot_lock():
            self._reconcile_locked()
            slots = self.load_slots()
            op_id = slots.op_id = uuid.uuid4().hex
            before = slots.snapshot()
            journal: list[SlotIntent] = []

            def run(db: Session) -> T:
                head = _audit_head(db)
                result = fn(db, slots)
                after = slots.snapshot()
                if after != before:
                    if not _op_in_audit(db, op_id, head):
                        raise RuntimeError("a key-slot change must name its slot_op in its audit entry")
                    crash_point("slots.changed")
                    intent = SlotIntent.new(op_id, self.info.installation_id, head, before, after)
                    intent.save(self.data.keyslot_intent_file)
                    journal.append(intent)
                    crash_point("slots.intent_written")
                    if intent.union() != before:
                        slots.with_slots(intent.union()).save()  # new slots first: they open once committed
                    crash_point("slots.union_written")
                return result

            try:
                result = self.transact(run)
            except BaseException:
                if journal:
                    self._reconcile_after_failure()
                raise
            if journal:
                crash_point("slots.committed")
                slots.save()  # old slots dropped only now (a disabled user's slot goes here)
                crash_point("slots.final_written")
                slot_journal.clear(self.data.keyslot_file, self.data.keyslot_intent_file)
                crash_point("slots.done")
            return result

    def reconcile_slots(self) -> bool:
        """Finish or roll back a slot change a killed process left (needs the database open); True
        when something was changed. Costs two stat calls when nothing is left."""
        if not self._slot_work_left():
            return False
        with self.slot_lock():
            return self._reconcile_locked()

    def _slot_work_left(self) -> bool:
        return self.data.keyslot_intent_file.exists() or bool(
            slot_journal.leftovers(self.data.keyslot_file, self.data.keyslot_intent_file))

    def _reconcile_locked(self) -> bool:
        if not self._slot_work_left():
            return False
        intent = SlotIntent.load(self.data.keyslot_intent_file, self.info.installation_id)
        if intent is None:  # only temp files of a killed write: the slot file itself is final
            slot_journal.clear(self.data.keyslot_file, self.data.keyslot_intent_file)
            return True
        from counterdesk.store import audit
        committed = self._require_db().call(lambda db: _op_in_audit(db, intent.op_id, intent.audit_seq))
        outcome = "finished" if committed else "rolled_back"
        crash_point("reconcile.decided")
        self.load_slots().with_slots(intent.after if committed else intent.before).save()
        crash_point("reconcile.slots_written")
        # Its own key ("reconciled_op", not "slot_op"): a rolled-back change must stay not found.
        self._require_db().call(lambda db: audit.append(
            db, Actor(None, "system", self.info.workstation), "keyslots.reconciled", None, None,
            {"reconciled_op": intent.op_id, "outcome": outcome}))
        slot_journal.clear(self.data.keyslot_file, self.data.keyslot_intent_file)
        log.info("an interrupted key-slot change was %s", outcome.replace("_", " "),
                 extra={"event": "keyslots.reconciled"})
        return True

    def _reconcile_after_failure(self) -> None:
        """The commit failed after the journal was written: decide now, or leave it to the next unlock."""
        try:
            self._reconcile_locked()
        except Exception:
            log.exception("key-slot change left for the next sign-in", extra={"event": "keyslots.pending"})

    def grant_password(self, slots: KeySlots, user_id: str, username: str, password: str) -> None:
        """Give ``username`` a slot that opens the database key this (unlocked) vault holds; the key
        itself never leaves the vault."""
        if self._key is None:
            raise AuthError(NOT_UNLOCKED, code="not_unlocked")
        slots.set_password_slot(user_id, username, password, self._key)

    def _attach(self, key: bytes) -> None:
        """Open the database with ``key`` (or check it matches the one already open)."""
        preload_store()  # see WARM_UP_LOCK
        with self._open_lock:
            if self._key is not None:
                if not hmac.compare_digest(self._key, key):
                    raise AuthError(Text("密钥不一致，无法解锁。", "Key mismatch: cannot unlock."), code="key_mismatch")
                return
            from counterdesk.store import migrate
            from counterdesk.store.engine import DB_DAMAGED, DatabaseError, check_readable, make_engine
            from counterdesk.store.writer import Database

            if not self.data.database.exists():
                raise DatabaseError(DB_DAMAGED, code="db_missing", detail=str(self.data.database))
            engine = make_engine(self.data.database, key)
            try:
                check_readable(engine)
                migrate.upgrade(engine)
            except BaseException:
                engine.dispose()
                raise
            self.db = Database(engine)
            self._key = key
            self._settings = self.db.call(_load_settings)
            self._mirror_pre_auth()

    def _mirror_pre_auth(self) -> None:
        wanted = self.settings().pre_auth()
        if wanted != self.info.pre_auth_settings:
            self.info.pre_auth_settings = wanted
            installation.save(self.data, self.info)

    def close(self) -> None:
        """Close the database and forget the key (sign-out of the last user)."""
        with self._open_lock:
            if self.db is not None:
                self.db.close()
            self.db, self._key, self._settings = None, None, None
            self._signed_in.clear()

    def _require_db(self) -> Database:
        if self.db is None:
            raise AuthError(NOT_UNLOCKED, code="not_unlocked")
        return self.db

    def database(self) -> Database:
        """The open database; refuses before a sign-in."""
        return self._require_db()

    # ---- sign-in --------------------------------------------------------------------------------------
    def _fail(self, name: str, reason: str) -> AuthError:
        s = self.pre_auth_settings()
        status = self.auth_state.record_failure(name, reason, self.info.workstation, s[MAX_FAILED_ATTEMPTS],
                                                s[LOCKOUT_MINUTES])
        if status.locked:
            return AuthError(account_locked_text(status.until), code="account_locked")
        if reason == "disabled":
            return AuthError(ACCOUNT_DISABLED, code="account_disabled")
        return AuthError(BAD_CREDENTIALS, code="bad_credentials")

    def _check_not_locked(self, name: str) -> None:
        status = self.auth_state.status(name)
        if status.locked:
            self.auth_state.record_refused_while_locked(name, self.info.workstation)
            raise AuthError(account_locked_text(status.until), code="account_locked")

    def _unwrap_for(self, name: str, password: str) -> tuple[str, bytes]:
        slot, key = self._unwrap_slot(name, password)
        assert slot.user_id is not None  # a password slot always names its user (bound into the slot's AAD)
        return slot.user_id, key

    def _unwrap_slot(self, name: str, password: str) -> tuple[Slot, bytes]:
        slots = self.load_slots()
        try:
            slot, key = slots.unlock_with_password(name, password)
        except WrongSecret:
            if slots.for_username(name) is None:
                dummy_password_work(password)
                raise self._fail(name, "unknown_user") from None
            raise self._fail(name, "wrong_password") from None
        return slot, key

    def sign_in(self, username: str, password: str, code: str | None = None,
                new_secret: str | None = None) -> SignedInUser:
        """The password opens the key slot; then the second factor (``code``; with ``new_secret`` the
        first code of a factor being enrolled) decides whether a session starts."""
        name = normalise_username(username)
        self._check_not_locked(name)
        slot, key = self._unwrap_slot(name, password)
        assert slot.user_id is not None  # a password slot always names its user (bound into the slot's AAD)
        user_id = slot.user_id
        self._attach(key)
        try:
            if self.reconcile_slots() and slot.to_json() not in self.load_slots().snapshot():
                # The password opened a slot of an unfinished change that the reconcile dropped.
                user_id, _ = self._unwrap_for(name, password)
            factor = self._second_factor(name, user_id, code, new_secret)
            return self._start_session(name, user_id, factor)
        except BaseException:
            if not self._signed_in:
                self.close()  # nobody is signed in: do not keep the key after a refused sign-in
            raise

    def _second_factor(self, name: str, user_id: str, code: str | None, new_secret: str | None) -> str | None:
        """Check the second factor on the opened database; how it was given (for the sign-in's audit
        entry), or None when the account needs none."""
        from counterdesk.services.auth import totp
        from counterdesk.store import users as users_repo

        def run(db: Session) -> totp.FactorCheck:
            user = users_repo.get(db, user_id)
            if user is None or not user.active:
                return totp.FactorCheck(True)  # refused as disabled when the session starts
            return totp.check(db, user, self.info.workstation, self.settings(), code, new_secret)
        result = self._require_db().call(run)
        if result.failure:
            error = self._fail(name, result.failure)  # wrong codes count towards the lock like passwords
            self._flush_pending()
            if error.code == "bad_credentials":
                error = AuthError(WRONG_CODE, code="mfa_wrong_code")
            raise error
        if result.needed:
            raise AuthError(SECOND_FACTOR_NEEDED[result.needed], code=f"mfa_{result.needed}_required")
        return result.method

    def _start_session(self, name: str, user_id: str, factor: str | None = None) -> SignedInUser:
        from counterdesk.store import audit
        from counterdesk.store import users as users_repo

        user = self._require_db().call(lambda db: users_repo.get(db, user_id))
        if user is None or not user.active:
            raise self._fail(name, "disabled")
        self.auth_state.clear(name)
        us = SignedInUser(user.id, user.username, user.display_name, Role(user.role), utcnow(),
                         self.info.workstation, user.must_change_password)
        self._flush_pending()
        details = {"role": us.role.value, **({"method": factor} if factor else {})}
        self._require_db().call(lambda s: audit.append(s, us.actor, "auth.signed_in", "user", us.user_id, details))
        self._signed_in.append(us.user_id)
        return us

    def _flush_pending(self) -> None:
        from counterdesk.store import audit
        events, dropped = self.auth_state.peek_pending()
        if not events and not dropped:
            return

        def write(db: Session) -> None:
            if dropped:
                audit.append(db, Actor(None, "system", self.info.workstation), "auth.events_dropped",
                             details={"pending_dropped": dropped})
            for ev in events:
                details = {k: ev[k] for k in ("reason", "attempts", "locked_until") if k in ev}
                audit.append(db, Actor(None, ev.get("username", "?")[:64], ev.get("workstation", "?")[:64]),
                             ev["action"], "user", None, details, ts=ev.get("ts"))
        self._require_db().call(write)
        self.auth_state.ack_pending(len(events))

    def verify_password(self, us: SignedInUser, password: str) -> None:
        """Re-check the signed-in user's password (resume from a locked screen); counts failures."""
        self._check_not_locked(us.username)
        self.reconcile_slots()
        _, key = self._unwrap_for(us.username, password)
        if not hmac.compare_digest(key, self._key or b""):
            raise AuthError(BAD_CREDENTIALS, code="bad_credentials")
        self.auth_state.clear(us.username)
        self._flush_pending()

    def record(self, us: SignedInUser | None, action: str, object_type: str | None = None,
               object_id: str | None = None, details: dict[str, Any] | None = None) -> None:
        """Append one audit entry in its own transaction (for events with no other write)."""
        from counterdesk.store import audit
        actor = us.actor if us else Actor(None, "system", self.info.workstation)
        self._require_db().call(lambda s: audit.append(s, actor, action, object_type, object_id, details))

    def sign_out(self, us: SignedInUser, reason: str = "user") -> None:
        """End one session; the database closes and the key is dropped when no session is left."""
        if self.db is not None:
            self.record(us, "auth.signed_out", "user", us.user_id, {"reason": reason})
        if us.user_id in self._signed_in:
            self._signed_in.remove(us.user_id)
        if not self._signed_in:
            self.close()

    def transact(self, fn: Callable[[Session], T]) -> T:
        return self._require_db().call(fn)

    # ---- settings --------------------------------------------------------------------------------------
    def settings(self) -> SettingsValues:
        if self._settings is None:
            raise AuthError(NOT_UNLOCKED, code="not_unlocked")
        return self._settings

    def set_setting(self, us: SignedInUser, key: str, value: Any) -> None:
        require(us.role, "settings.manage")
        setting = declared().get(key)
        if setting is None:
            res = Result()
            res.add(key, "unknown", Text("没有这个设置项。", "No such setting."))
            raise ValidationFailed(res)
        res = setting.validate(value)
        if not res.ok:
            raise ValidationFailed(res)
        from counterdesk.store import audit
        from counterdesk.store.models.core import SettingValue
        old = self.settings()[key]

        def write(db: Session) -> SettingsValues:
            row = db.get(SettingValue, key)
            if row is None:
                row = SettingValue(key=key)
                db.add(row)
            row.value, row.updated_at, row.updated_by = json.dumps(value), _now_iso(), us.user_id
            audit.append(db, us.actor, "settings.changed", "setting", key, {"old": old, "new": value})
            return _load_settings(db)
        self._settings = self._require_db().call(write)
        self._mirror_pre_auth()

    # ---- recovery --------------------------------------------------------------------------------------
    def recover(self, recovery_key: str, username: str, new_password: str) -> str:
        """Reset an administrator's password with the recovery key; returns a new recovery key."""
        secret = parse_recovery_key(recovery_key)
        if secret is None:
            raise AuthError(Text("恢复密钥格式错误或有输入错误。", "The recovery key is malformed or mistyped."),
                            code="recovery_malformed")
        slots = self.load_slots()
        try:
            key = slots.unlock_with_recovery(secret)
        except WrongSecret:
            raise AuthError(RECOVERY_WRONG, code="recovery_wrong") from None
        self._attach(key)
        if self.reconcile_slots():
            try:  # the key must still open the slots as reconciled (a finished recovery voids it)
                self.load_slots().unlock_with_recovery(secret)
            except WrongSecret:
                if not self._signed_in:
                    self.close()
                raise AuthError(RECOVERY_WRONG, code="recovery_wrong") from None
        from counterdesk.store import audit
        from counterdesk.store import users as users_repo
        name = normalise_username(username)
        user = self._require_db().call(lambda s: users_repo.by_username(s, name))
        if user is None or user.role != Role.ADMIN.value:
            raise AuthError(Text("没有这个管理员账户。", "No such administrator account."), code="recovery_user")
        pw = check_password(new_password, name, self.settings()[PASSWORD_MIN_LENGTH])
        if not pw.ok:
            raise ValidationFailed(pw)
        new_secret = new_recovery_secret()

        def write(db: Session, slots: KeySlots) -> None:
            row = users_repo.get(db, user.id)
            assert row is not None  # read just above; users are disabled, never deleted
            row.active, row.must_change_password, row.password_changed_at = True, False, _now_iso()
            audit.append(db, Actor(None, "recovery", self.info.workstation), "recovery.used", "user", user.id,
                         {"username": name, "slot_op": slots.op_id})
            from counterdesk.services.auth import totp
            if totp.remove_factor(db, row):  # a lost phone too: the administrator enrols again at sign-in
                audit.append(db, Actor(None, "recovery", self.info.workstation), "mfa.reset", "user", user.id,
                             {"username": name, "by": "recovery"})
            slots.set_password_slot(user.id, name, new_password, key)
            slots.set_recovery_slot(new_secret, key)
        self.transact_with_slots(write)
        self.auth_state.clear(name)
        return format_recovery_key(new_secret)

    def audit_entries(self, us: SignedInUser, limit: int = 500, before_seq: int | None = None) -> list[AuditEntry]:
        """The newest audit entries, for those allowed to read the log."""
        require(us.role, "audit.view")
        from counterdesk.store import audit
        return self.transact(lambda db: audit.recent(db, limit, before_seq))


# The first import of SQLAlchemy (and of the other large packages) must not happen in two threads at
# once: their modules import each other, and Python resolves such a cross-thread import cycle by handing
# one thread a half-initialised module (ImportError "partially initialized module"). The GUI warms up in
# the background while a worker may already create the DEMO branch or sign someone in, so every such
# path goes through these guarded, idempotent warm-ups first.
WARM_UP_LOCK = threading.RLock()  # held by every first import of the large packages
_warmed: set[str] = set()


def preload_store() -> None:
    """Import the database layer ahead of the first sign-in (SQLAlchemy and Alembic take ~0.4 s to
    import); the GUI runs this in the background once its first window is up."""
    with WARM_UP_LOCK:
        if "store" in _warmed:
            return
        from counterdesk.store import audit, engine, migrate, users, writer  # noqa: F401
        migrate.head_revision()
        _warmed.add("store")


def preload_reference_data() -> None:
    """Load the large read-only tables (pinyin dictionaries, the GB/T 2260 division table, country and
    occupation lists) so that callers can then ``gc.freeze()`` them: they live for the whole process,
    and keeping them out of every garbage collection keeps collections on the UI thread short."""
    with WARM_UP_LOCK:
        if "reference" in _warmed:
            return
        preload_store()
        from pypinyin import lazy_pinyin

        from counterdesk.forms import countries, occupations
        from counterdesk.identity import gb2260
        lazy_pinyin("预加载拼音词典")
        countries.all_codes()
        occupations.all_occupations()
        gb2260.lookup("110105")
        _warmed.add("reference")


def _audit_head(db: Session) -> int:
    from sqlalchemy import func, select

    from counterdesk.store.models.core import AuditEntry
    return int(db.execute(select(func.coalesce(func.max(AuditEntry.seq), 0))).scalar_one())


def _op_in_audit(db: Session, op_id: str, after_seq: int) -> bool:
    """Whether an audit entry after ``after_seq`` names ``op_id`` as its slot_op (committed, when
    read in a transaction of its own)."""
    from sqlalchemy import select

    from counterdesk.store.models.core import AuditEntry
    rows = db.execute(select(AuditEntry.details).where(AuditEntry.seq > after_seq,
                                                       AuditEntry.details.contains(op_id))).scalars()
    for details in rows:
        try:
            if json.loads(details or "{}").get("slot_op") == op_id:
                return True
        except (ValueError, AttributeError):
            continue
    return False


def _load_settings(db: Session) -> SettingsValues:
    from counterdesk.store.models.core import SettingValue
    stored: dict[str, Any] = {}
    for row in db.query(SettingValue).all():
        try:
            stored[row.key] = json.loads(row.value)
        except ValueError:
            continue
    return SettingsValues(stored)


def _set_aside_unfinished(data: DataDir) -> None:
    """An earlier set-up stopped after creating the database but before install.json: nobody can
    have used it, but nothing is deleted either; it is renamed aside so set-up can start again."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    for path in (data.database, data.keyslot_file):
        if path.exists():
            os.replace(path, path.with_name(f"{path.name}.unfinished-{stamp}"))

