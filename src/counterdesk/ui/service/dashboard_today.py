"""The teller's home strip: today's sessions and what waits for the teller, one click from the task
that deals with it. Read by counterdesk.services.reports.today in a worker, when the home opens,
when the teller switches task and once a minute (a timer that only starts a worker; the UI thread
never waits on the database)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from counterdesk.base.branchtime import format_time
from counterdesk.services.reports.today import Today, today
from counterdesk.ui.service.dashboard_text import t
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task

REFRESH_MS = 60_000
# Which task deals with each kind of waiting work.
TARGETS = {"returned": "session.start", "awaiting": "session.start", "follow_ups": "followup.list",
           "complaints": "complaint.handle"}
_STATUS = {"completed": "completed", "stopped": "stopped"}


class TodayStrip(QFrame):
    task_requested = Signal(str)  # a task id of counterdesk.base.roles.TASKS
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = ctx.user
        self.data: Today | None = None
        self.failed = False
        self.loading = False
        self.again = False
        self.setObjectName("today_strip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary = QLabel()
        self.summary.setObjectName("today_summary")
        self.buttons: dict[str, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.summary, 1)
        for key, task in TARGETS.items():
            button = QPushButton()
            button.setObjectName(f"today_{key}")
            button.setFlat(True)
            button.setVisible(False)
            button.setProperty("task", task)
            button.clicked.connect(self._clicked)  # a bound method: a lambda would hold the strip
            self.buttons[key] = button
            layout.addWidget(button)
        self.nothing = QLabel()
        layout.addWidget(self.nothing)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.retranslate()

    def _clicked(self) -> None:
        self.task_requested.emit(self.sender().property("task"))

    def refresh(self) -> None:
        if self.ctx.vault is None or self.user is None:
            return
        if self.loading:
            self.again = True  # one more read once this one is back
            return
        self.loading = True
        vault, user = self.ctx.vault, self.user
        run_task(self, lambda: today(vault, user), self._done, self._failed)

    def _done(self, data: Today) -> None:
        self.loading, self.failed, self.data = False, False, data
        self.retranslate()
        self.loaded.emit()
        self._again()

    def _failed(self, _exc: BaseException) -> None:
        self.loading, self.failed = False, True
        self.retranslate()
        self._again()

    def _again(self) -> None:
        if self.again:
            self.again = False
            self.refresh()

    def counts(self) -> dict[str, int]:
        d = self.data
        if d is None:
            return {}
        return {"returned": d.returned_signoffs, "awaiting": d.awaiting_approval, "follow_ups": d.follow_ups_due,
                "complaints": d.complaints_open}

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        lang, d = self.ctx.lang, self.data
        if self.failed and d is None:
            self.summary.setText(t("home_failed", lang))
            return
        if d is None:
            self.summary.setText("")
            return
        if d.sessions:
            self.summary.setText(t("today", lang, n=len(d.sessions), done=d.completed, stopped=d.stopped))
            self.summary.setToolTip("\n".join(f"{format_time(s.opened_at, lang, clock_only=True, zone=False)}  "
                                              f"{t(_STATUS.get(s.status, 'open'), lang)}" for s in d.sessions[:20]))
        else:
            self.summary.setText(t("today_none", lang))
            self.summary.setToolTip("")
        counts = self.counts()
        for key, button in self.buttons.items():
            button.setText(t(key, lang, n=counts[key]))
            button.setVisible(counts[key] > 0)
        self.nothing.setText(t("nothing_waiting", lang))
        self.nothing.setVisible(not any(counts.values()))
