"""Parsers for the published list formats, and format detection from a file's content.

Every parser is pure (bytes in, ParsedList out) and reports a malformed file as ListFormatError
naming the line (CSV, JSON lines) or element (XML) at fault; any other exception from a parser is a
bug, which ``parse`` still turns into a ListFormatError so junk input never crashes an import.
"""
from __future__ import annotations

import re

from counterdesk.base.text import Text
from counterdesk.screening.parsers import ofac_csv, ofac_xml, opensanctions, template_csv, un_xml
from counterdesk.screening.records import FORMATS, ListFormatError, ParsedList

MAX_FILE_BYTES = 512 * 2**20


def detect_format(data: bytes) -> str | None:
    """The format of a list file from its first bytes; None when it is none we know."""
    head = data[:8192]
    if head[:4] == b"PK\x03\x04":
        return "ofac-csv"  # the OFAC CSV set is the only zip we accept
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        # Skip the XML declaration, comments and processing instructions to find the root name.
        # (a DOCTYPE is skipped here only to name the format; the XML reader then refuses it).
        body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", "", text, flags=re.S).lstrip()
        m = re.match(r"<(?:[\w.-]+:)?([\w.-]+)", body)
        root = m.group(1) if m else ""
        return {"CONSOLIDATED_LIST": "un", "sdnList": "ofac-xml"}.get(root)
    if text.startswith("{"):
        return "os-ftm"
    first = text.splitlines()[0] if text else ""
    cells = [c.strip().strip('"') for c in first.split(",")]
    if cells[:3] == ["id", "schema", "name"]:
        return "os-csv"
    if template_csv.looks_like(first):
        return "cd-csv"
    if cells and cells[0].isdigit() and len(cells) >= 12:
        return "ofac-csv"
    return None


def parse(files: list[tuple[str, bytes]], fmt: str | None = None) -> ParsedList:
    """Parse one list from ``files`` ([(file name, content)]; two only for sdn.csv + alt.csv)."""
    if not files:
        raise ListFormatError("files", Text("没有文件", "no file given"), code="bad_files")
    for name, data in files:
        if len(data) > MAX_FILE_BYTES:
            raise ListFormatError(name, Text("文件过大", "the file is too large"), code="too_large")
    fmt = fmt or next((f for f in (detect_format(data) for _name, data in files) if f), None)
    if fmt is None:
        raise ListFormatError(files[0][0], Text("无法识别文件格式，请用 --format 指定",
                                                "the file format is not recognised; name it with --format"),
                              code="unknown_format")
    if fmt not in FORMATS:
        raise ListFormatError(fmt, Text("不支持的格式", "unsupported format"), code="unknown_format")
    if len(files) > 1 and fmt != "ofac-csv":
        raise ListFormatError("files", Text("只有 OFAC CSV（sdn.csv + alt.csv）可以由两个文件组成",
                                            "only the OFAC CSV set (sdn.csv + alt.csv) may come as two files"),
                              code="bad_files")
    try:
        if fmt == "un":
            return un_xml.parse_un(files[0][1])
        if fmt == "ofac-xml":
            return ofac_xml.parse_ofac_xml(files[0][1])
        if fmt == "ofac-csv":
            return ofac_csv.parse_ofac_csv(files)
        if fmt == "os-csv":
            return opensanctions.parse_os_csv(files[0][1])
        if fmt == "cd-csv":
            return template_csv.parse_template_csv(files[0][1])
        return opensanctions.parse_os_ftm(files[0][1])
    except ListFormatError:
        raise
    except (MemoryError, RecursionError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        # A parser bug must not become a crash (or a partial import): report it as a bad file.
        raise ListFormatError(files[0][0], Text(f"文件无法读取（{type(exc).__name__}）",
                                                f"the file cannot be read ({type(exc).__name__})"),
                              code="unreadable") from exc
