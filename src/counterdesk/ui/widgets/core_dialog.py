"""The frame of a dialog that collects a few fields and makes one core call off the UI thread,
showing the core's problems next to the fields."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from counterdesk.ui.widgets.common import MessageLabel, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task


class CoreDialog(QDialog):
    """Shared frame of the user dialogs: fields, message, OK/Cancel, one core call off the UI thread.
    Holds no user-visible strings: tr() must be called in the concrete class (its tr context)."""

    succeeded = Signal(str, str)  # message for the page, username concerned

    def __init__(self, ctx: AppContext, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(name)
        self.setMinimumWidth(420)
        self.fields: list[QWidget] = []  # Enter walks through these; the last one submits
        self.problem_fields: dict[str, QWidget] = {}  # core Problem.field -> widget to focus
        self.message = MessageLabel()
        self.message.setObjectName(name + "_message")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        for b in self.buttons.buttons():
            b.setAutoDefault(False)  # Enter is handled in eventFilter, not by a default button
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        raise NotImplementedError

    def finish_layout(self) -> None:
        self.body.addWidget(self.message)
        self.body.addWidget(self.buttons)

    def set_button_texts(self, ok: str, cancel: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel)

    def add_fields(self, fields: list[QWidget]) -> list[QLabel]:
        """Lay out the fields in a form (labels are filled by retranslate) and chain Enter through them."""
        self.fields = fields
        form, labels = QFormLayout(), []
        for field in fields:
            label = QLabel()
            label.setBuddy(field)
            form.addRow(label, field)
            labels.append(label)
            field.installEventFilter(self)
        self.body.addLayout(form)
        return labels

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Enter moves to the next field and submits from the last. Filtered on the field itself, since
        # QLineEdit and a non-editable QComboBox pass Enter on and QDialog would click a default button.
        if (event.type() == QEvent.Type.KeyPress and obj in self.fields
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)):
            idx = self.fields.index(obj)
            if idx == len(self.fields) - 1:
                self.submit()
            else:
                self.fields[idx + 1].setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(obj, event)

    def submit(self) -> None:
        raise NotImplementedError

    def passwords_differ(self, password: QLineEdit, confirm: QLineEdit, text: str) -> bool:
        if password.text() == confirm.text():
            return False
        self.message.show_error(text)
        confirm.setFocus()
        return True

    def run(self, fn: Callable[[], Any], username: str, success_text: str) -> None:
        """Run the core call; on success tell the page what to say and close."""
        if not self.buttons.isEnabled():
            return  # a call is already running
        self.buttons.setEnabled(False)
        self.message.clear_message()
        run_task(self, fn, lambda _r: self._ok(username, success_text), self._failed)

    def _ok(self, username: str, text: str) -> None:
        self.succeeded.emit(text, username)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.show_error(error_text(exc, self.ctx.lang))
        result = getattr(exc, "result", None)
        problems = result.errors() if result is not None else []
        target = self.problem_fields.get(problems[0].field) if problems else None
        (target or (self.fields[0] if self.fields else self)).setFocus()
