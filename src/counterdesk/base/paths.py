"""Where things live: bundled resources and the per-installation data folder.

The data folder is private whatever the caller's umask: folders 0700, files 0600 (the store creates
its own files so, and ``DataDir.secure`` tightens what an older version or another tool left).
"""
from __future__ import annotations

import os
from pathlib import Path

from counterdesk.base.atomicfile import PRIVATE_FILE, make_private

PRIVATE_DIR = 0o700

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/counterdesk


def resources_dir() -> Path:
    """The project's resources/ folder (fonts, translations, samples)."""
    override = os.environ.get("COUNTERDESK_RESOURCES")
    if override:
        return Path(override)
    return PACKAGE_DIR.parent.parent / "resources"


def font_path() -> Path:
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def default_data_dir() -> Path:
    override = os.environ.get("COUNTERDESK_DATA")
    if override:
        return Path(override)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "counterdesk"


class DataDir:
    """The files of one installation. Only install.json and the key-slot file are readable before
    sign-in; neither holds personal data."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    @property
    def install_file(self) -> Path:
        return self.root / "install.json"

    @property
    def keyslot_file(self) -> Path:
        return self.root / "keyslots.json"

    @property
    def keyslot_intent_file(self) -> Path:
        """The journal of a key-slot change in progress (services/auth/slot_journal.py)."""
        return self.root / "keyslots.intent.json"

    @property
    def keyslot_lock_file(self) -> Path:
        return self.root / "keyslots.lock"

    @property
    def auth_state_file(self) -> Path:
        return self.root / "auth-state.json"

    @property
    def lock_files(self) -> tuple[Path, ...]:
        """The empty files flock()ed to serialise processes (the key slots, the sign-in counters)."""
        return self.keyslot_lock_file, self.auth_state_file.with_suffix(".lock")

    @property
    def database(self) -> Path:
        return self.root / "counterdesk.db"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        self.log_dir.mkdir(exist_ok=True, mode=PRIVATE_DIR)
        self.secure()

    def secure(self) -> None:
        """Make the folder, its sub-folders and their files private to the owner (two levels deep:
        the store keeps nothing deeper). Cheap: a handful of stat calls when all is as it should be."""
        if not self.root.is_dir():
            return
        make_private(self.root, PRIVATE_DIR)
        for child in self.root.iterdir():
            if child.is_symlink():
                continue  # never follow a link out of the data folder
            if child.is_dir():
                make_private(child, PRIVATE_DIR)
                for grandchild in child.iterdir():
                    if not grandchild.is_symlink():
                        make_private(grandchild, PRIVATE_DIR if grandchild.is_dir() else PRIVATE_FILE)
            else:
                make_private(child, PRIVATE_FILE)

    def prepare_locks(self) -> None:
        """Create the lock files, empty and private, so that whoever opens one later (with the
        umask's mode) finds it so."""
        for lock in self.lock_files:
            try:
                os.close(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE))
            except OSError:
                pass  # a read-only folder: nothing will be locked or written there either
