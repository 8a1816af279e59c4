"""counterdesk-admin, run in-process through counterdesk.cli.admin.main(argv) and once as the real script."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from counterdesk.cli import admin as cli
from counterdesk.cli import common
from counterdesk.services.auth.vault import DEMO_USERS, Vault
from counterdesk.store.engine import make_engine
from helpers.demo import OTHER_SECRET, PASSWORDS, code_for, enrol_sign_in, sign_in_lines, totp_code

KEY_RE = re.compile(r"\b[A-Z2-7]{5}(?:-[A-Z2-7]{1,5}){10}\b")


@pytest.fixture(scope="session")
def cli_demo(tmp_path_factory):
    """(folder, stdout) of one demo installation made by `counterdesk-admin demo`; never modify it."""
    root = tmp_path_factory.mktemp("cli-demo") / "data"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["--data-dir", str(root), "--lang", "en", "demo"])
    assert code == 0, out.getvalue()
    return root, out.getvalue()


@pytest.fixture
def data(tmp_path, cli_demo) -> Path:
    """A fresh copy of the demo installation (creating one costs about 1.5 s)."""
    target = tmp_path / "data"
    shutil.copytree(cli_demo[0], target)
    return target


@pytest.fixture(autouse=True)
def _no_terminal(no_terminal):
    """Every test here runs without a terminal (see conftest.no_terminal)."""


@pytest.fixture
def run(capsys, monkeypatch):
    """run(data, *argv, stdin=[lines]) -> (exit status, stdout, stderr); English messages."""
    def _run(data_dir, *argv, stdin=None, lang="en"):
        capsys.readouterr()
        args = ["--data-dir", str(data_dir), "--lang", lang]
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in stdin)))
            args.append("--password-stdin")
        code = cli.main(args + list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err
    return _run


def as_user(name, password=None):
    """The argv prefix and stdin lines to sign in as ``name`` (a demo user's code included)."""
    return ["--user", name], [password] if password else sign_in_lines(name)


def users_table(run, data) -> dict[str, list[str]]:
    """username -> [role, active, must change, locked] (display names may contain spaces)."""
    code, out, _ = run(data, "--user", "admin", "users", "list", stdin=[*sign_in_lines("admin")])
    assert code == 0
    return {line.split()[0]: line.split()[-4:] for line in out.splitlines()[1:]}


# ---- set-up ---------------------------------------------------------------------------------------
def test_demo_prints_users_passwords_and_recovery_key(cli_demo):
    root, out = cli_demo
    for user in DEMO_USERS:
        assert re.search(rf"{user.username}\s+{re.escape(user.password)}\s+{user.role.value}", out)
    assert KEY_RE.search(out) and "will NOT be shown again" in out
    assert json.loads((root / "install.json").read_text())["demo"] is True
    # The demo supervisor's and administrator's authenticator key, to add to an app.
    assert "authenticator app): DEMO COUN TERD ESKD EMOC OUNT ERDE SK23" in out


def test_init_then_sign_in(tmp_path, run):
    root = tmp_path / "branch"
    code, out, err = run(root, "init", "--branch-code", "sh-01", "--branch-name", "上海分行第一支行",
                         "--admin", "Boss", "--admin-name", "王经理", stdin=["Str0ng-Passw0rd!"])
    assert code == 0, err
    assert "SH-01" in out and KEY_RE.search(out) and "will NOT be shown again" in out
    info = json.loads((root / "install.json").read_text())
    assert info["demo"] is False and info["branch_code"] == "SH-01"
    assert (root / "logs").is_dir()
    # An administrator must enrol a second factor at the first sign-in (the CLI's own enrolment
    # dialogue is in test_mfa.py); here through the core, then the code follows the password.
    vault = Vault.open(root)
    vault.sign_out(enrol_sign_in(vault, "boss", "Str0ng-Passw0rd!"))
    code, out, err = run(root, "--user", "boss", "users", "list", stdin=["Str0ng-Passw0rd!", code_for(OTHER_SECRET)])
    assert code == 0, err
    assert re.search(r"boss\s+王经理\s+admin\s+yes\s+no\s+no", out)


def test_init_asks_twice_on_the_terminal_and_refuses_a_mismatch(tmp_path, run, monkeypatch):
    answers = iter(["Str0ng-Passw0rd!", "Str0ng-Passw0rd?"])
    monkeypatch.setattr(common.getpass, "getpass", lambda prompt="": next(answers))
    code, _, err = run(tmp_path / "b", "init", "--branch-code", "B1", "--branch-name", "B", "--admin", "boss")
    assert code == 1 and "do not match" in err
    assert not (tmp_path / "b" / "install.json").exists()


def test_init_refuses_an_existing_folder(data, run):
    before = (data / "install.json").read_bytes()
    code, out, err = run(data, "init", "--branch-code", "X1", "--branch-name", "X", "--admin", "boss",
                         stdin=["Str0ng-Passw0rd!"])
    assert code == 1 and "already set up" in err and out == ""
    assert (data / "install.json").read_bytes() == before
    code, _, err = run(data, "demo")
    assert code == 1 and "already set up" in err


def test_init_reports_every_validation_problem(tmp_path, run):
    code, _, err = run(tmp_path / "b", "init", "--branch-code", "bad code!", "--branch-name", "B",
                       "--admin", "x", stdin=["short"])
    assert code == 1
    for field in ("branch_code:", "username:", "password:"):
        assert field in err
    assert not (tmp_path / "b" / "install.json").exists()


# ---- errors ---------------------------------------------------------------------------------------
def test_wrong_password_exits_1_with_the_message(data, run):
    code, out, err = run(data, "--user", "admin", "users", "list", stdin=["not-the-password"])
    assert code == 1 and out == ""
    assert "Wrong username or password." in err
    code, _, err = run(data, "--user", "admin", "users", "list", stdin=["not-the-password"], lang="zh")
    assert code == 1 and "用户名或密码错误" in err


def test_not_set_up_usage_and_missing_user(tmp_path, run):
    code, _, err = run(tmp_path / "empty", "--user", "admin", "verify", stdin=["x"])
    assert code == 1 and "not set up" in err
    assert run(tmp_path, "users", "frobnicate")[0] == 1  # usage errors are 1: 2 means "broken"
    assert run(tmp_path, "--help")[0] == 0
    code, _, err = run(tmp_path, "verify")
    assert code == 1 and "--user" in err


def test_terminal_prompt_permission_and_cancel(data, run, monkeypatch):
    prompts = []
    monkeypatch.setattr(common.getpass, "getpass", lambda prompt="": prompts.append(prompt) or PASSWORDS["teller"])
    code, _, err = run(data, "--user", "teller", "users", "list")
    assert code == 1 and "not allowed" in err and prompts == ["Password for teller: "]

    def interrupt(prompt=""):
        raise KeyboardInterrupt
    monkeypatch.setattr(common.getpass, "getpass", interrupt)
    code, _, err = run(data, "--user", "teller", "users", "list")
    assert code == 130 and "Cancelled." in err


def test_unexpected_error_is_one_line_and_exit_3(data, run, monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("boom")
    monkeypatch.setattr(cli.accounts, "list_users", boom)
    code, _, err = run(data, "--user", "admin", "users", "list", stdin=[*sign_in_lines("admin")])
    assert code == 3 and "RuntimeError" in err and len(err.strip().splitlines()) == 1


# ---- users ----------------------------------------------------------------------------------------
def test_users_add_role_disable_enable(data, run):
    admin = ["--user", "admin"]
    code, out, err = run(data, *admin, "users", "add", "Clerk1", "--name", "李四", "--role", "teller",
                         stdin=[*sign_in_lines("admin"), "Temp-Pass-001"])
    assert code == 0, err
    assert users_table(run, data)["clerk1"] == ["teller", "yes", "yes", "no"]
    # A temporary password only lets its holder change it.
    code, _, err = run(data, "--user", "clerk1", "verify", stdin=["Temp-Pass-001"])
    assert code == 1 and "must change" in err
    code, _, err = run(data, "--user", "clerk1", "users", "passwd", "clerk1", stdin=["Temp-Pass-001", "Own-Pass-0002"])
    assert code == 0, err
    assert users_table(run, data)["clerk1"][2] == "no"

    assert run(data, *admin, "users", "role", "clerk1", "supervisor", stdin=[*sign_in_lines("admin")])[0] == 0
    assert users_table(run, data)["clerk1"][0] == "supervisor"
    code, _, err = run(data, *admin, "users", "role", "admin", "teller", stdin=[*sign_in_lines("admin")])
    assert code == 1 and "last active administrator" in err

    assert run(data, *admin, "users", "disable", "clerk1", stdin=[*sign_in_lines("admin")])[0] == 0
    assert users_table(run, data)["clerk1"][1] == "no"
    code, _, err = run(data, "--user", "clerk1", "users", "list", stdin=["Own-Pass-0002"])
    assert code == 1 and "Wrong username or password." in err
    code, _, err = run(data, *admin, "users", "passwd", "clerk1", stdin=[*sign_in_lines("admin"), "Temp-Pass-003"])
    assert code == 1 and "users enable" in err

    assert run(data, *admin, "users", "enable", "clerk1", stdin=[*sign_in_lines("admin"), "Temp-Pass-004"])[0] == 0
    assert users_table(run, data)["clerk1"][1:3] == ["yes", "yes"]
    # clerk1 is a supervisor now: a second factor is enrolled at the first sign-in (here through the core).
    vault = Vault.open(data)
    vault.sign_out(enrol_sign_in(vault, "clerk1", "Temp-Pass-004"))
    code, _, err = run(data, "--user", "clerk1", "users", "passwd", "clerk1",
                       stdin=["Temp-Pass-004", code_for(OTHER_SECRET), "Own-Pass-0005"])
    assert code == 0, err
    code, _, err = run(data, *admin, "users", "disable", "nobody", stdin=[*sign_in_lines("admin")])
    assert code == 1 and "No such user: nobody" in err


def test_users_add_reports_every_problem(data, run):
    code, _, err = run(data, "--user", "admin", "users", "add", "x!", "--name", " ", "--role", "teller",
                       stdin=[*sign_in_lines("admin"), "Temp-Pass-001"])
    assert code == 1 and "username:" in err and "display_name:" in err


def test_users_passwd_reset_and_own_change(data, run):
    code, out, err = run(data, "--user", "admin", "users", "passwd", "teller", stdin=[*sign_in_lines("admin"), "Reset-Pass-01"])
    assert code == 0 and "reset" in out, err
    assert users_table(run, data)["teller"][2] == "yes"
    assert run(data, "--user", "teller", "users", "passwd", "teller", stdin=["Reset-Pass-01", "Own-Pass-0002"])[0] == 0
    # The admin's own change: the sign-in password is the old one.
    assert run(data, "--user", "admin", "users", "passwd", "admin", stdin=[*sign_in_lines("admin"), "Fresh-Boss-Pw-1"])[0] == 0
    assert run(data, "--user", "admin", "verify", stdin=[*sign_in_lines("admin")])[0] == 1
    assert run(data, "--user", "admin", "verify", stdin=["Fresh-Boss-Pw-1", totp_code("admin")])[0] == 0
    code, _, err = run(data, "--user", "admin", "users", "passwd", "admin",
                       stdin=["Fresh-Boss-Pw-1", totp_code("admin"), "short"])
    assert code == 1 and "password:" in err


def test_users_unlock(data, run):
    vault = Vault.open(data)
    vault.auth_state.record_failure("teller", "wrong_password", "ws", max_attempts=1, lockout_minutes=15)
    assert users_table(run, data)["teller"][3] == "yes"
    code, _, err = run(data, "--user", "teller", "users", "list", stdin=[PASSWORDS["teller"]])
    assert code == 1 and "locked" in err
    assert run(data, "--user", "admin", "users", "unlock", "teller", stdin=[*sign_in_lines("admin")])[0] == 0
    assert users_table(run, data)["teller"][3] == "no"


# ---- verify ---------------------------------------------------------------------------------------
def test_verify_ok_with_the_password_from_the_environment(data, run, monkeypatch):
    monkeypatch.setenv(common.PASSWORD_ENV, PASSWORDS["auditor"])
    code, out, err = run(data, "--user", "auditor", "verify")
    assert code == 0, err
    assert "✓ Database file integrity" in out and "Verification passed." in out
    assert re.search(r"Audit entries checked: \d+", out) and re.search(r"Head hash: [0-9a-f]{64}", out)


def tamper(data: Path, seq: int) -> None:
    """Change one audit row behind the application's back, as an attacker with the key would."""
    key = Vault.open(data).load_slots().unlock_with_password("admin", PASSWORDS["admin"])[1]
    engine = make_engine(data / "counterdesk.db", key)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            conn.exec_driver_sql("UPDATE audit_log SET details = '{\"username\":\"mallory\"}' WHERE seq = ?", (seq,))
    finally:
        engine.dispose()


def test_verify_names_the_first_broken_entry(data, run):
    tamper(data, 3)
    code, out, err = run(data, "--user", "auditor", "verify", stdin=[PASSWORDS["auditor"]])
    assert code == 2, err
    assert "first broken entry: #3 (" in out
    assert "append-only triggers" in out and "VERIFICATION FAILED" in out
    code, out, _ = run(data, "--user", "auditor", "verify", stdin=[PASSWORDS["auditor"]], lang="zh")
    assert code == 2 and "#3" in out


# ---- settings -------------------------------------------------------------------------------------
def test_settings_list_and_set(data, run):
    admin = ["--user", "admin"]
    code, out, err = run(data, *admin, "settings", "set", "auth.lockout_minutes", "30", stdin=[*sign_in_lines("admin")])
    assert code == 0 and "15 -> 30" in out, err
    code, out, _ = run(data, "--user", "auditor", "settings", "list", stdin=[PASSWORDS["auditor"]])
    assert code == 0 and re.search(r"auth\.lockout_minutes\s+30\s+15", out)
    assert json.loads((data / "install.json").read_text())["pre_auth_settings"]["auth.lockout_minutes"] == 30
    for value, message in (("abc", "Cannot read the value 'abc' (expected int)"), ("0", "must be at least 1")):
        code, _, err = run(data, *admin, "settings", "set", "auth.lockout_minutes", value, stdin=[*sign_in_lines("admin")])
        assert code == 1 and f"auth.lockout_minutes: {message}" in err
    code, _, err = run(data, *admin, "settings", "set", "no.such", "1", stdin=[*sign_in_lines("admin")])
    assert code == 1 and "no.such: No such setting." in err
    code, _, err = run(data, "--user", "auditor", "settings", "set", "ui.language", "en", stdin=[PASSWORDS["auditor"]])
    assert code == 1 and "not allowed" in err


# ---- recovery -------------------------------------------------------------------------------------
def test_recover_with_the_printed_key(data, run, cli_demo):
    old_key = KEY_RE.search(cli_demo[1]).group(0)
    code, out, err = run(data, "--user", "admin", "recover", stdin=[old_key.lower(), "Recovered-Pw-01"])
    assert code == 0, err
    new_key = KEY_RE.search(out).group(0)
    assert new_key != old_key and "no longer works" in out
    # The recovery also removed the lost factor: the administrator enrols a new one at sign-in.
    vault = Vault.open(data)
    vault.sign_out(enrol_sign_in(vault, "admin", "Recovered-Pw-01"))
    assert run(data, "--user", "admin", "verify", stdin=["Recovered-Pw-01", code_for(OTHER_SECRET)])[0] == 0
    code, _, err = run(data, "--user", "admin", "recover", stdin=[old_key, "Another-Pw-002"])
    assert code == 1 and "not correct" in err
    code, _, err = run(data, "--user", "teller", "recover", stdin=[new_key, "Another-Pw-002"])
    assert code == 1 and "administrator" in err


# ---- the installed script -------------------------------------------------------------------------
def admin_script() -> str:
    name = "counterdesk-admin"
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        if (Path(folder) / name).exists():
            return str(Path(folder) / name)
    found = shutil.which(name)
    assert found, "counterdesk-admin is not installed (pip install -e .)"
    return found


def test_installed_script(data, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != common.PASSWORD_ENV}
    bad = subprocess.run([admin_script(), "--data-dir", str(tmp_path / "none"), "--lang", "en", "--user", "admin",
                          "--password-stdin", "verify"], input="x\n", capture_output=True, text=True, env=env,
                         timeout=60)
    assert bad.returncode == 1 and "not set up" in bad.stderr and "Traceback" not in bad.stderr
    ok = subprocess.run([admin_script(), "--data-dir", str(data), "--lang", "en", "verify", "--user", "auditor"],
                        capture_output=True, text=True, env={**env, common.PASSWORD_ENV: PASSWORDS["auditor"]}, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert "Verification passed." in ok.stdout


def test_cli_stays_qt_free():
    probe = ("import sys, counterdesk.cli.admin; "
             "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr
