"""Through the real main window of an enrolled workstation whose hub cannot be reached: a returning
customer's session goes on, and both the session page and the find page say (in Chinese) that the
customer's latest flags could not be checked with the hub, and when the last successful sync was."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import socket

from PySide6.QtCore import Qt

from counterdesk.flow.counter_session import CounterSession
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sync import fresh, state
from counterdesk.services.sync.client import SyncClient
from counterdesk.services.sync.enrol import enrol
from helpers.counter import SPECIMEN, identify, kyc
from helpers.demo import PASSWORDS, WAIT, totp_code
from helpers.gui import at, read_document, session_page
from test_sync_hub import HUB, PortalTransport

UNCHECKED = "未能向同步服务器核对该客户的最新标记"


def _closed_port() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def _enrolled_with_a_customer(hub, root) -> None:
    """Enrolled at the in-process hub, a customer served and synced; then the hub's address stops answering."""
    vault = Vault.open(root)
    try:
        transport = PortalTransport(hub)
        branch = hub.add_branch()
        admin = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
        enrol(vault, admin, HUB, hub.first_code(branch), name="柜台 A", branch_code=branch, transport=transport)

        def client(v: Vault, seconds: float) -> SyncClient:
            return SyncClient(v, None, transport=transport, timeout=seconds, anchoring=False)
        served = CounterSession(vault, vault.sign_in("teller", PASSWORDS["teller"]),
                                hub_check=fresh.CustomerCheck(vault, 2.0, client))
        identify(served, SPECIMEN, kyc())
        served.cancel("customer_left")
        with SyncClient(vault, admin, transport=transport, anchoring=False) as sync:
            assert sync.push_all().rejected == 0
        url = _closed_port()
        vault.transact(lambda s: state.put(s, state.HUB_URL, url))
    finally:
        vault.close()


def test_offline_the_session_and_the_find_page_say_the_flags_were_not_checked(qtbot, open_window, hub,
                                                                              demo_lists_template, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(demo_lists_template, root)
    _enrolled_with_a_customer(hub, root)
    window = open_window(root, "teller")

    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)  # a returning customer: the session goes on
    assert UNCHECKED in page.banner.text() and "上次成功同步：" in page.banner.text()
    assert "从未同步" not in page.banner.text()

    window.home.show_task("customer.find")
    find = window.home.pages["customer.find"]
    qtbot.keyClicks(find.query, "zxm")
    with qtbot.waitSignal(find.searched, timeout=WAIT):
        qtbot.keyClick(find.query, Qt.Key.Key_Return)
    find.table.selectRow(0)
    qtbot.waitUntil(lambda: find.details.rowCount() > 0, timeout=WAIT)
    qtbot.waitUntil(lambda: UNCHECKED in find.message.text(), timeout=WAIT)
