"""The sync page's status box, shown once this workstation is enrolled: where it syncs to, how far it
is, and the head-office key fingerprint to compare with the one the hub administrator gives."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from counterdesk.base.branchtime import format_time
from counterdesk.ui import theme
from counterdesk.ui.admin.sync_jobs import SyncView
from counterdesk.ui.widgets.context import AppContext


def _value_label(name: str, mono: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if mono:
        label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return label


class SyncStatusBox(QGroupBox):
    """``actions`` (the buttons of an enrolled workstation) are shown at the bottom of the box."""

    def __init__(self, ctx: AppContext, actions: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("sync_status_box")
        box = QVBoxLayout(self)
        columns = QHBoxLayout()
        left, right = QFormLayout(), QFormLayout()
        self.v_hub, self.v_branch, self.v_name = (_value_label(n) for n in ("sync_v_hub", "sync_v_branch",
                                                                             "sync_v_name"))
        self.v_device = _value_label("sync_v_device", mono=True)
        self.v_connection = _value_label("sync_v_connection")
        self.v_connection.setWordWrap(True)
        self.v_last, self.v_pending, self.v_quarantined, self.v_conflicts = (
            _value_label(n) for n in ("sync_v_last", "sync_v_pending", "sync_v_quarantined", "sync_v_conflicts"))
        self.l_hub, self.l_branch, self.l_name, self.l_device, self.l_last, self.l_pending, self.l_quarantined, \
            self.l_conflicts = (QLabel() for _ in range(8))
        self.l_connection = QLabel()
        for form_, rows in ((left, ((self.l_hub, self.v_hub), (self.l_branch, self.v_branch),
                                    (self.l_name, self.v_name), (self.l_device, self.v_device),
                                    (self.l_connection, self.v_connection))),
                            (right, ((self.l_last, self.v_last), (self.l_pending, self.v_pending),
                                     (self.l_quarantined, self.v_quarantined), (self.l_conflicts, self.v_conflicts)))):
            for label, value in rows:
                form_.addRow(label, value)
        columns.addLayout(left, 3)
        columns.addSpacing(24)
        columns.addLayout(right, 2)
        box.addLayout(columns)
        fp_row = QHBoxLayout()
        self.l_fingerprint = QLabel()
        self.v_fingerprint = _value_label("sync_v_fingerprint", mono=True)
        fp_row.addWidget(self.l_fingerprint)
        fp_row.addWidget(self.v_fingerprint, 1)
        box.addLayout(fp_row)
        self.fingerprint_note = QLabel()
        self.fingerprint_note.setObjectName("sync_fingerprint_note")
        self.fingerprint_note.setWordWrap(True)
        theme.set_role(self.fingerprint_note, "warning")
        box.addWidget(self.fingerprint_note)
        box.addWidget(actions)

    def retranslate(self) -> None:
        self.setTitle(self.tr("This workstation"))
        self.l_hub.setText(self.tr("Hub:"))
        self.l_branch.setText(self.tr("Branch:"))
        self.l_name.setText(self.tr("Workstation name:"))
        self.l_device.setText(self.tr("Device id:"))
        self.l_connection.setText(self.tr("Device on the hub:"))
        self.l_last.setText(self.tr("Last sync:"))
        self.l_pending.setText(self.tr("Waiting to be sent:"))
        self.l_quarantined.setText(self.tr("Refused by the hub:"))
        self.l_conflicts.setText(self.tr("Open conflicts:"))
        self.l_fingerprint.setText(self.tr("Head-office key fingerprint:"))

    def show_view(self, view: SyncView) -> None:
        self.v_hub.setText(view.hub_url + ("  " + self.tr("(trusting the CA certificate given at enrolment)")
                                           if view.ca_pinned else ""))
        self.v_branch.setText(view.branch_code)
        self.v_name.setText(view.name)
        self.v_device.setText(view.device_id)
        if view.revoked:
            since = format_time(view.revoked_at, self.ctx.lang) if view.revoked_at else ""
            self.v_connection.setText(self.tr(
                "Revoked ({since}): the hub refuses this device, nothing syncs. Get an enrolment code and enrol it "
                "again (counterdesk-admin sync enrol --again).").format(since=since))
        else:
            self.v_connection.setText(self.tr("Enrolled (accepted at the last request)"))
        theme.set_state(self.v_connection, "error" if view.revoked else "")
        self.v_last.setText(format_time(view.last_sync_at, self.ctx.lang) if view.last_sync_at else self.tr("never"))
        self.v_pending.setText(str(view.pending))
        self.v_quarantined.setText(str(len(view.quarantined)))
        self.v_conflicts.setText(str(len(view.conflicts)))
        for label, warn in ((self.v_quarantined, bool(view.quarantined)), (self.v_conflicts, bool(view.conflicts))):
            theme.set_state(label, "error" if warn else "")
        if view.fingerprint:
            self.v_fingerprint.setText(view.fingerprint)
            self.fingerprint_note.setText(self.tr(
                "Compare it character by character with the one the hub administrator gives you. If they differ, "
                "do not use this connection and call head office."))
        else:
            self.v_fingerprint.setText(self.tr("none"))
            self.fingerprint_note.setText(self.tr(
                "The hub had no head-office key when this workstation enrolled: head-office catalogs and lists "
                "cannot be verified until it is enrolled again."))
