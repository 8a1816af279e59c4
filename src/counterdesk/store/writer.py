"""One writer: every database transaction runs on a single dedicated thread, in order.

Callers get a concurrent.futures.Future; the GUI turns its completion into a Qt signal so the UI
thread never waits on the disk. The CLI and tests may block on ``call``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from counterdesk.store import ledger, outbox
from counterdesk.store.engine import DB_DAMAGED, DB_FULL, DatabaseError, is_damaged, is_disk_full

T = TypeVar("T")


class Database:
    def __init__(self, engine: Engine):
        outbox.install()  # every write of a syncable row also writes its outbox record, in its transaction
        ledger.install()  # every write of a record that matters also appends its ledger entry, likewise
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._thread_ident: int | None = None
        self._closed = False

    def _run(self, fn: Callable[[Session], T]) -> T:
        self._thread_ident = threading.get_ident()
        try:
            with self._sessions() as session, session.begin():
                return fn(session)
        except OperationalError as exc:
            if is_disk_full(exc):
                raise DatabaseError(DB_FULL, code="disk_full", detail=str(exc.orig)) from exc
            raise
        except SADatabaseError as exc:
            if is_damaged(exc):
                # SQLCipher keeps a page error on the connection: drop the pooled connections.
                self.engine.dispose()
                raise DatabaseError(DB_DAMAGED, code="db_damaged", detail=str(exc.orig)) from exc
            raise
        except MemoryError as exc:
            # After a page fails its HMAC, SQLCipher can answer the next statement on that connection
            # with SQLITE_NOMEM, which the driver raises as a bare MemoryError: a damaged file, not
            # an exhausted machine (a statement of this application never needs much memory).
            self.engine.dispose()
            raise DatabaseError(DB_DAMAGED, code="db_damaged",
                                detail="sqlcipher: out of memory after a page error") from exc

    def submit(self, fn: Callable[[Session], T]) -> Future[T]:
        """Run ``fn(session)`` in one transaction on the writer thread."""
        if self._closed:
            raise RuntimeError("database is closed")
        return self._executor.submit(self._run, fn)

    def call(self, fn: Callable[[Session], T]) -> T:
        """Blocking form of ``submit`` for the CLI and worker threads (never from the writer itself)."""
        if threading.get_ident() == self._thread_ident:
            raise RuntimeError("nested database call on the writer thread")
        return self.submit(fn).result()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)
        self.engine.dispose()
