"""Schema upgrades with Alembic, all in one transaction: a failed upgrade leaves the file as it was."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError

from counterdesk.base.alembic_scripts import Scripts
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.store.engine import DB_DAMAGED, DatabaseError, is_damaged

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaError(CounterDeskError):
    code = "schema"


_SCRIPTS = Scripts(MIGRATIONS_DIR)
_config = _SCRIPTS.config
head_revision = _SCRIPTS.head_revision
all_revisions = _SCRIPTS.all_revisions
current_revision = _SCRIPTS.current_revision


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the schema to ``target``; refuse a database written by a newer CounterDesk."""
    try:
        _upgrade(engine, target)
    except SADatabaseError as exc:
        if is_damaged(exc):
            raise DatabaseError(DB_DAMAGED, code="db_damaged", detail=str(exc.orig)) from exc
        raise


def _upgrade(engine: Engine, target: str) -> None:
    known = set(all_revisions())
    current = current_revision(engine)
    if current is not None and current not in known:
        raise SchemaError(Text(
            f"该数据库由更新版本的 CounterDesk 创建（架构版本 {current}），请先升级本程序。未做任何更改。",
            f"This database was written by a newer CounterDesk (schema revision {current}). "
            "Update the application first; nothing was changed."), code="schema_newer", detail=current)
    cfg = _config()
    with engine.connect() as conn:
        # Batch migrations on SQLite copy a table and drop the original; with foreign keys enforced
        # that DROP fails as soon as a row references another (users.created_by). SQLite ignores this
        # pragma inside a transaction, so it is set first; the references are re-checked before commit.
        raw = conn.connection.driver_connection
        assert raw is not None  # None only once the connection is closed or invalidated
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise SchemaError(Text("数据库升级后出现无效的引用，已撤销升级。未做任何更改。",
                                           "The schema upgrade left invalid references and was undone; "
                                           "nothing was changed."), code="schema_fk", detail=str(broken[:5]))
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
