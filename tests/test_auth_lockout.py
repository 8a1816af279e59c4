"""Sign-in failures, account locks, disabling, the last-admin guard and permission checks."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from counterdesk.base.roles import PermissionDenied, Role
from counterdesk.base.text import CounterDeskError
from counterdesk.services import accounts, verification
from counterdesk.services.auth.lockout import utcnow
from counterdesk.services.auth.vault import AuthError, Vault
from counterdesk.store import audit
from counterdesk.store import users as repo
from helpers.demo import PASSWORDS, enrol_sign_in, totp_code

WRONG = "Falsch-Passwort-1!"


def _attempt(vault: Vault, name: str, password: str = WRONG) -> AuthError:
    with pytest.raises(AuthError) as err:
        vault.sign_in(name, password)
    assert not vault.unlocked
    return err.value


def _audit(vault: Vault, action: str | None = None):
    rows = vault.transact(lambda s: list(reversed(audit.recent(s, 1000))))
    return [r for r in rows if action is None or r.action == action]


def _lock_in_the_past(vault: Vault, name: str, minutes_ago: int = 20) -> None:
    """Five failures that happened ``minutes_ago``: the lock they caused has run out by now."""
    s = vault.pre_auth_settings()
    then = utcnow() - timedelta(minutes=minutes_ago)
    for _ in range(5):
        vault.auth_state.record_failure(name, "wrong_password", "ws", s["auth.max_failed_attempts"],
                                        s["auth.lockout_minutes"], now=then)


def test_fifth_wrong_password_locks_and_right_password_is_refused(demo_vault):
    codes = [_attempt(demo_vault, "teller").code for _ in range(5)]
    assert codes == ["bad_credentials"] * 4 + ["account_locked"]
    status = demo_vault.auth_state.status("teller")
    assert status.locked and status.failures == 5
    expected = utcnow() + timedelta(minutes=15)
    assert abs((status.until - expected).total_seconds()) < 60
    # The right password does not help while the lock lasts.
    err = _attempt(demo_vault, "teller", PASSWORDS["teller"])
    assert err.code == "account_locked"
    assert "locked until" in err.message("en") and "锁定" in err.message("zh")
    # Other accounts are not affected.
    us = demo_vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    assert us.role is Role.SUPERVISOR


def test_unknown_usernames_behave_exactly_like_known_ones(demo_vault):
    known = [_attempt(demo_vault, "teller") for _ in range(6)]
    unknown = [_attempt(demo_vault, "no.such.user") for _ in range(6)]
    assert [e.code for e in known] == [e.code for e in unknown] == ["bad_credentials"] * 4 + ["account_locked"] * 2
    assert known[0].message("en") == unknown[0].message("en")
    assert known[0].message("zh") == unknown[0].message("zh")
    # The lock message names a time but not whether the account exists.
    assert known[-1].message("en").split("until")[0] == unknown[-1].message("en").split("until")[0]
    assert demo_vault.auth_state.status("no.such.user").locked


def test_lock_expires_after_lockout_minutes(demo_vault, sign_in):
    state = demo_vault.auth_state
    t0 = utcnow()
    for i in range(1, 6):
        status = state.record_failure("teller", "wrong_password", "ws", 5, 15, now=t0)
        assert status.failures == i and status.locked == (i == 5)
    assert state.status("teller", now=t0 + timedelta(minutes=14, seconds=59)).locked
    assert not state.status("teller", now=t0 + timedelta(minutes=15, seconds=1)).locked
    # A failure after the lock ran out starts a new count; five more lock again.
    later = t0 + timedelta(minutes=16)
    status = state.record_failure("teller", "wrong_password", "ws", 5, 15, now=later)
    assert status.failures == 1 and not status.locked
    for _ in range(4):
        status = state.record_failure("teller", "wrong_password", "ws", 5, 15, now=later)
    assert status.locked and status.until == later + timedelta(minutes=15)


def test_vault_honours_an_expired_lock(demo_vault):
    _lock_in_the_past(demo_vault, "teller", minutes_ago=20)  # locked from -20 to -5 minutes
    assert not demo_vault.auth_state.status("teller").locked
    us = demo_vault.sign_in("teller", PASSWORDS["teller"])
    assert us.username == "teller"
    assert demo_vault.auth_state.status("teller").failures == 0  # success clears the counter


def test_vault_honours_a_running_lock(demo_vault):
    _lock_in_the_past(demo_vault, "teller", minutes_ago=5)  # locked until +10 minutes
    assert _attempt(demo_vault, "teller", PASSWORDS["teller"]).code == "account_locked"


def test_lockout_settings_are_used(demo_vault, sign_in):
    admin = sign_in("admin")
    demo_vault.set_setting(admin, "auth.max_failed_attempts", 2)
    demo_vault.set_setting(admin, "auth.lockout_minutes", 60)
    demo_vault.sign_out(admin)
    reopened = Vault.open(demo_vault.data.root)  # a fresh start reads them from install.json
    assert [_attempt(reopened, "teller").code for _ in range(2)] == ["bad_credentials", "account_locked"]
    until = reopened.auth_state.status("teller").until
    assert abs((until - (utcnow() + timedelta(minutes=60))).total_seconds()) < 60


def test_failures_become_audit_entries_at_the_next_sign_in(demo_vault):
    for _ in range(5):
        _attempt(demo_vault, "teller")
    _attempt(demo_vault, "teller", PASSWORDS["teller"])  # refused while locked
    _attempt(demo_vault, "ghost")
    events, dropped = demo_vault.auth_state.peek_pending()
    assert len(events) == 8 and dropped == 0

    us = demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    failed = _audit(demo_vault, "auth.sign_in_failed")
    locked = _audit(demo_vault, "auth.account_locked")
    refused = _audit(demo_vault, "auth.sign_in_refused")
    teller_failed = [e for e in failed if e.actor_name == "teller"]
    assert [json.loads(e.details)["attempts"] for e in teller_failed] == [1, 2, 3, 4, 5]
    assert all(json.loads(e.details)["reason"] == "wrong_password" for e in teller_failed)
    assert [(e.actor_name, json.loads(e.details)["reason"]) for e in failed if e.actor_name == "ghost"] == \
        [("ghost", "unknown_user")]
    assert len(locked) == 1 and locked[0].actor_name == "teller"
    assert "locked_until" in json.loads(locked[0].details)
    assert len(refused) == 1 and json.loads(refused[0].details)["reason"] == "account_locked"
    # The failures come before this sign-in in the chain, and the chain is intact.
    signed_in = _audit(demo_vault, "auth.signed_in")[-1]
    assert max(e.seq for e in failed + locked + refused) < signed_in.seq
    assert demo_vault.auth_state.peek_pending() == ([], 0)
    assert verification.verify(demo_vault, us).ok
    # A second sign-in does not write them again.
    demo_vault.sign_out(us)
    demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert len(_audit(demo_vault, "auth.sign_in_failed")) == 6


def test_admin_unlock_clears_the_lock(demo_vault):
    for _ in range(5):
        _attempt(demo_vault, "teller")
    assert demo_vault.auth_state.status("teller").locked
    admin = demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    users = {u.username: u for u in accounts.list_users(demo_vault, admin)}
    assert users["teller"].locked and not users["supervisor"].locked
    accounts.unlock_account(demo_vault, admin, "Teller")
    assert not demo_vault.auth_state.status("teller").locked
    assert _audit(demo_vault, "user.unlocked")[-1].details == '{"username":"teller"}'
    demo_vault.sign_out(admin)
    assert demo_vault.sign_in("teller", PASSWORDS["teller"]).username == "teller"


def test_lock_screen_password_check_counts_failures(demo_vault, sign_in):
    us = sign_in("teller")
    with pytest.raises(AuthError) as err:
        demo_vault.verify_password(us, WRONG)
    assert err.value.code == "bad_credentials"
    assert demo_vault.auth_state.status("teller").failures == 1
    demo_vault.verify_password(us, PASSWORDS["teller"])
    assert demo_vault.auth_state.status("teller").failures == 0


def test_disabled_user_cannot_sign_in_and_their_slot_is_gone(demo_vault, demo_dir):
    admin = demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    teller_id = demo_vault.transact(lambda s: repo.by_username(s, "teller").id)
    accounts.disable_user(demo_vault, admin, teller_id)
    raw = json.loads((demo_dir / "keyslots.json").read_text(encoding="utf-8"))
    assert all(s.get("user_id") != teller_id for s in raw["slots"])
    assert all(s.get("username") != "teller" for s in raw["slots"])
    assert demo_vault.load_slots().for_username("teller") is None
    entry = _audit(demo_vault, "user.disabled")[-1]
    assert entry.object_id == teller_id and entry.actor_name == "admin"
    demo_vault.sign_out(admin)

    err = _attempt(demo_vault, "teller", PASSWORDS["teller"])
    assert err.code == "bad_credentials"  # the same answer as for any unknown name

    # Re-enabling needs a new password; the old one stays dead.
    admin = demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    accounts.enable_user(demo_vault, admin, teller_id, "Wieder-Da-2027!")
    demo_vault.sign_out(admin)
    assert _attempt(demo_vault, "teller", PASSWORDS["teller"]).code == "bad_credentials"
    us = demo_vault.sign_in("teller", "Wieder-Da-2027!")
    assert us.must_change_password


def test_last_admin_cannot_be_disabled_or_demoted(demo_vault, demo_dir):
    admin = demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    with pytest.raises(CounterDeskError) as err:
        accounts.set_role(demo_vault, admin, admin.user_id, Role.TELLER)
    assert err.value.code == "last_admin"
    with pytest.raises(CounterDeskError) as err:
        accounts.disable_user(demo_vault, admin, admin.user_id)
    assert err.value.code == "self_disable"

    # Two admins: one may be demoted, then the other is the last one again.
    second_id = accounts.create_user(demo_vault, admin, "admin2", "第二管理员", Role.ADMIN, "Zweiter-Chef-2027!")
    demo_vault.sign_out(admin)
    admin2 = enrol_sign_in(demo_vault, "admin2", "Zweiter-Chef-2027!")
    accounts.set_role(demo_vault, admin2, admin.user_id, Role.TELLER)
    # The first admin's session still carries the admin role (e.g. another window): the database
    # guard still refuses to disable or demote the one remaining administrator.
    with pytest.raises(CounterDeskError) as err:
        accounts.disable_user(demo_vault, admin, second_id)
    assert err.value.code == "last_admin"
    with pytest.raises(CounterDeskError) as err:
        accounts.set_role(demo_vault, admin, second_id, Role.AUDITOR)
    assert err.value.code == "last_admin"
    row = demo_vault.transact(lambda s: repo.get(s, second_id))
    assert row.active and row.role == "admin"
    assert demo_vault.transact(repo.active_admins) == 1


@pytest.mark.parametrize("role_user", ["teller", "supervisor", "auditor"])
def test_non_admins_cannot_manage_users(demo_vault, demo_dir, role_user):
    us = demo_vault.sign_in(role_user, PASSWORDS[role_user], totp_code(role_user))
    before = (demo_dir / "keyslots.json").read_bytes()
    count = len(_audit(demo_vault))
    calls = [
        lambda: accounts.create_user(demo_vault, us, "newbie", "新人", "teller", "Anfangs-Pass-2027!"),
        lambda: accounts.list_users(demo_vault, us),
        lambda: accounts.reset_password(demo_vault, us, us.user_id, "Anfangs-Pass-2027!"),
        lambda: accounts.set_role(demo_vault, us, us.user_id, "admin"),
        lambda: accounts.disable_user(demo_vault, us, us.user_id),
        lambda: accounts.enable_user(demo_vault, us, us.user_id, "Anfangs-Pass-2027!"),
        lambda: accounts.unlock_account(demo_vault, us, "admin"),
        lambda: demo_vault.set_setting(us, "auth.lockout_minutes", 1),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied) as err:
            call()
        assert err.value.code == "permission_denied"
    assert (demo_dir / "keyslots.json").read_bytes() == before
    assert len(_audit(demo_vault)) == count
    if role_user == "auditor":
        assert verification.verify(demo_vault, us).ok  # auditors may verify the chain, nothing more
    else:
        with pytest.raises(PermissionDenied):
            verification.verify(demo_vault, us)


def test_unreadable_auth_state_starts_empty(demo_dir):
    (demo_dir / "auth-state.json").write_text("{not json", encoding="utf-8")
    vault = Vault.open(demo_dir)
    try:
        assert not vault.auth_state.status("teller").locked
        assert vault.sign_in("teller", PASSWORDS["teller"]).username == "teller"
    finally:
        vault.close()
