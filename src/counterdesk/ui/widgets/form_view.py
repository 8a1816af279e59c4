"""Renders a form definition (counterdesk.forms) as widgets: one definition drives the screen.

The view only copies values in and out and shows the core's problems next to their fields; the
rules (required, patterns, conditions, stops) are applied by counterdesk.forms.answers.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.text import Result
from counterdesk.forms.answers import evaluate
from counterdesk.forms.choices import choices
from counterdesk.forms.definition import Field, Form
from counterdesk.ui import theme


class _GroupEditor(QWidget):
    """A repeating group (e.g. tax jurisdictions) as a small table: one row per item."""

    changed = Signal()
    field_changed = Signal(str)  # the key of the field whose value changed

    def __init__(self, f: Field, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = f
        self.lang = lang
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(f.fields))
        self.table.setObjectName(f"{f.key}_table")
        self.table.setMinimumHeight(90)
        buttons = QHBoxLayout()
        self.add = QPushButton("+")
        self.add.setObjectName(f"{f.key}_add")
        self.remove = QPushButton("−")
        self.remove.setObjectName(f"{f.key}_remove")
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        lay.addWidget(self.table)
        lay.addLayout(buttons)
        self.add.clicked.connect(self.add_row)
        self.remove.clicked.connect(self.remove_row)
        self.table.itemChanged.connect(self._item_changed)
        self.relabel(lang)

    def _item_changed(self, _item) -> None:
        self.changed.emit()

    def relabel(self, lang: str) -> None:
        self.lang = lang
        self.table.setHorizontalHeaderLabels([sub.label.get(lang) for sub in self.field.fields])

    def add_row(self) -> None:
        self.table.insertRow(self.table.rowCount())
        self.changed.emit()

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()

    def value(self) -> list[dict[str, Any]]:
        items = []
        for r in range(self.table.rowCount()):
            item = {}
            for c, sub in enumerate(self.field.fields):
                cell = self.table.item(r, c)
                text = cell.text().strip() if cell else ""
                if text:
                    item[sub.key] = text
            if item:
                items.append(item)
        return items

    def set_value(self, items: Any) -> None:
        self.table.setRowCount(0)
        for item in items if isinstance(items, list) else []:
            r = self.table.rowCount()
            self.table.insertRow(r)
            for c, sub in enumerate(self.field.fields):
                value = item.get(sub.key) if isinstance(item, dict) else None
                self.table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))


class FormView(QWidget):
    """All sections of a form; ``values()`` returns answers in the shape the core validates."""

    changed = Signal()
    field_changed = Signal(str)  # the key of the field whose value changed

    def __init__(self, form: Form, lang: str, parent: QWidget | None = None, skip: set[str] | None = None):
        super().__init__(parent)
        self.form = form
        self.lang = lang
        self.skip = skip or set()
        self.editors: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self.boxes: list[tuple[QGroupBox, Any]] = []
        outer = QVBoxLayout(self)
        for section in form.sections:
            fields = [f for f in section.fields if f.key not in self.skip]
            if not fields:
                continue
            box = QGroupBox(section.title.get(lang))
            layout = QFormLayout(box)
            for f in fields:
                editor = self._editor(f)
                editor.setObjectName(f.key)
                label = QLabel()
                label.setMinimumWidth(200)  # one label column width across all sections
                label.setBuddy(editor)
                self.editors[f.key], self.labels[f.key] = editor, label
                layout.addRow(label, editor)
            self.boxes.append((box, section))
            outer.addWidget(box)
        outer.addStretch(1)
        self.relabel(lang)
        self.update_visibility()

    # ---- building ----------------------------------------------------------------------------------------
    def _editor(self, f: Field) -> QWidget:
        if f.type == "bool":
            box = QCheckBox()
            box.toggled.connect(self._changed)
            return box
        if f.type in ("choice", "country", "occupation", "document_type"):
            combo = QComboBox()
            # Sized for a typical label, not the longest of hundreds of occupations or countries: the
            # longest would widen the whole form past a 1366-pixel screen (the popup still shows it all).
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            combo.addItem("", None)
            for option in choices(f):
                combo.addItem(option.label.get(self.lang), option.value)
            if f.type in ("country", "occupation"):
                # Long lists: type to filter (pinyin or English names are in the labels).
                combo.setEditable(True)
                combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
                combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
                combo.completer().setFilterMode(combo.completer().filterMode().MatchContains)
            combo.currentIndexChanged.connect(self._changed)
            return combo
        if f.type == "group":
            group = _GroupEditor(f, self.lang)
            group.changed.connect(self._changed)
            return group
        if f.type == "textarea":
            edit = QPlainTextEdit()
            edit.setMaximumHeight(70)
            edit.textChanged.connect(self._changed)
            return edit
        edit = QLineEdit()
        if f.type == "date":
            edit.setPlaceholderText("YYYY-MM-DD")
        if f.derived is not None:
            edit.setReadOnly(True)
        edit.textChanged.connect(self._changed)
        return edit

    def _changed(self, *_args) -> None:
        self.update_visibility()
        sender = self.sender()
        key = sender.objectName() if sender is not None else ""
        if key in self.editors:
            self.field_changed.emit(key)
        self.changed.emit()

    def relabel(self, lang: str) -> None:
        self.lang = lang
        for box, section in self.boxes:
            box.setTitle(section.title.get(lang))
        for key, label in self.labels.items():
            f = self.form.field(key)
            label.setText(f.label.get(lang) + (" *" if f.required else ""))
            editor = self.editors[key]
            if f.help is not None:
                editor.setToolTip(f.help.get(lang))
            if isinstance(editor, QComboBox):
                for i, option in enumerate(choices(f), start=1):
                    editor.setItemText(i, option.label.get(lang))
            if isinstance(editor, _GroupEditor):
                editor.relabel(lang)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self.window() is not None:
            ctx_lang = getattr(self.window(), "ctx", None)
            if ctx_lang is not None:
                self.relabel(ctx_lang.lang)
        super().changeEvent(event)

    # ---- values --------------------------------------------------------------------------------------------
    def _value(self, f: Field, editor: QWidget) -> Any:
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            if data is None and editor.isEditable() and editor.currentText().strip():
                # Typed text that matches an option label selects it.
                idx = editor.findText(editor.currentText().strip())
                data = editor.itemData(idx) if idx > 0 else editor.currentText().strip()
            return data
        if isinstance(editor, _GroupEditor):
            return editor.value()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText().strip() or None
        text = editor.text().strip()
        return text or None

    def values(self) -> dict[str, Any]:
        out = {}
        for key, editor in self.editors.items():
            value = self._value(self.form.field(key), editor)
            if value not in (None, "", []) or isinstance(value, bool):
                out[key] = value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            editor = self.editors.get(key)
            if editor is None:
                continue
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                idx = editor.findData(value)
                editor.setCurrentIndex(max(idx, 0))
            elif isinstance(editor, _GroupEditor):
                editor.set_value(value)
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText("" if value is None else str(value))
            else:
                editor.setText("" if value is None else str(value))
        self.update_visibility()

    def update_visibility(self) -> None:
        scope = self.values()
        for key, editor in self.editors.items():
            f = self.form.field(key)
            visible = f.visible_if is None or evaluate(f.visible_if, scope)
            editor.setVisible(visible)
            self.labels[key].setVisible(visible)

    def show_problems(self, result: Result, lang: str) -> list[str]:
        """Mark the fields with problems; returns the messages (for a summary list)."""
        bad: dict[str, list[str]] = {}
        messages = []
        for problem in result.problems:
            top = problem.field.split("[")[0].split(".")[0]
            bad.setdefault(top, []).append(problem.message(lang))
            messages.append(problem.message(lang))  # the core's messages already name the field
        for key, editor in self.editors.items():
            theme.set_state(editor, "invalid" if key in bad else "")
            f = self.form.field(key)
            tip = "\n".join(bad.get(key, [])) or (f.help.get(lang) if f.help else "")
            editor.setToolTip(tip)
        return messages

    def focus_first_problem(self, result: Result) -> None:
        for problem in result.problems:
            editor = self.editors.get(problem.field.split("[")[0].split(".")[0])
            if editor is not None and editor.isVisible():
                editor.setFocus()
                return
