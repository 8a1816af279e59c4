"""Names: surname split, pinyin (with surname readings), and the normalised keys used for search.

Search keys are lower-case with no spaces or separators, so "Zhang San Feng", "zhangsanfeng" and
"ZHANG SANFENG" meet on one key. pypinyin reads characters by their common reading; several
surnames are read differently (单 Shàn, 曾 Zēng, 解 Xiè ...), so a name starting with one gets a
second key with the surname reading, and the teller finds the customer either way.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Two-character surnames (复姓): masking keeps both characters, pinyin splits after them.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "公冶", "宗政", "濮阳",
    "太史", "申屠", "万俟", "闻人", "赫连", "单于", "拓跋", "司空", "第五", "东郭", "公羊", "左丘", "谷梁",
})

# Surname readings that differ from the character's common reading (pypinyin's default).
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou", "查": "zha", "盖": "ge",
    "乐": "yue", "覃": "qin", "缪": "miao", "召": "shao", "种": "chong", "秘": "bi", "句": "gou", "黑": "he",
    "繁": "po", "员": "yun", "能": "nai", "隗": "wei", "翟": "zhai", "粘": "nian", "阚": "kan", "乜": "nie",
    "角": "jue", "折": "she", "薄": "bo", "宓": "fu",
}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Spaces and the separators found in names: middle dots of minority and transliterated names
# (· ・ •), full stops, hyphens, apostrophes, commas.
_SEPARATORS = re.compile(r"[\s·・•.\-'’,，_]+")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name; a compound surname keeps both characters."""
    name = name.strip()
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def normalise_key(text: str) -> str:
    """The search form of a name or query: NFKC (full-width → half-width), no separators, lower-case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).lower()


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin  # ~0.3 s to import: only when a name is indexed or derived
    out = []
    for syl in lazy_pinyin(text, style=Style.NORMAL, errors="ignore"):
        syl = normalise_key(syl)
        if syl and syl.isascii() and syl.isalpha():
            out.append(syl)
    return out


def pinyin_readings(name_zh: str, has_surname: bool = True) -> list[list[str]]:
    """Syllable lists of a Chinese name: the surname reading first (when it differs), then the common
    reading, then ü spelt u (吕 lü is typed "lv" on keyboards and written "LU" on many documents).
    ``has_surname=False`` for a given name on its own (no surname reading applies)."""
    name = _SEPARATORS.sub("", unicodedata.normalize("NFKC", name_zh))
    if not name:
        return []
    common = _syllables(name)
    readings = []
    surname, given = split_surname(name)
    if has_surname and surname in SURNAME_READINGS:
        readings.append(SURNAME_READINGS[surname].split() + _syllables(given))
    readings.append(common)
    for reading in list(readings):
        if any("v" in s for s in reading):
            readings.append([s.replace("v", "u") for s in reading])
    unique: list[list[str]] = []
    for r in readings:
        if r and r not in unique:
            unique.append(r)
    return unique


def pinyin_display(name_zh: str) -> str:
    """Pinyin shown and stored with the answers: syllables separated by spaces, lower-case."""
    readings = pinyin_readings(name_zh)
    return " ".join(readings[0]) if readings else ""


FULL, GIVEN = "full", "given"


@dataclass(frozen=True)
class NameKey:
    name_norm: str
    pinyin_norm: str
    pinyin_initials: str
    kind: str = FULL  # full name, or the part after the surname (so a given name alone is found by index)


def _zh_keys(text: str, kind: str, has_surname: bool) -> list[NameKey]:
    norm = normalise_key(text)
    return [NameKey(norm, "".join(r), "".join(s[0] for s in r), kind)
            for r in (pinyin_readings(text, has_surname) or [[]])]


def search_keys(name_zh: str | None, name_latin: str | None) -> list[NameKey]:
    """The customer_names rows for a customer's current names: the full name, and the name after the
    surname (Chinese) or after the first word (Latin, whose word order varies between documents)."""
    keys: list[NameKey] = []
    if name_zh and normalise_key(name_zh):
        keys += _zh_keys(name_zh, FULL, True)
        given = split_surname(_SEPARATORS.sub("", unicodedata.normalize("NFKC", name_zh)))[1]
        if given:
            keys += _zh_keys(given, GIVEN, False)
    if name_latin and normalise_key(name_latin):
        words = [normalise_key(w) for w in re.split(r"[\s,.\-]+", unicodedata.normalize("NFKC", name_latin)) if w]
        words = [w for w in words if w]
        # A Latin name is its own "pinyin" (many are pinyin already: ZHANG SANFENG on a passport).
        for i in range(len(words)):
            joined = "".join(words[i:])
            keys.append(NameKey(joined, joined, "".join(w[0] for w in words[i:]), FULL if i == 0 else GIVEN))
    unique: list[NameKey] = []
    for k in keys:
        if k not in unique and k.name_norm:
            unique.append(k)
    return unique
