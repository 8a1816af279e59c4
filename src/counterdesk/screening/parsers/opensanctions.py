"""OpenSanctions exports: targets.simple.csv and FollowTheMoney entities as JSON lines.

simple CSV columns: id, schema, name, aliases, birth_date, countries, addresses, identifiers,
sanctions, phones, emails, dataset, first_seen, last_seen, last_change (multi-values joined by ";").
FtM line: {"id", "schema", "properties": {"name": [...], "alias": [...], "birthDate": [...],
"nationality": [...], "country": [...], "gender": [...], "idNumber": [...], "passportNumber": [...]}, "datasets",
"target", "last_seen", "last_change"}. Passport/Identification and Sanction entities that point to a
target through "holder"/"entity" are folded into it.

Neither format carries a publication date of the export as a whole; the newest last_seen (the day the
collector last saw an entry, i.e. the export run) stands in for it.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from counterdesk.base.text import Text
from counterdesk.screening.countries import normalise_list
from counterdesk.screening.parsers.common import (
    add_name,
    check_refs,
    clean,
    decode_text,
    document,
    gender_of,
    no_entries,
    partial_date,
    publication_date,
    unique,
)
from counterdesk.screening.records import ListFormatError, ParsedEntry, ParsedList, ParsedName

PERSON_SCHEMATA = {"Person"}
TARGET_SCHEMATA = PERSON_SCHEMATA | {"LegalEntity", "Organization", "Company", "PublicBody", "Vessel", "Airplane"}
CSV_REQUIRED = ("id", "schema", "name")
MAX_LINE = 2**20


def _split(value: str | None) -> list[str]:
    return [clean(v) for v in (value or "").split(";") if clean(v)]


def _newest(stamps: list[str]) -> date | None:
    dates = [d for d in (publication_date(s) for s in stamps) if d]
    return max(dates) if dates else None


# ---- targets.simple.csv -------------------------------------------------------------------------
def parse_os_csv(data: bytes) -> ParsedList:
    reader = csv.DictReader(io.StringIO(decode_text(data), newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise ListFormatError("line 1", Text(f"CSV 格式错误：{exc}", f"CSV error: {exc}"), code="csv_syntax") from None
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise ListFormatError("line 1", Text(f"表头缺少列：{', '.join(missing)}",
                                             f"the header lacks the column(s): {', '.join(missing)}"),
                              code="bad_header")
    entries: list[ParsedEntry] = []
    lines: list[int] = []
    stamps: list[str] = []
    try:
        for row in reader:
            line = reader.line_num
            if None in row or any(v is None for v in row.values()):
                raise ListFormatError(f"line {line}", Text("列数与表头不符",
                                                           "the number of columns does not match the header"),
                                      code="bad_columns")
            ref, schema, name = clean(row["id"]), clean(row["schema"]), clean(row["name"])
            if not ref:
                raise ListFormatError(f"line {line}", Text("缺少 id", "id is missing"), code="missing_field")
            if not name:
                raise ListFormatError(f"line {line} / id {ref}", Text("缺少 name（名称）", "name is missing"),
                                      code="missing_field")
            if not schema:
                raise ListFormatError(f"line {line} / id {ref}", Text("缺少 schema", "schema is missing"),
                                      code="missing_field")
            names: list[ParsedName] = []
            add_name(names, name, "primary")
            for alias in _split(row.get("aliases")):
                add_name(names, alias, "alias")
            docs = [d for d in (document("", i) for i in _split(row.get("identifiers"))) if d]
            entries.append(ParsedEntry(
                ref=ref[:64], kind="person" if schema in PERSON_SCHEMATA else "entity", names=names,
                birth_dates=unique(partial_date(d) for d in _split(row.get("birth_date"))),
                nationalities=normalise_list(_split(row.get("countries"))), documents=unique(docs),
                programs=_split(row.get("sanctions"))[:5] or _split(row.get("dataset"))))
            lines.append(line)
            stamps.append(row.get("last_seen") or row.get("last_change") or "")
    except csv.Error as exc:
        raise ListFormatError(f"line {reader.line_num}", Text(f"CSV 格式错误：{exc}", f"CSV error: {exc}"),
                              code="csv_syntax") from None
    if not entries:
        raise no_entries("line 2")
    check_refs(entries, lambda i: f"line {lines[i]}")
    return ParsedList("os-csv", _newest(stamps), entries, "OpenSanctions")


# ---- FollowTheMoney JSON lines ------------------------------------------------------------------
def _values(props: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = props.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ListFormatError(where, Text(f"属性 {key} 应为字符串列表",
                                          f"the property {key} must be a list of strings"),
                              code="bad_field")
    return [clean(v) for v in value if clean(v)]


def _ftm_entry(obj: Mapping[str, Any], props: Mapping[str, Any], where: str) -> ParsedEntry:
    names: list[ParsedName] = []
    for i, v in enumerate(_values(props, "name", where)):
        add_name(names, v, "primary" if i == 0 else "alias")
    for key, type_ in (("alias", "alias"), ("previousName", "alias"), ("weakAlias", "weak_alias")):
        for v in _values(props, key, where):
            add_name(names, v, type_)
    if not names or names[0].type != "primary":
        raise ListFormatError(where, Text("缺少 name（名称）", "properties.name is missing"), code="missing_field")
    docs = []
    for key in ("idNumber", "passportNumber", "taxNumber", "registrationNumber", "innCode", "imoNumber"):
        for v in _values(props, key, where):
            found = document(key, v)
            if found and found not in docs:
                docs.append(found)
    person = obj["schema"] in PERSON_SCHEMATA
    genders = {g for g in (gender_of(v) for v in _values(props, "gender", where)) if g} if person else set()
    countries = []
    for key in ("nationality", "citizenship", "country", "jurisdiction"):
        countries += _values(props, key, where)
    return ParsedEntry(
        ref=str(obj["id"])[:64], kind="person" if obj["schema"] in PERSON_SCHEMATA else "entity", names=names,
        birth_dates=unique(partial_date(d) for d in _values(props, "birthDate", where)),
        nationalities=normalise_list(countries), documents=docs,
        programs=_values(props, "program", where)[:5] or [d for d in obj.get("datasets", []) if isinstance(d, str)][:5],
        gender=genders.pop() if len(genders) == 1 else "")  # two genders given: neither is compared


def parse_os_ftm(data: bytes) -> ParsedList:
    entries: list[ParsedEntry] = []
    lines: list[int] = []
    stamps: list[str] = []
    linked: list[tuple[str, str, dict[str, Any], str]] = []  # (kind, target id, properties, where)
    for line, raw in enumerate(decode_text(data).splitlines(), start=1):
        if not raw.strip():
            continue
        where = f"line {line}"
        if len(raw) > MAX_LINE:
            raise ListFormatError(where, Text("该行过长", "the line is too long"), code="too_large")
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise ListFormatError(where, Text(f"JSON 无法解析：{exc}", f"the JSON cannot be parsed: {exc}"),
                                  code="json_syntax") from None
        if not isinstance(obj, dict):
            raise ListFormatError(where, Text("每行应为一个 JSON 对象", "each line must be a JSON object"),
                                  code="bad_line")
        for key, typ in (("id", str), ("schema", str), ("properties", dict)):
            if not isinstance(obj.get(key), typ) or (typ is str and not obj[key].strip()):
                raise ListFormatError(where, Text(f"缺少或无效的 {key}", f"{key} is missing or invalid"),
                                      code="missing_field")
        where = f"line {line} / id {obj['id'][:64]}"
        schema, props = obj["schema"], obj["properties"]
        if schema in ("Passport", "Identification"):
            linked.append(("doc", "", props, where))
        elif schema == "Sanction":
            linked.append(("sanction", "", props, where))
        elif schema in TARGET_SCHEMATA and obj.get("target", True) is not False:
            entries.append(_ftm_entry(obj, props, where))
            lines.append(line)
            stamps.append(str(obj.get("last_seen") or obj.get("last_change") or ""))
    if not entries:
        raise no_entries("line 1")
    check_refs(entries, lambda i: f"line {lines[i]}")
    by_ref = {e.ref: e for e in entries}
    for kind, _, props, where in linked:
        owners = _values(props, "holder" if kind == "doc" else "entity", where)
        for owner in owners:
            target = by_ref.get(owner)
            if target is None:
                continue  # the holder is not a target in this file: nothing to fold into
            if kind == "doc":
                for number in _values(props, "number", where):
                    found = document(" ".join(_values(props, "type", where)) or "document", number,
                                     (_values(props, "country", where) or [""])[0])
                    if found and found not in target.documents:
                        target.documents.append(found)
            else:
                for program in _values(props, "program", where):
                    if program not in target.programs:
                        target.programs.append(program)
    return ParsedList("os-ftm", _newest(stamps), entries, "OpenSanctions")
