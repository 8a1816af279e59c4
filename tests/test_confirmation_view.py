"""The confirmation preview and printing, offscreen, with a real signed multi-page confirmation:
the document loads with the right page count, is drawn by the view, prints to a PDF file page by
page (checked with poppler or pyHanko), the buttons ask for the right copy, a damaged PDF is refused
clearly, and the busy / printed states show."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from io import BytesIO

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter

from counterdesk.base.text import CounterDeskError
from counterdesk.services.confirmation import render_confirmation
from counterdesk.services.confirmation.signing import create_demo_certificate, load_signer, sign_pdf
from counterdesk.ui.widgets.confirmation_view import (
    MAX_PRINT_DPI,
    ZOOM_STEP,
    ConfirmationView,
    load_document,
    print_pdf,
)
from counterdesk.ui.widgets.tasks import run_task
from test_confirmation_pdf import sample

WAIT = 5000


# ---- helpers ------------------------------------------------------------------------------------
def page_count(pdf: bytes) -> int:
    """Pages of a PDF counted independently of QtPdf: poppler's pdfinfo, else pyHanko's reader."""
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        return int(re.search(r"Pages:\s+(\d+)", info).group(1))
    from pyhanko.pdf_utils.reader import PdfFileReader
    return int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"])


def dark_fraction(image: QImage, threshold: int = 128) -> float:
    """Share of pixels darker than ``threshold`` (0-255 grey)."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    w, h, stride = grey.width(), grey.height(), grey.bytesPerLine()
    bits = bytes(grey.constBits())
    dark = sum(1 for y in range(h) for b in bits[y * stride:y * stride + w] if b < threshold)
    return dark / (w * h)


# ---- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def signer():
    p12, password = create_demo_certificate("演示支行 DEMO", "CounterDesk DEMO")
    return load_signer(p12, password)


@pytest.fixture(scope="module")
def signed_pdf(signer) -> bytes:
    """A real signed confirmation; the long disclosure makes it three pages."""
    return sign_pdf(render_confirmation(sample(), "zh"), signer)


@pytest.fixture(scope="module")
def one_page_pdf(signer) -> bytes:
    data = sample(signature_png=None, warning_letter=None, disclosure_text="短文本：理财非存款，投资须谨慎。")
    return sign_pdf(render_confirmation(data, "en"), signer)


@pytest.fixture
def view(qtbot, qapp):
    from counterdesk.ui.widgets.resources import load_font
    load_font(qapp)
    w = ConfirmationView()
    w.resize(1000, 800)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def pdf_printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


# ---- loading ------------------------------------------------------------------------------------
def test_load_document_reads_every_page(qapp, signed_pdf):
    expected = page_count(signed_pdf)
    assert expected == 3
    doc = load_document(signed_pdf, qapp)
    try:
        assert doc.status() == QPdfDocument.Status.Ready
        assert doc.pageCount() == expected
        size = doc.pagePointSize(0)
        assert (round(size.width()), round(size.height())) == (595, 842)  # A4 portrait
        assert "CF-DEMO-20270301-0001" in doc.metaData(QPdfDocument.MetaDataField.Title)
        # The buffer the document reads from lives as long as the document.
        assert doc._buffer.parent() is doc and doc._buffer.isOpen()
        assert doc.render(2, doc.pagePointSize(2).toSize()).isNull() is False
    finally:
        doc.deleteLater()


@pytest.mark.parametrize("garbage", [b"this is not a PDF at all", b"", b"%PDF-1.7\n%garbage without objects\n"])
def test_a_damaged_pdf_is_refused_with_a_clear_bilingual_error(qapp, garbage):
    with pytest.raises(CounterDeskError) as info:
        load_document(garbage, qapp)
    exc = info.value
    assert exc.code == "pdf_unreadable"
    assert exc.message("en") == "The confirmation PDF cannot be opened: the file is damaged or incomplete."
    assert exc.message("zh") == "确认书 PDF 无法打开：文件已损坏或不完整。"
    assert exc.detail == "InvalidFileFormat"


def test_a_truncated_signed_pdf_is_refused(qapp, signed_pdf):
    with pytest.raises(CounterDeskError):
        load_document(signed_pdf[: len(signed_pdf) // 3], qapp)


# ---- the view -----------------------------------------------------------------------------------
def test_view_shows_the_document_and_draws_its_pages(qtbot, view, signed_pdf):
    assert view.objectName() == "confirmation_view"
    pdf_view = view.findChild(QPdfView, "confirmation_pdf")
    assert pdf_view is view.pdf_view
    assert pdf_view.pageMode() == QPdfView.PageMode.MultiPage
    assert pdf_view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    blank = dark_fraction(pdf_view.viewport().grab().toImage())
    assert blank < 0.001  # nothing shown yet

    assert view.set_pdf(signed_pdf) is True
    assert view.document.pageCount() == page_count(signed_pdf) == 3
    assert view.page_count() == 3
    assert pdf_view.document() is view.document
    assert view.page_label.text() == "Page 1 of 3"
    assert not view.message.isVisible()
    # QPdfView renders pages on a worker thread: wait until text is drawn in the viewport.
    qtbot.waitUntil(lambda: dark_fraction(pdf_view.viewport().grab().toImage()) > 0.005, timeout=WAIT)

    # Scrolling to the end of the multi-page view reaches the last page.
    bar = pdf_view.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: view.page_label.text() == "Page 3 of 3", timeout=WAIT)


def test_replacing_the_document_deletes_the_old_one(qtbot, view, signed_pdf, one_page_pdf):
    assert view.set_pdf(signed_pdf)
    old = view.document
    with qtbot.waitSignal(old.destroyed, timeout=WAIT):
        assert view.set_pdf(one_page_pdf)
    assert view.page_count() == page_count(one_page_pdf) == 1
    assert view.pdf_view.document() is view.document
    assert view.page_label.text() == "Page 1 of 1"
    qtbot.waitUntil(lambda: dark_fraction(view.pdf_view.viewport().grab().toImage()) > 0.002, timeout=WAIT)

    doc = view.document
    with qtbot.waitSignal(doc.destroyed, timeout=WAIT):
        view.clear()
    assert view.document is None and view.pdf_view.document().pageCount() == 0
    assert view.page_count() == 0
    assert view.page_label.text() == "No confirmation to show"
    assert not any(b.isEnabled() for b in view.buttons.values())


def test_a_dropped_view_is_destroyed_with_its_document(qtbot, qapp, signed_pdf):
    """No reference cycle through signal connections keeps a view (and its document) alive."""
    import gc

    view = ConfirmationView()
    assert view.set_pdf(signed_pdf)
    gone = []
    view.destroyed.connect(lambda: gone.append("view"))
    view.document.destroyed.connect(lambda: gone.append("document"))
    del view
    gc.collect()
    assert sorted(gone) == ["document", "view"]


def test_a_damaged_pdf_shows_an_error_in_the_view_and_nothing_can_be_printed(qtbot, view, signed_pdf):
    assert view.set_pdf(signed_pdf)
    assert view.set_pdf(b"<html>not a pdf</html>") is False
    assert view.document is None and view.pdf_view.document().pageCount() == 0
    assert view.message.isVisible()
    assert "damaged or incomplete" in view.message.text()
    assert not any(b.isEnabled() for b in view.buttons.values())
    with qtbot.assertNotEmitted(view.print_requested):
        qtbot.mouseClick(view.buttons["customer"], Qt.MouseButton.LeftButton)
    # The view still works afterwards, and the error goes away.
    assert view.set_pdf(signed_pdf) is True
    assert not view.message.isVisible() and view.page_count() == 3


@pytest.mark.parametrize("name,kind", [("confirmation_print_customer", "customer"),
                                       ("confirmation_print_branch", "branch"),
                                       ("confirmation_reprint", "reprint")])
def test_buttons_ask_for_the_right_copy(qtbot, view, signed_pdf, name, kind):
    view.set_pdf(signed_pdf)
    if kind == "reprint":
        view.set_printed("customer", True)
        view.set_printed("branch", True)
    button = view.findChild(type(view.buttons[kind]), name)
    assert button is view.buttons[kind] and button.isEnabled()
    with qtbot.waitSignal(view.print_requested, timeout=WAIT) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args == [kind]


def test_button_texts(view):
    texts = {kind: b.text() for kind, b in view.buttons.items()}
    assert texts == {"customer": "Print customer copy", "branch": "Print branch copy",
                     "reprint": "Reprint (marked COPY)"}


def test_set_busy_disables_the_print_buttons(qtbot, view, signed_pdf):
    view.set_pdf(signed_pdf)
    view.set_busy(True)
    assert [b.isEnabled() for b in view.buttons.values()] == [False, False, False]
    assert "Printing" in view.status_label.text()
    with qtbot.assertNotEmitted(view.print_requested):
        for button in view.buttons.values():
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    view.set_busy(False)
    assert [b.isEnabled() for b in view.buttons.values()] == [True, True, False]  # no copy before the originals
    assert "Printing" not in view.status_label.text()


def test_a_copy_only_after_both_originals(qtbot, view, signed_pdf):
    view.set_pdf(signed_pdf)
    reprint = view.buttons["reprint"]
    assert not reprint.isEnabled() and "customer copy and the branch copy" in reprint.toolTip()
    with qtbot.assertNotEmitted(view.print_requested):
        qtbot.mouseClick(reprint, Qt.MouseButton.LeftButton)
    view.set_printed("customer", True)
    assert not reprint.isEnabled()
    view.set_printed("branch", True)
    assert reprint.isEnabled() and "marked COPY" in reprint.toolTip()


def test_set_printed_marks_the_copies(view, signed_pdf):
    view.set_pdf(signed_pdf)
    assert view.status_label.text() == "Customer copy: not printed   ·   Branch copy: not printed"
    view.set_printed("customer", True)
    assert view.buttons["customer"].text() == "Print customer copy ✓"
    assert view.buttons["branch"].text() == "Print branch copy"
    assert view.is_printed("customer") and not view.is_printed("branch")
    assert view.status_label.text() == "Customer copy: printed ✓   ·   Branch copy: not printed"
    view.set_printed("branch", True)
    view.set_printed("reprint", True)
    assert view.status_label.text() == ("Customer copy: printed ✓   ·   Branch copy: printed ✓   ·   "
                                        "Reprint (COPY): printed ✓")
    view.set_printed("customer", False)
    assert view.buttons["customer"].text() == "Print customer copy"
    with pytest.raises(ValueError):
        view.set_printed("archive", True)
    # A new document starts with nothing printed.
    view.set_pdf(signed_pdf)
    assert not any(view.is_printed(k) for k in ("customer", "branch", "reprint"))


def test_zoom_buttons_and_shortcuts(qtbot, view, signed_pdf):
    view.set_pdf(signed_pdf)
    pdf_view = view.pdf_view
    fit = view.effective_zoom()
    assert 0.5 < fit < 3
    qtbot.mouseClick(view.zoom_in_button, Qt.MouseButton.LeftButton)
    assert pdf_view.zoomMode() == QPdfView.ZoomMode.Custom
    assert pdf_view.zoomFactor() == pytest.approx(fit * ZOOM_STEP)
    qtbot.mouseClick(view.zoom_out_button, Qt.MouseButton.LeftButton)
    assert pdf_view.zoomFactor() == pytest.approx(fit)
    qtbot.mouseClick(view.fit_button, Qt.MouseButton.LeftButton)
    assert pdf_view.zoomMode() == QPdfView.ZoomMode.FitToWidth

    view.activateWindow()
    qtbot.waitActive(view)
    pdf_view.setFocus()
    qtbot.keyClick(pdf_view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert pdf_view.zoomMode() == QPdfView.ZoomMode.Custom
    assert pdf_view.zoomFactor() == pytest.approx(fit * ZOOM_STEP)
    qtbot.keyClick(pdf_view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(pdf_view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert pdf_view.zoomFactor() == pytest.approx(fit / ZOOM_STEP)
    qtbot.keyClick(pdf_view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert pdf_view.zoomMode() == QPdfView.ZoomMode.FitToWidth


def test_texts_follow_a_language_change(qtbot, qapp, view, signed_pdf):
    from PySide6.QtCore import QTranslator

    class Marking(QTranslator):
        """Stands in for the Chinese catalogue: marks every ConfirmationView text, placeholders kept."""

        def translate(self, context, source, disambiguation=None, n=-1):
            return f"[{source}]" if context == "ConfirmationView" else ""

        def isEmpty(self):
            return False

    view.set_pdf(signed_pdf)
    translator = Marking()
    qapp.installTranslator(translator)  # sends LanguageChange to every widget
    try:
        qtbot.waitUntil(lambda: view.buttons["customer"].text() == "[Print customer copy]", timeout=WAIT)
        assert view.page_label.text() == "[Page 1 of 3]"
        assert view.fit_button.text() == "[Fit width]"
    finally:
        qapp.removeTranslator(translator)
    qtbot.waitUntil(lambda: view.buttons["customer"].text() == "Print customer copy", timeout=WAIT)


def test_everything_fits_at_1000_by_800(qtbot, view, signed_pdf):
    view.set_pdf(signed_pdf)
    view.set_printed("customer", True)
    qtbot.waitUntil(lambda: dark_fraction(view.pdf_view.viewport().grab().toImage()) > 0.005, timeout=WAIT)
    for button in [*list(view.buttons.values()), view.fit_button]:
        assert button.width() >= button.sizeHint().width(), button.objectName()
        assert button.geometry().bottom() < view.height()
    assert view.pdf_view.height() > 500  # the document gets most of the room
    assert view.pdf_view.horizontalScrollBar().isVisible() is False  # fit to width: no sideways scrolling


# ---- printing -----------------------------------------------------------------------------------
def test_print_pdf_to_a_file_prints_every_page_on_a4(qapp, tmp_path, signed_pdf):
    out = tmp_path / "printed.pdf"
    printer = pdf_printer(out)
    assert printer.resolution() > MAX_PRINT_DPI  # HighResolution: the render is capped
    assert print_pdf(signed_pdf, printer) == 3
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert page_count(data) == page_count(signed_pdf) == 3
    assert printer.fullPage() is True
    assert "CF-DEMO-20270301-0001" in printer.docName()
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, check=True).stdout.decode()
        assert re.search(r"Page size:\s+595(\.\d+)? x 842(\.\d+)? pts \(A4\)", info), info
        assert "CF-DEMO-20270301-0001" in info  # the docName becomes the title
    # The printed output reads back through QtPdf as well.
    doc = load_document(data, qapp)
    assert doc.pageCount() == 3
    doc.deleteLater()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_printed_pages_are_not_blank(tmp_path, signed_pdf):
    out = tmp_path / "printed.pdf"
    print_pdf(signed_pdf, pdf_printer(out))
    for page in (1, 3):
        png = subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page), str(out)],
                             capture_output=True, check=True).stdout
        image = QImage.fromData(png, "PNG")
        assert abs(image.width() - 413) <= 1 and abs(image.height() - 585) <= 1  # A4 at 50 dpi
        dark = dark_fraction(image)
        assert 0.005 < dark < 0.5, dark  # text on a white page
        # The confirmation keeps its own margins: the top-left corner of the paper stays white.
        corner = image.copy(0, 0, 30, 30)
        assert dark_fraction(corner, 250) == 0


def test_print_pdf_can_run_off_the_ui_thread(qtbot, tmp_path, signed_pdf, one_page_pdf):
    """The caller keeps the UI responsive by printing on a worker (ui.tasks.run_task)."""
    owner = QObject()
    out = tmp_path / "worker.pdf"
    printer = pdf_printer(out)
    results, errors = [], []
    # on_ok/on_error are connected inside run_task before the work starts, so nothing is missed.
    run_task(owner, lambda: print_pdf(one_page_pdf, printer), results.append, errors.append)
    qtbot.waitUntil(lambda: bool(results or errors), timeout=WAIT * 2)
    assert errors == []
    assert results == [1]
    assert page_count(out.read_bytes()) == 1


def test_print_pdf_reports_a_printer_that_cannot_start(tmp_path, signed_pdf):
    printer = pdf_printer(tmp_path / "missing-folder" / "out.pdf")
    with pytest.raises(CounterDeskError) as info:
        print_pdf(signed_pdf, printer)
    assert info.value.code == "print_failed"
    assert "Printing could not start" in info.value.message("en")


def test_print_pdf_refuses_garbage(tmp_path):
    out = tmp_path / "out.pdf"
    with pytest.raises(CounterDeskError) as info:
        print_pdf(b"garbage", pdf_printer(out))
    assert info.value.code == "pdf_unreadable"
    assert not out.exists()
