"""Run core calls off the UI thread and get the result back as a Qt signal on the UI thread."""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from counterdesk.base.text import CounterDeskError

log = logging.getLogger("counterdesk.ui")

# Two workers: a slow KDF never queues behind another task. Database writes still go through the
# store's single writer thread; these workers only wait for it or do CPU work (KDF).
_EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ui-worker")


class Task(QObject):
    """One background call. ``succeeded``/``failed`` are delivered on the thread that owns the task."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def _complete(self, future: Future) -> None:
        exc = future.exception()
        if exc is not None and not isinstance(exc, CounterDeskError):
            # The screen says "details are in the log": they must be (a core refusal is not an error).
            log.error("background task failed", exc_info=(type(exc), exc, exc.__traceback__))
        try:
            if exc is None:
                self.succeeded.emit(future.result())
            else:
                self.failed.emit(exc)
            self.finished.emit()
        except RuntimeError:
            # The page that asked is gone (signed out, window closed) and took the task with it: nobody
            # is left to show the result to. The work itself is done (or logged above).
            log.debug("result of a background task whose page was closed")


def run_task(parent: QObject, fn: Callable[[], Any], on_ok: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None) -> Task:
    task = Task(parent)
    if on_ok:
        task.succeeded.connect(on_ok)
    if on_error:
        task.failed.connect(on_error)
    task.finished.connect(task.deleteLater)
    # The done-callback runs on the worker thread; emitting there queues the signal to the task's thread.
    _EXECUTOR.submit(fn).add_done_callback(task._complete)
    return task


def preload_in_background(fn: Callable[[], Any]) -> None:
    """Fire-and-forget work with no result for the UI (module warm-up); failures are only logged."""
    def run() -> None:
        try:
            fn()
        except Exception:
            log.warning("preload failed", exc_info=True)
    _EXECUTOR.submit(run)
