"""counterdesk-hub administration commands (on the demo SQLite database; PostgreSQL is covered by the
master-data and server tests)."""
from __future__ import annotations

import base64

import pytest

from counterdesk.hub import cli, migrate
from helpers.hub import Device, Hub


@pytest.fixture
def url(tmp_path, monkeypatch):
    """The database URL, given through the environment like an installed hub would."""
    value = f"sqlite:///{tmp_path / 'data' / 'hub.db'}"
    monkeypatch.setenv(cli.ENV_URL, value)
    return value


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_commands_need_an_upgraded_database(url, capsys):
    code, _out, err = run(capsys, "branch", "list")
    assert code == 1 and "counterdesk-hub upgrade" in err
    assert run(capsys, "upgrade")[0] == 0
    code, out, _ = run(capsys, "upgrade")
    assert code == 0 and migrate.head_revision() in out
    assert run(capsys, "branch", "list")[1] == "No branches yet.\n"


def test_branch_enrol_code_and_devices(url, capsys):
    assert run(capsys, "upgrade")[0] == 0
    assert run(capsys, "branch", "add", "BJ001", "朝阳支行")[0] == 0
    code, _out, err = run(capsys, "branch", "add", "BJ001", "again")
    assert code == 1 and "already exists" in err
    assert run(capsys, "branch", "add", "bad code!", "x")[0] == 1
    code, out, _ = run(capsys, "enrol-code", "BJ001", "--hours", "2")
    assert code == 0
    enrol_code = out.split("BJ001: ")[1].split()[0]
    assert len(enrol_code) == 32 and int(enrol_code, 16) >= 0
    assert run(capsys, "enrol-code", "NOPE")[0] == 1
    assert run(capsys, "enrol-code", "BJ001", "--hours", "0")[0] == 1

    with Hub.started(url) as hub:
        device = Device.new("BJ001")
        res = hub.request("POST", "/v1/enrol", json_body=device.enrol_body(enrol_code))
        assert res.status_code == 201
        device.id = res.json()["device_id"]
        assert hub.pull(device).status_code == 200

        code, out, _ = run(capsys, "device", "list", "BJ001")
        assert code == 0 and device.id in out and "active" in out and "柜台 3" in out
        assert "devices: 1" in run(capsys, "branch", "list")[1]
        assert "already has a branch key" not in run(capsys, "enrol-code", "BJ001")[1]
        # Once the branch has a key (here from the first push), a hub-made code says it carries none.
        assert hub.push(device, [device.record()]).json()["receipts"][0]["status"] == "accepted"
        assert "already has a branch key" in run(capsys, "enrol-code", "BJ001")[1]

        code, out, _ = run(capsys, "device", "revoke", device.id)
        assert code == 0 and "revoked" in out
        assert hub.pull(device).json()["error"] == "device_revoked"
        assert "revoked" in run(capsys, "device", "list", "BJ001")[1]
    assert run(capsys, "device", "revoke", "not-an-id")[0] == 1
    assert run(capsys, "device", "revoke", "00000000-0000-0000-0000-000000000000")[0] == 1
    assert run(capsys, "device", "list", "NOPE")[0] == 1


def test_head_office_key_files(url, tmp_path, capsys):
    assert run(capsys, "upgrade")[0] == 0
    key = tmp_path / "ho.key"
    assert run(capsys, "headoffice", "keygen", "--out", str(key))[0] == 0
    raw = cli.read_public_key(key.with_name("ho.key.pub"))
    assert cli.read_public_key(key) == raw  # the private key file gives the same public key
    b64 = tmp_path / "ho.b64"
    b64.write_text(base64.b64encode(raw).decode() + "\n")
    assert cli.read_public_key(b64) == raw
    junk = tmp_path / "junk"
    junk.write_text("hello")
    code, _out, err = run(capsys, "headoffice", "register", "--public-key", str(junk))
    assert code == 1 and "neither a PEM key" in err
    code, _out, err = run(capsys, "headoffice", "register", "--public-key", str(tmp_path / "missing"))
    assert code == 1 and "missing" in err
    assert run(capsys, "headoffice", "register", "--public-key", str(b64))[0] == 0
    code, out, _ = run(capsys, "headoffice", "register", "--public-key", str(key))
    assert code == 0 and "Already registered" in out
    payload = tmp_path / "q.json"
    payload.write_text("{}")
    assert run(capsys, "master", "publish", "--kind", "questionnaire", "--version", "1", "--key", str(key),
               str(payload))[0] == 0
    code, _out, err = run(capsys, "master", "publish", "--kind", "questionnaire", "--version", "2", "--key",
                          str(b64), str(payload))
    assert code == 1 and "not an unencrypted PEM private key" in err


def test_usage_errors_exit_1(url, capsys):
    assert run(capsys, "frobnicate")[0] == 1
    assert run(capsys, "master", "publish", "--kind", "weather", "--version", "1", "--key", "k", "f")[0] == 1
    code, _out, err = run(capsys, "serve", "--certfile", "c.pem")
    assert code == 1 and "both --certfile and --keyfile" in err


@pytest.mark.parametrize("argv", [["frobnicate"], ["branch"], ["branch", "add"], ["enrol-code", "BJ001", "--hours"]])
def test_usage_errors_exit_1_with_the_usage(url, capsys, argv):
    code, _out, err = run(capsys, *argv)
    assert code == 1
    assert err.startswith("usage: counterdesk-hub") and "error:" in err
