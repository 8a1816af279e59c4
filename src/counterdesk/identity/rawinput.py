"""Turning whatever a caller hands over into bounded, normalised text, without ever raising.

Inputs come from typing, card readers and keyboard-wedge scanners, so they can be None, bytes,
numbers, full-width characters, emoji or megabytes of junk. The length is checked before any other
work so that a 10 MB paste costs nothing.
"""
from __future__ import annotations

import unicodedata

from counterdesk.base.text import Result, Text

MAX_NUMBER_CHARS = 64  # the longest document number is 18 characters; leave room for spaces
MAX_MRZ_CHARS = 400    # 3 x 30 or 2 x 44 characters plus line breaks and stray spaces

# Separators people type inside numbers: removed before checking.
_SEPARATORS = str.maketrans("", "", " \t\r\n\f\v-_/.·•,\u3000\u00a0")


NUMBER_LABEL = Text("证件号码", "document number")


def coerce_text(value: object, *, field: str, limit: int, result: Result, label: Text = NUMBER_LABEL) -> str | None:
    """`value` as a str of at most `limit` characters, or None with a problem added to `result`."""
    missing = Text(f"{label.zh}未填写", f"the {label.en} is missing")
    too_long = Text(f"{label.zh}过长（最多 {limit} 个字符）",
                    f"the {label.en} is too long (at most {limit} characters)")
    wrong = Text(f"{label.zh}格式不正确", f"the {label.en} has the wrong format")
    if value is None:
        result.add(field, "missing", missing)
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value[: limit * 4 + 4])
        if len(value) > limit * 4 + 4:
            result.add(field, "too_long", too_long)
            return None
        value = raw.decode("utf-8", errors="replace")
    elif isinstance(value, bool):
        result.add(field, "not_text", wrong)
        return None
    elif isinstance(value, int):
        value = str(value) if value >= 0 and value.bit_length() < 256 else ""
    if not isinstance(value, str):
        result.add(field, "not_text", wrong)
        return None
    if len(value) > limit:
        result.add(field, "too_long", too_long)
        return None
    if not value.strip():
        result.add(field, "missing", missing)
        return None
    return value


def fold(text: str) -> str:
    """Full-width and compatibility characters to ASCII (NFKC), upper case, separators removed."""
    return unicodedata.normalize("NFKC", text).upper().translate(_SEPARATORS)


def is_ascii_digits(text: str) -> bool:
    return bool(text) and all("0" <= c <= "9" for c in text)
