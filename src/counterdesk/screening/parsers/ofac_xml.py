"""US OFAC SDN list, XML (root sdnList, usually in a default namespace).

publshInformation/Publish_Date (MM/DD/YYYY, the element name is spelt so by OFAC); sdnEntry: uid,
firstName, lastName, sdnType, programList/program, akaList/aka (type, category strong|weak,
firstName, lastName), idList/id (idType, idNumber, idCountry), dateOfBirthList/dateOfBirthItem/
dateOfBirth, nationalityList/nationality/country, citizenshipList/citizenship/country.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from counterdesk.base.text import Text
from counterdesk.screening.countries import normalise_list
from counterdesk.screening.parsers.common import (
    add_name,
    check_refs,
    document,
    no_entries,
    partial_date,
    publication_date,
    unique,
)
from counterdesk.screening.parsers.safexml import Doc, parse, text_of, texts_of
from counterdesk.screening.records import ListFormatError, ParsedEntry, ParsedList, ParsedName

SDN_TYPES = {"individual": "person", "entity": "entity", "vessel": "entity", "aircraft": "entity"}


def _where(doc: Doc, el: ET.Element, n: int, uid: str) -> str:
    return f"sdnEntry #{n}" + (f" / uid {uid}" if uid else "") + f" (line {doc.line(el)})"


def _full(el: ET.Element) -> str:
    return " ".join(p for p in (text_of(el, "firstName"), text_of(el, "lastName")) if p)


def _entry(doc: Doc, el: ET.Element, n: int) -> ParsedEntry:
    uid = text_of(el, "uid")
    where = _where(doc, el, n, uid)
    if not uid:
        raise ListFormatError(where, Text("缺少 uid", "uid is missing"), code="missing_field")
    if not uid.isdigit():
        raise ListFormatError(where, Text("uid 应为数字", "uid must be a number"), code="bad_field")
    if not text_of(el, "lastName"):
        raise ListFormatError(where, Text("缺少 lastName（名称）", "lastName is missing"), code="missing_field")
    sdn_type = text_of(el, "sdnType").lower()
    if sdn_type not in SDN_TYPES:
        raise ListFormatError(where, Text(f"sdnType 无法识别：{sdn_type or '（空）'}",
                                          f"unknown sdnType: {sdn_type or '(empty)'}"), code="bad_field")
    names: list[ParsedName] = []
    add_name(names, _full(el), "primary")
    for aka in el.findall("akaList/aka"):
        weak = text_of(aka, "category").lower() == "weak"
        add_name(names, _full(aka), "weak_alias" if weak else "alias")
    docs = []
    for id_el in el.findall("idList/id"):
        found = document(text_of(id_el, "idType"), text_of(id_el, "idNumber"), text_of(id_el, "idCountry"))
        if found and found not in docs:
            docs.append(found)
    dates = unique(partial_date(d) for d in texts_of(el, "dateOfBirthList/dateOfBirthItem/dateOfBirth"))
    countries = texts_of(el, "nationalityList/nationality/country") + \
        texts_of(el, "citizenshipList/citizenship/country")
    return ParsedEntry(ref=uid, kind=SDN_TYPES[sdn_type], names=names, birth_dates=dates,
                       nationalities=normalise_list(countries), documents=docs,
                       programs=texts_of(el, "programList/program"))


def parse_ofac_xml(data: bytes) -> ParsedList:
    doc = parse(data)
    root = doc.root
    if root.tag != "sdnList":
        raise ListFormatError(f"{root.tag} (line {doc.line(root)})", Text(
            "根元素应为 sdnList", "the root element must be sdnList"), code="wrong_root")
    elements = root.findall("sdnEntry")
    entries = [_entry(doc, el, n) for n, el in enumerate(elements, start=1)]
    if not entries:
        raise no_entries("sdnList")
    check_refs(entries, lambda i: _where(doc, elements[i], i + 1, entries[i].ref))
    published = publication_date(text_of(root, "publshInformation/Publish_Date"))
    return ParsedList("ofac-xml", published, entries, "OFAC-SDN")
