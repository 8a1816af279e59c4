"""Sign-in: username, password, Enter advances; the key unwrap runs off the UI thread."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from counterdesk.ui.widgets.common import DemoBanner, MessageLabel, Page, centered_column, error_text, title_label
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task


class SignInPage(Page):
    signed_in = Signal(object)  # SignedInUser
    language_requested = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        outer, form_layout = centered_column(self)
        self.demo_banner = DemoBanner()
        self.demo_banner.setVisible(ctx.demo or bool(ctx.vault and ctx.vault.info.demo))
        outer.insertWidget(0, self.demo_banner)
        self.title = title_label()
        self.branch = QLabel()
        self.branch.setStyleSheet("color: #455a64;")
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.username_label, self.password_label = QLabel(), QLabel()
        self.username_label.setBuddy(self.username)
        self.password_label.setBuddy(self.password)
        form.addRow(self.username_label, self.username)
        form.addRow(self.password_label, self.password)
        self.message = MessageLabel()
        self.submit = QPushButton()
        self.submit.setObjectName("signin")
        self.submit.setDefault(True)
        lang_row = QHBoxLayout()
        self.language = QComboBox()
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.language_label = QLabel()
        self.language_label.setBuddy(self.language)
        lang_row.addStretch(1)
        lang_row.addWidget(self.language_label)
        lang_row.addWidget(self.language)

        form_layout.addWidget(self.title)
        form_layout.addWidget(self.branch)
        form_layout.addSpacing(12)
        form_layout.addLayout(form)
        form_layout.addWidget(self.message)
        form_layout.addWidget(self.submit)
        form_layout.addSpacing(12)
        form_layout.addLayout(lang_row)

        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.attempt)
        self.submit.clicked.connect(self.attempt)
        self.language.activated.connect(self._language_chosen)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.submit)
        self.setTabOrder(self.submit, self.language)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("CounterDesk sign-in"))
        info = self.ctx.vault.info if self.ctx.vault else None
        self.branch.setText(self.tr("Branch: {branch}").format(
            branch=f"{info.branch_name} ({info.branch_code})" if info else "—"))
        self.username_label.setText(self.tr("&Username"))
        self.password_label.setText(self.tr("&Password"))
        self.submit.setText(self.tr("Signing in…") if self.busy else self.tr("Sign in"))
        self.language_label.setText(self.tr("&Language"))
        self.demo_banner.setText(self.tr("DEMO branch: demonstration data only, not for real customers"))
        idx = self.language.findData(self.ctx.languages.code)
        if idx >= 0:
            self.language.setCurrentIndex(idx)

    def _language_chosen(self, _index: int) -> None:
        self.language_requested.emit(self.language.currentData())

    def reset(self, username: str = "") -> None:
        self.username.setText(username)
        self.password.clear()
        self.message.clear_message()
        self.set_busy(False)
        self.demo_banner.setVisible(bool(self.ctx.vault and self.ctx.vault.info.demo))
        self.retranslate()
        (self.password if username else self.username).setFocus(Qt.FocusReason.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for w in (self.username, self.password, self.submit):
            w.setEnabled(not busy)
        self.retranslate()

    def attempt(self) -> None:
        if self.busy:
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.message.show_error(lambda: self.tr("Enter your username and password."))
            (self.username if not username else self.password).setFocus()
            return
        self.message.clear_message()
        self.set_busy(True)
        vault = self.ctx.vault
        run_task(self, lambda: vault.sign_in(username, password), self._ok, self._failed)

    def _ok(self, user_session) -> None:
        self.password.clear()
        self.set_busy(False)
        self.signed_in.emit(user_session)

    def _failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.password.clear()
        self.message.show_error(lambda: error_text(exc, self.ctx.lang))
        self.password.setFocus()
