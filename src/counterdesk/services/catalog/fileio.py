"""Catalog files: CSV (header row) or JSON (array, or object with "products"), UTF-8 with or without BOM.

Reading returns raw rows with their location (CSV: the physical line the record starts on, counting
the header as line 1; JSON: the position in the array) and never touches the database. Writing
produces the export; CSV carries a BOM so Excel on a Chinese Windows opens it as UTF-8, and the
reader accepts it, so export -> import round-trips.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from counterdesk.base.text import Text
from counterdesk.services.catalog.products import FIELDS, REQUIRED, Product

MAX_FILE_BYTES = 5 * 1024 * 1024
FORMATS = ("csv", "json")
JSON_FORMAT_TAG = "counterdesk-catalog"


@dataclass(frozen=True)
class Location:
    line: int | None = None    # CSV: physical line number (header = 1)
    index: int | None = None   # JSON: 1-based position in the products array

    def text(self) -> Text:
        if self.line is not None:
            return Text(f"第 {self.line} 行", f"line {self.line}")
        if self.index is not None:
            return Text(f"第 {self.index} 个产品", f"product #{self.index}")
        return Text("文件", "file")


@dataclass(frozen=True)
class RawRow:
    location: Location
    values: dict[str, Any]


@dataclass(frozen=True)
class FileProblem:
    """A problem of the file as a whole or of one row/field; ``location`` names where."""
    location: Location
    field: str
    code: str
    text: Text
    severity: str = "error"

    def message(self, lang: str) -> str:
        where = self.location.text().get(lang)
        field = f" [{self.field}]" if self.field else ""
        return f"{where}{field}: {self.text.get(lang)}"


def detect_format(name: str, data: bytes) -> str:
    low = name.lower()
    if low.endswith(".json"):
        return "json"
    if low.endswith(".csv") or low.endswith(".txt"):
        return "csv"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head in (b"[", b"{") else "csv"


def decode(data: bytes) -> tuple[str | None, list[FileProblem]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return None, [FileProblem(Location(line=line), "", "encoding", Text(
            "不是 UTF-8 编码（请另存为 UTF-8）", "not UTF-8 text (save the file as UTF-8)"))]


def read_rows(name: str, data: bytes, fmt: str | None = None) -> tuple[list[RawRow], list[FileProblem]]:
    fmt = fmt or detect_format(name, data)
    text, problems = decode(data)
    if text is None:
        return [], problems
    return _read_json(text) if fmt == "json" else _read_csv(text)


def _read_csv(text: str) -> tuple[list[RawRow], list[FileProblem]]:
    problems: list[FileProblem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [FileProblem(Location(line=1), "", "csv", Text(f"CSV 格式错误：{exc}", f"CSV error: {exc}"))]
    if not header or not any(h.strip() for h in header):
        return [], [FileProblem(Location(line=1), "", "empty", Text("文件为空或缺少表头行",
                                                                    "the file is empty or has no header row"))]
    names = [h.strip() for h in header]
    head_loc = Location(line=1)
    seen: set[str] = set()
    for h in names:
        if h not in FIELDS:
            problems.append(FileProblem(head_loc, h, "unknown_column", Text(f"未知列“{h}”", f"unknown column '{h}'")))
        elif h in seen:
            problems.append(FileProblem(head_loc, h, "duplicate_column", Text(f"列“{h}”重复",
                                                                              f"column '{h}' appears twice")))
        seen.add(h)
    for f in REQUIRED:
        if f not in seen:
            problems.append(FileProblem(head_loc, f, "missing_column", Text(f"缺少必需列“{f}”",
                                                                            f"required column '{f}' is missing")))
    if problems:
        return [], problems
    rows: list[RawRow] = []
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(FileProblem(Location(line=start), "", "csv", Text(f"CSV 格式错误：{exc}",
                                                                              f"CSV error: {exc}")))
            break
        last_line = reader.line_num
        if not record or not any(c.strip() for c in record):
            continue  # blank lines (often at the end) are not products
        loc = Location(line=start)
        if len(record) != len(names):
            problems.append(FileProblem(loc, "", "columns", Text(
                f"有 {len(record)} 列，表头有 {len(names)} 列",
                f"has {len(record)} columns, the header has {len(names)}")))
            continue
        rows.append(RawRow(loc, dict(zip(names, record))))
    return rows, problems


def _read_json(text: str) -> tuple[list[RawRow], list[FileProblem]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [FileProblem(Location(line=exc.lineno), "", "json", Text(
            f"JSON 格式错误（第 {exc.colno} 列）：{exc.msg}", f"JSON error (column {exc.colno}): {exc.msg}"))]
    if isinstance(doc, dict):
        items = doc.get("products")
        if not isinstance(items, list):
            return [], [FileProblem(Location(), "products", "json_shape", Text(
                "JSON 对象须含 \"products\" 数组", 'a JSON object must hold a "products" array'))]
    elif isinstance(doc, list):
        items = doc
    else:
        return [], [FileProblem(Location(), "", "json_shape", Text(
            "JSON 须为产品数组或含 \"products\" 的对象",
            'JSON must be an array of products or an object with "products"'))]
    rows, problems = [], []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(FileProblem(Location(index=i), "", "json_shape", Text("应为对象", "must be an object")))
            continue
        rows.append(RawRow(Location(index=i), dict(item)))
    return rows, problems


# ---- writing -----------------------------------------------------------------------------------------
def write_csv(products: list[Product]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(FIELDS)
    for p in products:
        row = p.to_row()
        w.writerow([row[f] for f in FIELDS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_json(products: list[Product], version: int | None, exported_at: datetime) -> bytes:
    doc = {"format": JSON_FORMAT_TAG, "catalog_version": version,
           "exported_at": exported_at.isoformat(timespec="seconds"), "products": [p.to_json() for p in products]}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
