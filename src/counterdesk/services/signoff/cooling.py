"""Cooling-off (投资冷静期) and the follow-up visit after it (domain-rules §5).

During the period the customer may cancel for a full refund: the teller records the cancellation
with the refund's reference. Once the period is over, a follow-up task is created for a member of
staff other than the seller (a visit during the period does not count, so the task only exists
after it). ``sync_follow_ups`` creates the due tasks; the lists call it, so no scheduler is needed.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.data_rights import restriction_in
from counterdesk.services.customers.masking import mask_name
from counterdesk.services.signoff.common import COMPLETED, check_reference, customer_name_of, iso, load, now_utc, refuse
from counterdesk.store import audit
from counterdesk.store.models.core import User
from counterdesk.store.models.signoff import CoolingOffCancellation, FollowUpTask, Signoff

CANCELLED = "cancelled"
# A sale's follow-up task has the same id on every workstation that makes it (each makes it when the
# cooling-off period ends), so synced copies of it are one task, not several.
FOLLOW_UP_NAMESPACE = uuid.UUID("0f5b7c1e-3d2a-5e61-9b8c-4a7d2e9f1c30")


@dataclass(frozen=True)
class CoolingOffItem:
    signoff_id: str
    document_number: str
    customer_masked: str
    product_code: str
    amount: str
    signed_at: str
    cooling_off_until: str
    seller_name: str
    restriction: Text | None = None  # restricted processing (PIPL Art 47): what the screen must say


@dataclass(frozen=True)
class FollowUpItem:
    task_id: str
    signoff_id: str
    document_number: str
    customer_masked: str
    product_code: str
    seller_name: str
    due_at: str
    status: str
    can_do: bool     # the asking user did not sell the product
    restriction: Text | None = None  # restricted processing (PIPL Art 47): what the screen must say


def _item(db, row: Signoff, names: dict[str, str]) -> CoolingOffItem:
    plan = json.loads(row.plan)
    # Both lists hold issued sales with a cooling-off period: numbered, signed, with the period's end.
    assert row.document_number is not None and row.signed_at is not None and row.cooling_off_until is not None
    return CoolingOffItem(row.id, row.document_number, mask_name(customer_name_of(db, row.customer_id)),
                          plan["product_code"], plan["amount"], row.signed_at, row.cooling_off_until,
                          names.get(row.teller_id, "?"), _restriction(db, row.customer_id))


def _restriction(db, customer_id: str | None) -> Text | None:
    found = restriction_in(db, customer_id) if customer_id else None
    return found.message if found is not None else None


def _names(db) -> dict[str, str]:
    return {u.id: u.display_name for u in db.scalars(select(User))}


def in_cooling_off(vault: Vault, us: SignedInUser, now: datetime | None = None) -> list[CoolingOffItem]:
    """Completed sales still inside their cooling-off period and not cancelled, soonest end first."""
    require(us.role, "aftersale.manage")
    moment = iso(now_utc(now))

    def read(db: Session) -> list[CoolingOffItem]:
        names = _names(db)
        cancelled = select(CoolingOffCancellation.signoff_id)
        rows = db.scalars(select(Signoff).where(Signoff.status == COMPLETED, Signoff.cooling_off_until > moment,
                                                     Signoff.id.not_in(cancelled))
                               .order_by(Signoff.cooling_off_until))
        return [_item(db, r, names) for r in rows]
    return vault.transact(read)


def cancel(vault: Vault, us: SignedInUser, signoff_id: str, refund_reference: str, now: datetime | None = None) -> None:
    """Record the customer's cancellation within the period, with the refund's reference."""
    require(us.role, "aftersale.manage")
    ref = check_reference(refund_reference, "refund_ref", "退款交易编号", "the refund transaction reference")
    moment = now_utc(now)

    def write(db: Session) -> None:
        row = load(db, signoff_id)
        if row.status != COMPLETED or not row.cooling_off_until:
            raise refuse("no_cooling_off", "该笔销售没有投资冷静期。", "This sale has no cooling-off period.")
        if datetime.fromisoformat(row.cooling_off_until) <= moment:
            raise refuse("cooling_off_over", "投资冷静期已结束，不能按冷静期规则解除。",
                         "The cooling-off period is over; it cannot be cancelled under it.")
        if db.get(CoolingOffCancellation, row.id) is not None:
            raise refuse("already_cancelled", "该笔销售已解除。", "This sale has already been cancelled.")
        db.add(CoolingOffCancellation(signoff_id=row.id, refund_reference=ref, recorded_by=us.user_id,
                                           recorded_at=iso(moment)))
        row.status, row.updated_at = CANCELLED, iso(moment)
        audit.append(db, us.actor, "signoff.cooling_off_cancelled", "signoff", row.id,
                     {"document_number": row.document_number})
    vault.transact(write)


def sync_follow_ups(db, moment: datetime, due_days: int) -> int:
    """Create the follow-up task of every sale whose cooling-off period ended (inside a transaction)."""
    have = select(FollowUpTask.signoff_id)
    rows = list(db.scalars(select(Signoff).where(Signoff.status == COMPLETED, Signoff.cooling_off_until.is_not(None),
                                                      Signoff.cooling_off_until <= iso(moment),
                                                      Signoff.id.not_in(have))))
    for row in rows:
        assert row.cooling_off_until is not None  # selected by "is not None" above
        ended = datetime.fromisoformat(row.cooling_off_until)
        db.add(FollowUpTask(id=str(uuid.uuid5(FOLLOW_UP_NAMESPACE, row.id)), signoff_id=row.id,
                            seller_id=row.teller_id, created_at=iso(moment),
                            due_at=iso(ended + timedelta(days=due_days)), status="open"))
    return len(rows)


def follow_up_tasks(vault: Vault, us: SignedInUser, now: datetime | None = None,
                    include_done: bool = False) -> list[FollowUpItem]:
    require(us.role, "aftersale.manage")
    moment = now_utc(now)
    due_days = int(vault.settings()["signoff.followup_due_days"])

    def write(db: Session) -> list[FollowUpItem]:
        sync_follow_ups(db, moment, due_days)
        names = _names(db)
        query = select(FollowUpTask).order_by(FollowUpTask.due_at)
        if not include_done:
            query = query.where(FollowUpTask.status == "open")
        out = []
        for t in db.scalars(query):
            row = load(db, t.signoff_id)
            item = _item(db, row, names)
            out.append(FollowUpItem(t.id, row.id, item.document_number, item.customer_masked, item.product_code,
                                    names.get(t.seller_id, "?"), t.due_at, t.status,
                                    t.status == "open" and t.seller_id != us.user_id, item.restriction))
        return out
    return vault.transact(write)


def complete_follow_up(vault: Vault, us: SignedInUser, task_id: str, outcome: str, now: datetime | None = None) -> None:
    """The visit was made by someone who did not sell the product; ``outcome`` says what was found."""
    require(us.role, "aftersale.manage")
    outcome = (outcome or "").strip()
    if not outcome or len(outcome) > 500:
        raise refuse("outcome_required", "请填写回访结果（不超过 500 字）。",
                     "Describe the outcome of the visit (up to 500 characters).")
    moment = now_utc(now)

    def write(db: Session) -> None:
        task = db.get(FollowUpTask, task_id) if isinstance(task_id, str) else None
        if task is None:
            raise refuse("task_not_found", "找不到该回访任务。", "No such follow-up task.", str(task_id))
        if task.seller_id == us.user_id:
            raise refuse("seller_follow_up", "回访须由非销售该产品的员工完成。",
                         "The follow-up is made by a member of staff who did not sell the product.")
        if task.status != "open":
            raise refuse("task_done", "该回访任务已完成。", "This follow-up has already been done.")
        task.status, task.done_by, task.done_at, task.outcome = "done", us.user_id, iso(moment), outcome
        audit.append(db, us.actor, "signoff.follow_up_done", "follow_up_task", task.id,
                     {"signoff_id": task.signoff_id})
    vault.transact(write)
