"""The administrator's sync page, driven offscreen on real demo installations against a real hub
(`counterdesk-hub serve` over TLS with the demo certificate, on PostgreSQL): enrolment with the demo
CA (a wrong code shows the hub's refusal and changes nothing), the pinned head-office fingerprint,
"Sync now", a code for the next workstation, a record the hub refused sent again, the hub out of
reach, and a customer changed on two workstations resolved from the conflicts tab."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import shutil
import socket

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt
from sqlalchemy import select

from counterdesk.hub import cli as hub_cli
from counterdesk.protocol.signing import public_key_fingerprint
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import repository
from counterdesk.services.sync import conflicts, state
from counterdesk.services.sync.client import SyncClient, tls_verify
from counterdesk.services.sync.enrol import enrol
from counterdesk.store import audit
from counterdesk.store.models.sync import PENDING, QUARANTINED, SENT, Outbox
from counterdesk.ui.admin.sync_page import SyncPage
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages
from helpers.counter import at_recommendation
from helpers.demo import (
    PASSWORDS,
    WAIT,
    totp_code,
)


@pytest.fixture(scope="module")
def head_office_fp(hub_url, tmp_path_factory):
    """The head-office key registered on the module's hub; its fingerprint, as head office reads it out."""
    key = Ed25519PrivateKey.generate()
    pub = tmp_path_factory.mktemp("head-office") / "ho.pem.pub"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    assert hub_cli.main(["--database-url", hub_url, "headoffice", "register", "--public-key", str(pub)]) == 0
    return public_key_fingerprint(key)


def hub_code(db_url: str, branch: str, capsys) -> str:
    """A new branch on the hub and the one-time code of its first workstation (as the hub admin makes it)."""
    assert hub_cli.main(["--database-url", db_url, "branch", "add", branch, "页面测试支行"]) == 0
    assert hub_cli.main(["--database-url", db_url, "enrol-code", branch, "--hours", "1"]) == 0
    return capsys.readouterr().out.split(f"{branch}: ")[1].split()[0]


@pytest.fixture
def make_page(qapp, qtbot):
    made = []

    def make(vault, username: str) -> SyncPage:
        ctx = AppContext(vault.data.root, demo=True, languages=Languages(qapp))
        ctx.vault, ctx.user = vault, vault.sign_in(username, PASSWORDS[username], totp_code(username))
        page = SyncPage(ctx)
        qtbot.addWidget(page)
        page.resize(1100, 720)
        page.show()
        with qtbot.waitSignal(page.loaded, timeout=WAIT):
            page.refresh()
        made.append(page)
        return page
    yield make
    for page in made:  # no background work may still run when the vault closes
        qtbot.waitUntil(lambda p=page: not p.loading and not p.busy, timeout=WAIT)


@pytest.fixture
def opened(demo_lists_template, tmp_path):
    """open_copy("a") -> a Vault on a fresh copy of the demo branch; all closed afterwards."""
    vaults = []

    def open_copy(name: str) -> Vault:
        root = tmp_path / name
        shutil.copytree(demo_lists_template, root)
        vault = Vault.open(root)
        vaults.append(vault)
        return vault
    yield open_copy
    for vault in vaults:
        vault.close()


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def idle(page) -> bool:
    return not page.busy and not page.loading


def cells(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_enrol_sync_code_and_send_a_refused_record_again(qtbot, make_page, opened, tls_hub, hub_url,
                                                         head_office_fp, capsys):
    base, _ctx, cert = tls_hub
    code = hub_code(hub_url, "SP01", capsys)
    vault = opened("a")
    page = make_page(vault, "admin")
    assert page.enrol_box.isVisible() and not page.status_box.isVisible() and not page.tabs.isVisible()
    assert page.branch.text() == "DEMO" and page.enrol_button.isEnabled()
    page.branch.clear()
    qtbot.keyClicks(page.branch, "SP01")
    qtbot.keyClicks(page.hub_url, base)
    qtbot.keyClicks(page.ca_path, str(cert))

    # Not 32 hex digits: the core's own message.
    qtbot.keyClicks(page.code, "12345")
    click(qtbot, page.enrol_button)
    qtbot.waitUntil(lambda: idle(page) and page.message.isVisible(), timeout=WAIT)
    assert page.message.text() == "An enrolment code is 32 hexadecimal characters."

    # A well-formed code the hub does not know: its refusal, nothing changed here.
    page.code.clear()
    qtbot.keyClicks(page.code, "0" * 32)
    click(qtbot, page.enrol_button)
    qtbot.waitUntil(lambda: idle(page) and page.message.isVisible(), timeout=WAIT)
    assert "The hub refused the code" in page.message.text() and "SP01" in page.message.text()
    assert "Nothing was changed" in page.message.text()
    assert not vault.transact(state.enrolled) and page.enrol_box.isVisible()

    # The right code (grouped as it may be read out): enrolled; the page shows where and what to compare.
    page.code.clear()
    qtbot.keyClicks(page.code, " ".join(code[i:i + 8] for i in range(0, 32, 8)))
    with qtbot.waitSignal(page.enrolled, timeout=WAIT) as enrolled:
        click(qtbot, page.enrol_button)
    done = enrolled.args[0]
    qtbot.waitUntil(lambda: idle(page) and page.status_box.isVisible(), timeout=WAIT)
    assert vault.transact(state.enrolled) and done.branch_code == "SP01" and done.first_in_branch
    assert not page.enrol_box.isVisible() and page.tabs.isVisible()
    assert page.message.text().startswith(f"This workstation is enrolled in branch SP01 (device {done.device_id}).")
    assert "the one the hub administrator gives you" in page.message.text()
    assert page.v_fingerprint.text() == head_office_fp == done.head_office_fingerprint
    assert "character by character" in page.fingerprint_note.text()
    assert page.v_device.text() == done.device_id and page.v_branch.text() == "SP01"
    assert page.v_hub.text().startswith(base) and "CA certificate" in page.v_hub.text()
    assert page.v_last.text() == "never" and int(page.v_pending.text()) > 0  # the history waits to be sent
    assert page.v_quarantined.text() == "0" and page.v_conflicts.text() == "0"
    assert page.tabs.tabText(0) == "Refused by the hub (0)" and page.tabs.tabText(1) == "Conflicts (0)"
    assert page.code.text() == ""  # the used code does not linger on screen

    # Sync now: everything reaches the hub.
    with qtbot.waitSignal(page.changed, timeout=WAIT) as changed:
        click(qtbot, page.sync_button)
    assert changed.args == ["synced"]
    qtbot.waitUntil(lambda: idle(page) and page.v_pending.text() == "0", timeout=WAIT)
    assert page.message.text().startswith("Sync done. Sent ") and "still waiting 0" in page.message.text()
    assert page.v_last.text() != "never"
    sent = vault.transact(lambda s: s.scalar(select(Outbox.id).where(Outbox.state == SENT).limit(1)))
    assert sent

    # A code for the next workstation: 32 hex digits (grouped for reading out) with its expiry.
    assert not page.next_code.isVisible()
    with qtbot.waitSignal(page.changed, timeout=WAIT) as changed:
        click(qtbot, page.code_button)
    assert changed.args == ["code"]
    qtbot.waitUntil(lambda: idle(page) and page.next_code.isVisible(), timeout=WAIT)
    shown = page.next_code.text()
    assert re.fullmatch(r"([0-9a-f]{4} ){7}[0-9a-f]{4}", shown)
    assert shown.replace(" ", "") == page.last_code.code and page.last_code.branch_code == "SP01"
    assert "branch SP01, valid until" in page.code_note.text() and base in page.code_note.text()
    # It works: a second workstation enrols with it.
    other = opened("b")
    other_admin = other.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    second = enrol(other, other_admin, base, shown, name="柜台 B", branch_code="SP01", verify=str(cert))
    assert not second.first_in_branch and second.head_office_fingerprint == head_office_fp

    # A record the hub refused: listed (type, error, time; never its body) and sent again.
    def quarantine(db):
        row = db.scalar(select(Outbox).where(Outbox.id == sent))
        row.state, row.last_error = QUARANTINED, "type_unknown"
        return row.type, row.created_at
    record_type, _created = vault.transact(quarantine)
    qtbot.keyClick(page, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: page.q_table.rowCount() == 1 and idle(page), timeout=WAIT)
    row = cells(page.q_table, 0)
    assert row[0] == record_type and row[1] == "type_unknown" and row[2] and row[3] == sent[:8] + "…"
    assert page.tabs.tabText(0) == "Refused by the hub (1)" and page.v_quarantined.text() == "1"
    assert page.q_send_all.isEnabled() and not page.q_send_selected.isEnabled()
    page.q_table.selectRow(0)
    with qtbot.waitSignal(page.changed, timeout=WAIT) as changed:
        click(qtbot, page.q_send_selected)
    assert changed.args == ["requeued"]
    qtbot.waitUntil(lambda: idle(page) and page.q_table.rowCount() == 0, timeout=WAIT)
    assert page.message.text() == "1 record(s) will be sent again at the next sync."
    assert vault.transact(lambda s: s.scalar(select(Outbox.state).where(Outbox.id == sent))) == PENDING
    assert int(page.v_pending.text()) >= 1 and page.tabs.tabText(0) == "Refused by the hub (0)"
    actions = [e.action for e in vault.transact(lambda s: audit.recent(s, 50))]
    assert "sync.requeued" in actions and "sync.enrol_code_issued" in actions and "sync.enrolled" in actions
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        click(qtbot, page.sync_button)
    qtbot.waitUntil(lambda: idle(page) and page.v_pending.text() == "0", timeout=WAIT)
    assert int(re.search(r"\((\d+) already at the hub\)", page.message.text()).group(1)) >= 1  # the requeued one

    # The hub out of reach: a clear message, nothing lost.
    vault.transact(lambda s: state.put(s, state.HUB_URL, f"https://localhost:{closed_port()}"))
    click(qtbot, page.sync_button)
    qtbot.waitUntil(lambda: idle(page) and "cannot be reached" in page.message.text(), timeout=WAIT)
    assert "Nothing is lost" in page.message.text() and page.sync_button.isEnabled()


def _sync(client: SyncClient):
    return client.push_all(), client.pull_all()


def test_a_customer_changed_on_two_workstations_is_resolved_from_the_conflicts_tab(
        qtbot, make_page, opened, tls_hub, hub_url, head_office_fp, capsys):
    base, _ctx, cert = tls_hub
    code = hub_code(hub_url, "SP02", capsys)
    a, b = opened("a"), opened("b")
    admin_a, admin_b = a.sign_in("admin", PASSWORDS["admin"], totp_code("admin")), b.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    enrol(a, admin_a, base, code, name="柜台 A", branch_code="SP02", verify=str(cert))
    client_a = SyncClient(a, admin_a, verify=tls_verify(a))
    from counterdesk.services.sync.enrol import make_enrol_code
    enrol(b, admin_b, base, make_enrol_code(a, admin_a, verify=tls_verify(a)).code, name="柜台 B",
          branch_code="SP02", verify=str(cert))
    client_b = SyncClient(b, admin_b, verify=tls_verify(b))
    try:
        # As tests/test_sync_hub.py makes one: the customer changed on A and on B from version 1.
        counter_session = at_recommendation(a)
        teller_a, cid = counter_session.user, counter_session.state.customer_id
        counter_session.cancel()
        _sync(client_a)
        _sync(client_b)
        teller_b = b.sign_in("teller", PASSWORDS["teller"])
        repository.update_customer(a, teller_a, cid, {"phone": "13900001111"}, "new phone (A)")
        repository.update_customer(b, teller_b, cid, {"occupation": "gbt6565_4"}, "new job (B)")
        _sync(client_a)
        _sync(client_b)
        assert _sync(client_a)[1].conflicts == 1
    finally:
        client_a.close()
        client_b.close()

    # The administrator sees which record is in conflict, not what differs, and cannot choose.
    admin_page = make_page(b, "admin")
    assert admin_page.tabs.tabText(1) == "Conflicts (1)" and admin_page.v_conflicts.text() == "1"
    row = cells(admin_page.c_table, 0)
    assert row[0] == "Customer profile changed on two workstations" and row[1] == cid[:8] + "…"
    assert row[2] == "1 / 2 / —" and row[3] == "(not shown to your role)"
    assert not admin_page.keep_local.isEnabled() and not admin_page.keep_remote.isEnabled()
    assert "Only a user who may edit customers" in admin_page.c_note.text()

    # A user who may edit customers keeps the other workstation's version.
    page = make_page(b, "teller")
    row = cells(page.c_table, 0)
    assert row[2] == "1 / 2 / 2" and row[3] == "occupation, phone"
    assert page.current_conflict() is not None and page.keep_remote.isEnabled()
    with qtbot.waitSignal(page.changed, timeout=WAIT) as changed:
        click(qtbot, page.keep_remote)
    assert changed.args == ["resolved"]
    qtbot.waitUntil(lambda: idle(page) and page.c_table.rowCount() == 0, timeout=WAIT)
    assert page.message.text().startswith("The other workstation's version is now the current one")
    assert page.tabs.tabText(1) == "Conflicts (0)" and not page.keep_local.isEnabled()
    assert repository.get_customer(b, teller_b, cid).version == 3
    assert repository.reveal(b, teller_b, cid, "phone") == "+8613900001111"
    assert conflicts.list_conflicts(b, teller_b) == []

    # On A, the same conflict keeps A's version.
    page_a = make_page(a, "teller")
    assert page_a.c_table.rowCount() == 1
    with qtbot.waitSignal(page_a.changed, timeout=WAIT):
        click(qtbot, page_a.keep_local)
    qtbot.waitUntil(lambda: idle(page_a) and page_a.c_table.rowCount() == 0, timeout=WAIT)
    assert page_a.message.text() == "This workstation's version stays; the conflict is closed."
    assert repository.get_customer(a, teller_a, cid).version == 2
