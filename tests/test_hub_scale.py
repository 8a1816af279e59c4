"""The hub scaled out (real PostgreSQL): what several worker processes share goes through the database
(enrolment limits, long-poll wake-ups by LISTEN/NOTIFY), the served hub with N workers closes
half-open connections after its read timeout, and `serve` keeps to a PostgreSQL connection budget."""
from __future__ import annotations

import json
import selectors
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import httpx
from sqlalchemy import update

from counterdesk.hub import cli
from counterdesk.hub.clock import utcnow
from counterdesk.hub.limits import Limit
from counterdesk.hub.models import RateLimit
from counterdesk.protocol.signing import sign_request
from helpers.hub import Device, Hub, free_tcp_port

LIMIT = Limit(count=3, window_s=600)


def _from(hub: Hub, address: str) -> Hub:
    """The same app, its requests coming from ``address`` (the ASGI client address)."""
    old = hub.client
    hub.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=hub.app, client=(address, 40000)),
                                   base_url="http://hub")
    hub.portal.call(old.aclose)
    return hub


def _enrol(hub: Hub, branch: str, code: str) -> httpx.Response:
    return hub.request("POST", "/v1/enrol", json_body=Device.new(branch).enrol_body(code))


def test_failed_enrolments_are_limited_per_address_across_workers(hub_url):
    with Hub.started(hub_url, enrol_limit=LIMIT) as one, Hub.started(hub_url, enrol_limit=LIMIT) as two:
        worker_a, worker_b = _from(one, "203.0.113.7"), _from(two, "203.0.113.7")
        branch = worker_a.add_branch()
        wrong = "0" * 32
        # Three failures, spread over two worker processes: one shared count.
        assert [_enrol(w, branch, wrong).status_code for w in (worker_a, worker_b, worker_a)] == [403] * 3
        code = worker_a.first_code(branch)
        refused = _enrol(worker_b, branch, code)
        assert refused.status_code == 429 and refused.json()["error"] == "too_many_attempts"
        assert "try again in" in refused.json()["detail"]
        # The refusal used nothing: the code still works once the window has passed.
        with worker_a.sessions.begin() as s:
            s.execute(update(RateLimit).where(RateLimit.bucket == "enrol:203.0.113.7")
                      .values(window_start=utcnow() - timedelta(seconds=601)))
        assert _enrol(worker_b, branch, code).status_code == 201
        # A successful enrolment does not count; another address has its own count.
        elsewhere = _from(worker_a, "198.51.100.2")
        assert _enrol(elsewhere, branch, wrong).status_code == 403
        assert _enrol(elsewhere, branch, worker_a.first_code(branch)).status_code == 201
        with worker_a.sessions() as s:
            counts = {r.bucket: r.count for r in s.query(RateLimit)}
        assert counts == {"enrol:203.0.113.7": 3, "enrol:198.51.100.2": 1}


def test_a_long_poll_is_woken_by_a_push_to_another_worker_through_listen_notify(hub_url):
    # The waiting worker re-reads the database only every 30 s: a prompt wake-up can only be NOTIFY.
    with Hub.started(hub_url) as pusher, Hub.started(hub_url, wait_recheck_s=30) as waiting:
        branch, device = pusher.new_branch_with_device()
        colleague = pusher.enrol(branch)
        result: dict = {}

        def wait():
            result["res"] = waiting.signed(colleague, "GET", "/v1/wait", {"cursor": 0, "timeout": 20})
            result["returned"] = time.monotonic()

        thread = threading.Thread(target=wait)
        thread.start()
        deadline = time.monotonic() + 10
        while not waiting.portal.call(lambda: _listening(waiting)):
            assert time.monotonic() < deadline, "the waiting worker never LISTENed"
            time.sleep(0.05)
        receipts = pusher.push(device, [device.record()]).json()["receipts"]
        pushed = time.monotonic()
        thread.join(15)
        assert result["res"].status_code == 200 and result["res"].json() == {"cursor": receipts[0]["seq"]}
        assert result["returned"] - pushed < 2.0


async def _listening(hub: Hub) -> bool:
    return hub.app.state.notifier.listening


def _serve(url: str, tmp_path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_tcp_port()
    log = open(tmp_path / f"serve-{port}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "counterdesk.hub.cli", "--database-url", url, "serve",
                             "--host", "127.0.0.1", "--port", str(port), "--no-access-log", *extra],
                            stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    workers = int(extra[extra.index("--workers") + 1]) if "--workers" in extra else 1
    while True:
        assert proc.poll() is None, (tmp_path / f"serve-{port}.log").read_text()
        started = (tmp_path / f"serve-{port}.log").read_bytes().count(b"Application startup complete")
        try:
            if started >= workers and httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, (tmp_path / f"serve-{port}.log").read_text()
        time.sleep(0.1)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def test_half_open_connections_are_closed_after_the_read_timeout(hub_url, tmp_path, capsys):
    assert cli.main(["--database-url", hub_url, "branch", "add", "HALF01", "半开支行"]) == 0
    assert cli.main(["--database-url", hub_url, "enrol-code", "HALF01", "--hours", "1"]) == 0
    code = capsys.readouterr().out.split("HALF01: ")[1].split()[0]
    proc, base = _serve(hub_url, tmp_path, "--workers", "2", "--read-timeout", "2")
    sockets: list[socket.socket] = []
    try:
        device = Device.new("HALF01")
        enrolled = httpx.post(f"{base}/v1/enrol", json=device.enrol_body(code), timeout=10)
        assert enrolled.status_code == 201, enrolled.text
        device.id = enrolled.json()["device_id"]
        # A long poll outlives the read timeout: only the client's sending is timed, not the app.
        query = "cursor=0&timeout=4"
        waited: dict = {}

        def long_poll():
            t0 = time.monotonic()
            res = httpx.get(f"{base}/v1/wait?{query}", timeout=20,
                            headers=sign_request(device.key, "GET", "/v1/wait", query, b"", device_id=device.id))
            waited.update(status=res.status_code, took=time.monotonic() - t0)
        poller = threading.Thread(target=long_poll)
        poller.start()

        port = int(base.rsplit(":", 1)[1])
        opened = time.monotonic()
        for i in range(3000):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            if i % 3 == 1:  # part of a request head, then silence
                s.sendall(b"POST /v1/push HTTP/1.1\r\nHost: hub\r\nContent-")
            elif i % 3 == 2:  # a whole head, part of the body, then silence
                s.sendall(b"POST /v1/push HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 100\r\n\r\n{\"records\"")
            sockets.append(s)
        # A client that sends its request in time is served on a fresh connection meanwhile.
        assert httpx.get(f"{base}/v1/health", timeout=10).status_code == 200

        open_ones = {s.fileno(): s for s in sockets}
        selector = selectors.DefaultSelector()
        for s in sockets:
            s.setblocking(False)
            selector.register(s, selectors.EVENT_READ)
        deadline = opened + 2 + 30
        while open_ones and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=1):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except (ConnectionResetError, BlockingIOError):
                    data = b""
                if not data or b"HTTP/1.1" in data:  # closed (a 4xx first is fine too)
                    selector.unregister(s)
                    open_ones.pop(s.fileno(), None)
        closed_after = time.monotonic() - opened
        assert not open_ones, f"{len(open_ones)} of 3000 half-open connections still open after {closed_after:.0f} s"
        poller.join(20)
        assert waited["status"] == 204 and waited["took"] >= 3.5, waited
    finally:
        for s in sockets:
            s.close()
        _stop(proc)


def test_serve_keeps_to_the_connection_budget(hub_url, tmp_path, capsys):
    code = cli.main(["--database-url", hub_url, "serve", "--workers", "40", "--db-pool", "10"])
    err = capsys.readouterr().err
    assert code == 1 and "connection budget exceeded" in err and "40 worker(s) x 11 connections" in err
    assert "max_connections" in err
    sqlite = f"sqlite:///{tmp_path / 'hub.db'}"
    assert cli.main(["--database-url", sqlite, "upgrade"]) == 0
    assert cli.main(["--database-url", sqlite, "serve", "--workers", "2"]) == 1
    assert "needs PostgreSQL" in capsys.readouterr().err
    assert cli.main(["--database-url", hub_url, "serve", "--read-timeout", "0"]) == 1
    assert cli.main(["--database-url", hub_url, "serve", "--workers", "0"]) != 0


def test_two_workers_serve_pushes_and_pulls_without_shared_memory(hub_url, tmp_path, capsys):
    assert cli.main(["--database-url", hub_url, "branch", "add", "MULTI1", "多进程支行"]) == 0
    assert cli.main(["--database-url", hub_url, "enrol-code", "MULTI1", "--hours", "1"]) == 0
    code = capsys.readouterr().out.split("MULTI1: ")[1].split()[0]
    proc, base = _serve(hub_url, tmp_path, "--workers", "2")
    try:
        device = Device.new("MULTI1")
        with httpx.Client(base_url=base, timeout=10) as client:
            enrolled = client.post("/v1/enrol", json=device.enrol_body(code))
            device.id = enrolled.json()["device_id"]
            records = [device.record() for _ in range(40)]
            seen = []
            for i in range(0, 40, 4):  # new connections: the kernel spreads them over the workers
                with httpx.Client(base_url=base, timeout=10) as fresh:
                    body = json.dumps({"records": records[i:i + 4]}).encode()
                    res = fresh.post("/v1/push", content=body, headers={
                        **sign_request(device.key, "POST", "/v1/push", "", body, device_id=device.id),
                        "content-type": "application/json"})
                    seen += res.json()["receipts"]
                    # the same signed request again: the nonce is known to every worker
                    replay = fresh.post("/v1/push", content=body, headers=res.request.headers)
                    assert replay.status_code == 401 and replay.json()["error"] == "replayed"
            assert [r["status"] for r in seen] == ["accepted"] * 40
            query = "cursor=0&limit=500"
            pulled = client.get(f"/v1/pull?{query}",
                                headers=sign_request(device.key, "GET", "/v1/pull", query, b"", device_id=device.id))
            assert [r["id"] for r in pulled.json()["records"]] == [r["id"] for r in records]
    finally:
        _stop(proc)


def test_the_push_fast_path_answers_like_the_app(hub):
    """POST /v1/push bypasses FastAPI's routing: the body limit, the server-time header and the JSON
    errors are the app's all the same."""
    _branch, device = hub.new_branch_with_device()
    too_big = b"{" + b" " * (16 * 1024 * 1024) + b"}"
    res = hub.signed(device, "POST", "/v1/push", raw=too_big)
    assert res.status_code == 413 and res.json()["error"] == "too_large" and res.headers["X-CD-Server-Time"]
    res = hub.signed(device, "POST", "/v1/push", raw=b"[1, 2")
    assert res.status_code == 422 and res.json()["error"] == "invalid_request"
    res = hub.request("POST", "/v1/push", json_body={"records": []})  # unsigned
    assert res.status_code == 401 and res.json()["error"] == "device_unknown"
    assert hub.request("GET", "/v1/push").status_code == 405  # other methods: FastAPI as before
    ok = hub.push(device, [device.record()])
    assert ok.status_code == 200 and ok.headers["X-CD-Server-Time"] and ok.json()["receipts"][0]["seq"]
