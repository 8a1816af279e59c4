"""Names into comparable forms: Latin folded to ASCII tokens, Chinese kept as characters and also
spelt in pinyin (so 王晓明, "Wang Xiaoming" and "Xiaoming WANG" meet), generic words marked.

Every function here is total: any string in, a NameForm out (possibly empty); nothing raises.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations

from pypinyin import Style, lazy_pinyin

# Legal-form and filler words: they carry little identity, so they weigh little in a comparison
# (two firms sharing only "Trading Co Ltd" are not similar) but still count a bit when present.
GENERIC_LATIN = frozenset("""
co company companies corp corporation inc incorporated llc llp lp ltd limited plc gmbh ag sa sarl srl spa bv nv
jsc ojsc cjsc pjsc pao oao ooo zao tov fze fzco fzc est establishment ent enterprise enterprises
trading trade traders group holding holdings international intl industrial industries industry general
import export imp exp and the of for de la el al bin ibn abu haji hajji mullah maulavi sheikh shaykh mr mrs ms dr
""".split())
# Longest first, so 有限责任公司 is taken whole before 公司.
GENERIC_HAN = tuple(sorted("""
股份有限公司 有限责任公司 有限公司 责任公司 集团公司 控股公司 公司 集团 贸易 商贸
国际 控股 实业 投资 科技 进出口 发展 工业 企业 有限
""".split(), key=len, reverse=True))
# Two-character surnames: in "Ouyang Meiling" the family name is one token, not "Ou Yang ...".
COMPOUND_SURNAMES = frozenset("""
欧阳 司马 诸葛 上官 东方 皇甫 慕容 令狐 司徒 夏侯 尉迟 公孙 长孙
宇文 轩辕 端木 独孤 南宫 西门 百里 呼延 万俟 澹台 闻人 太史 申屠
""".split())

_SPECIAL = str.maketrans({"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l",
                          "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i", "ʼ": "", "'": "", "’": "",
                          "`": "", "´": ""})
# Letters of any script survive (Hangul, Cyrillic, Arabic compare as written); the rest separates words.
_NON_WORD = re.compile(r"[\W_]+")
_HAN_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def script_of(text: str) -> str:
    """"han", "latin", "mixed" or "other" (e.g. Hangul, Arabic, Cyrillic without transliteration)."""
    han = latin = other = 0
    for ch in str(text):
        if is_han(ch):
            han += 1
        elif ch.isalpha():
            if ch.isascii() or unicodedata.name(ch, "").startswith("LATIN"):
                latin += 1
            else:
                other += 1
    if han and latin:
        return "mixed"
    if han:
        return "han"
    if latin:
        return "latin"
    return "other" if other else "latin"


def fold(text: str) -> str:
    """Casefold, drop accents and punctuation: "Ḥāmid AL-QĀSIMĪ" -> "hamid al qasimi"."""
    try:
        text = unicodedata.normalize("NFKC", str(text)).translate(_SPECIAL)
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return " ".join(_NON_WORD.sub(" ", stripped.casefold()).split())
    except Exception:  # a normaliser must never stop a screening
        return ""


@lru_cache(maxsize=65536)
def _pinyin(chars: str) -> tuple[str, ...]:
    try:
        return tuple(p for p in (fold(s) for s in lazy_pinyin(chars, style=Style.NORMAL, errors="ignore")) if p)
    except Exception:
        return ()


def _split_generic_han(run: str) -> list[tuple[str, bool]]:
    """A run of Han characters as (piece, is_generic) pieces, generic words cut out greedily."""
    pieces: list[tuple[str, bool]] = []
    i, core = 0, ""
    while i < len(run):
        for g in GENERIC_HAN:
            if run.startswith(g, i):
                if core:
                    pieces.append((core, False))
                    core = ""
                pieces.append((g, True))
                i += len(g)
                break
        else:
            core += run[i]
            i += 1
    if core:
        pieces.append((core, False))
    return pieces


@dataclass(frozen=True)
class NameForm:
    text: str
    script: str
    tokens: tuple[str, ...]        # distinctive tokens (Latin words; pinyin syllables for Han)
    generic: tuple[str, ...]       # generic tokens, weighed little
    han: str                       # distinctive Han characters, "" when the name has none
    grouped: tuple[str, ...]       # Han person names as (surname, given name) pinyin, else ()

    @property
    def compact(self) -> str:
        return "".join(self.tokens)

    @property
    def empty(self) -> bool:
        return not (self.tokens or self.generic or self.han)

    def orderings(self, limit: int = 4) -> tuple[str, ...]:
        """Concatenations of the tokens in every order (names are written surname first or last,
        and split differently: "Xiao Ming Wang" vs "WANG Xiaoming"); only the first ``limit`` tokens
        are permuted, the rest keep their place."""
        toks = self.grouped or self.tokens
        if len(toks) <= 1:
            return ("".join(toks),) if toks else ()
        head, tail = toks[:limit], "".join(toks[limit:])
        return tuple(dict.fromkeys("".join(p) + tail for p in permutations(head)))


EMPTY = NameForm("", "latin", (), (), "", ())


def name_form(text: str, kind: str = "person") -> NameForm:
    """Comparable form of one name; never raises (junk in, an empty form out)."""
    try:
        return _name_form(str(text)[:400], kind)
    except Exception:
        return EMPTY


@lru_cache(maxsize=65536)
def _name_form(text: str, kind: str) -> NameForm:
    script = script_of(text)
    folded = fold(text)
    tokens: list[str] = []
    generic: list[str] = []
    han_core = ""
    grouped: tuple[str, ...] = ()
    for word in folded.split():
        if not any(is_han(c) for c in word):
            (generic if word in GENERIC_LATIN else tokens).append(word)
            continue
        # Han runs (possibly glued to Latin/digits): characters kept, spelt in pinyin too.
        for run in _HAN_RUNS.findall(word):
            if not is_han(run[0]):
                (generic if run in GENERIC_LATIN else tokens).append(run)
                continue
            for piece, is_generic in _split_generic_han(run) if kind != "person" else [(run, False)]:
                syllables = _pinyin(piece)
                if is_generic:
                    generic.extend(syllables)
                else:
                    han_core += piece
                    tokens.extend(syllables)
    if kind == "person" and script == "han" and 2 <= len(han_core) <= 5 and len(tokens) == len(han_core):
        # Chinese personal name: family name first (one or two characters), given name joined,
        # which is how passports and Latin-script lists write it ("WANG Xiaoming").
        n = 2 if han_core[:2] in COMPOUND_SURNAMES and len(han_core) > 2 else 1
        grouped = ("".join(tokens[:n]), "".join(tokens[n:]))
    if not tokens and generic:
        # A name made only of generic words ("Trading Company") still has to match itself.
        tokens, generic = generic, []
    return NameForm(text, script, tuple(tokens), tuple(generic), han_core, grouped)
