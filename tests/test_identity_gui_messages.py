"""The identity defects of issue 13 as the teller sees them: the document step shows the new errors in
Chinese and in English (real main window, offscreen), and an MRZ that expired last century stops the
session."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date

from PySide6.QtCore import Qt

from counterdesk.identity import resident_id
from counterdesk.identity.mrz import compose_td3
from helpers.demo import WAIT
from helpers.gui import select, session_page, type_text


def _passport(expiry: date, surname: str = "ERIKSSON") -> str:
    mrz = compose_td3(issuing_state="SWE", primary="ERIKSSON", secondary="ANNA", document_number="SIM012345",
                      nationality="SWE", birth_date=date(1970, 1, 1), sex="F", expiry=expiry)
    line1, line2 = mrz.split("\n")
    return line1.replace("ERIKSSON", surname) + line2  # joined, as a scanner wedge types it


def _submit(qtbot, page):
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    step = page.steps["document"]
    qtbot.waitUntil(lambda: not page.busy and step.message.isVisible(), timeout=WAIT)
    return step.message.text()


def test_new_document_errors_show_in_zh_and_en(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    doc = page.steps["document"]

    select(doc.doc_type, "passport")
    type_text(qtbot, doc.mrz, _passport(date(2030, 1, 1), surname="ERIKSS0N"))
    text = _submit(qtbot, page)
    assert "机读区姓名栏只能包含字母 A-Z" in text
    assert "ERIKSS0N" not in text
    window.set_language("en")
    qtbot.waitUntil(lambda: "the MRZ name zone may hold only the letters A-Z" in doc.message.text(), timeout=WAIT)
    window.set_language("zh_CN")

    select(doc.doc_type, "resident_id")
    doc.mrz.clear()
    type_text(qtbot, doc.number, resident_id.compose("310199", date(1990, 1, 1), 11))
    text = _submit(qtbot, page)
    assert "不在任何一版 GB/T 2260 中" in text
    window.set_language("en")
    qtbot.waitUntil(lambda: "not an administrative-division code of any edition of GB/T 2260"
                    in doc.message.text(), timeout=WAIT)
    window.set_language("zh_CN")


def test_passport_expired_last_century_stops_the_session(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    doc = page.steps["document"]
    select(doc.doc_type, "passport")
    type_text(qtbot, doc.mrz, _passport(date(1998, 12, 31)))  # expiry field 981231, no typed number
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and page.counter_session.flow.stopped is not None, timeout=WAIT)
    assert "证件有效期至 1998-12-31，已过期" in page.banner.text()
    assert page.start_button.isVisible()
