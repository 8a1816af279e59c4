"""The sync page's tab of the records the hub refused (quarantined): type, error and time, never their
content; once the cause is fixed they can be sent again."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counterdesk.base.branchtime import format_time, zone_heading
from counterdesk.ui.admin.audit_page import short_id
from counterdesk.ui.admin.sync_jobs import send_again
from counterdesk.ui.admin.sync_runner import SyncRunner
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tables import fill_table, selected_rows, stretch_table


class SyncQuarantineTab(QWidget):

    def __init__(self, ctx: AppContext, runner: SyncRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.rows: list[dict] = []          # counterdesk.services.sync.client.quarantined() rows shown
        self._record_ids: set[str] = set()  # the records selected, kept across reloads
        lay = QVBoxLayout(self)
        self.q_intro = QLabel()
        self.q_intro.setWordWrap(True)
        self.q_table = stretch_table("sync_quarantine", 4, 1, multi=True)
        self.q_table.itemSelectionChanged.connect(self._records_changed)
        buttons = QHBoxLayout()
        self.q_send_selected = QPushButton()
        self.q_send_selected.setObjectName("sync_send_selected")
        self.q_send_all = QPushButton()
        self.q_send_all.setObjectName("sync_send_all")
        buttons.addWidget(self.q_send_selected)
        buttons.addWidget(self.q_send_all)
        buttons.addStretch(1)
        lay.addWidget(self.q_intro)
        lay.addWidget(self.q_table, 1)
        self.q_note = QLabel()
        self.q_note.setObjectName("sync_quarantine_note")
        self.q_note.setWordWrap(True)
        lay.addWidget(self.q_note)
        lay.addLayout(buttons)

        self.q_send_selected.clicked.connect(self.send_selected_again)
        self.q_send_all.clicked.connect(self.send_all_again)

    def retranslate(self) -> None:
        self.q_intro.setText(self.tr(
            "Records the hub refused. Their content stays on this workstation and is never shown here. Once "
            "the cause is fixed (for example the hub was updated), send them again."))
        self.q_table.setHorizontalHeaderLabels([self.tr("Type"), self.tr("Error"),
                                                zone_heading(self.tr("Created at"), self.ctx.lang),
                                                self.tr("Record id")])
        self.q_send_selected.setText(self.tr("Send the selected a&gain"))
        self.q_send_all.setText(self.tr("Send &all again"))

    def show_rows(self, rows: list[dict]) -> None:
        """The records listed, keeping the selection by id."""
        self.rows = rows
        lang = self.ctx.lang
        fill_table(self.q_table, [
            [(row["type"], ""), (row["error"] or "", row["error"] or ""),
             (format_time(row["created_at"], lang, zone=False), ""), (short_id(row["id"]), row["id"])]
            for row in rows])
        self.q_table.blockSignals(True)
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r, row in enumerate(rows):
            if row["id"] in self._record_ids:
                self.q_table.selectionModel().select(self.q_table.model().index(r, 0), flags)
        self.q_table.blockSignals(False)
        self._record_ids = {r["id"] for r in self.selected_records()}

    def selected_records(self) -> list[dict]:
        return [self.rows[r] for r in selected_rows(self.q_table) if r < len(self.rows)]

    def _records_changed(self) -> None:
        self._record_ids = {r["id"] for r in self.selected_records()}
        self.update_state()

    def update_state(self) -> None:
        idle = not self.runner.busy
        self.q_send_selected.setEnabled(idle and bool(self.selected_records()))
        self.q_send_all.setEnabled(idle and bool(self.rows))
        self.q_note.setText("" if self.rows else self.tr("The hub has refused no record of this workstation."))
        self.q_note.setVisible(not self.rows)

    def send_selected_again(self) -> None:
        ids = [r["id"] for r in self.selected_records()]
        if ids:
            self._send_again(ids)

    def send_all_again(self) -> None:
        if self.rows:
            self._send_again(None)

    def _send_again(self, ids: list[str] | None) -> None:
        if self.runner.busy:
            return
        vault, user = self.ctx.vault, self.ctx.user
        self.runner.run(self, lambda: send_again(vault, user, ids), self._sent_again, self.runner.call_failed)

    def _sent_again(self, n: int) -> None:
        self.runner.done("requeued", self.tr("{count} record(s) will be sent again at the next sync.").format(count=n))
