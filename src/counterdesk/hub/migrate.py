"""Hub schema upgrades with Alembic (own script location, own version table)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy.engine import Engine

from counterdesk.base.alembic_scripts import Scripts

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "hub_alembic_version"


class SchemaError(Exception):
    """The database is not at the schema this hub expects."""


_SCRIPTS = Scripts(MIGRATIONS_DIR, VERSION_TABLE)
_config = _SCRIPTS.config
head_revision = _SCRIPTS.head_revision
all_revisions = _SCRIPTS.all_revisions
current_revision = _SCRIPTS.current_revision


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the schema to ``target`` in one transaction; refuse a database from a newer hub."""
    current = current_revision(engine)
    if current is not None and current not in set(all_revisions()):
        raise SchemaError(f"this database was written by a newer hub (schema revision {current}); "
                          "update counterdesk-hub first. Nothing was changed.")
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def require_head(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaError(f"the hub database is at schema revision {current or 'none'}, not {head}; "
                          "run `counterdesk-hub upgrade` first.")
