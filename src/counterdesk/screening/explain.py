"""Why a hit was raised, as rows a review screen can show: the per-part alignment of the list's name
and each feature's contribution to the score. Built from the stored hit only (the subject's words
are referred to by position, as the stored hit keeps no personal data)."""
from __future__ import annotations

from dataclasses import dataclass

from counterdesk.base.text import Text
from counterdesk.screening.matcher import METHODS, NAME_TYPES, ROLES, Hit

CONFLICTS = ("dob_conflict", "nationality_conflict", "gender_conflict")


@dataclass(frozen=True)
class PartRow:
    role: Text
    list_part: str
    subject_word: int | None  # 1-based position in the subject's name; None: nothing aligned
    score: float


@dataclass(frozen=True)
class Contribution:
    label: Text
    delta: float  # the name's row holds the name similarity itself


@dataclass(frozen=True)
class Breakdown:
    heading: Text
    parts: tuple[PartRow, ...]
    contributions: tuple[Contribution, ...]
    score: float
    verdict: Text  # what raised the hit, against the threshold


def breakdown(hit: Hit, threshold: float) -> Breakdown:
    kind = NAME_TYPES.get(hit.matched_name_type, NAME_TYPES["primary"])
    method = METHODS.get(hit.method, METHODS["tokens"])
    heading = Text(f"{hit.list_source} · {hit.entry_ref} · {kind.zh}“{hit.matched_name}”",
                   f"{hit.list_source} · {hit.entry_ref} · {kind.en} “{hit.matched_name}”")
    parts = tuple(PartRow(ROLES.get(p.role, ROLES["name"]), p.list_part,
                          p.query_pos + 1 if p.query_pos >= 0 else None, p.score) for p in hit.parts)
    name = (Text(f"姓名相似度（{method.zh}）", f"name similarity ({method.en})") if hit.basis == "name"
            else Text("姓名相似度", "name similarity"))
    rows = [Contribution(name, hit.name_score)]
    rows += [Contribution(a.text, a.delta) for a in hit.adjustments]
    if hit.basis == "document":
        verdict = Text(f"姓名相似度 {hit.name_score:.2f} 未达阈值 {threshold:.2f}；因证件号码完全一致而提示",
                       f"the name ({hit.name_score:.2f}) is below the threshold {threshold:.2f}; "
                       "raised by the identical document number")
    elif any(a.code in CONFLICTS for a in hit.adjustments):
        verdict = Text(f"姓名达到阈值 {threshold:.2f}，须复核；不符之处只降低优先级，不能放行",
                       f"the name reaches the threshold {threshold:.2f}, so it is reviewed; "
                       "the conflicts lower its priority but cannot clear it")
    else:
        verdict = Text(f"姓名达到阈值 {threshold:.2f}，须复核", f"the name reaches the threshold {threshold:.2f}")
    return Breakdown(heading, parts, tuple(rows), hit.score, verdict)
