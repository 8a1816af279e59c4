"""Multi-factor sign-in (TOTP, RFC 6238) on the real encrypted store: enrolment, codes, replay, the
lock, recovery codes, the administrator's reset, the teller setting, the supervisor override at a
teller's station, the command line, and the key slot that still opens with the password alone."""
from __future__ import annotations

import io
import json
import re
import sys

import pyotp
import pytest
from sqlalchemy import select

from counterdesk.base.roles import PermissionDenied, Role
from counterdesk.base.text import CounterDeskError
from counterdesk.cli import admin as cli
from counterdesk.cli import common
from counterdesk.services import accounts
from counterdesk.services.auth import mfa, totp
from counterdesk.services.auth.vault import DEMO_TOTP_SECRET, AuthError, NewUser, Vault
from counterdesk.services.signoff import approvals
from counterdesk.store import audit
from counterdesk.store.models.mfa import MfaFactor, MfaRecoveryCode
from helpers.counter import YOUNG, at_recommendation, choose, customer_signs
from helpers.demo import AUTH_CLOCK, OTHER_SECRET, PASSWORDS, code_for, enrol_sign_in, totp_code

CHIEF = NewUser("chief", "Chief", Role.ADMIN, "Haupt-Chef-2027!")


def entries(vault, n: int = 60) -> list:
    return vault.transact(lambda db: audit.recent(db, n))


def details(entry) -> dict:
    return json.loads(entry.details)


@pytest.fixture
def fresh(tmp_path):
    """A real branch just set up: its first administrator has no second factor yet."""
    vault, _ = Vault.initialise(tmp_path / "branch", "BJ001", "Chaoyang", CHIEF)
    yield vault
    vault.close()


# ---- the password alone ---------------------------------------------------------------------------------
@pytest.mark.parametrize("username", ["supervisor", "admin"])
def test_password_alone_never_yields_a_session_for_a_supervisor_or_admin(demo_vault, username):
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in(username, PASSWORDS[username])
    assert err.value.code == "mfa_code_required"
    assert not demo_vault.unlocked  # the key was dropped again: nobody is signed in
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in(username, PASSWORDS[username], "")
    assert err.value.code == "mfa_code_required"
    us = demo_vault.sign_in(username, PASSWORDS[username], totp_code(username))
    signed_in = [e for e in entries(demo_vault) if e.action == "auth.signed_in"]
    assert len(signed_in) == 1 and details(signed_in[0]) == {"role": us.role.value, "method": "totp"}


def test_tellers_and_auditors_sign_in_with_the_password_unless_the_setting_says_so(demo_vault, sign_in):
    assert demo_vault.sign_in("teller", PASSWORDS["teller"]).role is Role.TELLER
    assert demo_vault.sign_in("auditor", PASSWORDS["auditor"]).role is Role.AUDITOR
    demo_vault.set_setting(sign_in("admin"), "mfa.tellers", True)
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("teller", PASSWORDS["teller"])
    assert err.value.code == "mfa_enrolment_required"  # led through enrolment, no session
    assert demo_vault.sign_in("auditor", PASSWORDS["auditor"]).role is Role.AUDITOR
    teller = enrol_sign_in(demo_vault, "teller", PASSWORDS["teller"])
    assert mfa.status(demo_vault, teller).enrolled
    # A factor once enrolled is always asked, even when the setting is switched off again.
    demo_vault.set_setting(sign_in("admin"), "mfa.tellers", False)
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("teller", PASSWORDS["teller"])
    assert err.value.code == "mfa_code_required"


# ---- enrolment ------------------------------------------------------------------------------------------
def test_enrolment_at_sign_in_then_sign_in_with_the_code(fresh):
    with pytest.raises(AuthError) as err:
        fresh.sign_in("chief", CHIEF.password)
    assert err.value.code == "mfa_enrolment_required"

    enrolment = mfa.start_enrolment(fresh, "Chief")
    assert enrolment.username == "chief" and totp.normalise_secret(enrolment.key_text) == enrolment.secret
    assert enrolment.uri.startswith("otpauth://totp/CounterDesk%20BJ001:chief?secret=" + enrolment.secret)
    assert len(enrolment.modules) == len(enrolment.modules[0]) >= 21 and any(any(r) for r in enrolment.modules)
    # Nothing is stored until a first code confirms the secret: a wrong one leaves no factor.
    with pytest.raises(AuthError) as err:
        mfa.sign_in_enrolling(fresh, "chief", CHIEF.password, enrolment.secret, "000000")
    assert err.value.code == "mfa_wrong_code"
    with pytest.raises(AuthError) as err:
        fresh.sign_in("chief", CHIEF.password)
    assert err.value.code == "mfa_enrolment_required"

    us, codes = mfa.sign_in_enrolling(fresh, "chief", CHIEF.password, enrolment.secret,
                                      code_for(enrolment.secret))
    assert len(codes) == 10 and len(set(codes)) == 10 and all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", c)
                                                                for c in codes)
    status = mfa.status(fresh, us)
    assert status.enrolled and status.required and status.recovery_left == 10
    log = entries(fresh)
    assert [e.action for e in log[:3]] == ["mfa.recovery_codes_issued", "auth.signed_in", "mfa.enrolled"]  # newest first
    assert details(log[1])["method"] == "enrolment" and details(log[2]) == {"username": "chief", "by": "self"}
    fresh.sign_out(us)

    # From now on the password needs the app's code.
    with pytest.raises(AuthError) as err:
        fresh.sign_in("chief", CHIEF.password)
    assert err.value.code == "mfa_code_required"
    assert fresh.sign_in("chief", CHIEF.password, code_for(enrolment.secret)).username == "chief"
    # Neither the secret nor any code ever reaches the audit log.
    text = " ".join(e.details for e in entries(fresh, 200))
    assert enrolment.secret not in text and not any(c in text or c.replace("-", "") in text for c in codes)


def test_an_enrolled_user_cannot_replace_the_factor_with_a_password_alone(demo_vault):
    """A stolen password must not let a new secret in: enrolment is only for accounts without one."""
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("admin", PASSWORDS["admin"], code_for(OTHER_SECRET), new_secret=OTHER_SECRET)
    assert err.value.code == "mfa_wrong_code"
    demo_vault.sign_in("teller", PASSWORDS["teller"])  # opens the database to look
    assert demo_vault.transact(lambda db: db.get(MfaFactor, _user_id(db, "admin")).secret) == DEMO_TOTP_SECRET


def _user_id(db, username: str) -> str:
    from counterdesk.store import users
    return users.by_username(db, username).id


def test_voluntary_enrolment_of_a_signed_in_user(demo_vault):
    auditor = demo_vault.sign_in("auditor", PASSWORDS["auditor"])
    secret = totp.new_secret()
    with pytest.raises(AuthError):
        mfa.enrol(demo_vault, auditor, secret, "123456" if code_for(secret) != "123456" else "654321")
    codes = mfa.enrol(demo_vault, auditor, totp.grouped(secret).lower(), code_for(secret))
    assert len(codes) == 10
    with pytest.raises(CounterDeskError) as err:
        mfa.enrol(demo_vault, auditor, secret, code_for(secret))
    assert err.value.code == "mfa_already_enrolled"
    demo_vault.sign_out(auditor)
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("auditor", PASSWORDS["auditor"])
    assert err.value.code == "mfa_code_required"
    assert demo_vault.sign_in("auditor", PASSWORDS["auditor"], code_for(secret)).role is Role.AUDITOR


# ---- codes ----------------------------------------------------------------------------------------------
def test_a_wrong_code_is_refused_and_counts_towards_the_lock(demo_vault, sign_in):
    for attempt in range(1, 6):
        with pytest.raises(AuthError) as err:
            demo_vault.sign_in("supervisor", PASSWORDS["supervisor"], "000000" if totp_code("supervisor") != "000000"
                               else "111111")
        assert err.value.code == ("account_locked" if attempt == 5 else "mfa_wrong_code")
        assert not demo_vault.unlocked
    assert demo_vault.auth_state.status("supervisor").locked
    # Locked: even the right password and code are refused now.
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    assert err.value.code == "account_locked"
    sign_in("admin")  # opens the database to read the log
    failures = [details(e) for e in entries(demo_vault) if e.action == "auth.sign_in_failed"]
    assert [f["reason"] for f in failures] == ["wrong_code"] * 5
    assert [f["attempts"] for f in reversed(failures)] == [1, 2, 3, 4, 5]
    assert any(e.action == "auth.account_locked" for e in entries(demo_vault))


def test_a_right_password_without_the_code_does_not_clear_the_failure_count(demo_vault):
    for _ in range(2):
        with pytest.raises(AuthError):
            demo_vault.sign_in("admin", PASSWORDS["admin"], "999999" if totp_code("admin") != "999999" else "888888")
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("admin", PASSWORDS["admin"])
    assert err.value.code == "mfa_code_required"
    assert demo_vault.auth_state.status("admin").failures == 2
    demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert demo_vault.auth_state.status("admin").failures == 0


def test_a_replayed_code_is_refused(demo_vault):
    code = totp_code("supervisor")
    demo_vault.sign_out(demo_vault.sign_in("supervisor", PASSWORDS["supervisor"], code))
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("supervisor", PASSWORDS["supervisor"], code)
    assert err.value.code == "mfa_wrong_code"
    assert demo_vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    failed = [details(e) for e in entries(demo_vault) if e.action == "auth.sign_in_failed"]
    assert failed and failed[0]["reason"] == "replayed_code"


def test_a_code_is_accepted_one_step_either_side_and_no_further():
    secret, now = totp.new_secret(), 1_800_000_015.0
    at = pyotp.TOTP(secret).at
    step = pyotp.TOTP(secret).timecode(now)
    assert totp.matching_step(secret, at(now), now) == step
    assert totp.matching_step(secret, at(now - 30), now) == step - 1
    assert totp.matching_step(secret, at(now + 30), now) == step + 1
    assert totp.matching_step(secret, at(now - 60), now) is None
    assert totp.matching_step(secret, at(now + 60), now) is None
    assert totp.matching_step(secret, at(now), now, after=step) is None  # used once: a replay
    assert totp.matching_step(secret, at(now + 30), now, after=step) == step + 1


def test_a_code_from_the_step_before_is_accepted_at_sign_in(demo_vault):
    earlier = pyotp.TOTP(DEMO_TOTP_SECRET).at(AUTH_CLOCK.advance() - 30)  # the phone's clock a little behind
    assert demo_vault.sign_in("admin", PASSWORDS["admin"], earlier).role is Role.ADMIN


# ---- recovery codes ---------------------------------------------------------------------------------------
def test_a_recovery_code_works_once_and_is_stored_hashed(demo_vault):
    admin = demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    codes = mfa.new_recovery_codes(demo_vault, admin)
    demo_vault.sign_out(admin)

    us = demo_vault.sign_in("admin", PASSWORDS["admin"], f"  {codes[3].lower()} ")  # typed loosely
    assert us.role is Role.ADMIN and mfa.status(demo_vault, us).recovery_left == 9
    used = next(e for e in entries(demo_vault) if e.action == "mfa.recovery_code_used")
    assert details(used) == {"count": 9}
    signed_in = next(e for e in entries(demo_vault) if e.action == "auth.signed_in")
    assert details(signed_in)["method"] == "recovery"
    stored = demo_vault.transact(lambda db: [(r.salt, r.code_hash) for r in db.scalars(select(MfaRecoveryCode))])
    assert len(stored) == 10 and not any(c.replace("-", "") in f"{s}{h}" for c in codes for s, h in stored)
    demo_vault.sign_out(us)
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("admin", PASSWORDS["admin"], codes[3])
    assert err.value.code == "mfa_wrong_code"
    # New codes replace the old ones.
    admin = demo_vault.sign_in("admin", PASSWORDS["admin"], codes[4])
    mfa.new_recovery_codes(demo_vault, admin)
    demo_vault.sign_out(admin)
    with pytest.raises(AuthError):
        demo_vault.sign_in("admin", PASSWORDS["admin"], codes[5])


# ---- the administrator's reset ------------------------------------------------------------------------------
def test_an_administrator_resets_a_lost_factor_and_it_is_audited(demo_vault, sign_in):
    admin = sign_in("admin")
    users = {u.username: u for u in accounts.list_users(demo_vault, admin)}
    assert mfa.statuses(demo_vault, admin)[users["supervisor"].user_id].enrolled
    with pytest.raises(CounterDeskError) as err:
        mfa.reset(demo_vault, admin, admin.user_id)
    assert err.value.code == "mfa_self_reset"
    with pytest.raises(PermissionDenied):
        mfa.reset(demo_vault, sign_in("supervisor"), users["teller"].user_id)
    with pytest.raises(PermissionDenied):
        mfa.statuses(demo_vault, sign_in("teller"))

    assert mfa.reset(demo_vault, admin, users["supervisor"].user_id) is True
    assert mfa.reset(demo_vault, admin, users["teller"].user_id) is False  # nothing to remove, still recorded
    resets = [e for e in entries(demo_vault) if e.action == "mfa.reset"]
    assert [details(e) for e in resets] == [{"username": "teller", "result": "none"},
                                            {"username": "supervisor", "result": "removed"}]
    assert resets[1].actor_name == "admin"
    status = mfa.statuses(demo_vault, admin)[users["supervisor"].user_id]
    assert not status.enrolled and status.required
    demo_vault.sign_out(admin)
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    assert err.value.code == "mfa_enrolment_required"


def test_the_recovery_key_also_resets_the_administrators_factor(demo_vault, demo_recovery_key):
    demo_vault.recover(demo_recovery_key, "admin", "Neues-Chef-2027!")
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("admin", "Neues-Chef-2027!", totp_code("admin"))
    assert err.value.code == "mfa_enrolment_required"
    us = enrol_sign_in(demo_vault, "admin", "Neues-Chef-2027!")
    assert any(e.action == "mfa.reset" and details(e)["by"] == "recovery" for e in entries(demo_vault))
    demo_vault.sign_out(us)


# ---- the key slot ---------------------------------------------------------------------------------------------
def test_the_key_slot_opens_with_the_password_only(demo_dir, demo_vault, sign_in):
    before = (demo_dir / "keyslots.json").read_bytes()
    admin = sign_in("admin")
    supervisor_id = next(u.user_id for u in accounts.list_users(demo_vault, admin) if u.username == "supervisor")
    mfa.new_recovery_codes(demo_vault, admin)
    mfa.reset(demo_vault, admin, supervisor_id)
    enrol_sign_in(demo_vault, "supervisor", PASSWORDS["supervisor"])
    assert (demo_dir / "keyslots.json").read_bytes() == before  # enrolment, codes and reset leave the slots alone
    slots = demo_vault.load_slots()
    slot, key = slots.unlock_with_password("supervisor", PASSWORDS["supervisor"])  # no code goes into the slot
    assert slot.user_id == supervisor_id and len(key) == 32
    # The secret sits in the encrypted database only.
    raw = b"".join(p.read_bytes() for p in demo_dir.iterdir() if p.is_file())
    assert OTHER_SECRET.encode() not in raw and DEMO_TOTP_SECRET.encode() not in raw


# ---- the supervisor override at a teller's station ---------------------------------------------------------
def test_a_supervisor_override_at_the_tellers_station_asks_for_the_code(demo_lists_dir):
    vault = Vault.open(demo_lists_dir)
    try:
        counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
        choose(counter_session, "DM-WM-EQ", own=True)
        customer_signs(counter_session)
        assert counter_session.flow.current_id == "approval"
        request = counter_session.submit().hold
        assert request is not None
        station, request_id = counter_session.user, _pending_request(vault)
        for code in (None, "000000" if totp_code("supervisor") != "000000" else "111111"):
            with pytest.raises(AuthError) as err:
                approvals.decide_at_station(vault, station, "supervisor", PASSWORDS["supervisor"], request_id,
                                            approve=True, code=code)
            assert err.value.code in ("mfa_code_required", "mfa_wrong_code")
        assert _pending_request(vault) == request_id  # still waiting: nothing was decided
        info = approvals.decide_at_station(vault, station, "supervisor", PASSWORDS["supervisor"], request_id,
                                           approve=True, code=totp_code("supervisor"))
        assert info.status == "approved" and info.override
        actions = [e.action for e in entries(vault)]  # newest first
        assert actions[:4] == ["auth.signed_out", "signoff.approved_override", "signoff.override_sign_in",
                               "auth.signed_in"]
        assert actions[4] == "auth.sign_in_failed"  # the wrong code
    finally:
        vault.close()


def _pending_request(vault) -> str | None:
    from counterdesk.store.models.signoff import ApprovalRequest
    return vault.transact(lambda db: db.scalar(select(ApprovalRequest.id).where(ApprovalRequest.status == "pending")))


# ---- the command line ------------------------------------------------------------------------------------------
def test_cli_asks_for_the_code_after_the_password_and_resets_a_factor(admin_cli, capsys, monkeypatch, demo_dir):
    code, out, err = admin_cli("users", "mfa-reset", "supervisor")
    assert code == 0 and "Reset the second factor of supervisor" in out, err
    code, out, err = admin_cli("users", "mfa-reset", "admin")
    assert code == 1 and "cannot reset your own second factor" in err
    code, out, _ = admin_cli("mfa", "status")
    assert code == 0 and "Second factor: set up; required to sign in: yes; unused recovery codes: 0" in out
    # Only the password on stdin: the code is missing, so nothing runs.
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORDS["admin"] + "\n"))
    assert cli.main(["--data-dir", str(demo_dir), "--lang", "en", "--user", "admin", "--password-stdin",
                     "users", "list"]) == 1
    assert "No Code for admin" in capsys.readouterr().err


def test_cli_enrols_a_user_who_must_have_a_factor_at_sign_in(tmp_path, capsys, monkeypatch, no_terminal):
    Vault.initialise(tmp_path / "b", "B1", "Branch", CHIEF)[0].close()
    printed: list[str] = []

    def ask(prompt=""):
        printed.append(capsys.readouterr().out)
        if prompt.startswith("Password"):
            return CHIEF.password
        key = re.search(r"Key: ([A-Z2-7 ]+)\n", printed[-1]).group(1)  # what the administrator types into the app
        return code_for(key.replace(" ", ""))
    monkeypatch.setattr(common.getpass, "getpass", ask)
    assert cli.main(["--data-dir", str(tmp_path / "b"), "--lang", "en", "--user", "chief", "users", "list"]) == 0
    out = "".join(printed) + capsys.readouterr().out
    assert "chief must set up a second factor" in out and "otpauth://totp/" in out
    assert "RECOVERY CODES" in out and len(re.findall(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", out)) == 10
    assert re.search(r"chief\s+Chief\s+admin", out)
    vault = Vault.open(tmp_path / "b")
    with pytest.raises(AuthError) as err:
        vault.sign_in("chief", CHIEF.password)
    assert err.value.code == "mfa_code_required"
