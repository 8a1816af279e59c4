"""Asks before a counter session is cancelled, and why. Keeping the session is the default (Esc and
Enter), so a slip of the accelerator never throws the customer's session away."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from counterdesk.services.customers.counter_sessions import CANCEL_REASONS
from counterdesk.ui.widgets.context import AppContext


class CancelSessionDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cancel_session_dialog")
        self.setWindowTitle(self.tr("Cancel the counter session?"))
        lay = QVBoxLayout(self)
        question = QLabel(self.tr(
            "The session ends and cannot be resumed; what has been recorded so far stays stored. Choose why the "
            "session is cancelled."))
        question.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setObjectName("cancel_reason")
        self.reason.addItem(self.tr("— choose a reason —"), None)
        for code, text in CANCEL_REASONS.items():
            self.reason.addItem(text.get(ctx.lang), code)
        self.buttons = QDialogButtonBox()
        self.keep = self.buttons.addButton(self.tr("&Keep the session"), QDialogButtonBox.ButtonRole.RejectRole)
        self.keep.setObjectName("cancel_keep")
        self.confirm: QPushButton = self.buttons.addButton(self.tr("&Cancel the session"),
                                                           QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("cancel_confirm")
        self.confirm.setAutoDefault(False)
        self.keep.setDefault(True)
        self.confirm.setEnabled(False)
        self.reason.currentIndexChanged.connect(self._chosen)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(question)
        lay.addWidget(self.reason)
        lay.addWidget(self.buttons)
        self.reason.setFocus()

    def _chosen(self) -> None:
        self.confirm.setEnabled(self.reason.currentData() is not None)

    def chosen_reason(self) -> str | None:
        return self.reason.currentData()
