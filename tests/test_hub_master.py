"""Master data (real PostgreSQL): head-office key, publishing with the CLI, fetching and verifying."""
from __future__ import annotations

import base64
import contextlib
import io
import json
import stat

import pytest

from counterdesk.hub import cli
from counterdesk.protocol.signing import master_signing_string, public_key_fingerprint, sha256_hex, verify_master_item


@pytest.fixture(scope="module")
def head_office(hub, tmp_path_factory):
    """The head-office key made and registered with the CLI: (private key file, raw public key)."""
    folder = tmp_path_factory.mktemp("ho")
    key_file = folder / "ho.key"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["headoffice", "keygen", "--out", str(key_file)]) == 0
        assert cli.main(["--database-url", hub.url, "headoffice", "register", "--public-key",
                         str(key_file) + ".pub"]) == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    public_key = cli.read_public_key(key_file.with_name("ho.key.pub"))
    # keygen and register print the same fingerprint, the one workstations show.
    assert printed.getvalue().count(public_key_fingerprint(public_key)) == 2
    return key_file, public_key


def _publish(hub, key_file, tmp_path, kind, version, payload: bytes) -> int:
    path = tmp_path / f"{kind}-{version}.bin"
    path.write_bytes(payload)
    return cli.main(["--database-url", hub.url, "master", "publish", "--kind", kind, "--version", str(version),
                     "--key", str(key_file), str(path)])


def test_published_items_are_served_and_verify(hub, head_office, tmp_path):
    key_file, public_key = head_office
    catalog = json.dumps({"products": [{"code": "WM-1", "name": "稳健理财"}]}, ensure_ascii=False).encode()
    assert _publish(hub, key_file, tmp_path, "catalog", 3, catalog) == 0
    assert _publish(hub, key_file, tmp_path, "sanctions", 1, b"ref,name\nQDi.1,X\n") == 0

    _branch, device = hub.new_branch_with_device()
    res = hub.signed(device, "GET", "/v1/master", {"since": 0})
    assert res.status_code == 200
    body = res.json()
    items = body["items"]
    assert [(i["kind"], i["version"]) for i in items] == [("catalog", 3), ("sanctions", 1)] and not body["more"]
    first = items[0]
    assert base64.b64decode(first["payload"]) == catalog and first["sha256"] == sha256_hex(catalog)
    assert verify_master_item(public_key, first) and verify_master_item(public_key, items[1])
    # The signature is exactly the documented one.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    Ed25519PublicKey.from_public_bytes(public_key).verify(
        base64.b64decode(first["signature"]), f"CDMD1\ncatalog\n3\n{sha256_hex(catalog)}".encode())
    assert master_signing_string("catalog", 3, sha256_hex(catalog)).startswith(b"CDMD1\ncatalog\n3\n")

    since = hub.signed(device, "GET", "/v1/master", {"since": first["seq"]}).json()["items"]
    assert [i["seq"] for i in since] == [items[1]["seq"]]


def test_tampered_items_fail_verification(hub, head_office, tmp_path):
    key_file, public_key = head_office
    assert _publish(hub, key_file, tmp_path, "questionnaire", 7, b'{"questions": 9}') == 0
    _branch, device = hub.new_branch_with_device()
    item = next(i for i in hub.signed(device, "GET", "/v1/master").json()["items"] if i["kind"] == "questionnaire")
    assert verify_master_item(public_key, item)
    forged_payload = base64.b64encode(b'{"questions": 8}').decode()
    assert not verify_master_item(public_key, {**item, "payload": forged_payload})
    assert not verify_master_item(public_key, {**item, "payload": forged_payload,
                                               "sha256": sha256_hex(b'{"questions": 8}')})
    assert not verify_master_item(public_key, {**item, "version": 8})
    assert not verify_master_item(public_key, {**item, "kind": "catalog"})
    assert not verify_master_item(public_key, {**item, "signature": "garbage"})
    assert not verify_master_item(public_key, {k: v for k, v in item.items() if k != "payload"})
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from counterdesk.protocol.signing import public_key_bytes
    assert not verify_master_item(public_key_bytes(Ed25519PrivateKey.generate()), item)


def test_publishing_refuses_a_key_other_than_the_registered_one(hub, head_office, tmp_path, capsys):
    other = tmp_path / "other.key"
    assert cli.main(["headoffice", "keygen", "--out", str(other)]) == 0
    capsys.readouterr()
    assert _publish(hub, other, tmp_path, "catalog", 99, b"x") == 1
    assert "does not verify" in capsys.readouterr().err
    # Registering a second head-office key is refused: workstations pinned the first.
    assert cli.main(["--database-url", hub.url, "headoffice", "register", "--public-key", str(other)]) == 1
    assert "another head-office key" in capsys.readouterr().err
    # The same version twice is refused.
    key_file, _ = head_office
    assert _publish(hub, key_file, tmp_path, "catalog", 50, b"a") == 0
    assert _publish(hub, key_file, tmp_path, "catalog", 50, b"b") == 1
    assert "already published" in capsys.readouterr().err
    # keygen never overwrites a key.
    assert cli.main(["headoffice", "keygen", "--out", str(other)]) == 1


def test_master_endpoint_is_signed_and_validates_since(hub, head_office):
    _branch, device = hub.new_branch_with_device()
    assert hub.request("GET", "/v1/master").status_code == 401
    for since in ("-1", "x"):
        res = hub.signed(device, "GET", "/v1/master", {"since": since})
        assert res.status_code == 422 and res.json()["error"] == "invalid_request"
