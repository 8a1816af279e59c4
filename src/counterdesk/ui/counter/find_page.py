"""Find a customer by document number or by name (characters or pinyin). Everything is masked;
revealing one value is a deliberate action that the core writes to the audit log."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.roles import can
from counterdesk.forms import load_form
from counterdesk.forms.choices import choices
from counterdesk.identity.documents import guess_document_type
from counterdesk.services.customers import data_rights, repository
from counterdesk.services.privacy import export
from counterdesk.services.sync import fresh
from counterdesk.services.sync.state import delivery
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import MessageLabel, Page, error_text, page_title
from counterdesk.ui.widgets.confirmation_view import choose_printer, print_pdf
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task

# Fields whose clear value may be revealed on request (the rest are never sensitive or never masked).
REVEALABLE = ("name_zh", "name_latin", "id_number", "phone", "address", "birth_date")


class FindCustomerPage(Page):
    searched = Signal(int)
    opened = Signal(str)
    revealed = Signal(str)
    exported = Signal(str)  # the path of the encrypted export
    restricted = Signal(str)  # the customer id
    printed = Signal(str)  # the customer id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.results: list = []
        self.record = None
        self.choose_printer = choose_printer  # a test puts a PDF-file printer here
        self.last_printout: bytes | None = None
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
        # Restricted processing (PIPL Art 47): shown over the customer's data whenever it is restricted.
        self.restriction = QLabel()
        self.restriction.setObjectName("customer_restriction")
        self.restriction.setWordWrap(True)
        theme.set_role(self.restriction, "error")
        self.restriction.hide()
        # Data-rights requests, for those who handle them (supervisors).
        rights = QHBoxLayout()
        self.export_button = QPushButton()
        self.export_button.setObjectName("export_data")
        self.print_copy_button = QPushButton()
        self.print_copy_button.setObjectName("print_data_copy")
        self.restrict_button = QPushButton()
        self.restrict_button.setObjectName("restrict_customer")
        for button in (self.export_button, self.print_copy_button, self.restrict_button):
            button.setVisible(can(ctx.user.role, "privacy.manage") if ctx.user else False)
            button.setEnabled(False)
            rights.addWidget(button)
        rights.addStretch(1)
        self.message = MessageLabel()
        lay.addWidget(self.title)
        lay.addLayout(row)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.restriction)
        lay.addWidget(self.details, 2)
        lay.addWidget(self.reveal_button)
        lay.addLayout(rights)
        lay.addWidget(self.delivery)
        lay.addWidget(self.message)
        self.query.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.table.itemActivated.connect(self._open_item)
        self.table.itemSelectionChanged.connect(self.open_selected)
        self.reveal_button.clicked.connect(self.reveal_selected)
        self.export_button.clicked.connect(self.export_selected)
        self.print_copy_button.clicked.connect(self.print_selected)
        self.restrict_button.clicked.connect(self.restrict_selected)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Find a customer"))
        self.query.setPlaceholderText(self.tr("Document number, or name in characters or pinyin (full or initials)"))
        self.search_button.setText(self.tr("S&earch"))
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Document"), self.tr("Born"), self.tr("Tier"),
                                              self.tr("Found by")])
        self.details.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Value (masked)")])
        self.reveal_button.setText(self.tr("&Reveal the selected value (recorded in the audit log)"))
        self.export_button.setText(self.tr("E&xport the customer's data (encrypted file)…"))
        self.print_copy_button.setText(self.tr("&Print a copy of the customer's data (masked)…"))
        self.restrict_button.setText(self.tr("Record a deletion re&quest (restricts processing)…"))
        if self.record is not None and self.record.restriction is not None:
            self.restriction.setText(self.record.restriction.get(self.ctx.lang))

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
            if s.restriction is not None:
                name = self.tr("[Restricted] {name}").format(name=name)
            cells = (name, s.id_number, s.birth_date, tiers.get(s.customer_tier, s.customer_tier or ""),
                     found_by.get(s.matched_by, s.matched_by))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if s.restriction is not None:
                    item.setToolTip(s.restriction.get(self.ctx.lang))
                self.table.setItem(r, c, item)
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

        def checked_then_read():
            # The customer's flags recorded elsewhere in the branch first (at most ~2 s, off the UI thread).
            checked = fresh.check_customer(vault, cid)
            return repository.get_customer(vault, user, cid), checked
        run_task(self, checked_then_read, self._opened_checked, self._failed)

    def _opened_checked(self, result) -> None:
        record, checked = result
        self._opened(record)
        if checked.message is not None:
            text = checked.message
            self.message.show_info(lambda: text.get(self.ctx.lang))

    def _opened(self, record) -> None:

        self.record = record
        if record.restriction is not None:
            self.restriction.setText(record.restriction.get(self.ctx.lang))
            self.restriction.show()
        else:
            self.restriction.clear()
            self.restriction.hide()
        self.export_button.setEnabled(True)
        self.print_copy_button.setEnabled(True)
        self.restrict_button.setEnabled(record.restriction is None)
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

    def export_selected(self) -> None:
        """The customer's access request: every record about them, AES-256 encrypted under a password
        that is shown once, to be handed to the customer apart from the file."""
        if self.record is None:
            return
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("Save the encrypted export"), "",
                                                    self.tr("PDF files (*.pdf)"))
        if not path:
            return
        vault, user, cid, lang = self.ctx.vault, self.ctx.user, self.record.customer_id, self.ctx.lang
        password = export.new_password()
        run_task(self, lambda: export.export_encrypted(vault, user, cid, path, password, lang=lang),
                 lambda info: self._exported(info, password), self._failed)

    def _exported(self, info, password: str) -> None:
        self.message.show_info(lambda: self.tr(
            "Encrypted file saved to {path}. Password to open it (give it to the customer separately; it is not "
            "shown again): {password}").format(path=str(info.path), password=password))
        self.exported.emit(str(info.path))

    def print_selected(self) -> None:
        """The access request on paper: the core renders the export with identifiers masked and audits it."""
        if self.record is None:
            return
        vault, user, cid, lang = self.ctx.vault, self.ctx.user, self.record.customer_id, self.ctx.lang

        def rendered(info) -> None:
            self.last_printout = info.pdf
            printer = self.choose_printer(self, self.tr("Print a copy of the customer's data"))
            if printer is None:
                return
            print_pdf(info.pdf, printer)
            self.message.show_info(lambda: self.tr("The copy of the customer's data was sent to the printer."))
            self.printed.emit(cid)
        run_task(self, lambda: export.printout(vault, user, cid, lang), rendered, self._failed)

    def restrict_selected(self) -> None:
        if self.record is None:
            return
        answer = QMessageBox.question(self, self.tr("Deletion request"), self.tr(
            "The customer asks for deletion, but the records must be kept for their legal retention period. Record "
            "the request and restrict all processing to storage (PIPL Art 47)?"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        vault, user, cid = self.ctx.vault, self.ctx.user, self.record.customer_id
        run_task(self, lambda: data_rights.restrict(vault, user, cid), lambda _info: self._restricted(cid),
                 self._failed)

    def _restricted(self, customer_id: str) -> None:
        vault, user = self.ctx.vault, self.ctx.user
        run_task(self, lambda: repository.get_customer(vault, user, customer_id), self._opened, self._failed)
        self.restricted.emit(customer_id)

    def _failed(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))
