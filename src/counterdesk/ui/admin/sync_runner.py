"""One core call at a time for the whole sync page: its parts start their calls here and say how they
ended; the page listens to turn busy or idle, show the message and read everything again."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from counterdesk.ui.widgets.common import error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task

RE_READ_AFTER = ("conflict_resolved", "conflict_not_found")  # the list shown is stale: read it again


class SyncRunner(QObject):
    started = Signal()
    succeeded = Signal(str, str)  # what was done ("enrolled", "synced", "code", "requeued", "resolved"), message
    failed = Signal(str, bool)    # the error message, whether to read the page again

    def __init__(self, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False

    def run(self, owner: QObject, job: Callable[[], Any], on_ok: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        """``job`` on a worker thread. The slots must be bound methods, never lambdas capturing a widget:
        a finished task would hold its last reference and free it from inside the task's own destructor."""
        self.busy = True
        self.started.emit()
        run_task(owner, job, on_ok, on_error)

    def done(self, what: str, text: str = "") -> None:
        self.busy = False
        self.succeeded.emit(what, text)

    def fail(self, text: str, read_again: bool = False) -> None:
        self.busy = False
        self.failed.emit(text, read_again)

    def call_failed(self, exc: BaseException) -> None:
        """The result slot for a failed call that needs no message of its own."""
        self.fail(self.error_text(exc), getattr(exc, "code", "") in RE_READ_AFTER)

    def error_text(self, exc: BaseException) -> str:
        text = error_text(exc, self.ctx.lang)
        detail = str(getattr(exc, "detail", "") or "")
        if "CERTIFICATE_VERIFY_FAILED" in detail or "certificate verify failed" in detail.lower():
            text += " " + self.tr("The hub's certificate is not trusted: give the CA certificate that signed it.")
        return text
