"""A list whose items name a keyboard shortcut after a tab ("Find a customer\tCtrl+2"): the name on the
left, the shortcut right-aligned in the muted colour, as a menu shows it. A plain tab in the text aligns
to tab stops, which left the shortcuts ragged."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from counterdesk.ui import theme

GAP = 24  # pixels between the longest name and its shortcut


class ShortcutDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)

    @staticmethod
    def _parts(index: QModelIndex | QPersistentModelIndex) -> tuple[str, str]:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        name, _tab, keys = text.partition("\t")
        return name, keys

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        name, keys = self._parts(index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        rect: QRect = option.rect.adjusted(6, 0, -6, 0)  # type: ignore[attr-defined]
        painter.save()
        painter.setFont(opt.font)
        text_colour = opt.palette.highlightedText().color() if selected else opt.palette.text().color()
        painter.setPen(text_colour)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), name)
        if keys:
            painter.setPen(text_colour if selected else QColor(theme.MUTED))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), keys)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        name, keys = self._parts(index)
        metrics = option.fontMetrics  # type: ignore[attr-defined]
        width = metrics.horizontalAdvance(name) + 12
        if keys:
            width += GAP + metrics.horizontalAdvance(keys)
        return QSize(width, max(metrics.height() + 8, 24))
