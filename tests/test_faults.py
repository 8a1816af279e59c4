"""Faults: wrong secrets, damaged or missing files, a full disk. Each gives a clear, structured error
and leaves the user's files exactly as they were."""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from counterdesk.base.atomicfile import DiskFullError, write_bytes_atomic, write_json_atomic
from counterdesk.base.roles import Role
from counterdesk.base.text import CounterDeskError
from counterdesk.services import verification
from counterdesk.services.auth.installation import InstallationError
from counterdesk.services.auth.keyslots import KeySlotError
from counterdesk.services.auth.vault import AuthError, NewUser, Vault
from counterdesk.store.engine import DatabaseError
from helpers.demo import PASSWORDS, enrol_sign_in, totp_code


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _without_lock_files(snap: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in snap.items() if not k.endswith(".lock")}


# ---- secrets ------------------------------------------------------------------------------------

def test_wrong_password_changes_nothing_but_the_failure_counter(demo_vault, demo_dir):
    before = snapshot(demo_dir)
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("admin", "Guanli-2026?")
    assert err.value.code == "bad_credentials"
    assert err.value.message("en") == "Wrong username or password."
    after = snapshot(demo_dir)
    assert after.pop("auth-state.json")  # the failure is counted ...
    assert _without_lock_files(after) == _without_lock_files(before)  # ... and nothing else changed
    assert not demo_vault.unlocked


# ---- the database file ----------------------------------------------------------------------------

def _assert_db_damaged(vault: Vault, db: Path) -> DatabaseError:
    before = db.read_bytes()
    with pytest.raises(DatabaseError) as err:
        vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert err.value.code == "db_damaged"
    assert "damaged" in err.value.message("en") and "nothing was changed" in err.value.message("en")
    assert "损坏" in err.value.message("zh")
    assert db.read_bytes() == before, "the damaged file must be left exactly as it was"
    assert not vault.unlocked and vault.db is None
    return err.value


@pytest.mark.parametrize("fraction", [0.5, 0.1, 0.9])
def test_truncated_database_is_reported_and_untouched(demo_vault, demo_dir, fraction):
    db = demo_dir / "counterdesk.db"
    data = db.read_bytes()
    db.write_bytes(data[:int(len(data) * fraction)])
    _assert_db_damaged(demo_vault, db)
    # The sign-in itself was valid, so it does not count as a password failure.
    assert demo_vault.auth_state.status("admin").failures == 0


def test_garbage_database_is_reported_and_untouched(demo_vault, demo_dir):
    db = demo_dir / "counterdesk.db"
    db.write_bytes(os.urandom(64 * 1024))
    _assert_db_damaged(demo_vault, db)


def test_database_of_another_installation_is_reported(demo_vault, demo_dir, tmp_path):
    other = tmp_path / "other"
    Vault.initialise(other, "OTHER", "Other branch", NewUser("boss", "Boss", Role.ADMIN, "Andere-Bank-2027!"))
    (demo_dir / "counterdesk.db").write_bytes((other / "counterdesk.db").read_bytes())
    _assert_db_damaged(demo_vault, demo_dir / "counterdesk.db")


def test_empty_database_file_is_not_silently_recreated(demo_vault, demo_dir):
    db = demo_dir / "counterdesk.db"
    db.write_bytes(b"")
    with pytest.raises(CounterDeskError):
        demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert not demo_vault.unlocked


def test_missing_database_is_reported(demo_vault, demo_dir):
    (demo_dir / "counterdesk.db").unlink()
    with pytest.raises(DatabaseError) as err:
        demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert err.value.code == "db_missing"
    assert not (demo_dir / "counterdesk.db").exists()


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_damaged_page_gives_a_clear_error_or_a_failed_verify(demo_vault, demo_dir, where):
    """A flipped byte inside one page (not the header): sign-in may fail with db_damaged, or succeed
    when the page is not needed; then verify reports it. Never a raw driver error."""
    db = demo_dir / "counterdesk.db"
    data = bytearray(db.read_bytes())
    pages = len(data) // 4096
    page = {"first": 1, "middle": pages // 2, "last": pages - 1}[where]
    data[page * 4096 + 200] ^= 0xFF
    db.write_bytes(bytes(data))
    try:
        us = demo_vault.sign_in("auditor", PASSWORDS["auditor"])
    except DatabaseError as exc:
        assert exc.code == "db_damaged"
        assert "damaged" in exc.message("en")
        return
    finally:
        assert demo_vault.auth_state.status("auditor").failures == 0
    try:
        report = verification.verify(demo_vault, us)
    except DatabaseError as exc:
        assert exc.code == "db_damaged"
    else:
        assert not report.ok
        found = [p.text.en for p in report.check("database").errors]
        assert any(f"page {page + 1}" in p for p in found), found
    finally:
        demo_vault.close()


# ---- key slots and install.json ----------------------------------------------------------------

def test_missing_keyslots_file(demo_vault, demo_dir):
    (demo_dir / "keyslots.json").unlink()
    before = snapshot(demo_dir)
    with pytest.raises(KeySlotError) as err:
        demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert err.value.code == "keyslots_missing"
    assert "keyslots.json" in err.value.message("en") and "keyslots.json" in err.value.message("zh")
    assert _without_lock_files(snapshot(demo_dir)) == _without_lock_files(before)
    assert not (demo_dir / "keyslots.json").exists()


@pytest.mark.parametrize("content", [b"{ this is not json", b"", b"\xff\xfe\x00garbage", b"[]", b'{"format": 1}',
                                     b'{"format": "counterdesk-keyslots/1", "installation_id": "x", "slots": []}'])
def test_damaged_keyslots_file(demo_vault, demo_dir, content):
    (demo_dir / "keyslots.json").write_bytes(content)
    with pytest.raises(KeySlotError) as err:
        demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert err.value.code == "keyslots_damaged"
    assert (demo_dir / "keyslots.json").read_bytes() == content
    assert not demo_vault.unlocked


def test_keyslot_with_missing_fields_is_damaged(demo_vault, demo_dir):
    raw = json.loads((demo_dir / "keyslots.json").read_text(encoding="utf-8"))
    del raw["slots"][0]["wrapped"]
    (demo_dir / "keyslots.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(KeySlotError) as err:
        demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert err.value.code == "keyslots_damaged"


@pytest.mark.parametrize("content,code", [(b"{broken", "install_damaged"), (b"", "install_damaged"),
                                          (b"\x00\x01\x02", "install_damaged"), (b"[1, 2]", "install_format"),
                                          (b'{"format": "counterdesk-install/9"}', "install_format"),
                                          (b'{"format": "counterdesk-install/1"}', "install_damaged")])
def test_damaged_install_file(demo_dir, content, code):
    (demo_dir / "install.json").write_bytes(content)
    with pytest.raises(InstallationError) as err:
        Vault.open(demo_dir)
    assert err.value.code == code
    assert err.value.message("en") and err.value.message("zh")
    assert (demo_dir / "install.json").read_bytes() == content


def test_missing_install_file(tmp_path):
    with pytest.raises(InstallationError) as err:
        Vault.open(tmp_path / "nothing-here")
    assert err.value.code == "not_initialised"


# ---- a full disk --------------------------------------------------------------------------------

def test_disk_full_in_the_database_is_reported_and_earlier_data_survives(demo_vault):
    us = demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    demo_vault.transact(lambda s: (s.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB)")),
                                   s.execute(text("INSERT INTO notes (body) VALUES (x'00112233')"))))
    demo_vault.record(us, "probe.before_full", None, None, {"count": 1})
    audit_before = demo_vault.transact(lambda s: s.execute(text("SELECT count(*) FROM audit_log")).scalar())

    def fill(db):
        pages = db.execute(text("PRAGMA page_count")).scalar()
        db.execute(text(f"PRAGMA max_page_count = {pages}"))  # SQLite's own "disk" limit
        for _ in range(400):
            db.execute(text("INSERT INTO notes (body) VALUES (randomblob(4000))"))
    with pytest.raises(DatabaseError) as err:
        demo_vault.transact(fill)
    assert err.value.code == "disk_full"
    assert "disk is full" in err.value.message("en") and "磁盘空间不足" in err.value.message("zh")

    # The failed transaction left nothing behind; earlier data is intact.
    assert demo_vault.transact(lambda s: s.execute(text("SELECT count(*) FROM notes")).scalar()) == 1
    assert demo_vault.transact(lambda s: s.execute(text("SELECT count(*) FROM audit_log")).scalar()) == audit_before
    demo_vault.close()  # "space is freed": a new connection has no page limit

    us = demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    report = verification.verify(demo_vault, us)
    assert report.ok, report
    assert report.check("database").ok
    assert demo_vault.transact(lambda s: s.execute(text("SELECT body FROM notes")).scalars().all()) == \
        [bytes.fromhex("00112233")]
    demo_vault.record(us, "probe.after_full", None, None, {"count": 2})
    assert verification.verify(demo_vault, us).ok


@pytest.fixture
def small_tmpfs(tmp_path):
    """A real 64 KiB tmpfs, or skip when mounting is not permitted here."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mnt)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"mount not permitted: {res.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=False)


def test_atomic_write_on_a_full_disk_keeps_the_old_file(small_tmpfs):
    target = small_tmpfs / "keyslots.json"
    write_json_atomic(target, {"version": "old", "pad": "x" * 1000})
    old = target.read_bytes()
    with pytest.raises(DiskFullError) as err:
        write_bytes_atomic(target, b"n" * (256 * 1024))
    assert err.value.code == "disk_full"
    assert isinstance(err.value.__cause__, OSError) and err.value.__cause__.errno == errno.ENOSPC
    assert target.read_bytes() == old
    assert sorted(p.name for p in small_tmpfs.iterdir()) == ["keyslots.json"], "no temp file left behind"
    # With space available again, the write goes through.
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"


def test_atomic_write_on_a_read_only_filesystem_keeps_the_old_file(small_tmpfs):
    target = small_tmpfs / "install.json"
    write_bytes_atomic(target, b"old contents")
    subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], check=True)
    try:
        with pytest.raises(OSError) as err:
            write_bytes_atomic(target, b"new contents")
        assert err.value.errno == errno.EROFS
        assert not isinstance(err.value, DiskFullError)
        assert target.read_bytes() == b"old contents"
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_tmpfs)], check=True)
    assert sorted(p.name for p in small_tmpfs.iterdir()) == ["install.json"]


def test_atomic_write_into_a_read_only_directory_keeps_the_old_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions (covered by the read-only mount test)")
    target = tmp_path / "install.json"
    write_bytes_atomic(target, b"old contents")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OSError):
            write_bytes_atomic(target, b"new contents")
    finally:
        tmp_path.chmod(0o700)
    assert target.read_bytes() == b"old contents"


def test_atomic_write_failing_midway_keeps_the_old_file(tmp_path):
    """A write that fails halfway (file-size limit, EFBIG) in a separate process: old file intact."""
    target = tmp_path / "keyslots.json"
    write_bytes_atomic(target, b"old contents")
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from counterdesk.base.atomicfile import write_bytes_atomic
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16384, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        try:
            write_bytes_atomic({str(target)!r}, b"n" * 100000)
        except OSError as exc:
            print(type(exc).__name__, exc.errno)
            sys.exit(3)
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert res.returncode == 3, res.stderr
    assert res.stdout.split() == ["OSError", str(errno.EFBIG)]
    assert target.read_bytes() == b"old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyslots.json"]


def test_atomic_write_sets_private_permissions(tmp_path):
    target = tmp_path / "x.json"
    write_json_atomic(target, {"a": "中文"})
    assert (target.stat().st_mode & 0o777) == 0o600
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": "中文"}


# ---- set-up never overwrites --------------------------------------------------------------------

ADMIN = NewUser("chief", "Chief", Role.ADMIN, "Haupt-Chef-2027!")


def test_initialise_refuses_an_existing_installation(demo_dir):
    before = snapshot(demo_dir)
    with pytest.raises(CounterDeskError) as err:
        Vault.initialise(demo_dir, "NEW", "New branch", ADMIN)
    assert err.value.code == "already_initialised"
    assert "not be overwritten" in err.value.message("en")
    assert snapshot(demo_dir) == before


def test_initialise_refuses_a_folder_with_install_json(demo_dir):
    (demo_dir / "counterdesk.db").unlink()
    before = snapshot(demo_dir)
    with pytest.raises(CounterDeskError) as err:
        Vault.initialise(demo_dir, "NEW", "New branch", ADMIN)
    assert err.value.code == "already_initialised"
    assert snapshot(demo_dir) == before


def test_initialise_sets_an_unfinished_database_aside_and_never_overwrites_it(demo_dir):
    """A database without install.json (set-up stopped halfway): kept under another name, byte for byte."""
    (demo_dir / "install.json").unlink()
    old_db = (demo_dir / "counterdesk.db").read_bytes()
    old_slots = (demo_dir / "keyslots.json").read_bytes()
    assert Vault.partial_setup_left(demo_dir)
    vault, _ = Vault.initialise(demo_dir, "NEW", "New branch", ADMIN)
    kept = {p.name: p.read_bytes() for p in demo_dir.iterdir() if ".unfinished-" in p.name}
    assert old_db in kept.values() and old_slots in kept.values()
    assert (demo_dir / "counterdesk.db").read_bytes() != old_db
    us = enrol_sign_in(vault, "chief", ADMIN.password)
    assert verification.verify(vault, us).ok
    vault.close()


def test_initialise_validates_before_touching_the_disk(tmp_path):
    from counterdesk.base.text import ValidationFailed
    root = tmp_path / "fresh"
    with pytest.raises(ValidationFailed) as err:
        Vault.initialise(root, "bad code!", "", NewUser("x", "X", Role.TELLER, "short"),
                         (NewUser("x", "Y", Role.TELLER, "Gut-Genug-2027!"),))
    codes = {(p.field, p.code) for p in err.value.result.problems}
    assert {("branch_code", "format"), ("branch_name", "required"), ("username", "length"),
            ("password", "too_short"), ("username", "duplicate"), ("role", "admin_required")} <= codes
    assert not root.exists()


def test_initialise_replaces_a_stale_partial_database(tmp_path):
    root = tmp_path / "redo"
    root.mkdir()
    (root / "counterdesk.db.partial").write_bytes(b"left over from a crash")
    vault, recovery = Vault.initialise(root, "B1", "Branch 1", ADMIN)
    assert not (root / "counterdesk.db.partial").exists()
    assert sorted(p.name for p in root.iterdir()) == ["counterdesk.db", "install.json", "keyslots.json", "logs"]
    us = enrol_sign_in(vault, "chief", ADMIN.password)
    assert us.role is Role.ADMIN and verification.verify(vault, us).ok
    vault.close()


@pytest.mark.parametrize("command", [["verify"], ["users", "list"]])
def test_a_damaged_database_exits_2_with_one_clear_message_and_no_library_noise(demo_dir, command):
    """What the user sees on the terminal (fd 2 included, where SQLCipher itself would write) is the
    product's message alone, and the exit status says "a problem with the data" as documented."""
    db = demo_dir / "counterdesk.db"
    data = bytearray(db.read_bytes())
    for page in (0, 1):  # the schema pages: the database cannot even be opened
        data[page * 4096 + 200] ^= 0xFF
    db.write_bytes(bytes(data))
    env = {**os.environ, "COUNTERDESK_PASSWORD": PASSWORDS["admin"]}
    done = subprocess.run([sys.executable, "-c", "from counterdesk.cli.admin import run; run()", "--data-dir", str(demo_dir), "--lang", "en",
                           "--user", "admin", *command], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "damaged" in done.stderr and "nothing was changed" in done.stderr.lower()
    assert "hmac" not in done.stderr.lower() and "sqlcipher" not in done.stderr.lower()
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert db.read_bytes() == bytes(data)
