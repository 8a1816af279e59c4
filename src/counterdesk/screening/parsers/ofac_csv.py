"""US OFAC SDN list, legacy CSV set: sdn.csv (no header; ent_num, SDN_Name, SDN_Type, Program, Title,
Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks; "-0-" = empty) and optionally
alt.csv (ent_num, alt_num, alt_type, alt_name, alt_remarks), given as two files or one zip.

Remarks carry weak aliases ("a.k.a. 'NAME'"), dates of birth, nationality and document numbers;
they are read from there, as the fixed columns have none of these.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator

from counterdesk.base.text import Text
from counterdesk.screening.countries import normalise_list
from counterdesk.screening.parsers.common import (
    add_name,
    check_refs,
    clean,
    decode_text,
    document,
    no_entries,
    partial_date,
    unique,
)
from counterdesk.screening.records import ListFormatError, ParsedEntry, ParsedList, ParsedName

SDN_COLUMNS = ("ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign", "Vess_type", "Tonnage", "GRT",
               "Vess_flag", "Vess_owner", "Remarks")
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
MAX_ZIP_BYTES = 256 * 2**20  # refuses zip bombs long before memory runs out

_AKA = re.compile(r"\b[afn]\.k\.a\.,?\s+'([^']+)'", re.I)
_DOB = re.compile(r"\bDOB\s+([^;]+?)\s*(?=;|$)")
_NAT = re.compile(r"\b(?:nationality|citizen)\s+([^;]+?)\s*(?=;|$)", re.I)
_DOC = re.compile(r"\b(Passport|National ID No\.|Identification Number|Tax ID No\.|Cedula No\.|Registration Number|"
                  r"Residency Number|Personal ID Card|Driver's License No\.)\s+([A-Za-z0-9][A-Za-z0-9\-]*)"
                  r"(?:\s+\(([^)]+)\))?")


def _unzip(data: bytes) -> list[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [i for i in zf.infolist() if i.filename.rsplit("/", 1)[-1].lower() in ("sdn.csv", "alt.csv")]
            if sum(i.file_size for i in members) > MAX_ZIP_BYTES:
                raise ListFormatError("zip", Text("压缩包内文件过大", "the files in the zip are too large"),
                                      code="too_large")
            return [(i.filename.rsplit("/", 1)[-1].lower(), zf.read(i)) for i in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ListFormatError("zip", Text(f"压缩包无法读取：{exc}", f"the zip cannot be read: {exc}"),
                              code="bad_zip") from None


def _rows(name: str, data: bytes, width: int) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    try:
        for row in reader:
            # The legacy files end with a DOS end-of-file character on a line of its own.
            if not row or all(not c.strip(" \x1a") for c in row):
                continue
            if len(row) != width:
                raise ListFormatError(f"{name} line {reader.line_num}", Text(
                    f"应有 {width} 列，实有 {len(row)} 列", f"expected {width} columns, found {len(row)}"),
                    code="bad_columns")
            yield reader.line_num, row
    except csv.Error as exc:
        raise ListFormatError(f"{name} line {reader.line_num}", Text(f"CSV 格式错误：{exc}", f"CSV error: {exc}"),
                              code="csv_syntax") from None


def _entry(line: int, row: list[str]) -> ParsedEntry:
    where = f"sdn.csv line {line}"
    ent_num, name, sdn_type, program, remarks = clean(row[0]), clean(row[1]), clean(row[2]).lower(), row[3], row[11]
    if not ent_num.isdigit():
        raise ListFormatError(where, Text("ent_num 应为数字", "ent_num must be a number"), code="bad_field")
    if not name:
        raise ListFormatError(where, Text("缺少 SDN_Name（名称）", "SDN_Name is missing"), code="missing_field")
    names: list[ParsedName] = []
    add_name(names, name, "primary")
    remarks = clean(remarks)
    for alias in _AKA.findall(remarks):
        add_name(names, alias, "weak_alias")
    docs = []
    for type_, number, country in _DOC.findall(remarks):
        found = document(type_.rstrip("."), number, country)
        if found and found not in docs:
            docs.append(found)
    return ParsedEntry(
        ref=ent_num, kind="person" if sdn_type == "individual" else "entity", names=names,
        birth_dates=unique(partial_date(d) for d in _DOB.findall(remarks)),
        nationalities=normalise_list(_NAT.findall(remarks)), documents=docs,
        programs=[p.strip("[] ") for p in clean(program).split("] [") if p.strip("[] ")])


def parse_ofac_csv(files: list[tuple[str, bytes]]) -> ParsedList:
    if len(files) == 1 and files[0][1][:4] == b"PK\x03\x04":
        files = _unzip(files[0][1])
    sdn = [f for f in files if "alt" not in f[0].lower().rsplit("/", 1)[-1]]
    alt = [f for f in files if "alt" in f[0].lower().rsplit("/", 1)[-1]]
    if len(sdn) != 1 or len(alt) > 1:
        raise ListFormatError("files", Text("需要一个 sdn.csv（可再加一个 alt.csv）",
                                            "expected one sdn.csv (and at most one alt.csv)"), code="bad_files")
    entries: list[ParsedEntry] = []
    lines: list[int] = []
    for line, row in _rows("sdn.csv", sdn[0][1], len(SDN_COLUMNS)):
        entries.append(_entry(line, row))
        lines.append(line)
    if not entries:
        raise no_entries("sdn.csv")
    check_refs(entries, lambda i: f"sdn.csv line {lines[i]}")
    if alt:
        by_ref = {e.ref: e for e in entries}
        for line, row in _rows("alt.csv", alt[0][1], len(ALT_COLUMNS)):
            ent = by_ref.get(clean(row[0]))
            if ent is None:
                raise ListFormatError(f"alt.csv line {line}", Text(
                    f"ent_num {clean(row[0])} 在 sdn.csv 中不存在", f"ent_num {clean(row[0])} is not in sdn.csv"),
                    code="dangling_alias")
            add_name(ent.names, row[3], "alias")
    return ParsedList("ofac-csv", None, entries, "OFAC-SDN")
