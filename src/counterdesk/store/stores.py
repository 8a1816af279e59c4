"""Which engines are the workstation's SQLCipher store: the outbox and the records ledger hook every
ORM session of the process, and must leave alone any other database (the hub's in tests, a plain
SQLite file). Only positive answers are remembered, per engine and table, because a migration may
add the table later."""
from __future__ import annotations

import threading
import weakref

from sqlalchemy.engine import Connection, Engine

_known: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def table_exists(conn: Connection, table: str) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).first() \
        is not None


def is_store_with(conn: Connection, table: str, engine: Engine | None = None) -> bool:
    """True when ``conn`` is a connection to the SQLCipher store and it has ``table``."""
    engine = engine or conn.engine
    if engine.dialect.name != "sqlite":
        return False
    if table in _known.get(engine, ()):
        return True
    dbapi = getattr(engine.dialect, "loaded_dbapi", None) or getattr(engine.dialect, "dbapi", None)
    if dbapi is None or not getattr(dbapi, "__name__", "").startswith("sqlcipher3"):
        return False
    found = table_exists(conn, table)
    if found:
        with _lock:
            _known.setdefault(engine, set()).add(table)
    return found
