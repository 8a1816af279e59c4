"""Sync hub: real hub processes (`counterdesk-hub serve --workers N`, i.e. uvicorn serving create_app in N
worker processes, access log on as deployed) on a fresh PostgreSQL database, driven over plain HTTP on
127.0.0.1 with keep-alive httpx clients and real signed requests (docs/sync-protocol.md). TLS is off
for the measurement (TLS would add the handshake once per keep-alive connection and ~AES-GCM per
byte; it is not what this measures).

    .venv/bin/python benches/run.py hub            # full: about 4 minutes
    .venv/bin/python benches/run.py --quick hub    # development: about 1.5 minutes

1. push throughput (1 worker): one enrolled device pushes N records (20,000; 4,000 with --quick) in
   batches of 500, one request after the other; baseline: the same rows (same columns, same sizes)
   inserted with plain psycopg multi-row INSERTs of 500 rows, one transaction per batch, into a copy
   of the records table in the same database. Target: hub / baseline >= 0.5.
2. scale-out: with 1, 2 and 4 worker processes, 64 clients push 5 records each, back to back (closed
   loop), for 10 s (5 s with --quick): pushes/s, and the ratio to 1 worker. The best N of these (on a
   two-core machine shared with PostgreSQL and the load generator) serves 3. and 4.
3. load (best N): 200 workstations (50 with --quick), 10 per branch, each pushing 5 records once a
   second (random phase, +-100 ms jitter per push) for 60 s (15 s with --quick), from an asyncio load
   generator in this process. Records achieved / offered (target >= 95 %), push latency p50/p99
   (target p99 <= 300 ms), and at the end every sent record counted in the hub's database: lost = 0,
   duplicated = 0.
4. approval propagation (best N): device A pushes a signoff.approval_request; device B, parked in
   GET /v1/wait, wakes and pulls it; with N > 1 the two requests may be served by different worker
   processes, so the wake-up crosses processes through PostgreSQL LISTEN/NOTIFY. A's push start ->
   B's pull done, median and p95 of 30 trials (10 with --quick). Target: median <= 1 s.

Needs PostgreSQL on 127.0.0.1:5432 (scripts/postgres.sh); the database is dropped afterwards and the
hub processes stopped, also when something fails.
"""
from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import uvloop
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from psycopg.types.json import Json

from _common import MISS, PASS, Row, fmt, median, progress
from hub_client import HubConnectionError, RawClient

PG_HOST = os.environ.get("COUNTERDESK_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("COUNTERDESK_TEST_PG_PORT", "5432"))
PG_USERS = [u for u in (os.environ.get("COUNTERDESK_TEST_PG_USER"), "postgres", "root") if u]

BATCH = 500
PLAINTEXT_BYTES = 600
WS_PER_BRANCH = 10
RECORDS_PER_PUSH = 5       # load test: each workstation pushes 5 records ...
PUSH_PERIOD_S = 1.0        # ... once a second (= 5 records/s per workstation)
JITTER_S = 0.1             # +- per push, on top of a random phase per workstation
PUSH_TIMEOUT_S = 30.0
WRAP_INFO = b"counterdesk branch key v1"
TLS_NOTE = "plain HTTP on 127.0.0.1, TLS off"


class MinRow(Row):
    """A row whose target is a floor (figure >= limit), e.g. a throughput ratio."""

    def __post_init__(self) -> None:
        if not self.status and self.figure is not None and self.limit is not None:
            self.status = PASS if self.figure >= self.limit else MISS
        super().__post_init__()

    @property
    def target(self) -> str:
        return "" if self.limit is None else f">= {fmt(self.limit, self.unit)}"


# ---- PostgreSQL and the hub process --------------------------------------------------------------

def _admin_connect() -> tuple[psycopg.Connection, str]:
    problems = []
    for user in PG_USERS:
        try:
            return psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname="postgres", autocommit=True,
                                   connect_timeout=5), user
        except psycopg.Error as exc:
            problems.append(f"{user}: {str(exc).strip()}")
    raise RuntimeError(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT} (run scripts/postgres.sh): "
                       + " | ".join(problems))


@contextmanager
def _database() -> Iterator[tuple[str, dict]]:
    """A new database at the hub's head schema: (SQLAlchemy URL, psycopg connect kwargs); dropped after."""
    from counterdesk.hub import migrate
    from counterdesk.hub.db import make_engine
    conn, user = _admin_connect()
    name = f"cdbench_hub_{os.getpid()}_{secrets.token_hex(4)}"
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{name}"
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        yield url, {"host": PG_HOST, "port": PG_PORT, "user": user, "dbname": name}
    finally:
        conn, _user = _admin_connect()
        with conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class HubProcess:
    proc: subprocess.Popen
    base: str
    log: Path
    workers: int = 1

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of the hub: the serve process and its live worker processes."""
        tick = os.sysconf("SC_CLK_TCK")
        pids = [str(self.proc.pid)] + [pid for pid in os.listdir("/proc") if pid.isdigit()
                                       if (st := _proc_stat(pid)) is not None and st[2] == str(self.proc.pid)]
        total = 0.0
        for pid in pids:
            st = _proc_stat(pid)
            if st is not None:
                total += (int(st[12]) + int(st[13])) / tick
        return total if total else math.nan


@contextmanager
def _hub_process(url: str, workdir: Path, workers: int = 1) -> Iterator[HubProcess]:
    """`counterdesk-hub serve --workers N` without TLS on a free port (uvicorn, as deployed); stopped
    afterwards."""
    port = _free_port()
    log_path = workdir / f"hub-{port}.log"
    log = open(log_path, "wb")
    extra = ["--workers", str(workers)] if workers != 1 else []
    proc = subprocess.Popen([sys.executable, "-m", "counterdesk.hub.cli", "--database-url", url, "serve",
                             "--host", "127.0.0.1", "--port", str(port), *extra],
                            stdout=log, stderr=subprocess.STDOUT)
    hub = HubProcess(proc, f"http://127.0.0.1:{port}", log_path, workers)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({proc.returncode}): {log_path.read_text()[-2000:]}")
            try:
                started = log_path.read_bytes().count(b"Application startup complete")
                if started >= workers and httpx.get(f"{hub.base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        yield hub
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        log.close()


# ---- devices, records, signed requests -----------------------------------------------------------

@dataclass
class Device:
    branch: str
    branch_key: bytes
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    workstation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    id: str | None = None

    def headers(self, method: str, path: str, query: str = "", body: bytes = b"") -> dict[str, str]:
        from counterdesk.protocol.signing import sign_request
        headers = sign_request(self.key, method, path, query, body, device_id=self.id)
        if body:
            headers["content-type"] = "application/json"
        return headers


def _enrol_body(device: Device, code: str, *, offer_key_id: bool) -> dict:
    from counterdesk.protocol.signing import branch_key_id, public_key_bytes
    body = {"branch_code": device.branch, "code": code, "workstation_id": device.workstation_id,
            "name": "柜台 1", "sign_public_key": base64.b64encode(public_key_bytes(device.key)).decode()}
    if offer_key_id:
        body["branch_key_id"] = branch_key_id(device.branch_key)
    return body


def _wrapping_key(code: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=WRAP_INFO).derive(bytes.fromhex(code))


def _add_branches(url: str, codes: list[str]) -> dict[str, str]:
    """Branches and each one's first-workstation code, made with the hub's own admin functions."""
    from counterdesk.hub import branches, enrolment
    from counterdesk.hub.db import make_engine, session_factory
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        out = {}
        with sessions.begin() as session:
            for code in codes:
                branches.add_branch(session, code, f"压测支行 {code}")
            session.flush()
            for code in codes:
                out[code] = enrolment.new_first_code(session, code, 1)[0]
        return out
    finally:
        engine.dispose()


async def _enrol_branch(client: httpx.AsyncClient, branch: str, first_code: str, n: int) -> list[Device]:
    """The branch's first workstation enrols with the hub-made code and creates the branch key; every
    further one enrols with a code that the first one registers (POST /v1/enrol-codes, key wrapped)."""
    from counterdesk.protocol.signing import code_sha256
    branch_key = os.urandom(32)
    first = Device(branch, branch_key)
    res = await client.post("/v1/enrol", json=_enrol_body(first, first_code, offer_key_id=True))
    res.raise_for_status()
    first.id = res.json()["device_id"]
    devices = [first]
    for _ in range(n - 1):
        code = secrets.token_bytes(16).hex()
        nonce = os.urandom(12)
        wrapped = nonce + AESGCM(_wrapping_key(code)).encrypt(nonce, branch_key, None)
        body = json.dumps({"code_sha256": code_sha256(code), "wrapped_branch_key": base64.b64encode(wrapped).decode(),
                           "expires_in_s": 3600}).encode()
        res = await client.post("/v1/enrol-codes", content=body, headers=first.headers("POST", "/v1/enrol-codes",
                                                                                        body=body))
        res.raise_for_status()
        device = Device(branch, b"")
        res = await client.post("/v1/enrol", json=_enrol_body(device, code, offer_key_id=False))
        res.raise_for_status()
        raw = base64.b64decode(res.json()["wrapped_branch_key"])
        device.branch_key = AESGCM(_wrapping_key(code)).decrypt(raw[:12], raw[12:], None)
        assert device.branch_key == branch_key
        device.id = res.json()["device_id"]
        devices.append(device)
    return devices


def _enrol(hub: HubProcess, url: str, prefix: str, n_branches: int, per_branch: int) -> list[list[Device]]:
    codes = [f"{prefix}{i:03d}" for i in range(n_branches)]
    first_codes = _add_branches(url, codes)

    async def go():
        async with httpx.AsyncClient(base_url=hub.base, timeout=PUSH_TIMEOUT_S) as client:
            return await asyncio.gather(*(_enrol_branch(client, b, first_codes[b], per_branch) for b in codes))
    return list(asyncio.run(go()))


_TYPES = ("counter_session", "customer.version", "audit.entry", "signoff")


def _meta(record_type: str, i: int) -> dict:
    if record_type == "counter_session":
        return {"session_id": str(uuid.uuid4()), "status": "open"}
    if record_type == "customer.version":
        return {"customer_id": str(uuid.uuid4()), "version": i % 7 + 1}
    if record_type == "audit.entry":
        return {"seq": i, "action": "session.step"}
    if record_type == "signoff.approval_request":
        return {"request_id": str(uuid.uuid4()), "signoff_id": str(uuid.uuid4()),
                "session_id": str(uuid.uuid4()), "status": "pending"}
    return {"signoff_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4()), "status": "signed"}


def _plaintext(i: int) -> bytes:
    """A ~600-byte JSON record body, the size of a counter-session step."""
    body = {"schema": 1, "seq": i, "teller": "T" + secrets.token_hex(3), "customer": {
        "name": "王小明", "id_type": "resident_id", "id_number": "1101051990" + f"{i % 10**8:08d}",
        "phone": "138" + f"{i % 10**8:08d}"}, "product": {"code": "WM" + secrets.token_hex(4), "risk": "R3"},
        "amount_cents": 100000 + i, "answers": [random.randint(1, 4) for _ in range(12)],
        "updated_at": datetime.now(UTC).isoformat(), "note": ""}
    pad = PLAINTEXT_BYTES - len(json.dumps(body, ensure_ascii=False).encode())
    body["note"] = secrets.token_hex(pad // 2 + 1)[:pad] if pad > 0 else ""
    return json.dumps(body, ensure_ascii=False).encode()


def _record(device: Device, record_type: str, i: int) -> dict:
    """A record as a workstation pushes it: AES-256-GCM under the branch key, AAD id|type|branch."""
    from counterdesk.protocol.signing import branch_key_id
    record_id = str(uuid.uuid4())
    nonce = os.urandom(12)
    aad = f"{record_id}|{record_type}|{device.branch}".encode()
    envelope = nonce + AESGCM(device.branch_key).encrypt(nonce, _plaintext(i), aad)
    return {"id": record_id, "type": record_type, "workstation_id": device.workstation_id,
            "created_at": datetime.now(UTC).isoformat(), "key_id": branch_key_id(device.branch_key),
            "envelope": base64.b64encode(envelope).decode(), "meta": _meta(record_type, i)}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


# ---- 1. push throughput vs. plain INSERTs --------------------------------------------------------

def _throughput(hub: HubProcess, url: str, pg: dict, n: int) -> list[Row]:
    from counterdesk.hub.records import content_sha256
    from counterdesk.hub.schemas import RecordIn
    [[device]] = _enrol(hub, url, "TP", 1, 1)
    batches = [[_record(device, _TYPES[i % len(_TYPES)], i) for i in range(start, start + BATCH)]
               for start in range(0, n + BATCH, BATCH)]  # the first batch warms up, not counted
    bodies = [json.dumps({"records": b}, ensure_ascii=False).encode() for b in batches]
    progress(f"hub: throughput: {n} records of {PLAINTEXT_BYTES} B plaintext, "
             f"{len(bodies[1]) // 1024} KiB per push of {BATCH}")

    # Baseline: the same rows, plain multi-row INSERTs, one transaction per 500.
    received = datetime.now(UTC)
    rows = []
    for batch in batches:
        params: list[Any] = []
        for r in batch:
            rec = RecordIn.model_validate(r)
            envelope = base64.b64decode(r["envelope"])
            params += [rec.id, device.branch, rec.type, rec.workstation_id, uuid.UUID(device.id),
                       datetime.fromisoformat(r["created_at"]), received, rec.key_id, envelope,
                       content_sha256(rec, envelope), Json(rec.meta)]
        rows.append(params)
    cols = ("id, branch, type, workstation_id, device_id, created_at, received_at, key_id, envelope, "
            "content_sha256, meta")
    values = ",".join(["(" + ",".join(["%s"] * 11) + ")"] * BATCH)
    sql = f"INSERT INTO bench_baseline_records ({cols}) VALUES {values}"
    with psycopg.connect(**pg) as conn:
        conn.execute("CREATE TABLE bench_baseline_records (LIKE records INCLUDING ALL)")
        conn.execute("ALTER TABLE bench_baseline_records ADD FOREIGN KEY (branch) REFERENCES branches (code), "
                     "ADD FOREIGN KEY (device_id) REFERENCES devices (id)")
        conn.commit()
        conn.execute(sql, rows[0])  # warm-up batch
        conn.commit()
        t0 = time.perf_counter()
        for params in rows[1:]:
            conn.execute(sql, params)
            conn.commit()
        base_s = time.perf_counter() - t0
        stored = conn.execute("SELECT count(*) FROM bench_baseline_records").fetchone()[0]
        # A second baseline, the way the hub now sends a batch: 11 binary arrays through unnest (one
        # short statement, prepared once) instead of 5,500 placeholders that psycopg parses each time.
        conn.execute("TRUNCATE bench_baseline_records")
        conn.commit()
        arrays = [[list(col) for col in zip(*[params[i:i + 11] for i in range(0, len(params), 11)])]
                  for params in rows]
        unnest = (f"INSERT INTO bench_baseline_records ({cols}) SELECT * FROM unnest(%b::uuid[], %b::text[], "
                  "%b::text[], %b::uuid[], %b::uuid[], %b::timestamptz[], %b::timestamptz[], %b::text[], %b::bytea[], "
                  "%b::text[], %b::json[])")
        conn.execute(unnest, arrays[0])
        conn.commit()
        t0 = time.perf_counter()
        for params in arrays[1:]:
            conn.execute(unnest, params)
            conn.commit()
        unnest_s = time.perf_counter() - t0
        stored_unnest = conn.execute("SELECT count(*) FROM bench_baseline_records").fetchone()[0]
    assert stored == stored_unnest == n + BATCH, (stored, stored_unnest)

    with httpx.Client(base_url=hub.base, timeout=120) as client:
        def push(body: bytes) -> None:
            res = client.post("/v1/push", content=body, headers=device.headers("POST", "/v1/push", body=body))
            res.raise_for_status()
            bad = [r for r in res.json()["receipts"] if r["status"] != "accepted"]
            assert not bad, bad[:3]
        push(bodies[0])
        cpu0, t0 = hub.cpu_seconds(), time.perf_counter()
        for body in bodies[1:]:
            push(body)
        hub_s = time.perf_counter() - t0
        hub_cpu = hub.cpu_seconds() - cpu0
    hub_rate, base_rate = n / hub_s, n / base_s
    ratio = hub_rate / base_rate
    progress(f"hub: push {hub_rate:.0f} records/s, baseline INSERT {base_rate:.0f} records/s, ratio {ratio:.2f}")
    return [
        Row("hub.push_throughput", hub_rate / 1000, "krec/s",
            note=f"{n} records, {BATCH}/push, 1 device, sequential signed pushes, 1 hub process, {TLS_NOTE}; "
                 f"hub CPU {100 * hub_cpu / hub_s:.0f}% of a core", samples=[hub_s]),
        Row("hub.push_baseline_insert", base_rate / 1000, "krec/s",
            note=f"same {n} rows and columns, psycopg multi-row INSERT of {BATCH}, 1 transaction each, "
                 "copy of the records table (same columns, indexes, foreign keys)", samples=[base_s]),
        MinRow("hub.push_vs_baseline", ratio, "x", 0.5, note=f"hub records/s / baseline records/s = {ratio:.3f}, "
                                                             "same run"),
        Row("hub.push_vs_baseline_unnest", hub_rate / (n / unnest_s), "x",
            note=f"against a faster baseline: the same rows as binary arrays through unnest, "
                 f"{n / unnest_s:.0f} records/s"),
    ]


# ---- 2. many workstations ------------------------------------------------------------------------

@dataclass
class LoadStats:
    latencies: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    sent_ids: list[str] = field(default_factory=list)
    pushes: int = 0
    retries: int = 0
    failed_pushes: int = 0
    not_accepted: dict[str, int] = field(default_factory=dict)


def _prepared_pushes(device: Device, n: int) -> list[tuple[bytes, list[str]]]:
    """``n`` push bodies of RECORDS_PER_PUSH encrypted records each, and their ids, made before the clock
    starts: the load generator shares the cores with the hub, and encrypting is the workstations' work."""
    out = []
    for k in range(n):
        records = [_record(device, _TYPES[(k + j) % len(_TYPES)], k * RECORDS_PER_PUSH + j)
                   for j in range(RECORDS_PER_PUSH)]
        out.append((json.dumps({"records": records}, ensure_ascii=False).encode(), [r["id"] for r in records]))
    return out


def _run_fast(coro):
    """asyncio.run on uvloop (the hub's own loop): a cheaper event loop for the load generator."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


async def _workstation(client: RawClient, device: Device, pushes: list[tuple[bytes, list[str]]], stats: LoadStats,
                       t0: float, duration: float, rng: random.Random) -> None:
    phase = rng.uniform(0, PUSH_PERIOD_S)
    k = 0
    while True:
        due = t0 + phase + k * PUSH_PERIOD_S + rng.uniform(-JITTER_S, JITTER_S)
        if due - t0 >= duration or time.perf_counter() - t0 >= duration or k >= len(pushes):
            return  # a workstation that fell behind does not push after the end either
        body, ids = pushes[k]
        k += 1
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        stats.sent_ids += ids
        start = time.perf_counter()
        stats.lags.append(start - due)
        for _attempt in range(3):  # a workstation re-sends the same batch (same ids) after a failure
            try:
                # signed now (timestamp, nonce), as a workstation does for each attempt
                res = await client.post("/v1/push", body, device.headers("POST", "/v1/push", body=body))
                if res.status_code == 200:
                    break
            except HubConnectionError:
                pass
            stats.retries += 1
        else:
            stats.failed_pushes += 1
            continue
        stats.latencies.append(time.perf_counter() - start)
        stats.pushes += 1
        for receipt in res.json()["receipts"]:
            if receipt["status"] != "accepted":
                key = receipt["status"] + (f":{receipt['error']}" if receipt["error"] else "")
                stats.not_accepted[key] = stats.not_accepted.get(key, 0) + 1


def _proc_stat(pid: int | str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = text[text.index("(") + 1:text.rindex(")")]
    return [comm, *text.rsplit(")", 1)[1].split()]


def _postgres_cpu() -> float:
    """CPU seconds so far of the PostgreSQL server: the live postgres processes plus the backends that
    already ended (counted in the postmaster's children times). All databases, not only the bench's."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {pid: st for pid in os.listdir("/proc") if pid.isdigit()
             if (st := _proc_stat(pid)) is not None and st[0] == "postgres"}
    total = 0.0
    for st in stats.values():
        total += (int(st[12]) + int(st[13])) / tick  # utime, stime
        if st[2] not in stats:  # the postmaster: add its reaped children
            total += (int(st[14]) + int(st[15])) / tick
    return total


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs so far."""
    vals = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


def _load(hub: HubProcess, url: str, pg: dict, workstations: int, duration: float) -> list[Row]:
    t_enrol = time.perf_counter()
    branches = _enrol(hub, url, "LD", workstations // WS_PER_BRANCH, WS_PER_BRANCH)
    devices = [d for branch in branches for d in branch]
    progress(f"hub: load: {len(devices)} workstations enrolled in {len(branches)} branches "
             f"({time.perf_counter() - t_enrol:.1f} s); pushing for {duration:.0f} s")
    stats = LoadStats()

    host, port = hub.base.removeprefix("http://").rsplit(":", 1)
    pushes = {d.id: _prepared_pushes(d, math.ceil(duration / PUSH_PERIOD_S) + 1) for d in devices}
    progress(f"hub: load: {sum(len(p) for p in pushes.values())} pushes prepared")

    async def go() -> float:
        # One keep-alive connection per workstation, as on the real workstations.
        clients = [RawClient(host, int(port), PUSH_TIMEOUT_S) for _ in devices]
        try:
            rng = random.Random(7)
            t0 = time.perf_counter() + 0.5
            await asyncio.gather(*(_workstation(c, d, pushes[d.id], stats, t0, duration, random.Random(rng.random()))
                                   for c, d in zip(clients, devices)))
            return time.perf_counter() - t0
        finally:
            for c in clients:
                await c.aclose()

    cpu_hub0, cpu_me0, cpu_pg0, busy0 = hub.cpu_seconds(), time.process_time(), _postgres_cpu(), _machine_busy()
    wall = _run_fast(go())
    cpu_hub, cpu_me = hub.cpu_seconds() - cpu_hub0, time.process_time() - cpu_me0
    busy1 = _machine_busy()
    cpu_pg = _postgres_cpu() - cpu_pg0
    machine = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]) * 100 * (os.cpu_count() or 1)
    other = max(0.0, machine - 100 * (cpu_hub + cpu_me + cpu_pg) / wall)

    sent = len(stats.sent_ids)
    with psycopg.connect(**pg) as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT id) FROM records WHERE branch = ANY(%s)",
            ([b[0].branch for b in branches],)).fetchone()
        present = conn.execute("SELECT count(DISTINCT id) FROM records WHERE id = ANY(%s::uuid[])",
                               (stats.sent_ids,)).fetchone()[0]
    lost = sent - present
    duplicated = total - distinct + (distinct - present)  # rows beyond one per sent id
    intended = workstations * RECORDS_PER_PUSH / PUSH_PERIOD_S
    achieved = present / wall  # stored in the hub, per second of the run
    lat = stats.latencies or [math.nan]
    p50, p99 = _pct(lat, 0.50), _pct(lat, 0.99)
    lag99 = _pct(stats.lags, 0.99) if stats.lags else math.nan
    kept_up = achieved >= 0.97 * intended and lag99 < PUSH_PERIOD_S
    cpu = (f"CPU in % of one core, {os.cpu_count()} cores: hub ({hub.workers} worker(s)) {100 * cpu_hub / wall:.0f}%, "
           f"PostgreSQL "
           f"{100 * cpu_pg / wall:.0f}%, load generator (same machine) {100 * cpu_me / wall:.0f}%, "
           f"everything else ~{other:.0f}% (machine total {machine:.0f}%); hub CPU "
           f"{1000 * cpu_hub / max(1, stats.pushes):.1f} ms per push")
    progress(f"hub: load: {sent} records in {stats.pushes} pushes, p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
             f"{achieved:.0f} records/s (intended {intended:.0f}), lost {lost}, duplicated {duplicated}; {cpu}")
    extra = []
    if stats.retries or stats.failed_pushes:
        extra.append(f"{stats.retries} retried, {stats.failed_pushes} pushes failed 3 times")
    if stats.not_accepted:
        extra.append("receipts not accepted: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.not_accepted.items())))
    extra = ("; " + "; ".join(extra)) if extra else ""
    what = (f"{hub.workers} hub worker(s); {workstations} workstations ({WS_PER_BRANCH}/branch), "
            f"{RECORDS_PER_PUSH} records/push every "
            f"{PUSH_PERIOD_S:g} s with jitter, {duration:.0f} s, 1 keep-alive connection each, {TLS_NOTE}")
    return [
        Row("hub.load.push_p50", p50, "s", note=f"{what}; {stats.pushes} pushes"),
        Row("hub.load.push_p99", p99, "s", 0.3, note=f"{cpu}{extra}"),
        MinRow("hub.load.achieved_vs_offered", achieved / intended, "x", 0.95,
               note=f"{achieved:.0f} of {intended:.0f} records/s offered stored in the hub"),
        Row("hub.load.achieved_rate", achieved / 1000, "krec/s",
            note=(f"intended {intended:.0f} records/s; " + ("the generator kept the schedule" if kept_up else
                  "schedule NOT kept: a workstation waits for its push before the next one and pushes were "
                  "slow; achieved rate shown")
                  + f"; schedule lag p99 {lag99 * 1000:.0f} ms")),
        Row("hub.load.lost", lost, "records", 0, note=f"sent {sent}, distinct ids in the hub {present}"),
        Row("hub.load.duplicated", duplicated, "records", 0,
            note=f"rows in the test branches {total}, distinct ids {distinct}"),
    ]


# ---- 2b. scale-out: closed-loop pushes against 1, 2, 4 workers ---------------------------------------

SATURATION_CLIENTS = 64


def _saturate(hub: HubProcess, url: str, prefix: str, duration: float) -> tuple[float, float, float]:
    """(pushes/s, p99 latency s, hub CPU ms per push): SATURATION_CLIENTS devices push 5 records each,
    back to back, for ``duration`` seconds."""
    branches = _enrol(hub, url, prefix, SATURATION_CLIENTS // WS_PER_BRANCH + 1, WS_PER_BRANCH)
    devices = [d for branch in branches for d in branch][:SATURATION_CLIENTS]
    bodies = {d.id: [body for body, _ids in _prepared_pushes(d, 400)] for d in devices}
    latencies: list[float] = []
    host, port = hub.base.removeprefix("http://").rsplit(":", 1)

    async def client_loop(client: RawClient, device: Device, stop: float, first: int = 1) -> int:
        done = 0
        for body in bodies[device.id][first:]:
            if time.perf_counter() >= stop:
                break
            t0 = time.perf_counter()
            res = await client.post("/v1/push", body, device.headers("POST", "/v1/push", body=body))
            assert res.status_code == 200, res.content
            latencies.append(time.perf_counter() - t0)
            done += 1
        return done

    async def go() -> tuple[int, float]:
        clients = [RawClient(host, int(port), PUSH_TIMEOUT_S) for _ in devices]
        try:
            # Warm-up: one push each opens the keep-alive connections before the clock starts.
            await asyncio.gather(*(client_loop(c, d, math.inf, first=len(bodies[d.id]) - 1)
                                   for c, d in zip(clients, devices)))
            latencies.clear()
            t0 = time.perf_counter()
            counts = await asyncio.gather(*(client_loop(c, d, t0 + duration) for c, d in zip(clients, devices)))
            return sum(counts), time.perf_counter() - t0
        finally:
            for c in clients:
                await c.aclose()

    cpu0 = hub.cpu_seconds()
    pushes, wall = _run_fast(go())
    cpu = hub.cpu_seconds() - cpu0
    return pushes / wall, _pct(latencies, 0.99), 1000 * cpu / max(1, pushes)


def _scale_out(url: str, workdir: Path, duration: float, counts: tuple[int, ...] = (1, 2, 4)) -> tuple[list[Row], int]:
    rates: dict[int, float] = {}
    notes: dict[int, str] = {}
    for n in counts:
        with _hub_process(url, workdir, n) as hub:
            rate, p99, cpu_ms = _saturate(hub, url, f"S{n}", duration)
        rates[n] = rate
        notes[n] = f"p99 {p99 * 1000:.0f} ms, hub CPU {cpu_ms:.2f} ms/push"
        progress(f"hub: scale-out: {n} worker(s): {rate:.0f} pushes/s ({5 * rate:.0f} records/s), {notes[n]}")
    best = max(rates, key=lambda n: rates[n])
    what = (f"{SATURATION_CLIENTS} clients, {RECORDS_PER_PUSH} records/push back to back, {duration:.0f} s; "
            f"{os.cpu_count()} cores shared with PostgreSQL and the load generator; {TLS_NOTE}")
    rows = [Row(f"hub.scale.workers_{n}", rates[n] * RECORDS_PER_PUSH / 1000, "krec/s",
                note=f"{rates[n]:.0f} pushes/s; {notes[n]}; {what}") for n in counts]
    rows += [Row(f"hub.scale.ratio_{n}_to_1", rates[n] / rates[counts[0]], "x",
                 note=f"throughput with {n} workers / with 1, same run" + ("; best N" if n == best else ""))
             for n in counts[1:]]
    return rows, best


# ---- 3. approval propagation ---------------------------------------------------------------------

def _approval(hub: HubProcess, url: str, trials: int) -> list[Row]:
    [[a, b]] = _enrol(hub, url, "AP", 1, 2)

    async def go() -> list[float]:
        async with httpx.AsyncClient(base_url=hub.base, timeout=60) as ca, \
                httpx.AsyncClient(base_url=hub.base, timeout=60) as cb:
            async def pull(cursor: int) -> dict:
                query = f"cursor={cursor}&limit=500"
                res = await cb.get(f"/v1/pull?{query}", headers=b.headers("GET", "/v1/pull", query))
                res.raise_for_status()
                return res.json()

            async def wait_and_pull(cursor: int) -> tuple[float, dict]:
                query = f"cursor={cursor}&timeout=30"
                res = await cb.get(f"/v1/wait?{query}", headers=b.headers("GET", "/v1/wait", query))
                assert res.status_code == 200, (res.status_code, res.text)
                got = await pull(cursor)
                return time.perf_counter(), got

            cursor = (await pull(0))["cursor"]
            out = []
            for i in range(trials + 1):  # the first trial warms up
                record = _record(a, "signoff.approval_request", i)
                body = json.dumps({"records": [record]}).encode()
                waiter = asyncio.create_task(wait_and_pull(cursor))
                await asyncio.sleep(0.3)  # B's long poll is parked in the hub
                assert not waiter.done()
                t0 = time.perf_counter()
                res = await ca.post("/v1/push", content=body, headers=a.headers("POST", "/v1/push", body=body))
                assert res.status_code == 200 and res.json()["receipts"][0]["status"] == "accepted", res.text
                t1, got = await waiter
                assert [r["id"] for r in got["records"]] == [record["id"]], got
                cursor = got["cursor"]
                if i:
                    out.append(t1 - t0)
            return out

    times = asyncio.run(go())
    progress(f"hub: approval propagation median {median(times) * 1000:.0f} ms over {trials}")
    return [
        Row("hub.approval_propagation", median(times), "s", 1.0,
            note=f"A push start -> B (parked in /v1/wait) pulled it; median of {trials}, p95 "
                 f"{_pct(times, 0.95) * 1000:.0f} ms; idle hub, protocol level, {TLS_NOTE}", samples=times),
    ]


# ---- entry ---------------------------------------------------------------------------------------

def run(quick: bool = False, workers: int | None = None) -> list[Row]:
    """``workers``: skip the scale-out runs and load this many workers (for development)."""
    n_records = 4_000 if quick else 20_000
    workstations, duration = 200, (15.0 if quick else 60.0)
    saturation_s = 5.0 if quick else 10.0
    trials = 10 if quick else 30
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="counterdesk-bench-hub-") as tmp, _database() as (url, pg):
        with _hub_process(url, Path(tmp)) as hub:
            progress(f"hub: serving {url.rsplit('/', 1)[1]} at {hub.base} (pid {hub.proc.pid}), 1 worker")
            rows += _throughput(hub, url, pg, n_records)
        if workers is None:
            scale_rows, workers = _scale_out(url, Path(tmp), saturation_s)
            rows += scale_rows
        with _hub_process(url, Path(tmp), workers) as hub:
            progress(f"hub: load and approvals against {workers} worker(s)")
            rows += _load(hub, url, pg, workstations, duration)
            rows += _approval(hub, url, trials)
            if hub.proc.poll() is not None:
                raise RuntimeError(f"the hub died: {hub.log.read_text()[-2000:]}")
    return rows


if __name__ == "__main__":
    chosen = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--workers=")), None)
    for row in run("--quick" in sys.argv, chosen):
        print(f"{row.name:28} {fmt(row.figure, row.unit):>12}  {row.target:>10}  {row.status:5} {row.note}")
