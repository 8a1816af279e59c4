"""Background sync for the signed-in workstation and its state in the status bar.

When the workstation is enrolled with a hub, a counterdesk.services.sync.client.SyncWorker runs on its own
threads while someone is signed in: local changes are pushed as soon as they are committed, the
hub's are pulled as soon as it has them (long poll). The status bar shows online/offline, the last
sync and how many records have not reached the hub yet. Nothing here blocks the UI thread.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from counterdesk.services.sync import state
from counterdesk.services.sync.client import SyncClient, SyncWorker, status, tls_verify
from counterdesk.ui.widgets.tasks import run_task

log = logging.getLogger("counterdesk.ui")
REFRESH_MS = 2000  # the pending count follows local changes between sync rounds


class SyncController(QObject):
    changed = Signal(object)   # counterdesk.services.sync.client.SyncStatus, or None when stand-alone

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.worker = None
        self.vault = None
        self.enrolled = False
        self.last_status = None
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self._refreshing = False

    def start(self, vault, user) -> None:
        """After sign-in: start syncing if this workstation is enrolled."""
        self.vault = vault
        run_task(self, lambda: _start_worker(vault, user, self._from_worker), self._started, self._start_failed)

    def _from_worker(self, status) -> None:
        self.changed.emit(status)  # from the worker's thread: delivered queued on the UI thread

    def _started(self, result) -> None:
        worker, status = result
        self.worker, self.enrolled = worker, worker is not None
        self.last_status = status
        self.changed.emit(status)
        if self.enrolled:
            self.timer.start()

    def _start_failed(self, exc: BaseException) -> None:
        log.error("sync could not start: %s", type(exc).__name__)
        self.changed.emit(None)

    def refresh(self) -> None:
        if self._refreshing or self.vault is None or not self.enrolled:
            return

        self._refreshing = True
        vault, worker = self.vault, self.worker
        online = bool(worker and worker.client.online)  # no database read on the UI thread
        run_task(self, lambda: status(vault, online), self._refreshed, self._refresh_failed)

    def _refreshed(self, status) -> None:
        self._refreshing = False
        self.last_status = status
        self.changed.emit(status)

    def _refresh_failed(self, _exc: BaseException) -> None:
        self._refreshing = False

    def stop(self) -> None:
        """Before the vault closes (sign-out, quit): from a worker thread, it may wait for a request."""
        self.timer.stop()
        worker, self.worker, self.vault, self.enrolled = self.worker, None, None, False
        if worker is not None:
            worker.stop(timeout=5)
            worker.client.close()


def _start_worker(vault, user, on_change):

    if not vault.transact(state.enrolled):
        return None, None
    client = SyncClient(vault, user, verify=tls_verify(vault))
    worker = SyncWorker(client, wait_timeout=20, on_change=on_change)
    worker.start()
    return worker, status(vault)
