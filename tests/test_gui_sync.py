"""Two workstations and a hub, through the real main windows: the hub runs as it is deployed
(`counterdesk-hub serve` over TLS with the demo certificate, on PostgreSQL); the teller submits a
sign-off on workstation A, the supervisor approves it from workstation B's queue, and the teller on
A prints the confirmation. The status bars show the sync state."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import time

from PySide6.QtCore import Qt
from sqlalchemy import create_engine, text

from counterdesk.hub import cli as hub_cli
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sync.client import tls_verify
from counterdesk.services.sync.enrol import enrol, make_enrol_code
from helpers.demo import PASSWORDS, WAIT, totp_code
from helpers.gui import (
    at,
    choose_own,
    customer_signs,
    finish,
    print_both,
    teller_attests,
    to_recommendation,
)


def enrolled_pair(tmp_path, template, base: str, cert, db_url: str, capsys):
    assert hub_cli.main(["--database-url", db_url, "branch", "add", "GUI01", "界面测试支行"]) == 0
    assert hub_cli.main(["--database-url", db_url, "enrol-code", "GUI01", "--hours", "1"]) == 0
    code = capsys.readouterr().out.split("GUI01: ")[1].split()[0]
    roots = []
    first_vault = first_admin = None  # workstation A enrols first and makes B's code
    for name in ("a", "b"):
        root = tmp_path / name
        shutil.copytree(template, root)
        vault = Vault.open(root)
        admin = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
        if name == "b":
            code = make_enrol_code(first_vault, first_admin, verify=tls_verify(first_vault)).code
        enrol(vault, admin, base, code, name=f"柜台 {name.upper()}", branch_code="GUI01", verify=str(cert))
        if name == "a":
            first_vault, first_admin = vault, admin
        else:
            vault.sign_out(admin)
            vault.close()
        roots.append(root)
    first_vault.sign_out(first_admin)
    first_vault.close()
    return roots


def test_teller_on_a_supervisor_on_b_then_a_prints(qtbot, open_window, tls_hub, hub_url, tmp_path,
                                                    demo_lists_template, capsys):
    base, _ctx, cert = tls_hub
    root_a, root_b = enrolled_pair(tmp_path, demo_lists_template, base, cert, hub_url, capsys)
    window_a = open_window(root_a, "teller")
    window_b = open_window(root_b, "supervisor")
    for window in (window_a, window_b):
        qtbot.waitUntil(lambda w=window: w.status.sync_status is not None and w.status.sync_status.online,
                        timeout=WAIT)
        assert "在线" in window.status.sync_label.text() or "online" in window.status.sync_label.text()

    page, rec = to_recommendation(qtbot, window_a, pick=1)
    choose_own(qtbot, page, rec, "DM-WM-EQ")
    customer_signs(qtbot, page)
    teller_attests(qtbot, page)
    assert at(page, "approval")
    submitted = time.monotonic()
    qtbot.waitUntil(lambda: "已上送中心" in page.steps["approval"].delivery.text(), timeout=WAIT)

    window_b.home.show_task("approval.signoff")
    queue = window_b.home.pages["approval.signoff"]
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=WAIT)
    shown_after = time.monotonic() - submitted
    queue.table.selectRow(0)
    qtbot.waitUntil(lambda: queue.approve.isEnabled(), timeout=WAIT)
    assert "DM-WM-EQ" in queue.details.toPlainText()
    qtbot.mouseClick(queue.approve, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: queue.table.rowCount() == 0, timeout=WAIT)

    qtbot.waitUntil(lambda: at(page, "confirmation"), timeout=WAIT)
    print_both(qtbot, page, tmp_path)
    delivery = page.steps["confirmation"].delivery
    qtbot.waitUntil(lambda: "中心" in delivery.text() or "Hub" in delivery.text(), timeout=WAIT)
    finish(qtbot, page)
    # Everything A recorded reaches the hub: nothing left to send.
    qtbot.waitUntil(lambda: window_a.status.sync_status is not None and window_a.status.sync_status.pending_count == 0,
                    timeout=WAIT)
    engine = create_engine(hub_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        types = dict(conn.execute(text("SELECT type, count(*) FROM records GROUP BY type")).all())
        dup = conn.execute(text("SELECT count(*) FROM (SELECT id FROM records GROUP BY id HAVING count(*) > 1) d")).scalar()
    engine.dispose()
    assert types.get("signoff.approval_request") and types.get("signoff.approval_decision") and dup == 0
    print(f"approval request shown on B {shown_after:.2f} s after the teller submitted on A")
    assert shown_after < 10, shown_after  # the benchmark measures the propagation precisely
