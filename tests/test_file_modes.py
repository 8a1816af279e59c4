"""The store makes its files private itself (0600 files, 0700 folders), whatever the caller's umask:
through the core API, not only through the programs that set a umask of their own."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from counterdesk.base import logs
from counterdesk.services import accounts
from counterdesk.services.assessment.paper import save_pdf
from counterdesk.services.auth.vault import AuthError, Vault
from helpers.demo import PASSWORDS


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def _modes(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` (the folder itself included) with its mode."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in sorted(root.rglob("*")):
        found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def _loose(root: Path) -> dict[str, str]:
    modes = _modes(root)
    return {name: mode for name, mode in modes.items()
            if mode != ("0o700" if (root / name).is_dir() else "0o600")}


def test_the_data_folder_stays_private_from_set_up_through_normal_use(umask, tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    root.chmod(0o755)  # an installer created it open to everyone
    Vault.create_demo(root)[0].close()
    assert {"counterdesk.db", "keyslots.json", "install.json", "logs"} <= set(_modes(root))
    assert _loose(root) == {}

    vault = Vault.open(root)
    logs.setup(root / "logs", catch_uncaught=True)
    try:
        with pytest.raises(AuthError):
            vault.sign_in("auditor", "not-the-password-1")  # auth-state.json and its lock
        us = vault.sign_in("teller", PASSWORDS["teller"])
        vault.record(us, "probe.write", None, None, {"count": 1})
        accounts.change_own_password(vault, us, PASSWORDS["teller"], "Neue-Kasse-2027#")  # slots and journal
        save_pdf(root / "questionnaire.pdf", b"%PDF-1.7 probe")
        names = set(_modes(root))
        assert {"counterdesk.db-wal", "counterdesk.db-shm", "auth-state.json", "logs/counterdesk.log",
                "logs/crash.log"} <= names
        assert _loose(root) == {}  # while the database is open: its journals too
    finally:
        logs.shutdown()
        vault.close()
    assert _loose(root) == {}


def test_files_left_readable_by_an_older_version_are_tightened_at_start(demo_dir):
    root = demo_dir
    for path in (root, root / "logs"):
        path.chmod(0o755)
    for name in ("counterdesk.db", "keyslots.json", "install.json"):
        (root / name).chmod(0o644)
    Vault.open(root)
    assert _loose(root) == {}
