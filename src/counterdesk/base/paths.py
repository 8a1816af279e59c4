"""Where things live: bundled resources and the per-installation data folder."""
from __future__ import annotations

import os
from pathlib import Path

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
    def auth_state_file(self) -> Path:
        return self.root / "auth-state.json"

    @property
    def database(self) -> Path:
        return self.root / "counterdesk.db"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.log_dir.mkdir(exist_ok=True, mode=0o700)
