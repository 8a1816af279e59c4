"""One Alembic script directory (the workstation's or the hub's) and its revisions, so that both
schema modules read revisions the same way."""
from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine


class Scripts:
    def __init__(self, directory: Path, version_table: str | None = None):
        self.directory = directory
        self.version_table = version_table

    def config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(self.directory))
        return cfg

    def head_revision(self) -> str:
        head = ScriptDirectory.from_config(self.config()).get_current_head()
        if head is None:  # every shipped script directory has revisions: an empty one is a packaging error
            raise RuntimeError(f"no Alembic revisions in {self.directory}")
        return head

    def all_revisions(self) -> list[str]:
        """Every revision, oldest first."""
        script = ScriptDirectory.from_config(self.config())
        return [rev.revision for rev in reversed(list(script.walk_revisions()))]

    def current_revision(self, engine: Engine) -> str | None:
        opts = {"version_table": self.version_table} if self.version_table else {}
        with engine.connect() as conn:
            return MigrationContext.configure(conn, opts=opts).get_current_revision()
