"""Privacy canary: personal data written through the real store never appears in clear on disk.

Canary values go in through every path the core offers (user display name, settings table, audit
details, a raw table in the encrypted database, the log); then every file of the data folder is
scanned byte by byte, in UTF-8, UTF-16 (both byte orders) and GBK, while the database is open
(WAL and shared memory present) and again after sign-out.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from counterdesk.base import logs
from counterdesk.services import accounts
from counterdesk.services.auth.vault import AuthError, Vault
from counterdesk.store import audit
from counterdesk.store.engine import connect_raw
from counterdesk.store.models.core import SettingValue
from helpers.demo import PASSWORDS, totp_code

NAME, ID_NUMBER, PHONE = "张三丰", "11010519491231002X", "13812345678"
CANARIES = (NAME, ID_NUMBER, PHONE)
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "gbk")


def _needles() -> dict[bytes, str]:
    needles = {}
    for canary in CANARIES:
        for variant in {canary, canary.lower()}:
            for enc in ENCODINGS:
                needles[variant.encode(enc)] = f"{variant!r} ({enc})"
    return needles


def find_canaries(root: Path) -> list[str]:
    """Every (file, canary, encoding) where a canary appears in clear."""
    hits = []
    needles = _needles()
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        blob = path.read_bytes()
        for needle, label in needles.items():
            if needle in blob:
                hits.append(f"{path.relative_to(root)}: {label}")
    return hits


@pytest.fixture
def file_log(demo_dir):
    logs.setup(demo_dir / "logs")
    yield logging.getLogger("counterdesk")
    root = logging.getLogger("counterdesk")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()


def test_scanner_finds_canaries_in_clear(tmp_path):
    """Positive control: the scan is not vacuous."""
    for enc in ENCODINGS:
        (tmp_path / f"plain-{enc}.txt").write_bytes(f"x {NAME} y".encode(enc))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ids.bin").write_bytes(b"\x00" + ID_NUMBER.lower().encode() + b"\x00" + PHONE.encode())
    hits = find_canaries(tmp_path)
    assert len([h for h in hits if NAME in h]) == len(ENCODINGS)
    assert any(ID_NUMBER.lower() in h for h in hits) and any(PHONE in h for h in hits)


def test_plain_sqlite_would_leak_the_same_rows(tmp_path):
    """Control: the same rows in an unencrypted SQLite file are found, so encryption is what hides them."""
    conn = connect_raw(tmp_path / "plain.db", None)
    conn.execute("CREATE TABLE t (name TEXT, id_number TEXT, phone TEXT)")
    conn.execute("INSERT INTO t VALUES (?, ?, ?)", CANARIES)
    conn.close()
    hits = find_canaries(tmp_path)
    assert any(NAME in h for h in hits) and any(ID_NUMBER in h for h in hits) and any(PHONE in h for h in hits)


def _write_canaries(vault: Vault, us, log: logging.Logger) -> None:
    # 1. A user's display name, through the accounts API.
    accounts.create_user(vault, us, "zsf.teller", NAME + "CANARY", "teller", "Kassen-Pass-2027!")
    # 2. Settings: a real setting change plus a raw settings row carrying the canaries.
    vault.set_setting(us, "ui.language", "en")

    def write(db):
        db.add(SettingValue(key="probe.canary", value=json.dumps(f"{NAME} {ID_NUMBER} {PHONE}",
                                                                       ensure_ascii=False),
                                 updated_at="2026-01-01T00:00:00+00:00", updated_by=us.user_id))
        # 3. Audit details: masked values (the allow-list refuses raw personal fields) and a display name.
        audit.append(db, us.actor, "customer.viewed", "customer", "c-1",
                     {"masked": "110***002X", "display_name": NAME + "CANARY", "field": "phone"})
        # 4. A table of personal data in the encrypted database, in several encodings.
        db.execute(text("CREATE TABLE IF NOT EXISTS canary_probe "
                             "(id INTEGER PRIMARY KEY, name TEXT, id_number TEXT, phone TEXT, blob BLOB)"))
        for i in range(300):
            db.execute(text("INSERT INTO canary_probe (name, id_number, phone, blob) VALUES (:n, :i, :p, :b)"),
                            {"n": f"{NAME}{i}", "i": ID_NUMBER, "p": PHONE,
                             "b": NAME.encode("utf-16-le") + NAME.encode("gbk") + ID_NUMBER.encode()})
        db.execute(text("CREATE INDEX IF NOT EXISTS ix_canary_id ON canary_probe (id_number)"))
    vault.transact(write)
    # 5. The log (second line of defence: the filter masks ID and phone numbers).
    log.warning("looked up customer id=%s phone=%s", ID_NUMBER, PHONE)
    log.getChild("store").info(f"id {ID_NUMBER}, tel {PHONE}; again {ID_NUMBER.lower()}")
    try:
        raise ValueError(f"bad record {ID_NUMBER} / {PHONE}")
    except ValueError:
        log.exception("write failed")


def _assert_written(vault: Vault) -> None:
    """The canaries really are in the database (read back through the key)."""
    def read(db):
        n = db.execute(text("SELECT count(*) FROM canary_probe WHERE id_number = :i"), {"i": ID_NUMBER}).scalar()
        dn = db.execute(text("SELECT display_name FROM users WHERE username = 'zsf.teller'")).scalar()
        return n, dn
    assert vault.transact(read) == (300, NAME + "CANARY")


def test_no_canary_on_disk_while_open_and_after_sign_out(demo_dir, file_log):
    vault = Vault.open(demo_dir)
    try:
        us = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
        _write_canaries(vault, us, file_log)
        _assert_written(vault)
        for handler in file_log.handlers:
            handler.flush()

        # While the database is open: WAL holds the recent pages.
        wal = demo_dir / "counterdesk.db-wal"
        assert wal.exists() and wal.stat().st_size > 4096
        assert find_canaries(demo_dir) == []

        log_text = (demo_dir / "logs" / "counterdesk.log").read_text(encoding="utf-8")
        assert "110***002X" in log_text and "138****5678" in log_text  # the log was really written
        assert "ValueError" in log_text

        vault.sign_out(us)
        assert not vault.unlocked
        assert find_canaries(demo_dir) == []

        # A second session reads it all back, then closes again: still nothing in clear.
        us = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
        _assert_written(vault)
        vault.sign_out(us)
        assert find_canaries(demo_dir) == []
        assert not any(p.name.endswith(("-journal", ".tmp")) for p in demo_dir.rglob("*"))
    finally:
        vault.close()


def test_personal_data_typed_into_the_username_field_is_not_stored(demo_dir):
    """A scanner or a slip of the hand puts an ID number, phone or name into the sign-in field:
    the failed attempts are counted, but the typed text must not land on disk in clear."""
    vault = Vault.open(demo_dir)
    try:
        for typed in (ID_NUMBER, PHONE, NAME, f"{NAME} {PHONE}"):
            with pytest.raises(AuthError) as err:
                vault.sign_in(typed, "Whatever-2026!")
            assert err.value.code in ("bad_credentials", "account_locked")
        assert (demo_dir / "auth-state.json").exists()
        assert find_canaries(demo_dir) == []
        # Pending failure events reach the (encrypted) audit log at the next sign-in ...
        us = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
        failed = vault.transact(lambda s: [e for e in audit.recent(s, 100) if e.action == "auth.sign_in_failed"])
        assert len(failed) == 4
        vault.sign_out(us)
        # ... and still nothing is in clear anywhere.
        assert find_canaries(demo_dir) == []
    finally:
        vault.close()
