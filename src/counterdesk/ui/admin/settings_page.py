"""Settings form generated from counterdesk.base.settings.declared(): one editor per declared setting.

Editor bounds come from the declaration, so the widgets cannot produce an out-of-range number; the
core validates again on save (set_setting) and that answer is what the page shows.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.settings import Setting, declared
from counterdesk.base.text import Result, ValidationFailed
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import MessageLabel, Page, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task

# Language names are shown in their own language, whatever the current UI language is.
_LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}
_INT_LIMIT = 2**31 - 1


class SettingsPage(Page):
    saved = Signal(dict)  # key -> new value, only the keys that changed

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings: dict[str, Setting] = declared()
        self.editors: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self._busy = False

        self.title = QLabel()
        theme.set_role(self.title, "page-title")
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        theme.set_role(self.intro, "hint")
        form_box = QWidget()
        form = QFormLayout(form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for key, setting in self.settings.items():
            editor = self._make_editor(setting)
            editor.setObjectName(key)
            label = QLabel()
            label.setBuddy(editor)
            self.editors[key], self.labels[key] = editor, label
            form.addRow(label, editor)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(form_box)

        self.save_button = QPushButton()
        self.save_button.setObjectName("save_settings")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton()
        self.revert_button.setObjectName("revert_settings")
        self.revert_button.clicked.connect(self._revert)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        self.message = MessageLabel()
        self.message.setObjectName("settings_message")

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.intro)
        # The buttons sit right under the form; the scroll area only matters once the list grows.
        lay.addWidget(scroll)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        lay.addStretch(1)
        self.retranslate()
        if ctx.vault is not None and getattr(ctx.vault, "unlocked", False):
            self.load()

    # ---- editors ---------------------------------------------------------------------------------
    @staticmethod
    def _make_editor(s: Setting) -> QWidget:
        if s.type is bool:
            return QCheckBox()
        if s.choices is not None:
            combo = QComboBox()
            for choice in s.choices:
                combo.addItem(_LANGUAGE_NAMES.get(choice, str(choice)) if s.key == "ui.language" else str(choice),
                              choice)
            return combo
        if s.type is int:
            spin = QSpinBox()
            spin.setRange(int(s.minimum) if s.minimum is not None else -_INT_LIMIT,
                          int(s.maximum) if s.maximum is not None else _INT_LIMIT)
            spin.setMinimumWidth(110)
            return spin
        if s.type is float:
            dspin = QDoubleSpinBox()
            dspin.setDecimals(2)
            dspin.setRange(s.minimum if s.minimum is not None else -1e12, s.maximum if s.maximum is not None else 1e12)
            dspin.setMinimumWidth(110)
            return dspin
        line = QLineEdit()
        line.setMinimumWidth(240)
        return line

    def _value(self, key: str) -> Any:
        editor, s = self.editors[key], self.settings[key]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, (QSpinBox, QDoubleSpinBox)):
            return editor.value()
        return s.type(editor.text())

    def _set_value(self, key: str, value: Any) -> None:
        editor = self.editors[key]
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
            editor.setValue(value)
        else:
            editor.setText(str(value))

    # ---- texts -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        lang = self.ctx.lang
        self.title.setText(self.tr("Settings"))
        self.intro.setText(self.tr("Changes apply to every workstation of this branch and are recorded in the "
                                   "audit log. Hover over a setting to see its key and source."))
        for key, s in self.settings.items():
            self.labels[key].setText(s.description.get(lang) + ("：" if lang == "zh" else ":"))
            tip = self.tr("Key: {key}").format(key=key)
            if s.source:
                tip += "\n" + self.tr("Source: {source}").format(source=s.source_text.get(lang))
            self.labels[key].setToolTip(tip)
            self.editors[key].setToolTip(tip)
        self.save_button.setText(self.tr("Saving…") if self._busy else self.tr("Save"))
        self.save_button.setToolTip(self.tr("Save the changed settings (Ctrl+S)"))
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)  # after setText, which resets it
        self.revert_button.setText(self.tr("Revert"))
        self.revert_button.setToolTip(self.tr("Discard unsaved changes"))

    # ---- load and save ---------------------------------------------------------------------------
    def load(self) -> None:
        """Fill the editors from the vault's current settings (discarding unsaved edits)."""
        values = self.ctx.vault.settings()
        for key in self.editors:
            self._set_value(key, values[key])

    def _revert(self) -> None:
        self.load()
        self.message.clear_message()

    def changed_values(self) -> dict[str, Any]:
        current = self.ctx.vault.settings()
        return {key: self._value(key) for key in self.editors if self._value(key) != current[key]}

    def save(self) -> None:
        if self._busy:
            return
        try:
            changed = self.changed_values()
        except ValueError:  # free-text editor whose text does not parse as its type
            changed = None
        if changed is None:
            self.message.show_error(self.tr("A value cannot be read; check the fields."))
            return
        if not changed:
            self.message.show_info(self.tr("Nothing to save: no setting was changed."))
            return
        vault, actor, settings = self.ctx.vault, self.ctx.user, self.settings

        def write() -> dict[str, Any]:
            # Validate every change with the core first, so a bad value saves nothing at all.
            res = Result()
            for key, value in changed.items():
                res.problems += settings[key].validate(value).problems
            if not res.ok:
                raise ValidationFailed(res)
            for key, value in changed.items():
                vault.set_setting(actor, key, value)
            return changed
        self._set_busy(True)
        self.message.clear_message()
        run_task(self, write, self._saved, self._failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.revert_button.setEnabled(not busy)
        self.retranslate()

    def _saved(self, changed: dict) -> None:
        self._set_busy(False)
        self.load()
        names = ", ".join(self.settings[k].description.get(self.ctx.lang) for k in changed)
        self.message.show_info(self.tr("Saved: {names}.").format(names=names))
        self.saved.emit(dict(changed))

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        lang, result = self.ctx.lang, getattr(exc, "result", None)
        if result is not None and result.errors():
            # Name the setting in front of each problem: the core's messages say only what is wrong.
            lines = []
            for p in result.errors():
                s = self.settings.get(p.field)
                lines.append(f"{s.description.get(lang)}: {p.message(lang)}" if s else p.message(lang))
            self.message.show_error("\n".join(lines))
        else:
            self.message.show_error(error_text(exc, lang))
        # Partial writes (disk full mid-way) are possible; the editors keep the user's input, and the
        # next save compares against what the vault really holds.
