"""Serving the hub: N uvicorn worker processes, a read timeout for slow or half-open clients, and the
PostgreSQL connection budget of the workers.

Every worker builds its own app from the environment (``app_from_environment``); they share nothing
in memory that matters: records, nonces, rate limits and long-poll wake-ups (LISTEN/NOTIFY) all go
through PostgreSQL, so workers, and hosts behind a load balancer, can be added freely.
"""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

from counterdesk.hub.app import create_app
from counterdesk.hub.db import DEFAULT_POOL_SIZE, LISTEN_CONNECTIONS
from counterdesk.hub.tsa import configure as configure_tsa
from counterdesk.hub.tsa import load_tsa

ENV_URL = "COUNTERDESK_HUB_DATABASE_URL"
ENV_TSA_DIR = "COUNTERDESK_HUB_TSA_DIR"
ENV_POOL = "COUNTERDESK_HUB_DB_POOL"
DEFAULT_READ_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5
DEFAULT_RESERVE = 10  # connections left for the admin CLI, migrations, monitoring, psql
_READ_TIMEOUT_ATTR = "counterdesk_read_timeout"


def app_from_environment() -> FastAPI:
    """The app factory each worker process calls (uvicorn ``factory=True``)."""
    app = create_app(os.environ[ENV_URL], pool_size=int(os.environ.get(ENV_POOL, DEFAULT_POOL_SIZE)))
    tsa_dir = os.environ.get(ENV_TSA_DIR)
    if tsa_dir:
        configure_tsa(app, load_tsa(Path(tsa_dir)))
    return app


class _ReadDeadline:
    """A deadline for receiving each request, head and body, for uvicorn's HTTP protocols.

    uvicorn times out only an idle keep-alive connection after a response; a connection that never
    sends a byte, or sends part of a request head or body and stops (slowloris, a half-open socket),
    would stay open for ever. Here the whole request must arrive within the read timeout of the
    moment the connection opened or the previous response ended; the time the app then takes (a
    long poll waits up to 30 s) is not limited.
    """

    # the attributes and methods of uvicorn's protocol classes this mixes into
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any

    def __init__(self, config, server_state, app_state, _loop=None) -> None:
        super().__init__(config, server_state, app_state, _loop)  # type: ignore[call-arg]
        self.read_timeout = float(getattr(config, _READ_TIMEOUT_ATTR, DEFAULT_READ_TIMEOUT_S))
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.read_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _waiting_for_client(self) -> bool:
        cycle = self.cycle
        return cycle is None or cycle.response_complete or cycle.more_body

    def _expired(self) -> None:
        self._deadline = None
        if self._waiting_for_client() and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        if not self._waiting_for_client():
            self._disarm()  # the request is in; the app's time is not the client's

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]


class GuardedHttpToolsProtocol(_ReadDeadline, HttpToolsProtocol):
    """uvicorn's httptools protocol (a C parser; h11, uvicorn's pure-Python one, cost more CPU per
    request) with the read deadline."""


@dataclass(frozen=True)
class Budget:
    """PostgreSQL connections: what the workers may open against what the server allows."""

    workers: int
    per_worker: int
    max_connections: int
    superuser_reserved: int
    reserve: int

    @property
    def needed(self) -> int:
        return self.workers * self.per_worker

    @property
    def allowed(self) -> int:
        return self.max_connections - self.superuser_reserved - self.reserve

    @property
    def fits(self) -> bool:
        return self.needed <= self.allowed

    def describe(self) -> str:
        return (f"{self.workers} worker(s) x {self.per_worker} connections ({self.per_worker - LISTEN_CONNECTIONS} "
                f"pooled + {LISTEN_CONNECTIONS} LISTEN) = {self.needed}; PostgreSQL allows {self.allowed} "
                f"(max_connections {self.max_connections} - superuser_reserved_connections "
                f"{self.superuser_reserved} - reserve {self.reserve})")


def connection_budget(engine: Engine, workers: int, pool_size: int, reserve: int = DEFAULT_RESERVE) -> Budget | None:
    """The budget on PostgreSQL; None on SQLite (one file, one process)."""
    if engine.url.get_backend_name() != "postgresql":
        return None
    with engine.connect() as conn:
        max_connections = int(conn.execute(text("SHOW max_connections")).scalar_one())
        reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar_one())
        # PostgreSQL 16 adds reserved_connections (for pg_use_reserved_connections roles).
        extra = conn.execute(text("SELECT setting FROM pg_settings WHERE name = 'reserved_connections'")).scalar()
    return Budget(workers, pool_size + LISTEN_CONNECTIONS, max_connections, reserved + int(extra or 0), reserve)


def run(*, database_url: str, host: str, port: int, workers: int, pool_size: int, certfile: str | None,
        keyfile: str | None, tsa_dir: Path | None, read_timeout_s: float, access_log: bool = True) -> bool:
    """Serve until interrupted: one process, or uvicorn's supervisor with ``workers`` processes on one
    socket (it restarts a worker that dies). False if a single process failed to start."""
    os.environ[ENV_URL] = database_url
    os.environ[ENV_POOL] = str(pool_size)
    if tsa_dir is not None:
        os.environ[ENV_TSA_DIR] = str(tsa_dir)
    else:
        os.environ.pop(ENV_TSA_DIR, None)
    config = uvicorn.Config("counterdesk.hub.serve:app_from_environment", factory=True, host=host, port=port,
                            workers=workers, http=GuardedHttpToolsProtocol, loop="auto", ssl_certfile=certfile,
                            ssl_keyfile=keyfile, timeout_keep_alive=KEEP_ALIVE_S, timeout_graceful_shutdown=3,
                            log_level="info",
                            access_log=access_log)
    setattr(config, _READ_TIMEOUT_ATTR, read_timeout_s)
    server = uvicorn.Server(config)
    try:
        if workers > 1:
            sock = config.bind_socket()
            Multiprocess(config, sockets=[sock]).run()
            return True
        server.run()
    except KeyboardInterrupt:
        pass
    return server.started or workers > 1
