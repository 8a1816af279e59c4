"""Enrolling an authenticator app at sign-in, and the recovery codes shown once afterwards.

The dialog shows the new secret once, as a QR code and as a key to type, and asks for the app's
first code; only that code activates the factor and starts the session (counterdesk.services.auth.mfa).
The recovery codes follow on the same dialog with copy and print; closing it continues to the home
screen. Keyboard first: the code field has the focus and Enter confirms.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counterdesk.services.auth import mfa
from counterdesk.ui import theme
from counterdesk.ui.widgets.code_field import code_field
from counterdesk.ui.widgets.common import MessageLabel, error_text
from counterdesk.ui.widgets.confirmation_view import choose_printer
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task


class QrView(QWidget):
    """A QR code drawn module by module, with its quiet zone, dark on white."""

    def __init__(self, modules: list[list[bool]], parent: QWidget | None = None):
        super().__init__(parent)
        self.modules = modules
        self.setMinimumSize(QSize(220, 220))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("QR code")

    def sizeHint(self) -> QSize:
        return QSize(220, 220)

    def paintEvent(self, _event) -> None:
        n = len(self.modules) + 8  # four light modules on each side
        side = min(self.width(), self.height())
        cell = side / n
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        for y, row in enumerate(self.modules):
            for x, dark in enumerate(row):
                if dark:
                    p.fillRect(QRectF((x + 4) * cell, (y + 4) * cell, cell, cell), QColor("black"))
        p.end()


class RecoveryCodesView(QWidget):
    """The recovery codes, once: copy, print, then done."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.codes: list[str] = []
        self.username = ""
        self.choose_printer: Callable = choose_printer
        lay = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.list = QLabel()
        self.list.setObjectName("recovery_codes")
        self.list.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(mono.pointSize() + 3)
        self.list.setFont(mono)
        self.list.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self.list, "card")
        self.message = MessageLabel()
        row = QHBoxLayout()
        self.copy_button, self.print_button, self.done = QPushButton(), QPushButton(), QPushButton()
        self.copy_button.setObjectName("recovery_copy")
        self.print_button.setObjectName("recovery_print")
        self.done.setObjectName("recovery_done")
        row.addWidget(self.copy_button)
        row.addWidget(self.print_button)
        row.addStretch(1)
        row.addWidget(self.done)
        lay.addWidget(self.intro)
        lay.addWidget(self.list)
        lay.addWidget(self.message)
        lay.addLayout(row)
        lay.addStretch(1)  # the codes at the top; the dialog keeps the enrolment page's size
        self.copy_button.clicked.connect(self.copy)
        self.print_button.clicked.connect(self.print_codes)
        self.retranslate()

    def retranslate(self) -> None:
        self.intro.setText(self.tr("Recovery codes: each signs you in once without the phone. Print them or "
                                   "write them down now and keep them somewhere safe: they are not shown again."))
        self.copy_button.setText(self.tr("&Copy"))
        self.print_button.setText(self.tr("&Print…"))
        self.done.setText(self.tr("I have kept them, &continue"))

    def show_codes(self, codes: list[str], username: str) -> None:
        self.codes, self.username = list(codes), username
        self.list.setText("\n".join(f"{a}     {b}" for a, b in zip(codes[::2], codes[1::2])))
        self.done.setFocus()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.codes))
        self.message.show_info(lambda: self.tr("Copied. Paste them somewhere safe, then clear the clipboard."))

    def print_codes(self) -> None:
        printer = self.choose_printer(self, self.tr("Print recovery codes"))
        if printer is None:
            return
        doc = QTextDocument()
        doc.setPlainText(self.tr("CounterDesk recovery codes for {user}").format(user=self.username)
                         + "\n\n" + "\n".join(self.codes))
        doc.print_(printer)
        self.message.show_info(lambda: self.tr("Printed."))


class EnrolmentDialog(QDialog):
    """At sign-in: show the new secret, take the app's first code, then the recovery codes."""

    def __init__(self, ctx: AppContext, username: str, password: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.username = username
        self._password = password
        self.busy = False
        self.signed_in_user = None  # the session, once the first code confirmed the factor
        self.failure: BaseException | None = None  # a refusal that ends the attempt (the account locked)
        self.enrolment = mfa.start_enrolment(ctx.vault, username)
        self.setObjectName("mfa_enrolment")
        self.setModal(True)
        lay = QVBoxLayout(self)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack)

        self.enrol_page = QWidget()
        enrol = QVBoxLayout(self.enrol_page)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.qr = QrView(self.enrolment.modules)
        self.key_caption = QLabel()
        self.key = QLabel(self.enrolment.key_text)
        self.key.setObjectName("mfa_key")
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(mono.pointSize() + 2)
        self.key.setFont(mono)
        self.code_label = QLabel()
        self.code = code_field("mfa_first_code")
        self.code_label.setBuddy(self.code)
        self.message = MessageLabel()
        buttons = QHBoxLayout()
        self.cancel, self.confirm = QPushButton(), QPushButton()
        self.confirm.setObjectName("mfa_confirm")
        for b in (self.cancel, self.confirm):
            b.setAutoDefault(False)  # Enter in the code field confirms, once
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.confirm)
        qr_row = QHBoxLayout()
        qr_row.addStretch(1)
        qr_row.addWidget(self.qr)
        qr_row.addStretch(1)
        enrol.addWidget(self.intro)
        enrol.addLayout(qr_row)
        enrol.addWidget(self.key_caption)
        enrol.addWidget(self.key, alignment=Qt.AlignmentFlag.AlignCenter)
        enrol.addSpacing(8)
        enrol.addWidget(self.code_label)
        enrol.addWidget(self.code)
        enrol.addWidget(self.message)
        enrol.addLayout(buttons)
        self.stack.addWidget(self.enrol_page)

        self.codes_page = RecoveryCodesView()
        self.stack.addWidget(self.codes_page)

        self.code.returnPressed.connect(self.submit)
        self.confirm.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        self.codes_page.done.clicked.connect(self.accept)
        self.retranslate()
        self.code.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Set up the second factor"))
        self.intro.setText(self.tr("{user}: your role signs in with a second factor. Scan this QR code with an "
                                   "authenticator app on your phone (time-based, 6 digits), or type the key below "
                                   "into it. The key is shown only now.").format(user=self.username))
        self.key_caption.setText(self.tr("Key (issuer {issuer}):").format(issuer=mfa.issuer(self.ctx.vault)))
        self.code_label.setText(self.tr("&First code from the app"))
        self.cancel.setText(self.tr("Cancel"))
        self.confirm.setText(self.tr("Confirm and sign in"))
        self.codes_page.retranslate()

    def submit(self) -> None:
        if self.busy:
            return
        code = self.code.text().strip()
        if len(code) != 6 or not code.isdigit():
            self.message.show_error(lambda: self.tr("Enter the 6 digits the app shows."))
            return
        vault, name, password, secret = self.ctx.vault, self.username, self._password, self.enrolment.secret
        self.busy = True
        self.confirm.setEnabled(False)
        run_task(self, lambda: mfa.sign_in_enrolling(vault, name, password, secret, code), self._enrolled,
                 self._failed)

    def _enrolled(self, result) -> None:
        self.busy = False
        self.signed_in_user, codes = result
        self._password = ""
        self.codes_page.show_codes(codes, self.username)
        self.stack.setCurrentWidget(self.codes_page)
        self.setWindowTitle(self.tr("Recovery codes"))

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.confirm.setEnabled(True)
        self.code.clear()
        if getattr(exc, "code", "") == "mfa_wrong_code":
            self.message.show_error(lambda: error_text(exc, self.ctx.lang))
            self.code.setFocus()
            return
        self.failure = exc  # locked, or anything else: back to the sign-in page, which says why
        self.reject()

    def reject(self) -> None:
        if self.signed_in_user is not None:  # the factor is active and the session started: keep it
            self.accept()
            return
        self._password = ""
        super().reject()
