"""Where the hub's CPU goes on a small push (5 records, as a workstation sends them).

    .venv/bin/python benches/hub_profile.py [--pushes 400]

On a fresh PostgreSQL database (dropped afterwards), one enrolled device, sequential pushes, no other
load from this script. Prints, per push:

* the components called directly in this thread (no HTTP): Ed25519 signature check, JSON parsing and
  record validation, the request verifier with its database work (device, nonce), storing the batch;
* the whole request through the ASGI app in this process (FastAPI, middleware, thread pool);
* the whole request over real HTTP to a served hub process (uvicorn, h11, access log): the hub
  process's CPU per push, and PostgreSQL's.

CPU times are thread/process CPU, not wall time, so other load on the machine inflates them less.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hub import Device, _database, _enrol, _hub_process, _postgres_cpu, _record
from counterdesk.hub import records
from counterdesk.hub.app import create_app
from counterdesk.protocol.signing import (
    H_NONCE,
    H_SIGNATURE,
    H_TIMESTAMP,
    canonical_request,
    public_key_bytes,
    verify_signature,
)

RECORDS = 5


def _bodies(device: Device, n: int) -> list[bytes]:
    return [json.dumps({"records": [_record(device, "counter_session", i * RECORDS + j) for j in range(RECORDS)]},
                       ensure_ascii=False).encode() for i in range(n)]


def _cpu_per_call(fn, items) -> float:
    """Median-free: total thread CPU / calls, in ms."""
    t0 = time.thread_time()
    for item in items:
        fn(item)
    return 1000 * (time.thread_time() - t0) / len(items)


def profile(pushes: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="counterdesk-hub-profile-") as tmp, _database() as (url, _pg):
        app = create_app(url)
        verifier, sessions, engine = app.state.verifier, app.state.sessions, app.state.engine
        with _hub_process(url, Path(tmp)) as hub:
            [[device, other]] = _enrol(hub, url, "PF", 1, 2)
            # 1. components, in this thread
            bodies = _bodies(device, pushes)
            signed = [(b, device.headers("POST", "/v1/push", body=b)) for b in bodies]
            public = public_key_bytes(device.key)

            def sig(item):
                body, headers = item
                message = canonical_request("POST", "/v1/push", "", headers[H_TIMESTAMP], headers[H_NONCE], body)
                assert verify_signature(public, base64.b64decode(headers[H_SIGNATURE]), message)
            out.append(("signature check (Ed25519 verify + canonical request)", f"{_cpu_per_call(sig, signed):.3f}"))

            def validate(item):
                raws = json.loads(item[0])["records"]
                for i, raw in enumerate(raws):
                    assert not isinstance(records.check_record(i, raw), dict)
            out.append(("JSON parse + record validation (5 records)", f"{_cpu_per_call(validate, signed):.3f}"))

            def verify(item):
                body, headers = item
                return verifier.verify(headers, "POST", "/v1/push", "", body)
            half = len(signed) // 2
            out.append(("request verifier incl. DB (1 transaction: device, nonce)",
                        f"{_cpu_per_call(verify, signed[:half]):.3f}"))
            signed_device = verify(signed[half])
            batches = [json.loads(b)["records"] for b, _h in signed[half + 1:]]
            t = _cpu_per_call(lambda raws: records.store_batch(sessions, signed_device, raws), batches)
            out.append(("store batch incl. validation and DB (1 transaction: lock, insert)", f"{t:.3f}"))
            engine.dispose()

            # 2. the whole request through the ASGI app, in this process
            bodies = _bodies(other, pushes)

            async def asgi() -> float:
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as c:
                    t0 = time.process_time()
                    for body in bodies:
                        res = await c.post("/v1/push", content=body,
                                           headers=other.headers("POST", "/v1/push", body=body))
                        assert res.status_code == 200, res.text
                    return time.process_time() - t0
            # the client's own signing is in this process too: subtract it
            sign_t0 = time.process_time()
            for body in bodies:
                other.headers("POST", "/v1/push", body=body)
            sign_cost = time.process_time() - sign_t0
            total = asyncio.run(asgi())
            out.append(("whole push via ASGI in-process (client signing subtracted)",
                        f"{1000 * (total - sign_cost) / pushes:.3f}"))
            app.state.engine.dispose()

            # 3. over real HTTP to the served hub
            bodies = _bodies(device, pushes)
            signed = [(b, device.headers("POST", "/v1/push", body=b)) for b in bodies]
            with httpx.Client(base_url=hub.base, timeout=30) as client:
                lat = []
                cpu0, pg0 = hub.cpu_seconds(), _postgres_cpu()
                for body, headers in signed:
                    t0 = time.perf_counter()
                    res = client.post("/v1/push", content=body, headers=headers)
                    lat.append(time.perf_counter() - t0)
                    assert res.status_code == 200, res.text
                cpu, pg = hub.cpu_seconds() - cpu0, _postgres_cpu() - pg0
                cpu0 = hub.cpu_seconds()
                for _ in range(pushes):
                    assert client.get("/v1/health").status_code == 200
                health = hub.cpu_seconds() - cpu0
                # what each colleague of the branch does after a push wakes its long poll: pull the news
                query = "cursor=0&limit=5"
                cpu0, pg0 = hub.cpu_seconds(), _postgres_cpu()
                for _ in range(pushes):
                    res = client.get(f"/v1/pull?{query}", headers=other.headers("GET", "/v1/pull", query))
                    assert res.status_code == 200 and len(res.json()["records"]) == 5
                pull, pull_pg = hub.cpu_seconds() - cpu0, _postgres_cpu() - pg0
                # ... and park its long poll again (here one that answers at once: news already there)
                query = "cursor=0&timeout=25"
                cpu0, pg0 = hub.cpu_seconds(), _postgres_cpu()
                for _ in range(pushes):
                    res = client.get(f"/v1/wait?{query}", headers=other.headers("GET", "/v1/wait", query))
                    assert res.status_code == 200
                wait, wait_pg = hub.cpu_seconds() - cpu0, _postgres_cpu() - pg0
            out.append(("served hub process CPU per push (uvicorn + app)", f"{1000 * cpu / pushes:.3f}"))
            out.append(("PostgreSQL CPU per push (all backends)", f"{1000 * pg / pushes:.3f}"))
            out.append(("sequential push latency median (wall)", f"{1000 * statistics.median(lat):.3f}"))
            out.append(("served GET /v1/health CPU (HTTP + FastAPI + log + 1 query: the floor)",
                        f"{1000 * health / pushes:.3f}"))
            out.append(("served GET /v1/pull of 5 records: hub CPU / PostgreSQL CPU",
                        f"{1000 * pull / pushes:.3f} / {1000 * pull_pg / pushes:.3f}"))
            out.append(("served GET /v1/wait (news already there): hub CPU / PostgreSQL CPU",
                        f"{1000 * wait / pushes:.3f} / {1000 * wait_pg / pushes:.3f}"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pushes", type=int, default=400)
    args = ap.parse_args()
    rows = profile(args.pushes)
    width = max(len(name) for name, _ in rows)
    print(f"{'component (per 5-record push)':{width}}  ms CPU")
    for name, value in rows:
        print(f"{name:{width}}  {value}")
    print(f"(run {uuid.uuid4().hex[:6]}, {args.pushes} pushes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
