"""Sign-in: username, password, Enter advances; the key unwrap runs off the UI thread. An account
with a second factor then gets the code step (6 digits or a recovery code, Enter signs in); one
that must have a factor and has none is led through enrolment (ui/shell/second_factor.py)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counterdesk.services.auth.vault import DEMO_TOTP_SECRET
from counterdesk.ui import theme
from counterdesk.ui.widgets.code_field import code_field
from counterdesk.ui.widgets.common import DemoBanner, MessageLabel, Page, centered_column, error_text, title_label
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task

CODE_STEP_MS = 3 * 60_000  # the code step waits this long, then the password is asked again
DEMO_KEY = " ".join(DEMO_TOTP_SECRET[i:i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4))  # as typed into an app


class SignInPage(Page):
    signed_in = Signal(object)  # SignedInUser
    language_requested = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        self.step = "credentials"  # or "code"
        self._pending: tuple[str, str] | None = None  # (username, password) while the code step is open
        self.enrolment = None  # the enrolment dialog, while open
        outer, form_layout = centered_column(self)
        self.demo_banner = DemoBanner()
        self.demo_banner.setVisible(ctx.demo or bool(ctx.vault and ctx.vault.info.demo))
        outer.insertWidget(0, self.demo_banner)
        self.title = title_label()
        self.branch = QLabel()
        theme.set_role(self.branch, "hint")
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
        self.credentials = QWidget()
        self.credentials.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)

        self.code_panel = QWidget()
        code_box = QVBoxLayout(self.code_panel)
        code_box.setContentsMargins(0, 0, 0, 0)
        self.code_intro = QLabel()
        self.code_intro.setWordWrap(True)
        self.code_label = QLabel()
        self.code = code_field("code")
        self.code_label.setBuddy(self.code)
        self.demo_key = QLabel()
        self.demo_key.setWordWrap(True)
        theme.set_role(self.demo_key, "warning")
        self.back = QPushButton()
        self.back.setObjectName("signin_back")
        self.back.setAutoDefault(False)
        code_box.addWidget(self.code_intro)
        code_box.addWidget(self.code_label)
        code_box.addWidget(self.code)
        code_box.addWidget(self.demo_key)
        code_box.addWidget(self.back, alignment=Qt.AlignmentFlag.AlignLeft)
        self.steps = QStackedWidget()
        self.steps.addWidget(self.credentials)
        self.steps.addWidget(self.code_panel)
        self.code_timer = QTimer(self)
        self.code_timer.setSingleShot(True)
        self.code_timer.setInterval(CODE_STEP_MS)
        self.code_timer.timeout.connect(self._code_step_expired)
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
        form_layout.addWidget(self.steps)
        form_layout.addWidget(self.message)
        form_layout.addWidget(self.submit)
        form_layout.addSpacing(12)
        form_layout.addLayout(lang_row)

        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.attempt)
        self.code.returnPressed.connect(self.attempt)
        self.back.clicked.connect(lambda: self.reset(self._pending[0] if self._pending else ""))
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
        self.code_intro.setText(self.tr("{user}: enter the 6-digit code your authenticator app shows now, or one of "
                                        "your recovery codes.").format(user=self._pending[0] if self._pending else ""))
        self.code_label.setText(self.tr("&Code"))
        self.back.setText(self.tr("&Back"))
        self.demo_key.setText(self.tr("DEMO branch: the supervisor's and administrator's authenticator key is {key}")
                              .format(key=DEMO_KEY))
        self.demo_key.setVisible(bool(self.ctx.vault and self.ctx.vault.info.demo))
        self.language_label.setText(self.tr("&Language"))
        self.demo_banner.setText(self.tr("DEMO branch: demonstration data only, not for real customers"))
        idx = self.language.findData(self.ctx.languages.code)
        if idx >= 0:
            self.language.setCurrentIndex(idx)

    def _language_chosen(self, _index: int) -> None:
        self.language_requested.emit(self.language.currentData())

    def reset(self, username: str = "") -> None:
        self._show_credentials()
        self.username.setText(username)
        self.password.clear()
        self.message.clear_message()
        self.set_busy(False)
        self.demo_banner.setVisible(bool(self.ctx.vault and self.ctx.vault.info.demo))
        self.retranslate()
        (self.password if username else self.username).setFocus(Qt.FocusReason.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for w in (self.username, self.password, self.submit, self.code, self.back):
            w.setEnabled(not busy)
        self.retranslate()

    # ---- the two steps -----------------------------------------------------------------------------
    def _show_credentials(self) -> None:
        self.code_timer.stop()
        self._pending = None  # the password is not kept once the code step is left
        self.code.clear()
        self.step = "credentials"
        self.steps.setCurrentWidget(self.credentials)

    def _show_code_step(self, username: str, password: str) -> None:
        self._pending = (username, password)
        self.code.clear()
        self.step = "code"
        self.steps.setCurrentWidget(self.code_panel)
        self.retranslate()
        self.code_timer.start()
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    def _code_step_expired(self) -> None:
        username = self._pending[0] if self._pending else ""
        self.reset(username)
        self.message.show_error(lambda: self.tr("The code was not entered in time. Enter your password again."))

    def attempt(self) -> None:
        if self.busy:
            return
        if self.step == "code":
            self._attempt_code()
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.message.show_error(lambda: self.tr("Enter your username and password."))
            (self.username if not username else self.password).setFocus()
            return
        self.message.clear_message()
        self.set_busy(True)
        vault = self.ctx.vault
        run_task(self, lambda: vault.sign_in(username, password), self._ok,
                 lambda exc: self._failed(exc, username, password))

    def _attempt_code(self) -> None:
        assert self._pending is not None  # the code step is shown only with a pending sign-in
        username, password = self._pending
        code = self.code.text().strip()
        if not code:
            self.message.show_error(lambda: self.tr("Enter the code from your authenticator app."))
            self.code.setFocus()
            return
        self.message.clear_message()
        self.set_busy(True)
        vault = self.ctx.vault
        run_task(self, lambda: vault.sign_in(username, password, code), self._ok, self._code_failed)

    def _ok(self, user_session) -> None:
        self.password.clear()
        self._show_credentials()
        self.set_busy(False)
        self.signed_in.emit(user_session)

    def _failed(self, exc: BaseException, username: str, password: str) -> None:
        self.set_busy(False)
        self.password.clear()
        code = getattr(exc, "code", "")
        if code == "mfa_code_required":
            self.message.clear_message()
            self._show_code_step(username, password)
            return
        if code == "mfa_enrolment_required":
            self._enrol(username, password)
            return
        self.message.show_error(lambda: error_text(exc, self.ctx.lang))
        self.password.setFocus()

    def _code_failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.code.clear()
        if getattr(exc, "code", "") != "mfa_wrong_code":  # locked (too many wrong codes) or anything else
            self.reset(self._pending[0] if self._pending else "")
        self.message.show_error(lambda: error_text(exc, self.ctx.lang))
        (self.code if self.step == "code" else self.password).setFocus()

    def _enrol(self, username: str, password: str) -> None:
        # Imported when needed: enrolment draws a QR code and talks to the store (loaded by now).
        from counterdesk.ui.shell.second_factor import EnrolmentDialog
        dialog = EnrolmentDialog(self.ctx, username, password, self)
        self.enrolment = dialog
        dialog.finished.connect(lambda _r: self._enrolment_closed(dialog))
        dialog.open()

    def _enrolment_closed(self, dialog) -> None:
        self.enrolment = None
        dialog.deleteLater()
        if dialog.signed_in_user is not None:
            self.signed_in.emit(dialog.signed_in_user)
            return
        if dialog.failure is not None:
            exc = dialog.failure
            self.message.show_error(lambda: error_text(exc, self.ctx.lang))
        self.password.setFocus()
