"""SQLCipher engine: the whole database file, its WAL and its journal are encrypted page by page.

The 256-bit key is given raw (x'..'), so SQLCipher skips its own PBKDF2: the slow, memory-hard
step is the Argon2id unwrap of the key slot, done once per sign-in.

The file is created 0600 here, before SQLite opens it, whatever the process umask: SQLite then
gives its -wal, -shm and -journal files the database file's own mode.
"""
from __future__ import annotations

import os
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from counterdesk.base.atomicfile import PRIVATE_FILE, make_private
from counterdesk.base.text import CounterDeskError, Text

BUSY_TIMEOUT_MS = 10_000


class DatabaseError(CounterDeskError):
    code = "database"


DB_DAMAGED = Text("数据库文件已损坏或不是本安装的数据库，无法打开。请从备份恢复；未做任何更改。",
                  "The database file is damaged or does not belong to this installation and cannot be opened. "
                  "Restore it from a backup; nothing was changed.")
DB_FULL = Text("磁盘空间不足，本次操作未保存，已有数据保持不变。请释放空间后重试。",
               "The disk is full: this change was not saved and existing data is unchanged. Free space and retry.")


def _apply_pragmas(conn, key: bytes | None) -> None:
    cur = conn.cursor()
    # SQLCipher writes page errors to stderr itself; the product reports them as db_damaged and through
    # the integrity check, so its raw lines would only be noise in front of the user's message.
    cur.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        cur.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    # Temp tables and sort spills stay in memory, never in unencrypted temp files.
    cur.execute("PRAGMA temp_store = MEMORY")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


JOURNAL_SUFFIXES = ("-wal", "-shm", "-journal")


def _private_files(path: Path) -> None:
    """Create the database file private if it is new; tighten it and its journals if an older
    version or another tool left them readable to others."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)
    except OSError:
        return  # a missing folder or no permission: SQLite reports it in its own words
    try:
        make_private(fd)
    finally:
        os.close(fd)
    for suffix in JOURNAL_SUFFIXES:
        make_private(Path(f"{path}{suffix}"))


def connect_raw(path: Path, key: bytes | None):
    """A DB-API connection with the key applied (key None: a plain SQLite file, for comparisons)."""
    _private_files(Path(path))
    conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        _apply_pragmas(conn, key)
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise DatabaseError(DB_DAMAGED, code="db_damaged", detail=str(exc)) from exc
    return conn


def make_engine(path: Path, key: bytes | None) -> Engine:
    engine = create_engine(
        "sqlite://", module=sqlcipher, creator=lambda: connect_raw(path, key),
        poolclass=QueuePool, pool_size=2, max_overflow=2, future=True,
    )

    # The driver runs in autocommit mode; SQLAlchemy issues BEGIN IMMEDIATE itself, so every
    # transaction takes the write lock up front and two processes never fork the audit chain.
    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def check_readable(engine: Engine) -> None:
    """Fail with a clear message if the key is wrong or the file is damaged."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
    except DatabaseError:
        raise
    except Exception as exc:  # sqlcipher raises DatabaseError("file is not a database") here
        raise DatabaseError(DB_DAMAGED, code="db_damaged", detail=str(exc)) from exc


def integrity_problems(engine: Engine) -> list[str]:
    """Page-level HMAC check (SQLCipher) plus SQLite's structural check; empty when healthy."""
    problems: list[str] = []
    with engine.connect() as conn:
        for row in conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall():
            problems.append(f"cipher: {row[0]}")
        try:
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        except Exception as exc:  # a page that fails its HMAC stops the walk with an error
            rows = [f"check could not complete: {getattr(exc, 'orig', exc) or type(exc).__name__}"]
            conn.invalidate()  # SQLCipher keeps the codec error on this connection: do not reuse it
        if rows != ["ok"]:
            problems.extend(f"sqlite: {r}" for r in rows)
    return problems


def is_damaged(exc: BaseException) -> bool:
    """SQLite's "corrupt" answers, which SQLCipher also gives for a page that fails its HMAC."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "database disk image is malformed" in text or "file is not a database" in text


def is_disk_full(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "database or disk is full" in text or "no space left" in text
