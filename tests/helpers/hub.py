"""Shared helpers and fixtures of the hub tests (a pytest plugin, see conftest): a real PostgreSQL
database per module, an in-process client, enrolled devices, encrypted records, a hub served over TLS.

The tests need PostgreSQL on 127.0.0.1:5432 (``scripts/postgres.sh`` starts it); when it is not
reachable they fail, they are never skipped.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import anyio.from_thread
import httpx
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from counterdesk.hub import branches, cli, enrolment, migrate
from counterdesk.hub.app import create_app
from counterdesk.hub.db import make_engine
from counterdesk.protocol.signing import branch_key_id, public_key_bytes, sign_request

PG_HOST = os.environ.get("COUNTERDESK_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("COUNTERDESK_TEST_PG_PORT", "5432"))
PG_USERS = [u for u in (os.environ.get("COUNTERDESK_TEST_PG_USER"), "postgres", "root") if u]


def _admin_connect() -> tuple[psycopg.Connection, str]:
    problems = []
    for user in PG_USERS:
        try:
            conn = psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname="postgres", autocommit=True,
                                   connect_timeout=5)
            return conn, user
        except psycopg.Error as exc:
            problems.append(f"{user}: {exc}".strip())
    pytest.fail(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT} (run scripts/postgres.sh): "
                + " | ".join(problems), pytrace=False)


@contextmanager
def pg_database(prefix: str = "cdhub") -> Iterator[str]:
    """A new, empty PostgreSQL database (its SQLAlchemy URL); dropped afterwards."""
    conn, user = _admin_connect()
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        conn, _user = _admin_connect()
        with conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def hub_url() -> Iterator[str]:
    """A PostgreSQL database at the hub's head revision, shared by the tests of one module."""
    with pg_database() as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def hub(hub_url) -> Iterator[Hub]:
    with Hub.started(hub_url) as started:
        yield started


# ---- an in-process hub and its client ------------------------------------------------------------

class Hub:
    """The app, its sessions and a synchronous client; requests may come from several threads."""

    def __init__(self, url: str, portal, client: httpx.AsyncClient, app):
        self.url, self.portal, self.client, self.app = url, portal, client, app
        self.sessions = app.state.sessions

    @classmethod
    @contextmanager
    def started(cls, url: str, **app_options: Any) -> Iterator[Hub]:
        app = create_app(url, **app_options)
        with anyio.from_thread.start_blocking_portal() as portal:
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")
            try:
                yield cls(url, portal, client, app)
            finally:
                portal.call(client.aclose)
                app.state.engine.dispose()

    def request(self, method: str, path: str, *, content: bytes | None = None, headers: dict | None = None,
                json_body: Any = None) -> httpx.Response:
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            headers = {"content-type": "application/json", **(headers or {})}
        return self.portal.call(lambda: self.client.request(method, path, content=content, headers=headers))

    # -- admin side (what the CLI does) --
    def add_branch(self, code: str | None = None, name: str = "测试支行") -> str:
        code = code or "T" + secrets.token_hex(4).upper()
        with self.sessions.begin() as session:
            branches.add_branch(session, code, name)
        return code

    def first_code(self, branch: str, hours: float = 24) -> str:
        with self.sessions.begin() as session:
            return enrolment.new_first_code(session, branch, hours)[0]

    def enrol(self, branch: str, code: str | None = None, **extra: Any) -> Device:
        """Enrol a new device with ``code`` (a fresh hub-made code when None). Test devices share the
        branch key of BRANCH_KEYS, so they offer its id once the branch has one."""
        device = Device.new(branch)
        if "branch_key_id" not in extra and branch in BRANCH_KEYS:
            extra["branch_key_id"] = branch_key_id(BRANCH_KEYS[branch])
        body = device.enrol_body(code or self.first_code(branch), **extra)
        res = self.request("POST", "/v1/enrol", json_body=body)
        assert res.status_code == 201, res.text
        device.id = res.json()["device_id"]
        device.enrol_response = res.json()
        return device

    def new_branch_with_device(self) -> tuple[str, Device]:
        branch = self.add_branch()
        device = self.enrol(branch, branch_key_id=branch_key_id(BRANCH_KEYS.setdefault(branch, os.urandom(32))))
        return branch, device

    # -- signed requests --
    def signed(self, device: Device, method: str, path: str, params: dict | None = None, body: Any = None,
               *, now: float | None = None, nonce: str | None = None, raw: bytes | None = None) -> httpx.Response:
        query = urlencode(params or {})
        content = raw if raw is not None else (b"" if body is None else
                                               json.dumps(body, ensure_ascii=False).encode("utf-8"))
        headers = sign_request(device.key, method, path, query, content, now, device_id=device.id, nonce=nonce)
        if content:
            headers["content-type"] = "application/json"
        target = f"{path}?{query}" if query else path
        return self.request(method, target, content=content or None, headers=headers)

    def push(self, device: Device, recs: list[dict], **kw: Any) -> httpx.Response:
        return self.signed(device, "POST", "/v1/push", body={"records": recs}, **kw)

    def pull(self, device: Device, cursor: int = 0, limit: int = 500) -> httpx.Response:
        return self.signed(device, "GET", "/v1/pull", {"cursor": cursor, "limit": limit})


# ---- devices and records -------------------------------------------------------------------------

BRANCH_KEYS: dict[str, bytes] = {}


@dataclass
class Device:
    branch: str
    key: Ed25519PrivateKey
    workstation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    id: str | None = None
    enrol_response: dict = field(default_factory=dict)

    @classmethod
    def new(cls, branch: str) -> Device:
        return cls(branch, Ed25519PrivateKey.generate())

    def enrol_body(self, code: str, **extra: Any) -> dict:
        body = {"branch_code": self.branch, "code": code, "workstation_id": self.workstation_id,
                "name": "柜台 3", "sign_public_key": base64.b64encode(public_key_bytes(self.key)).decode()}
        body.update(extra)
        return body

    def record(self, record_type: str = "counter_session", meta: dict | None = None,
               plaintext: bytes | None = None, **overrides: Any) -> dict:
        return make_record(self.branch, record_type, meta, plaintext, workstation_id=self.workstation_id,
                           **overrides)


def make_record(branch: str, record_type: str = "counter_session", meta: dict | None = None,
                plaintext: bytes | None = None, **overrides: Any) -> dict:
    """A record as a workstation pushes it: the body encrypted under the branch key, AAD id|type|branch."""
    key = BRANCH_KEYS.setdefault(branch, os.urandom(32))
    record_id = overrides.pop("id", str(uuid.uuid4()))
    if meta is None:
        meta = {"session_id": str(uuid.uuid4()), "status": "open"} if record_type == "counter_session" else {}
    plaintext = plaintext if plaintext is not None else json.dumps({"note": "body"}).encode()
    nonce = os.urandom(12)
    aad = f"{record_id}|{record_type}|{branch}".encode()
    envelope = nonce + AESGCM(key).encrypt(nonce, plaintext, aad)
    record = {"id": record_id, "type": record_type, "workstation_id": str(uuid.uuid4()),
              "created_at": datetime.now(UTC).isoformat(), "key_id": branch_key_id(key),
              "envelope": base64.b64encode(envelope).decode(), "meta": meta}
    record.update(overrides)
    return record


def decrypt(branch: str, pulled: dict) -> bytes:
    raw = base64.b64decode(pulled["envelope"])
    aad = f"{pulled['id']}|{pulled['type']}|{branch}".encode()
    return AESGCM(BRANCH_KEYS[branch]).decrypt(raw[:12], raw[12:], aad)


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def tls_hub(hub_url, tmp_path):
    assert cli.main(["tls-demo", "--out", str(tmp_path / "tls"), "--host", "localhost"]) == 0
    cert = tmp_path / "tls" / "hub-cert.pem"
    port = free_tcp_port()
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "counterdesk.hub.cli", "--database-url", hub_url, "serve",
                             "--host", "127.0.0.1", "--port", str(port), "--certfile", str(cert),
                             "--keyfile", str(tmp_path / "tls" / "hub-key.pem")],
                            stdout=log, stderr=subprocess.STDOUT)
    ctx = ssl.create_default_context(cafile=str(cert))
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    base = f"https://localhost:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                httpx.get(f"{base}/v1/health", verify=ctx, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the hub did not start"
                time.sleep(0.1)
        yield base, ctx, cert
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
