"""The complaint dialogs: recording one (with the masked customer search) and one small dialog for
each later step. They only collect values; the page submits them to the core."""
from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.text import Text
from counterdesk.services.complaints.codes import CATEGORIES, CHANNELS, COMPLEX, COMPLEXITIES, SIMPLE
from counterdesk.services.complaints.handling import NewComplaint
from counterdesk.services.customers import repository
from counterdesk.services.customers.data_rights import RESTRICTED_MARK
from counterdesk.services.customers.records import CustomerSummary
from counterdesk.ui import theme
from counterdesk.ui.service.messages import t
from counterdesk.ui.widgets.common import MessageLabel, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task


def fill_combo(combo: QComboBox, choices: Mapping[str, Text], lang: str) -> None:
    current = combo.currentData()
    combo.clear()
    for code, label in choices.items():
        combo.addItem(label.get(lang), code)
    if current is not None:
        combo.setCurrentIndex(max(0, combo.findData(current)))


def _row(form: QFormLayout, text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    form.addRow(label, field)
    return label


class RecordDialog(QDialog):
    """Channel, subject, complexity, the customer (found masked, or anonymous), the sale's
    confirmation number and the customer's words."""

    submitted = Signal(object)  # NewComplaint

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lang = ctx.lang
        self.setObjectName("complaint_record_dialog")
        self.setWindowTitle(t("r_title", lang))
        self.setMinimumWidth(560)
        form = QFormLayout()
        self.channel, self.category, self.complexity = QComboBox(), QComboBox(), QComboBox()
        fill_combo(self.channel, CHANNELS, lang)
        fill_combo(self.category, CATEGORIES, lang)
        fill_combo(self.complexity, {k: COMPLEXITIES[k] for k in (SIMPLE, COMPLEX)}, lang)
        self.search = QLineEdit()
        self.search.setPlaceholderText(t("r_search_hint", lang))
        self.search.returnPressed.connect(self.find)
        self.results = QListWidget()
        self.results.setObjectName("complaint_customer_results")
        self.results.setMaximumHeight(110)
        self.anonymous = QCheckBox(t("r_anonymous", lang))
        self.anonymous.setChecked(True)
        self.results.currentItemChanged.connect(lambda item, _old: self.anonymous.setChecked(item is None))
        self.results.currentRowChanged.connect(self._show_restriction)
        # A restricted customer (PIPL Art 47) may still complain; the dialog says what the record allows.
        self.restriction = QLabel()
        self.restriction.setObjectName("complaint_customer_restriction")
        self.restriction.setWordWrap(True)
        theme.set_role(self.restriction, "error")
        self.restriction.hide()
        self.anonymous.toggled.connect(self._anonymous_toggled)
        self.confirmation = QLineEdit()
        self.confirmation.setPlaceholderText(t("r_confirmation_hint", lang))
        self.words = QPlainTextEdit()
        self.words.setTabChangesFocus(True)
        self.words.setMinimumHeight(110)
        _row(form, t("r_channel", lang), self.channel)
        _row(form, t("r_category", lang), self.category)
        _row(form, t("r_complexity", lang), self.complexity)
        _row(form, t("r_search", lang), self.search)
        _row(form, t("r_customer", lang), self.results)
        form.addRow("", self.restriction)
        form.addRow("", self.anonymous)
        _row(form, t("r_confirmation", lang), self.confirmation)
        _row(form, t("r_words", lang), self.words)
        self.message = MessageLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(t("ok", lang))
        self.ok_button.setAutoDefault(False)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(t("cancel", lang))
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(self.message)
        outer.addWidget(buttons)
        self.customers: list[CustomerSummary] = []
        self.searching = False
        self.channel.setFocus()

    def _anonymous_toggled(self, on: bool) -> None:
        if on:
            self.results.setCurrentItem(None)  # type: ignore[arg-type]
            self.results.clearSelection()

    def find(self) -> None:
        """The existing customer search (masked summaries, the query audited in masked form)."""
        vault, user, text = self.ctx.vault, self.ctx.user, self.search.text().strip()
        if not text or vault is None or user is None:
            return
        self.searching = True
        run_task(self, lambda: repository.search_by_name(vault, user, text, 20), self._found, self._failed)

    def _found(self, found: list[CustomerSummary]) -> None:
        self.searching = False
        self.customers = list(found)
        self.results.clear()
        lang = self.ctx.lang
        for c in self.customers:
            text = f"{c.name}  {c.id_number}  {c.birth_date}"
            item = QListWidgetItem(RESTRICTED_MARK.get(lang).format(name=text) if c.restriction else text)
            if c.restriction is not None:
                item.setToolTip(c.restriction.get(lang))
            self.results.addItem(item)
        if self.customers:
            self.results.setCurrentRow(0)
            self.results.setFocus()

    def _show_restriction(self, row: int) -> None:
        found = self.customers[row].restriction if 0 <= row < len(self.customers) else None
        self.restriction.setText(found.get(self.ctx.lang) if found is not None else "")
        self.restriction.setVisible(found is not None)

    def _failed(self, exc: BaseException) -> None:
        self.searching = False
        self.message.show_error(error_text(exc, self.ctx.lang))

    def value(self) -> NewComplaint:
        row = self.results.currentRow()
        customer = None if self.anonymous.isChecked() or row < 0 else self.customers[row].customer_id
        return NewComplaint(self.channel.currentData(), self.category.currentData(), self.words.toPlainText(),
                            self.complexity.currentData(), customer, self.confirmation.text().strip() or None)

    def _submit(self) -> None:
        self.submitted.emit(self.value())

    def show_error(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))


class StepDialog(QDialog):
    """One step: optionally a choice of codes, of people or of days, and a text. ``values()`` gives
    {"choice", "person", "days", "text"} for what the dialog has."""

    submitted = Signal(dict)

    def __init__(self, ctx: AppContext, name: str, title: str, *, choice: tuple[str, Mapping[str, Text]] | None = None,
                 people: list[tuple[str, str]] | None = None, days: tuple[int, int, int] | None = None,
                 text_label: str | None = None, allow_none: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lang = ctx.lang
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        form = QFormLayout()
        self.choice = self.person = self.days = self.text = None
        if choice is not None:
            self.choice = QComboBox()
            if allow_none:
                self.choice.addItem(allow_none, None)
            for code, label in choice[1].items():
                self.choice.addItem(label.get(lang), code)
            _row(form, choice[0], self.choice)
        if people is not None:
            self.person = QComboBox()
            for user_id, name_ in people:
                self.person.addItem(name_, user_id)
            _row(form, t("s_to", lang), self.person)
        if days is not None:
            self.days = QSpinBox()
            self.days.setRange(days[0], days[1])
            self.days.setValue(days[2])
            _row(form, t("s_days", lang), self.days)
        if text_label is not None:
            self.text = QPlainTextEdit()
            self.text.setTabChangesFocus(True)
            self.text.setMinimumHeight(80)
            _row(form, text_label, self.text)
        self.message = MessageLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(t("ok", lang))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(t("cancel", lang))
        buttons.accepted.connect(lambda: self.submitted.emit(self.values()))
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(self.message)
        outer.addWidget(buttons)
        first: list[QWidget | None] = [self.choice, self.person, self.days, self.text]
        focus = next((w for w in first if w is not None), None)
        if focus is not None:
            focus.setFocus()

    def values(self) -> dict:
        return {"choice": self.choice.currentData() if self.choice is not None else None,
                "person": self.person.currentData() if self.person is not None else None,
                "days": self.days.value() if self.days is not None else None,
                "text": self.text.toPlainText() if self.text is not None else ""}

    def show_error(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))


