"""What the windows share, passed in explicitly (no global singletons)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from counterdesk.session import UserSession
from counterdesk.ui.resources import Languages


@dataclass
class AppContext:
    data_dir: Path
    demo: bool
    languages: Languages
    vault: object | None = None  # counterdesk.vault.Vault once the installation exists
    user: UserSession | None = None
    extra: dict = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.languages.lang
