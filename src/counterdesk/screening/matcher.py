"""Scoring a subject against candidate list entries: name similarity plus reasoned adjustments.

Name similarity (0..1) is the best of
  * characters: Han characters compared as written (王晓明 / 王小明),
  * tokens: distinctive words aligned in any order, each to its closest counterpart (typos allowed),
    generic words (CO, LTD, 有限公司 ...) weighing 0.15 of a distinctive one,
  * orderings: all tokens joined in every order, for names split differently ("Abdul Rahman" /
    "Abdulrahman", "Xiao Ming Wang" / "WANG Xiaoming"); used when the token counts differ.
Chinese script is also compared through pinyin; a pinyin-only agreement between two Han names
(homophones) counts 0.95. Adjustments: date of birth, nationality, document number, weak alias.
Every hit carries the breakdown and a bilingual explanation. Change MATCHER_VERSION with any change
to the scoring, so stored screenings say which rules produced them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process

from counterdesk.base.text import Text
from counterdesk.screening.countries import to_alpha2
from counterdesk.screening.index import IndexedEntry, MatchIndex
from counterdesk.screening.normalise import NameForm, name_form
from counterdesk.screening.parsers.common import doc_number

MATCHER_VERSION = "cd-match-2026.1"

GENERIC_WEIGHT = 0.15
HOMOPHONE_FACTOR = 0.95
NAME_FLOOR = 0.55  # below this a name is not considered similar at all (documents aside)
MAX_HITS = 20

DOB_EXACT, DOB_YEAR, DOB_CONFLICT = 0.08, 0.04, -0.20
NAT_MATCH, NAT_CONFLICT = 0.04, -0.08
DOC_MATCH = 0.35
DOC_ONLY_MIN_LEN = 6  # shorter numbers collide across countries too often to stand alone
WEAK_ALIAS = -0.05

METHODS = {
    "exact": Text("完全一致", "identical"),
    "characters": Text("汉字比对", "Chinese characters"),
    "pinyin": Text("拼音比对", "via pinyin"),
    "tokens": Text("逐词比对，词序不限", "word by word, any order"),
    "orderings": Text("连写比对", "joined spelling"),
    "document": Text("仅证件号码", "document number only"),
}
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

    @property
    def explanation(self) -> Text:
        kind = NAME_TYPES.get(self.matched_name_type, NAME_TYPES["primary"])
        method = METHODS.get(self.method, METHODS["tokens"])
        zh = [f"名单 {self.list_source} 条目 {self.entry_ref}：与{kind.zh}“{self.matched_name}”相似度 "
              f"{self.name_score:.2f}（{method.zh}）"]
        en = [f"{self.list_source} entry {self.entry_ref}: {kind.en} \"{self.matched_name}\" similarity "
              f"{self.name_score:.2f} ({method.en})"]
        for adj in self.adjustments:
            zh.append(f"{adj.text.zh} {adj.delta:+.2f}")
            en.append(f"{adj.text.en} {adj.delta:+.2f}")
        zh.append(f"综合得分 {self.score:.2f}")
        en.append(f"score {self.score:.2f}")
        return Text("；".join(zh) + "。", "; ".join(en) + ".")

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["adjustments"] = [{"code": a.code, "delta": a.delta, "zh": a.text.zh, "en": a.text.en}
                              for a in self.adjustments]
        out["explanation"] = {"zh": self.explanation.zh, "en": self.explanation.en}
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Hit:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k != "adjustments"}
        return cls(**fields, adjustments=tuple(Adjustment(a["code"], a["delta"]) for a in data["adjustments"]))


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


def name_similarity(q: NameForm, c: NameForm) -> tuple[float, str]:
    """(similarity 0..1, method) of two names in comparable form."""
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
        if q.han and c.han:
            tokens *= HOMOPHONE_FACTOR  # same sound, different characters: likely, not certain
    if chars >= tokens:
        return chars, "characters"
    return tokens, method


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
    if name_type == "weak_alias":
        out.append(Adjustment("weak_alias", WEAK_ALIAS))
    return out


# ---- the whole match ----------------------------------------------------------------------------
def make_query(names: list[str], birth_date: date | None = None, nationality: str | None = None,
               documents: list[str] | None = None) -> Query:
    clean_names = [str(n) for n in names if str(n).strip()][:10]
    return Query(tuple(name_form(n, "person") for n in clean_names),
                 tuple(name_form(n, "entity") for n in clean_names),
                 birth_date, to_alpha2(nationality) if nationality else None,
                 tuple(d for d in (doc_number(x) for x in documents or []) if len(d) >= 3))


def match(index: MatchIndex, query: Query, threshold: float) -> list[Hit]:
    """Hits at or above ``threshold``, best first (at most MAX_HITS)."""
    # Best name per entry among the candidate names.
    best: dict[int, tuple[float, str, int, int]] = {}  # entry -> (name score, method, name pos, query idx)
    for n_id in index.candidates(list(query.forms + query.entity_forms)):
        e_i = index.name_entry[n_id]
        form = index.forms[n_id]
        forms = query.forms if index.entries[e_i].kind == "person" else query.entity_forms
        for q_i, q in enumerate(forms):
            score, method = name_similarity(q, form)
            if score >= NAME_FLOOR and score > best.get(e_i, (0.0,))[0]:
                best[e_i] = (score, method, index.name_pos[n_id], q_i)
    # A document number on the list is a potential hit whatever the name (names change, documents
    # less so); the closest of the entry's names is shown with it.
    for e_i in index.by_document([d for d in query.documents if len(d) >= DOC_ONLY_MIN_LEN]):
        if e_i in best:
            continue
        entry = index.entries[e_i]
        forms = query.forms if entry.kind == "person" else query.entity_forms
        scored = [(name_similarity(q, name_form(text, entry.kind))[0], pos, q_i)
                  for pos, (text, _t, _s) in enumerate(entry.names) for q_i, q in enumerate(forms)] or [(0.0, 0, -1)]
        score, pos, q_i = max(scored)
        best[e_i] = (score, "document", pos, q_i)
    ranked: list[tuple[float, Hit]] = []
    for e_i, (name_score, method, pos, q_i) in best.items():
        entry = index.entries[e_i]
        text, name_type, script = entry.names[pos]
        adjs = adjustments_for(query, entry, name_type)
        raw = name_score + sum(a.delta for a in adjs)
        score = round(max(0.0, min(1.0, raw)), 4)  # shown 0..1; ranking uses the raw total
        if score >= threshold or method == "document":
            ranked.append((raw, Hit(entry.list_id, entry.list_source, entry.list_sha256, entry.ref, entry.kind, score,
                                    round(name_score, 4), method, text, name_type, script, q_i, tuple(adjs),
                                    entry.programs)))
    ranked.sort(key=lambda rh: (-rh[0], rh[1].list_source, rh[1].entry_ref))
    return [h for _, h in ranked[:MAX_HITS]]
