"""The hub serving its RFC 3161 time-stamping authority as a real process (`counterdesk-hub tsa-init`,
then `serve --tsa-dir` over TLS), for the timestamp tests; and a port where nothing answers."""
from __future__ import annotations

import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from counterdesk.hub import cli
from helpers.hub_process import free_port


@dataclass(frozen=True)
class TsaHub:
    url: str          # https://localhost:PORT (the hub)
    tsa_url: str      # …/v1/tsa
    ca: Path          # the hub's DEMO TLS certificate (the CA a workstation pins at enrolment)
    tsa_cert: Path    # the TSA certificate (what verify-pdf --trust gets)


@contextmanager
def serve_tsa(database_url: str, root: Path) -> Iterator[TsaHub]:
    assert cli.main(["tls-demo", "--out", str(root / "tls"), "--host", "localhost"]) == 0
    assert cli.main(["tsa-init", "--out", str(root / "tsa")]) == 0
    port = free_port()
    log_path = root / "tsa-hub.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "counterdesk.hub.cli", "--database-url", database_url, "serve",
                                 "--host", "127.0.0.1", "--port", str(port), "--certfile", str(root / "tls/hub-cert.pem"),
                                 "--keyfile", str(root / "tls/hub-key.pem"), "--tsa-dir", str(root / "tsa")],
                                stdout=log, stderr=subprocess.STDOUT)
    base = f"https://localhost:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log_path.read_text()
            try:
                httpx.get(f"{base}/v1/health", verify=ssl.create_default_context(cafile=root / "tls/hub-cert.pem"),
                          timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the hub did not start:\n" + log_path.read_text()
                time.sleep(0.05)
        yield TsaHub(base, f"{base}/v1/tsa", root / "tls/hub-cert.pem", root / "tsa/tsa-cert.pem")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def silent_url() -> str:
    """A timestamp URL on this machine where nothing listens (connection refused at once)."""
    return f"http://127.0.0.1:{free_port()}/v1/tsa"
