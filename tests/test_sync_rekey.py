"""Against a real hub (`counterdesk-hub serve` in a subprocess, on PostgreSQL): a device revoked on the
hub shows as revoked in `counterdesk-admin sync status` and on the sync page, never "online"; and a
branch whose every workstation is lost gets a new branch key with `counterdesk-hub branch rekey`: the
lost devices and their codes are refused, new workstations start under a new key without the records
sealed under the old one, and sync between them works as before."""
from __future__ import annotations

import io
import os
import shutil
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from sqlalchemy import func, select

from counterdesk.cli import admin as admin_cli
from counterdesk.hub import cli as hub_cli
from counterdesk.hub import migrate
from counterdesk.hub.db import make_engine
from counterdesk.hub.models import Branch, Record
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sync import remote_audit, state
from counterdesk.services.sync.client import HubRefused, SyncClient, status
from counterdesk.services.sync.enrol import enrol, make_enrol_code
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.sync import Inbox, SyncRemoteAudit
from counterdesk.ui.admin.audit_page import AuditPage
from counterdesk.ui.admin.sync_page import SyncPage
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages
from helpers.demo import PASSWORDS, WAIT, sign_in_lines, totp_code
from helpers.hub import pg_database
from helpers.hub_process import HubServer, hub_sessions


@pytest.fixture(scope="module")
def hub_db():
    with pg_database("cdrekey") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def server(hub_db, tmp_path_factory):
    hub = HubServer(hub_db, tmp_path_factory.mktemp("hub-logs")).start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def hubctl(hub_db, capsys):
    def run(*argv):
        capsys.readouterr()
        code = hub_cli.main(["--database-url", hub_db, *map(str, argv)])
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture
def stations(tmp_path, demo_lists_template):
    """station(name) -> (vault, admin) on a fresh copy of the demo installation; closed afterwards."""
    made = []

    def make(name: str):
        root = tmp_path / name
        shutil.copytree(demo_lists_template, root)
        vault = Vault.open(root)
        made.append(vault)
        return vault, vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    yield make
    for vault in made:
        vault.close()


@pytest.fixture
def keep():
    """Pages kept alive until the test's Qt events are processed (qtbot holds only weak references)."""
    pages: list = []
    yield pages


def _hub_code(hubctl, branch: str) -> tuple[str, str]:
    code, out, _ = hubctl("enrol-code", branch, "--hours", "1")
    assert code == 0, out
    return out.split(f"{branch}: ")[1].split()[0], out


def _client(vault, admin) -> SyncClient:
    return SyncClient(vault, admin, anchoring=False, timeout=10.0)


def _records_of(vault, n: int) -> None:
    for i in range(n):
        vault.record(None, "probe.rekey", "probe", f"r-{i}", {"count": i})


# ---- a revoked device ------------------------------------------------------------------------------

def test_a_device_revoked_on_the_hub_shows_as_revoked_not_online(server, hubctl, stations, capsys, monkeypatch,
                                                                  no_terminal, qapp, qtbot, keep):
    assert hubctl("branch", "add", "RV01", "吊销测试支行")[0] == 0
    vault, admin = stations("w")
    done = enrol(vault, admin, server.url, _hub_code(hubctl, "RV01")[0], branch_code="RV01")
    root = vault.data.root

    def sync_status() -> str:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in sign_in_lines("admin"))))
        assert admin_cli.main(["--data-dir", str(root), "--lang", "en", "--user", "admin", "--password-stdin",
                               "sync", "status"]) == 0
        return capsys.readouterr().out

    out = sync_status()
    assert "Connection: online" in out and "revoked" not in out
    assert hubctl("device", "revoke", done.device_id)[0] == 0
    out = sync_status()
    assert "Connection: online" not in out
    assert "this device is revoked on the hub (device_revoked)" in out
    current = status(vault, online=True)
    assert current.revoked == "device_revoked" and current.online is False

    # The sync page says so too, after the hub refused a request (here: "Sync now").
    ctx = AppContext(root, demo=True, languages=Languages(qapp))
    ctx.vault, ctx.user = vault, vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    page = SyncPage(ctx)
    keep.append(page)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.refresh()
    assert page.status_box.v_connection.text().startswith("Revoked")
    assert page.status_box.v_connection.property("state") == "error"

    # Enrolled again (a new code): accepted, no longer shown as revoked.
    enrol(vault, admin, server.url, _hub_code(hubctl, "RV01")[0], branch_code="RV01", again=True)
    assert status(vault).revoked is None
    out = sync_status()
    assert "Connection: online" in out
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.refresh()
    assert page.status_box.v_connection.text().startswith("Enrolled")
    qtbot.waitUntil(lambda: not page.loading and not page.busy, timeout=WAIT)


# ---- every workstation lost: a new branch key ----------------------------------------------------------

def test_branch_rekey_when_every_workstation_is_lost(server, hubctl, stations, hub_db, qapp, qtbot, keep):
    assert hubctl("branch", "add", "RK01", "换钥测试支行")[0] == 0
    a, a_admin = stations("a")
    first = enrol(a, a_admin, server.url, _hub_code(hubctl, "RK01")[0], branch_code="RK01")
    b, b_admin = stations("b")
    enrol(b, b_admin, server.url, make_enrol_code(a, a_admin, verify=True).code, branch_code="RK01")
    ca, cb = _client(a, a_admin), _client(b, b_admin)
    _records_of(a, 3)
    ca.push_all()
    assert cb.pull_all().applied > 0
    spare = make_enrol_code(a, a_admin).code   # made by a workstation about to be lost, never used
    old_key = first.branch_key_id

    # Both workstations are lost. Head office must type the branch code twice.
    code, _out, err = hubctl("branch", "rekey", "RK01", "--confirm", "RK02")
    assert code == 1 and "--confirm must repeat the branch code" in err
    code, out, _err = hubctl("branch", "rekey", "RK01", "--confirm", "RK01")
    assert code == 0, out
    assert f"branch key {old_key} retired" in out and "Revoked 2 device(s)" in out
    assert "voided 1 unused enrolment code(s)" in out

    # The lost devices are refused, their code is void, and their key cannot come back.
    with pytest.raises(HubRefused) as refused:
        ca.push_all()
    assert refused.value.code == "device_revoked"
    c, c_admin = stations("c")
    with pytest.raises(HubRefused) as refused:
        enrol(c, c_admin, server.url, spare, branch_code="RK01")
    assert refused.value.code == "enrol_code_invalid"
    with pytest.raises(HubRefused) as refused:
        enrol(a, a_admin, server.url, _hub_code(hubctl, "RK01")[0], branch_code="RK01", again=True)
    assert refused.value.code == "branch_key_retired"

    # The first new workstation creates the new key and starts after the sealed records.
    code_c, out = _hub_code(hubctl, "RK01")
    assert "creates the new key" in out
    new = enrol(c, c_admin, server.url, code_c, branch_code="RK01")
    assert new.first_in_branch and new.branch_key_id != old_key
    cc = _client(c, c_admin)
    pulled = cc.pull_all()
    with hub_sessions(hub_db) as session:
        branch = session.get(Branch, "RK01")
        floor, retired, key = branch.key_floor_seq, branch.retired_key_id, branch.key_id
        sealed = session.scalar(select(func.count()).select_from(Record).where(
            Record.branch == "RK01", Record.key_id == old_key))
    assert (retired, key) == (old_key, new.branch_key_id) and sealed > 0
    assert pulled.received == 0 and cc.cursor() >= floor
    assert c.transact(lambda s: s.scalar(select(func.count()).select_from(Inbox))) == 0
    assert not c.transact(lambda s: list(s.scalars(select(AuditEntry).where(
        AuditEntry.action == "sync.record_refused"))))
    assert cc.wait_once(1) is False  # nothing new for it: the long poll waits, it does not spin

    # Sync between the new workstations works as before.
    d, d_admin = stations("d")
    joined = enrol(d, d_admin, server.url, make_enrol_code(c, c_admin).code, branch_code="RK01")
    assert not joined.first_in_branch and joined.branch_key_id == new.branch_key_id
    _records_of(c, 2)
    cc.push_all()
    cd = _client(d, d_admin)
    got = cd.pull_all()
    assert got.received > 0 and got.failed == 0
    c_ws = c.transact(lambda s: state.get(s, state.WORKSTATION_ID))
    assert d.transact(lambda s: s.scalar(select(func.count()).select_from(SyncRemoteAudit).where(
        SyncRemoteAudit.workstation_id == c_ws))) > 0
    assert d.transact(remote_audit.verify).ok
    keep.append(_audit_page_shows_the_branch(qapp, qtbot, d, d_admin, c_ws))
    code, out, _ = hubctl("branch", "list")
    assert f"branch key: {new.branch_key_id}" in out
    for client in (ca, cb, cc, cd):
        client.close()


def _audit_page_shows_the_branch(qapp, qtbot, vault, user, other_ws: str) -> AuditPage:
    """The audit page of ``vault``: this workstation's entries, then with "Whole branch" the other's too,
    each with its workstation, and the other's chain verified."""
    ctx = AppContext(vault.data.root, demo=True, languages=Languages(qapp))
    ctx.vault, ctx.user = vault, user
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.refresh()
    assert page.rows and all(not r.origin for r in page.rows) and not page.chains.isVisible()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.branch_box.setChecked(True)
    remote = [r for r in page.rows if r.origin]
    assert remote and {r.origin for r in remote} == {other_ws}
    assert any(r.action == "probe.rekey" for r in remote) and any(not r.origin for r in page.rows)
    assert [r.ts for r in page.rows] == sorted((r.ts for r in page.rows), reverse=True)
    row = next(i for i, r in enumerate(page.rows) if r.origin)
    assert page.table.item(row, 3).text() == page.rows[row].workstation
    assert other_ws in page.table.item(row, 3).toolTip()
    assert page.chains.isVisible() and page.chains.text().startswith("✓") and "verify" in page.chains.text()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.branch_box.setChecked(False)
    assert all(not r.origin for r in page.rows)
    return page
