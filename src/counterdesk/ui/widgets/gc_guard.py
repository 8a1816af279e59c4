"""Run Python's cyclic garbage collector on the UI thread only.

Automatic collection runs on whichever thread happens to allocate. When it frees a reference cycle
that holds Qt objects on a worker thread (the database writer, a background task), their C++
destructors run on the wrong thread and the process crashes. So automatic collection is switched
off and a timer on the UI thread collects with the same generation thresholds.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 500):
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = -1
        for gen in range(3):
            if counts[gen] > thresholds[gen]:
                generation = gen
        if generation >= 0:
            gc.collect(generation)
