"""Taking the customer's evaluation at the end of a counter session.

The customer window asks (``invitation``) once the session is complete (or ended without a sale
because the customer, served, chose not to go ahead: ``SERVED_STOPS``) and records what the customer
chose (``submit``) or that they skipped (``skip``). The core accepts only ``source="customer_screen"``,
only for a served session of the signed-in teller, once, and only within ``WINDOW_MINUTES`` of its
end (the customer is still there). Nothing is pre-selected (保险销售行为管理办法 Art 23 spirit): stars
must be chosen. The comment is stored in the encrypted store only; the audit entry carries ids and
codes, never the stars or the words, so the teller cannot read a score back in real time.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.settings import EVALUATION_NPS_EVERY
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.evaluations.codes import (
    COMMENT_MAX,
    CUSTOMER_SCREEN,
    NPS_SCALE,
    REASONS,
    SKIPPED,
    STARS,
    SUBMITTED,
    WINDOW_MINUTES,
)
from counterdesk.store import audit
from counterdesk.store.models.customers import CounterSessionRecord
from counterdesk.store.models.evaluations import CustomerEvaluation

COMPLETED, STOPPED = "completed", "stopped"
# A session ended without a sale is rated when the customer was served and chose not to go ahead; not
# when the customer left, the session was started in error or broke down, or a rule stopped it (a
# screening hold or a refusal is no moment to ask, and asking could tip off the customer).
SERVED_STOPS = ("cancelled:customer_declined",)


def served(row: CounterSessionRecord) -> bool:
    return row.status == COMPLETED or (row.status == STOPPED and row.stop_reason_code in SERVED_STOPS)


class EvaluationError(CounterDeskError):
    code = "evaluation_refused"


def refuse(code: str, zh: str, en: str, detail: str | None = None) -> EvaluationError:
    return EvaluationError(Text(zh, en), code=code, detail=detail)


@dataclass(frozen=True)
class Invitation:
    session_id: str
    ask_nps: bool                      # this is an N-th session: the recommend question is asked too


@dataclass(frozen=True)
class Rating:
    stars: int | None                  # 1-5, chosen by the customer (None: not chosen, refused)
    reasons: tuple[str, ...] = ()      # codes of REASONS
    comment: str = ""                  # optional, at most COMMENT_MAX characters
    nps: int | None = None             # 0-10, only when the invitation asked


def _now(now: datetime | None) -> datetime:
    moment = now or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _session(db: Session, us: SignedInUser, session_id: str, moment: datetime) -> CounterSessionRecord:
    row = db.get(CounterSessionRecord, session_id) if isinstance(session_id, str) else None
    if row is None or row.teller_id != us.user_id:
        raise refuse("session_not_found", "找不到该柜面服务会话。", "No such counter session.", str(session_id))
    if not served(row):
        raise refuse("session_not_completed", "柜面服务结束后才能评价。",
                     "The service can be rated once the session is complete.", row.status)
    ended = datetime.fromisoformat(row.updated_at)
    ended = ended if ended.tzinfo else ended.replace(tzinfo=UTC)
    if moment - ended > timedelta(minutes=WINDOW_MINUTES):
        raise refuse("evaluation_too_late", "评价只能在服务结束后当场进行。",
                     "The service is rated at the counter, right after the session.", session_id)
    if db.scalar(select(CustomerEvaluation.id).where(CustomerEvaluation.session_id == row.id)) is not None:
        raise refuse("evaluation_exists", "本次服务已评价。", "This session has already been rated.", session_id)
    return row


def nps_due(db: Session, session: CounterSessionRecord, every: int) -> bool:
    """Whether ``session`` is an N-th served session of this store (counted in the order they ended)."""
    ordinal = db.scalar(select(func.count()).select_from(CounterSessionRecord).where(
        or_(CounterSessionRecord.status == COMPLETED,
            and_(CounterSessionRecord.status == STOPPED, CounterSessionRecord.stop_reason_code.in_(SERVED_STOPS))),
        CounterSessionRecord.updated_at <= session.updated_at)) or 0
    return every > 0 and ordinal > 0 and ordinal % every == 0


def invitation(vault: Vault, us: SignedInUser, session_id: str, now: datetime | None = None) -> Invitation:
    """What the customer window asks at the end of ``session_id`` (refused when it may not ask)."""
    require(us.role, "session.start")
    moment = _now(now)
    every = int(vault.settings()[EVALUATION_NPS_EVERY])

    def read(db: Session) -> Invitation:
        row = _session(db, us, session_id, moment)
        return Invitation(row.id, nps_due(db, row, every))
    return vault.transact(read)


def _check_source(source: str) -> None:
    if source != CUSTOMER_SCREEN:
        raise refuse("not_customer_screen", "评价只能由客户本人在客户屏上提交。",
                     "Only the customer, on the customer screen, can rate the service.", str(source))


def _reasons(codes: Iterable[str]) -> str:
    chosen = list(dict.fromkeys(codes))
    unknown = [c for c in chosen if c not in REASONS]
    if unknown:
        raise refuse("reason_unknown", "所选原因不在列表中。", "A reason is not on the list.",
                     ",".join(map(str, unknown)))
    return ",".join(c for c in REASONS if c in chosen)  # the list's order, whatever order they were ticked in


def check(rating: Rating, ask_nps: bool) -> tuple[int, str, str | None, int | None]:
    """The rating as stored, or the refusal: (stars, reason codes, comment or None, nps or None)."""
    if not isinstance(rating.stars, int) or isinstance(rating.stars, bool) or rating.stars not in STARS:
        raise refuse("stars_required", "请选择 1 至 5 颗星。", "Choose from 1 to 5 stars.", str(rating.stars))
    reasons = _reasons(rating.reasons)
    comment = (rating.comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise refuse("comment_too_long", f"意见不得超过 {COMMENT_MAX} 字。",
                     f"The comment is longer than {COMMENT_MAX} characters.", str(len(comment)))
    nps = rating.nps
    if nps is not None:
        if not ask_nps:
            raise refuse("nps_not_asked", "本次未询问推荐意愿。", "The recommend question was not asked this time.")
        if not isinstance(nps, int) or isinstance(nps, bool) or nps not in NPS_SCALE:
            raise refuse("nps_range", "推荐意愿请选择 0 至 10 分。", "Choose from 0 to 10.", str(nps))
    return rating.stars, reasons, comment or None, nps


def _store(vault: Vault, us: SignedInUser, session_id: str, source: str, status: str, rating: Rating | None,
           now: datetime | None) -> str:
    _check_source(source)
    moment = _now(now)
    every = int(vault.settings()[EVALUATION_NPS_EVERY])

    def write(db: Session) -> str:
        row = _session(db, us, session_id, moment)
        asked = nps_due(db, row, every)
        stars, reasons, comment, nps = check(rating, asked) if rating is not None else (None, "", None, None)
        ev = CustomerEvaluation(id=str(uuid.uuid4()), session_id=row.id, teller_id=row.teller_id, source=source,
                                status=status, stars=stars, reasons=reasons, comment=comment, nps_asked=asked,
                                nps=nps, created_at=_iso(moment))
        db.add(ev)
        db.flush()
        # Ids and codes only: no stars, no reasons, no words (the teller must not read a score back).
        audit.append(db, us.actor, f"evaluation.{status}", "evaluation", ev.id,
                     {"session_id": row.id, "source": source})
        return ev.id
    return vault.transact(write)


def submit(vault: Vault, us: SignedInUser, session_id: str, rating: Rating, source: str,
           now: datetime | None = None) -> str:
    """Store the customer's rating of ``session_id``; returns the evaluation's id."""
    require(us.role, "session.start")
    return _store(vault, us, session_id, source, SUBMITTED, rating, now)


def skip(vault: Vault, us: SignedInUser, session_id: str, source: str, now: datetime | None = None) -> str:
    """The customer chose not to rate: recorded so that the session is not asked again."""
    require(us.role, "session.start")
    return _store(vault, us, session_id, source, SKIPPED, None, now)


def outcome(vault: Vault, us: SignedInUser, session_id: str) -> str | None:
    """What the teller may know about their session: "submitted", "skipped" or None; never the score."""
    require(us.role, "session.start")

    def read(db: Session) -> str | None:
        status = db.scalar(select(CustomerEvaluation.status).where(CustomerEvaluation.session_id == session_id,
                                                                   CustomerEvaluation.teller_id == us.user_id))
        return str(status) if status is not None else None
    return vault.transact(read)
