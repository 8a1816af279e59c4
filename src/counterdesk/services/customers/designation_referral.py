"""What a confirmed sanctions match does to the customer's sessions, and the AML officer's referrals
(《中华人民共和国反洗钱法》 Art 40; the flag itself: designation.py)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import Actor, SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import counter_sessions
from counterdesk.services.customers.common import new_id, now_iso
from counterdesk.services.customers.designation import (
    ATTEMPT,
    CONFIRMED,
    RULE,
    STOP_CODE,
    designated_text,
    designation_in,
)
from counterdesk.store import audit
from counterdesk.store.models.customers import CounterSessionRecord
from counterdesk.store.models.due_diligence import AmlReferral


def _refer(db: Session, actor: Actor, by_user_id: str, customer_id: str, session_id: str, reason_code: str) -> str:
    row = AmlReferral(id=new_id(), customer_id=customer_id, session_id=session_id, reason_code=reason_code,
                      rule=RULE, product_code=None, amount=None, currency=None, status="open",
                      created_at=now_iso(), created_by=by_user_id)
    db.add(row)
    db.flush()
    audit.append(db, actor, "aml.referral_recorded", "aml_referral", row.id,
                 {"reason_code": reason_code, "session_id": session_id, "customer_id": customer_id})
    return row.id


def on_confirmed(db: Session, us: SignedInUser, customer_id: str) -> str | None:
    """Inside the supervisor's confirming transaction: stop the customer's open session (whoever's it
    is) and refer the customer. Returns the referral id (None when the subject is no customer with a
    session here, e.g. a free-text screening)."""
    rows = db.execute(select(CounterSessionRecord).where(CounterSessionRecord.customer_id == customer_id)
                      .order_by(CounterSessionRecord.created_at.desc())).scalars().all()
    if not rows:
        return None
    for row in rows:
        if row.status == counter_sessions.OPEN:
            counter_sessions.stop_in(db, us, row, STOP_CODE)
    return _refer(db, us.actor, us.user_id, customer_id, rows[0].id, CONFIRMED)


def refer_attempt_and_stop(vault: Vault, us: SignedInUser, session_id: str, customer_id: str) -> Text:
    """A designated customer came back: the session stops and the attempt is referred, in one
    transaction. Returns the text for the screen."""
    require(us.role, "session.start")

    def write(db: Session) -> Text:
        session = counter_sessions.load_open(db, us, session_id)
        found = designation_in(db, customer_id)
        text = designated_text(found.disposition_at if found is not None else None)
        _refer(db, us.actor, us.user_id, customer_id, session.id, ATTEMPT)
        counter_sessions.stop_in(db, us, session, STOP_CODE)
        return text
    return vault.transact(write)
