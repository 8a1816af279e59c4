"""Staff licences (持证上岗): which product types a member of staff may sell and until when. Opened
from the users page (one user) and from the catalog page (everyone)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counterdesk.services import accounts
from counterdesk.services.catalog import licences
from counterdesk.services.catalog.products import LICENCE_TYPES
from counterdesk.ui.widgets import fields
from counterdesk.ui.widgets.common import MessageLabel, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task


class LicencesDialog(QDialog):
    """Staff licences (持证上岗): pick a user, see their licences, add/renew or remove one."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, ctx: AppContext, user_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("licences_dialog")
        self.setMinimumWidth(560)
        self._want_user = user_id
        self._generation = 0  # only the newest refresh may fill the table (the user may switch quickly)
        self.users: list[accounts.UserInfo] = []
        self.rows: list[licences.LicenceInfo] = []
        self.user_combo = QComboBox()
        self.user_combo.setObjectName("licence_user")
        self.user_combo.currentIndexChanged.connect(self.refresh)
        self.table = fields.table("licences_table", 5)
        self.table.itemSelectionChanged.connect(self._selected)
        self.type = fields.combo("licence_type", LICENCE_TYPES, ctx.lang)
        self.number = fields.line_edit("licence_number")
        self.issued = fields.line_edit("licence_issued", "YYYY-MM-DD")
        self.expires = fields.line_edit("licence_expires", "YYYY-MM-DD")
        self.user_label, self.type_label, self.number_label = QLabel(), QLabel(), QLabel()
        self.issued_label, self.expires_label = QLabel(), QLabel()
        form = QFormLayout()
        form.addRow(self.type_label, self.type)
        form.addRow(self.number_label, self.number)
        form.addRow(self.issued_label, self.issued)
        form.addRow(self.expires_label, self.expires)
        self.save_button, self.remove_button = QPushButton(), QPushButton()
        self.save_button.setObjectName("licence_save")
        self.remove_button.setObjectName("licence_remove")
        self.save_button.clicked.connect(self.save)
        self.remove_button.clicked.connect(self.remove)
        self.message = MessageLabel()
        self.message.setObjectName("licences_message")
        self.close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_box.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.user_label)
        top.addWidget(self.user_combo, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.message)
        lay.addWidget(self.close_box)
        self.retranslate()
        self._load_users()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Staff licences"))
        self.user_label.setText(self.tr("&User"))
        self.user_label.setBuddy(self.user_combo)
        self.table.setHorizontalHeaderLabels([self.tr("Licence"), self.tr("Number"), self.tr("Issued"),
                                              self.tr("Expires"), self.tr("Status")])
        self.type_label.setText(self.tr("Licence &type"))
        self.number_label.setText(self.tr("Certificate &number"))
        self.issued_label.setText(self.tr("&Issued on"))
        self.expires_label.setText(self.tr("&Expires on (empty = no expiry)"))
        self.save_button.setText(self.tr("Save licence"))
        self.remove_button.setText(self.tr("Remove licence"))
        self._fill()

    def _load_users(self) -> None:
        vault, actor = self.ctx.vault, self.ctx.user
        run_task(self, lambda: accounts.list_users(vault, actor), self._users_loaded, self._failed)

    def _users_loaded(self, users: list) -> None:
        self.users = list(users)
        self.user_combo.blockSignals(True)
        self.user_combo.clear()
        for u in self.users:
            self.user_combo.addItem(f"{u.username} ({u.display_name})", u.user_id)
        if self._want_user:
            self.user_combo.setCurrentIndex(max(0, self.user_combo.findData(self._want_user)))
        self.user_combo.blockSignals(False)
        self.refresh()

    def user_id(self) -> str | None:
        return self.user_combo.currentData()

    def refresh(self) -> None:
        uid = self.user_id()
        if uid is None:
            return
        self._generation += 1
        gen, vault, actor = self._generation, self.ctx.vault, self.ctx.user
        run_task(self, lambda: licences.list_licences(vault, actor, uid), lambda rows: self._loaded(gen, rows),
                 self._failed)

    def _loaded(self, gen: int, rows: list) -> None:
        if gen != self._generation:
            return
        self.rows = list(rows)
        self._fill()
        self.loaded.emit()

    def _fill(self) -> None:
        today = date.today()
        self.table.setRowCount(len(self.rows))
        for r, li in enumerate(self.rows):
            status = self.tr("Valid") if li.valid_on(today) else (
                self.tr("Not yet valid") if today < li.issued else self.tr("Expired"))
            cells = [li.label(self.ctx.lang), li.number, li.issued.isoformat(),
                     li.expires.isoformat() if li.expires else "—", status]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, li.licence_type)
                self.table.setItem(r, c, item)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        li = self.rows[rows[0].row()]
        self.type.setCurrentIndex(max(0, self.type.findData(li.licence_type)))
        self.number.setText(li.number)
        self.issued.setText(li.issued.isoformat())
        self.expires.setText(li.expires.isoformat() if li.expires else "")

    def _date(self, field: QLineEdit) -> date | None:
        text = field.text().strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(field) from None

    def save(self) -> None:
        try:
            issued, expires = self._date(self.issued), self._date(self.expires)
        except ValueError as exc:
            self.message.show_error(self.tr("Enter dates as YYYY-MM-DD."))
            exc.args[0].setFocus()
            return
        vault, actor, uid = self.ctx.vault, self.ctx.user, self.user_id()
        kind, number = self.type.currentData(), self.number.text()
        self.message.clear_message()
        run_task(self, lambda: licences.set_licence(vault, actor, uid, kind, number, issued, expires),
                 self._saved, self._failed)

    def remove(self) -> None:
        vault, actor, uid, kind = self.ctx.vault, self.ctx.user, self.user_id(), self.type.currentData()
        self.message.clear_message()
        run_task(self, lambda: licences.remove_licence(vault, actor, uid, kind), self._removed, self._failed)

    def _saved(self, info) -> None:
        self.message.show_info(self.tr("Licence saved: {licence}.").format(licence=info.label(self.ctx.lang)))
        self.changed.emit()
        self.refresh()

    def _removed(self, removed: bool) -> None:
        self.message.show_info(self.tr("Licence removed.") if removed
                               else self.tr("The user does not hold this licence."))
        self.changed.emit()
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))
