"""Key-slot changes killed with a real SIGKILL at every step of their protocol (services/auth/slot_journal.py).

A small driver runs the change in a subprocess on a copy of the DEMO installation, with
COUNTERDESK_CRASH_AT naming the point where it kills itself (or is killed from outside after a random
delay, in the slow test). Then the installation is opened again, as the next person to sign in would,
and the slots must agree with the committed database: a committed disable leaves no file in the data
folder that the disabled user's password opens; the audit says "password_changed" exactly when the
new password opens and the old one does not; ``check_slots`` (verify's part) finds nothing.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import event, select

from counterdesk.base.atomicfile import temp_files_of
from counterdesk.services import accounts
from counterdesk.services.auth.keyslots import KeySlots, Slot, WrongSecret, parse_recovery_key
from counterdesk.services.auth.slot_check import check_slots
from counterdesk.services.auth.vault import AuthError, Vault
from counterdesk.store import audit
from counterdesk.store import users as users_repo
from counterdesk.store.models.core import AuditEntry
from helpers.demo import PASSWORDS

NEW_TELLER = "Neue-Kasse-2027#"
NEW_ADMIN = "Neues-Chef-2027!"
CLERK = "Kassen-Pass-2027!"

# Runs one change through the core API, as the admin command line would. "ready" marks the moment
# the change starts (the slow test's outside kill aims after it).
DRIVER = r"""
import sys
import time
import pyotp
from counterdesk.services import accounts
from counterdesk.services.auth.vault import DEMO_TOTP_SECRET, Vault

root, op, recovery_key, new_password, steps_ahead = sys.argv[1:6]
P = {"admin": "Guanli-2026!", "teller": "Guiyuan-2026!", "auditor": "Shenji-2026!"}
vault = Vault.open(root)

def admin():
    # Each code is accepted once: a later run on the same folder takes the next step's code.
    code = pyotp.TOTP(DEMO_TOTP_SECRET).at(time.time() + 30 * int(steps_ahead))
    return vault.sign_in("admin", P["admin"], code=code)

if op == "disable":
    us = admin()
    target = next(u for u in accounts.list_users(vault, us) if u.username == "teller")
    print("ready", flush=True)
    accounts.disable_user(vault, us, target.user_id)
elif op == "passwd":
    us = vault.sign_in("teller", P["teller"])
    print("ready", flush=True)
    accounts.change_own_password(vault, us, P["teller"], new_password)
elif op == "create":
    us = admin()
    print("ready", flush=True)
    accounts.create_user(vault, us, "clerk", "Clerk", "teller", new_password)
elif op == "recover":
    print("ready", flush=True)
    vault.recover(recovery_key, "admin", new_password)
elif op == "sign_in":  # the next person to sign in: the unlock reconciles
    print("ready", flush=True)
    vault.sign_in("auditor", P["auditor"])
vault.close()
print("done", flush=True)
"""
NEW_PASSWORD = {"passwd": NEW_TELLER, "create": CLERK, "recover": NEW_ADMIN}

# Every crash point of a slot change, in protocol order, and whether the change has committed there.
# The first atomic write of keyslots.json is the union (before the commit) when the change adds a slot,
# and the final file (after it) for a disable, whose union is the file as it was.
POINTS = ["slots.changed", "atomic.before_rename:keyslots.intent.json", "slots.intent_written",
          "atomic.before_rename:keyslots.json", "slots.union_written", "slots.committed",
          "slots.final_written", "slots.done"]
COMMITTED_FROM = {"disable": "atomic.before_rename:keyslots.json", "passwd": "slots.committed",
                  "create": "slots.committed", "recover": "slots.committed"}
RECONCILE_POINTS = ["reconcile.decided", "reconcile.slots_written"]


def expected_commit(op: str, point: str) -> bool:
    if op == "disable" and point == "slots.union_written":
        return False  # listed after the keyslots write, but a disable writes no union: hit before the commit
    return POINTS.index(point) >= POINTS.index(COMMITTED_FROM[op])


@dataclass
class Run:
    op: str
    root: Path
    point: str | None = None  # COUNTERDESK_CRASH_AT
    kill_after: float | None = None  # seconds after "ready", from outside
    steps_ahead: int = 0  # the admin's authenticator code: how many 30 s steps ahead (one use each)
    returncode: int | None = None
    output: str = ""


def _env(point: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "COUNTERDESK_CRASH_AT"}
    if point:
        env["COUNTERDESK_CRASH_AT"] = point
    return env


def _start(run: Run, recovery_key: str) -> tuple[subprocess.Popen, threading.Thread]:
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(run.root), run.op, recovery_key,
                             NEW_PASSWORD.get(run.op, "-"), str(run.steps_ahead)],
                            env=_env(run.point), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def watch() -> None:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.strip() == "ready" and run.kill_after is not None:
                time.sleep(run.kill_after)
                try:
                    proc.send_signal(signal.SIGKILL)  # this test's own child, by its id
                except ProcessLookupError:
                    pass
        run.output = "".join(lines)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return proc, watcher


def run_all(runs: list[Run], recovery_key: str, parallel: int = 8) -> None:
    """Run the drivers, ``parallel`` at a time (each on its own copy of the installation)."""
    for i in range(0, len(runs), parallel):
        started = [(run, *_start(run, recovery_key)) for run in runs[i:i + parallel]]
        for run, proc, watcher in started:
            run.returncode = proc.wait(timeout=120)
            watcher.join(timeout=10)


# ---- what must hold after a kill --------------------------------------------------------------------------
def _opens(slots: KeySlots, username: str, password: str) -> bool:
    try:
        slots.unlock_with_password(username, password)
        return True
    except WrongSecret:
        return False


def _slot_copies(root: Path) -> list[tuple[Path, KeySlots]]:
    """Every slot list in any JSON file of the data folder (the slot file, a journal, a temp file)."""
    found = []
    install_id = json.loads((root / "install.json").read_text(encoding="utf-8"))["installation_id"]
    for path in root.rglob("*"):
        if not path.is_file() or path.suffix not in (".json", ".tmp"):
            continue
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        for key in ("slots", "before", "after"):
            if isinstance(raw, dict) and isinstance(raw.get(key), list):
                found.append((path, KeySlots(path, install_id, [Slot.from_json(s) for s in raw[key]])))
    return found


def _audit_entries(vault: Vault, action: str) -> list[AuditEntry]:
    return vault.transact(lambda db: list(db.scalars(select(AuditEntry).where(AuditEntry.action == action))))


def check_agreement(run: Run, recovery_key: str, first: tuple[str, str] | None = None) -> bool:
    """Open the installation again and check that slots and database agree; returns whether the
    change committed. ``first``: who signs in first (whose unlock reconciles), auditor by default."""
    root, op = run.root, run.op
    vault = Vault.open(root)
    try:
        name, password = first or ("auditor", PASSWORDS["auditor"])
        vault.sign_in(name, password)
        assert not (root / "keyslots.intent.json").exists(), "the unlock must reconcile the journal"
        assert not temp_files_of(root / "keyslots.json") and not temp_files_of(root / "keyslots.intent.json")
        report = check_slots(vault)
        assert report.ok and not report.warnings, [p.text.en for p in report.result.problems]
        assert vault.transact(audit.verify).ok
        slots = vault.load_slots()
        if op == "disable":
            teller = vault.transact(lambda db: users_repo.by_username(db, "teller"))
            committed = bool(_audit_entries(vault, "user.disabled"))
            assert committed == (not teller.active)
            assert _opens(slots, "teller", PASSWORDS["teller"]) == (not committed)
            if committed:  # no copy anywhere in the data folder still opens for them
                for path, copy in _slot_copies(root):
                    assert not _opens(copy, "teller", PASSWORDS["teller"]), f"{path.name} opens for teller"
        elif op == "passwd":
            committed = bool(_audit_entries(vault, "user.password_changed"))
            assert _opens(slots, "teller", NEW_TELLER) == committed
            assert _opens(slots, "teller", PASSWORDS["teller"]) == (not committed)
        elif op == "create":
            clerk = vault.transact(lambda db: users_repo.by_username(db, "clerk"))
            committed = bool(_audit_entries(vault, "user.created")[4:])  # the demo's four users come first
            assert committed == (clerk is not None)
            assert _opens(slots, "clerk", CLERK) == committed
        elif op == "recover":
            committed = bool(_audit_entries(vault, "recovery.used"))
            assert _opens(slots, "admin", NEW_ADMIN) == committed
            assert _opens(slots, "admin", PASSWORDS["admin"]) == (not committed)
            secret = parse_recovery_key(recovery_key)
            assert secret is not None
            try:
                slots.unlock_with_recovery(secret)
                old_key_opens = True
            except WrongSecret:
                old_key_opens = False
            assert old_key_opens == (not committed)
        else:
            raise AssertionError(op)
        return committed
    finally:
        vault.close()


def _copy(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


def _kill_at(cases: list[tuple[str, str]], template: Path, recovery_key: str, tmp_path: Path) -> None:
    runs = [Run(op, _copy(template, tmp_path / f"{op}-{i}"), point) for i, (op, point) in enumerate(cases)]
    run_all(runs, recovery_key)
    for run in runs:
        assert run.point is not None
        assert run.returncode == -signal.SIGKILL, f"{run.point}: not killed ({run.returncode}): {run.output}"
        assert "ready" in run.output and "done" not in run.output
        committed = check_agreement(run, recovery_key)
        assert committed == expected_commit(run.op, run.point), (run.op, run.point)


# ---- the default run: a handful of kills (the slow run has every point of every change) -------------------
# The first kill of every default-run case, all started at once (each start-up costs about a second).
FIRST_KILLS = {
    "passwd-union-temp-left": ("passwd", "atomic.before_rename:keyslots.json"),
    "disable-committed": ("disable", "slots.committed"),
    "disable-committed-reconcile-killed": ("disable", "slots.committed"),
    "passwd-union-uncommitted": ("passwd", "slots.union_written"),
    "passwd-union-committed": ("passwd", "slots.committed"),
}


@pytest.fixture(scope="module")
def killed(demo_template, tmp_path_factory) -> dict[str, Run]:
    template, recovery_key = demo_template
    root = tmp_path_factory.mktemp("killed")
    runs = {name: Run(op, _copy(template, root / name), point) for name, (op, point) in FIRST_KILLS.items()}
    run_all(list(runs.values()), recovery_key, parallel=len(runs))
    for name, run in runs.items():
        assert run.returncode == -signal.SIGKILL, f"{name}: not killed ({run.returncode}): {run.output}"
        assert "ready" in run.output and "done" not in run.output
    return runs


def test_a_temp_file_left_by_a_kill_is_cleared(killed, demo_template):
    """Killed while writing the union (its temp file holds both of the teller's slots): rolled back,
    and the temp file goes. Every point of every change: the slow run."""
    run = killed["passwd-union-temp-left"]
    assert temp_files_of(run.root / "keyslots.json")
    assert run.point is not None
    assert check_agreement(run, demo_template[1]) == expected_commit(run.op, run.point)


def test_disable_killed_after_its_commit_is_finished_by_the_next_run(killed, demo_template):
    """The finding: killed right after the commit, the disabled user's slot stayed, and disabling
    again said it worked and left it. Now the next run's sign-in finishes the disable."""
    first = killed["disable-committed"]
    assert _opens(Vault.open(first.root).load_slots(), "teller", PASSWORDS["teller"])  # the window itself
    again = Run("disable", first.root, steps_ahead=1)
    run_all([again], demo_template[1])
    assert again.returncode == 0, again.output
    assert not _opens(Vault.open(first.root).load_slots(), "teller", PASSWORDS["teller"])
    assert check_agreement(again, demo_template[1])
    vault = Vault.open(first.root)
    with pytest.raises(AuthError):
        vault.sign_in("teller", PASSWORDS["teller"])
    assert not vault.unlocked


@pytest.mark.parametrize("name, committed", [("passwd-union-uncommitted", False), ("passwd-union-committed", True)])
def test_the_password_that_only_opened_the_unfinished_change_is_refused(name, committed, killed, demo_template):
    """Between writing the new slot and dropping the old one both passwords open the key; the
    sign-in that reconciles checks its password again against the slots as reconciled."""
    run = killed[name]
    wrong, right = (PASSWORDS["teller"], NEW_TELLER) if committed else (NEW_TELLER, PASSWORDS["teller"])
    assert _opens(Vault.open(run.root).load_slots(), "teller", wrong)  # the union: both open for now
    vault = Vault.open(run.root)
    with pytest.raises(AuthError) as err:
        vault.sign_in("teller", wrong)
    assert err.value.code == "bad_credentials"
    assert not vault.unlocked
    assert check_agreement(run, demo_template[1], first=("teller", right)) == committed


def test_a_killed_reconcile_is_reconciled_again(killed, demo_template):
    run = killed["disable-committed-reconcile-killed"]
    for point in RECONCILE_POINTS:  # the next sign-in is killed while it reconciles, twice
        reconcile = Run("sign_in", run.root, point)
        run_all([reconcile], demo_template[1])
        assert reconcile.returncode == -signal.SIGKILL, reconcile.output
    assert check_agreement(run, demo_template[1])


def test_a_failed_commit_leaves_neither_slots_nor_journal(demo_vault, demo_dir):
    """A change whose commit fails after its journal and its new slot were written is undone at once."""
    us = demo_vault.sign_in("teller", PASSWORDS["teller"])
    before = (demo_dir / "keyslots.json").read_bytes()

    def refuse(session):
        raise RuntimeError("commit refused")

    def change(db, slots):
        audit.append(db, us.actor, "user.password_changed", "user", us.user_id, {"slot_op": slots.op_id})
        demo_vault.grant_password(slots, us.user_id, us.username, NEW_TELLER)
        event.listen(db, "before_commit", refuse)  # the commit itself fails
    with pytest.raises(RuntimeError, match="commit refused"):
        demo_vault.transact_with_slots(change)
    assert (demo_dir / "keyslots.json").read_bytes() == before
    assert not (demo_dir / "keyslots.intent.json").exists()
    assert not _audit_entries(demo_vault, "user.password_changed")
    assert check_slots(demo_vault).ok


def test_a_slot_change_without_its_audit_entry_is_refused(demo_vault, demo_dir):
    us = demo_vault.sign_in("teller", PASSWORDS["teller"])
    before = (demo_dir / "keyslots.json").read_bytes()
    with pytest.raises(RuntimeError):
        demo_vault.transact_with_slots(lambda db, slots: demo_vault.grant_password(
            slots, us.user_id, us.username, NEW_TELLER))
    assert (demo_dir / "keyslots.json").read_bytes() == before


def test_two_unlocks_at_once_do_not_hang(demo_dir):
    """Two Argon2id derivations at once hang the process (cryptography 50 on OpenSSL 4.0); a sign-in
    on a worker thread while the database writer wraps a slot must not freeze the application."""
    script = (
        "import sys, threading\n"
        "from counterdesk.services.auth.vault import Vault\n"
        "slots = Vault.open(sys.argv[1]).load_slots()\n"
        "threads = [threading.Thread(target=slots.unlock_with_password, args=pair)\n"
        "           for pair in (('teller', sys.argv[2]), ('auditor', sys.argv[3]))]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print('both unlocked')\n")
    done = subprocess.run([sys.executable, "-c", script, str(demo_dir), PASSWORDS["teller"], PASSWORDS["auditor"]],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "both unlocked", done.stderr


# ---- verify's part: check_slots ------------------------------------------------------------------------------
def _problems(vault: Vault) -> dict[str, str]:
    return {p.code: p.severity for p in check_slots(vault).result.problems}


def test_check_slots_is_clean_on_a_fresh_installation(demo_vault, sign_in):
    sign_in("auditor")
    result = check_slots(demo_vault)
    assert result.ok and not result.result.problems
    assert result.name == "key_slots" and result.notes


def test_check_slots_reports_the_slot_of_a_disabled_user_and_disabling_again_removes_it(demo_vault, demo_dir,
                                                                                         sign_in):
    """A slot left by an older version's interrupted disable: verify says so, and disable removes it."""
    raw = json.loads((demo_dir / "keyslots.json").read_text(encoding="utf-8"))
    us = sign_in("admin")
    teller = next(u for u in accounts.list_users(demo_vault, us) if u.username == "teller")
    accounts.disable_user(demo_vault, us, teller.user_id)
    assert _problems(demo_vault) == {}
    (demo_dir / "keyslots.json").write_text(json.dumps(raw), encoding="utf-8")  # the old file, slot and all
    assert _problems(demo_vault) == {"disabled_user": "error"}
    accounts.disable_user(demo_vault, us, teller.user_id)
    assert _problems(demo_vault) == {}
    assert not _opens(demo_vault.load_slots(), "teller", PASSWORDS["teller"])
    assert _audit_entries(demo_vault, "user.slot_removed")


def test_check_slots_reports_slots_without_users_users_without_slots_and_unfinished_changes(demo_vault, demo_dir,
                                                                                             sign_in):
    sign_in("auditor")
    path = demo_dir / "keyslots.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    teller = next(s for s in raw["slots"] if s.get("username") == "teller")
    stranger = dict(teller, user_id="00000000-0000-4000-8000-000000000000", username="stranger",
                    slot_id="user:00000000-0000-4000-8000-000000000000")
    path.write_text(json.dumps(dict(raw, slots=[s for s in raw["slots"] if s is not teller] + [stranger])),
                    encoding="utf-8")
    assert _problems(demo_vault) == {"no_user": "error", "no_slot": "warning"}
    path.write_text(json.dumps(raw), encoding="utf-8")
    (demo_dir / ".keyslots.json.abc123.tmp").write_text(json.dumps(raw), encoding="utf-8")
    (demo_dir / "keyslots.intent.json").write_text("{}", encoding="utf-8")
    assert _problems(demo_vault) == {"unfinished": "error", "leftover_copies": "error"}


# ---- the slow run: every point of every change, and a hundred kills at random ---------------------------
@pytest.mark.slow
@pytest.mark.parametrize("op", ["disable", "passwd", "create", "recover"])
def test_killed_at_every_step_slots_and_database_agree(op, demo_template, tmp_path):
    _kill_at([(op, point) for point in POINTS], *demo_template, tmp_path)


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_a_hundred_random_kills(demo_template, tmp_path):
    template, recovery_key = demo_template
    rng = random.Random(int(os.environ.get("COUNTERDESK_KILL_SEED", "0")) or None)
    ops = ["disable", "passwd", "create", "recover"]
    kills = iterations = 0
    kinds = {"at a crash point": 0, "from outside": 0, "while reconciling": 0}
    outcomes: dict[tuple[str, bool], int] = {}
    started = time.monotonic()
    while kills < 100:
        assert iterations < 300, "too few runs were actually killed"
        batch = []
        for _ in range(8):
            iterations += 1
            run = Run(rng.choice(ops), _copy(template, tmp_path / f"k{iterations}"))
            if rng.random() < 0.5:
                run.point = rng.choice(POINTS)
            else:
                # From outside, anywhere in the change: a disable takes milliseconds, a new slot a
                # memory-hard derivation (tenths of a second).
                run.kill_after = rng.uniform(0.0, rng.choice([0.05, 0.5]))
            batch.append(run)
        run_all(batch, recovery_key)
        for run in batch:
            if run.returncode == -signal.SIGKILL:
                kinds["at a crash point" if run.point else "from outside"] += 1
        # Now and then the sign-in that reconciles is itself killed.
        again = [Run("sign_in", run.root, rng.choice(RECONCILE_POINTS)) for run in batch if rng.random() < 0.25]
        run_all(again, recovery_key)
        kinds["while reconciling"] += sum(run.returncode == -signal.SIGKILL for run in again)
        kills = sum(kinds.values())
        for run in batch:
            assert run.returncode in (0, -signal.SIGKILL), run.output
            committed = check_agreement(run, recovery_key)
            if run.returncode == 0:
                assert committed, run.output
            if run.point is not None:
                assert committed == expected_commit(run.op, run.point), (run.op, run.point)
            outcomes[(run.op, committed)] = outcomes.get((run.op, committed), 0) + 1
            shutil.rmtree(run.root)
    elapsed = time.monotonic() - started
    print(f"\n{kills} kills ({kinds}) in {iterations} runs, {elapsed:.0f} s; "
          f"(change, committed): {sorted(outcomes.items())}")
    assert kills >= 100
