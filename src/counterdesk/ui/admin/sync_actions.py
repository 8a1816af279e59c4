"""What an enrolled workstation does from the sync page: "Sync now", and a one-time code for the
next workstation of the branch (shown once, grouped for reading out)."""
from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget

from counterdesk.base.branchtime import format_time
from counterdesk.ui.admin.sync_jobs import next_code, sync_now
from counterdesk.ui.admin.sync_runner import SyncRunner
from counterdesk.ui.widgets.context import AppContext

CODE_HOURS_DEFAULT, CODE_HOURS_MAX = 24, 168


def grouped(code: str) -> str:
    """"0123456789abcdef…" → "0123 4567 89ab cdef …": easier to read out; spaces do not matter."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


class SyncActions(QWidget):

    def __init__(self, ctx: AppContext, runner: SyncRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.hub = ""           # the hub address the code note names
        self.last_code = None   # the EnrolCode made here (shown once; kept until the page is left)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)  # the rows line up with the rest of the status box
        actions = QHBoxLayout()
        self.sync_button = QPushButton()
        self.sync_button.setObjectName("sync_now")
        self.code_button = QPushButton()
        self.code_button.setObjectName("sync_make_code")
        self.hours = QSpinBox()
        self.hours.setObjectName("sync_code_hours")
        self.hours.setRange(1, CODE_HOURS_MAX)
        self.hours.setValue(CODE_HOURS_DEFAULT)
        self.hours_label = QLabel()
        self.hours_label.setBuddy(self.hours)
        actions.addWidget(self.sync_button)
        actions.addSpacing(16)
        actions.addWidget(self.code_button)
        actions.addWidget(self.hours_label)
        actions.addWidget(self.hours)
        actions.addStretch(1)
        lay.addLayout(actions)
        code_row = QHBoxLayout()
        self.next_code = QLineEdit()
        self.next_code.setObjectName("sync_next_code")
        self.next_code.setReadOnly(True)
        code_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        code_font.setPointSizeF(max(code_font.pointSizeF(), 10) * 1.3)
        code_font.setBold(True)
        self.next_code.setFont(code_font)
        self.next_code.setMinimumWidth(self.next_code.fontMetrics().horizontalAdvance("0" * 40) + 16)
        self.code_note = QLabel()
        self.code_note.setObjectName("sync_code_note")
        self.code_note.setWordWrap(True)
        code_row.addWidget(self.next_code)
        code_row.addWidget(self.code_note, 1)
        lay.addLayout(code_row)
        self.next_code.hide()
        self.code_note.hide()

        self.sync_button.clicked.connect(self.sync_now)
        self.code_button.clicked.connect(self.make_code)

    def retranslate(self) -> None:
        self.sync_button.setText(self.tr("&Sync now"))
        self.code_button.setText(self.tr("Code for the &next workstation"))
        self.hours_label.setText(self.tr("valid for"))
        self.hours.setSuffix(self.tr(" h"))
        self._show_code()

    def update_state(self) -> None:
        idle = not self.runner.busy
        for w in (self.sync_button, self.code_button, self.hours):
            w.setEnabled(idle)

    # ---- sync ---------------------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self.runner.busy:
            return
        vault, user = self.ctx.vault, self.ctx.user
        self.runner.run(self, lambda: sync_now(vault, user), self._synced, self._sync_failed)

    def _synced(self, result) -> None:
        pushed, pulled, master = result
        text = self.tr("Sync done. Sent {sent} ({duplicate} already at the hub), refused {rejected}, still waiting "
                       "{pending}. Received {received}: applied {applied}, conflicts {conflicts}.").format(
            sent=pushed.sent, duplicate=pushed.duplicate, rejected=pushed.rejected, pending=pushed.pending,
            received=pulled.received, applied=pulled.applied, conflicts=pulled.conflicts)
        if master.applied or master.refused:
            text += " " + self.tr("Head-office data: applied {applied}, refused {refused}.").format(
                applied=len(master.applied), refused=len(master.refused))
        self.runner.done("synced", text)

    def _sync_failed(self, exc: BaseException) -> None:
        text = self.runner.error_text(exc)
        if getattr(exc, "code", "") == "hub_unreachable" or getattr(exc, "status", 0) >= 500:
            text += " " + self.tr("Nothing is lost: the records wait on this workstation and are sent at the next "
                                  "sync.")
        self.runner.fail(text, read_again=True)

    # ---- code for the next workstation --------------------------------------------------------------
    def make_code(self) -> None:
        if self.runner.busy:
            return
        vault, user, hours = self.ctx.vault, self.ctx.user, self.hours.value()
        self.last_code = None
        self._show_code()
        self.runner.run(self, lambda: next_code(vault, user, hours), self._code_made, self.runner.call_failed)

    def _code_made(self, made) -> None:
        self.last_code = made
        self._show_code()
        self.runner.done("code")
        self.next_code.setFocus()
        self.next_code.selectAll()

    def _show_code(self) -> None:
        made = self.last_code
        self.next_code.setVisible(made is not None)
        self.code_note.setVisible(made is not None)
        if made is None:
            self.next_code.clear()
            self.code_note.clear()
            return
        self.next_code.setText(grouped(made.code))
        self.code_note.setText(self.tr(
            "One-time code for the next workstation of branch {branch}, valid until {until}; it works once and "
            "is not shown again. Enter it there with the hub address {hub}.").format(
            branch=made.branch_code, until=format_time(made.expires_at, self.ctx.lang), hub=self.hub))
