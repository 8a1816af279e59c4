"""The hub's database: PostgreSQL in production, an SQLite file for the demo."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///./.counterdesk-hub/hub.db"
# PostgreSQL connections one hub process opens for requests (its thread pool waits for a free one);
# it opens one more to LISTEN for pushes (hub/wait.py). See `counterdesk-hub serve --db-pool`.
DEFAULT_POOL_SIZE = 10
LISTEN_CONNECTIONS = 1


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (psycopg2 is not installed)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    """At most ``pool_size`` connections (PostgreSQL), so that N workers stay within a known budget.

    No pre-ping: it cost a round trip per checkout, i.e. per request. After a PostgreSQL restart the
    first request on a stale connection fails with 503 ``unavailable`` (the client retries) and
    SQLAlchemy then drops every pooled connection of that worker at once.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=10)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    _serialise_sqlite_writers(engine)
    return engine


def _serialise_sqlite_writers(engine: Engine) -> None:
    """SQLite: WAL, and every transaction takes the write lock up front (``BEGIN IMMEDIATE``), so two
    pushes queue for the lock instead of failing, and sequence numbers commit in order."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def listen_conninfo(engine: Engine) -> str | None:
    """The libpq connection string for LISTEN (PostgreSQL), None for SQLite."""
    if engine.url.get_backend_name() != "postgresql":
        return None
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
