"""Status bar: user and role, branch (with the DEMO marker), sync state, language, lock button."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from counterdesk.base.branchtime import format_time
from counterdesk.base.roles import ROLE_NAMES
from counterdesk.ui import theme
from counterdesk.ui.widgets.context import AppContext


class StatusBar(QStatusBar):
    lock_requested = Signal()
    language_toggled = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.can_lock = False  # set by the main window: only an unlocked, signed-in screen can be locked
        self.sync_status = None  # counterdesk.services.sync.client.SyncStatus while syncing, else None
        self.user_label = QLabel()
        self.user_label.setObjectName("status_user")
        self.branch_label = QLabel()
        self.branch_label.setObjectName("status_branch")
        self.sync_label = QLabel()
        self.sync_label.setObjectName("status_sync")
        self.language_button = QPushButton()
        self.language_button.setObjectName("status_language")
        self.language_button.setFlat(True)
        self.lock_button = QPushButton()
        self.lock_button.setObjectName("status_lock")
        self.addWidget(self.user_label)
        self.addWidget(self.branch_label)
        self.addPermanentWidget(self.sync_label)
        self.addPermanentWidget(self.language_button)
        self.addPermanentWidget(self.lock_button)
        self.lock_button.clicked.connect(self.lock_requested)
        self.language_button.clicked.connect(self.language_toggled)
        self.refresh()

    def refresh(self) -> None:
        user, vault = self.ctx.user, self.ctx.vault
        if user:
            self.user_label.setText(self.tr("User: {name} · {role}").format(
                name=user.display_name, role=ROLE_NAMES[user.role].get(self.ctx.lang)))
        else:
            self.user_label.setText(self.tr("Not signed in"))
        if vault:
            info = vault.info
            demo = self.tr(" · DEMO") if info.demo else ""
            self.branch_label.setText(self.tr("Branch: {name} ({code})").format(name=info.branch_name,
                                                                                code=info.branch_code) + demo)
            theme.set_state(self.branch_label, "warning" if info.demo else "")
        else:
            self.branch_label.setText("")
        self.show_sync(self.sync_status)
        self.language_button.setText("English" if self.ctx.lang == "zh" else "中文")
        self.language_button.setToolTip(self.tr("Switch the interface language"))
        self.lock_button.setText(self.tr("Lock (Ctrl+L)"))
        self.lock_button.setVisible(user is not None and self.can_lock)

    def show_sync(self, status) -> None:
        """Online or offline, the last sync and the records that have not reached the hub yet."""
        self.sync_status = status
        if status is None:
            self.sync_label.setText(self.tr("Sync: stand-alone (no hub configured)"))
            theme.set_state(self.sync_label, "")
            return
        revoked = bool(getattr(status, "revoked", None))  # the hub refuses this device: never "online"
        state = self.tr("revoked on the hub") if revoked else self.tr("online") if status.online else self.tr("offline")
        last = (format_time(status.last_sync_at, self.ctx.lang, clock_only=True) if status.last_sync_at
                else self.tr("never"))
        text = self.tr("Sync: {state} · last {last} · {pending} not yet sent").format(
            state=state, last=last, pending=status.pending_count)
        if status.quarantined_count:
            text += " · " + self.tr("{n} refused by the hub").format(n=status.quarantined_count)
        self.sync_label.setText(text)
        # Records the hub refused need someone's attention; being offline only delays the sync.
        theme.set_state(self.sync_label, "error" if status.quarantined_count or revoked
                        else "" if status.online else "warning")
