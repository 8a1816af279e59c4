"""What each field type accepts, how its value is normalised, and its rules.

``coerce`` never raises: it returns the normalised value, or the raw value plus the reason it is
not acceptable. Normal forms are what get stored: ISO dates, E.164 phone numbers, ISO alpha-3
country codes, document numbers upper-case without spaces or hyphens.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from counterdesk.base.text import Text
from counterdesk.forms import countries, occupations
from counterdesk.forms.definition import Field
from counterdesk.forms.documents import DOCUMENT_TYPES

Finding = tuple[str, str, Text]  # (rule the finding comes from, problem code, message)
_SPACES = re.compile(r"\s+")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and len(value) == 0)


def _q(f: Field) -> tuple[str, str]:
    return f"“{f.label.zh}”", f"'{f.label.en}'"


def normalise_document_number(number: Any) -> str:
    """Upper-case letters and digits only: full-width forms folded (NFKC), spaces, hyphens, brackets and
    MRZ fillers dropped, so every way of typing one number meets on one key."""
    if not isinstance(number, str):
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", number).upper() if ch.isascii() and ch.isalnum())


def coerce(f: Field, raw: Any) -> tuple[Any, Finding | None]:
    """(normalised value, None) or (raw value, the finding that makes it unacceptable)."""
    zh, en = _q(f)
    bad_type = ("type", "type", Text(f"{zh}的取值类型不正确", f"{en} has a value of the wrong type"))
    t = f.type
    if t in ("text", "textarea"):
        if not isinstance(raw, str):
            return raw, bad_type
        text = unicodedata.normalize("NFC", raw).strip()
        return (_SPACES.sub(" ", text) if t == "text" else text), None
    if t == "date":
        if isinstance(raw, datetime):
            return raw, bad_type
        if isinstance(raw, date):
            return raw.isoformat(), None
        if isinstance(raw, str):
            try:
                return date.fromisoformat(raw.strip()).isoformat(), None
            except ValueError:
                pass
        return raw, ("type", "date_invalid", Text(f"{zh}须为有效日期（年-月-日）",
                                                  f"{en} must be a valid date (YYYY-MM-DD)"))
    if t == "choice":
        if isinstance(raw, str) and f.option(raw) is not None:
            return raw, None
        return raw, ("type", "choice_invalid", Text(f"{zh}的选项无效", f"{en}: not one of the options"))
    if t == "multi_choice":
        if isinstance(raw, (list, tuple)) and all(isinstance(v, str) and f.option(v) for v in raw):
            # Stored in the form's option order, without duplicates: the same choice, the same data.
            chosen = set(raw)
            return [o.value for o in f.options if o.value in chosen], None
        return raw, ("type", "choice_invalid", Text(f"{zh}含无效选项", f"{en}: contains an unknown option"))
    if t == "bool":
        return (raw, None) if isinstance(raw, bool) else (raw, bad_type)
    if t == "integer":
        ok = isinstance(raw, int) and not isinstance(raw, bool)
        return (raw, None) if ok else (raw, bad_type)
    if t == "phone":
        return _coerce_phone(f, raw)
    if t == "country":
        code = countries.normalise(raw)
        if code is None:
            return raw, ("type", "country_unknown", Text(f"{zh}不是有效的国家或地区代码",
                                                         f"{en} is not a known country or region code"))
        return code, None
    if t == "occupation":
        if occupations.get(raw) is None:
            return raw, ("type", "occupation_unknown", Text(f"{zh}不在职业列表中",
                                                            f"{en} is not in the occupation list"))
        return raw, None
    if t == "document_type":
        if isinstance(raw, str) and raw in DOCUMENT_TYPES:
            return raw, None
        return raw, ("type", "document_type_unknown", Text(f"{zh}不是可受理的证件类型",
                                                           f"{en} is not an accepted document type"))
    if t == "document_number":
        if not isinstance(raw, str):
            return raw, bad_type
        norm = normalise_document_number(raw)
        if not norm:
            return raw, ("type", "document_number_invalid", Text(f"{zh}须由字母和数字组成",
                                                                 f"{en} must consist of letters and digits"))
        return norm, None
    if t == "group":
        if isinstance(raw, (list, tuple)) and all(isinstance(item, dict) for item in raw):
            return list(raw), None
        return raw, bad_type
    return raw, bad_type


def _coerce_phone(f: Field, raw: Any) -> tuple[Any, Finding | None]:
    zh, en = _q(f)
    invalid = ("type", "phone_invalid", Text(f"{zh}不是有效的电话号码", f"{en} is not a valid phone number"))
    if not isinstance(raw, str) or len(raw) > 40:
        return raw, invalid
    import phonenumbers  # loaded on first use (metadata for every region)
    try:
        parsed = phonenumbers.parse(raw, f.rules.get("default_region", "CN"))
    except phonenumbers.NumberParseException:
        return raw, invalid
    if not phonenumbers.is_valid_number(parsed):
        return raw, invalid
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None


def _resolve_date(spec: str, today: date) -> str:
    return today.isoformat() if spec == "today" else spec


def rule_findings(f: Field, value: Any, scope: dict[str, Any], today: date) -> list[Finding]:
    """Findings of the field's own rules for an already coerced, non-empty value."""
    zh, en = _q(f)
    rules = f.rules
    out: list[Finding] = []
    if f.type in ("text", "textarea", "document_number"):
        n = len(value)
        if "min_length" in rules and n < rules["min_length"]:
            out.append(("min_length", "too_short", Text(f"{zh}至少 {rules['min_length']} 个字符",
                                                         f"{en} needs at least {rules['min_length']} characters")))
        if "max_length" in rules and n > rules["max_length"]:
            out.append(("max_length", "too_long", Text(f"{zh}最多 {rules['max_length']} 个字符",
                                                        f"{en} allows at most {rules['max_length']} characters")))
        if "pattern" in rules and not rules["pattern"].fullmatch(value):
            out.append(("pattern", "pattern", Text(f"{zh}的格式不正确", f"{en} is not in the expected format")))
    elif f.type in ("multi_choice", "group"):
        n = len(value)
        if "min_items" in rules and n < rules["min_items"]:
            out.append(("min_items", "too_few", Text(f"{zh}至少需要 {rules['min_items']} 项",
                                                      f"{en} needs at least {rules['min_items']} item(s)")))
        if "max_items" in rules and n > rules["max_items"]:
            out.append(("max_items", "too_many", Text(f"{zh}最多 {rules['max_items']} 项",
                                                       f"{en} allows at most {rules['max_items']} item(s)")))
    elif f.type == "date":
        if "min" in rules and value < _resolve_date(rules["min"], today):
            limit = _resolve_date(rules["min"], today)
            out.append(("min", "too_early", Text(f"{zh}不得早于 {limit}", f"{en} must not be before {limit}")))
        if "max" in rules and value > _resolve_date(rules["max"], today):
            limit = _resolve_date(rules["max"], today)
            out.append(("max", "too_late", Text(f"{zh}不得晚于 {limit}", f"{en} must not be after {limit}")))
        # Both sides are ISO dates (coerced answers), which compare as strings.
        orders: tuple[tuple[str, Callable[[str], bool]], ...] = (
            ("not_before", lambda other: value < other), ("not_after", lambda other: value > other))
        for rule, bad in orders:
            other = scope.get(rules[rule]) if rule in rules else None
            if isinstance(other, str) and bad(other):
                word = ("早于", "before") if rule == "not_before" else ("晚于", "after")
                out.append((rule, "date_order", Text(f"{zh}不得{word[0]}“{rules[rule]}”",
                                                      f"{en} must not be {word[1]} '{rules[rule]}'")))
    elif f.type == "integer":
        if "min" in rules and value < rules["min"]:
            out.append(("min", "too_small", Text(f"{zh}不得小于 {rules['min']}",
                                                 f"{en} must be at least {rules['min']}")))
        if "max" in rules and value > rules["max"]:
            out.append(("max", "too_large", Text(f"{zh}不得大于 {rules['max']}",
                                                 f"{en} must be at most {rules['max']}")))
    elif f.type == "bool":
        if "must_be" in rules and value is not rules["must_be"]:
            out.append(("must_be", "must_be", Text(f"{zh}须为“{'是' if rules['must_be'] else '否'}”",
                                                    f"{en} must be {'yes' if rules['must_be'] else 'no'}")))
    elif f.type == "country":
        if value in rules.get("not_in", ()):
            out.append(("not_in", "country_not_allowed", Text(f"{zh}不可选择该国家或地区",
                                                              f"{en}: this country or region is not allowed here")))
    elif f.type == "document_type":
        if "allowed" in rules and value not in rules["allowed"]:
            out.append(("allowed", "document_type_not_allowed", Text(f"{zh}此处不受理该证件类型",
                                                                      f"{en}: this document type "
                                                                      "is not accepted here")))
    return out
