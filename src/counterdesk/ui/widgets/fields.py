"""Small factories for the fields and tables the admin pages build (object names for tests and
accessibility, the same table behaviour everywhere)."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QLineEdit, QTableWidget


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
