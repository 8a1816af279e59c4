"""The locked screen: the same user resumes with their password, or another user signs in.

Keys of a typing burst that was under way when the screen locked (someone typing into the form)
land in the password field but are never sent as a sign-in attempt: they would count as failed
sign-ins and could lock the account. A pause of ``BURST_GAP`` seconds ends the burst.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from counterdesk.ui.widgets.common import MessageLabel, Page, centered_column, error_text, title_label
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task

BURST_GAP = 1.0  # seconds between keys that end a burst of typing


class LockPage(Page):
    resumed = Signal()
    switch_user_requested = Signal()
    forced_out = Signal(object)  # the account got locked while trying to resume (the refusal)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        self.clock: Callable[[], float] = time.monotonic
        self._burst_at: float | None = None  # last key of a burst begun before the lock
        self._tainted = False  # the field holds keys of that burst
        _outer, lay = centered_column(self)
        self.title = title_label()
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("resume_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.installEventFilter(self)
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

    def prepare(self, typing_since: float | None = None) -> None:
        """``typing_since``: when the last key was pressed before the lock (None: a manual lock)."""
        self.password.clear()
        self.message.clear_message()
        self.busy = False
        now = self.clock()
        self._burst_at = typing_since if typing_since is not None and now - typing_since < BURST_GAP else None
        self._tainted = False
        self.retranslate()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.password and event.type() == QEvent.Type.KeyPress and self._burst_at is not None:
            now = self.clock()
            if now - self._burst_at < BURST_GAP:
                self._burst_at, self._tainted = now, True  # still the burst from before the lock
            else:
                self._burst_at = None
                if self._tainted:  # the burst is over: what it left is not the start of a password
                    self._tainted = False
                    self.password.clear()
        return super().eventFilter(obj, event)

    def attempt(self) -> None:
        if self.busy or not self.password.text():
            return
        if self._tainted:
            self.password.clear()
            self._tainted = False
            self.message.show_error(lambda: self.tr(
                "The screen locked while someone was typing; those keys were not used as a password and did not "
                "count as a sign-in attempt. Enter your password."))
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
            self.forced_out.emit(exc)
            return
        self.message.show_error(lambda: error_text(exc, self.ctx.lang))
        self.password.setFocus()
