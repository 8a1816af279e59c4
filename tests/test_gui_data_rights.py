"""Data rights through the real main window: a supervisor records a deletion request and exports the
customer's data as an encrypted file; a restricted customer is marked wherever the counter shows them,
and a new session for them stops with the PIPL Art 47 reason."""
from __future__ import annotations

import io
import json
import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from counterdesk.flow.counter_session import CounterSession
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import data_rights
from counterdesk.store.models.core import AuditEntry
from helpers.counter import SPECIMEN, identify, kyc
from helpers.demo import PASSWORDS, WAIT, totp_code
from helpers.gui import read_document, session_page

NUMBER = SPECIMEN.id_number


def audit_details(vault, action: str) -> list[dict]:
    return vault.transact(lambda db: [json.loads(d) for d in db.scalars(
        select(AuditEntry.details).where(AuditEntry.action == action).order_by(AuditEntry.seq))])


def _customer(data_dir, restrict: bool = False) -> str:
    vault = Vault.open(data_dir)
    try:
        counter_session = CounterSession(vault, vault.sign_in("teller", PASSWORDS["teller"]))
        identify(counter_session, SPECIMEN, kyc())
        customer_id = counter_session.state.customer_id
        counter_session.finish()
        if restrict:
            data_rights.restrict(vault, vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor")),
                                 customer_id)
        return customer_id
    finally:
        vault.close()


def _find(qtbot, window, query: str):
    window.home.show_task("customer.find")
    find = window.home.pages["customer.find"]
    find.query.clear()
    qtbot.keyClicks(find.query, query)
    with qtbot.waitSignal(find.searched, timeout=WAIT):
        qtbot.keyClick(find.query, Qt.Key.Key_Return)
    return find


def test_a_supervisor_restricts_and_exports_a_customer(qtbot, open_window, demo_lists_dir, tmp_path, monkeypatch):
    _customer(demo_lists_dir)
    window = open_window(demo_lists_dir, "supervisor")
    find = _find(qtbot, window, NUMBER)
    assert find.table.rowCount() == 1 and "限制" not in find.table.item(0, 0).text()
    find.table.selectRow(0)
    qtbot.waitUntil(lambda: find.export_button.isEnabled(), timeout=WAIT)
    assert find.restrict_button.isVisible() and find.restrict_button.isEnabled()
    assert find.restriction.isHidden()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(find.restricted, timeout=WAIT):
        qtbot.mouseClick(find.restrict_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: find.restriction.isVisible(), timeout=WAIT)
    assert "第四十七条" in find.restriction.text() and not find.restrict_button.isEnabled()

    target = tmp_path / "客户资料.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))
    with qtbot.waitSignal(find.exported, timeout=WAIT):
        qtbot.mouseClick(find.export_button, Qt.MouseButton.LeftButton)
    shown = find.message.text()
    password = re.search(r"[:：]\s*(\S+)$", shown).group(1)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert reader.is_encrypted and reader.decrypt(password)
    assert NUMBER in "".join(p.extract_text() for p in reader.pages)
    assert NUMBER not in shown

    # The printout: rendered by the core (masked), then printed (here to a PDF file).
    printed_to = tmp_path / "printed.pdf"

    def printer(*_a):
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(printed_to))
        return p
    find.choose_printer = printer
    with qtbot.waitSignal(find.printed, timeout=WAIT):
        qtbot.mouseClick(find.print_copy_button, Qt.MouseButton.LeftButton)
    assert printed_to.stat().st_size > 0
    paper = "".join(p.extract_text() for p in PdfReader(io.BytesIO(find.last_printout)).pages)
    assert "个人信息查阅副本" in paper and NUMBER not in paper and "限制处理" in paper
    formats = [e["format"] for e in audit_details(window.ctx.vault, "privacy.access_exported")]
    assert formats == ["encrypted_pdf", "printout"]

    find = _find(qtbot, window, NUMBER)  # the search result says it too
    assert find.table.item(0, 0).text().startswith("[限制处理]")


def test_a_restricted_customer_is_shown_as_such_and_the_counter_refuses_a_session(qtbot, open_window,
                                                                                  demo_lists_dir):
    _customer(demo_lists_dir, restrict=True)
    window = open_window(demo_lists_dir, "teller")
    find = _find(qtbot, window, NUMBER)
    assert find.table.item(0, 0).text().startswith("[限制处理]")
    assert "第四十七条" in find.table.item(0, 0).toolTip()
    assert not find.export_button.isVisible() and not find.restrict_button.isVisible()  # not a teller's task
    find.table.selectRow(0)
    qtbot.waitUntil(lambda: find.restriction.isVisible(), timeout=WAIT)
    assert "个人信息保护法" in find.restriction.text()

    page = session_page(qtbot, window)
    states = []
    page.state_changed.connect(states.append)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: "stopped" in states, timeout=WAIT)
    assert "第四十七条" in page.banner.text()
