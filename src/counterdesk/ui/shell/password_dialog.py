"""Change one's own password (required at first sign-in after an admin set a temporary one)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from counterdesk.services.accounts import change_own_password
from counterdesk.ui.widgets.common import MessageLabel, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: AppContext, forced: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Change password"))
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr("Your password was set by an administrator. Choose your own password now.")
                       if forced else self.tr("Choose a new password."))
        intro.setWordWrap(True)
        form = QFormLayout()
        self.old, self.new, self.confirm = QLineEdit(), QLineEdit(), QLineEdit()
        for w, name in ((self.old, "old_password"), (self.new, "new_password"), (self.confirm, "confirm_password")):
            w.setEchoMode(QLineEdit.EchoMode.Password)
            w.setObjectName(name)
        form.addRow(self.tr("&Current password"), self.old)
        form.addRow(self.tr("&New password"), self.new)
        form.addRow(self.tr("C&onfirm new password"), self.confirm)
        self.old.returnPressed.connect(self.new.setFocus)
        self.new.returnPressed.connect(self.confirm.setFocus)
        self.confirm.returnPressed.connect(self.submit)
        self.message = MessageLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for button in self.buttons.buttons():
            # Enter in a field is handled by the field (advance or submit); it must not also press OK.
            button.setAutoDefault(False)
            button.setDefault(False)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

    def submit(self) -> None:
        if self.new.text() != self.confirm.text():
            self.message.show_error(self.tr("The two new passwords do not match."))
            return

        vault, user, old, new = self.ctx.vault, self.ctx.user, self.old.text(), self.new.text()
        self.buttons.setEnabled(False)
        run_task(self, lambda: change_own_password(vault, user, old, new), self._changed, self._failed)

    def _changed(self, _result) -> None:
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.show_error(error_text(exc, self.ctx.lang))
