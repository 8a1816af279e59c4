"""Helpers shared by the parsers: dates as lists print them, document numbers, names."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TypeVar

from counterdesk.base.text import Text
from counterdesk.screening.countries import to_alpha2
from counterdesk.screening.records import ListedDocument, ListFormatError, ParsedEntry, ParsedName

_T = TypeVar("_T")

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


# Gender as lists write it: FollowTheMoney "male"/"female", the UN "Male"/"Female", a template M/F
# or 男/女. Anything else ("other", "unknown") is not a gender to compare.
GENDERS = {"m": "male", "male": "male", "man": "male", "男": "male", "男性": "male",
           "f": "female", "female": "female", "woman": "female", "女": "female", "女性": "female"}


def gender_of(value: object) -> str:
    """"male", "female" or "" (not given, or a value that is neither)."""
    return GENDERS.get(clean(value).casefold(), "")


def clean(value: object) -> str:
    """Collapse whitespace; OFAC writes "-0-" for an empty field."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return "" if text == "-0-" else text


def _valid(y: int, m: int = 1, d: int = 1) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1800 <= y <= 2100


def partial_date(value: str | None) -> str | None:
    """A birth date as lists write it -> "YYYY-MM-DD", "YYYY-MM", "YYYY" or "YYYY..YYYY"; None if
    unreadable (real lists contain free text here, which is no reason to reject the file)."""
    text = clean(value).lower()
    if not text:
        return None
    text = re.sub(r"^(circa|ca\.?|approximately|approx\.?|about)\s+", "", text)
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[t ].*)?", text)
    if m and _valid(int(m[1]), int(m[2]), int(m[3])):
        return f"{m[1]}-{m[2]}-{m[3]}"
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m and _valid(int(m[1]), int(m[2])):
        return f"{m[1]}-{m[2]}"
    m = re.fullmatch(r"(\d{1,2}) ([a-z]{3})[a-z]* (\d{4})", text)
    if m and m[2] in _MONTHS and _valid(int(m[3]), _MONTHS[m[2]], int(m[1])):
        return f"{m[3]}-{_MONTHS[m[2]]:02d}-{int(m[1]):02d}"
    m = re.fullmatch(r"([a-z]{3})[a-z]* (\d{4})", text)
    if m and m[1] in _MONTHS and _valid(int(m[2])):
        return f"{m[2]}-{_MONTHS[m[1]]:02d}"
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)  # US order, as OFAC prints it
    if m and _valid(int(m[3]), int(m[1]), int(m[2])):
        return f"{m[3]}-{int(m[1]):02d}-{int(m[2]):02d}"
    m = re.fullmatch(r"(\d{4})", text)
    if m and _valid(int(m[1])):
        return m[1]
    m = re.fullmatch(r"(\d{4})\s*(?:to|-|–|\.\.)\s*(\d{4})", text)
    if m and _valid(int(m[1])) and _valid(int(m[2])) and int(m[1]) <= int(m[2]):
        return f"{m[1]}..{m[2]}"
    return None


def publication_date(value: str | None) -> date | None:
    """A list's publication stamp (ISO date or timestamp, or US MM/DD/YYYY) -> date."""
    text = clean(value)
    if not text:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m and _valid(int(m[1]), int(m[2]), int(m[3])):
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m and _valid(int(m[3]), int(m[1]), int(m[2])):
        return date(int(m[3]), int(m[1]), int(m[2]))
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def doc_number(value: str | None) -> str:
    """Document numbers compare without spaces, dashes or case ("E 1234-567" == "e1234567")."""
    text = unicodedata.normalize("NFKC", clean(value)).upper()
    return re.sub(r"[\s\-./]", "", text)


def document(type_: str | None, number: str | None, country: str | None = None) -> ListedDocument | None:
    num = doc_number(number)
    if not num or len(num) < 3:
        return None
    return {"type": clean(type_)[:60], "number": num[:64], "country": to_alpha2(country) or ""}


def add_name(names: list[ParsedName], text: str | None, type_: str) -> None:
    value = clean(text)
    if value and len(value) <= 400 and all(n.text != value for n in names):
        names.append(ParsedName(value, type_))


def unique(values: Iterable[_T | None]) -> list[_T]:
    out: list[_T] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def check_refs(entries: list[ParsedEntry], where: Callable[[int], str]) -> None:
    """Refs are the list's own ids: a duplicate means a damaged file (or two files spliced)."""
    seen: dict[str, int] = {}
    for i, e in enumerate(entries):
        if e.ref in seen:
            raise ListFormatError(where(i), Text(f"编号 {e.ref} 重复出现", f"the id {e.ref} appears twice"),
                                  code="duplicate_ref")
        seen[e.ref] = i


def no_entries(location: str) -> ListFormatError:
    return ListFormatError(location, Text("文件中没有任何名单条目，请确认文件和格式是否正确",
                                          "the file holds no list entries; check the file and its format"),
                           code="empty_list")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM); older OFAC files are Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
