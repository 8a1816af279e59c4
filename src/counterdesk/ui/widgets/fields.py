"""Small factories for the fields and tables the admin pages build (object names for tests and
accessibility, the same table behaviour everywhere), and a field that refuses paste."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QLineEdit, QTableWidget, QWidget


def combo(name: str, options: dict, lang: str, blank: bool = False) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    if blank:
        combo.addItem("—", "")
    for code, label in options.items():
        combo.addItem(label.get(lang), code)
    return combo


def line_edit(name: str, placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    return field


def table(name: str, columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class TypedOnlyLineEdit(QLineEdit):
    """A field the person in front of it must type into: paste (Ctrl+V, Shift+Insert, the context menu),
    drops and the middle button's selection paste are refused and reported with ``paste_refused``, so
    the window can say why. Typing, also through an input method (Chinese), is unaffected."""

    paste_refused = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(False)
        self.setDragEnabled(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        shift_insert = (event.key() == Qt.Key.Key_Insert
                        and event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if event.matches(QKeySequence.StandardKey.Paste) or shift_insert:
            event.accept()
            self.paste_refused.emit()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        event.accept()  # the standard menu offers Paste
        self.paste_refused.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:  # X11 pastes the selection on release
            event.accept()
            self.paste_refused.emit()
            return
        super().mouseReleaseEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        event.ignore()
        self.paste_refused.emit()
