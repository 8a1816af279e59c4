"""Separate consent to processing sensitive personal information (PIPL Arts 28-30).

The consent wording is a versioned notice form (``consent_sensitive_pi_v<n>.json``); a grant stores
the version and content hash of the exact text shown, and the text itself in form_definitions. A
refusal stores nothing about the customer: one audit entry naming the counter session, and the
session stops, since no customer data may be collected without this consent.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import Text
from counterdesk.forms import load_form
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.common import CustomerError, new_id, now_iso
from counterdesk.services.customers.counter_sessions import load_open, stop_in
from counterdesk.services.customers.forms_store import store_definition
from counterdesk.store import audit
from counterdesk.store.models.customers import Consent

CONSENT_FORM_ID = "consent_sensitive_pi"
CONSENT_TYPE = "sensitive_pi"
REFUSED_CODE = "consent_refused"


def record_consent(vault: Vault, us: SignedInUser, session_id: str, granted: bool, text_version: int) -> str | None:
    """Record the customer's answer to the consent text ``text_version`` shown in ``session_id``.

    Granted: returns the consent id to pass to ``create_customer``. Refused: returns None, writes only
    the audit entry 'customer.consent_refused' and stops the session with reason 'consent_refused'.
    """
    require(us.role, "customer.edit")
    if not isinstance(granted, bool):
        raise CustomerError(Text("须明确记录同意或拒绝。", "Record an explicit yes or no."), code="consent_unclear")
    notice = load_form(CONSENT_FORM_ID, text_version)

    def write(db: Session) -> str | None:
        row = load_open(db, us, session_id)
        if not granted:
            audit.append(db, us.actor, "customer.consent_refused", "counter_session", row.id,
                         {"text_version": notice.version})
            stop_in(db, us, row, REFUSED_CODE)
            return None
        store_definition(db, notice)
        consent = Consent(id=new_id(), customer_id=None, consent_type=CONSENT_TYPE, text_version=notice.version,
                          text_hash=notice.hash, granted=True, recorded_at=now_iso(), recorded_by=us.user_id,
                          session_id=row.id)
        db.add(consent)
        db.flush()
        audit.append(db, us.actor, "customer.consent_granted", "consent", consent.id,
                     {"session_id": row.id, "text_version": notice.version})
        return consent.id
    return vault.transact(write)


def usable_consent(db: Session, consent_id: str, session_id: str) -> Consent:
    """The granted, not yet used consent recorded in this counter session."""
    consent = db.get(Consent, consent_id) if isinstance(consent_id, str) else None
    if (consent is None or not consent.granted or consent.session_id != session_id
            or consent.consent_type != CONSENT_TYPE or consent.customer_id is not None):
        raise CustomerError(Text("缺少本次服务中客户对处理敏感个人信息的单独同意。",
                                 "The customer's separate consent to processing sensitive personal information "
                                 "was not recorded in this session."), code="consent_required", detail=str(consent_id))
    return consent
