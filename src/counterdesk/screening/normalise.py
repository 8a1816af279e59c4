"""Names into comparable forms: Latin folded to ASCII tokens, Chinese kept as (simplified)
characters and also spelt in pinyin, Wade-Giles and the Hong Kong and Macau Cantonese spellings (so
王晓明, "Wang Xiaoming" and "Xiaoming WANG" meet, and 陳大文 meets "CHAN Tai Man"); Cyrillic, Greek,
Arabic and other scripts transliterated to Latin with anyascii; generic words marked; the family
name recorded where the name shows it (Chinese characters; a word in capitals among others).

Every function here is total: any string in, a NameForm out (possibly empty); nothing raises.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations

from anyascii import anyascii
from pypinyin import Style, lazy_pinyin

from counterdesk.screening import chinese

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
COMPOUND_SURNAMES = chinese.COMPOUND_SURNAMES
# Arabic-script article at the start of a word (الرحمن): Latin spellings write it as a word of its own.
_ABD = frozenset(("bd", "abd", "abdul", "abdel", "abdal", "abdoul", "abdur", "abdel", "abdol"))
_PATRONYMIC = re.compile(r"(?:ovich|evich|ovych|evych|yich|ovna|evna|ichna|ivna)$")
_AR_ARTICLE = re.compile(r"(?<![\u0600-\u06ff])\u0627\u0644(?=[\u0600-\u06ff]{2})")
_VOWELS = re.compile(r"[aeiou]+")
_OU_W = re.compile(r"^ou(?=[aeiy])")
_C_SOFT = re.compile(r"c(?=[eiy])")

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
    family: tuple[str, ...] = ()   # the family name's tokens when the name shows which they are
    romanised: tuple[tuple[str, str, str], ...] = ()  # Han person names: (system, family, given)
    skeleton: tuple[str, ...] = ()  # consonant skeletons of the words (Arabic-script comparisons)
    translit: str = ""             # the script transliterated from ("cyrillic", "arabic", ...), "" if none
    words: tuple[str, ...] = ()    # person names: every word in the order written (generic ones too)

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


def _script_name(ch: str) -> str:
    name = unicodedata.name(ch, "")
    for script in ("CYRILLIC", "ARABIC", "GREEK", "HEBREW", "HANGUL", "THAI", "DEVANAGARI", "GEORGIAN",
                   "ARMENIAN", "HIRAGANA", "KATAKANA"):
        if name.startswith(script):
            return script.lower()
    return "other"


def transliterate(text: str) -> tuple[str, str]:
    """(Latin text, script transliterated from) for letters of scripts other than Latin and Han;
    Han characters are kept (they are compared as characters and through their own spellings)."""
    foreign = [ch for ch in text if ch.isalpha() and not ch.isascii() and not is_han(ch)
               and not unicodedata.name(ch, "").startswith("LATIN")]
    if not foreign:
        return text, ""
    script = _script_name(foreign[0])
    if script == "arabic":
        # Ta marbuta is read "a" at the end of a name (فاطمة: Fatma, Fatima), not "h".
        text = _AR_ARTICLE.sub("\u0627\u0644 ", text.replace("\u0629", "a"))
    out = "".join(ch if is_han(ch) else anyascii(ch) for ch in text)
    if script == "greek":
        # The Greek digraph OY is written "ou".
        out = re.sub("(?i)oy", lambda m: "ou" if m.group(0).islower() else "OU", out)
    return out, script


def skeleton(word: str) -> str:
    """Consonant skeleton of a folded word, as Arabic script writes names (short vowels unwritten):
    "mohammed" -> "mhmd", "yusuf" -> "ysf", "qasimi" -> "ksm"."""
    # q/k and French-style ch/dj for sh/j (Bachir, Djamal) spell the same Arabic letters.
    # French spellings (Maghreb): initial ou before a vowel is w (Oualid), c before e/i is s (Hacene,
    # Youcef), any other c is k (Kacem -> ksm, as قاسم).
    w = _OU_W.sub("w", word.replace("q", "k").replace("`", ""))
    w = w.replace("ou", "u").replace("ee", "i").replace("ch", "sh").replace("dj", "j")
    w = _C_SOFT.sub("s", w).replace("c", "k")
    if w.startswith(("abdul", "abdel", "abdal")):
        w = "abd" + w[5:]
    head, rest = w[:1], w[1:]
    rest = rest.replace("y", "").replace("w", "")
    w = head + _VOWELS.sub("", rest) if head not in "aeiou" else _VOWELS.sub("", rest)
    out = "".join(c for i, c in enumerate(w) if i == 0 or c != w[i - 1])
    return out or word[:1]


@lru_cache(maxsize=65536)
def is_patronymic(word: str) -> bool:
    """A Russian / Ukrainian patronymic (Sergeevich, Igorevna, Petrivna)."""
    return len(word) >= 6 and bool(_PATRONYMIC.search(word))


def patronymic_stem(word: str) -> str:
    """The father's name in a patronymic: "sergeevich" -> "serge", "igorevna" -> "igor"."""
    return _PATRONYMIC.sub("", word)


def _family_by_patronymic(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Without capitals, a patronymic tells the family name of a three-part name: it follows the
    patronymic ("Boris Grigorievich Egorov") or leads ("Egorov Boris Grigorievich")."""
    if len(tokens) != 3:
        return ()
    if is_patronymic(tokens[1]) and not is_patronymic(tokens[2]):
        return (tokens[2],)
    if is_patronymic(tokens[2]) and not is_patronymic(tokens[0]):
        return (tokens[0],)
    return ()


def _caps_family(text: str) -> tuple[str, ...]:
    """Words written in capitals among words that are not ("WANG Xiaoming", "Ali AL-QASIMI"):
    the usual way lists and passports mark the family name."""
    words = text.split()
    caps = [w for w in words if sum(c.isalpha() for c in w) >= 2 and w.isupper()]
    if not caps or len(caps) == len(words):
        return ()
    return tuple(t for w in caps for t in fold(w).split() if t not in GENERIC_LATIN)


def name_form(text: str, kind: str = "person") -> NameForm:
    """Comparable form of one name; never raises (junk in, an empty form out)."""
    try:
        return _name_form(str(text)[:400], kind)
    except Exception:
        return EMPTY


@lru_cache(maxsize=65536)
def _name_form(text: str, kind: str) -> NameForm:
    latin_text, translit = transliterate(text)
    script = script_of(latin_text)
    folded = fold(latin_text)
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
    family: tuple[str, ...] = ()
    romanised: tuple[tuple[str, str, str], ...] = ()
    if translit == "arabic":  # the article, written apart above
        tokens = [t for t in tokens if t not in ("l", "al")]

    if kind == "person":
        # "Abd" is one name with the word after it (عبد العزيز: Abdelaziz, Abdul Aziz).
        for i in range(len(tokens) - 2, -1, -1):
            if tokens[i] in _ABD:
                tokens[i:i + 2] = [tokens[i] + tokens[i + 1]]
    han_core = chinese.simplified(han_core) if han_core else ""
    if kind == "person" and script == "han" and 2 <= len(han_core) <= 5 and len(tokens) == len(han_core):
        # Chinese personal name: family name first (one or two characters), given name joined,
        # which is how passports and Latin-script lists write it ("WANG Xiaoming").
        n = len(chinese.split_name(han_core)[0])
        grouped = ("".join(tokens[:n]), "".join(tokens[n:]))
        family = (grouped[0],)
        romanised = chinese.romanisations(han_core)
    elif kind == "person" and not han_core:
        family = _caps_family(latin_text) or _family_by_patronymic(tuple(tokens))
    if not tokens and generic:
        # A name made only of generic words ("Trading Company") still has to match itself.
        tokens, generic = generic, []
    skel = tuple(skeleton(t) for t in tokens) if kind == "person" and not han_core else ()
    words = tuple(w for w in folded.split() if not (translit == "arabic" and w in ("l", "al"))) \
        if kind == "person" and not han_core else ()
    return NameForm(text, script, tuple(tokens), tuple(generic), han_core, grouped, family, romanised, skel, translit,
                    words)
