"""The dashboard's charts (QtCharts), each built from the core's figures and nothing else.

Long periods are drawn by week or by month (a bar per day stops being readable after two months);
the figures stay daily in the core, the exports and the PDF.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from datetime import date, timedelta

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QHorizontalBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPen

from counterdesk.services.reports.figures import Figures
from counterdesk.services.reports.tables import minutes
from counterdesk.ui.service.dashboard_text import t

BLUE, GREY, AMBER, RED, GREEN = "#2f6db5", "#9aa3b0", "#c78a00", "#b00020", "#3c8d3c"


def _set(label: str, values: list[float], colour: str) -> QBarSet:
    bar = QBarSet(label)
    bar.append([float(v) for v in values])
    bar.setColor(QColor(colour))
    bar.setBorderColor(QColor(colour))
    return bar


def _chart(title: str, font: QFont) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    title_font = QFont(font)
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.legend().setFont(font)
    return chart


def _axes(chart: QChart, series, categories: list[str], font: QFont, horizontal: bool = False) -> None:
    chart.addSeries(series)
    cats = QBarCategoryAxis()
    cats.append(categories)
    cats.setLabelsFont(font)
    values = QValueAxis()
    values.setLabelFormat("%.0f")
    values.setLabelsFont(font)
    if horizontal:
        chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    else:
        chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(cats)
    series.attachAxis(values)
    sets = series.barSets()
    if isinstance(series, QStackedBarSeries):
        highest = max((sum(b.at(i) for b in sets) for i in range(max((b.count() for b in sets), default=0))),
                      default=0.0)
    else:
        highest = max((b.at(i) for b in sets for i in range(b.count())), default=0.0)
    if highest <= 8:  # small counts (none at all included): whole numbers, one tick each
        top = max(1, math.ceil(highest))
        values.setRange(0, top)
        values.setTickCount(top + 1)
    else:
        values.setRange(0, highest)
        values.applyNiceNumbers()


def grouping(days: int) -> str:
    return "day" if days <= 62 else ("week" if days <= 190 else "month")


def _bucket(day: date, by: str) -> str:
    if by == "week":
        return (day - timedelta(days=day.weekday())).strftime("%m-%d")
    if by == "month":
        return day.strftime("%Y-%m")
    return day.strftime("%m-%d")


def per_day(f: Figures, lang: str, font: QFont) -> QChart:
    by = grouping(len(f.per_day))
    title = {"day": "chart_per_day", "week": "chart_per_week", "month": "chart_per_month"}[by]
    buckets: OrderedDict[str, list[int]] = OrderedDict()
    for d in f.per_day:
        row = buckets.setdefault(_bucket(d.day, by), [0, 0, 0])
        row[0] += d.completed
        row[1] += d.stopped
        row[2] += d.open
    chart = _chart(t(title, lang), font)
    series = QStackedBarSeries()
    for i, (key, colour) in enumerate((("completed", BLUE), ("stopped", GREY), ("open", AMBER))):
        series.append(_set(t(key, lang), [v[i] for v in buckets.values()], colour))
    series.setBarWidth(0.8)
    labels = list(buckets)
    _axes(chart, series, labels, font)
    if len(labels) > 16:  # QtCharts elides a label to its bar's width: name the range instead
        (axis,) = chart.axes(Qt.Orientation.Horizontal)
        axis.setLabelsVisible(False)
        axis.setTitleText(f"{labels[0]} – {labels[-1]}")
        axis.setTitleFont(font)
    return chart


def per_teller(f: Figures, lang: str, font: QFont) -> QChart:
    rows = list(reversed(f.per_teller[:20]))  # most at the top
    chart = _chart(t("chart_per_teller", lang), font)
    series = QHorizontalBarSeries()
    series.append(_set(t("completed", lang), [r.completed for r in rows], BLUE))
    series.append(_set(t("stopped", lang), [r.stopped for r in rows], GREY))
    _axes(chart, series, [r.name for r in rows] or [""], font, horizontal=True)
    return chart


def steps(f: Figures, lang: str, font: QFont) -> QChart:
    chart = _chart(t("chart_steps", lang), font)
    series = QBarSeries()
    series.append(_set(t("median", lang), [minutes(s.spread.median) or 0.0 for s in f.steps], BLUE))
    series.append(_set(t("slowest", lang), [minutes(s.spread.slowest) or 0.0 for s in f.steps], AMBER))
    _axes(chart, series, [t(f"step_{s.step}", lang) for s in f.steps], font)
    return chart


def holds(f: Figures, lang: str, font: QFont) -> QChart:
    a, h = f.approvals, f.screening
    keys = ("approvals_waiting", "approvals_expired", "approved", "rejected", "holds_waiting", "holds_disposed")
    values = [a.waiting, a.expired_unanswered, a.by_status.get("approved", 0), a.by_status.get("rejected", 0),
              h.waiting, h.held - h.waiting]
    chart = _chart(t("chart_holds", lang), font)
    series = QBarSeries()
    series.append(_set(t("count", lang), values, BLUE))
    chart.legend().setVisible(False)
    _axes(chart, series, [t(k, lang) for k in keys], font)
    return chart


def sales(f: Figures, lang: str, font: QFont) -> QChart:
    c, o = f.customer_initiated, f.cooling_off
    keys = ("decisions", "customer_initiated", "mismatches", "cooling_sales", "cancelled")
    chart = _chart(t("chart_sales", lang), font)
    series = QBarSeries()
    series.append(_set(t("count", lang), [c.decisions, c.customer_initiated, c.mismatches, o.sales, o.cancelled],
                       GREEN))
    chart.legend().setVisible(False)
    _axes(chart, series, [t(k, lang) for k in keys], font)
    return chart


def complaints(f: Figures, lang: str, font: QFont) -> QChart:
    chart = _chart(t("chart_complaints", lang), font)
    series = QStackedBarSeries()
    days = f.complaints.by_due_day[:31]
    for key, colour in (("overdue", RED), ("due_soon", AMBER), ("on_time", GREEN)):
        series.append(_set(t(key, lang), [x.open if x.mark == key else 0 for x in days], colour))
    _axes(chart, series, [x.due_on.strftime("%m-%d") for x in days] or [""], font)
    return chart


def evaluations(f: Figures, lang: str, font: QFont) -> QChart:
    """The mean score (line, left axis 1-5) and the number of ratings (bars, right axis) per day or
    week. A point below the minimum count has its bar but no score: the line breaks there."""
    e = f.evaluations
    total = e.total
    title = t("chart_evaluations_day" if e.by == "day" else "chart_evaluations_week", lang)
    if total.nps is not None:
        title += t("chart_nps", lang, nps=f"{total.nps:+.0f}", n=total.nps_count)
    chart = _chart(title, font)
    labels = [p.start.strftime("%m-%d") for p in e.points] or [""]
    bars = QBarSeries()
    bars.append(_set(t("ratings", lang), [p.count for p in e.points], GREY))
    bars.setBarWidth(0.7)
    _axes(chart, bars, labels, font)
    (cats,) = chart.axes(Qt.Orientation.Horizontal)
    (counts,) = chart.axes(Qt.Orientation.Vertical)
    chart.removeAxis(counts)  # the counts go on the right, the scores take the left
    chart.addAxis(counts, Qt.AlignmentFlag.AlignRight)
    bars.attachAxis(counts)
    if len(labels) > 16:  # the range instead, with its years (a week's label has none)
        cats.setLabelsVisible(False)
        cats.setTitleText(f"{f.scope.period.first.isoformat()} – {(e.through or f.scope.period.last).isoformat()}")
        cats.setTitleFont(font)
    score_axis = QValueAxis()
    score_axis.setRange(1, 5)
    score_axis.setTickCount(5)
    score_axis.setLabelFormat("%.0f")
    score_axis.setLabelsFont(font)
    score_axis.setTitleText(t("mean_score", lang))
    score_axis.setTitleFont(font)
    chart.addAxis(score_axis, Qt.AlignmentFlag.AlignLeft)
    pen = QPen(QColor(BLUE))
    pen.setWidth(2)
    runs: list[list[tuple[int, float]]] = [[]]
    for i, p in enumerate(e.points):
        if p.shown and p.mean is not None:
            runs[-1].append((i, p.mean))
        elif runs[-1]:
            runs.append([])
    for k, run in enumerate(r for r in runs if r):
        line = QLineSeries()
        line.setName(t("mean_score", lang))
        line.setPen(pen)
        line.setPointsVisible(True)
        for x, y in run:
            line.append(float(x), y)
        chart.addSeries(line)
        line.attachAxis(cats)
        line.attachAxis(score_axis)
        if k:  # one legend entry for the mean, whatever the gaps
            chart.legend().markers(line)[0].setVisible(False)
    return chart


BUILDERS = {"per_day": per_day, "per_teller": per_teller, "steps": steps, "holds": holds, "sales": sales,
            "complaints": complaints, "evaluations": evaluations}
