"""What the windows share, passed in explicitly (no global singletons)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from counterdesk.base.actors import SignedInUser
from counterdesk.services.auth.vault import Vault
from counterdesk.ui.widgets.resources import Languages


@dataclass
class AppContext:
    data_dir: Path
    demo: bool
    languages: Languages
    vault: Vault | None = None  # once the installation exists
    user: SignedInUser | None = None
    extra: dict = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.languages.lang
