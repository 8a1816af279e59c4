"""The locked screen: the same user resumes with their password, or another user signs in."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from .context import AppContext
from .tasks import run_task
from .widgets import MessageLabel, Page, centered_column, error_text, title_label


class LockPage(Page):
    resumed = Signal()
    switch_user_requested = Signal()
    forced_out = Signal(str)  # the account got locked while trying to resume

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        _outer, lay = centered_column(self)
        self.title = title_label()
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("resume_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = MessageLabel()
        self.resume_button = QPushButton()
        self.resume_button.setObjectName("resume")
        self.resume_button.setDefault(True)
        self.switch_button = QPushButton()
        self.switch_button.setObjectName("switch_user")
        buttons = QHBoxLayout()
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.switch_button)
        lay.addWidget(self.title)
        lay.addWidget(self.who)
        lay.addWidget(self.password)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.password.returnPressed.connect(self.attempt)
        self.resume_button.clicked.connect(self.attempt)
        self.switch_button.clicked.connect(self.switch_user_requested)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Screen locked"))
        user = self.ctx.user
        self.who.setText(self.tr("Locked for {name}. Enter this user's password to continue, or switch user "
                                 "(this signs {name} out).").format(name=user.display_name if user else "—"))
        self.password.setPlaceholderText(self.tr("Password"))
        self.resume_button.setText(self.tr("Unlocking…") if self.busy else self.tr("Unlock"))
        self.switch_button.setText(self.tr("Switch user"))

    def prepare(self) -> None:
        self.password.clear()
        self.message.clear_message()
        self.busy = False
        self.retranslate()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def attempt(self) -> None:
        if self.busy or not self.password.text():
            return
        self.busy = True
        self.resume_button.setEnabled(False)
        self.retranslate()
        vault, user, password = self.ctx.vault, self.ctx.user, self.password.text()
        run_task(self, lambda: vault.verify_password(user, password), self._ok, self._failed)

    def _done(self) -> None:
        self.busy = False
        self.resume_button.setEnabled(True)
        self.password.clear()
        self.retranslate()

    def _ok(self, _result) -> None:
        self._done()
        self.resumed.emit()

    def _failed(self, exc: BaseException) -> None:
        self._done()
        if getattr(exc, "code", "") == "account_locked":
            self.forced_out.emit(error_text(exc, self.ctx.lang))
            return
        self.message.show_error(error_text(exc, self.ctx.lang))
        self.password.setFocus()
