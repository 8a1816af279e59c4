"""The signature pad: the customer signs with a pen (tablet) or, failing that, the mouse.

``SignatureCanvas`` records strokes in its logical pixels into the Qt-free model
(counterdesk.services.signoff.signature) and draws them with a width that follows the pen pressure.
``SignaturePad`` adds the Clear / Undo / Redo buttons. There is deliberately no keyboard shortcut
for clearing: a customer leaning on the keyboard must not wipe a finished signature.
"""
from __future__ import annotations

import itertools

from PySide6.QtCore import QBuffer, QByteArray, QElapsedTimer, QEvent, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QTabletEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from counterdesk.services.signoff.signature import MOUSE_PRESSURE, Point, Signature, Stroke

INK = QColor("#0d1b5e")  # dark blue, as with a ballpoint: visibly not printed text
MIN_WIDTH = 1.2
MAX_WIDTH = 5.0


def pen_width(pressure: float) -> float:
    p = min(max(pressure, 0.0), 1.0)
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * p


def paint_strokes(painter: QPainter, strokes: list[list[Point]]) -> None:
    """Draw each stroke segment by segment, since one QPainterPath has a single width and pressure
    changes along the stroke. Round caps and joins hide the seams between segments."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(INK)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    for points in strokes:
        if not points:
            continue
        if len(points) == 1:
            p = points[0]
            pen.setWidthF(pen_width(p.pressure))
            painter.setPen(pen)
            painter.drawPoint(QPointF(p.x, p.y))
            continue
        for a, b in itertools.pairwise(points):
            pen.setWidthF(pen_width((a.pressure + b.pressure) / 2))
            painter.setPen(pen)
            painter.drawLine(QPointF(a.x, a.y), QPointF(b.x, b.y))


class SignatureCanvas(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("signature_canvas")
        self.setMinimumSize(400, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        # Touch screens deliver touch as synthesised mouse events; nothing extra is needed for them.
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._strokes: list[list[Point]] = []
        self._current: list[Point] | None = None
        self._redo: list[list[list[Point]]] = []  # each entry: the strokes one Undo or Clear removed
        self._tablet_down = False
        # One clock for mouse and pen: event timestamps of synthetic and device events are not comparable.
        self._clock = QElapsedTimer()
        self._hint = ""

    # ---- state ------------------------------------------------------------------------------------

    def set_hint(self, text: str) -> None:
        self._hint = text
        self.update()

    def is_empty(self) -> bool:
        return not self._strokes and not self._current

    def stroke_count(self) -> int:
        return len(self._strokes)

    def signature(self) -> Signature:
        strokes = list(self._strokes) + ([self._current] if self._current else [])
        return Signature(tuple(Stroke(tuple(s)) for s in strokes), float(self.width()), float(self.height()))

    def clear(self) -> None:
        self._finish_stroke()
        if self._strokes:
            self._redo.append(self._strokes)
            self._strokes = []
            self.update()
            self.changed.emit()

    def undo(self) -> None:
        self._finish_stroke()
        if self._strokes:
            self._redo.append([self._strokes.pop()])
            self.update()
            self.changed.emit()

    def redo(self) -> None:
        if self._redo:
            self._strokes.extend(self._redo.pop())
            self.update()
            self.changed.emit()

    def can_undo(self) -> bool:
        return bool(self._strokes)

    def can_redo(self) -> bool:
        return bool(self._redo)

    # ---- recording --------------------------------------------------------------------------------

    def _t_ms(self) -> int:
        if not self._clock.isValid():
            self._clock.start()  # t = 0 at the first point ever written on this pad
        return int(self._clock.elapsed())

    def _start_stroke(self, pos: QPointF, pressure: float) -> None:
        self._finish_stroke()
        self._current = [Point(pos.x(), pos.y(), pressure, self._t_ms())]
        self._redo.clear()  # new ink makes the undone strokes unreachable, as in any editor
        self.update()

    def _extend_stroke(self, pos: QPointF, pressure: float) -> None:
        if self._current is None:
            return
        last = self._current[-1]
        if last.x == pos.x() and last.y == pos.y():
            return  # the pen resting in place adds nothing to the shape
        self._current.append(Point(pos.x(), pos.y(), pressure, self._t_ms()))
        self.update()

    def _finish_stroke(self) -> None:
        if self._current:
            self._strokes.append(self._current)
            self._current = None
            self.update()
            self.changed.emit()
        self._current = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self._tablet_down:
            self._start_stroke(event.position(), MOUSE_PRESSURE)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and not self._tablet_down:
            self._extend_stroke(event.position(), MOUSE_PRESSURE)
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self._tablet_down:
            self._extend_stroke(event.position(), MOUSE_PRESSURE)
            self._finish_stroke()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Accepting the event stops Qt from also synthesising mouse events for it (which would record
        # every pen stroke twice, the second time without pressure).
        kind = event.type()
        pressure = float(event.pressure())
        if kind == QEvent.Type.TabletPress:
            self._tablet_down = True
            self._start_stroke(event.position(), pressure)
        elif kind == QEvent.Type.TabletMove:
            if self._tablet_down:  # hovering pens report moves without contact
                self._extend_stroke(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease:
            if self._tablet_down:
                self._extend_stroke(event.position(), pressure)
                self._finish_stroke()
            self._tablet_down = False
        event.accept()

    # ---- drawing ----------------------------------------------------------------------------------

    def _all_strokes(self) -> list[list[Point]]:
        return self._strokes + ([self._current] if self._current else [])

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        # A baseline and a cross, as on paper forms, so people sign at a readable size.
        base_y = self.height() * 0.75
        painter.setPen(QPen(QColor("#90a4ae"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(24, base_y), QPointF(self.width() - 24, base_y))
        painter.setPen(QPen(QColor("#90a4ae"), 2))
        painter.drawText(QPointF(8, base_y - 4), "×")
        if self.is_empty() and self._hint:
            painter.setPen(QColor("#b0bec5"))
            painter.drawText(self.rect().adjusted(0, 0, 0, -int(self.height() * 0.3)),
                             Qt.AlignmentFlag.AlignCenter, self._hint)
        paint_strokes(painter, self._all_strokes())
        painter.end()

    def render_png(self, scale: float = 1.0) -> bytes:
        """The ink alone on white (no guide line, no hint) as PNG bytes: the image kept with a record."""
        w = max(1, round(self.width() * scale))
        h = max(1, round(self.height() * scale))
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        painter.scale(scale, scale)
        paint_strokes(painter, self._all_strokes())
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())


class SignaturePad(QWidget):
    """The canvas with its buttons. ``changed`` fires whenever the ink changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("signature_pad")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.canvas = SignatureCanvas()
        layout.addWidget(self.canvas, 1)
        row = QHBoxLayout()
        self.undo_button = QPushButton()
        self.undo_button.setObjectName("signature_undo")
        self.redo_button = QPushButton()
        self.redo_button.setObjectName("signature_redo")
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("signature_clear")
        for b in (self.undo_button, self.redo_button, self.clear_button):
            b.setAutoDefault(False)  # Enter in a surrounding dialog must not undo or clear
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        row.addWidget(self.undo_button)
        row.addWidget(self.redo_button)
        row.addStretch(1)
        row.addWidget(self.clear_button)
        layout.addLayout(row)
        self.undo_button.clicked.connect(self.canvas.undo)
        self.redo_button.clicked.connect(self.canvas.redo)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.canvas.changed.connect(self._on_changed)
        self.retranslate()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.undo_button.setText(self.tr("Undo last stroke"))
        self.redo_button.setText(self.tr("Redo"))
        self.clear_button.setText(self.tr("Clear signature"))
        self.canvas.set_hint(self.tr("Please sign your full name here"))
        self.canvas.setAccessibleName(self.tr("Signature box"))

    def _on_changed(self) -> None:
        self._update_buttons()
        self.changed.emit()

    def _update_buttons(self) -> None:
        self.undo_button.setEnabled(self.canvas.can_undo())
        self.redo_button.setEnabled(self.canvas.can_redo())
        self.clear_button.setEnabled(self.canvas.can_undo())

    # Delegates, so callers need not know about the canvas.
    def signature(self) -> Signature:
        return self.canvas.signature()

    def render_png(self, scale: float = 1.0) -> bytes:
        return self.canvas.render_png(scale)

    def clear(self) -> None:
        self.canvas.clear()

    def undo(self) -> None:
        self.canvas.undo()

    def redo(self) -> None:
        self.canvas.redo()

    def is_empty(self) -> bool:
        return self.canvas.is_empty()
