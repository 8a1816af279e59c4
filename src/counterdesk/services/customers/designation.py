"""Targeted financial sanctions: a confirmed match takes effect at once (《中华人民共和国反洗钱法》, revised
2024, in force 2025-01-01, Art 40).

The confirmed screening itself is the customer's flag: a screening of the customer in
``confirmed_match`` designates them. Screenings and their dispositions are synced, so the flag reaches
every workstation of the branch with the record that proves it; there is no second copy to keep in
step. When a supervisor confirms a match, the teller's open session of that customer stops in the same
transaction and a referral for the AML officer is recorded; every later attempt to serve the customer
stops at identification and is referred as well (designation_referral.py).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.common import CustomerError
from counterdesk.store.models.sanctions import Screening

RULE = "AML-LAW-40"
CITATION = Text("《中华人民共和国反洗钱法》第四十条", "Anti-Money Laundering Law of the PRC, Art 40")
CONFIRMED, ATTEMPT = "sanctions_confirmed", "sanctions_designated_attempt"
REASONS: dict[str, Text] = {
    CONFIRMED: Text("主管确认客户与定向金融制裁名单匹配",
                    "a supervisor confirmed a targeted-financial-sanctions match"),
    ATTEMPT: Text("已确认命中制裁名单的客户再次办理业务",
                  "a customer with a confirmed sanctions match came to transact"),
}
STOP_CODE = "sanctions_designated"


class CustomerDesignated(CustomerError):
    code = "customer_designated"


def designated_text(confirmed_at: str | None = None) -> Text:
    when_zh = f"（{confirmed_at[:10]} 确认）" if confirmed_at else ""
    when_en = f" (confirmed {confirmed_at[:10]})" if confirmed_at else ""
    return Text(f"该客户已被确认命中定向金融制裁名单{when_zh}。依据{CITATION.zh}，须立即采取冻结等措施："
                "不得为其办理任何业务，本次业务终止，已向反洗钱岗位报告。",
                f"This customer has a confirmed targeted-financial-sanctions match{when_en}. Under "
                f"{CITATION.en} measures take effect at once: no business may be done with them; this "
                "session stops and the AML officer has been notified.")


def designation_in(db: Session, customer_id: str | None) -> Screening | None:
    """The newest confirmed screening of ``customer_id`` (made here or received from the branch)."""
    if not customer_id:
        return None
    return db.execute(select(Screening).where(Screening.subject_ref == customer_id,
                                              Screening.status == "confirmed_match")
                      .order_by(Screening.disposition_at.desc()).limit(1)).scalar_one_or_none()


def require_not_designated(db: Session, customer_id: str | None) -> None:
    """Refuse any business with a customer whose sanctions match is confirmed (Art 40)."""
    found = designation_in(db, customer_id)
    if found is not None:
        raise CustomerDesignated(designated_text(found.disposition_at), detail=customer_id)


def designation(vault: Vault, us: SignedInUser, customer_id: str) -> Text | None:
    """What the screen must say if ``customer_id`` is designated, else None."""
    require(us.role, "customer.view")

    def read(db: Session) -> Text | None:
        found = designation_in(db, customer_id)
        return designated_text(found.disposition_at) if found is not None else None
    return vault.transact(read)
