"""Screening a subject (customer or counter-session party) against the loaded lists.

    result = screen(vault, us, ScreenedPerson(["王晓明", "Wang Xiaoming"], date(1968, 3, 15), "CHN", ["E12345678"]),
                    subject_ref=customer_id)

The stored row is the evidence snapshot: list hashes, matcher version, threshold, status and hits
(list-side names and score breakdowns). The subject's own names, date of birth and documents are
not stored here: subject_ref points to where they already are. Screening refuses to clear when no
list is loaded or the current list of any source is older than sanctions.max_list_age_days.
The matching itself runs on the calling thread (a worker in the GUI), not on the database writer.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.settings import SANCTIONS_MATCH_THRESHOLD, SANCTIONS_MAX_LIST_AGE_DAYS
from counterdesk.base.text import CounterDeskError, Result, Text, ValidationFailed
from counterdesk.screening.index import CACHE, MatchIndex
from counterdesk.screening.matcher import MATCHER_VERSION, Hit, make_query, match
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.data_rights import require_unrestricted
from counterdesk.services.sanctions.lists import (
    ListInfo,
    current_hashes,
    index_rows,
    known_current_lists,
    stale_lists,
)
from counterdesk.store import audit
from counterdesk.store.models.sanctions import Screening

STATUSES = ("clear", "potential_hit", "refused_stale_lists", "confirmed_match", "false_positive")


@dataclass(frozen=True)
class ScreenedPerson:
    names: list[str]
    birth_date: date | None = None
    nationality: str | None = None  # ISO alpha-2 or alpha-3 (a country name works too)
    documents: list[str] = field(default_factory=list)
    gender: str | None = None  # "male" | "female" (M / F / 男 / 女 accepted); a conflicting listed gender lowers a hit


@dataclass(frozen=True)
class ScreeningResult:
    screening_id: str
    status: str
    hits: tuple[Hit, ...]
    list_hashes: tuple[str, ...]
    matcher_version: str
    threshold: float
    message: Text
    created_at: str
    stale_lists: tuple[ListInfo, ...] = ()

    @property
    def cleared(self) -> bool:
        return self.status == "clear"


class ListsChanged(Exception):
    """The lists changed between matching and storing: match again against the new ones."""


def _validate(subject: ScreenedPerson, subject_ref: str) -> None:
    res = Result()
    if not isinstance(subject_ref, str) or not subject_ref.strip() or len(subject_ref) > 64:
        res.add("subject_ref", "required", Text("缺少被筛查对象的编号。", "The subject reference is missing."))
    if not any(isinstance(n, str) and n.strip() for n in subject.names or []):
        res.add("names", "required", Text("至少需要一个姓名。", "At least one name is required."))
    if not res.ok:
        raise ValidationFailed(res)


def _message(status: str, hits: int, lists: list[ListInfo], stale: list[ListInfo], max_age: int) -> Text:
    if status == "refused_stale_lists" and not lists:
        return Text("尚未加载任何制裁名单，筛查不能放行。请管理员导入名单。",
                    "No sanctions list is loaded, so screening cannot clear. "
                    "Ask the administrator to import the lists.")
    if status == "refused_stale_lists":
        zh = "、".join(f"“{s.source}”（发布于 {s.published}）" for s in stale)
        en = ", ".join(f"{s.source} (published {s.published})" for s in stale)
        return Text(f"制裁名单 {zh} 已超过 {max_age} 天未更新，筛查不能放行。请管理员导入最新名单。",
                    f"The sanctions list {en} is more than {max_age} days old, so screening cannot clear. "
                    "Ask the administrator to import the current list.")
    names = "、".join(f"{li.source}（{li.published}）" for li in lists)
    names_en = ", ".join(f"{li.source} ({li.published})" for li in lists)
    if status == "potential_hit":
        return Text(f"发现 {hits} 条疑似命中（名单：{names}），须由另一位主管复核后方可继续。",
                    f"{hits} potential hit(s) on {names_en}: another supervisor must "
                    "review before the session continues.")
    return Text(f"未发现匹配（已筛查名单：{names}）。", f"No match on the lists screened: {names_en}.")


def _index_for(vault: Vault, lists: list[ListInfo]) -> MatchIndex:
    # Keyed by the lists' ids and hashes: any import (or supersede) makes a new key, so the index is
    # rebuilt exactly when the loaded lists change.
    key = (vault.info.installation_id, tuple(sorted((li.id, li.sha256) for li in lists)))
    return CACHE.get(key, lambda: vault.transact(index_rows))


def warm_index(vault: Vault) -> MatchIndex | None:
    """Build the index ahead of the first screening (the GUI calls this in a worker after sign-in)."""
    lists = known_current_lists(vault, fresh=True)
    if not lists:
        return None
    index = _index_for(vault, lists)
    # The name libraries (pinyin, Jyutping, OpenCC) load their data on first use: once here, not
    # during the first customer's screening.
    match(index, make_query(["王晓明", "WANG Xiaoming", "Иван Петров"]), 1.0)
    return index


def screen(vault: Vault, us: SignedInUser, subject: ScreenedPerson, subject_ref: str,
           now: datetime | None = None) -> ScreeningResult:
    require(us.role, "screening.run")
    _validate(subject, subject_ref)
    now = now or datetime.now(UTC)
    settings = vault.settings()
    threshold, max_age = float(settings[SANCTIONS_MATCH_THRESHOLD]), int(settings[SANCTIONS_MAX_LIST_AGE_DAYS])
    query = make_query(subject.names, subject.birth_date, subject.nationality, subject.documents, subject.gender)
    for attempt in range(3):
        lists = known_current_lists(vault, fresh=attempt > 0)
        hashes = sorted(li.sha256 for li in lists)
        stale = stale_lists(lists, now.date(), max_age)
        hits: list[Hit] = []
        if not lists or stale:
            status = "refused_stale_lists"
        else:
            hits = match(_index_for(vault, lists), query, threshold)
            status = "potential_hit" if hits else "clear"
        try:
            return _store(vault, us, subject_ref, now, threshold, hashes, status, hits, lists, stale, max_age)
        except ListsChanged:
            continue
    raise CounterDeskError(Text("制裁名单正在更新，请稍后重试筛查。",
                                "The sanctions lists are being updated; screen again shortly."),
                           code="lists_changing")


def _store(vault: Vault, us, subject_ref, now, threshold, hashes, status, hits, lists, stale,
           max_age) -> ScreeningResult:
    screening_id = str(uuid.uuid4())
    created = now.isoformat(timespec="seconds")

    def write(db: Session) -> None:
        require_unrestricted(db, subject_ref.strip())  # PIPL Art 47: a restricted customer is not screened
        if current_hashes(db) != hashes:
            raise ListsChanged()
        db.add(Screening(
            id=screening_id, created_at=created, created_by=us.user_id, subject_ref=subject_ref.strip(),
            threshold=threshold, matcher_version=MATCHER_VERSION, list_hashes=json.dumps(hashes), status=status,
            hits=json.dumps([h.to_json() for h in hits], ensure_ascii=False, separators=(",", ":"))))
        audit.append(db, us.actor, "sanctions.screened", "screening", screening_id, {
            "status": status, "hits": len(hits), "threshold": threshold, "matcher_version": MATCHER_VERSION,
            "lists": len(hashes), "subject_ref": subject_ref.strip()})
    vault.transact(write)
    return ScreeningResult(screening_id, status, tuple(hits), tuple(hashes), MATCHER_VERSION, threshold,
                           _message(status, len(hits), lists, stale, max_age), created, tuple(stale))
