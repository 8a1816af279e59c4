"""The printable dashboard report (A4, the bundled CJK font embedded): the summary, charts of the
sessions per day and per teller drawn with reportlab's own graphics from the same figures, and the
tables. Aggregates and teller names only."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from counterdesk.base.pdffont import FONT, MARGIN, PAGE_W, register_font
from counterdesk.base.text import Text
from counterdesk.services.reports.figures import Figures
from counterdesk.services.reports.tables import TITLES, tables

TITLE = Text("网点服务统计报告", "Branch service report")
WIDTH = PAGE_W - 2 * MARGIN
BLUE, GREY = colors.HexColor("#2f6db5"), colors.HexColor("#b0b7c3")


def _day_chart(f: Figures, lang: str) -> Drawing:
    drawing = Drawing(WIDTH, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, WIDTH - 16 * mm, 44 * mm
    chart.data = [[d.completed for d in f.per_day], [d.stopped + d.open for d in f.per_day]]
    chart.categoryAxis.categoryNames = [d.day.strftime("%m-%d") for d in f.per_day]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 6
    step = max(1, len(f.per_day) // 16)  # at most ~16 day labels, so they stay readable
    chart.categoryAxis.labels.angle = 0
    for i in range(len(f.per_day)):
        if i % step:
            chart.categoryAxis.labels[i].visible = False
    chart.categoryAxis.style = "stacked"
    chart.bars[0].fillColor, chart.bars[1].fillColor = BLUE, GREY
    chart.bars.strokeWidth = 0
    chart.valueAxis.valueMin = 0
    drawing.add(chart)
    drawing.add(String(12 * mm, 57 * mm, TITLES["per_day"].get(lang), fontName=FONT, fontSize=9))
    return drawing


def _teller_chart(f: Figures, lang: str) -> Drawing:
    rows = f.per_teller[:20]
    height = max(30 * mm, (8 + 5 * len(rows)) * mm)
    drawing = Drawing(WIDTH, height + 8 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45 * mm, 4 * mm, WIDTH - 50 * mm, height - 6 * mm
    chart.data = [[x.sessions for x in reversed(rows)] or [0]]
    chart.categoryAxis.categoryNames = [x.name for x in reversed(rows)] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize, chart.valueAxis.labels.fontSize = 7, 6
    chart.bars[0].fillColor = BLUE
    chart.bars.strokeWidth = 0
    chart.valueAxis.valueMin = 0
    drawing.add(chart)
    drawing.add(String(0, height + 2 * mm, TITLES["per_teller"].get(lang), fontName=FONT, fontSize=9))
    return drawing


def _score_chart(f: Figures, lang: str) -> Drawing:
    """The mean score per day or week (1-5); a group below the minimum count has no point."""
    points = f.evaluations.points
    drawing = Drawing(WIDTH, 52 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, WIDTH - 16 * mm, 34 * mm
    chart.data = [[p.mean if p.shown else None for p in points] or [None]]
    chart.categoryAxis.categoryNames = [p.start.strftime("%m-%d") for p in points] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 6
    step = max(1, len(points) // 16)
    for i in range(len(points)):
        if i % step:
            chart.categoryAxis.labels[i].visible = False
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 1, 5, 1
    chart.lines[0].strokeColor, chart.lines[0].strokeWidth = BLUE, 1.5
    drawing.add(chart)
    drawing.add(String(12 * mm, 47 * mm, TITLES["evaluations"].get(lang), fontName=FONT, fontSize=9))
    return drawing


def _table(rows: list[list], header: list[str], widths: list[float] | None = None) -> Table:
    data = [header] + [["" if c is None else str(c) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 8), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf4")),
        ("GRID", (0, 0), (-1, -1), 0.25, GREY), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def render(figures: Figures, lang: str) -> bytes:
    register_font()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
                            title=TITLE.get(lang), author="CounterDesk")
    h1 = ParagraphStyle("h1", fontName=FONT, fontSize=15, leading=20, spaceAfter=4 * mm)
    h2 = ParagraphStyle("h2", fontName=FONT, fontSize=10, leading=14, spaceBefore=4 * mm, spaceAfter=2 * mm)
    story: list[Flowable] = [Paragraph(escape(TITLE.get(lang)), h1)]
    by_key = {t.key: t for t in tables(figures, lang)}
    summary = by_key["summary"]
    story += [_table(summary.rows, summary.header, [WIDTH * 0.62, WIDTH * 0.38]), Spacer(1, 4 * mm),
              _day_chart(figures, lang), _teller_chart(figures, lang)]
    if any(p.shown for p in figures.evaluations.points):
        story.append(_score_chart(figures, lang))
    for key in ("steps", "per_teller", "evaluations", "complaints_due", "per_day"):
        table = by_key[key]
        if table.rows:
            story += [Paragraph(escape(table.title), h2), _table(table.rows, table.header)]
    doc.build(story)
    return buf.getvalue()
