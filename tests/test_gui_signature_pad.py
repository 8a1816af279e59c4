"""The signature pad driven offscreen: mouse strokes, pen pressure, Clear, Undo/Redo, PNG output."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication

from counterdesk.services.signoff.signature import MOUSE_PRESSURE, check_signature
from counterdesk.ui.widgets.signature_pad import SignaturePad
from helpers.gui import draw, zigzag


@pytest.fixture
def pad(qtbot):
    w = SignaturePad()
    w.resize(600, 260)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def tablet(widget, kind, pos: QPoint, pressure: float, buttons=Qt.MouseButton.LeftButton) -> QTabletEvent:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.TabletMove else Qt.MouseButton.NoButton
    ev = QTabletEvent(kind, QPointingDevice.primaryPointingDevice(), QPointF(pos), QPointF(widget.mapToGlobal(pos)),
                      pressure, 0.0, 0.0, 0.0, 0.0, 0.0, Qt.KeyboardModifier.NoModifier, button, buttons)
    QApplication.sendEvent(widget, ev)
    return ev


def test_mouse_strokes_are_recorded_and_make_a_valid_signature(qtbot, pad):
    canvas = pad.canvas
    with qtbot.waitSignal(pad.changed, timeout=2000):
        draw(qtbot, canvas, zigzag(40, 120, 200))
    draw(qtbot, canvas, zigzag(280, 120, 250))
    sig = pad.signature()
    assert len(sig.strokes) == 2
    assert [p[:2] for p in sig.strokes[0].points] == [(float(x), float(y)) for x, y in zigzag(40, 120, 200)]
    assert all(p.pressure == MOUSE_PRESSURE for s in sig.strokes for p in s.points)
    ts = [p.t_ms for s in sig.strokes for p in s.points]
    assert ts == sorted(ts) and ts[0] >= 0
    assert sig.width == canvas.width() and sig.height == canvas.height()
    assert check_signature(sig).ok


def test_a_click_is_not_a_signature(qtbot, pad):
    qtbot.mouseClick(pad.canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    sig = pad.signature()
    assert len(sig.strokes) == 1
    assert not check_signature(sig).ok


def test_moves_without_a_button_draw_nothing(qtbot, pad):
    qtbot.mouseMove(pad.canvas, QPoint(50, 50))
    qtbot.mouseMove(pad.canvas, QPoint(300, 150))
    assert pad.is_empty()


def test_pen_pressure_is_recorded_and_the_event_accepted(qtbot, pad):
    canvas = pad.canvas
    press = tablet(canvas, QEvent.Type.TabletPress, QPoint(60, 100), 0.2)
    assert press.isAccepted()  # so Qt does not synthesise mouse events for the pen as well
    for i, p in enumerate((0.4, 0.6, 0.8)):
        tablet(canvas, QEvent.Type.TabletMove, QPoint(100 + 40 * i, 110 + 5 * i), p)
    tablet(canvas, QEvent.Type.TabletRelease, QPoint(260, 120), 0.0, buttons=Qt.MouseButton.NoButton)
    # A hovering pen (move after release) adds nothing.
    tablet(canvas, QEvent.Type.TabletMove, QPoint(300, 150), 0.0, buttons=Qt.MouseButton.NoButton)
    sig = pad.signature()
    assert len(sig.strokes) == 1
    pressures = [round(p.pressure, 3) for p in sig.strokes[0].points]
    assert pressures == [0.2, 0.4, 0.6, 0.8, 0.0]


def test_undo_redo_and_clear(qtbot, pad):
    canvas = pad.canvas
    assert not pad.undo_button.isEnabled() and not pad.clear_button.isEnabled()
    draw(qtbot, canvas, zigzag(40, 120, 200))
    draw(qtbot, canvas, zigzag(280, 120, 250))
    assert pad.undo_button.isEnabled() and not pad.redo_button.isEnabled()
    second = pad.signature().strokes[1]
    qtbot.mouseClick(pad.undo_button, Qt.MouseButton.LeftButton)
    assert len(pad.signature().strokes) == 1
    qtbot.mouseClick(pad.redo_button, Qt.MouseButton.LeftButton)
    assert pad.signature().strokes[1] == second
    with qtbot.waitSignal(pad.changed, timeout=2000):
        qtbot.mouseClick(pad.clear_button, Qt.MouseButton.LeftButton)
    assert pad.is_empty() and pad.signature().is_empty
    assert not pad.clear_button.isEnabled() and pad.redo_button.isEnabled()
    pad.redo()  # a cleared signature can be brought back
    assert len(pad.signature().strokes) == 2
    draw(qtbot, canvas, zigzag(40, 60, 100))  # new ink drops the redo history
    assert not pad.redo_button.isEnabled()


def test_escape_does_not_clear(qtbot, pad):
    draw(qtbot, pad.canvas, zigzag(40, 120, 200))
    pad.canvas.setFocus()
    qtbot.keyClick(pad.canvas, Qt.Key.Key_Escape)
    assert not pad.is_empty()


def test_render_png_has_ink_on_white(qtbot, pad):
    blank = QImage.fromData(pad.render_png())
    assert not blank.isNull() and blank.pixelColor(10, 10).name() == "#ffffff"
    draw(qtbot, pad.canvas, zigzag(40, 120, 200))
    tablet(pad.canvas, QEvent.Type.TabletPress, QPoint(280, 80), 0.1)
    for i in range(1, 12):
        tablet(pad.canvas, QEvent.Type.TabletMove, QPoint(280 + 20 * i, 80 + (30 if i % 2 else 0) + 4 * i), i / 11)
    tablet(pad.canvas, QEvent.Type.TabletRelease, QPoint(520, 140), 1.0, buttons=Qt.MouseButton.NoButton)
    data = pad.render_png()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage.fromData(data)
    assert (image.width(), image.height()) == (pad.canvas.width(), pad.canvas.height())
    inked = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
                if image.pixelColor(x, y).lightness() < 128)
    assert inked > 50
    assert image.pixelColor(5, 5).name() == "#ffffff"  # no guide line or hint in the stored image
    big = QImage.fromData(pad.render_png(scale=2.0))
    assert big.width() == 2 * image.width()
    out = os.environ.get("COUNTERDESK_SIGNATURE_PNG")  # set it to look at the result by eye
    if out:
        with open(out, "wb") as f:
            f.write(data)
