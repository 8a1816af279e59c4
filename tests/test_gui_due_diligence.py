"""The copy of the identity document on the identification page (Order 〔2025〕 No. 11), through the real
main window offscreen: from the simulator reader, from a scanner's file, refused; the thumbnail shown;
the copy kept with the customer; a refused copy stops a sale at the threshold with the Order's reason."""
from __future__ import annotations

import io
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import Qt

from counterdesk.services.customers import document_images, repository
from helpers.demo import WAIT
from helpers.gui import (
    answer_questionnaire,
    at,
    choose_recommended,
    fill_profile,
    next_step,
    read_document,
    select,
    session_page,
)


def test_copy_from_the_simulator_reader_is_shown_as_a_thumbnail_and_kept(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    doc = page.steps["document"]
    assert "〔2025〕" in doc.copy_status.text() and not doc.copy_thumbnail.pixmap().width()
    select(doc.profile, "resident_id_long_term")
    doc.copy_reader.setFocus()
    qtbot.keyClick(doc.copy_reader, Qt.Key.Key_Space)  # keyboard: the button takes Space like a click
    qtbot.waitUntil(lambda: doc.copy_state == "ok", timeout=WAIT)
    thumb = doc.copy_thumbnail.pixmap()
    assert 0 < thumb.width() <= 160 and 0 < thumb.height() <= 110
    assert "856×540" in doc.copy_status.text()
    for button in (doc.copy_reader, doc.copy_file, doc.copy_refused):
        assert "&" in button.text() and button.focusPolicy() & Qt.FocusPolicy.TabFocus
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    fill_profile(qtbot, page)
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)
    vault, user = window.ctx.vault, window.ctx.user
    found = repository.find_by_document(vault, user, "resident_id", "11010519491231002X")
    info = document_images.current_image(vault, user, found.customer_id)
    assert info is not None and info.source == "reader_simulator" and (info.width, info.height) == (856, 540)
    assert page.counter_session.state.document_copy_id == info.image_id


def test_copy_from_a_scanned_file_bad_files_and_a_refusal(qtbot, open_window, demo_lists_dir, tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    doc = page.steps["document"]
    fake = tmp_path / "scan.png"
    fake.write_bytes(b"this is not an image")
    doc.copy_from_file(str(fake))
    qtbot.waitUntil(lambda: doc.copy_state == "none" and doc.message.text() != "", timeout=WAIT)
    assert doc.copy is None and "PNG" in doc.message.text()
    scan = tmp_path / "scan.jpg"
    out = io.BytesIO()
    Image.effect_noise((1200, 760), 50).convert("RGB").save(out, "JPEG")
    scan.write_bytes(out.getvalue())
    doc.copy_from_file(str(scan))
    qtbot.waitUntil(lambda: doc.copy_state == "ok", timeout=WAIT)
    assert doc.copy is not None and doc.copy.source == "file" and doc.copy_thumbnail.pixmap().width() > 0
    assert doc.message.text() == ""
    doc.copy_refused.setChecked(True)
    assert doc.copy is None and doc.copy_state == "refused" and not doc.copy_reader.isEnabled()
    assert "反洗钱" in doc.copy_status.text()
    assert doc.collect().copy_refused and doc.collect().copy is None


def test_a_refused_copy_stops_a_sale_at_the_threshold_with_the_orders_reason(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    page.steps["document"].copy_refused.setChecked(True)  # the reader then reads the data but keeps no image
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    assert page.counter_session.state.document_copy_refused
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    fill_profile(qtbot, page)
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "assessment"), timeout=WAIT)
    answer_questionnaire(qtbot, page, age="age_65_up")
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    choose_recommended(qtbot, page)  # CNY 50,000: at the threshold
    qtbot.waitUntil(lambda: page.counter_session.flow.stopped is not None and not page.busy, timeout=WAIT)
    banner = page.banner.text()
    assert "〔2025〕第11号" in banner and "可疑交易报告" in banner and "拒绝" in banner
    assert page.counter_session.state.referral_id
