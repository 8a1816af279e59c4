"""Scored questionnaires (kind "questionnaire"), e.g. the risk-tolerance questionnaire.

A questionnaire file is an ordinary form definition (sections of single-choice fields, so screens and
paper render it like any form) plus scoring data the generic parser does not know:

- ``factor`` on every question: which regulatory factor it covers (all of ``REQUIRED_FACTORS``);
- ``score`` on every option (a non-negative integer), ``age_range`` [min, max] on age options;
- top-level ``scoring``: ``bands`` (grades C1-C5 with names and inclusive score ranges), optional
  ``lowest_category`` (answers meaning "unwilling to bear any loss") and ``contradictions``
  (answer combinations that cannot both be true; the grade waits until the customer re-answers).

The scoring keys are stripped before ``parse_form`` checks the rest, so every generic rule still
applies, and the content hash is taken over the whole file: changing a score changes the hash.
Validation refuses (FormDefinitionError with coded problems): an unscored option, a missing factor,
bands that leave a gap, overlap, or reach outside the possible score range [min, max].
"""
from __future__ import annotations

import copy
import hashlib
import itertools
import json
import threading
from dataclasses import dataclass, replace
from typing import Any, TypeGuard

from counterdesk.base.text import Problem, Text
from counterdesk.forms.definition import Checker, Form, FormDefinitionError, canonical_json, parse_form

KIND = "questionnaire"
# Factors the law requires every risk questionnaire to cover (商业银行理财产品销售管理办法 2011 Art 28;
# domain-rules.md §3).
REQUIRED_FACTORS = ("age", "financial_situation", "investment_experience", "investment_purpose",
                    "return_expectation", "risk_preference", "liquidity_needs", "risk_awareness", "loss_tolerance")
FACTOR_NAMES = {
    "age": Text("年龄", "Age"),
    "financial_situation": Text("财务状况", "Financial situation"),
    "investment_experience": Text("投资经验", "Investment experience"),
    "investment_purpose": Text("投资目的", "Investment purpose"),
    "return_expectation": Text("收益预期", "Return expectation"),
    "risk_preference": Text("风险偏好", "Risk preference"),
    "liquidity_needs": Text("流动性要求", "Liquidity needs"),
    "risk_awareness": Text("风险认识", "Risk awareness"),
    "loss_tolerance": Text("风险损失承受程度", "Loss tolerance"),
}
GRADES = ("C1", "C2", "C3", "C4", "C5")  # at least five grades (domain-rules.md §3)

_SCORING_PROPS = {"bands", "lowest_category", "contradictions"}


@dataclass(frozen=True)
class Band:
    grade: str
    min: int
    max: int
    name: Text

    def contains(self, score: int) -> bool:
        return self.min <= score <= self.max


@dataclass(frozen=True)
class Clause:
    """Question ``question`` answered with one of ``values``."""

    question: str
    values: tuple[str, ...]

    def holds(self, answers: dict[str, str]) -> bool:
        return answers.get(self.question) in self.values


@dataclass(frozen=True)
class ContradictionRule:
    code: str
    clauses: tuple[Clause, ...]  # all must hold
    text: Text

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(c.question for c in self.clauses)


@dataclass(frozen=True)
class LowestRule:
    clauses: tuple[Clause, ...]  # any one makes the customer "unwilling to bear any loss"
    text: Text


@dataclass(frozen=True)
class Question:
    key: str
    factor: str
    label: Text
    scores: dict[str, int]  # option value -> score
    age_ranges: dict[str, tuple[int, int]]  # age options only

    @property
    def min_score(self) -> int:
        return min(self.scores.values())

    @property
    def max_score(self) -> int:
        return max(self.scores.values())


@dataclass(frozen=True, eq=False)
class Questionnaire:
    form: Form  # kind "questionnaire"; hash over the whole file
    questions: tuple[Question, ...]
    bands: tuple[Band, ...]
    contradictions: tuple[ContradictionRule, ...]
    lowest: LowestRule | None

    @property
    def id(self) -> str:
        return self.form.id

    @property
    def version(self) -> int:
        return self.form.version

    @property
    def hash(self) -> str:
        return self.form.hash

    @property
    def ref(self) -> str:
        return self.form.ref

    @property
    def min_score(self) -> int:
        return sum(q.min_score for q in self.questions)

    @property
    def max_score(self) -> int:
        return sum(q.max_score for q in self.questions)

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    def band_for(self, score: int) -> Band:
        for band in self.bands:
            if band.contains(score):
                return band
        raise ValueError(f"score {score} outside [{self.min_score}, {self.max_score}]")

    def band(self, grade: str) -> Band:
        return next(b for b in self.bands if b.grade == grade)

    def age_question(self) -> Question | None:
        return next((q for q in self.questions if q.factor == "age" and q.age_ranges), None)


def is_questionnaire(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == KIND


def parse_questionnaire(data: Any, source: str = "<memory>") -> Questionnaire:
    """Parse and validate a questionnaire definition; FormDefinitionError lists every defect."""
    ck = Checker()
    if not is_questionnaire(data):
        ck.add("$.kind", "bad_value", "问卷的类别须为 questionnaire", "a questionnaire has kind 'questionnaire'")
        raise FormDefinitionError(source, ck.problems)
    # The generic part: strip what only questionnaires have, let the form parser check the rest.
    plain = copy.deepcopy(data)
    plain["kind"] = "form"
    scoring = plain.pop("scoring", None)
    raw_fields: list[tuple[str, dict[str, Any]]] = []
    for si, section in enumerate(plain.get("sections") or []):
        if not isinstance(section, dict):
            continue
        for fi, f in enumerate(section.get("fields") or []):
            if isinstance(f, dict):
                raw_fields.append((f"$.sections[{si}].fields[{fi}]", copy.deepcopy(f)))
                f.pop("factor", None)
                for o in f.get("options") or []:
                    if isinstance(o, dict):
                        o.pop("score", None)
                        o.pop("age_range", None)
    try:
        form = parse_form(plain, source)
    except FormDefinitionError as exc:
        ck.problems.extend(exc.problems)
        form = None

    questions = _questions(ck, raw_fields)
    keys = {q.key: q for q in questions}
    covered = {q.factor for q in questions}
    for factor in REQUIRED_FACTORS:
        if factor not in covered:
            name = FACTOR_NAMES[factor]
            ck.add("$.sections", "factor_missing", f"问卷未覆盖必需因素“{name.zh}”",
                   f"no question covers the required factor '{factor}'")

    bands: tuple[Band, ...] = ()
    lowest: LowestRule | None = None
    contradictions: tuple[ContradictionRule, ...] = ()
    if not isinstance(scoring, dict):
        ck.add("$.scoring", "missing", "缺少评分规则（scoring）", "the scoring section is missing")
    else:
        ck.props(scoring, _SCORING_PROPS, "$.scoring")
        complete = len(questions) == len(raw_fields) and bool(questions)
        lo = sum(q.min_score for q in questions) if complete else None
        hi = sum(q.max_score for q in questions) if complete else None
        bands = _bands(ck, scoring.get("bands"), lo, hi)
        if "lowest_category" in scoring:
            lowest = _lowest(ck, scoring["lowest_category"], keys)
        contradictions = _contradictions(ck, scoring.get("contradictions", []), keys)

    if ck.problems or form is None:
        raise FormDefinitionError(source, ck.problems)
    canonical = canonical_json(data)
    form = replace(form, kind=KIND, canonical=canonical, hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest())
    return Questionnaire(form, tuple(questions), bands, contradictions, lowest)


def _int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _questions(ck: Checker, raw_fields: list[tuple[str, dict[str, Any]]]) -> list[Question]:
    out = []
    for path, f in raw_fields:
        key = f.get("key")
        ok = True
        if f.get("type") != "choice":
            ck.add(f"{path}.type", "not_single_choice", "问卷的每道题须为单选题（choice）",
                   "every questionnaire question must be a single choice")
            ok = False
        if f.get("required") is not True:
            ck.add(f"{path}.required", "not_required", "问卷的每道题都须作答（required: true）",
                   "every questionnaire question must be required")
        factor = f.get("factor")
        if factor not in REQUIRED_FACTORS:
            ck.add(f"{path}.factor", "factor_unknown", f"题目须标明所属因素：{', '.join(REQUIRED_FACTORS)}",
                   f"a question must name its factor, one of: {', '.join(REQUIRED_FACTORS)}")
            ok = False
        scores: dict[str, int] = {}
        ages: dict[str, tuple[int, int]] = {}
        options = f["options"] if isinstance(f.get("options"), list) else []
        for oi, o in enumerate(options):
            if not isinstance(o, dict):
                continue
            opath = f"{path}.options[{oi}]"
            score = o.get("score")
            if not _int(score) or score < 0:
                ck.add(f"{opath}.score", "option_unscored", "每个选项须有非负整数分值（score）",
                       "every option needs a non-negative integer score")
                ok = False
            elif isinstance(o.get("value"), str):
                scores[o["value"]] = score
            if "age_range" in o:
                rng = o["age_range"]
                if factor != "age":
                    ck.add(f"{opath}.age_range", "unknown_property", "只有年龄题的选项可以有 age_range",
                           "only options of the age question have an age_range")
                elif (not isinstance(rng, list) or len(rng) != 2 or not all(_int(v) and v >= 0 for v in rng)
                      or rng[0] > rng[1]):
                    ck.add(f"{opath}.age_range", "bad_value", "age_range 须为 [最小年龄, 最大年龄]",
                           "age_range must be [min_age, max_age]")
                elif isinstance(o.get("value"), str):
                    ages[o["value"]] = (rng[0], rng[1])
        if factor == "age" and ages:
            spans = sorted(ages.values())
            for (_a_lo, a_hi), (b_lo, _b_hi) in itertools.pairwise(spans):
                if b_lo != a_hi + 1:
                    ck.add(f"{path}.options", "age_ranges_broken", "年龄段须首尾相接、互不重叠",
                           "the age ranges must follow one another without gaps or overlaps")
                    break
        label = f.get("label")
        if ok and scores and isinstance(key, str) and isinstance(label, dict):
            assert isinstance(factor, str)  # ok only when it is one of REQUIRED_FACTORS
            out.append(Question(key, factor, Text(str(label.get("zh")), str(label.get("en"))), scores, ages))
    return out


def _bands(ck: Checker, raw: Any, lo: int | None, hi: int | None) -> tuple[Band, ...]:
    path = "$.scoring.bands"
    if not isinstance(raw, list) or not raw:
        ck.add(path, "missing", "缺少等级分数段（bands）", "the grade bands are missing")
        return ()
    bands = []
    for i, b in enumerate(raw):
        bpath = f"{path}[{i}]"
        if not isinstance(b, dict):
            ck.add(bpath, "not_object", "分数段须为 JSON 对象", "a band must be a JSON object")
            continue
        ck.props(b, {"grade", "min", "max", "name"}, bpath)
        name = ck.text(b.get("name"), f"{bpath}.name")
        if not (_int(b.get("min")) and _int(b.get("max")) and b["min"] <= b["max"]):
            ck.add(bpath, "band_bad_range", "分数段须有整数 min ≤ max", "a band needs integers min <= max")
            continue
        if name is not None and isinstance(b.get("grade"), str):
            bands.append(Band(b["grade"], b["min"], b["max"], name))
    if len(bands) != len(raw):
        return ()
    if tuple(b.grade for b in bands) != GRADES:
        ck.add(path, "band_grades", f"等级须依次为 {'、'.join(GRADES)}，各一次",
               f"the grades must be {', '.join(GRADES)} in order, once each")
    ordered = sorted(bands, key=lambda b: (b.min, b.max))
    if [b.grade for b in ordered] != [b.grade for b in bands]:
        ck.add(path, "band_order", "分数段须按分数由低到高排列（C1 最低）",
               "bands must run from the lowest score (C1) to the highest")
    for a, b in itertools.pairwise(ordered):
        if b.min <= a.max:
            ck.add(path, "band_overlap", f"{a.grade} 与 {b.grade} 的分数段重叠",
                   f"bands {a.grade} and {b.grade} overlap")
        elif b.min > a.max + 1:
            ck.add(path, "band_gap", f"{a.grade} 与 {b.grade} 之间有分数（{a.max + 1}-{b.min - 1}）无对应等级",
                   f"scores {a.max + 1}-{b.min - 1} between {a.grade} and {b.grade} have no grade")
    if lo is not None and hi is not None:
        if ordered[0].min < lo or ordered[-1].max > hi:
            ck.add(path, "band_outside_range", f"分数段超出可能的总分范围 [{lo}, {hi}]",
                   f"bands reach outside the possible score range [{lo}, {hi}]")
        if ordered[0].min > lo:
            ck.add(path, "band_gap", f"最低总分 {lo} 至 {ordered[0].min - 1} 无对应等级",
                   f"scores {lo}-{ordered[0].min - 1} (from the lowest possible) have no grade")
        if ordered[-1].max < hi:
            ck.add(path, "band_gap", f"{ordered[-1].max + 1} 至最高总分 {hi} 无对应等级",
                   f"scores {ordered[-1].max + 1}-{hi} (up to the highest possible) have no grade")
    return tuple(bands)


def _clauses(ck: Checker, raw: Any, path: str, keys: dict[str, Question]) -> tuple[Clause, ...] | None:
    if not isinstance(raw, list) or not raw:
        ck.add(path, "bad_rule_value", "须为非空的条件数组", "must be a non-empty array of conditions")
        return None
    out = []
    for i, c in enumerate(raw):
        cpath = f"{path}[{i}]"
        if not isinstance(c, dict) or set(c) != {"question", "in"}:
            ck.add(cpath, "bad_rule_value", "条件须为 {\"question\", \"in\"}", "a condition is {\"question\", \"in\"}")
            return None
        q = keys.get(c["question"]) if isinstance(c["question"], str) else None
        if q is None:
            ck.add(f"{cpath}.question", "unknown_reference", f"引用了不存在的题目“{c['question']}”",
                   f"refers to unknown question '{c['question']}'")
            return None
        values = c["in"]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v in q.scores for v in values):
            ck.add(f"{cpath}.in", "bad_reference_value", f"题目“{q.key}”没有其中某个选项",
                   f"question '{q.key}' lacks one of these options")
            return None
        out.append(Clause(q.key, tuple(values)))
    return tuple(out)


def _lowest(ck: Checker, raw: Any, keys: dict[str, Question]) -> LowestRule | None:
    path = "$.scoring.lowest_category"
    if not isinstance(raw, dict):
        ck.add(path, "not_object", "lowest_category 须为 JSON 对象", "lowest_category must be a JSON object")
        return None
    ck.props(raw, {"any", "zh", "en"}, path)
    clauses = _clauses(ck, raw.get("any"), f"{path}.any", keys)
    text = ck.text({k: raw.get(k) for k in ("zh", "en")}, path)
    return LowestRule(clauses, text) if clauses and text else None


def _contradictions(ck: Checker, raw: Any, keys: dict[str, Question]) -> tuple[ContradictionRule, ...]:
    path = "$.scoring.contradictions"
    if not isinstance(raw, list):
        ck.add(path, "bad_value", "contradictions 须为数组", "contradictions must be an array")
        return ()
    out, codes = [], set()
    for i, r in enumerate(raw):
        rpath = f"{path}[{i}]"
        if not isinstance(r, dict):
            ck.add(rpath, "not_object", "矛盾规则须为 JSON 对象", "a contradiction rule must be a JSON object")
            continue
        ck.props(r, {"code", "all", "zh", "en"}, rpath)
        if not ck.key(r.get("code"), f"{rpath}.code"):
            continue
        if r["code"] in codes:
            ck.add(f"{rpath}.code", "duplicate_key", f"矛盾代码“{r['code']}”重复", f"duplicate code '{r['code']}'")
        codes.add(r["code"])
        clauses = _clauses(ck, r.get("all"), f"{rpath}.all", keys)
        text = ck.text({k: r.get(k) for k in ("zh", "en")}, rpath)
        if clauses and len({c.question for c in clauses}) < 2:
            ck.add(f"{rpath}.all", "bad_rule_value", "矛盾规则须涉及至少两道题",
                   "a contradiction involves two questions or more")
            continue
        if clauses and text:
            out.append(ContradictionRule(r["code"], clauses, text))
    return tuple(out)


# ---- loading --------------------------------------------------------------------------------------------

RISK_QUESTIONNAIRE_ID = "risk_questionnaire"
_cache: dict[str, Questionnaire] = {}
_lock = threading.Lock()


def questionnaire_from_form(form: Form) -> Questionnaire:
    """The scoring view of a loaded questionnaire Form (its canonical JSON is the whole file)."""
    with _lock:
        hit = _cache.get(form.hash)
    if hit is not None:
        return hit
    q = parse_questionnaire(json.loads(form.canonical), form.ref)
    with _lock:
        _cache[form.hash] = q
    return q


def problems_of(exc: FormDefinitionError) -> list[Problem]:
    return list(exc.problems)
