"""Follow-up calls (回访): each call recorded with its outcome, time, caller and recording reference
(保险销售行为管理办法, NFRA Order 2023 No. 2, art 35: follow-up calls recorded).

Rules, each a refusal with its source:

* No sales contact during the cooling-off period (投资冷静期): the seller may not contact the customer
  (私募投资基金募集行为管理办法 Art 31: 募集机构在投资冷静期内不得主动联系投资者; domain-rules §5), and a
  follow-up made by anyone during the period does not count (same Measures Art 32: 冷静期内进行的回访确认
  无效), so neither can be recorded before the period ends.
* The follow-up is made by a member of staff other than the seller (Art 32: 从事销售推介业务以外的人员).
* A call that reached the customer names the recording of the call (4-64 letters, digits, - _ / .); it
  completes the sale's follow-up task. A call that did not reach the customer is kept too, and the task
  stays open.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.settings import SIGNOFF_FOLLOWUP_DAYS
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff.common import (
    COMPLETED,
    SignoffError,
    check_reference,
    iso,
    load,
    now_utc,
    refuse,
)
from counterdesk.services.signoff.cooling import sync_follow_ups
from counterdesk.store import audit
from counterdesk.store.models.due_diligence import FollowUpCall
from counterdesk.store.models.signoff import FollowUpTask

OUTCOMES: dict[str, Text] = {
    "reached_confirmed": Text("已接通：客户确认了解产品及风险", "Reached: the customer confirms they understand the "
                              "product and its risks"),
    "reached_concerns": Text("已接通：客户有疑问或不满（须跟进）", "Reached: the customer has questions or concerns "
                             "(to be followed up)"),
    "reached_cancel_request": Text("已接通：客户要求解除或退保", "Reached: the customer asks to cancel"),
    "not_reached": Text("未接通", "Not reached"),
}
REACHED = frozenset({"reached_confirmed", "reached_concerns", "reached_cancel_request"})
CITATION = Text("《保险销售行为管理办法》第三十五条；《私募投资基金募集行为管理办法》第三十一、三十二条",
                "保险销售行为管理办法 art 35; 私募投资基金募集行为管理办法 Arts 31-32")


def cooling_off_refusal(seller_id: str, user_id: str) -> SignoffError:
    """The refusal of a contact during a sale's cooling-off period: the seller may not contact the
    customer at all, and a follow-up by anyone else does not count (Arts 31-32); the follow-up list
    (counterdesk.services.followups) refuses with the same codes."""
    if seller_id == user_id:
        return refuse("cooling_off_sales_contact", f"投资冷静期内销售人员不得主动联系客户（{CITATION.zh}）。",
                      f"The seller may not contact the customer during the cooling-off period ({CITATION.en}).")
    return refuse("cooling_off_not_over",
                  f"投资冷静期尚未结束：期内进行的回访无效，请在冷静期结束后回访（{CITATION.zh}）。",
                  f"The cooling-off period is not over: a follow-up during it does not count; call after "
                  f"it ends ({CITATION.en}).")


@dataclass(frozen=True)
class CallInfo:
    call_id: str
    signoff_id: str
    task_id: str | None
    called_at: str
    called_by: str
    outcome: str
    recording_ref: str | None
    notes: str | None


def record_call(vault: Vault, us: SignedInUser, signoff_id: str, outcome: str, recording_reference: str | None,
                notes: str = "", now: datetime | None = None) -> str:
    """Record one follow-up call of a completed sale; returns the call's id."""
    require(us.role, "aftersale.manage")
    if outcome not in OUTCOMES:
        raise refuse("call_outcome", "请选择回访结果。", "Choose the outcome of the call.", str(outcome)[:40])
    ref = None
    if outcome in REACHED or recording_reference:  # an unanswered call may have no recording
        ref = check_reference(recording_reference, "recording_ref", "回访录音编号",
                              "the reference of the call recording")
    notes = (notes or "").strip()
    if len(notes) > 500:
        raise refuse("notes_too_long", "回访记录不超过 500 字。", "Notes of the call are at most 500 characters.")
    moment = now_utc(now)
    due_days = int(vault.settings()[SIGNOFF_FOLLOWUP_DAYS])

    def write(db: Session) -> str:
        row = load(db, signoff_id)
        if row.status != COMPLETED:
            raise refuse("no_follow_up", "该笔销售未完成或已解除，无需回访。",
                         "This sale is not completed, or was cancelled: there is no follow-up.")
        if row.cooling_off_until and moment < datetime.fromisoformat(row.cooling_off_until):
            raise cooling_off_refusal(row.teller_id, us.user_id)
        if row.teller_id == us.user_id:
            raise refuse("seller_follow_up", "回访须由非销售该产品的员工完成。",
                         "The follow-up is made by a member of staff who did not sell the product.")
        sync_follow_ups(db, moment, due_days)
        task = db.scalars(select(FollowUpTask).where(FollowUpTask.signoff_id == row.id)).first()
        if task is not None and task.status != "open":
            raise refuse("task_done", "该回访任务已完成。", "This follow-up has already been done.")
        call = FollowUpCall(id=str(uuid.uuid4()), signoff_id=row.id, task_id=task.id if task else None,
                            called_at=iso(moment), called_by=us.user_id, outcome=outcome, recording_ref=ref,
                            notes=notes or None)
        db.add(call)
        if task is not None and outcome in REACHED:
            task.status, task.done_by, task.done_at = "done", us.user_id, iso(moment)
            task.outcome = (notes or OUTCOMES[outcome].zh)[:500]
        db.flush()
        audit.append(db, us.actor, "signoff.follow_up_call", "follow_up_call", call.id,
                     {"signoff_id": row.id, "outcome": outcome})
        return call.id
    return vault.transact(write)


def calls(vault: Vault, us: SignedInUser, signoff_id: str) -> list[CallInfo]:
    """The sale's follow-up calls, oldest first."""
    require(us.role, "aftersale.manage")

    def read(db: Session) -> list[CallInfo]:
        rows = db.scalars(select(FollowUpCall).where(FollowUpCall.signoff_id == signoff_id)
                          .order_by(FollowUpCall.called_at, FollowUpCall.id))
        return [CallInfo(r.id, r.signoff_id, r.task_id, r.called_at, r.called_by, r.outcome, r.recording_ref, r.notes)
                for r in rows]
    return vault.transact(read)


__all__ = ["CITATION", "OUTCOMES", "REACHED", "CallInfo", "calls", "cooling_off_refusal", "record_call"]
