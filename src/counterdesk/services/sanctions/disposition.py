"""Supervisor decisions on potential hits: confirmed match or false positive, maker ≠ checker.

Only a role with "screening.dispose" decides, never the user who ran the screening, and only on a
screening still in potential_hit. A false positive needs a reason code from a fixed list; "other"
needs a note. The note stays in the encrypted database; the audit entry carries codes and ids only.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import can, require
from counterdesk.base.text import CounterDeskError, Result, Text, ValidationFailed
from counterdesk.screening.matcher import Hit
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import designation_referral
from counterdesk.store import audit
from counterdesk.store.models.core import User
from counterdesk.store.models.sanctions import Screening

DECISIONS = ("confirmed_match", "false_positive")
FALSE_POSITIVE_REASONS: dict[str, Text] = {
    "different_dob": Text("出生日期不同", "Different date of birth"),
    "different_nationality": Text("国籍不同", "Different nationality"),
    "different_person_document": Text("证件核实为不同的人", "The documents show a different person"),
    "partial_name": Text("姓名仅部分相似", "The name is only partially similar"),
    "other": Text("其他（须填写说明）", "Other (a note is required)"),
}
CONFIRM_REASONS: dict[str, Text] = {
    "identity_confirmed": Text("核实为名单所列人员或实体", "Confirmed as the listed person or entity"),
    "other": Text("其他（须填写说明）", "Other (a note is required)"),
}
NOTE_MAX = 500


class DispositionRefused(CounterDeskError):
    code = "disposition_refused"


@dataclass(frozen=True)
class ScreeningRecord:
    screening_id: str
    created_at: str
    created_by: str          # username
    created_by_id: str
    created_by_name: str     # the teller's display name, for screens
    subject_ref: str
    status: str
    threshold: float
    matcher_version: str
    list_hashes: tuple[str, ...]
    hits: tuple[Hit, ...]
    disposition_by: str | None
    disposition_at: str | None
    disposition_reason_code: str | None
    disposition_note: str | None

    def can_dispose(self, us: SignedInUser) -> bool:
        return self.status == "potential_hit" and self.created_by_id != us.user_id


def _record(row: Screening, names: dict[str, tuple[str, str]]) -> ScreeningRecord:
    username, display = names.get(row.created_by, (row.created_by, row.created_by))
    return ScreeningRecord(
        row.id, row.created_at, username, row.created_by, display, row.subject_ref, row.status,
        row.threshold, row.matcher_version, tuple(json.loads(row.list_hashes)),
        tuple(Hit.from_json(h) for h in json.loads(row.hits)),
        names.get(row.disposition_by, (row.disposition_by,))[0] if row.disposition_by else None, row.disposition_at,
        row.disposition_reason_code, row.disposition_note)


def _names(db) -> dict[str, tuple[str, str]]:
    """user id -> (username, display name)"""
    return {uid: (username, display) for uid, username, display
            in db.execute(select(User.id, User.username, User.display_name))}


def _check(decision: str, reason_code: str, note: str | None) -> str:
    res = Result()
    note = (note or "").strip()
    if decision not in DECISIONS:
        res.add("decision", "choice", Text("决定须为“确认命中”或“误报”。",
                                           "The decision must be confirmed_match or false_positive."))
    else:
        reasons = FALSE_POSITIVE_REASONS if decision == "false_positive" else CONFIRM_REASONS
        if reason_code not in reasons:
            res.add("reason_code", "choice", Text("请从列表中选择原因。", "Choose a reason from the list."))
        elif reason_code == "other" and not note:
            res.add("note", "required", Text("选择“其他”时须填写说明。",
                                             "A note is required when the reason is Other."))
    if len(note) > NOTE_MAX:
        res.add("note", "max", Text(f"说明不得超过 {NOTE_MAX} 字。",
                                    f"The note must be at most {NOTE_MAX} characters."))
    if not res.ok:
        raise ValidationFailed(res)
    return note


def dispose(vault: Vault, us: SignedInUser, screening_id: str, decision: str, reason_code: str,
            note: str | None = None, now: datetime | None = None) -> ScreeningRecord:
    require(us.role, "screening.dispose")
    note = _check(decision, reason_code, note)
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")

    def write(db: Session) -> ScreeningRecord:
        row = db.get(Screening, screening_id)
        if row is None:
            raise DispositionRefused(Text("没有这条筛查记录。", "No such screening."), code="screening_not_found")
        if row.created_by == us.user_id:
            raise DispositionRefused(Text("不能复核自己发起的筛查，须由另一位主管处理。",
                                          "You ran this screening: another supervisor must review it."),
                                     code="maker_checker")
        if row.status != "potential_hit":
            raise DispositionRefused(Text(f"该筛查的状态为 {row.status}，无需或不能再复核。",
                                          f"This screening is {row.status}; there is nothing to decide."),
                                     code="not_pending")
        row.status, row.disposition_by, row.disposition_at = decision, us.user_id, when
        row.disposition_reason_code, row.disposition_note = reason_code, note or None
        audit.append(db, us.actor, "sanctions.disposed", "screening", row.id,
                     {"decision": decision, "reason_code": reason_code, "hits": len(json.loads(row.hits))})
        db.flush()
        if decision == "confirmed_match":
            # AML Law Art 40: the measures take effect at once, not when the teller next presses a button.
            designation_referral.on_confirmed(db, us, row.subject_ref)
        return _record(row, _names(db))
    return vault.transact(write)


def pending_hits(vault: Vault, us: SignedInUser) -> list[ScreeningRecord]:
    """Screenings waiting for a supervisor, oldest first (``can_dispose`` tells which this user may decide)."""
    require(us.role, "screening.dispose")

    def read(db: Session) -> list[ScreeningRecord]:
        names = _names(db)
        rows = db.execute(select(Screening).where(Screening.status == "potential_hit")
                               .order_by(Screening.created_at)).scalars()
        return [_record(r, names) for r in rows]
    return vault.transact(read)


def get_screening(vault: Vault, us: SignedInUser, screening_id: str) -> ScreeningRecord | None:
    """One stored screening (for the session evidence, the review screen and auditors)."""
    if not can(us.role, "audit.view"):
        require(us.role, "screening.run")

    def read(db: Session) -> ScreeningRecord | None:
        row = db.get(Screening, screening_id)
        return _record(row, _names(db)) if row else None
    return vault.transact(read)
