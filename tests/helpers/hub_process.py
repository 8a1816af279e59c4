"""The hub as a real process for the sync tests: `counterdesk-hub serve` in a subprocess that can be
killed, stopped and started again on the same port and database, and reading what it stored."""
from __future__ import annotations

import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.hub import branches, enrolment
from counterdesk.hub.db import make_engine, session_factory
from counterdesk.hub.models import Record

BRANCH = "DEMO"  # the demo installation's branch code

# The hub of an older schema revision: the same app, served without the "schema at head" check that
# `counterdesk-hub serve` makes (the request path reads and writes nothing that 0002 added).
SERVE_ANY_SCHEMA = ("import sys, uvicorn; from counterdesk.hub.app import create_app; "
                    "uvicorn.run(create_app(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]), "
                    "log_level='warning')")


# ---- the hub as a process ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HubServer:
    """`counterdesk-hub serve` in a subprocess; it can be killed, stopped and started again on the same
    port and database. ``tls`` is (certificate, key) of `counterdesk-hub tls-demo`."""

    def __init__(self, database_url: str, log_dir: Path, port: int | None = None,
                 tls: tuple[Path, Path] | None = None, check_schema: bool = True):
        self.database_url, self.log_dir, self.tls, self.check_schema = database_url, Path(log_dir), tls, check_schema
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}" if self.tls else f"http://127.0.0.1:{self.port}"

    def verify(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else True

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 30.0) -> HubServer:
        assert not self.running
        self.starts += 1
        log = self.log_dir / f"hub-{self.port}-{self.starts}.log"
        if self.check_schema:
            cmd = [sys.executable, "-m", "counterdesk.hub.cli", "--database-url", self.database_url, "serve",
                   "--host", "127.0.0.1", "--port", str(self.port)]
            if self.tls:
                cmd += ["--certfile", str(self.tls[0]), "--keyfile", str(self.tls[1])]
        else:
            cmd = [sys.executable, "-c", SERVE_ANY_SCHEMA, self.database_url, str(self.port)]
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        verify = self.verify()
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"the hub exited with {self.proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{self.url}/v1/health", verify=verify, timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the hub did not start:\n{log.read_text()}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown, open connections and transactions just end."""
        if self.running:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """A graceful stop (Ctrl+C)."""
        if self.running:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def hub_sessions(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    try:
        with session_factory(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


def add_branch(database_url: str, code: str = BRANCH) -> None:
    with hub_sessions(database_url) as session:
        branches.add_branch(session, code, "演示支行")


def first_code(database_url: str, code: str = BRANCH) -> str:
    with hub_sessions(database_url) as session:
        return enrolment.new_first_code(session, code, 1)[0]


def hub_records(database_url: str, device_id: str | None = None) -> dict[str, int]:
    """{record id: seq} on the hub (one device's, or all)."""
    with hub_sessions(database_url) as session:
        q = select(Record.id, Record.seq)
        if device_id is not None:
            q = q.where(Record.device_id == uuid.UUID(device_id))
        return {str(rid): seq for rid, seq in session.execute(q)}


def hub_count(database_url: str) -> int:
    with hub_sessions(database_url) as session:
        return session.scalar(select(func.count()).select_from(Record))
