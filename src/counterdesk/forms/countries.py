"""Countries and regions by ISO 3166-1 alpha-3 (pycountry), with Chinese names for the common ones
and the iso-codes project's zh_CN names (shipped with pycountry) for the rest.

Answers store the alpha-3 code only; labels are looked up when shown, so a corrected translation
never changes stored data.
"""
from __future__ import annotations

import gettext
import json
from functools import lru_cache
from pathlib import Path

import pycountry

from counterdesk.base.text import Text

_DATA = Path(__file__).resolve().parent / "data" / "countries_zh.json"

# Codes listed first in pickers: mainland China and the places customers at a Chinese counter come
# from most often (the rest follow in English alphabetical order).
COMMON_FIRST = ("CHN", "HKG", "MAC", "TWN")


@lru_cache(maxsize=1)
def _zh_names() -> dict[str, str]:
    names: dict[str, str] = json.loads(_DATA.read_text(encoding="utf-8"))["names"]
    return names


@lru_cache(maxsize=1)
def _zh_iso_names() -> dict[str, str]:
    """alpha-3 → the iso-codes zh_CN name, for the codes without a bundled name: a Chinese screen
    would otherwise list most of the world in English."""
    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    return {c.alpha_3: translation.gettext(c.name) for c in pycountry.countries}


@lru_cache(maxsize=1)
def _by_alpha3() -> dict[str, str]:
    """alpha-3 → English name (pycountry's common name where it has one)."""
    import pycountry  # loaded on first use: the database takes a few milliseconds to read
    return {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    """alpha-2 and numeric codes → alpha-3, so input in any ISO form normalises to alpha-3."""
    out: dict[str, str] = {}
    for c in pycountry.countries:
        out[c.alpha_2] = c.alpha_3
        out[c.numeric] = c.alpha_3
    return out


def normalise(code: object) -> str | None:
    """The alpha-3 code for an ISO alpha-3, alpha-2 or numeric code; None when unknown."""
    if not isinstance(code, str):
        return None
    text = code.strip().upper()
    if text in _by_alpha3():
        return text
    return _aliases().get(text)


def name(code: str) -> Text:
    """Bilingual name; Chinese falls back to iso-codes' zh_CN name, then to the English name."""
    en = _by_alpha3().get(code, code)
    return Text(_zh_names().get(code) or _zh_iso_names().get(code) or en, en)


def all_codes() -> list[str]:
    rest = sorted((c for c in _by_alpha3() if c not in COMMON_FIRST), key=lambda c: _by_alpha3()[c])
    return [*COMMON_FIRST, *rest]
