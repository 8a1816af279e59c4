"""The customer's data against the identity document: a birth date, sex or nationality that the
document number (or the passport's MRZ) contradicts is refused, never stored."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from counterdesk.base.text import Problem, Text
from counterdesk.identity.documents import check_document

_FIELDS = {"birth_date": Text("出生日期", "date of birth"), "sex": Text("性别", "sex"),
           "nationality": Text("国籍", "nationality")}
_MISMATCH_CODES = ("mismatch", "mrz_mismatch")


def document_problems(values: Mapping[str, Any], *, mrz: str | None = None, today: date | None = None) -> list[Problem]:
    """Problems (code ``contradicts_document``) for the answers' birth date, sex and nationality that
    differ from what the answers' document encodes; empty when the document encodes none of them."""
    doc_type, number = values.get("id_doc_type"), values.get("id_number")
    if not doc_type or not number:
        return []
    typed = {key: values[key] for key in _FIELDS if values.get(key) not in (None, "")}
    if not typed:
        return []
    check = check_document(doc_type, number, mrz=mrz, typed=typed, today=today or date.today())
    seen: set[str] = set()
    problems = []
    for p in check.result.problems:
        if p.field in _FIELDS and p.code in _MISMATCH_CODES and p.field not in seen:
            seen.add(p.field)
            label = _FIELDS[p.field]
            problems.append(Problem(p.field, "contradicts_document", Text(
                f"{label.zh}与证件不一致：请按证件核对后填写。",
                f"The {label.en} contradicts the identity document: check it against the document.")))
    return problems
