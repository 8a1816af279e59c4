"""counterdesk-admin sync ...: enrol, code, status, now, quarantine, conflicts, against a real hub
(`counterdesk-hub serve` in a subprocess, over TLS with the demo certificate, on PostgreSQL).

The admin's side of the hub goes through `counterdesk-hub` (branch add, enrol-code, headoffice,
master publish); the workstations are copies of the demo installation driven through
`counterdesk-admin` in process, as an administrator would type it.
"""
from __future__ import annotations

import io
import json
import shutil
import sys

import pytest
from sqlalchemy import select

from counterdesk.cli import admin as cli
from counterdesk.hub import cli as hub_cli
from counterdesk.hub import migrate
from counterdesk.hub.db import make_engine
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import repository
from counterdesk.services.sync import state as sync_state
from counterdesk.services.sync.client import status
from counterdesk.store.models.sync import Outbox
from helpers.demo import PASSWORDS, sign_in_lines, totp_code
from helpers.hub import pg_database
from helpers.hub_process import BRANCH, HubServer, free_port, hub_records


@pytest.fixture
def hub_db():
    with pg_database("cdsynccli") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture
def hubctl(hub_db, capsys):
    """counterdesk-hub on the test database: (exit status, stdout, stderr)."""
    def run(*argv):
        capsys.readouterr()
        code = hub_cli.main(["--database-url", hub_db, *map(str, argv)])
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture
def tls_hub(hub_db, hubctl, tmp_path):
    assert hubctl("tls-demo", "--out", tmp_path / "tls", "--host", "localhost")[0] == 0
    server = HubServer(hub_db, tmp_path, tls=(tmp_path / "tls" / "hub-cert.pem", tmp_path / "tls" / "hub-key.pem"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def plain_hub(hub_db, tmp_path):
    server = HubServer(hub_db, tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workstation(tmp_path, demo_lists_template):
    """workstation("a") -> a fresh copy of the demo installation (its data folder)."""
    def make(name: str):
        root = tmp_path / f"ws-{name}"
        shutil.copytree(demo_lists_template, root)
        return root
    return make


@pytest.fixture
def admin(capsys, monkeypatch, no_terminal):
    """admin(data_dir, *argv, user="admin", lang="en") -> (exit status, stdout, stderr)."""
    def run(data_dir, *argv, user="admin", lang="en"):
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in sign_in_lines(user))))
        code = cli.main(["--data-dir", str(data_dir), "--lang", lang, "--user", user, "--password-stdin",
                         *map(str, argv)])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err
    return run


def _line(out: str, start: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(start))


def _value(out: str, start: str) -> str:
    return _line(out, start).split(start, 1)[1].strip()


class Opened:
    """The workstation's vault, opened (the administrator signed in) for a moment between two commands."""

    def __init__(self, root):
        self.vault = Vault.open(root)
        self.vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))

    def __enter__(self) -> Vault:
        return self.vault

    def __exit__(self, *exc) -> None:
        self.vault.close()


SIGN_INS_AND_OUTS = {"auth.signed_in", "auth.signed_out"}


def _waiting(vault) -> list[str]:
    """The audit actions of the records still waiting in the outbox."""
    return vault.transact(lambda s: [json.loads(r.meta).get("action") for r in s.scalars(
        select(Outbox).where(Outbox.state != "sent"))])


def _first_code(hubctl) -> str:
    code, out, _ = hubctl("enrol-code", BRANCH, "--hours", "1")
    assert code == 0
    return out.split(f"{BRANCH}: ")[1].split()[0]


# ---- enrol, status, now, code, a second workstation ------------------------------------------------

def test_enrol_status_now_and_a_second_workstation_over_tls(tls_hub, hubctl, admin, workstation, tmp_path):
    cert = tmp_path / "tls" / "hub-cert.pem"
    assert hubctl("branch", "add", BRANCH, "演示支行")[0] == 0
    code, out, _ = hubctl("headoffice", "keygen", "--out", tmp_path / "ho.key")
    assert code == 0
    fingerprint = _value(out, "Public key fingerprint (SHA-256):")
    assert hubctl("headoffice", "register", "--public-key", tmp_path / "ho.key.pub")[0] == 0
    questionnaire = tmp_path / "questionnaire.json"
    questionnaire.write_text(json.dumps({"id": "risk_questionnaire", "version": 7}))
    assert hubctl("master", "publish", "--kind", "questionnaire", "--version", "7", "--key", tmp_path / "ho.key",
                  questionnaire)[0] == 0
    a, b = workstation("a"), workstation("b")

    code, out, _ = admin(a, "sync", "status")
    assert code == 0 and "not enrolled" in out

    # Refusals change nothing: the hub's certificate not trusted, a code the hub does not know.
    enrol_code = _first_code(hubctl)
    code, _out, err = admin(a, "sync", "enrol", "--hub", tls_hub.url, "--code", enrol_code)
    assert code == 1 and "cannot be reached" in err and "--ca" in err
    code, _out, err = admin(a, "sync", "enrol", "--hub", tls_hub.url, "--code", "0" * 32, "--ca", cert)
    assert code == 1 and "refused the enrolment code" in err and "Nothing was changed" in err
    code, _out, err = admin(a, "sync", "enrol", "--hub", tls_hub.url, "--code", "not-a-code", "--ca", cert)
    assert code == 1 and "32 hexadecimal" in err
    code, _out, err = admin(a, "sync", "enrol", "--hub", tls_hub.url, "--code", enrol_code, "--ca", tmp_path / "nope.pem")
    assert code == 1 and "CA certificate" in err
    code, _out, err = admin(a, "sync", "enrol", "--hub", "hub.branch.example", "--code", enrol_code, "--ca", cert)
    assert code == 1 and "must start with https://" in err and "hub.branch.example" in err
    code, _out, err = admin(a, "sync", "enrol", "--hub", tls_hub.url, "--code", enrol_code, user="teller")
    assert code == 1 and "not allowed" in err
    assert "not enrolled" in admin(a, "sync", "status")[1]

    # The first workstation of the branch.
    code, out, err = admin(a, "sync", "enrol", "--hub", tls_hub.url, "--code", enrol_code, "--ca", cert,
                           "--name", "柜台 A")
    assert code == 0, err
    assert f"branch {BRANCH}" in out and "the branch key was created here" in out
    device_a = _value(out, "Device id:")
    assert _value(out, "Head-office key fingerprint (SHA-256):") == fingerprint
    code, listed, _ = hubctl("device", "list", BRANCH)
    assert device_a in listed and "柜台 A" in listed
    code, _out, err = admin(a, "sync", "enrol", "--hub", tls_hub.url, "--code", _first_code(hubctl), "--ca", cert)
    assert code == 1 and "already enrolled" in err and "--again" in err

    code, out, _ = admin(a, "sync", "status")
    assert code == 0
    assert _value(out, "Hub:") == tls_hub.url and _value(out, "Device id:") == device_a
    assert _line(out, "Connection:").startswith("Connection: online")
    assert _value(out, "Last sync:") == "never"
    pending = int(_value(out, "Pending records:"))
    assert pending > 0  # the installation's history, queued at enrolment
    assert _value(out, "Quarantined records:") == "0" and _value(out, "Open conflicts:") == "0"
    code, out, _ = admin(a, "sync", "status", lang="zh")
    assert code == 0 and "连接：在线" in out and f"待发送记录：{pending + 2}" in out  # + the sign-in and sign-out

    code, out, err = admin(a, "sync", "now")
    assert code == 0, err
    sent = int(out.split("Sent: ")[1].split()[0])
    assert sent >= pending and "still pending: 0" in out
    assert "Master data: applied 0, kept for later 1, refused 0" in out  # a questionnaire is kept
    assert len(hub_records(tls_hub.database_url, device_a)) == sent
    code, out, _ = admin(a, "sync", "status")
    assert _value(out, "Last sync:") != "never"

    # A code for the next workstation, made on this one.
    code, _out, err = admin(a, "sync", "code", "--hours", "0")
    assert code == 1 and "--hours" in err
    code, out, err = admin(a, "sync", "code", "--hours", "2")
    assert code == 0, err
    code_b = out.split(f"branch {BRANCH}: ")[1].split()[0]
    assert len(code_b) == 32 and f"--hub {tls_hub.url} --code {code_b} --ca" in out

    code, out, err = admin(b, "sync", "enrol", "--hub", tls_hub.url, "--code", code_b, "--ca", cert, "--name", "柜台 B")
    assert code == 0, err
    assert "received with the code" in out and _value(out, "Head-office key fingerprint (SHA-256):") == fingerprint
    device_b = _value(out, "Device id:")
    code, _out, err = admin(workstation("c"), "sync", "enrol", "--hub", tls_hub.url, "--code", code_b, "--ca", cert)
    assert code == 1 and "refused the enrolment code" in err  # it works once

    code, out, err = admin(b, "sync", "now")
    assert code == 0, err
    received = int(out.split("Received: ")[1].split()[0])
    assert received >= sent  # A's records (and B's own, which come back marked as its own)
    assert admin(a, "sync", "now")[0] == 0
    code, out, _ = admin(b, "sync", "now", user="teller")
    assert code == 1
    for root in (a, b):
        with Opened(root) as vault:  # only sign-ins and sign-outs after the last push wait
            assert set(_waiting(vault)) <= SIGN_INS_AND_OUTS
    assert {device_a, device_b} <= set(hubctl("device", "list", BRANCH)[1].split())


# ---- quarantine and conflicts ------------------------------------------------------------------------

POISON = "11111111-2222-4333-8444-555555555555"


def test_quarantine_requeue_and_conflicts(plain_hub, hubctl, admin, workstation):
    from helpers.counter import at_recommendation

    assert hubctl("branch", "add", BRANCH, "演示支行")[0] == 0
    a, b = workstation("a"), workstation("b")
    code, _out, err = admin(a, "sync", "enrol", "--hub", plain_hub.url, "--code", _first_code(hubctl))
    assert code == 0 and "not https" in err  # a test bench without TLS is named as such
    code_b = admin(a, "sync", "code")[1].split(f"branch {BRANCH}: ")[1].split()[0]
    assert admin(b, "sync", "enrol", "--hub", plain_hub.url, "--code", code_b)[0] == 0
    for root in (a, b, a):
        assert admin(root, "sync", "now")[0] == 0

    # A record whose meta the hub does not allow (a name in it) is quarantined; the rest flows.
    with Opened(a) as vault:
        def poison(s):
            good = s.scalars(select(Outbox).where(Outbox.type == "audit.entry")).first()
            s.add(Outbox(id=POISON, type="counter_session", created_at=good.created_at, body=good.body,
                         meta=json.dumps({"session_id": POISON, "name": "Zhang"}), state="pending", attempts=0))
        vault.transact(poison)
    code, out, err = admin(a, "sync", "now")
    assert code == 0 and "1 refused and quarantined" in out and "sync quarantine" in err
    code, out, _ = admin(a, "sync", "status")
    assert _value(out, "Quarantined records:").startswith("1 ")
    code, out, _ = admin(a, "sync", "quarantine")
    assert code == 0
    row = _line(out, POISON).split()
    assert row[1] == "counter_session" and "meta_not_allowed" in row and row[-1] == "1"
    code, out, _ = admin(a, "sync", "quarantine", user="teller")
    assert code == 1

    code, _out, err = admin(a, "sync", "quarantine", "--requeue", "no-such-record")
    assert code == 1 and "no-such-record" in err and "nothing was changed" in err
    code, out, _ = admin(a, "sync", "quarantine", "--requeue", POISON)
    assert code == 0 and "Requeued 1 records" in out
    assert "No quarantined records." in admin(a, "sync", "quarantine")[1]
    code, out, _ = admin(a, "sync", "now")
    assert "1 refused and quarantined" in out  # still refused: it stays quarantined, visible
    code, out, _ = admin(a, "sync", "quarantine", "--all")
    assert code == 0 and "Requeued 1 records" in out
    admin(a, "sync", "now")
    assert _line(admin(a, "sync", "quarantine")[1], POISON).split()[-1] == "3"
    with Opened(a) as vault:
        actions = [e.action for e in vault.audit_entries(vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin")), limit=40)]
    assert actions.count("sync.requeued") == 2 and "sync.quarantined" in actions

    # The same customer changed on both workstations: each keeps both versions until a user chooses.
    assert "No open conflicts." in admin(a, "sync", "conflicts")[1]
    with Opened(a) as vault:
        counter_session = at_recommendation(vault)
        cid = counter_session.state.customer_id
        counter_session.cancel()
    assert admin(a, "sync", "now")[0] == 0 and admin(b, "sync", "now")[0] == 0
    for root, answers in ((a, {"phone": "13900001111"}), (b, {"occupation": "gbt6565_4"})):
        with Opened(root) as vault:
            teller = vault.sign_in("teller", PASSWORDS["teller"])
            repository.update_customer(vault, teller, cid, answers, "changed at the counter")
    for root in (a, b, a):
        assert admin(root, "sync", "now")[0] == 0
    code, out, _ = admin(b, "sync", "status")
    assert _value(out, "Open conflicts:").startswith("1 ")
    code, out, _ = admin(b, "sync", "conflicts")  # the administrator sees which object, not what changed
    assert code == 0 and cid in out and "customer_version" in out and "phone" not in out
    assert "shown to users who may view customers" in out
    code, out, _ = admin(b, "sync", "conflicts", user="teller")
    row = next(line for line in out.splitlines() if cid in line)
    assert "customer_version" in row and "1/2/2" in row and "occupation, phone" in row
    code, out, _ = admin(b, "sync", "conflicts", user="teller", lang="zh")
    assert code == 0 and "差异字段" in out and "未处理" in out
    assert admin(b, "sync", "conflicts", user="supervisor")[0] == 0


# ---- the hub out of reach ----------------------------------------------------------------------------

def test_an_unreachable_hub_fails_clearly_and_nothing_is_lost(plain_hub, hubctl, admin, workstation):
    assert hubctl("branch", "add", BRANCH, "演示支行")[0] == 0
    a = workstation("a")
    code, _out, err = admin(a, "sync", "now")
    assert code == 1 and "not enrolled" in err
    nobody = f"http://127.0.0.1:{free_port()}"
    code, _out, err = admin(a, "sync", "enrol", "--hub", nobody, "--code", _first_code(hubctl))
    assert code == 1 and f"The sync hub at {nobody} cannot be reached" in err
    code, _out, err = admin(a, "sync", "enrol", "--hub", "hub.example:8443", "--code", "0" * 32)
    assert code == 1 and "https://" in err
    assert admin(a, "sync", "enrol", "--hub", plain_hub.url, "--code", _first_code(hubctl))[0] == 0
    assert admin(a, "sync", "now")[0] == 0

    plain_hub.stop()
    code, out, _ = admin(a, "sync", "status")
    assert code == 0 and _line(out, "Connection:").startswith("Connection: offline")
    with Opened(a) as vault:
        vault.record(None, "sync.probe")  # work done while the hub is away
        waiting = status(vault).pending_count
    code, out, err = admin(a, "sync", "now")
    assert code == 1 and out == ""
    assert f"The sync hub at {plain_hub.url} cannot be reached" in err
    assert f"Nothing was lost: {waiting + 1} record(s) wait on this workstation" in err  # + this sign-in
    assert "ConnectError" in err
    code, _out, err = admin(a, "sync", "now", lang="zh")
    assert code == 1 and "无法连接同步服务器" in err and "数据未丢失" in err
    code, _out, err = admin(a, "sync", "code")
    assert code == 1 and "cannot be reached" in err
    with Opened(a) as vault:
        assert "sync.probe" in _waiting(vault)
        assert status(vault).pending_count > waiting  # nothing dropped; the failed commands' sign-ins added

    plain_hub.start()  # same port, same database
    code, out, err = admin(a, "sync", "now")
    assert code == 0 and "still pending: 0" in out, err
    with Opened(a) as vault:
        device = vault.transact(lambda s: sync_state.get(s, sync_state.DEVICE_ID))
        rows = vault.transact(lambda s: [(r.id, r.server_seq, r.state, json.loads(r.meta).get("action"))
                                         for r in s.scalars(select(Outbox))])
    assert {rid: seq for rid, seq, state, _ in rows if state == "sent"} == hub_records(plain_hub.database_url, device)
    assert {action for _, _, state, action in rows if state != "sent"} <= SIGN_INS_AND_OUTS

    # A device revoked on the hub is told so, and how to come back.
    assert hubctl("device", "revoke", device)[0] == 0
    code, out, err = admin(a, "sync", "now")
    assert code == 1 and "(device_revoked)" in err and "sync enrol --again" in err
    # It comes back with a code made on the hub (which carries no branch key): it still holds the key.
    code, out, err = admin(a, "sync", "enrol", "--hub", plain_hub.url, "--code", _first_code(hubctl), "--again")
    assert code == 0, err
    code, out, err = admin(a, "sync", "now")
    assert code == 0 and "still pending: 0" in out, err


def test_sync_now_exits_2_when_it_refuses_tampered_master_data(plain_hub, hubctl, admin, workstation, tmp_path):
    """Master data changed on its way (here: in the hub's database) is refused, and the command says so by its
    exit status, as verify does, so a script that runs `sync now` notices."""
    assert hubctl("branch", "add", BRANCH, "演示支行")[0] == 0
    assert hubctl("headoffice", "keygen", "--out", tmp_path / "ho.key")[0] == 0
    assert hubctl("headoffice", "register", "--public-key", tmp_path / "ho.key.pub")[0] == 0
    questionnaire = tmp_path / "questionnaire.json"
    questionnaire.write_text(json.dumps({"id": "risk_questionnaire", "version": 8}))
    assert hubctl("master", "publish", "--kind", "questionnaire", "--version", "8", "--key", tmp_path / "ho.key",
                  questionnaire)[0] == 0
    engine = make_engine(plain_hub.database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE master_items SET payload = convert_to('{\"id\": \"forged\"}', 'UTF8')")
    engine.dispose()
    a = workstation("a")
    assert admin(a, "sync", "enrol", "--hub", plain_hub.url, "--code", _first_code(hubctl))[0] == 0

    code, out, _ = admin(a, "sync", "now")
    assert code == 2, out
    assert "refused 1" in out and "refused questionnaire version 8" in out
    assert admin(a, "sync", "now")[0] == 0  # refused once and recorded: the next run has nothing new to refuse
