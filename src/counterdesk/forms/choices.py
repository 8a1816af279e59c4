"""The options a screen offers for a field, whatever their source: the definition's own options, or
the bundled reference lists behind country, occupation and document-type fields."""
from __future__ import annotations

from counterdesk.forms import countries, occupations
from counterdesk.forms.definition import Field, Option
from counterdesk.forms.documents import DOCUMENT_TYPES


def choices(f: Field) -> list[Option]:
    if f.type in ("choice", "multi_choice"):
        return list(f.options)
    if f.type == "country":
        excluded = set(f.rules.get("not_in", ()))
        return [Option(code, countries.name(code)) for code in countries.all_codes() if code not in excluded]
    if f.type == "occupation":
        return [Option(o.code, o.label) for o in occupations.all_occupations().values()]
    if f.type == "document_type":
        allowed = f.rules.get("allowed") or tuple(DOCUMENT_TYPES)
        return [Option(code, DOCUMENT_TYPES[code]) for code in allowed]
    return []
