"""Reading the follow-up list: the branch's (every item, with what the asking user may do) or one
teller's book (the items of their own sales and assessments), by due day, and the outcomes so far.
Post-sale tasks are brought up to date first (the after-sale page does the same), so the list is the
same whichever screen asks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.follow_up_codes import KINDS, OPEN, refuse
from counterdesk.base.roles import PermissionDenied, can, require
from counterdesk.base.settings import SIGNOFF_FOLLOWUP_DAYS, SettingsValues
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.followups.items import FollowUpItem, Scope, collect, context
from counterdesk.services.signoff.common import now_utc
from counterdesk.services.signoff.cooling import sync_follow_ups
from counterdesk.store.models.core import User
from counterdesk.store.models.follow_ups import FollowUpOutcome


@dataclass(frozen=True)
class OutcomeInfo:
    outcome_id: str
    outcome: str
    channel: str
    note: str | None
    recording_ref: str | None
    recorded_by: str
    recorded_by_name: str
    recorded_at: str


def _scope(us: SignedInUser, teller_id: str | None) -> str | None:
    """A supervisor reads the branch or any teller's book; a teller the branch (to pick up the calls
    of others' sales) or their own book, never another teller's (refused, not silently narrowed)."""
    require(us.role, "aftersale.manage")
    if teller_id is not None and teller_id != us.user_id and not can(us.role, "report.branch"):
        raise PermissionDenied(Text("柜员只能查看本人或本网点的回访清单。",
                                    "A teller sees only their own or the branch's follow-up list."),
                               code="follow_up_own_only", detail=teller_id)
    return teller_id


def items_in(db: Session, settings: SettingsValues, branch: str, moment: datetime, user_id: str,
             teller_id: str | None = None, kind: str | None = None, include_done: bool = False,
             with_names: bool = True) -> list[FollowUpItem]:
    """The list inside the caller's transaction (the home strip counts from it, without names)."""
    sync_follow_ups(db, moment, int(settings[SIGNOFF_FOLLOWUP_DAYS]))
    ctx = context(db, settings, branch, moment, user_id, with_names=with_names)
    # The teller and the open state are SQL conditions (items.Scope), not filters over the whole list;
    # the names are read for the items returned only.
    return collect(ctx, [kind] if kind else list(KINDS), scope=Scope(teller_id, open_only=not include_done))


def follow_ups(vault: Vault, us: SignedInUser, teller_id: str | None = None, kind: str | None = None,
               include_done: bool = False, now: datetime | None = None) -> list[FollowUpItem]:
    """Due (and overdue) follow-ups, soonest first; ``kind`` filters, ``include_done`` adds the closed
    and the lapsed ones (counterdesk.services.followups.items)."""
    teller = _scope(us, teller_id)
    if kind is not None and kind not in KINDS:
        raise refuse("follow_up_kind", "未知的回访类型。", "Unknown kind of follow-up.", str(kind)[:40])
    moment, settings, branch = now_utc(now), vault.settings(), vault.info.branch_code
    return vault.transact(lambda db: items_in(db, settings, branch, moment, us.user_id, teller, kind, include_done))


def due_by(items: list[FollowUpItem], day: date) -> list[FollowUpItem]:
    """What is due by the end of ``day`` and still open (the home strip's count)."""
    return [i for i in items if i.state in OPEN and i.due_on <= day.isoformat()]


def outcomes(vault: Vault, us: SignedInUser, kind: str, source_id: str) -> list[OutcomeInfo]:
    """The contacts recorded for one item, oldest first (the notes are shown to staff, never logged)."""
    require(us.role, "aftersale.manage")

    def read(db: Session) -> list[OutcomeInfo]:
        names = {u.id: u.display_name for u in db.scalars(select(User))}
        rows = db.scalars(select(FollowUpOutcome).where(FollowUpOutcome.kind == kind,
                                                        FollowUpOutcome.source_id == source_id)
                          .order_by(FollowUpOutcome.recorded_at, FollowUpOutcome.id))
        return [OutcomeInfo(r.id, r.outcome, r.channel, r.note, r.recording_ref, r.recorded_by,
                            names.get(r.recorded_by, "?"), r.recorded_at) for r in rows]
    return vault.transact(read)


__all__ = ["OutcomeInfo", "due_by", "follow_ups", "items_in", "outcomes"]
