"""The dashboard's figures as CSV (one file, one section per table, UTF-8 with BOM so spreadsheet
programs read the Chinese headings) and XLSX (one sheet per table). Aggregates and teller names
only: no customer data reaches these files."""
from __future__ import annotations

import csv
import io

import xlsxwriter

from counterdesk.services.reports.figures import Figures
from counterdesk.services.reports.tables import tables


def to_csv(figures: Figures, lang: str) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    for i, table in enumerate(tables(figures, lang)):
        if i:
            out.writerow([])
        out.writerow([table.title])
        out.writerow(table.header)
        out.writerows(["" if c is None else c for c in row] for row in table.rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(figures: Figures, lang: str) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = book.add_format({"bold": True})
    for table in tables(figures, lang):
        sheet = book.add_worksheet(table.title[:31])  # Excel's limit on a sheet name
        sheet.write_row(0, 0, table.header, bold)
        for r, row in enumerate(table.rows, start=1):
            sheet.write_row(r, 0, ["" if c is None else c for c in row])
        sheet.set_column(0, 0, 34 if table.key in ("summary", "steps") else 14)
        sheet.set_column(1, max(1, len(table.header) - 1), 12)
        sheet.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()
