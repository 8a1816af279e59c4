"""Name-part aware similarity of two personal names, with the alignment that explains it.

  * Chinese characters against Chinese characters (both simplified): the family name must agree;
    given-name characters count one by one, a homophone (伟/为) counting little: the characters are
    the name, the sound is not.
  * Latin against a Chinese-character name: the Latin name split into family and given name (by its
    capitals, else family first; family last only when the first word is no Chinese family name),
    against each romanisation of the characters (pinyin, Wade-Giles, Hong Kong, Macau).
  * Latin against Latin (transliterated scripts included): words aligned one to one in any order,
    each to its closest counterpart (spelling equivalents such as Muhammad / Mohammed count as the
    same); words of the subject not found weigh more than list words not given (lists carry more
    names than documents); when both names show their family name, a family name that does not
    align weighs heavily; names split differently ("Abdul Rahman" / "Abdulrahman") are compared
    joined; names with an Arabic-script side are compared by their consonant skeletons.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations

from rapidfuzz import fuzz

from counterdesk.screening import chinese
from counterdesk.screening.normalise import NameForm, is_patronymic

PART_FLOOR = 0.72          # two words less alike than this are not counterparts
EXTRA_QUERY_WORD = 0.5     # a word of the subject's name with no counterpart on the list
EXTRA_LIST_WORD = 0.3      # a list word the subject's name does not have (middle names, patronymics)
EXTRA_LIST_FIRST = 0.6     # ... the list's first given name, which documents do not leave out
SURNAME_MISMATCH = 0.55    # factor when the family names are known on both sides and do not agree
FAMILY_WEIGHT = 0.45       # share of the family name in a Chinese name's score
PATRONYMIC_MISMATCH = 0.7  # factor when both names give a patronymic and they differ
FAMILY_MIN = 0.8           # a family name less alike than this (Latin) is another family name
CHINESE_FAMILY_MIN = 0.85  # the same, squared similarity of a romanised Chinese family name
HOMOPHONE_CHAR = 0.3       # a given-name character that only sounds like the listed one
FAMILY_LAST_DOUBT = 0.8    # "Li Wen" read as given-first although Li is a family name too
SKELETON_FACTOR = 0.93     # agreement of consonant skeletons only (Arabic script, spelling variants)
JOINED_FACTOR = 0.97       # agreement only once the words are joined

# Equivalent given names across spellings and languages (each group one canonical form).
_EQUIVALENT_GROUPS = """
muhammad mohammed mohamed mohammad muhammed mohamad mohamud
ahmad ahmed ahmet | yusuf youssef yousef yusef yousif joseph jose josef yosef giuseppe
husayn hussein hussain husain husein | hasan hassan | usama osama | umar omar | ibrahim ebrahim abraham
abdullah abdallah | abdulrahman abdelrahman abdurrahman | abdulaziz abdelaziz
alexander aleksandr alexandre alessandro oleksandr | michael mikhail michel michele mykhailo miguel
peter pyotr petr pierre pietro pedro | john ivan juan jean giovanni johann jan
paul pavel pablo paolo | george georgios giorgos jorge georg | nicholas nikolai nikolaos nicolas nikolay
sergei sergey sergiy serhiy | yuri yuriy iurii yury | dmitri dmitry dmitriy dmitrii | andrei andrey andriy andreas
elena yelena olena helen | natalia natalya nataliya | tatiana tatyana | yulia yuliya iuliia julia
maria mariya mariia marie | ekaterina yekaterina katerina catherine | fatima fatma fatimah
chen chan | zhang cheung chang | li lee | zhou chow chau
"""
EQUIVALENT = {name: grp.split()[0] for line in _EQUIVALENT_GROUPS.strip().splitlines()
              for grp in line.split("|") for name in grp.split()}
# Pinyin of the common Chinese family names: a first word that is one of these is read as the
# family name rather than as a given name in Western order.
_SURNAME_CHARS = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                  "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
                  "戴莫孔向汤应衡庞关麦温欧司诸上东")


@lru_cache(maxsize=1)
def _surname_pinyin() -> frozenset[str]:
    return frozenset(s for ch in _SURNAME_CHARS for s in chinese.syllables(ch).get("pinyin", ()))


@dataclass(frozen=True)
class Part:
    """One word of the list's name and how it aligned: role "family", "given" or "name"; the
    subject's word by position only (-1: nothing on the subject's side)."""
    list_part: str
    role: str
    score: float
    query_pos: int


@dataclass(frozen=True)
class Comparison:
    score: float
    method: str
    parts: tuple[Part, ...] = ()


NONE = Comparison(0.0, "tokens")


def word_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    ea, eb = EQUIVALENT.get(a), EQUIVALENT.get(b)
    if ea is not None and ea == eb:
        return 0.98
    return fuzz.ratio(a, b) / 100.0


def _skel_sim(a: str, b: str) -> float:
    return 1.0 if a == b else fuzz.ratio(a, b) / 100.0


def _align(qt: tuple[str, ...], ct: tuple[str, ...],
           sim: Callable[[str, str], float] = word_sim) -> tuple[float, list[tuple[int, int, float]]]:
    pairs = sorted(((sim(a, b), i, j) for i, a in enumerate(qt) for j, b in enumerate(ct)), reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    matched: list[tuple[int, int, float]] = []
    for s, i, j in pairs:
        if s < PART_FLOOR:
            break
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        matched.append((i, j, s))
    missing_first = 0 not in used_c and len(ct) > 2
    denom = len(matched) + EXTRA_QUERY_WORD * (len(qt) - len(matched)) + \
        EXTRA_LIST_WORD * (len(ct) - len(matched) - missing_first) + EXTRA_LIST_FIRST * missing_first
    return (sum(s for *_x, s in matched) / denom if denom else 0.0), matched


def _parts(ct: tuple[str, ...], family: tuple[str, ...], matched: list[tuple[int, int, float]]) -> tuple[Part, ...]:
    by_c = {j: (i, s) for i, j, s in matched}
    return tuple(Part(tok, "family" if tok in family else ("given" if family else "name"),
                      round(by_c.get(j, (-1, 0.0))[1], 3), by_c.get(j, (-1, 0.0))[0]) for j, tok in enumerate(ct))


def _latin(q: NameForm, c: NameForm) -> Comparison:
    qt, ct = q.tokens, c.tokens
    if not qt or not ct:
        return NONE
    if q.translit == "arabic" or c.translit == "arabic":
        score, matched = _align(q.skeleton or qt, c.skeleton or ct, _skel_sim)
        return Comparison(score * SKELETON_FACTOR, "skeleton", _parts(ct, c.family, matched))
    score, matched = _align(qt, ct)
    method = "tokens"
    q_fam = {i for i, t in enumerate(qt) if t in q.family}
    c_fam = {j for j, t in enumerate(ct) if t in c.family}
    if q_fam and c_fam:
        # Both show the family name: it must be that name, not merely the nearest (SEMENOVA is not
        # SMIRNOVA, whatever the given names).
        if not any(i in q_fam and j in c_fam and s >= FAMILY_MIN for i, j, s in matched):
            score *= SURNAME_MISMATCH
            method = "family_mismatch"
    elif q_fam or c_fam:
        # One side shows its family name: its counterpart must be that name, not a near spelling
        # (PANG YAN is not WANG Yan).
        fam_pairs = [s for i, j, s in matched if i in q_fam or j in c_fam]
        if not fam_pairs or max(fam_pairs) < FAMILY_MIN:
            score *= SURNAME_MISMATCH
            method = "family_mismatch"
    q_pat = [i for i, t in enumerate(qt) if is_patronymic(t)]
    c_pat = [j for j, t in enumerate(ct) if is_patronymic(t)]
    if q_pat and c_pat and not any(i in q_pat and j in c_pat and s >= FAMILY_MIN for i, j, s in matched):
        # Both give the father's name and it differs: another family member, or another person.
        score *= PATRONYMIC_MISMATCH
        method = "patronymic_mismatch"
    if score < 0.999 and method == "tokens":
        if (len(qt) >= 3 and len(ct) >= 3 and sum(map(len, qt + ct)) >= 5 * len(qt + ct)
                and len(q.skeleton) == len(qt) and len(c.skeleton) == len(ct)):
            # Spelling variants of long (Arabic, Persian ...) names; not for short syllables,
            # whose skeletons collide (Huang / Heng).
            s_score, s_matched = _align(q.skeleton, c.skeleton, _skel_sim)
            if s_score * SKELETON_FACTOR > score:
                score, matched, method = s_score * SKELETON_FACTOR, s_matched, "skeleton"
        if len(qt) != len(ct) and len(qt) <= 5:
            joined_c = "".join(ct)
            joined = max(fuzz.ratio("".join(p), joined_c) for p in permutations(qt[:4])) / 100.0 * JOINED_FACTOR
            if joined > score:
                return Comparison(joined, "orderings", tuple(Part(t, "name", round(joined, 3), -1) for t in ct))
    return Comparison(score, method, _parts(ct, c.family, matched))


def _han_han(q: NameForm, c: NameForm) -> Comparison:
    cf, cg = chinese.split_name(c.han)
    if q.han == c.han:  # the parts are still shown, so a reviewer sees which is the family name
        parts = (Part(cf, "family", 1.0, 0), *(Part(ch, "given", 1.0, i + 1) for i, ch in enumerate(cg)))
        return Comparison(1.0, "exact" if q.text == c.text else "characters", parts)
    qf, qg = chinese.split_name(q.han)
    fam = 1.0 if qf == cf else (HOMOPHONE_CHAR if len(qf) == len(cf) and all(
        chinese.same_sound(a, b) for a, b in zip(qf, cf, strict=True)) else 0.0)
    if len(qg) == len(cg) and qg:
        per = [1.0 if a == b else (HOMOPHONE_CHAR if chinese.same_sound(a, b) else 0.0)
               for a, b in zip(qg, cg, strict=True)]
        given = sum(per) / len(per)
    else:
        per = []
        given = fuzz.ratio(qg, cg) / 100.0 * 0.8
    score = FAMILY_WEIGHT * fam + (1 - FAMILY_WEIGHT) * given
    if fam < 1.0:
        score *= SURNAME_MISMATCH
    parts = (Part(cf, "family", fam, 0),) + (tuple(Part(ch, "given", s, i + 1) for i, (ch, s) in
                                                   enumerate(zip(cg, per, strict=True))) if per else
                                              (Part(cg, "given", round(given, 3), 1),))
    return Comparison(score, "characters", parts)


def _splits(latin: NameForm) -> list[tuple[str, str, float]]:
    words = latin.words or latin.tokens
    if latin.family:
        fam = "".join(w for w in words if w in latin.family)
        return [(fam, "".join(w for w in words if w not in latin.family), 1.0)]
    if len(words) == 1:
        return [(words[0], "", 1.0)]
    doubt = FAMILY_LAST_DOUBT if words[0] in _surname_pinyin() else 1.0
    out = [(words[0], "".join(words[1:]), 1.0), (words[-1], "".join(words[:-1]), doubt)]
    if len(words) >= 3:
        out.append(("".join(words[:2]), "".join(words[2:]), 1.0))  # AU YEUNG Ka Fai
    return out


def _latin_han(latin: NameForm, han: NameForm, latin_is_list: bool) -> Comparison:
    best, system = 0.0, "pinyin"
    best_parts: tuple[Part, ...] = ()
    for sys_, fam, given in han.romanised:
        for lf, lg, prior in _splits(latin):
            # Squared: one syllable off in a short Chinese name is another name, not a typo.
            sf = (fuzz.ratio(lf, fam) / 100.0) ** 2
            sg = (fuzz.ratio(lg, given) / 100.0) ** 2 if (lg or given) else 1.0
            score = (FAMILY_WEIGHT * sf + (1 - FAMILY_WEIGHT) * sg) * prior
            if sf < CHINESE_FAMILY_MIN:
                score *= SURNAME_MISMATCH
            if score > best:
                best, system = score, sys_
                best_parts = ((Part(lf, "family", round(sf, 3), 0), Part(lg, "given", round(sg, 3), 1))
                              if latin_is_list else (Part(fam, "family", round(sf, 3), 0),
                                                     Part(given, "given", round(sg, 3), 1)))
    return Comparison(best, system if system != "pinyin" else "pinyin", best_parts)


def compare(q: NameForm, c: NameForm) -> Comparison:
    """Similarity of the subject's name ``q`` and the list's name ``c`` (persons)."""
    if q.empty or c.empty:
        return NONE
    if q.han and c.han:
        return _han_han(q, c)
    if c.han and c.romanised and not q.han:
        return _latin_han(q, c, latin_is_list=False)
    if q.han and q.romanised and not c.han:
        return _latin_han(c, q, latin_is_list=True)
    if q.han or c.han:
        return NONE
    if q.tokens == c.tokens:
        return Comparison(1.0, "exact", tuple(Part(t, "family" if t in c.family else ("given" if c.family else "name"),
                                                   1.0, i) for i, t in enumerate(c.tokens)))
    return _latin(q, c)
