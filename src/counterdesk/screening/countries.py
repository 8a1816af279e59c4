"""Country names and codes as sanctions lists write them, normalised to ISO 3166 alpha-2."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Spellings pycountry does not resolve but the UN, OFAC and Chinese documents use.
_OVERRIDES = {
    "democratic people's republic of korea": "KP", "korea, north": "KP", "north korea": "KP", "dprk": "KP",
    "korea, south": "KR", "south korea": "KR", "republic of korea": "KR",
    "democratic republic of the congo": "CD", "congo, democratic republic of the": "CD", "drc": "CD",
    "republic of the congo": "CG", "congo": "CG", "iran": "IR", "iran (islamic republic of)": "IR",
    "russia": "RU", "syria": "SY", "burma": "MM", "laos": "LA", "vietnam": "VN", "viet nam": "VN",
    "united kingdom": "GB", "uk": "GB", "united states": "US", "usa": "US", "turkey": "TR", "türkiye": "TR",
    "palestinian": "PS", "west bank": "PS", "gaza": "PS", "kosovo": "XK", "macau": "MO", "macao": "MO",
    "hong kong": "HK", "taiwan": "TW", "china": "CN", "prc": "CN", "people's republic of china": "CN",
    "中国": "CN", "中华人民共和国": "CN", "中国香港": "HK", "香港": "HK", "中国澳门": "MO", "澳门": "MO",
    "中国台湾": "TW", "台湾": "TW", "朝鲜": "KP", "韩国": "KR", "伊朗": "IR", "俄罗斯": "RU", "叙利亚": "SY",
    "缅甸": "MM", "美国": "US", "英国": "GB", "日本": "JP", "阿富汗": "AF", "伊拉克": "IQ", "巴基斯坦": "PK",
    "新加坡": "SG", "马来西亚": "MY", "泰国": "TH", "越南": "VN", "老挝": "LA", "柬埔寨": "KH", "蒙古": "MN",
}
_ADJECTIVES = {"chinese": "CN", "russian": "RU", "iranian": "IR", "syrian": "SY", "afghan": "AF", "iraqi": "IQ",
               "pakistani": "PK", "north korean": "KP", "american": "US", "british": "GB", "yemeni": "YE",
               "somali": "SO", "libyan": "LY", "sudanese": "SD", "lebanese": "LB", "saudi": "SA"}


@lru_cache(maxsize=4096)
def to_alpha2(value: str | None) -> str | None:
    """ISO alpha-2 code for a code (alpha-2/alpha-3, any case), an English name or a Chinese name;
    None when the value names no country we know (the caller keeps it out of comparisons)."""
    if not value:
        return None
    raw = unicodedata.normalize("NFKC", str(value)).strip().strip(".")
    if not raw or len(raw) > 80:
        return None
    low = raw.casefold()
    if low in _OVERRIDES:
        return _OVERRIDES[low]
    if low in _ADJECTIVES:
        return _ADJECTIVES[low]
    import pycountry  # loaded on first use: it reads its JSON database

    if re.fullmatch(r"[A-Za-z]{2}", raw):
        hit = pycountry.countries.get(alpha_2=raw.upper())
        return hit.alpha_2 if hit else ("XK" if raw.upper() == "XK" else None)
    if re.fullmatch(r"[A-Za-z]{3}", raw):
        hit = pycountry.countries.get(alpha_3=raw.upper())
        if hit:
            return hit.alpha_2
    for candidate in (raw, re.sub(r"\s*\(.*?\)\s*", " ", raw).strip()):
        try:
            return pycountry.countries.lookup(candidate).alpha_2
        except LookupError:
            continue
    return None


def normalise_list(values: Iterable[str | None]) -> list[str]:
    """Distinct alpha-2 codes, in first-seen order; unknown names are dropped."""
    out: list[str] = []
    for v in values:
        code = to_alpha2(v)
        if code and code not in out:
            out.append(code)
    return out
