"""Recording the outcome of a follow-up contact: reached, not reached, the customer declined, or wrong
contact details; with the channel, an optional note, who and when. Every outcome but "not reached"
closes the item (a closed post-sale call also completes its follow-up task).

Refused by the core, whatever the screen shows:

* a contact with a customer during a cooling-off period of theirs (私募投资基金募集行为管理办法 Arts 31-32:
  the seller may not contact the customer, and a follow-up during the period does not count): the same
  refusal, with the same codes, as the after-sale page's calls (signoff.follow_up_calls);
* an item of another branch (its sale was issued under another branch's code);
* a restricted customer (个人信息保护法 Art 47: nothing but storage; customers.data_rights);
* a return visit of a sale by the employee who sold it (Art 32), and a reached call of one without the
  reference of its recording (保险销售行为管理办法 art 35);
* an item that is not on the list, or already done.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.follow_up_codes import (
    CALLS,
    CHANNELS,
    CLOSING,
    DONE,
    KINDS,
    NOTE_MAX,
    OUTCOMES,
    POST_SALE_CALL,
    REACHED,
    VISITS,
    refuse,
)
from counterdesk.base.roles import require
from counterdesk.base.settings import SIGNOFF_FOLLOWUP_DAYS
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.data_rights import require_unrestricted
from counterdesk.services.followups.items import collect, context, cooling_seller
from counterdesk.services.signoff.common import check_reference, iso, now_utc
from counterdesk.services.signoff.cooling import sync_follow_ups
from counterdesk.services.signoff.follow_up_calls import cooling_off_refusal
from counterdesk.store import audit
from counterdesk.store.models.follow_ups import FollowUpOutcome
from counterdesk.store.models.signoff import FollowUpTask


def record_outcome(vault: Vault, us: SignedInUser, kind: str, source_id: str, outcome: str, channel: str,
                   note: str = "", recording_ref: str | None = None, now: datetime | None = None) -> str:
    """Record one contact for the item (``kind``, ``source_id``) of the list; returns the outcome's id."""
    require(us.role, "aftersale.manage")
    if kind not in KINDS:
        raise refuse("follow_up_kind", "未知的回访类型。", "Unknown kind of follow-up.", str(kind)[:40])
    if outcome not in OUTCOMES:
        raise refuse("follow_up_outcome", "请选择回访结果。", "Choose the outcome of the follow-up.", str(outcome)[:40])
    if channel not in CHANNELS:
        raise refuse("follow_up_channel", "请选择联系方式。", "Choose how the customer was contacted.",
                     str(channel)[:40])
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise refuse("note_too_long", f"回访记录不超过 {NOTE_MAX} 字。",
                     f"The note is at most {NOTE_MAX} characters.")
    ref = None
    if (kind in VISITS and channel in CALLS and outcome == REACHED) or recording_ref:
        ref = check_reference(recording_ref, "recording_ref", "回访录音编号", "the reference of the call recording")
    moment, settings, branch = now_utc(now), vault.settings(), vault.info.branch_code

    def write(db: Session) -> str:
        # Post-sale tasks appear when a cooling-off period ends: bring them up to date as the list does.
        if kind == POST_SALE_CALL:
            sync_follow_ups(db, moment, int(settings[SIGNOFF_FOLLOWUP_DAYS]))
        found = collect(context(db, settings, branch, moment, us.user_id), [kind], only=source_id)
        if not found:
            raise refuse("follow_up_not_found", "该回访不在回访清单中。", "This follow-up is not on the list.",
                         f"{kind}:{source_id}"[:80])
        item = found[0]
        if item.state == DONE:
            raise refuse("follow_up_done", "该回访已完成。", "This follow-up has already been done.")
        if item.branch != branch:
            raise refuse("follow_up_other_branch", f"该回访属于其他网点（{item.branch}），本网点员工不能登记。",
                         f"This follow-up belongs to another branch ({item.branch}); it cannot be recorded here.",
                         item.branch)
        require_unrestricted(db, item.customer_id)
        cooling = cooling_seller(context(db, settings, branch, moment, us.user_id), item.customer_id)
        if cooling is not None:
            raise cooling_off_refusal(cooling[1], us.user_id)
        if kind in VISITS and item.responsible_id == us.user_id:
            raise refuse("seller_follow_up", "回访须由非销售该产品的员工完成。",
                         "The follow-up is made by a member of staff who did not sell the product.")
        row = FollowUpOutcome(id=str(uuid.uuid4()), kind=kind, source_id=source_id, customer_id=item.customer_id,
                              signoff_id=item.signoff_id, branch=item.branch, due_on=item.due_on, outcome=outcome,
                              closes=outcome in CLOSING, channel=channel, recording_ref=ref, note=note or None,
                              recorded_by=us.user_id, recorded_at=iso(moment))
        db.add(row)
        if kind == POST_SALE_CALL and outcome in CLOSING:
            task = db.get(FollowUpTask, source_id)
            if task is not None and task.status == "open":
                # The task's outcome is the code's text, not the note: the task travels to the hub as it is.
                task.status, task.done_by, task.done_at = "done", us.user_id, iso(moment)
                task.outcome = OUTCOMES[outcome].zh
        db.flush()
        details = {"kind": kind, "outcome": outcome, "channel": channel}
        if item.signoff_id:
            details["signoff_id"] = item.signoff_id
        else:
            details["assessment_id"] = source_id
        audit.append(db, us.actor, "follow_up.outcome", "follow_up_outcome", row.id, details)
        return row.id
    return vault.transact(write)


__all__ = ["record_outcome"]
