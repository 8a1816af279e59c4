"""Counter sessions: one customer visit at one teller's counter, open until stopped or completed.

Only the teller who opened a session may change it; a stopped or completed session is final (a new
visit opens a new session), so a stop reason can never be overwritten by a later step.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.common import CustomerError, new_id, now_iso
from counterdesk.services.customers.data_rights import require_unrestricted
from counterdesk.services.customers.designation import require_not_designated
from counterdesk.services.customers.records import CounterSessionInfo
from counterdesk.store import audit
from counterdesk.store.models.customers import CounterSessionRecord, Customer

OPEN, STOPPED, COMPLETED = "open", "stopped", "completed"
_STOP_CODE_MAX = 64

# Why a teller cancels a session on purpose (stored as "cancelled:<code>"); signing out or quitting
# with a session open stops it as "cancelled_by_teller".
CANCEL_REASONS: dict[str, Text] = {
    "customer_left": Text("客户已离开柜台", "The customer left the counter"),
    "customer_declined": Text("客户决定不再办理", "The customer decided not to go ahead"),
    "wrong_customer": Text("证件或客户有误，须重新开始", "Wrong document or customer: starting again"),
    "system_problem": Text("设备或系统故障", "An equipment or system problem"),
    "other": Text("其他原因", "Another reason"),
}
CANCEL_PREFIX = "cancelled:"


def _info(row: CounterSessionRecord) -> CounterSessionInfo:
    return CounterSessionInfo(row.id, row.teller_id, row.customer_id, row.status, row.step, row.stop_reason_code,
                              row.created_at, row.updated_at)


def load_open(db: Session, us: SignedInUser, session_id: str) -> CounterSessionRecord:
    """The session row, if it exists, is open and belongs to the signed-in teller."""
    row = db.get(CounterSessionRecord, session_id) if isinstance(session_id, str) else None
    if row is None:
        raise CustomerError(Text("找不到该柜面服务会话。", "No such counter session."), code="session_not_found",
                            detail=str(session_id))
    if row.teller_id != us.user_id:
        raise CustomerError(Text("该服务会话属于其他柜员。", "This counter session belongs to another teller."),
                            code="session_not_yours", detail=session_id)
    if row.status != OPEN:
        raise CustomerError(Text("该服务会话已结束。", "This counter session has already ended."),
                            code="session_closed", detail=f"{session_id}:{row.status}")
    return row


def stop_in(db: Session, us: SignedInUser, row: CounterSessionRecord, reason_code: str) -> None:
    """Stop ``row`` inside the caller's transaction (used by consent refusal and stopping answers)."""
    row.status, row.stop_reason_code, row.updated_at = STOPPED, reason_code, now_iso()
    audit.append(db, us.actor, "session.stopped", "counter_session", row.id, {"reason": reason_code})


def open_session(vault: Vault, us: SignedInUser) -> str:
    """Start a counter session for the signed-in teller; returns its id."""
    require(us.role, "session.start")

    def write(db: Session) -> str:
        ts = now_iso()
        row = CounterSessionRecord(id=new_id(), teller_id=us.user_id, customer_id=None, status=OPEN, step="identify",
                             stop_reason_code=None, created_at=ts, updated_at=ts)
        db.add(row)
        db.flush()
        audit.append(db, us.actor, "session.opened", "counter_session", row.id)
        return row.id
    return vault.transact(write)


def get_session(vault: Vault, us: SignedInUser, session_id: str) -> CounterSessionInfo:
    require(us.role, "session.start")

    def read(db: Session) -> CounterSessionInfo:
        row = db.get(CounterSessionRecord, session_id)
        if row is None or row.teller_id != us.user_id:
            raise CustomerError(Text("找不到该柜面服务会话。", "No such counter session."), code="session_not_found",
                                detail=str(session_id))
        return _info(row)
    return vault.transact(read)


def set_step(vault: Vault, us: SignedInUser, session_id: str, step: str) -> None:
    """Record where the flow is (for resuming and reporting); not audited, it carries no decision."""
    require(us.role, "session.start")

    def write(db: Session) -> None:
        row = load_open(db, us, session_id)
        row.step, row.updated_at = str(step)[:32], now_iso()
    vault.transact(write)


def is_open(vault: Vault, session_id: str) -> bool:
    def read(db: Session) -> bool:
        row = db.get(CounterSessionRecord, session_id)
        return row is not None and row.status == OPEN
    return vault.transact(read)


def stop_session(vault: Vault, us: SignedInUser, session_id: str, reason_code: str) -> None:
    """End the session because it cannot go on (e.g. consent_refused, no_civil_capacity, document_expired)."""
    require(us.role, "session.start")
    if not isinstance(reason_code, str) or not reason_code.strip() or len(reason_code) > _STOP_CODE_MAX:
        raise CustomerError(Text("缺少终止原因代码。", "A stop reason code is required."), code="stop_reason_required")

    def write(db: Session) -> None:
        stop_in(db, us, load_open(db, us, session_id), reason_code.strip())
    vault.transact(write)


def complete_session(vault: Vault, us: SignedInUser, session_id: str) -> None:
    require(us.role, "session.start")

    def write(db: Session) -> None:
        row = load_open(db, us, session_id)
        row.status, row.updated_at = COMPLETED, now_iso()
        audit.append(db, us.actor, "session.completed", "counter_session", row.id)
    vault.transact(write)


def attach_customer(vault: Vault, us: SignedInUser, session_id: str, customer_id: str) -> None:
    """Link an existing customer (found by document or name) to the session."""
    require(us.role, "session.start")
    require(us.role, "customer.view")

    def write(db: Session) -> None:
        row = load_open(db, us, session_id)
        if db.get(Customer, customer_id) is None:
            raise CustomerError(Text("找不到该客户。", "No such customer."), code="customer_not_found",
                                detail=str(customer_id))
        require_unrestricted(db, customer_id)  # no new session for a restricted customer (PIPL Art 47)
        require_not_designated(db, customer_id)  # AML Law Art 40: no business with a designated customer
        row.customer_id, row.updated_at = customer_id, now_iso()
        audit.append(db, us.actor, "session.customer_attached", "counter_session", row.id,
                     {"customer_id": customer_id})
    vault.transact(write)
