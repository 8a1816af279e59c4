"""Preview and print the signed confirmation PDF.

The module-level functions use Qt only (no database, no session):

* ``load_document`` opens PDF bytes as a ``QPdfDocument`` (for the preview);
* ``print_pdf`` rasterises every page and paints it on a ``QPrinter``. It builds its own document
  and touches no widget, so a caller may run it on a worker thread (``ui.tasks.run_task``) while the
  UI stays responsive;
* ``choose_printer`` asks the teller for a printer with the system print dialog.

``ConfirmationView`` shows the document and offers the three print buttons. It does not decide what
is printed: it emits ``print_requested("customer" | "branch" | "reprint")``; the caller produces the
bytes (the reprint is a separately rendered PDF marked 副本/COPY), calls ``choose_printer`` and
``print_pdf``, records the print and reports back with ``set_printed`` (``set_busy`` meanwhile).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import (
    QBuffer,
    QEvent,
    QIODevice,
    QMarginsF,
    QObject,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from counterdesk.base.branchtime import format_time
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.confirmation.render import COPY_LABEL_INSET, COPY_LABEL_POINTS
from counterdesk.services.confirmation.signing import TimestampInfo, timestamp_of
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import MessageLabel
from counterdesk.ui.widgets.resources import FALLBACK_FAMILY

log = logging.getLogger("counterdesk.ui")

KINDS = ("customer", "branch", "reprint")

# Pages are rasterised at the printer's resolution, but at most this many dots per inch: a
# HighResolution QPrinter reports 1200 dpi, where one A4 page would be a 557 MB image. 300 dpi
# prints text and the QR code sharply at about 35 MB per page.
MAX_PRINT_DPI = 300

# A page is rendered and sent to the printer in bands of this many rows. PySide keeps the
# interpreter lock through QPdfDocument.render and QPainter.drawImage; for a whole 300 dpi page they
# take about 100 ms and 400 ms (the print/PDF engine compresses the image), and the UI thread waits
# that long. A band takes a few milliseconds each, and the UI thread runs in between.
PRINT_BAND_ROWS = 128

DEFAULT_DOC_NAME = "CounterDesk confirmation"

ZOOM_STEP = 1.25
MIN_ZOOM = 0.25
MAX_ZOOM = 4.0

PDF_UNREADABLE = Text("确认书 PDF 无法打开：文件已损坏或不完整。",
                      "The confirmation PDF cannot be opened: the file is damaged or incomplete.")
PDF_EMPTY = Text("确认书 PDF 没有任何页面。", "The confirmation PDF has no pages.")
PRINT_FAILED = Text("无法开始打印：打印机未就绪或输出文件无法写入。",
                    "Printing could not start: the printer is not ready or the output file cannot be written.")
PAGE_RENDER_FAILED = Text("确认书第 {page} 页无法渲染，打印已中止。",
                          "Page {page} of the confirmation could not be rendered; printing was stopped.")


def load_document(pdf_bytes: bytes, parent: QObject | None = None) -> QPdfDocument:
    """Open PDF bytes as a QPdfDocument (owned by ``parent``).

    QPdfDocument.load(QIODevice) reads from the device for as long as the document lives, so the
    buffer is a Qt child of the document (and also referenced from the Python wrapper): it goes
    away together with the document. Raises CounterDeskError when the bytes are not a readable PDF.
    """
    # Made without a parent and checked first: a document that fails to load is owned by Python
    # alone and goes away with the last reference, on whatever thread this runs.
    document = QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(bytes(pdf_bytes))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document._buffer = buffer  # keep the device alive with the document
    document.load(buffer)
    status, error, pages = document.status(), document.error(), document.pageCount()
    if status == QPdfDocument.Status.Error:
        del document, buffer
        raise CounterDeskError(PDF_UNREADABLE, code="pdf_unreadable", detail=getattr(error, "name", str(error)))
    if status == QPdfDocument.Status.Ready and pages < 1:
        del document, buffer
        raise CounterDeskError(PDF_EMPTY, code="pdf_empty")
    if parent is not None:
        document.setParent(parent)
    return document


def _page_layout_for(point_size: QSizeF) -> QPageLayout:
    """A borderless layout whose paper matches the PDF page (A4 portrait for a confirmation)."""
    landscape = point_size.width() > point_size.height()
    portrait = QSizeF(point_size.height(), point_size.width()) if landscape else QSizeF(point_size)
    size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    if not size.isValid():
        size = QPageSize(QPageSize.PageSizeId.A4)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    layout = QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
    # Full-page mode: zero margins are accepted even by printers with a larger hardware minimum.
    layout.setMode(QPageLayout.Mode.FullPageMode)
    return layout


def prepare_printer(printer: QPrinter, doc_name: str = DEFAULT_DOC_NAME) -> None:
    """A4 portrait, full page without margins (the confirmation carries its own margins, so the page
    is reproduced at 100 %), and a document name for the print queue unless one is already set."""
    printer.setPageLayout(_page_layout_for(QPageSize(QPageSize.PageSizeId.A4).size(QPageSize.Unit.Point)))
    printer.setFullPage(True)  # after setPageLayout, which resets the layout mode
    if not printer.docName():
        printer.setDocName(doc_name)


def _target_rect(page_points: QSizeF, paper: QRectF) -> QRectF:
    """The page scaled into the paper rectangle keeping its aspect ratio, centred."""
    scale = min(paper.width() / page_points.width(), paper.height() / page_points.height())
    w, h = page_points.width() * scale, page_points.height() * scale
    return QRectF(paper.x() + (paper.width() - w) / 2, paper.y() + (paper.height() - h) / 2, w, h)


def _print_page_banded(document: QPdfDocument, page: int, pixels: QSize, painter: QPainter, target: QRectF) -> None:
    """Page ``page`` rendered at ``pixels`` and painted into ``target``, band by band (PRINT_BAND_ROWS)."""
    scale_y = target.height() / pixels.height()
    for top in range(0, pixels.height(), PRINT_BAND_ROWS):
        rows = min(PRINT_BAND_ROWS, pixels.height() - top)
        options = QPdfDocumentRenderOptions()
        options.setRenderFlags(QPdfDocumentRenderOptions.RenderFlag.Annotations)
        options.setScaledSize(pixels)
        options.setScaledClipRect(QRect(0, top, pixels.width(), rows))
        band: QImage = document.render(page, QSize(pixels.width(), rows), options)
        if band.isNull():
            raise CounterDeskError(PAGE_RENDER_FAILED.format(page=page + 1), code="print_failed")
        painter.drawImage(QRectF(target.x(), target.y() + top * scale_y, target.width(), rows * scale_y), band)


def _draw_label(painter: QPainter, target: QRectF, page_points: QSizeF, label: str, family: str) -> None:
    """The copy label (客户联 / 银行留存联) at the right end of the page's header, as text."""
    scale = target.width() / page_points.width()
    right_inset, baseline = COPY_LABEL_INSET
    font = QFont(family)
    font.setBold(True)
    font.setPixelSize(max(1, round(COPY_LABEL_POINTS * scale)))
    painter.save()
    painter.setFont(font)
    painter.setPen(QColor("#0d47a1"))
    width = painter.fontMetrics().horizontalAdvance(label)
    painter.drawText(QPointF(target.right() - right_inset * scale - width, target.y() + baseline * scale), label)
    painter.restore()


def print_pdf(pdf_bytes: bytes, printer: QPrinter, *, max_dpi: int = MAX_PRINT_DPI, label: str = "",
              label_family: str = FALLBACK_FAMILY) -> int:
    """Print every page of the PDF on ``printer``; returns the number of pages printed.
    ``label``: what this sheet is (客户联 / 银行留存联), printed on every page in ``label_family``
    (a registered font with the label's characters: resources.cjk_family()).

    Each page is rendered by QtPdf at the printer's resolution (capped at ``max_dpi``), scaled into
    the printer's page keeping the aspect ratio, with a new page between pages. The paper is set to
    match the document (A4 portrait for confirmations), borderless, in full-page mode. Works on any
    QPrinter, including one with outputFormat PdfFormat and an outputFileName (print to file).
    Raises CounterDeskError when the PDF is unreadable or the painter cannot start on the printer.
    Safe to call on a worker thread: it creates and deletes its own document and uses no widget.
    """
    document = load_document(pdf_bytes, None)
    try:
        count = document.pageCount()
        title = document.metaData(QPdfDocument.MetaDataField.Title)
        if not printer.docName():
            printer.setDocName(str(title) if title else DEFAULT_DOC_NAME)
        printer.setPageLayout(_page_layout_for(document.pagePointSize(0)))
        printer.setFullPage(True)  # after setPageLayout, which resets the layout mode

        painter = QPainter()
        if not painter.begin(printer):
            raise CounterDeskError(PRINT_FAILED, code="print_failed", detail=printer.outputFileName() or None)
        printed = 0
        finished = False
        try:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            dpi = min(printer.resolution(), max_dpi) if max_dpi else printer.resolution()
            for page in range(count):
                points = document.pagePointSize(page)
                if page > 0:
                    if not printer.newPage():
                        raise CounterDeskError(PRINT_FAILED, code="print_failed", detail=f"newPage {page + 1}")
                pixels = QSize(max(1, round(points.width() / 72 * dpi)), max(1, round(points.height() / 72 * dpi)))
                paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
                target = _target_rect(points, paper)
                # The rendered page is transparent where the PDF paints nothing: put it on white.
                painter.fillRect(target, QColor("white"))
                _print_page_banded(document, page, pixels, painter, target)
                if label:
                    _draw_label(painter, target, points, label, label_family)
                printed += 1
            finished = True
        finally:
            if not finished:
                printer.abort()  # cancel the half-printed job rather than send it
            painter.end()
        return printed
    finally:
        # Delete now, on this thread: the document may have been made on a worker thread.
        document._buffer = None
        del document


def choose_printer(parent: QWidget | None, title: str) -> QPrinter | None:
    """The system print dialog on a HighResolution printer preset to A4 portrait, full page.
    Returns the chosen printer, or None when the teller cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    # One confirmation at a time: page ranges and "selection" make no sense for a signed record.
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintSelection, False)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, False)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintCurrentPage, False)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    return printer if accepted else None


class ConfirmationView(QWidget):
    """Preview of a confirmation PDF with Print customer copy / Print branch copy / Reprint."""

    print_requested = Signal(str)  # "customer", "branch" or "reprint"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("confirmation_view")
        self.document: QPdfDocument | None = None
        # Shown when there is no confirmation: QPdfView.setDocument(None) makes Qt warn about a
        # null connection, an empty (never loaded) document shows the same empty view quietly.
        self._empty_document = QPdfDocument(self)
        self._printed = {kind: False for kind in KINDS}
        self._busy = False
        self._load_failed = False

        self.pdf_view = QPdfView(self)
        self.pdf_view.setObjectName("confirmation_pdf")
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_view.setPageSpacing(12)
        self.pdf_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.pdf_view.setDocument(self._empty_document)
        self.pdf_view.pageNavigator().currentPageChanged.connect(self._update_page_label)

        self.page_label = QLabel()
        self.page_label.setObjectName("confirmation_pages")
        self.zoom_out_button = QPushButton("−")
        self.zoom_out_button.setObjectName("confirmation_zoom_out")
        self.zoom_in_button = QPushButton("+")
        self.zoom_in_button.setObjectName("confirmation_zoom_in")
        self.fit_button = QPushButton()
        self.fit_button.setObjectName("confirmation_fit_width")
        for b in (self.zoom_out_button, self.zoom_in_button):
            b.setFixedWidth(40)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.fit_button.clicked.connect(self.fit_width)

        self.message = MessageLabel(self)
        self.status_label = QLabel()
        self.status_label.setObjectName("confirmation_print_status")
        self.status_label.setWordWrap(True)
        # Whether the confirmation carries a trusted timestamp: the same fact the paper states.
        self.timestamp_label = QLabel()
        self.timestamp_label.setObjectName("confirmation_timestamp")
        self.timestamp_label.setWordWrap(True)
        self._timestamp: TimestampInfo | None = None

        self.buttons: dict[str, QPushButton] = {}
        for kind in KINDS:
            button = QPushButton()
            button.setObjectName(f"confirmation_print_{kind}" if kind != "reprint" else "confirmation_reprint")
            button.setMinimumHeight(36)
            button.setProperty("kind", kind)
            # A bound method, not a lambda: a lambda holding self would keep the view alive forever.
            button.clicked.connect(self._button_clicked)
            self.buttons[kind] = button
        self.buttons["customer"].setDefault(True)

        top = QHBoxLayout()
        top.addWidget(self.page_label)
        top.addStretch(1)
        top.addWidget(self.zoom_out_button)
        top.addWidget(self.zoom_in_button)
        top.addWidget(self.fit_button)

        actions = QHBoxLayout()
        for kind in KINDS:
            actions.addWidget(self.buttons[kind])
        actions.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pdf_view, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.status_label)
        layout.addWidget(self.timestamp_label)
        layout.addLayout(actions)

        self.shortcuts: list[QShortcut] = []
        for keys, slot in ((QKeySequence.StandardKey.ZoomIn, self.zoom_in), (QKeySequence("Ctrl+="), self.zoom_in),
                           (QKeySequence.StandardKey.ZoomOut, self.zoom_out), (QKeySequence("Ctrl+0"), self.fit_width)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)

        self.retranslate()
        self._update_enabled()

    # ---- document -------------------------------------------------------------------------
    def set_pdf(self, pdf_bytes: bytes, timestamp: TimestampInfo | None = None, *, read_timestamp: bool = True) -> bool:
        """Show a confirmation PDF, replacing the one shown. Copies start as not printed (call
        set_printed afterwards). On unreadable bytes the view is left empty with an error message
        and False is returned; the previous document is not kept, so nothing stale can be printed.
        With ``read_timestamp=False`` the caller gives the file's ``timestamp`` (timestamp_of), read
        in a worker: reading it verifies the signatures, which takes tens of milliseconds."""
        try:
            document = load_document(pdf_bytes, self)
        except CounterDeskError as exc:
            log.warning("confirmation PDF could not be shown: %s (%s)", exc.code, exc.detail)
            self._replace_document(None)
            self._load_failed = True
            self.retranslate()
            return False
        self._load_failed = False
        self._timestamp = timestamp_of(pdf_bytes) if read_timestamp else timestamp
        self._replace_document(document)
        self.retranslate()
        return True

    def clear(self) -> None:
        self._load_failed = False
        self._timestamp = None
        self._replace_document(None)
        self.retranslate()

    def page_count(self) -> int:
        return self.document.pageCount() if self.document is not None else 0

    def _replace_document(self, document: QPdfDocument | None) -> None:
        old = self.document
        self.document = document
        # Hand the view the new document first: its renderer drops the old one (it holds it
        # through a QPointer) before the old document is deleted on the next event-loop turn.
        self.pdf_view.setDocument(document if document is not None else self._empty_document)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        if document is not None:
            self.pdf_view.pageNavigator().jump(0, QPointF(), 0)
        if old is not None:
            old.deleteLater()
        self._printed = {kind: False for kind in KINDS}
        self._update_enabled()

    # ---- printing state ---------------------------------------------------------------------
    def _button_clicked(self) -> None:
        kind = self.sender().property("kind") if self.sender() is not None else None
        if kind in KINDS and self.document is not None and not self._busy:
            self.print_requested.emit(kind)

    def set_printed(self, kind: str, done: bool) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown copy kind: {kind!r}")
        self._printed[kind] = bool(done)
        self._update_enabled()
        self.retranslate()

    def is_printed(self, kind: str) -> bool:
        return self._printed[kind]

    def set_busy(self, busy: bool) -> None:
        """Disable the print buttons while the caller renders, prints or records a copy."""
        self._busy = bool(busy)
        self._update_enabled()
        self.retranslate()

    def _update_enabled(self) -> None:
        has_doc = self.document is not None
        for kind, button in self.buttons.items():
            # A copy marked COPY only once every original is out (the core refuses it before).
            originals_out = kind != "reprint" or all(self._printed[k] for k in KINDS if k != "reprint")
            button.setEnabled(has_doc and not self._busy and originals_out)
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            button.setEnabled(has_doc)

    # ---- zoom ---------------------------------------------------------------------------------
    def effective_zoom(self) -> float:
        """The zoom factor in use; in fit-to-width mode computed the way QPdfView lays pages out."""
        view = self.pdf_view
        if view.zoomMode() == QPdfView.ZoomMode.Custom or self.document is None:
            return view.zoomFactor()
        points = self.document.pagePointSize(0)
        screen = self.screen() or view.screen()
        dpi = screen.logicalDotsPerInch() if screen is not None else 96.0
        margins = view.documentMargins()
        width = view.viewport().width() - margins.left() - margins.right()
        page_px = points.width() * dpi / 72.0
        return max(MIN_ZOOM, width / page_px) if page_px > 0 else 1.0

    def _zoom_to(self, factor: float) -> None:
        if self.document is None:
            return
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.pdf_view.setZoomFactor(min(MAX_ZOOM, max(MIN_ZOOM, factor)))

    def zoom_in(self) -> None:
        self._zoom_to(self.effective_zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_to(self.effective_zoom() / ZOOM_STEP)

    def fit_width(self) -> None:
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    # ---- texts --------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _update_page_label(self, *_args) -> None:
        count = self.page_count()
        if count:
            current = self.pdf_view.pageNavigator().currentPage() + 1
            self.page_label.setText(self.tr("Page {page} of {count}").format(page=min(max(current, 1), count),
                                                                              count=count))
        else:
            self.page_label.setText(self.tr("No confirmation to show"))

    def retranslate(self) -> None:
        self._update_page_label()
        self.pdf_view.setAccessibleName(self.tr("Confirmation preview"))
        self.zoom_in_button.setToolTip(self.tr("Zoom in (Ctrl++)"))
        self.zoom_in_button.setAccessibleName(self.tr("Zoom in"))
        self.zoom_out_button.setToolTip(self.tr("Zoom out (Ctrl+-)"))
        self.zoom_out_button.setAccessibleName(self.tr("Zoom out"))
        self.fit_button.setText(self.tr("Fit width"))
        self.fit_button.setToolTip(self.tr("Fit the page to the width of the view (Ctrl+0)"))
        labels = {
            "customer": self.tr("Print customer copy"),
            "branch": self.tr("Print branch copy"),
            "reprint": self.tr("Reprint (marked COPY)"),
        }
        for kind, text in labels.items():
            self.buttons[kind].setText(f"{text} ✓" if self._printed[kind] else text)
            self.buttons[kind].setAccessibleName(text)
        self.buttons["reprint"].setToolTip(
            self.tr("Prints a separately produced copy marked COPY on every page")
            if self.buttons["reprint"].isEnabled()
            else self.tr("A copy can be printed once the customer copy and the branch copy have been printed"))

        if self._load_failed:
            self.message.show_error(self.tr("This confirmation cannot be shown: the PDF is damaged or incomplete. "
                                            "Produce the confirmation again."))
        else:
            self.message.clear_message()

        parts = [
            self.tr("Customer copy: printed ✓") if self._printed["customer"] else self.tr("Customer copy: not printed"),
            self.tr("Branch copy: printed ✓") if self._printed["branch"] else self.tr("Branch copy: not printed"),
        ]
        if self._printed["reprint"]:
            parts.append(self.tr("Reprint (COPY): printed ✓"))
        status = "   ·   ".join(parts)
        if self._busy:
            status = self.tr("Printing… please wait.") + "   " + status
        self.status_label.setText(status if self.document is not None else "")
        self.status_label.setVisible(self.document is not None)
        self._show_timestamp()

    def _show_timestamp(self) -> None:
        stamp = self._timestamp
        if self.document is None:
            self.timestamp_label.setVisible(False)
            return
        if stamp is None:
            self.timestamp_label.setText(self.tr(
                "No trusted timestamp yet: the timestamp authority did not answer when this confirmation was "
                "issued (the paper says so). It is added automatically once the authority answers."))
            theme.set_state(self.timestamp_label, "warning")
        else:
            text = self.tr("Trusted timestamp: {time} (UTC+8), authority {authority}").format(
                time=format_time(stamp.at, "en", seconds=True, zone=False), authority=stamp.authority)
            if stamp.document_timestamp:
                text += " " + self.tr("(added after issue)")
            self.timestamp_label.setText(text)
            theme.set_state(self.timestamp_label, "")
        self.timestamp_label.setVisible(True)
