"""First start of a non-demo installation: create the branch and the first administrator,
then show the one-time recovery key."""
from __future__ import annotations

import itertools

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.roles import Role
from counterdesk.base.settings import PASSWORD_MIN_LENGTH
from counterdesk.services.auth.vault import NewUser, Vault
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import MessageLabel, Page, error_text, title_label
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task


class SetupPage(Page):
    finished = Signal(object)  # the new Vault

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._vault = None
        self.steps = QStackedWidget()
        self.steps.setMaximumWidth(640)
        outer = QVBoxLayout(self)
        self.title = title_label()
        column = QVBoxLayout()
        column.addSpacing(24)
        column.addWidget(self.title)
        column.addWidget(self.steps, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(column, 3)
        row.addStretch(1)
        outer.addLayout(row, 1)

        # Step 1: branch and administrator
        first = QWidget()
        lay = QVBoxLayout(first)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        form = QFormLayout()
        self.branch_code, self.branch_name = QLineEdit(), QLineEdit()
        self.admin_user, self.admin_name = QLineEdit(), QLineEdit()
        self.password, self.confirm = QLineEdit(), QLineEdit()
        for w, name in ((self.branch_code, "branch_code"), (self.branch_name, "branch_name"),
                        (self.admin_user, "admin_user"), (self.admin_name, "admin_name"),
                        (self.password, "password"), (self.confirm, "confirm")):
            w.setObjectName(name)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.labels = [QLabel() for _ in range(6)]
        fields = [self.branch_code, self.branch_name, self.admin_user, self.admin_name, self.password, self.confirm]
        for label, field in zip(self.labels, fields):
            label.setBuddy(field)
            form.addRow(label, field)
        # Enter advances through the fields and submits from the last one.
        for current, nxt in itertools.pairwise(fields):
            current.returnPressed.connect(nxt.setFocus)
        self.confirm.returnPressed.connect(self.create)
        self.policy = QLabel()
        self.policy.setWordWrap(True)
        theme.set_role(self.policy, "hint")
        self.message = MessageLabel()
        self.create_button = QPushButton()
        self.create_button.setObjectName("create")
        self.create_button.clicked.connect(self.create)
        lay.addWidget(self.intro)
        lay.addLayout(form)
        lay.addWidget(self.policy)
        lay.addWidget(self.message)
        lay.addWidget(self.create_button)
        lay.addStretch(1)
        self.steps.addWidget(first)

        # Step 2: the recovery key, shown once
        second = QWidget()
        lay2 = QVBoxLayout(second)
        self.recovery_intro = QLabel()
        self.recovery_intro.setWordWrap(True)
        self.recovery_key = QLineEdit()
        self.recovery_key.setObjectName("recovery_key")
        self.recovery_key.setReadOnly(True)
        mono = QFont("monospace")
        mono.setPointSize(13)
        self.recovery_key.setFont(mono)
        self.written_down = QCheckBox()
        self.written_down.setObjectName("written_down")
        self.continue_button = QPushButton()
        self.continue_button.setObjectName("continue")
        self.continue_button.setEnabled(False)
        self.written_down.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._finish)
        lay2.addWidget(self.recovery_intro)
        lay2.addWidget(self.recovery_key)
        lay2.addWidget(self.written_down)
        lay2.addWidget(self.continue_button)
        lay2.addStretch(1)
        self.steps.addWidget(second)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Set up this workstation"))
        self.intro.setText(self.tr("No branch is set up in this data folder yet. Create the branch and its first "
                                   "administrator. The administrator then adds tellers, supervisors and auditors."))
        for label, text in zip(self.labels, (self.tr("Branch &code"), self.tr("Branch &name"),
                                             self.tr("Administrator &username"), self.tr("Administrator &display name"),
                                             self.tr("&Password"), self.tr("C&onfirm password"))):
            label.setText(text)
        self.create_button.setText(self.tr("Create branch"))
        self.policy.setText(self.tr("Password: at least {n} characters with at least two of letters, digits and "
                                    "symbols, not containing the username.").format(n=self._min_length()))
        self.recovery_intro.setText(self.tr(
            "This is the recovery key. It unlocks the data if every administrator password is lost. Write it down "
            "and keep it in the branch safe: it is shown only this once and is not stored anywhere in the clear."))
        self.written_down.setText(self.tr("I have written down the recovery key"))
        self.continue_button.setText(self.tr("Continue to sign-in"))

    @staticmethod
    def _min_length() -> int:
        return PASSWORD_MIN_LENGTH.default

    def create(self) -> None:
        if self.password.text() != self.confirm.text():
            self.message.show_error(self.tr("The two passwords do not match."))
            self.confirm.setFocus()
            return

        admin = NewUser(self.admin_user.text().strip(),
                        self.admin_name.text().strip() or self.admin_user.text().strip(),
                        Role.ADMIN, self.password.text())
        code, name, root = self.branch_code.text(), self.branch_name.text(), self.ctx.data_dir
        self.create_button.setEnabled(False)
        self.message.show_info(self.tr("Creating the encrypted database…"))
        run_task(self, lambda: Vault.initialise(root, code, name, admin), self._created, self._failed)

    def _created(self, result) -> None:
        self._vault, key = result
        self.password.clear()
        self.confirm.clear()
        self.recovery_key.setText(key)
        self.steps.setCurrentIndex(1)
        self.written_down.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self.create_button.setEnabled(True)
        self.message.show_error(error_text(exc, self.ctx.lang))

    def _finish(self) -> None:
        self.recovery_key.clear()  # never kept on screen longer than needed
        self.finished.emit(self._vault)
