"""What the customer API hands back: plain, immutable values with personal data already masked
(except ``reveal``, which returns one clear value and is audited)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from counterdesk.base.text import Text


@dataclass(frozen=True)
class CustomerSummary:
    """One line of a search result, de-identified for the screen."""

    customer_id: str
    name: str  # masked Chinese name, or the masked Latin name when there is no Chinese one
    name_latin: str  # masked, "" when none
    doc_type: str | None
    id_number: str  # masked
    birth_date: str  # masked to the year
    sex: str | None
    customer_tier: str | None
    status: str
    version: int
    matched_by: str  # document / name / pinyin / initials
    restriction: Text | None = None  # restricted processing (PIPL Art 47): what the screen must say


@dataclass(frozen=True)
class CustomerRecord:
    """One version of a customer's data, masked by each field's mask kind."""

    customer_id: str
    status: str
    version: int
    current_version: int
    form_id: str
    form_version: int
    form_hash: str
    created_at: str
    created_by: str
    version_created_at: str
    version_created_by: str
    fields: dict[str, Any] = field(default_factory=dict)  # key → masked value (groups: list of dicts)
    restriction: Text | None = None  # restricted processing (PIPL Art 47): what the screen must say


@dataclass(frozen=True)
class CustomerVersionInfo:
    version: int
    created_at: str
    created_by: str  # user id
    reason: str | None
    form_id: str
    form_version: int
    form_hash: str
    changed_fields: tuple[str, ...]  # keys changed against the version before (all keys for version 1)


@dataclass(frozen=True)
class CounterSessionInfo:
    id: str
    teller_id: str
    customer_id: str | None
    status: str  # open / stopped / completed
    step: str | None
    stop_reason_code: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Reason:
    rule: str
    level: str  # low / medium / high
    text: Text


@dataclass(frozen=True)
class Rating:
    level: str
    reasons: tuple[Reason, ...]
    rules_version: str
