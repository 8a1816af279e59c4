"""UN Security Council Consolidated List (XML, root CONSOLIDATED_LIST with dateGenerated).

Individuals: DATAID, FIRST_NAME .. FOURTH_NAME, NAME_ORIGINAL_SCRIPT, INDIVIDUAL_ALIAS (QUALITY,
ALIAS_NAME), INDIVIDUAL_DATE_OF_BIRTH (DATE | YEAR | FROM_YEAR..TO_YEAR), NATIONALITY/VALUE,
INDIVIDUAL_DOCUMENT (TYPE_OF_DOCUMENT, NUMBER, ISSUING_COUNTRY), UN_LIST_TYPE, REFERENCE_NUMBER,
GENDER (Male | Female, where given).
Entities: the same with FIRST_NAME holding the whole name and ENTITY_ALIAS.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from counterdesk.base.text import Text
from counterdesk.screening.countries import normalise_list
from counterdesk.screening.parsers.common import (
    add_name,
    check_refs,
    clean,
    document,
    gender_of,
    no_entries,
    partial_date,
    publication_date,
    unique,
)
from counterdesk.screening.parsers.safexml import Doc, parse, text_of, texts_of
from counterdesk.screening.records import ListFormatError, ParsedEntry, ParsedList, ParsedName

# A "Low" quality alias is a weak a.k.a. in UN terms (transliteration variants, nicknames).
_WEAK = {"low"}


def _where(doc: Doc, el: ET.Element, n: int, dataid: str) -> str:
    label = f"{el.tag} #{n}"
    if dataid:
        label += f" / DATAID {dataid}"
    return f"{label} (line {doc.line(el)})"


def _dates(el: ET.Element) -> list[str]:
    out = []
    for dob in el.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        value = partial_date(text_of(dob, "DATE")) or partial_date(text_of(dob, "YEAR"))
        if not value:
            lo, hi = text_of(dob, "FROM_YEAR"), text_of(dob, "TO_YEAR")
            if lo and hi:
                value = partial_date(f"{lo} to {hi}")
        if value:
            out.append(value)
    return unique(out)


def _entry(doc: Doc, el: ET.Element, n: int, person: bool) -> ParsedEntry:
    dataid = text_of(el, "DATAID")
    where = _where(doc, el, n, dataid)
    if not dataid:
        raise ListFormatError(where, Text("缺少 DATAID", "DATAID is missing"), code="missing_field")
    if not dataid.isdigit():
        raise ListFormatError(where, Text("DATAID 应为数字", "DATAID must be a number"), code="bad_field")
    parts = [text_of(el, p) for p in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    if not parts[0]:
        raise ListFormatError(where, Text("缺少 FIRST_NAME（姓名）", "FIRST_NAME is missing"), code="missing_field")
    names: list[ParsedName] = []
    add_name(names, " ".join(p for p in parts if p), "primary")
    add_name(names, text_of(el, "NAME_ORIGINAL_SCRIPT"), "alias")
    for alias in el.findall("INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"):
        quality = text_of(alias, "QUALITY").lower()
        add_name(names, text_of(alias, "ALIAS_NAME"), "weak_alias" if quality in _WEAK else "alias")
    docs = []
    for d in el.findall("INDIVIDUAL_DOCUMENT"):
        found = document(text_of(d, "TYPE_OF_DOCUMENT"), text_of(d, "NUMBER"),
                         text_of(d, "ISSUING_COUNTRY") or text_of(d, "COUNTRY_OF_ISSUE"))
        if found and found not in docs:
            docs.append(found)
    programs = unique([text_of(el, "UN_LIST_TYPE"), *texts_of(el, "LIST_TYPE/VALUE")])
    return ParsedEntry(
        ref=text_of(el, "REFERENCE_NUMBER") or dataid,
        kind="person" if person else "entity",
        names=names,
        birth_dates=_dates(el) if person else [],
        nationalities=normalise_list(texts_of(el, "NATIONALITY/VALUE")),
        documents=docs,
        programs=[clean(p) for p in programs],
        gender=gender_of(text_of(el, "GENDER")) if person else "",
    )


def parse_un(data: bytes) -> ParsedList:
    doc = parse(data)
    root = doc.root
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(f"{root.tag} (line {doc.line(root)})", Text(
            "根元素应为 CONSOLIDATED_LIST", "the root element must be CONSOLIDATED_LIST"), code="wrong_root")
    entries: list[ParsedEntry] = []
    wheres: list[str] = []
    for group, tag, person in (("INDIVIDUALS", "INDIVIDUAL", True), ("ENTITIES", "ENTITY", False)):
        for n, el in enumerate(root.findall(f"{group}/{tag}"), start=1):
            entries.append(_entry(doc, el, n, person))
            wheres.append(_where(doc, el, n, text_of(el, "DATAID")))
    if not entries:
        raise no_entries("CONSOLIDATED_LIST")
    check_refs(entries, lambda i: wheres[i])
    return ParsedList("un", publication_date(root.get("dateGenerated")), entries, "UN")
