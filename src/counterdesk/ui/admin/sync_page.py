"""The administrator's page for syncing this workstation with the branch's hub.

Not enrolled: the enrolment form (counterdesk.ui.admin.sync_enrol). Enrolled: where the workstation
syncs to and how far it is (sync_status), "Sync now" and a one-time code for the next workstation of
the branch (sync_actions), and two tabs: the records the hub refused (sync_quarantine) and the
conflicts found while applying other workstations' records (sync_conflicts). This page builds the
parts and wires them: one core call at a time for all of them (sync_runner), one message, one read
(sync_jobs.load_sync) shown by every part. Everything runs in counterdesk.services.sync, off the UI thread.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from counterdesk.ui.admin.sync_actions import SyncActions
from counterdesk.ui.admin.sync_conflicts import SyncConflictsTab
from counterdesk.ui.admin.sync_enrol import SyncEnrolBox
from counterdesk.ui.admin.sync_jobs import SyncView, load_sync
from counterdesk.ui.admin.sync_quarantine import SyncQuarantineTab
from counterdesk.ui.admin.sync_runner import SyncRunner
from counterdesk.ui.admin.sync_status import SyncStatusBox
from counterdesk.ui.widgets.common import LoadingPage, MessageLabel, page_title
from counterdesk.ui.widgets.context import AppContext


class SyncPage(LoadingPage):
    enrolled = Signal(object)   # counterdesk.services.sync.enrol.Enrolment: the window may start the background sync
    changed = Signal(str)       # "enrolled", "synced", "code", "requeued", "resolved"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.view: SyncView | None = None
        self.runner = SyncRunner(ctx, self)
        lay = QVBoxLayout(self)
        self.title = page_title()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.enrol_box = SyncEnrolBox(ctx, self.runner)
        self.sync_actions = SyncActions(ctx, self.runner)
        self.status_box = SyncStatusBox(ctx, self.sync_actions)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("sync_tabs")
        self.quarantine_tab = SyncQuarantineTab(ctx, self.runner)
        self.conflicts_tab = SyncConflictsTab(ctx, self.runner)
        self.tabs.addTab(self.quarantine_tab, "")
        self.tabs.addTab(self.conflicts_tab, "")

        bottom = QHBoxLayout()
        self.message = MessageLabel()
        self.message.setObjectName("sync_message")
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("sync_refresh")
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        lay.addWidget(self.title)
        lay.addWidget(self.intro)
        lay.addWidget(self.enrol_box)
        lay.addWidget(self.status_box)
        lay.addWidget(self.tabs, 1)
        self.filler = QWidget()  # takes the room of the tabs while the workstation is not enrolled
        lay.addWidget(self.filler, 1)
        lay.addLayout(bottom)
        self.status_box.hide()
        self.tabs.hide()

        # The parts' widgets under the page's own names (tests and screenshots drive the page through them).
        enrol, status, actions = self.enrol_box, self.status_box, self.sync_actions
        self.hub_url, self.code, self.ca_path, self.ca_browse, self.ws_name, self.branch, self.enrol_button = (
            enrol.hub_url, enrol.code, enrol.ca_path, enrol.ca_browse, enrol.ws_name, enrol.branch, enrol.enrol_button)
        self.v_hub, self.v_branch, self.v_name, self.v_device, self.v_last, self.v_pending = (
            status.v_hub, status.v_branch, status.v_name, status.v_device, status.v_last, status.v_pending)
        self.v_quarantined, self.v_conflicts, self.v_fingerprint, self.fingerprint_note = (
            status.v_quarantined, status.v_conflicts, status.v_fingerprint, status.fingerprint_note)
        self.sync_button, self.code_button, self.hours, self.next_code, self.code_note = (
            actions.sync_button, actions.code_button, actions.hours, actions.next_code, actions.code_note)
        self.q_table, self.q_send_selected, self.q_send_all, self.q_note = (
            self.quarantine_tab.q_table, self.quarantine_tab.q_send_selected, self.quarantine_tab.q_send_all,
            self.quarantine_tab.q_note)
        self.c_table, self.keep_local, self.keep_remote, self.c_note = (
            self.conflicts_tab.c_table, self.conflicts_tab.keep_local, self.conflicts_tab.keep_remote,
            self.conflicts_tab.c_note)

        # Slots are bound methods, not lambdas capturing self (see SyncRunner.run).
        self.enrol_box.enrolled.connect(self.enrolled)
        self.runner.started.connect(self._started)
        self.runner.succeeded.connect(self._succeeded)
        self.runner.failed.connect(self._failed)
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self).activated.connect(self.refresh)
        self.retranslate()

    @property
    def busy(self) -> bool:
        """A core call started here is running (one at a time for the whole page)."""
        return self.runner.busy

    @property
    def last_code(self):
        """The EnrolCode made here (shown once; kept until the page is left)."""
        return self.sync_actions.last_code

    def current_conflict(self):
        return self.conflicts_tab.current_conflict()

    # ---- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Sync with the hub"))
        self.intro.setText(self.tr(
            "An enrolled workstation sends its records to the branch's hub and receives those of the other "
            "workstations of the branch, encrypted with the branch key. Sync runs by itself while someone is "
            "signed in; this page shows how far it is."))
        for part in (self.enrol_box, self.status_box, self.sync_actions, self.quarantine_tab, self.conflicts_tab):
            part.retranslate()
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self._fill()

    # ---- loading ----------------------------------------------------------------------------------
    def can_read(self) -> bool:
        return self.ctx.vault is not None and self.ctx.user is not None

    def read_job(self):
        vault, user = self.ctx.vault, self.ctx.user
        return lambda: load_sync(vault, user)

    def show_data(self, data) -> None:
        self.view = data
        self._fill()

    def _fill(self) -> None:
        view = self.view
        enrolled = view is not None and view.enrolled
        self.enrol_box.setVisible(view is not None and not enrolled)
        self.status_box.setVisible(enrolled)
        self.tabs.setVisible(enrolled)
        self.filler.setVisible(not enrolled)
        if enrolled:
            self.status_box.show_view(view)
            self.sync_actions.hub = view.hub_url
            self.quarantine_tab.show_rows(view.quarantined)
            self.conflicts_tab.show_conflicts(view.conflicts, view.conflict_content)
            self.tabs.setTabText(0, self.tr("Refused by the hub ({count})").format(count=len(view.quarantined)))
            self.tabs.setTabText(1, self.tr("Conflicts ({count})").format(count=len(view.conflicts)))
        self._update()

    def _update(self) -> None:
        for part in (self.enrol_box, self.sync_actions, self.quarantine_tab, self.conflicts_tab):
            part.update_state()

    # ---- the parts' core calls --------------------------------------------------------------------
    def _started(self) -> None:
        self.changed_here()
        self.message.clear_message()
        self._update()

    def _succeeded(self, what: str, text: str) -> None:
        self._update()
        if text:
            self.message.show_info(text)
        self.changed.emit(what)
        self.refresh()

    def _failed(self, text: str, read_again: bool) -> None:
        self._update()
        self.message.show_error(text)
        if read_again:
            self.refresh()
