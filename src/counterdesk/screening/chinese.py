"""Chinese personal names: family / given split, simplified characters, and the romanisations a
name is written in abroad.

  * characters: traditional folded to simplified with OpenCC (陳大文 -> 陈大文);
  * family name: the first character, or two for a compound surname (欧阳, 司徒 ...);
  * romanisations of each character: Hanyu Pinyin and Wade-Giles (pypinyin), and the Cantonese
    spellings of the Hong Kong government and of Macau, derived from the character's Jyutping
    (ToJyutping's data) by the two systems' spelling rules, plus the customary family-name
    spellings of Hong Kong (LEE, CHOW, LAW ...).
Everything is cached per character; nothing here raises.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import product

import ToJyutping
from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

# Two-character surnames: in 欧阳美玲 the family name is 欧阳, not 欧.
COMPOUND_SURNAMES = frozenset("""
欧阳 司马 诸葛 上官 东方 皇甫 慕容 令狐 司徒 夏侯 尉迟 公孙 长孙
宇文 轩辕 端木 独孤 南宫 西门 百里 呼延 万俟 澹台 闻人 太史 申屠
""".split())
SYSTEMS = ("pinyin", "wade_giles", "hk", "macau")
MAX_READINGS = 3
MAX_SPELLINGS = 12

# Jyutping -> Hong Kong government romanisation (initials, finals).
_HK_INITIAL = {"b": "p", "d": "t", "g": "k", "gw": "kw", "z": "ch", "c": "ch", "j": "y"}
_HK_FINAL = {"aa": "a", "aai": "ai", "aau": "au", "aam": "am", "aan": "an", "aang": "ang", "aap": "ap",
             "aat": "at", "aak": "ak", "ou": "o", "un": "oon", "oeng": "eung", "oek": "euk",
             "eoi": "ui", "eon": "un", "eot": "ut", "yu": "u", "yun": "uen", "yut": "uet", "oe": "oe"}
# Jyutping -> Macau (Portuguese-based) romanisation.
_MO_INITIAL = {**_HK_INITIAL, "gw": "ku", "kw": "ku", "j": "i", "w": "v"}
_MO_FINAL = {**_HK_FINAL, "aau": "ao", "au": "ao", "an": "an", "iu": "io", "ing": "eng", "ik": "ec",
             "ung": "ong", "uk": "oc", "ak": "ac", "aak": "ac", "oeng": "eong", "oek": "eoc",
             "eoi": "oi", "eon": "on", "ou": "ou", "yu": "u", "yun": "un", "un": "un"}
# Customary spellings of family names that the mechanical rules do not give (simplified keys).
_CUSTOMARY = {"李": ("lee", "li"), "周": ("chow",), "罗": ("law",), "胡": ("woo",), "顾": ("koo",),
              "欧阳": ("auyeung",), "司徒": ("szeto",), "施": ("sze",), "黄": ("vong",), "王": ("vong",)}
_INITIALS = ("gw", "kw", "ng", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "w", "z", "c", "s", "j")

_T2S = OpenCC("t2s")


@lru_cache(maxsize=65536)
def simplified(text: str) -> str:
    try:
        return str(_T2S.convert(text))
    except Exception:
        return text


def split_name(han: str) -> tuple[str, str]:
    """(family, given) of a Chinese personal name in simplified characters."""
    n = 2 if han[:2] in COMPOUND_SURNAMES and len(han) > 2 else 1
    return han[:n], han[n:]


def _cantonese(jyutping: str, system: str) -> str:
    s = jyutping.rstrip("123456")
    ini = next((i for i in _INITIALS if s.startswith(i) and len(s) > len(i)), "")
    fin = s[len(ini):]
    initials, finals = (_HK_INITIAL, _HK_FINAL) if system == "hk" else (_MO_INITIAL, _MO_FINAL)
    if system == "macau" and ini == "j" and fin.startswith(("yu", "i")):
        ini = ""
    return initials.get(ini, ini) + finals.get(fin, fin)


@lru_cache(maxsize=4096)
def _cantonese_variants(jyutping: str, system: str) -> tuple[str, ...]:
    """The spellings one syllable takes in given names, the system's rule first, then the other
    spellings in common use: Hong Kong 華 WAH, 成 SHING, 新 SUN, 月 YUT beside WA, SING, SAN, YUET;
    Macau 英 IENG and 燕 IN (the initial i merges into a final in i), 偉 WAI beside VAI, 胡 U,
    final -k beside -c (德 TAK / TAC)."""
    s = jyutping.rstrip("123456")
    ini = next((i for i in _INITIALS if s.startswith(i) and len(s) > len(i)), "")
    fin = s[len(ini):]
    out = [_cantonese(s, system)]
    if system == "hk":
        h_ini, h_fin = _HK_INITIAL.get(ini, ini), _HK_FINAL.get(fin, fin)
        if fin == "aa":
            out.append(h_ini + "ah")
        if fin == "an":
            out.append(h_ini + "un")
        if fin == "yut":
            out.append(h_ini + "ut")
        if ini == "s" and h_fin.startswith("i"):
            out.append("sh" + h_fin)
    else:
        m_fin = _MO_FINAL.get(fin, fin)
        m_ini = _MO_INITIAL.get(ini, ini)
        if ini == "j":
            m_ini = "" if fin.startswith("yu") or m_fin.startswith("i") else "i"
        if ini == "w":
            m_ini = "" if m_fin.startswith("u") else "v"
        base = m_ini + m_fin
        out = [base]
        if ini == "w" and m_ini == "v":
            out.append("w" + m_fin)
        if base.endswith("c"):
            out.append(base[:-1] + "k")
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=16384)
def syllables(chars: str) -> dict[str, tuple[str, ...]]:
    """Each romanisation system's spelling of ``chars`` (one syllable per character), folded to
    lower-case ASCII."""
    out: dict[str, tuple[str, ...]] = {}
    try:
        out["pinyin"] = tuple(lazy_pinyin(chars, style=Style.NORMAL, errors="ignore"))
        out["wade_giles"] = tuple(s.replace("'", "").replace("ü", "u").replace("v", "u")
                                  for s in lazy_pinyin(chars, style=Style.WADEGILES, errors="ignore"))
        jp = [j for _c, j in ToJyutping.get_jyutping_list(chars)]
        if all(jp) and len(jp) == len(chars):
            out["hk"] = tuple(_cantonese(j.split(" ")[0], "hk") for j in jp)
            out["macau"] = tuple(_cantonese(j.split(" ")[0], "macau") for j in jp)
    except Exception:
        pass
    return out


@lru_cache(maxsize=16384)
def cantonese_readings(chars: str) -> tuple[tuple[str, ...], ...]:
    """Toneless Jyutping of ``chars``, one tuple per reading of the whole string: the first readings,
    then each character in turn with its second (names often take the literary reading, 平 ping,
    where the everyday word takes another, peng); at most MAX_READINGS."""
    try:
        per = []
        for _c, cands in ToJyutping.get_jyutping_candidates(chars):
            toneless = list(dict.fromkeys(j.rstrip("123456") for j in cands if j))
            if not toneless:
                return ()
            per.append(toneless[:2])
    except Exception:
        return ()
    if len(per) != len(chars):
        return ()
    first = tuple(options[0] for options in per)
    # One character at a time takes its other reading: linear in the name's length.
    others = [(*first[:i], options[1], *first[i + 1:]) for i, options in enumerate(per) if len(options) > 1]
    return (first, *others)[:MAX_READINGS]


@lru_cache(maxsize=16384)
def romanised_syllables(han: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(system, family, given syllables) spellings of a Chinese personal name, the family joined
    ("chan", ("tai", "man")); duplicates across systems appear once."""
    family, given = split_name(han)
    fam, giv = syllables(family), syllables(given) if given else {s: () for s in SYSTEMS}
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for system in SYSTEMS:
        if system in fam and system in giv:
            seen.setdefault(("".join(fam[system]), tuple(giv[system])), system)
    hk_families: list[str] = []
    for system in ("hk", "macau"):
        if system not in fam or system not in giv:
            continue
        families = ["".join(fam[system])] + ["".join(spelt) for reading in cantonese_readings(family)[:1]
                                             for spelt in product(*(_cantonese_variants(j, system) for j in reading))]
        families = list(dict.fromkeys(families))
        if system == "hk" and families[0].startswith("ch"):
            # Hong Kong writes the affricate "ts" before some finals (徐 TSUI, 曾 TSANG, 谢 TSE).
            families.append("ts" + families[0][2:])
        families += _CUSTOMARY.get(family, ())
        if system == "hk":
            hk_families = families
        else:  # family names keep the spelling they came with: Macau writes WONG as well as VONG
            families += hk_families
        # Every reading of the given name (names often take a second one), each syllable in
        # every spelling in common use; at most MAX_SPELLINGS.
        givens = [tuple(giv[system])]
        for reading in cantonese_readings(given) if given else ():
            givens += product(*(_cantonese_variants(j, system) for j in reading))
        givens = list(dict.fromkeys(givens))[:MAX_SPELLINGS]
        for f in families:
            for g in givens:
                seen.setdefault((f, g), system)
    return tuple((system, f, g) for (f, g), system in seen.items())


@lru_cache(maxsize=16384)
def romanisations(han: str) -> tuple[tuple[str, str, str], ...]:
    """(system, family, given) spellings of a Chinese personal name, family and given each joined
    ("chan", "taiman"); duplicates across systems appear once."""
    out: dict[tuple[str, str], str] = {}
    for system, f, g in romanised_syllables(han):
        out.setdefault((f, "".join(g)), system)
    return tuple((system, f, g) for (f, g), system in out.items())


def same_sound(a: str, b: str) -> bool:
    """Two characters read alike in Mandarin (homophones such as 伟/为)."""
    pa, pb = syllables(a).get("pinyin"), syllables(b).get("pinyin")
    return bool(pa) and pa == pb
