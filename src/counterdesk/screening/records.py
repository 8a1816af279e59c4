"""What a parser produces: plain values, independent of the file format and of the database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

from counterdesk.base.text import CounterDeskError, Text

FORMATS = ("un", "ofac-xml", "ofac-csv", "os-csv", "os-ftm", "cd-csv")
KINDS = ("person", "entity")
NAME_TYPES = ("primary", "alias", "weak_alias")


@dataclass(frozen=True)
class ParsedName:
    text: str
    type: str = "primary"  # one of NAME_TYPES


class ListedDocument(TypedDict):
    """An identity document a list entry names (passport, national ID, registration number ...)."""

    type: str
    number: str   # normalised (counterdesk.screening.parsers.common.doc_number)
    country: str  # ISO 3166 alpha-2, "" when unknown


@dataclass
class ParsedEntry:
    ref: str
    kind: str  # person | entity (vessels and aircraft are screened as entities)
    names: list[ParsedName]
    birth_dates: list[str] = field(default_factory=list)  # "YYYY-MM-DD", "YYYY-MM", "YYYY" or "YYYY..YYYY"
    nationalities: list[str] = field(default_factory=list)  # ISO 3166 alpha-2
    documents: list[ListedDocument] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    gender: str = ""  # "male" | "female" | "" when the list does not say (persons only)


@dataclass
class ParsedList:
    format: str
    published: date | None
    entries: list[ParsedEntry]
    default_source: str


class ListFormatError(CounterDeskError):
    """A list file that cannot be imported; ``location`` names the line or element at fault."""

    code = "sanctions_format"

    def __init__(self, location: str, problem: Text, code: str | None = None):
        text = Text(f"名单文件有误（{location}）：{problem.zh}",
                    f"The list file is malformed ({location}): {problem.en}")
        super().__init__(text, code=code, detail=location)
        self.location = location
        self.problem = problem
