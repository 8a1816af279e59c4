"""The dashboard and the teller's home through the real window, in Chinese, drawing from a seeded month
of a real encrypted store: the charts hold exactly the core's figures, a teller sees only their own,
the exports are written, and the home strip shows what waits for the teller."""
from __future__ import annotations

import csv
import io
import os
from datetime import timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCharts import QBarSeries, QLineSeries
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from counterdesk.services.auth.vault import DEMO_USERS, Vault
from counterdesk.services.reports.figures import dashboard
from counterdesk.services.reports.scope import Period
from counterdesk.ui.service.dashboard import PRESETS
from helpers.demo import WAIT
from helpers.demo import sign_in as demo_sign_in
from helpers.screens import accelerator_clashes, foreign_text
from helpers.seed_month import EXTRA_TELLERS, seed_month

DATA = (*(u.display_name for u in DEMO_USERS), *(name for _u, name in EXTRA_TELLERS), "演示支行 DEMO Branch",
        "CSV", "Excel", "PDF", "F5")


def seeded(data_dir):
    vault = Vault.open(data_dir)
    user = demo_sign_in(vault, "supervisor")
    month = seed_month(vault)
    figures = dashboard(vault, user, Period(month.first, month.last), now=month.now)
    vault.sign_out(user)
    return month, figures


def open_dashboard(qtbot, window, period: Period):
    window.home.show_task("report.dashboard")
    page = window.home.pages["report.dashboard"]
    qtbot.waitUntil(lambda: page.isVisible() and page.figures is not None and not page.loading, timeout=WAIT)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.set_period(period)
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT)
    return page


def sign_out(qtbot, window) -> None:
    """Sign out as the user would (the home goes with its user). Left to the fixture's window.close(),
    the screening reviews page would retranslate a held hit with no user signed in (its can_dispose
    reads ctx.user, which is None by then: a bug of that page, reported, not worked around there)."""
    window.sign_out("user")
    qtbot.waitUntil(lambda: window.state == "signin" and window.signin.submit.isEnabled(), timeout=WAIT)


def sums(chart) -> dict[str, float]:
    """Each bar set's total, by its label."""
    (series,) = chart.series()
    return {bar.label(): bar.sum() for bar in series.barSets()}


def test_the_supervisors_dashboard_draws_the_seeded_month(qtbot, open_window, demo_dir, tmp_path):
    month, core = seeded(demo_dir)
    window = open_window(demo_dir, "supervisor")
    page = open_dashboard(qtbot, window, Period(month.first, month.last))
    f = page.figures
    assert f.sessions_total == core.sessions_total == len(month.sessions)
    per_day = sums(page.chart("per_day"))
    assert per_day == {"已完成": sum(d.completed for d in core.per_day), "已终止": sum(d.stopped for d in core.per_day),
                       "进行中": sum(d.open for d in core.per_day)}
    assert page.chart("per_day").series()[0].barSets()[0].count() == 30  # one bar per day
    assert sum(sums(page.chart("per_teller")).values()) == sum(t.completed + t.stopped for t in core.per_teller)
    steps = page.chart("steps").series()[0].barSets()
    assert steps[0].count() == len(core.steps) == 7
    assert steps[0].at(1) == round(core.steps[1].spread.median / 60, 1)
    holds = page.chart("holds").series()[0].barSets()[0]
    assert [holds.at(i) for i in range(6)] == [core.approvals.waiting, core.approvals.expired_unanswered,
                                               core.approvals.by_status["approved"], core.approvals.by_status["rejected"],
                                               core.screening.waiting, core.screening.held - core.screening.waiting]
    sales = page.chart("sales").series()[0].barSets()[0]
    assert sales.at(2) == core.customer_initiated.mismatches and sales.at(4) == core.cooling_off.cancelled
    assert sums(page.chart("complaints")) == {"已超期": core.complaints.marks.get("overdue", 0),
                                               "即将到期": core.complaints.marks.get("due_soon", 0),
                                               "期限内": core.complaints.marks.get("on_time", 0)}
    assert page.cards["card_sessions"].value.text() == str(len(month.sessions))
    assert "每组至少 5 条评价才显示均分与 NPS" in page.note.text()

    # The evaluation scores over time: a bar of ratings per day, the mean where the day has enough.
    chart = page.chart("evaluations")
    e = core.evaluations
    assert chart.title().startswith("客户评价（每日均分与评价数）")
    bars = next(s for s in chart.series() if isinstance(s, QBarSeries)).barSets()[0]
    assert [bars.at(i) for i in range(bars.count())] == [p.count for p in e.points] and bars.count() == 30
    lines = [s for s in chart.series() if isinstance(s, QLineSeries)]
    drawn = {round(pt.x()): pt.y() for line in lines for pt in line.points()}
    assert drawn == {i: p.mean for i, p in enumerate(e.points) if p.shown}
    assert any(not p.shown and p.count for p in e.points) or all(p.shown for p in e.points if p.count)
    assert page.cards["card_score"].value.text() == f"{e.total.mean:.2f}"
    assert accelerator_clashes(window) == [] and foreign_text(page, "zh", DATA) == []

    # One teller: the figures and the charts narrow to them.
    li = next(uid for uid, name in month.tellers.items() if "Li" in name)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.teller.setCurrentIndex(page.teller.findData(li))
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT)
    assert page.figures.scope.teller_id == li
    assert sum(sums(page.chart("per_day")).values()) == sum(month.per_day(li).values())

    # Exports: the CSV has the day rows; XLSX and PDF are written.
    for fmt in ("csv", "xlsx", "pdf"):
        target = tmp_path / f"dashboard.{fmt}"
        with qtbot.waitSignal(page.loaded, timeout=WAIT):
            page.export_file(target, fmt)
        assert target.stat().st_size > 500 and oct(target.stat().st_mode & 0o777) == "0o600"
    rows = list(csv.reader(io.StringIO((tmp_path / "dashboard.csv").read_text("utf-8-sig"))))
    assert ["日期", "已完成", "已终止", "进行中", "合计"] in rows
    assert (tmp_path / "dashboard.pdf").read_bytes().startswith(b"%PDF")

    # Printing goes through the print dialog's printer (here a PDF file printer).
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    page.choose_printer = lambda _parent, _title: printer
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        qtbot.mouseClick(page.buttons["print"], Qt.MouseButton.LeftButton)
    assert (tmp_path / "printed.pdf").stat().st_size > 1000
    # Twelve months, from the period list: the sessions by month, the scores by week, read from the
    # daily aggregates (the closed days) plus today.
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.preset.setCurrentIndex(PRESETS.index("last_365"))
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT)
    year = page.figures
    assert len(year.per_day) == 365 and page.preset.currentText() == "最近 12 个月"
    assert year.sessions_total == sum(month.per_day(li).values())  # the teller chosen above
    assert year.stored_days == 364 and year.live_days == 1
    assert page.chart("per_day").title() == "每月服务量"
    assert year.evaluations.by == "week" and page.chart("evaluations").title().startswith("客户评价（每周均分与评价数）")
    weekly = next(s for s in page.chart("evaluations").series() if isinstance(s, QBarSeries)).barSets()[0]
    assert weekly.count() == len(year.evaluations.points) >= 52 and weekly.sum() == year.evaluations.total.count
    sign_out(qtbot, window)


def test_the_teller_sees_their_own_figures_and_their_day(qtbot, open_window, demo_dir):
    month, _core = seeded(demo_dir)
    window = open_window(demo_dir, "teller")
    strip = window.home.today
    qtbot.waitUntil(lambda: strip.data is not None, timeout=WAIT)
    me = window.ctx.user.user_id
    assert strip.summary.text().startswith(f"今日：服务 {month.today_sessions[me]} 笔")
    assert strip.buttons["returned"].isVisible() and strip.buttons["returned"].text() == "退回的签署 1"
    assert strip.buttons["complaints"].text() == "我的投诉 3"
    assert strip.counts()["follow_ups"] == month.follow_ups_due[me]
    qtbot.mouseClick(strip.buttons["complaints"], Qt.MouseButton.LeftButton)
    assert window.home.stack.currentWidget() is window.home.pages["complaint.handle"]

    page = open_dashboard(qtbot, window, Period(month.first, month.last))
    assert not page.teller.isEnabled() and page.teller.count() == 1 and page.teller.currentData() == me
    assert page.figures.scope.teller_id == me and page.title.text() == "我的服务统计"
    assert sum(sums(page.chart("per_day")).values()) == sum(month.per_day(me).values())
    assert [t.teller_id for t in page.figures.per_teller] == [me]
    # The teller's own scores, to yesterday only: no rating of today can be read back.
    assert "本人的评价统计截至昨日" in page.note.text()
    assert page.figures.evaluations.through == month.last - timedelta(days=1)
    bars = next(s for s in page.chart("evaluations").series() if isinstance(s, QBarSeries)).barSets()[0]
    assert bars.count() == 29 and bars.sum() == sum(
        1 for t, d, s, _st, _n in month.evaluations if t == me and s == "submitted" and d < month.last)
    sign_out(qtbot, window)
