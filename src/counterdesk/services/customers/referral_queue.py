"""The AML officer's queue of suspicious-transaction referrals, as screens show it, and closing one.

A referral (due_diligence.py, designation_referral.py) is written once; closing it adds one
``aml_referral_closures`` row (outcome code and the officer's note, kept in the encrypted store) and an
audit entry with ids and the outcome code only. The queue shows the customer's name masked, the reason
with its rule, when and by whom. Supervisors close; the auditor only reads (roles.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.common import current_answers, new_id, now_iso
from counterdesk.services.customers.due_diligence import Referral, referral_of
from counterdesk.services.customers.masking import mask_name
from counterdesk.store import audit
from counterdesk.store.models.core import User
from counterdesk.store.models.due_diligence import AmlReferral, AmlReferralClosure

OPEN, CLOSED = "open", "closed"
REPORTED, NOT_SUSPICIOUS, DUPLICATE = "reported", "not_suspicious", "duplicate"
OUTCOMES: dict[str, Text] = {
    REPORTED: Text("已提交可疑交易报告", "a suspicious-transaction report was filed"),
    NOT_SUSPICIOUS: Text("经分析不构成可疑交易，不予报告", "analysed: not suspicious, no report"),
    DUPLICATE: Text("与其他线索重复，已合并处理", "a duplicate of another referral, handled there"),
}
NOTE_MAX = 500


class ReferralError(CounterDeskError):
    code = "referral_invalid"


@dataclass(frozen=True)
class QueueItem:
    """One referral as the queue shows it: never the customer's plain name."""

    referral: Referral
    customer_masked: str
    created_by_name: str
    outcome: str | None = None
    note: str | None = None
    closed_at: str | None = None
    closed_by_name: str | None = None

    @property
    def status(self) -> str:
        return CLOSED if self.outcome else OPEN

    @property
    def outcome_text(self) -> Text | None:
        return OUTCOMES.get(self.outcome or "")


def _masked(db: Session, customer_id: str | None) -> str:
    if not customer_id:
        return ""
    _customer, kyc = current_answers(db, customer_id)
    return mask_name(kyc.get("name_zh") or kyc.get("name_latin") or "")


def _item(db: Session, row: AmlReferral, closure: AmlReferralClosure | None, names: dict[str, str]) -> QueueItem:
    return QueueItem(referral_of(row, names, closure is not None), _masked(db, row.customer_id),
                     names.get(row.created_by, ""),
                     closure.outcome if closure else None, closure.note if closure else None,
                     closure.closed_at if closure else None,
                     names.get(closure.closed_by, "") if closure else None)


def _names(db: Session) -> dict[str, str]:
    return {u.id: u.display_name for u in db.scalars(select(User))}


def _items(db: Session, include_closed: bool, limit: int) -> list[QueueItem]:
    names = _names(db)
    closures = {c.referral_id: c for c in db.scalars(select(AmlReferralClosure))}
    query = select(AmlReferral).order_by(AmlReferral.created_at.desc())
    if not include_closed:
        query = query.where(AmlReferral.id.not_in(select(AmlReferralClosure.referral_id)))
    return [_item(db, row, closures.get(row.id), names) for row in db.scalars(query.limit(limit))]


def queue(vault: Vault, us: SignedInUser, include_closed: bool = False, limit: int = 500) -> list[QueueItem]:
    """Open referrals, newest first (with the closed ones when asked)."""
    require(us.role, "aml.referrals")
    return vault.transact(lambda db: _items(db, include_closed, limit))


def check_close(outcome: str | None, note: str) -> list[tuple[str, Text]]:
    """Per field, what keeps the closing from being recorded (empty: it can be)."""
    problems: list[tuple[str, Text]] = []
    if outcome not in OUTCOMES:
        problems.append(("outcome", Text("请选择处理结果。", "Choose the outcome.")))
    text = note.strip()
    if not text:
        problems.append(("note", Text("请填写分析说明。", "Write the analysis note.")))
    elif len(text) > NOTE_MAX:
        problems.append(("note", Text(f"说明不能超过 {NOTE_MAX} 字。",
                                      f"The note is longer than {NOTE_MAX} characters.")))
    return problems


def close(vault: Vault, us: SignedInUser, referral_id: str, outcome: str, note: str) -> QueueItem:
    """Close an open referral with its outcome and note; audited (ids and the outcome code only)."""
    require(us.role, "aml.referral.close")
    problems = check_close(outcome, note)
    if problems:
        raise ReferralError(problems[0][1], detail=problems[0][0])

    def write(db: Session) -> QueueItem:
        row = db.get(AmlReferral, referral_id)
        if row is None:
            raise ReferralError(Text("找不到该线索。", "No such referral."), code="referral_unknown")
        if db.scalar(select(AmlReferralClosure).where(AmlReferralClosure.referral_id == row.id)) is not None:
            raise ReferralError(Text("该线索已处理完毕。", "This referral is already closed."), code="referral_closed")
        closure = AmlReferralClosure(id=new_id(), referral_id=row.id, outcome=outcome, note=note.strip(),
                                     closed_at=now_iso(), closed_by=us.user_id)
        db.add(closure)
        db.flush()
        audit.append(db, us.actor, "aml.referral_closed", "aml_referral", row.id,
                     {"outcome": outcome, "session_id": row.session_id, "customer_id": row.customer_id})
        return _item(db, row, closure, _names(db))
    return vault.transact(write)


__all__ = ["CLOSED", "DUPLICATE", "NOT_SUSPICIOUS", "OPEN", "OUTCOMES", "REPORTED", "QueueItem", "ReferralError",
           "check_close", "close", "queue"]
