"""The hub as it is deployed: `counterdesk-hub serve` (uvicorn) over TLS with the demo certificate, on
real PostgreSQL, talked to over https with the certificate as the only trusted CA."""
from __future__ import annotations

import json
import os
import ssl

import httpx
import pytest

from counterdesk.hub import cli
from counterdesk.protocol.signing import sign_request
from helpers.hub import Device


def test_hub_over_tls_with_the_demo_certificate(tls_hub, hub_url, capsys):
    base, ctx, _cert = tls_hub
    with httpx.Client(base_url=base, verify=ctx, timeout=10) as client:
        health = client.get("/v1/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.headers["X-CD-Server-Time"]

        # The admin's side, through the CLI; the workstation's side, over https.
        assert cli.main(["--database-url", hub_url, "branch", "add", "TLS01", "TLS 支行"]) == 0
        assert cli.main(["--database-url", hub_url, "enrol-code", "TLS01", "--hours", "1"]) == 0
        code = capsys.readouterr().out.split("TLS01: ")[1].split()[0]
        device = Device.new("TLS01")
        enrolled = client.post("/v1/enrol", json=device.enrol_body(code))
        assert enrolled.status_code == 201, enrolled.text
        device.id = enrolled.json()["device_id"]

        body = json.dumps({"records": [device.record() for _ in range(2)]}).encode()
        headers = sign_request(device.key, "POST", "/v1/push", "", body, device_id=device.id)
        pushed = client.post("/v1/push", content=body, headers={**headers, "content-type": "application/json"})
        assert [r["status"] for r in pushed.json()["receipts"]] == ["accepted", "accepted"]

        query = "cursor=0&limit=500"
        headers = sign_request(device.key, "GET", "/v1/pull", query, b"", device_id=device.id)
        pulled = client.get(f"/v1/pull?{query}", headers=headers)
        assert pulled.status_code == 200 and len(pulled.json()["records"]) == 2

        headers = sign_request(device.key, "GET", "/v1/wait", "cursor=0&timeout=5", b"", device_id=device.id)
        waited = client.get("/v1/wait?cursor=0&timeout=5", headers=headers)
        assert waited.json() == {"cursor": pulled.json()["cursor"]}

    # A client that does not trust the demo certificate cannot talk to the hub.
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/v1/health", verify=ssl.create_default_context(), timeout=5)


def test_demo_certificate_files(tmp_path):
    from cryptography import x509
    out = tmp_path / "tls"
    assert cli.main(["tls-demo", "--out", str(out), "--host", "hub.branch.example"]) == 0
    cert = x509.load_pem_x509_certificate((out / "hub-cert.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"hub.branch.example", "localhost"}
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert oct(os.stat(out / "hub-key.pem").st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in out.iterdir()) == ["hub-cert.pem", "hub-key.pem"]  # no temp files left
    before = (out / "hub-key.pem").read_bytes()
    assert cli.main(["tls-demo", "--out", str(out)]) == 1  # never replaced silently
    assert (out / "hub-key.pem").read_bytes() == before
    assert cli.main(["tls-demo", "--out", str(out), "--force"]) == 0
    assert (out / "hub-key.pem").read_bytes() != before
