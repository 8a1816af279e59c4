"""Name-part aware similarity of two personal names, with the alignment that explains it.

  * Chinese characters against Chinese characters (both simplified): the family name must agree;
    given-name characters count one by one, a homophone (伟/为) counting little: the characters are
    the name, the sound is not.
  * Latin against a Chinese-character name: the Latin name split into family and given name (by its
    capitals, else family first; family last only when the first word is no Chinese family name),
    against each romanisation of the characters (pinyin, Wade-Giles, Hong Kong, Macau, with the
    Cantonese spellings in common use), the given name syllable by syllable when the Latin name
    writes one word per character.
  * Latin against Latin (transliterated scripts included): words aligned one to one in any order,
    each to its closest counterpart (spelling equivalents such as Muhammad / Mohammed count as the
    same; patronymics by the father's name in them); a word of the subject with no counterpart
    counts as a whole word missing (documents give the whole name: a listed name inside a longer
    one is partial), list words not given count less (lists carry more names than documents); when
    both names show their family name, every family word of the side showing fewer must align, and
    double family names aligned crosswise must be the same words; names split differently ("Abdul
    Rahman" / "Abdulrahman") are compared joined when they are the same letters; names with an
    Arabic-script side (and long Latin names, not Slavic ones) are compared by their consonant
    skeletons too, a skeleton that is not identical counting by its similarity squared.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import permutations

from rapidfuzz import fuzz

from counterdesk.screening import chinese
from counterdesk.screening.normalise import NameForm, is_patronymic, patronymic_stem

PART_FLOOR = 0.72          # two words less alike than this are not counterparts
EXTRA_QUERY_WORD = 1.0     # a word of the subject's name with no counterpart on the list: documents
#                            give the whole name, so a listed name inside a longer one is partial
JOINED_MIN = 0.9           # joined spellings must be the same letters, split differently
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
# Skeletons are short: one consonant off is usually another name (slm Selim / sm Usama), so a
# skeleton that is not identical counts by its similarity squared.
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
    given_parts: tuple[Part, ...] = ()
    # Most comparisons are discarded: their alignment is only turned into Parts when asked for.
    lazy_parts: Callable[[], tuple[Part, ...]] | None = field(default=None, compare=False, repr=False)

    @property
    def parts(self) -> tuple[Part, ...]:
        return self.lazy_parts() if self.lazy_parts is not None else self.given_parts


NONE = Comparison(0.0, "tokens")


@lru_cache(maxsize=262144)
def word_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    ea, eb = EQUIVALENT.get(a), EQUIVALENT.get(b)
    if ea is not None and ea == eb:
        return 0.98
    if is_patronymic(a) and is_patronymic(b):
        # The shared ending says nothing: Igorevich and Viktorovich name different fathers.
        return fuzz.ratio(patronymic_stem(a), patronymic_stem(b)) / 100.0
    return fuzz.ratio(a, b) / 100.0


@lru_cache(maxsize=65536)
def _skel_sim(a: str, b: str) -> float:
    return 1.0 if a == b else (fuzz.ratio(a, b) / 100.0) ** 2


def _align(qt: tuple[str, ...], ct: tuple[str, ...],
           sim: Callable[[str, str], float] = word_sim) -> tuple[float, list[tuple[int, int, float]]]:
    return _align_by(len(qt), len(ct), lambda i, j: sim(qt[i], ct[j]))


def _align_by(nq: int, nc: int, sim: Callable[[int, int], float]) -> tuple[float, list[tuple[int, int, float]]]:
    """Words aligned one to one, best pairs first; the score weighs the words left without a
    counterpart: the subject's fully, the list's less (lists carry more names than documents)."""
    pairs = sorted(((sim(i, j), i, j) for i in range(nq) for j in range(nc)), reverse=True)
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
    missing_first = 0 not in used_c and nc > 2
    denom = len(matched) + EXTRA_QUERY_WORD * (nq - len(matched)) + \
        EXTRA_LIST_WORD * (nc - len(matched) - missing_first) + EXTRA_LIST_FIRST * missing_first
    return (sum(s for *_x, s in matched) / denom if denom else 0.0), matched


def _parts(ct: tuple[str, ...], family: tuple[str, ...], matched: list[tuple[int, int, float]]) -> tuple[Part, ...]:
    by_c = {j: (i, s) for i, j, s in matched}
    return tuple(Part(tok, "family" if tok in family else ("given" if family else "name"),
                      round(by_c.get(j, (-1, 0.0))[1], 3), by_c.get(j, (-1, 0.0))[0]) for j, tok in enumerate(ct))


def _pair_sim(qt: tuple[str, ...], qs: tuple[str, ...], ct: tuple[str, ...], cs: tuple[str, ...]) \
        -> Callable[[int, int], float]:
    """Word similarity by position, the consonant skeletons (Arabic spellings) counting where they
    agree better than the letters."""
    def sim(i: int, j: int) -> float:
        return max(word_sim(qt[i], ct[j]), _skel_sim(qs[i], cs[j]) * SKELETON_FACTOR)
    return sim


def _family_agrees(qt: tuple[str, ...], ct: tuple[str, ...], q_fam: tuple[int, ...], c_fam: tuple[int, ...],
                   matched: list[tuple[int, int, float]]) -> bool:
    """Both names show their family name: each family word of the side showing fewer must align
    with a family word of the other (SEMENOVA is not SMIRNOVA; LOPEZ MORENO is not LOPEZ MARTIN),
    and double family names aligned crosswise (RODRIGUEZ FERNANDEZ / HERNANDEZ RODRIGUEZ) must be
    the same words, not merely near spellings."""
    by_q = {i: (j, s) for i, j, s in matched}
    fam_pairs = [(i, by_q[i][0], by_q[i][1]) for i in q_fam if i in by_q and by_q[i][0] in c_fam]
    shorter = min(len(q_fam), len(c_fam))
    if sum(s >= FAMILY_MIN for *_x, s in fam_pairs) < shorter:
        return False
    if len(fam_pairs) >= 2:
        order_q = [i for i, _j, _s in sorted(fam_pairs)]
        order_c = [i for i, _j, _s in sorted(fam_pairs, key=lambda p: p[1])]
        if order_q != order_c and any(s < 0.98 for *_x, s in fam_pairs):
            return False
    return True


@lru_cache(maxsize=65536)
def _roles(tokens: tuple[str, ...], family: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Positions of the family-name words and of the patronymics."""
    return (tuple(i for i, t in enumerate(tokens) if t in family),
            tuple(i for i, t in enumerate(tokens) if is_patronymic(t)))


@lru_cache(maxsize=16384)
def _orderings(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The first four words joined in every order, the rest after them."""
    tail = "".join(tokens[4:])
    return tuple(dict.fromkeys("".join(p) + tail for p in permutations(tokens[:4])))


def _latin(q: NameForm, c: NameForm) -> Comparison:
    qt, ct = q.tokens, c.tokens
    if not qt or not ct:
        return NONE
    qs = q.skeleton if len(q.skeleton) == len(qt) else qt
    cs = c.skeleton if len(c.skeleton) == len(ct) else ct
    if q.translit == "arabic" or c.translit == "arabic":
        score, matched = _align_by(len(qt), len(ct), _pair_sim(qt, qs, ct, cs))
        method = "skeleton"
    else:
        score, matched = _align(qt, ct)
        method = "tokens"
        if (score < 0.999 and len(qt) >= 3 and len(ct) >= 3 and sum(map(len, qt + ct)) >= 5 * len(qt + ct)
                and not _roles(qt, q.family)[1] and not _roles(ct, c.family)[1]):
            # Spelling variants of long (Arabic, Persian ...) names; not for short syllables,
            # whose skeletons collide (Huang / Heng), nor for Slavic names, whose vowels are
            # written (OLGA is not OLEG).
            s_score, s_matched = _align_by(len(qt), len(ct), _pair_sim(qt, qs, ct, cs))
            if s_score > score:
                score, matched, method = s_score, s_matched, "skeleton"
    q_fam, q_pat = _roles(qt, q.family)
    c_fam, c_pat = _roles(ct, c.family)
    if q_fam and c_fam:
        # Both show the family name: it must be that name, not merely the nearest.
        if not _family_agrees(qt, ct, q_fam, c_fam, matched):
            score *= SURNAME_MISMATCH
            method = "family_mismatch"
    elif q_fam or c_fam:
        # One side shows its family name: its counterpart must be that name, not a near spelling
        # (PANG YAN is not WANG Yan).
        fam_pairs = [s for i, j, s in matched if i in q_fam or j in c_fam]
        if not fam_pairs or max(fam_pairs) < FAMILY_MIN:
            score *= SURNAME_MISMATCH
            method = "family_mismatch"
    if q_pat and c_pat and not any(i in q_pat and j in c_pat and s >= FAMILY_MIN for i, j, s in matched):
        # Both give the father's name and it differs: another family member, or another person.
        score *= PATRONYMIC_MISMATCH
        method = "patronymic_mismatch"
    if score < 0.999 and method != "patronymic_mismatch" and len(qt) != len(ct) and len(qt) <= 5:
        # Names split differently ("Abdul Rahman" / "Abdulrahman", family names included): the
        # same letters joined.
        joined_c = "".join(ct)
        lq, lc = sum(map(len, qt)), len(joined_c)
        # fuzz.ratio cannot reach JOINED_MIN when the lengths differ this much: skip the orderings.
        ratio = 0.0 if 2 * min(lq, lc) < JOINED_MIN * (lq + lc) else \
            max(fuzz.ratio(p, joined_c) for p in _orderings(qt)) / 100.0
        if ratio >= JOINED_MIN and ratio * JOINED_FACTOR > score:
            return Comparison(ratio * JOINED_FACTOR, "orderings", tuple(Part(t, "name", round(ratio * JOINED_FACTOR, 3),
                                                                             -1) for t in ct))
    return Comparison(score, method, (), lambda: _parts(ct, c.family, matched))


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


def _splits(latin: NameForm) -> list[tuple[str, tuple[str, ...], float]]:
    """(family, given words, prior) readings of a Latin name that may spell a Chinese one."""
    words = latin.words or latin.tokens
    if latin.family:
        fam = "".join(w for w in words if w in latin.family)
        return [(fam, tuple(w for w in words if w not in latin.family), 1.0)]
    if len(words) == 1:
        return [(words[0], (), 1.0)]
    doubt = FAMILY_LAST_DOUBT if words[0] in _surname_pinyin() else 1.0
    out = [(words[0], tuple(words[1:]), 1.0), (words[-1], tuple(words[:-1]), doubt)]
    if len(words) >= 3:
        out.append(("".join(words[:2]), tuple(words[2:]), 1.0))  # AU YEUNG Ka Fai
    return out


def _given_sim(latin_words: tuple[str, ...], syllables: tuple[str, ...]) -> float:
    """Squared similarity of a given name: syllable by syllable when the Latin name writes one
    word per character (each syllable is a character: MIN Ying is not MEI Ying), else joined."""
    if not latin_words and not syllables:
        return 1.0
    if len(latin_words) == len(syllables) > 1:
        pairs = zip(latin_words, syllables, strict=True)
        return sum((fuzz.ratio(w, s) / 100.0) ** 2 for w, s in pairs) / len(syllables)
    return (fuzz.ratio("".join(latin_words), "".join(syllables)) / 100.0) ** 2


def _latin_han(latin: NameForm, han: NameForm, latin_is_list: bool) -> Comparison:
    best, system = 0.0, "pinyin"
    best_parts: tuple[Part, ...] = ()
    splits = _splits(latin)
    for sys_, fam, given in chinese.romanised_syllables(han.han):
        for lf, lg, prior in splits:
            # Squared: one syllable off in a short Chinese name is another name, not a typo.
            sf = (fuzz.ratio(lf, fam) / 100.0) ** 2
            sg = _given_sim(lg, given)
            score = (FAMILY_WEIGHT * sf + (1 - FAMILY_WEIGHT) * sg) * prior
            if sf < CHINESE_FAMILY_MIN:
                score *= SURNAME_MISMATCH
            if score > best:
                best, system = score, sys_
                best_parts = ((Part(lf, "family", round(sf, 3), 0), Part("".join(lg), "given", round(sg, 3), 1))
                              if latin_is_list else (Part(fam, "family", round(sf, 3), 0),
                                                     Part("".join(given), "given", round(sg, 3), 1)))
    return Comparison(best, system, best_parts)


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
