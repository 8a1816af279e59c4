"""The sync page's enrolment form, shown while this workstation is not enrolled: the hub address, the
one-time code, the hub's CA certificate when it is not in the system's trust store, this
workstation's name and the branch code."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from counterdesk.ui.admin.sync_jobs import enrol_workstation
from counterdesk.ui.admin.sync_runner import SyncRunner
from counterdesk.ui.widgets.context import AppContext


class SyncEnrolBox(QGroupBox):
    enrolled = Signal(object)   # counterdesk.services.sync.enrol.Enrolment

    def __init__(self, ctx: AppContext, runner: SyncRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.setObjectName("sync_enrol_box")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.hub_url = QLineEdit()
        self.hub_url.setObjectName("sync_hub_url")
        self.hub_url.setMaxLength(300)
        self.code = QLineEdit()
        self.code.setObjectName("sync_code")
        self.code.setMaxLength(48)  # 32 hex digits, perhaps grouped with spaces or dashes
        self.ca_path = QLineEdit()
        self.ca_path.setObjectName("sync_ca_path")
        self.ca_browse = QPushButton()
        self.ca_browse.setObjectName("sync_ca_browse")
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_path, 1)
        ca_row.addWidget(self.ca_browse)
        self.ws_name = QLineEdit()
        self.ws_name.setObjectName("sync_ws_name")
        self.ws_name.setMaxLength(100)
        self.branch = QLineEdit()
        self.branch.setObjectName("sync_branch")
        self.branch.setMaxLength(16)
        info = getattr(ctx.vault, "info", None)
        if info is not None:
            self.ws_name.setText(getattr(info, "workstation", "") or "")
            self.branch.setText(getattr(info, "branch_code", "") or "")
        self.hub_label, self.code_label, self.ca_label, self.name_label, self.branch_label = (
            QLabel() for _ in range(5))
        for label, buddy in ((self.hub_label, self.hub_url), (self.code_label, self.code),
                             (self.ca_label, self.ca_path), (self.name_label, self.ws_name),
                             (self.branch_label, self.branch)):
            label.setBuddy(buddy)
        form.addRow(self.hub_label, self.hub_url)
        form.addRow(self.code_label, self.code)
        form.addRow(self.ca_label, ca_row)
        form.addRow(self.name_label, self.ws_name)
        form.addRow(self.branch_label, self.branch)
        self.enrol_button = QPushButton()
        self.enrol_button.setObjectName("sync_enrol")
        enrol_row = QHBoxLayout()
        enrol_row.addWidget(self.enrol_button)
        enrol_row.addStretch(1)
        form.addRow(enrol_row)

        self.enrol_button.clicked.connect(self.enrol)
        self.code.returnPressed.connect(self.enrol)
        self.ca_browse.clicked.connect(self.choose_ca)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Enrol this workstation"))
        self.hub_label.setText(self.tr("&Hub address"))
        self.hub_url.setPlaceholderText(self.tr("e.g. {example}").format(example="https://hub.example:8443"))
        self.code_label.setText(self.tr("One-time &code"))
        self.code.setPlaceholderText(self.tr("32 characters from the hub administrator or another workstation"))
        self.ca_label.setText(self.tr("Hub's C&A certificate"))
        self.ca_path.setPlaceholderText(self.tr("Only when the hub's certificate is not from a CA this computer "
                                                "trusts (a .pem file)"))
        self.ca_browse.setText(self.tr("Choose &file…"))
        self.name_label.setText(self.tr("&Workstation name"))
        self.ws_name.setPlaceholderText(self.tr("How the hub lists this workstation, e.g. Counter 2"))
        self.branch_label.setText(self.tr("&Branch code"))
        self.enrol_button.setText(self.tr("&Enrol this workstation"))

    def update_state(self) -> None:
        idle = not self.runner.busy
        for w in (self.hub_url, self.code, self.ca_path, self.ca_browse, self.ws_name, self.branch,
                  self.enrol_button):
            w.setEnabled(idle)

    def choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("The hub's CA certificate"), self.ca_path.text(),
                                              self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"))
        if path:
            self.ca_path.setText(path)

    def enrol(self) -> None:
        if self.runner.busy:
            return
        if not self.hub_url.text().strip():
            self.runner.fail(self.tr("Enter the hub's address, e.g. {example}.").format(
                example="https://hub.example:8443"))
            self.hub_url.setFocus()
            return
        if not self.code.text().strip():
            self.runner.fail(self.tr("Enter the one-time code."))
            self.code.setFocus()
            return
        vault, user = self.ctx.vault, self.ctx.user
        hub, code, ca, name, branch = (self.hub_url.text(), self.code.text(), self.ca_path.text(),
                                       self.ws_name.text(), self.branch.text())
        self.runner.run(self, lambda: enrol_workstation(vault, user, hub, code, ca, name, branch), self._enrolled,
                        self._enrol_failed)

    def _enrolled(self, done) -> None:
        self.code.clear()
        text = self.tr(
            "This workstation is enrolled in branch {branch} (device {device}). Compare the head-office key "
            "fingerprint below with the one the hub administrator gives you.").format(
            branch=done.branch_code, device=done.device_id) if done.head_office_fingerprint else self.tr(
            "This workstation is enrolled in branch {branch} (device {device}).").format(
            branch=done.branch_code, device=done.device_id)
        self.enrolled.emit(done)
        self.runner.done("enrolled", text)

    def _enrol_failed(self, exc: BaseException) -> None:
        code = getattr(exc, "code", "")
        branch = self.branch.text().strip() or getattr(getattr(self.ctx.vault, "info", None), "branch_code", "")
        if code == "enrol_code_invalid":
            text = self.tr("The hub refused the code: it is unknown, already used, expired or for another branch "
                           "than {branch}. Nothing was changed on this workstation.").format(branch=branch)
        elif code == "branch_key_mismatch":
            text = self.tr("Branch {branch} already has a branch key and this code carries none: ask for the code "
                           "on an enrolled workstation of the branch (\"Code for the next workstation\"). Nothing "
                           "was changed on this workstation.").format(branch=branch)
        elif code == "branch_unknown":
            text = self.tr("The hub does not know branch {branch}. Check the branch code with the hub "
                           "administrator.").format(branch=branch)
        else:
            text = self.runner.error_text(exc)
        self.runner.fail(text)
        self.code.setFocus()
