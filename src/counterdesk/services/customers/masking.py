"""De-identified display of personal data (GB/T 35273; bank practice, domain-rules §7).

Every function is total: any input (None, numbers, odd Unicode, very long text) gives a string and
never raises, because masking runs on screens, paper and audit entries where an exception would
either crash the page or tempt a caller to fall back to the clear value.

Rules
- ID and document numbers: first 3 + last 4, the rest ``*`` with the length kept
  (``11010519491231002X`` → ``110***********002X``). Shorter numbers (passports, permits) keep
  proportionally less so that at least half of the characters stay hidden.
- Phone: first 3 + last 4 of the national number, at least 4 hidden (``13812345678`` → ``138****5678``);
  E.164 numbers keep their country code (``+8613812345678`` → ``+86 138****5678``).
- Bank card: first 6 + last 4, at least 6 hidden.
- Chinese name: the surname, then one ``*`` per other character (``张三丰`` → ``张**``); compound
  surnames keep both characters (``欧阳娜娜`` → ``欧阳**``); a middle dot stays (``阿依·**``-style
  names keep the dot).
- Latin name: the initial of the first written word, then one ``*`` (``John Smith`` → ``J*``,
  ``ZHANG SANFENG`` → ``Z*``). Word order differs between documents (surname first on Chinese
  passports, last in Western use), so no word is assumed to be the surname; one initial and a fixed
  single star reveal neither the other words nor the length.
- Address: cut after the county-level unit (区/县/旗/county-level 市) → ``北京市朝阳区****``;
  a Latin address keeps only its last comma-separated part (country or city) → ``****, UK``.
- Date: the year only (``1949-12-31`` → ``1949-**-**``).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from counterdesk.identity.names import COMPOUND_SURNAMES

STAR = "*"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_DOTS = "·・•"


def _text(value: Any) -> str:
    """Any value as text; never raises (a broken __str__ gives an empty string)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:
        return ""


def keep_ends(value: str, head: int, tail: int, min_hidden: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, star the rest (length kept), but hide at
    least ``min_hidden``; when the value is too short the kept parts shrink in proportion."""
    n = len(value)
    if n == 0:
        return ""
    available = max(0, n - max(1, min_hidden))
    if head + tail > available:
        total = head + tail
        head = available * head // total if total else 0
        tail = available - head
    return value[:head] + STAR * (n - head - tail) + (value[n - tail:] if tail else "")


def mask_id_number(value: Any) -> str:
    text = _text(value)
    return keep_ends(text, 3, 4, math.ceil(len(text) / 2))


def mask_card(value: Any) -> str:
    text = _text(value)
    return keep_ends(text, 6, 4, max(6, math.ceil(len(text) / 3)))


def mask_phone(value: Any) -> str:
    text = _text(value).strip()
    if text.startswith("+"):
        try:
            import phonenumbers
            parsed = phonenumbers.parse(text, None)
            national = str(parsed.national_number)
            return f"+{parsed.country_code} " + keep_ends(national, 3, 4, 4)
        except Exception:
            pass
    return keep_ends(text, 3, 4, 4)


def _split_surname(name: str) -> tuple[str, str]:
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def mask_name(value: Any) -> str:
    name = _text(value).strip()
    if not name:
        return ""
    if _CJK.search(name):
        if len(name) == 1:
            return STAR
        surname, rest = _split_surname(name)
        return surname + "".join(ch if ch in _DOTS else STAR for ch in rest)
    for ch in name:
        if ch.isalpha():
            return ch.upper() + STAR
    return STAR


# Administrative levels, matched one after the other from the start. Name lengths are bounded and
# street markers (号 镇 乡 村 街) excluded so a street can never be taken for a district.
# 自治区 is a province, 地区/自治州/盟 a prefecture; the county level is 区/县/旗/市 and their variants.
_PROVINCE = re.compile(r"(?:北京市|天津市|上海市|重庆市|[^省市区县旗号镇乡村街]{2,5}?(?:省|自治区|特别行政区))")
_PREFECTURE = re.compile(r"(?:[^省市区县旗号镇乡村街]{1,8}?自治州|[^省市区县旗号镇乡村街]{1,6}?(?:地区|盟|市))")
_COUNTY = re.compile(r"(?:[^省市区县旗号镇乡村街]{1,12}?(?:自治县|自治旗)"
                     r"|[^省市区县旗号镇乡村街]{1,5}?(?:林区|特区|新区|区|县|旗|市))")


def mask_address(value: Any) -> str:
    text = _text(value).strip()
    if not text:
        return ""
    if _CJK.search(text):
        pos = 0
        for level in (_PROVINCE, _PREFECTURE, _COUNTY):
            m = level.match(text, pos)
            if m:
                pos = m.end()
        if pos == 0:
            return STAR * 4
        return text[:pos] + (STAR * 4 if pos < len(text) else "")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) >= 2:
        return f"{STAR * 4}, {parts[-1]}"
    return STAR * 4


def mask_date(value: Any) -> str:
    text = _text(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text[:4] + "-**-**"
    return STAR * len(text) if len(text) <= 10 else STAR * 10


def hide(value: Any) -> str:
    return STAR * 4 if _text(value) else ""


MASKERS: dict[str, Callable[[Any], str]] = {
    "name": mask_name, "id_number": mask_id_number, "phone": mask_phone, "card": mask_card,
    "address": mask_address, "date": mask_date, "hide": hide,
}


def mask(kind: str, value: Any) -> Any:
    """Mask ``value`` by a form field's mask kind; "none" (or an unknown kind) returns it unchanged
    only when it is not text-like personal data, i.e. kinds decide, callers do not."""
    fn = MASKERS.get(kind) if isinstance(kind, str) else None
    if fn is None:
        return value if kind == "none" else hide(value)
    try:
        return fn(value)
    except Exception:
        return hide(value)
