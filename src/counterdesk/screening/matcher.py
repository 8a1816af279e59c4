"""Scoring a subject against candidate list entries: the name decides, the other features rank.

Persons are compared part by part (counterdesk.screening.persons: family and given names, Chinese
characters and their romanisations, transliterated scripts); organisations by their distinctive
words in any order, generic words (CO, LTD, 有限公司 ...) weighing 0.15 of a distinctive one, and
joined in every order for names split differently.

When the subject and the entry both have a name in Chinese characters, the characters decide: a
pinyin spelling shared by two different names (王大为 / 王大伟) is not a match.

A hit is raised by the NAME alone (name score at or above the threshold, a weak alias counting
less) or by an identical document number. Date of birth, nationality, gender and document are
secondary features: each is shown with its own contribution and moves the score that orders the
hits, but never raises a weak name over the threshold nor hides a strong one: an exact name with a
conflicting date of birth goes to review, the conflict explained. Scores are not clamped.
Every hit carries the per-part alignment and a bilingual explanation. Change MATCHER_VERSION with
any change to the scoring, so stored screenings say which rules produced them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process

from counterdesk.base.text import Text
from counterdesk.screening import persons
from counterdesk.screening.countries import to_alpha2
from counterdesk.screening.index import IndexedEntry, MatchIndex
from counterdesk.screening.normalise import NameForm, name_form
from counterdesk.screening.parsers.common import GENDERS, doc_number

MATCHER_VERSION = "cd-match-2026.4"

GENERIC_WEIGHT = 0.15
NAME_FLOOR = 0.55  # below this a name is not considered similar at all (documents aside)
MAX_HITS = 20

DOB_EXACT, DOB_YEAR, DOB_CONFLICT = 0.03, 0.01, -0.10
NAT_MATCH, NAT_CONFLICT = 0.01, -0.03
GENDER_CONFLICT = -0.10  # a recorded sex that differs weighs as much as a date of birth far off
DOC_MATCH = 0.35
DOC_ONLY_MIN_LEN = 6  # shorter numbers collide across countries too often to stand alone
WEAK_ALIAS = -0.05
IDENTICAL_NAME = 0.98  # identical, or spelled as an equivalent (Muhammad / Mohammed)
# Methods that establish the name itself. A romanisation shared by a listed name (CHAN Tai Man)
# and the subject's characters is not: many different names in characters spell alike.
IDENTITY_METHODS = frozenset(("exact", "characters", "tokens"))
# The conflicts that weigh against a name that is not identical. Nationality is not among them:
# people hold and change citizenships, and a listed person travelling on another passport is
# exactly what screening is for.
BASIS_CONFLICTS = ("dob_conflict", "gender_conflict")

METHODS = {
    "exact": Text("完全一致", "identical"),
    "characters": Text("汉字比对", "Chinese characters"),
    "pinyin": Text("拼音比对", "via pinyin"),
    "tokens": Text("逐词比对，词序不限", "word by word, any order"),
    "orderings": Text("连写比对", "joined spelling"),
    "document": Text("仅证件号码", "document number only"),
    "wade_giles": Text("威妥玛拼音比对", "via Wade-Giles"),
    "hk": Text("香港粤语拼写比对", "via Hong Kong (Cantonese) spelling"),
    "macau": Text("澳门拼写比对", "via Macau spelling"),
    "skeleton": Text("辅音骨架比对（转写）", "consonant skeleton (transliterated)"),
    "family_mismatch": Text("姓氏不符", "family names differ"),
    "patronymic_mismatch": Text("父称不符", "patronymics differ"),
}
ROLES = {"family": Text("姓", "family name"), "given": Text("名", "given name"), "name": Text("名称部分", "name part")}
NAME_TYPES = {"primary": Text("主名称", "name"), "alias": Text("别名", "alias"),
              "weak_alias": Text("弱别名", "weak alias")}
ADJUSTMENTS = {
    "dob_exact": Text("出生日期完全一致", "date of birth identical"),
    "dob_year": Text("出生年份一致", "same year of birth"),
    "dob_conflict": Text("出生日期不符", "date of birth differs"),
    "nationality_match": Text("国籍一致", "nationality matches"),
    "nationality_conflict": Text("国籍不符", "nationality differs"),
    "document_match": Text("证件号码完全一致", "document number identical"),
    "weak_alias": Text("匹配的是弱别名", "matched a weak alias"),
    "gender_conflict": Text("性别不符", "gender differs"),
}


@dataclass(frozen=True)
class Query:
    """A subject in comparable form, built once per screening by ``make_query``. Each name is kept
    twice: read as a person's name (for person entries) and as an organisation's, with generic
    words such as 有限公司 set apart (for entity entries)."""
    forms: tuple[NameForm, ...]
    entity_forms: tuple[NameForm, ...]
    birth_date: date | None
    nationality: str | None  # ISO alpha-2
    documents: tuple[str, ...]  # normalised numbers
    gender: str | None = None   # "male" | "female"


@dataclass(frozen=True)
class Adjustment:
    code: str
    delta: float

    @property
    def text(self) -> Text:
        return ADJUSTMENTS[self.code]


@dataclass(frozen=True)
class Hit:
    list_id: str
    list_source: str
    list_sha256: str
    entry_ref: str
    entry_kind: str
    score: float
    name_score: float
    method: str
    matched_name: str        # the list's name (public data), never the subject's
    matched_name_type: str
    matched_script: str
    query_name_index: int    # which of the subject's names matched (by position only)
    adjustments: tuple[Adjustment, ...]
    programs: str
    parts: tuple[persons.Part, ...] = ()  # the list name's parts and how each aligned
    basis: str = "name"                   # what raised the hit: "name" or "document"

    @property
    def explanation(self) -> Text:
        kind = NAME_TYPES.get(self.matched_name_type, NAME_TYPES["primary"])
        method = METHODS.get(self.method, METHODS["tokens"])
        zh = [f"名单 {self.list_source} 条目 {self.entry_ref}：与{kind.zh}“{self.matched_name}”相似度 "
              f"{self.name_score:.2f}（{method.zh}）"]
        en = [f"{self.list_source} entry {self.entry_ref}: {kind.en} \"{self.matched_name}\" similarity "
              f"{self.name_score:.2f} ({method.en})"]
        for p in self.parts:
            role = ROLES.get(p.role, ROLES["name"])
            zh.append(f"{role.zh}“{p.list_part}” {p.score:.2f}" if p.query_pos >= 0 else
                      f"{role.zh}“{p.list_part}” 无对应")
            en.append(f"{role.en} \"{p.list_part}\" {p.score:.2f}" if p.query_pos >= 0 else
                      f"{role.en} \"{p.list_part}\" not in the subject's name")
        for adj in self.adjustments:
            zh.append(f"{adj.text.zh} {adj.delta:+.2f}")
            en.append(f"{adj.text.en} {adj.delta:+.2f}")
        if any(a.delta < 0 and a.code in ("dob_conflict", "nationality_conflict", "gender_conflict")
               for a in self.adjustments) and self.basis == "name":
            zh.append("姓名已达阈值，须复核；不符之处降低其优先级")
            en.append("the name reaches the threshold, so it is reviewed; the conflict lowers its priority")
        zh.append(f"综合得分 {self.score:.2f}")
        en.append(f"score {self.score:.2f}")
        return Text("；".join(zh) + "。", "; ".join(en) + ".")

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["adjustments"] = [{"code": a.code, "delta": a.delta, "zh": a.text.zh, "en": a.text.en}
                              for a in self.adjustments]
        out["parts"] = [asdict(p) for p in self.parts]
        out["explanation"] = {"zh": self.explanation.zh, "en": self.explanation.en}
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Hit:
        """A stored hit; hits stored by earlier matcher versions have no parts and no basis."""
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k not in ("adjustments", "parts") and k in data}
        return cls(**fields, adjustments=tuple(Adjustment(a["code"], a["delta"]) for a in data["adjustments"]),
                   parts=tuple(persons.Part(**p) for p in data.get("parts", ())))


# ---- name similarity --------------------------------------------------------------------------
def _coverage(a: tuple[str, ...], a_generic: tuple[str, ...], pool: list[str]) -> float:
    """Weighted share of ``a``'s tokens found in ``pool`` (each token's best similarity)."""
    total = got = 0.0
    for toks, weight in ((a, 1.0), (a_generic, GENERIC_WEIGHT)):
        for tok in toks:
            best = process.extractOne(tok, pool, scorer=fuzz.ratio)
            got += weight * (best[1] / 100.0 if best else 0.0)
            total += weight
    return got / total if total else 0.0


def _token_score(q: NameForm, c: NameForm) -> tuple[float, str]:
    qt, ct = q.grouped or q.tokens, c.grouped or c.tokens
    if not qt or not ct:
        return 0.0, "tokens"
    q_cov = _coverage(qt, q.generic, list(ct + c.generic))
    c_cov = _coverage(ct, c.generic, list(qt + q.generic))
    short, long_ = (q_cov, c_cov) if len(qt) <= len(ct) else (c_cov, q_cov)
    aligned = 0.6 * short + 0.4 * long_
    if len(qt) == len(ct):
        return aligned, "tokens"
    joined = process.extractOne("".join(ct), q.orderings(), scorer=fuzz.ratio)
    joined_score = joined[1] / 100.0 if joined else 0.0
    return (joined_score, "orderings") if joined_score > aligned else (aligned, "tokens")


def entity_similarity(q: NameForm, c: NameForm) -> tuple[float, str]:
    """(similarity 0..1, method) of two organisation names."""
    if q.empty or c.empty:
        return 0.0, "tokens"
    if q.han and c.han and q.han == c.han:
        return 1.0, "exact"
    if q.tokens == c.tokens and q.generic == c.generic and not (q.han or c.han):
        return 1.0, "exact"
    chars = fuzz.ratio(q.han, c.han) / 100.0 if q.han and c.han else 0.0
    tokens, method = _token_score(q, c)
    if q.han or c.han:
        method = "pinyin"
    if chars >= tokens:
        return chars, "characters"
    return tokens, method


def compare(q: NameForm, c: NameForm, kind: str) -> persons.Comparison:
    if kind == "person":
        return persons.compare(q, c)
    score, method = entity_similarity(q, c)
    return persons.Comparison(score, method)


def name_similarity(q: NameForm, c: NameForm) -> tuple[float, str]:
    """(similarity 0..1, method) of two names in comparable form (as persons unless both forms
    were made as organisation names)."""
    cmp = compare(q, c, "person" if q.words or c.words or q.romanised or c.romanised or
                  not (q.generic or c.generic) else "entity")
    return cmp.score, cmp.method


# ---- adjustments ------------------------------------------------------------------------------
def _dob_adjustment(subject: date, listed: tuple[str, ...]) -> Adjustment | None:
    """Exact date raises most; a listed year (or year range) containing the subject's raises less;
    within a year either way is neutral (lists often give approximate years); further off lowers."""
    states = set()
    for value in listed:
        if value == subject.isoformat():
            return Adjustment("dob_exact", DOB_EXACT)
        try:
            lo, hi = ((int(x) for x in value.split("..")) if ".." in value else (int(value[:4]),) * 2)
        except ValueError:
            continue
        if lo <= subject.year <= hi:
            states.add("year")
        elif min(abs(subject.year - lo), abs(subject.year - hi)) <= 1:
            states.add("near")
        else:
            states.add("far")
    if "year" in states:
        return Adjustment("dob_year", DOB_YEAR)
    if states == {"far"}:
        return Adjustment("dob_conflict", DOB_CONFLICT)
    return None


def adjustments_for(query: Query, entry: IndexedEntry, name_type: str) -> list[Adjustment]:
    out: list[Adjustment] = []
    if query.documents and set(query.documents) & set(entry.documents):
        out.append(Adjustment("document_match", DOC_MATCH))
    if query.birth_date and entry.birth_dates and entry.kind == "person":
        adj = _dob_adjustment(query.birth_date, entry.birth_dates)
        if adj:
            out.append(adj)
    if query.nationality and entry.nationalities:
        if query.nationality in entry.nationalities:
            out.append(Adjustment("nationality_match", NAT_MATCH))
        else:
            out.append(Adjustment("nationality_conflict", NAT_CONFLICT))
    listed_gender = GENDERS.get(str(entry.gender).casefold()) if entry.gender else None
    if query.gender and listed_gender and query.gender != listed_gender and entry.kind == "person":
        out.append(Adjustment("gender_conflict", GENDER_CONFLICT))
    if name_type == "weak_alias":
        out.append(Adjustment("weak_alias", WEAK_ALIAS))
    return out


# ---- the whole match ----------------------------------------------------------------------------
def make_query(names: list[str], birth_date: date | None = None, nationality: str | None = None,
               documents: list[str] | None = None, gender: str | None = None) -> Query:
    clean_names = [str(n) for n in names if str(n).strip()][:10]
    return Query(tuple(name_form(n, "person") for n in clean_names),
                 tuple(name_form(n, "entity") for n in clean_names),
                 birth_date, to_alpha2(nationality) if nationality else None,
                 tuple(d for d in (doc_number(x) for x in documents or []) if len(d) >= 3),
                 GENDERS.get(str(gender).casefold()) if gender else None)


def _best_name(index: MatchIndex, query: Query, e_i: int) -> tuple[persons.Comparison, int, int]:
    """The entry's best-matching name: (comparison, name position, subject's name index). When both
    sides have a name in Chinese characters, only those are compared: the characters decide."""
    entry = index.entries[e_i]
    forms = query.forms if entry.kind == "person" else query.entity_forms
    n_ids = index.entry_names[e_i]
    if entry.kind == "person" and any(f.han for f in forms) and any(index.forms[n].han for n in n_ids):
        pairs = [(q_i, q, n) for q_i, q in enumerate(forms) if q.han for n in n_ids if index.forms[n].han]
    elif entry.kind == "person" and any(f.romanised for f in forms):
        # The subject's Latin name spells its Chinese one; the characters say which part is the
        # family name, so they are what is compared (应丽 is not LI Ying).
        pairs = [(q_i, q, n) for q_i, q in enumerate(forms) if q.romanised or not q.words for n in n_ids]
    else:
        pairs = [(q_i, q, n) for q_i, q in enumerate(forms) for n in n_ids]
    best, pos, q_best = persons.NONE, 0, -1
    for q_i, q, n in pairs:
        cmp = compare(q, index.forms[n], entry.kind)
        if cmp.score > best.score:
            best, pos, q_best = cmp, index.name_pos[n], q_i
    return best, pos, q_best


def identical(cmp: persons.Comparison) -> bool:
    """The subject's name is the listed name (or an equivalent spelling of it), not merely close."""
    return cmp.score >= IDENTICAL_NAME and cmp.method in IDENTITY_METHODS


def match(index: MatchIndex, query: Query, threshold: float) -> list[Hit]:
    """Hits whose name reaches ``threshold`` (or whose document number is identical), ordered by
    their score with the secondary features (at most MAX_HITS)."""
    entries: dict[int, None] = {}
    for n_id in index.candidates(list(query.forms + query.entity_forms)):
        entries[index.name_entry[n_id]] = None
    documents = index.by_document([d for d in query.documents if len(d) >= DOC_ONLY_MIN_LEN])
    for e_i in documents:
        entries[e_i] = None
    ranked: list[tuple[float, Hit]] = []
    for e_i in entries:
        cmp, pos, q_i = _best_name(index, query, e_i)
        entry = index.entries[e_i]
        text, name_type, script = entry.names[pos]
        adjs = adjustments_for(query, entry, name_type)
        basis_score = cmp.score + (WEAK_ALIAS if name_type == "weak_alias" else 0.0)
        if not identical(cmp):
            # A conflicting date of birth or gender counts against a name that is not identical
            # (never for it: agreements only order the hits); an identical name is still
            # reviewed, the conflict explained and lowering its priority.
            basis_score += sum(a.delta for a in adjs if a.code in BASIS_CONFLICTS)
        by_name = cmp.score >= NAME_FLOOR and basis_score >= threshold
        if not by_name and e_i not in documents:
            continue
        raw = cmp.score + sum(a.delta for a in adjs)
        method = cmp.method if by_name else "document"
        ranked.append((raw, Hit(entry.list_id, entry.list_source, entry.list_sha256, entry.ref, entry.kind,
                                round(raw, 4), round(cmp.score, 4), method, text, name_type, script, q_i,
                                tuple(adjs), entry.programs, cmp.parts, "name" if by_name else "document")))
    ranked.sort(key=lambda rh: (-rh[0], rh[1].list_source, rh[1].entry_ref))
    return [h for _, h in ranked[:MAX_HITS]]
