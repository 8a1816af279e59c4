"""The supervisor's and branch dashboard: the period and teller filters, six figure cards, six charts,
exports (CSV, XLSX, PDF) and printing. Thin: counterdesk.services.reports computes every figure
(and refuses a teller anything but their own); the page reads it in a worker and draws it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.atomicfile import write_bytes_atomic
from counterdesk.base.branchtime import format_time
from counterdesk.base.roles import can
from counterdesk.services.reports import export, pdf
from counterdesk.services.reports.figures import Figures, Teller, dashboard, prepare, tellers
from counterdesk.services.reports.scope import Period, ReportError
from counterdesk.ui import theme
from counterdesk.ui.service.dashboard_charts import BUILDERS
from counterdesk.ui.service.dashboard_text import t
from counterdesk.ui.widgets.common import LoadingPage, MessageLabel, error_text
from counterdesk.ui.widgets.confirmation_view import choose_printer, print_pdf
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import preload_in_background, run_task

PRESETS = ("last_30", "last_7", "this_month", "last_365", "custom")
CARDS = ("card_sessions", "card_approvals", "card_holds", "card_mismatch", "card_cooling", "card_overdue",
         "card_score")


def _card_values(f: Figures) -> dict[str, int | str]:
    score = f.evaluations.total
    return {"card_sessions": f.sessions_total, "card_approvals": f.approvals.waiting,
            "card_holds": f.screening.waiting, "card_mismatch": f.customer_initiated.mismatches,
            "card_cooling": f.cooling_off.cancelled, "card_overdue": f.complaints.marks.get("overdue", 0),
            "card_score": f"{score.mean:.2f}" if score.shown and score.mean is not None else "–"}


class Card(QFrame):
    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(key)
        theme.set_role(self, "panel")
        self.value = QLabel("–")
        theme.set_role(self.value, "value")
        self.caption = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class DashboardPage(LoadingPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = ctx.user
        self.branch = bool(self.user) and can(self.user.role, "report.branch")
        self.figures: Figures | None = None
        self.teller_list: list[Teller] | None = None
        self.choose_printer: Callable = choose_printer
        self.busy = False
        self._prepared = False  # the last 12 months' daily aggregates asked for (once per page)
        self.title = QLabel()
        theme.set_role(self.title, "page-title")
        self.period_label = QLabel()
        self.preset = QComboBox()
        self.preset.setObjectName("dashboard_period")
        for _key in PRESETS:
            self.preset.addItem("")
        self.period_label.setBuddy(self.preset)
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._dates_edited)
        self.to_label = QLabel()
        self.teller_label = QLabel()
        self.teller = QComboBox()
        self.teller.setObjectName("dashboard_teller")
        self.teller.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.teller_label.setBuddy(self.teller)
        self.teller.setEnabled(self.branch)  # a teller's own name only: the core refuses anyone else
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.buttons: dict[str, QPushButton] = {}
        # Bound methods, not lambdas: a lambda holding the page keeps it alive past the application.
        for key, slot in (("export_csv", self.export_csv), ("export_xlsx", self.export_xlsx),
                          ("export_pdf", self.export_pdf), ("print", self.print_report)):
            button = QPushButton()
            button.setObjectName(f"dashboard_{key}")
            button.clicked.connect(slot)
            button.setEnabled(False)
            self.buttons[key] = button
        bar = QHBoxLayout()
        for w in (self.period_label, self.preset, self.date_from, self.to_label, self.date_to, self.teller_label,
                  self.teller, self.refresh_button):
            bar.addWidget(w)
        bar.addStretch(1)
        # The exports on a line of their own: one line of both is wider than a 1366×768 screen in English.
        exports = QHBoxLayout()
        exports.addStretch(1)
        for button in self.buttons.values():
            exports.addWidget(button)
        self.cards = {key: Card(key) for key in CARDS}
        cards = QHBoxLayout()
        for card in self.cards.values():
            cards.addWidget(card)
        # The chart views are made on the first draw: the page is built with the home at sign-in, on
        # the UI thread, and most sign-ins never open it.
        self.views: dict[str, QChartView] = {}
        self.grid = QGridLayout()
        grid = self.grid
        self.note = QLabel()
        self.note.setWordWrap(True)
        theme.set_role(self.note, "hint")
        self.message = MessageLabel()
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(cards)
        inner.addLayout(grid, 1)
        inner.addWidget(self.note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.addWidget(self.title)
        outer.addLayout(bar)
        outer.addLayout(exports)
        outer.addWidget(self.message)
        outer.addWidget(scroll, 1)
        shortcut = QShortcut(QKeySequence("F5"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        self._setting_dates = False
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self._preset_chosen(0)
        self.teller.currentIndexChanged.connect(self._teller_chosen)
        self.retranslate()

    # ---- filters -----------------------------------------------------------------------------------------
    def _preset_chosen(self, index: int) -> None:
        key = PRESETS[index]
        if key == "custom":
            return
        now = datetime.now(UTC)
        period = {"last_7": Period.last_days(7, now), "last_30": Period.last_days(30, now),
                  "this_month": Period.month_to_date(now),
                  "last_365": Period.last_days(365, now)}[key]
        self._set_dates(period)
        if self.isVisible():  # built with the home: the first read waits until the page is shown
            self.refresh()

    def _set_dates(self, period: Period) -> None:
        self._setting_dates = True
        self.date_from.setDate(QDate(period.first.year, period.first.month, period.first.day))
        self.date_to.setDate(QDate(period.last.year, period.last.month, period.last.day))
        self._setting_dates = False

    def _dates_edited(self) -> None:
        if self._setting_dates:
            return
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(PRESETS.index("custom"))
        self.preset.blockSignals(False)
        self.refresh()

    def period(self) -> Period:
        return Period(self.date_from.date().toPython(), self.date_to.date().toPython())

    def set_period(self, period: Period) -> None:
        """Show ``period`` (custom) and read it (tests and the screenshots drive the page through here)."""
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(PRESETS.index("custom"))
        self.preset.blockSignals(False)
        self._set_dates(period)
        self.refresh()

    def _teller_chosen(self, _index: int) -> None:
        self.refresh()

    def chosen_teller(self) -> str | None:
        return self.teller.currentData() if self.branch else (self.user.user_id if self.user else None)

    # ---- reading -----------------------------------------------------------------------------------------
    def can_read(self) -> bool:
        return self.ctx.vault is not None and self.user is not None

    def read_job(self):
        vault, user, need_tellers, teller = self.ctx.vault, self.user, self.teller_list is None, self.chosen_teller()
        try:
            period = self.period()
        except ReportError as exc:  # a reversed or too long period: the core's message, no read
            refused = exc

            def refuse():
                raise refused
            return refuse

        def job():
            return (tellers(vault, user) if need_tellers else None), dashboard(vault, user, period, teller)
        return job

    def refresh(self) -> None:
        if self.can_read():
            self.message.show_info(t("loading", self.ctx.lang))
        super().refresh()

    def show_data(self, data) -> None:
        people, figures = data
        if people is not None:
            self._fill_tellers(people)
        self.figures = figures
        self.message.clear_message()
        self._draw()
        for button in self.buttons.values():
            button.setEnabled(True)
        if not self._prepared and self.ctx.vault is not None:
            # After the first read: the year's closed days are aggregated in the background, so that
            # choosing 12 months later reads aggregates only (a no-op once they exist).
            self._prepared = True
            vault = self.ctx.vault
            preload_in_background(lambda: prepare(vault))

    def read_failed(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))

    def _fill_tellers(self, people: list[Teller]) -> None:
        self.teller_list = people
        self.teller.blockSignals(True)
        self.teller.clear()
        if self.branch:
            self.teller.addItem(t("all_tellers", self.ctx.lang), None)
        for person in people:
            self.teller.addItem(person.name, person.user_id)
        self.teller.blockSignals(False)

    def _draw(self) -> None:
        f, lang = self.figures, self.ctx.lang
        if f is None:
            return
        for key, value in _card_values(f).items():
            self.cards[key].value.setText(str(value))
        self._ensure_views()
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        for key, build in BUILDERS.items():
            old = self.views[key].chart()
            self.views[key].setChart(build(f, lang, font))
            if old is not None:
                old.deleteLater()
        self.note.setText(" ".join((t("computed", lang, when=format_time(f.computed_at, lang, zone=False),
                                      ms=round(f.query_seconds * 1000)),
                                    t("evaluations", lang, n=f.evaluations.minimum),
                                    "" if self.branch else t("evaluations_own", lang),
                                    "" if self.branch else t("own_only", lang))))

    def _ensure_views(self) -> None:
        if self.views:
            return
        for i, key in enumerate(BUILDERS):
            view = QChartView()
            view.setObjectName(f"chart_{key}")
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(230)
            view.setMaximumHeight(320)
            self.views[key] = view
            alone = i == len(BUILDERS) - 1 and i % 2 == 0  # an odd last chart takes the whole row
            self.grid.addWidget(view, i // 2, i % 2, 1, 2 if alone else 1)
            self.grid.setRowStretch(i // 2, 1)

    def chart(self, key: str) -> QChart:
        return self.views[key].chart()

    # ---- exports and printing ----------------------------------------------------------------------------
    def export_csv(self) -> None:
        self.choose_export("csv")

    def export_xlsx(self) -> None:
        self.choose_export("xlsx")

    def export_pdf(self) -> None:
        self.choose_export("pdf")

    def choose_export(self, fmt: str) -> None:
        if self.figures is None:
            return
        names = {"csv": ("dashboard.csv", "CSV (*.csv)"), "xlsx": ("dashboard.xlsx", "Excel (*.xlsx)"),
                 "pdf": ("dashboard.pdf", "PDF (*.pdf)")}
        path, _chosen = QFileDialog.getSaveFileName(self, t(f"export_{fmt}", self.ctx.lang).rstrip("…"),
                                                    names[fmt][0], names[fmt][1])
        if path:
            self.export_file(path, fmt)

    def export_file(self, path: str | Path, fmt: str) -> None:
        """Write the shown figures to ``path`` in a worker (the file is replaced atomically, private)."""
        figures, lang = self.figures, self.ctx.lang
        if figures is None or self.busy:
            return
        render = {"csv": export.to_csv, "xlsx": export.to_xlsx, "pdf": pdf.render}[fmt]
        self._set_busy(True)

        def write() -> str:
            write_bytes_atomic(path, render(figures, lang))
            return str(path)
        run_task(self, write, self._exported, self._op_failed)

    def _exported(self, path: str) -> None:
        self._set_busy(False)
        self.message.show_info(t("saved", self.ctx.lang, path=path))
        self.loaded.emit()

    def print_report(self) -> None:
        figures, lang = self.figures, self.ctx.lang
        if figures is None or self.busy:
            return
        printer = self.choose_printer(self, t("print_title", lang))
        if printer is None:
            return
        self._set_busy(True)
        run_task(self, lambda: print_pdf(pdf.render(figures, lang), printer), self._printed, self._op_failed)

    def _printed(self, pages: int) -> None:
        self._set_busy(False)
        self.message.show_info(t("printed", self.ctx.lang, pages=pages))
        self.loaded.emit()

    def _op_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.message.show_error(error_text(exc, self.ctx.lang))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.buttons.values():
            button.setEnabled(not busy and self.figures is not None)

    # ---- language ------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        lang = self.ctx.lang
        self.title.setText(t("title" if self.branch else "title_own", lang))
        self.period_label.setText(t("period", lang))
        for i, key in enumerate(PRESETS):
            self.preset.setItemText(i, t(key, lang))
        self.to_label.setText(t("to", lang))
        self.teller_label.setText(t("teller", lang))
        if self.branch and self.teller.count():
            self.teller.setItemText(0, t("all_tellers", lang))
        self.refresh_button.setText(t("refresh", lang))
        for key, button in self.buttons.items():
            button.setText(t(key, lang))
        for key, card in self.cards.items():
            card.caption.setText(t(key, lang))
        self._draw()
