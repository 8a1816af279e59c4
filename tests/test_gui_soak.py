"""A teller's long day in a few seconds: thousands of page switches, key presses, mouse moves and
screen locks through the real main window. A Qt binding that loses a reference on each call (PySide6
6.12.0 dropped one reference to None per void method call, so under Python 3.11 the app aborted with
"none_dealloc" after about two hours) shows here as a falling reference count of None long before it
crashes the process."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from helpers.demo import PASSWORDS, WAIT


def none_refs() -> int:
    return sys.getrefcount(None)


def test_void_methods_keep_their_reference_to_none(qapp):
    timer, edit = QTimer(), QLineEdit()
    timer.start(60_000)
    for _ in range(100):  # warm up whatever the binding caches on first use
        timer.start(60_000)
        edit.setText("x")
    before = none_refs()
    for _ in range(5_000):
        timer.start(60_000)
        timer.setInterval(60_000)
        edit.setText("x")
        edit.clear()
    timer.stop()
    assert none_refs() >= before - 50, "the Qt binding loses a reference to None on each call"


def _press(widget, key, modifiers=Qt.KeyboardModifier.NoModifier, text=""):
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, key, modifiers, text))
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyRelease, key, modifiers, text))


def _move(widget, x, y):
    pos = QPointF(x, y)
    QApplication.sendEvent(widget, QMouseEvent(QEvent.Type.MouseMove, pos, widget.mapToGlobal(pos),
                                               Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                               Qt.KeyboardModifier.NoModifier))


def _day(qtbot, window, rounds: int) -> None:
    home = window.home
    for i in range(rounds):
        # Ctrl+1 / Ctrl+2 / Ctrl+3 as the teller jumps between tasks (each page reloads in a worker).
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{i % 3 + 1}"), Qt.KeyboardModifier.ControlModifier)
        page = home.stack.currentWidget()
        for j in range(8):
            _move(page, 10 + j, 10 + i % 50)
        target = home.nav
        _press(target, Qt.Key.Key_Down)
        _press(target, Qt.Key.Key_Up)
        if i % 25 == 0:
            QApplication.processEvents()  # let the page loads that the switches started report back


def test_a_long_day_of_switches_events_and_locks(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    home = window.home
    _day(qtbot, window, 50)  # warm up: every page built, loaded and drawn once
    qtbot.waitUntil(lambda: home.stack.currentWidget() is not None, timeout=WAIT)
    before = none_refs()
    rounds = 0
    for _cycle in range(6):
        _day(qtbot, window, 400)
        rounds += 400
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: window.state == "locked", timeout=WAIT)
        lock = window.lock_page
        for _ in range(50):
            _move(lock, 20, 20)
        qtbot.keyClicks(lock.password, PASSWORDS["teller"])
        qtbot.keyClick(lock.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.state == "home", timeout=WAIT)
        assert window.home is home and window.idle_timer.isActive()
    # Each round sends about 14 events and makes a dozen void calls; a leak of one reference per call
    # would have taken tens of thousands of references by now.
    assert none_refs() >= before - rounds // 20, (before, none_refs())
    assert window.state == "home" and window.ctx.user is not None
