"""Maker-checker approval of a sign-off.

A request is opened when the teller attests a sign-off whose plan needs approval. A supervisor who
is neither the teller who made the sale nor the one who asked sees the evidence and approves, or
rejects with a reason, which returns the sign-off to the teller. One pending request per counter
session (also a unique index); a request left unanswered past its expiry counts as expired and the
teller may ask again. Approval at the teller's own workstation (the supervisor signs in on top of
the teller's session) is the same call with ``override=True`` and is audited as such.
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
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.masking import mask_name
from counterdesk.services.signoff import evidence
from counterdesk.services.signoff.common import (
    APPROVED,
    REJECTED,
    customer_name_of,
    iso,
    load,
    load_own,
    now_utc,
    refuse,
    state_of,
)
from counterdesk.services.signoff.common import PENDING as SIGNOFF_PENDING
from counterdesk.services.signoff.plan import ApprovalReason
from counterdesk.store import audit
from counterdesk.store.models.core import User
from counterdesk.store.models.customers import CounterSessionRecord
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.signoff import ApprovalRequest, Signoff

PENDING, EXPIRED = "pending", "expired"  # request states (a sign-off waiting is "pending_approval")
_REASON_MAX = 500


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    signoff_id: str
    session_id: str
    status: str                      # pending, approved, rejected, expired
    reasons: tuple[ApprovalReason, ...]
    teller_name: str
    customer_masked: str
    product_code: str
    risk_level: str
    amount: str
    requested_at: str
    expires_at: str
    decided_by_name: str | None
    decided_at: str | None
    decision_reason: str | None
    override: bool
    can_decide: bool                 # the asking user may decide it (not the maker, still pending)
    customer_id: str = ""            # for an audited reveal (counterdesk.services.customers.repository.reveal)
    # The suitability rules behind the sale, as the teller saw them: (rule id, zh, en).
    rule_reasons: tuple[tuple[str, str, str], ...] = ()


def open_request(db, us: SignedInUser, row: Signoff, plan, moment: datetime, expiry_minutes: int) -> str:
    """Inside the caller's transaction (attest / resubmit)."""
    if _pending(db, row.session_id) is not None:
        raise refuse("request_pending", "本服务会话已有一项待审批请求。", "This session already has a pending request.")
    req = ApprovalRequest(id=str(uuid.uuid4()), signoff_id=row.id, session_id=row.session_id,
                          reasons=json.dumps([r.__dict__ for r in plan.approval_reasons], ensure_ascii=False),
                          requested_by=us.user_id, requested_at=iso(moment),
                          expires_at=iso(moment + timedelta(minutes=expiry_minutes)), status=PENDING, override=False)
    db.add(req)
    db.flush()
    audit.append(db, us.actor, "signoff.approval_requested", "approval_request", req.id,
                 {"signoff_id": row.id})
    return req.id


def _pending(db, session_id: str) -> ApprovalRequest | None:
    return db.scalars(select(ApprovalRequest).where(ApprovalRequest.session_id == session_id,
                                                         ApprovalRequest.status == PENDING)).first()


def _session_open(db, session_id: str) -> bool:
    cs = db.get(CounterSessionRecord, session_id)
    return cs is not None and cs.status == "open"


def _status(req: ApprovalRequest, moment: datetime) -> str:
    if req.status == PENDING and datetime.fromisoformat(req.expires_at) <= moment:
        return EXPIRED
    return req.status


def _info(db, req: ApprovalRequest, us: SignedInUser, moment: datetime, names: dict[str, str]) -> RequestInfo:

    row = load(db, req.signoff_id)
    plan = state_of(row).plan
    status = _status(req, moment)
    decision = db.get(SaleDecision, row.sale_decision_id)
    rule_reasons = tuple((f.get("rule", ""), f.get("zh", ""), f.get("en", ""))
                         for f in (json.loads(decision.findings) if decision is not None else []))
    return RequestInfo(
        req.id, row.id, req.session_id, status, tuple(ApprovalReason(**r) for r in json.loads(req.reasons)),
        names.get(req.requested_by, "?"), mask_name(customer_name_of(db, row.customer_id)),
        plan.product_code, plan.risk_level, plan.amount, req.requested_at, req.expires_at,
        names.get(req.decided_by) if req.decided_by else None, req.decided_at, req.decision_reason, req.override,
        status == PENDING and us.user_id not in (req.requested_by, row.teller_id), row.customer_id, rule_reasons)


def _names(db) -> dict[str, str]:
    return {u.id: u.display_name for u in db.scalars(select(User))}


def pending_requests(vault: Vault, us: SignedInUser, now: datetime | None = None) -> list[RequestInfo]:
    """Requests waiting for a supervisor, oldest first (expired ones are left out)."""
    require(us.role, "approval.signoff")
    moment = now_utc(now)

    def read(db: Session) -> list[RequestInfo]:
        names = _names(db)
        rows = db.scalars(select(ApprovalRequest).where(ApprovalRequest.status == PENDING)
                               .order_by(ApprovalRequest.requested_at))
        return [i for i in (_info(db, r, us, moment, names) for r in rows
                            if _session_open(db, r.session_id)) if i.status == PENDING]
    return vault.transact(read)


def request_evidence(vault: Vault, us: SignedInUser, request_id: str) -> tuple[RequestInfo, list[dict]]:
    """The request and the sign-off's evidence chain so far (hashes and references; personal data
    stays masked, a reveal goes through the audited customer reveal)."""
    require(us.role, "approval.signoff")

    def read(db: Session) -> tuple[RequestInfo, list[dict]]:
        req = _load_request(db, request_id)
        return _info(db, req, us, now_utc(), _names(db)), evidence.links(db, req.signoff_id)
    return vault.transact(read)


def _load_request(db, request_id: str) -> ApprovalRequest:
    req = db.get(ApprovalRequest, request_id) if isinstance(request_id, str) else None
    if req is None:
        raise refuse("request_not_found", "找不到该审批请求。", "No such approval request.", str(request_id))
    return req


def decide(vault: Vault, us: SignedInUser, request_id: str, approve: bool, reason: str = "", override: bool = False,
           now: datetime | None = None) -> RequestInfo:
    """Approve or reject (a rejection needs a reason). Maker ≠ checker is enforced here."""
    require(us.role, "approval.decide")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise refuse("reason_required", "驳回时请填写原因。", "Give a reason for the rejection.")
    if len(reason) > _REASON_MAX:
        raise refuse("reason_too_long", f"原因不得超过 {_REASON_MAX} 字。",
                     f"The reason is longer than {_REASON_MAX} characters.")
    moment = now_utc(now)

    def write(db: Session) -> RequestInfo:
        req = _load_request(db, request_id)
        row = load(db, req.signoff_id)
        if us.user_id in (req.requested_by, row.teller_id):
            raise refuse("maker_checker", "不能审批自己经办的销售，须由另一位主管处理。",
                         "You made this sale: another supervisor must decide it.")
        status = _status(req, moment)
        if status == PENDING and not _session_open(db, req.session_id):
            raise refuse("session_closed", "该柜面服务会话已结束，无需审批。",
                         "The counter session has ended; nothing to approve.")
        if status == EXPIRED:
            raise refuse("request_expired", "该审批请求已过期，须由柜员重新提交。",
                         "The request has expired; the teller must submit it again.")
        if status != PENDING:
            raise refuse("request_decided", "该审批请求已处理。", "This request has already been decided.")
        req.status = APPROVED if approve else REJECTED
        req.decided_by, req.decided_at = us.user_id, iso(moment)
        req.decision_reason, req.override = reason or None, override
        row.status, row.updated_at = (APPROVED if approve else REJECTED), iso(moment)
        evidence.append(db, row.id, "approval", {
            "request_id": req.id, "decision": req.status, "by": us.user_id, "at": req.decided_at,
            "override": override, "reason": reason or None})
        action = ("signoff.approved" if approve else "signoff.rejected") + ("_override" if override else "")
        audit.append(db, us.actor, action, "approval_request", req.id,
                     {"signoff_id": row.id, "override": override, "decision": req.status})
        db.flush()
        return _info(db, req, us, moment, _names(db))
    return vault.transact(write)


def latest_request(vault: Vault, us: SignedInUser, signoff_id: str, now: datetime | None = None) -> RequestInfo | None:
    """The teller's view of their sign-off's latest request (polled while waiting)."""
    require(us.role, "session.start")
    moment = now_utc(now)

    def read(db: Session) -> RequestInfo | None:
        load_own(db, us, signoff_id)
        req = db.scalars(select(ApprovalRequest).where(ApprovalRequest.signoff_id == signoff_id)
                              .order_by(ApprovalRequest.requested_at.desc()).limit(1)).first()
        return None if req is None else _info(db, req, us, moment, _names(db))
    return vault.transact(read)


def resubmit(vault: Vault, us: SignedInUser, signoff_id: str, now: datetime | None = None) -> RequestInfo:
    """Ask again after the request expired (the collected evidence stands)."""
    require(us.role, "session.start")
    moment = now_utc(now)
    expiry = int(vault.settings()["signoff.approval_expiry_minutes"])

    def write(db: Session) -> RequestInfo:
        row = load_own(db, us, signoff_id, SIGNOFF_PENDING)
        old = _pending(db, row.session_id)
        if old is not None:
            if _status(old, moment) != EXPIRED:
                raise refuse("request_pending", "审批请求仍在等待处理。",
                             "The request is still waiting for a decision.")
            old.status = EXPIRED
            db.flush()
        req_id = open_request(db, us, row, state_of(row).plan, moment, expiry)
        req = db.get(ApprovalRequest, req_id)
        assert req is not None  # added just above, in this transaction
        return _info(db, req, us, moment, _names(db))
    return vault.transact(write)


def decide_at_station(vault: Vault, station_user: SignedInUser, username: str, password: str, request_id: str,
                      approve: bool, reason: str = "", code: str | None = None) -> RequestInfo:
    """Supervisor override: the supervisor signs in on top of the teller's session at the teller's
    workstation (no second workstation, or the network is down), decides, and is signed out again.
    The sign-in is checked like any other (second factor and lockout included) and the override is
    audited with the station's teller."""
    require(station_user.role, "session.start")
    supervisor = vault.sign_in(username, password, code)
    try:
        vault.record(supervisor, "signoff.override_sign_in", "approval_request", request_id,
                     {"station_user": station_user.username})
        return decide(vault, supervisor, request_id, approve, reason, override=True)
    finally:
        vault.sign_out(supervisor, "override_done")
