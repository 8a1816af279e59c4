"""CounterDesk's CSV list template, for lists published without a machine-readable file (domestic
countermeasure lists, the unreliable-entity list ...): transcribed by hand, so read strictly.

One header row, then one row per listed person or entity (documented in
resources/sanctions/csv_list_template.md). Columns, in any order: ref, kind, name, source (required),
aliases, weak_aliases, birth_dates, nationalities, gender, documents, programs, published (optional). Several
values in one cell are separated by ";"; a document is "type:number" or "type:number:country".
Unlike a publisher's file, a value that cannot be read (a date, a country, a kind) refuses the whole
file, naming the line and column: a typo in a transcription must not silently drop a fact.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from counterdesk.base.text import Text
from counterdesk.screening.countries import to_alpha2
from counterdesk.screening.parsers.common import check_refs, clean, doc_number, gender_of, no_entries, partial_date
from counterdesk.screening.records import KINDS, ListedDocument, ListFormatError, ParsedEntry, ParsedList, ParsedName

REQUIRED = ("ref", "kind", "name", "source")
OPTIONAL = ("aliases", "weak_aliases", "birth_dates", "nationalities", "gender", "documents", "programs",
            "published")
COLUMNS = REQUIRED + OPTIONAL
MAX_NAME = 400


def looks_like(first_line: str) -> bool:
    """Format detection: the header names ref, kind and name (a missing source is then reported)."""
    cells = {c.strip().strip('"').lower() for c in first_line.split(",")}
    return {"ref", "kind", "name"} <= cells


def _split(value: str | None) -> list[str]:
    return [clean(v) for v in (value or "").split(";") if clean(v)]


def _bad(where: str, column: str, value: str, zh: str, en: str) -> ListFormatError:
    return ListFormatError(f"{where}, {column}", Text(f"“{value[:60]}”{zh}", f"“{value[:60]}” {en}"),
                           code="bad_field")


def _decode(data: bytes) -> str:
    # Only UTF-8: a GBK or Windows-1252 guess could turn names into other names without a word.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ListFormatError(f"line {line}", Text("文件不是 UTF-8 编码；请另存为“CSV UTF-8”",
                                                   "the file is not UTF-8; save it as “CSV UTF-8”"),
                              code="bad_encoding") from None


def _names(row: dict[str, str], where: str) -> list[ParsedName]:
    names: list[ParsedName] = []
    for column, type_ in (("name", "primary"), ("aliases", "alias"), ("weak_aliases", "weak_alias")):
        values = [clean(row["name"])] if column == "name" else _split(row.get(column))
        for value in values:
            if len(value) > MAX_NAME:
                raise _bad(where, column, value, "过长", "is too long")
            if all(n.text != value for n in names):
                names.append(ParsedName(value, type_))
    return names


def _documents(cell: str | None, where: str) -> list[ListedDocument]:
    docs: list[ListedDocument] = []
    for value in _split(cell):
        parts = [p.strip() for p in value.split(":")]
        number = doc_number(parts[1]) if len(parts) in (2, 3) else ""
        country = to_alpha2(parts[2]) if len(parts) == 3 and parts[2] else ""
        if not parts[0] or len(number) < 3 or country is None:
            raise _bad(where, "documents", value, "应写作 类型:号码 或 类型:号码:国家",
                       "must read type:number or type:number:country")
        doc: ListedDocument = {"type": parts[0][:60], "number": number[:64], "country": country}
        if doc not in docs:
            docs.append(doc)
    return docs


def _entry(row: dict[str, str], where: str) -> ParsedEntry:
    ref, kind = clean(row["ref"]), clean(row["kind"]).lower()
    if not ref or len(ref) > 64:
        raise ListFormatError(where, Text("ref（编号）缺失或超过 64 个字符",
                                          "ref is missing or longer than 64 characters"), code="missing_field")
    where = f"{where} / ref {ref}"
    if not clean(row["name"]):
        raise ListFormatError(where, Text("缺少 name（名称）", "name is missing"), code="missing_field")
    if kind not in KINDS:
        raise _bad(where, "kind", kind, "应为 person 或 entity", "must be person or entity")
    dates: list[str] = []
    for value in _split(row.get("birth_dates")):
        parsed = partial_date(value)
        if parsed is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?(\.\.\d{4})?", value):
            raise _bad(where, "birth_dates", value, "应写作 YYYY-MM-DD、YYYY-MM、YYYY 或 YYYY..YYYY",
                       "must read YYYY-MM-DD, YYYY-MM, YYYY or YYYY..YYYY")
        if parsed not in dates:
            dates.append(parsed)
    countries: list[str] = []
    for value in _split(row.get("nationalities")):
        code = to_alpha2(value)
        if code is None:
            raise _bad(where, "nationalities", value, "不是可识别的国家或地区", "names no country we know")
        if code not in countries:
            countries.append(code)
    if kind == "entity" and dates:
        raise _bad(where, "birth_dates", ";".join(dates), "：实体没有出生日期", "is given for an entity")
    gender_cell = clean(row.get("gender"))
    gender = gender_of(gender_cell)
    if gender_cell and not gender:
        raise _bad(where, "gender", gender_cell, "应为 male、female、M、F、男 或 女",
                   "must be male, female, M, F, 男 or 女")
    if kind == "entity" and gender:
        raise _bad(where, "gender", gender_cell, "：实体没有性别", "is given for an entity")
    return ParsedEntry(ref=ref, kind=kind, names=_names(row, where), birth_dates=dates, nationalities=countries,
                       documents=_documents(row.get("documents"), where), programs=_split(row.get("programs"))[:5],
                       gender=gender)


def _same(values: list[tuple[str, str]], column: str) -> str:
    """``source`` and ``published`` describe the whole list: every row must say the same."""
    first_line, first = values[0]
    for line, value in values[1:]:
        if value != first:
            raise _bad(line, column, value, f"与第一行（{first_line}）的“{first}”不同",
                       f"differs from “{first}” on {first_line}")
    return first


def parse_template_csv(data: bytes) -> ParsedList:
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""), restkey="\x00extra", restval=None)
    try:
        header = [h.strip().lower() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise ListFormatError("line 1", Text(f"CSV 格式错误：{exc}", f"CSV error: {exc}"), code="csv_syntax") from None
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        problem = (f"unknown column(s): {', '.join(unknown)}" if unknown else
                   f"missing column(s): {', '.join(missing)}" if missing else "a column appears twice")
        zh = (f"未知的列：{', '.join(unknown)}" if unknown else
              f"缺少列：{', '.join(missing)}" if missing else "有重复的列")
        raise ListFormatError("line 1", Text(f"表头有误，{zh}", f"bad header, {problem}"), code="bad_header")
    reader.fieldnames = header
    entries: list[ParsedEntry] = []
    lines: list[str] = []
    sources: list[tuple[str, str]] = []
    stamps: list[tuple[str, str]] = []
    try:
        for row in reader:
            where = f"line {reader.line_num}"
            if "\x00extra" in row or any(v is None for v in row.values()):
                raise ListFormatError(where, Text("列数与表头不符", "the number of columns does not match the header"),
                                      code="bad_columns")
            if not any(clean(v) for v in row.values()):
                continue  # a blank line a spreadsheet left behind
            entries.append(_entry(row, where))
            lines.append(where)
            sources.append((where, clean(row["source"])))
            stamps.append((where, clean(row.get("published"))))
    except csv.Error as exc:
        raise ListFormatError(f"line {reader.line_num}", Text(f"CSV 格式错误：{exc}", f"CSV error: {exc}"),
                              code="csv_syntax") from None
    if not entries:
        raise no_entries("line 2")
    check_refs(entries, lambda i: lines[i])
    source = _same(sources, "source")
    if not source:
        raise ListFormatError(f"{lines[0]}, source", Text("缺少 source（名单来源）", "source is missing"),
                              code="missing_field")
    stamp = _same(stamps, "published")
    published = None
    if stamp:
        try:
            published = date.fromisoformat(stamp) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", stamp) else None
        except ValueError:
            published = None
        if published is None:
            raise _bad(lines[0], "published", stamp, "应写作 YYYY-MM-DD", "must read YYYY-MM-DD")
    return ParsedList("cd-csv", published, entries, source)
