"""Read-only list tables: whole rows selected, one column taking the spare width, filled in one go
with a tooltip per cell and the selection read back as row numbers."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem


def stretch_table(name: str, columns: int, stretch: int, multi: bool = False) -> QTableWidget:
    """Columns sized to their contents except ``stretch``; ``multi``: several rows may be selected."""
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi else
                           QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    for col in range(columns):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def selected_rows(table: QTableWidget) -> list[int]:
    model = table.selectionModel()
    return sorted(i.row() for i in model.selectedRows()) if model is not None else []


def fill_table(table: QTableWidget, rows: list[list[tuple[str, str]]]) -> None:
    """Replace the rows with ``(text, tooltip)`` cells ("" for no tooltip), selecting nothing.

    Signals are blocked while filling: the caller restores the selection it wants afterwards."""
    table.blockSignals(True)
    table.clearSelection()
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, (text, tip) in enumerate(cells):
            item = QTableWidgetItem(text)
            if tip:
                item.setToolTip(tip)
            table.setItem(r, c, item)
    table.blockSignals(False)
