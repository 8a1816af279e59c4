"""Find a customer by document number or by name (characters or pinyin). Everything is masked;
revealing one value is a deliberate action that the core writes to the audit log."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counterdesk.forms import load_form
from counterdesk.forms.choices import choices
from counterdesk.identity.documents import guess_document_type
from counterdesk.services.customers import repository
from counterdesk.services.sync.state import delivery
from counterdesk.ui.widgets.common import MessageLabel, Page, error_text, page_title
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task

# Fields whose clear value may be revealed on request (the rest are never sensitive or never masked).
REVEALABLE = ("name_zh", "name_latin", "id_number", "phone", "address", "birth_date")


class FindCustomerPage(Page):
    searched = Signal(int)
    opened = Signal(str)
    revealed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.results: list = []
        self.record = None
        lay = QVBoxLayout(self)
        self.title = page_title()
        row = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setObjectName("find_query")
        self.search_button = QPushButton()
        self.search_button.setObjectName("find_search")
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("find_results")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.details = QTableWidget(0, 2)
        self.details.setObjectName("customer_fields")
        self.details.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.details.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.details.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.reveal_button = QPushButton()
        self.reveal_button.setObjectName("reveal_field")
        self.delivery = QLabel()
        self.delivery.setObjectName("customer_delivery")
        self.message = MessageLabel()
        lay.addWidget(self.title)
        lay.addLayout(row)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.details, 2)
        lay.addWidget(self.reveal_button)
        lay.addWidget(self.delivery)
        lay.addWidget(self.message)
        self.query.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.table.itemActivated.connect(self._open_item)
        self.table.itemSelectionChanged.connect(self.open_selected)
        self.reveal_button.clicked.connect(self.reveal_selected)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Find a customer"))
        self.query.setPlaceholderText(self.tr("Document number, or name in characters or pinyin (full or initials)"))
        self.search_button.setText(self.tr("&Search"))
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Document"), self.tr("Born"), self.tr("Tier"),
                                              self.tr("Found by")])
        self.details.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Value (masked)")])
        self.reveal_button.setText(self.tr("&Reveal the selected value (recorded in the audit log)"))

    def search(self) -> None:

        text = self.query.text().strip()
        if not text:
            return
        vault, user = self.ctx.vault, self.ctx.user
        self.message.clear_message()

        def find():
            kind = guess_document_type(text)
            if kind is not None:
                hit = repository.find_by_document(vault, user, kind.value, text)
                if hit is not None:
                    return [hit]
            return repository.search_by_name(vault, user, text)
        run_task(self, find, self._found, self._failed)

    def _found(self, results) -> None:
        self.results = list(results)
        self.table.setRowCount(0)
        self.table.setRowCount(len(self.results))
        tiers = {"mass": self.tr("Mass"), "wealth": self.tr("Wealth"), "private_banking": self.tr("Private banking")}
        found_by = {"document": self.tr("document number"), "name": self.tr("name"), "pinyin": self.tr("pinyin"),
                    "initials": self.tr("pinyin initials"), "given_name": self.tr("given name")}
        for r, s in enumerate(self.results):
            name = " / ".join(x for x in (s.name, s.name_latin) if x)
            cells = (name, s.id_number, s.birth_date, tiers.get(s.customer_tier, s.customer_tier or ""),
                     found_by.get(s.matched_by, s.matched_by))
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if not self.results:
            self.message.show_info(self.tr("No customer found."))
        self.searched.emit(len(self.results))

    def _open_item(self, _item) -> None:
        self.open_selected()

    def open_selected(self) -> None:

        row = self.table.currentRow()
        if not (0 <= row < len(self.results)):
            return
        vault, user, cid = self.ctx.vault, self.ctx.user, self.results[row].customer_id
        run_task(self, lambda: repository.get_customer(vault, user, cid), self._opened, self._failed)

    def _opened(self, record) -> None:

        self.record = record
        form = load_form(record.form_id, record.form_version)
        rows = [(key, value) for key, value in record.fields.items() if value not in (None, "", [])]
        self.details.setRowCount(0)
        self.details.setRowCount(len(rows))
        for r, (key, value) in enumerate(rows):
            f = form.field(key) if form.has_field(key) else None
            item = QTableWidgetItem(f.label.get(self.ctx.lang) if f else key)
            item.setData(256, key)  # Qt.UserRole: the field key for reveal
            self.details.setItem(r, 0, item)
            self.details.setItem(r, 1, QTableWidgetItem(self._display(f, value)))
        self.opened.emit(record.customer_id)

        vault, cid = self.ctx.vault, record.customer_id
        run_task(self, lambda: vault.transact(lambda s: delivery(s, "customer_id", cid)), self._delivery,
                 self._failed)

    def _delivery(self, result) -> None:
        """Whether this customer's records reached the hub (nothing shown on a stand-alone workstation)."""
        if result is None:
            self.delivery.clear()
            return
        unsent, sent = result
        self.delivery.setText(self.tr("Hub: all {sent} records of this customer have arrived.").format(sent=sent)
                              if unsent == 0 else
                              self.tr("Hub: {unsent} records of this customer not yet sent.").format(unsent=unsent))

    def _display(self, f, value) -> str:
        """Option codes and yes/no as the user reads them; masked text as it is."""

        if isinstance(value, bool):
            return self.tr("Yes") if value else self.tr("No")
        if f is not None and f.type in ("choice", "country", "occupation", "document_type"):
            label = next((o.label for o in choices(f) if o.value == value), None)
            if label is not None:
                return label.get(self.ctx.lang)
        if isinstance(value, list):
            return "; ".join(", ".join(f"{v}" for v in item.values()) if isinstance(item, dict) else str(item)
                             for item in value)
        return str(value)

    def reveal_selected(self) -> None:

        row = self.details.currentRow()
        if self.record is None or row < 0:
            return
        key = self.details.item(row, 0).data(256)
        if key not in REVEALABLE:
            self.message.show_info(self.tr("This value is not masked."))
            return
        vault, user, cid = self.ctx.vault, self.ctx.user, self.record.customer_id
        run_task(self, lambda: repository.reveal(vault, user, cid, key),
                 lambda value: self._revealed(row, key, value), self._failed)

    def _revealed(self, row: int, key: str, value) -> None:
        self.details.setItem(row, 1, QTableWidgetItem(str(value)))
        self.revealed.emit(key)

    def _failed(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))
