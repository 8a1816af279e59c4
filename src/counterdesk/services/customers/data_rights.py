"""Restricted processing after a deletion request (个人信息保护法 Art 47).

A customer who asks for deletion while a legal retention period still runs (domain-rules §6: KYC 10
years after the relationship ends, transactions 10 years, suitability evidence 20 years) keeps their
records, but nothing may be done with them except storage and security protection. The restriction
is one row per customer (who recorded it, when the customer asked, a reason code, the retention rule
that keeps the data and until when); every processing entry point of the core calls
``require_unrestricted`` in its own transaction, and every screen that shows the customer gets the
``restriction`` text with the summary or record. When the period has passed the retention job
(``counterdesk.services.retention``) purges the records and leaves a tombstone.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.settings import (
    DD_RETENTION_YEARS,
    RETENTION_SUITABILITY_YEARS,
    RETENTION_TRANSACTION_YEARS,
    SettingsValues,
)
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.common import CustomerError, load_customer, now_iso
from counterdesk.store import audit
from counterdesk.store.models.customers import CounterSessionRecord, CustomerVersion
from counterdesk.store.models.data_rights import CustomerRestriction
from counterdesk.store.models.sales import SaleDecision

DELETION_REQUEST = "deletion_request"
# The mark before a restricted customer's name in lists (the full message is restricted_message).
RESTRICTED_MARK = Text("[限制处理] {name}", "[Restricted] {name}")
CONSENT_WITHDRAWN = "consent_withdrawn"
REASONS: dict[str, Text] = {
    DELETION_REQUEST: Text("客户申请删除个人信息", "The customer asked for their personal information to be deleted"),
    CONSENT_WITHDRAWN: Text("客户撤回同意", "The customer withdrew their consent"),
}

KYC, TRANSACTION, SUITABILITY = "kyc", "transaction", "suitability"
# rule -> (what it keeps, its source); the years are settings (counterdesk.base.settings)
RULES: dict[str, Text] = {
    KYC: Text("客户身份资料自业务关系结束后保存（反洗钱法第三十四条）",
              "identity (KYC) records, kept after the relationship ends (AML Law 2024 Art 34)"),
    TRANSACTION: Text("交易记录自交易之日起保存（反洗钱法第三十四条）",
                      "transaction records, kept after the transaction (AML Law 2024 Art 34)"),
    SUITABILITY: Text("适当性材料自销售之日起保存（证券期货投资者适当性管理办法第三十二条）",
                      "suitability evidence, kept after the sale (CSRC suitability measures Art 32)"),
}


class CustomerRestricted(CustomerError):
    code = "customer_restricted"


@dataclass(frozen=True)
class RetentionBasis:
    """The rule that keeps a customer's records longest, the event it counts from and until when."""

    rule: str
    counted_from: str  # ISO time of the event
    years: int
    until: date

    def expired(self, today: date) -> bool:
        return today >= self.until


@dataclass(frozen=True)
class RestrictionInfo:
    customer_id: str
    requested_at: str
    recorded_at: str
    recorded_by: str
    reason_code: str
    basis: str
    retain_until: str | None
    message: Text  # what every screen that shows the customer says


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none: the period ends on 1 March
        return date(day.year + years, 3, 1)


def _day(iso: str) -> date:
    return datetime.fromisoformat(iso).astimezone(UTC).date()


def last_activity(db: Session, customer_id: str) -> str:
    """The latest event of the relationship: a data change or a counter session."""
    changed = db.scalar(select(func.max(CustomerVersion.created_at)).where(CustomerVersion.customer_id == customer_id))
    served = db.scalar(select(func.max(CounterSessionRecord.updated_at))
                       .where(CounterSessionRecord.customer_id == customer_id))
    return max(t for t in (changed, served) if t is not None) if (changed or served) else now_iso()


def retention_basis(db: Session, settings: SettingsValues, customer_id: str,
                    ended_at: str | None = None) -> RetentionBasis:
    """How long this customer's records must be kept: the latest end of every period that applies.
    The relationship ends at ``ended_at`` (the deletion request) or, without one, at the last activity."""
    end = max(ended_at, last_activity(db, customer_id)) if ended_at else last_activity(db, customer_id)
    kyc_years = int(settings[DD_RETENTION_YEARS])
    candidates = [RetentionBasis(KYC, end, kyc_years, add_years(_day(end), kyc_years))]
    last_sale = db.scalar(select(func.max(SaleDecision.decided_at)).where(SaleDecision.customer_id == customer_id))
    if last_sale is not None:
        for rule, setting in ((TRANSACTION, RETENTION_TRANSACTION_YEARS), (SUITABILITY, RETENTION_SUITABILITY_YEARS)):
            years = int(settings[setting])
            candidates.append(RetentionBasis(rule, last_sale, years, add_years(_day(last_sale), years)))
    # The longest period wins; on a tie the earlier rule in RULES (KYC first) names it.
    return max(candidates, key=lambda b: (b.until, -list(RULES).index(b.rule)))


def restricted_message(basis: str, retain_until: str | None) -> Text:
    rule = RULES.get(basis, Text(basis, basis))
    until_zh = f"，保存至 {retain_until}" if retain_until else ""
    until_en = f", kept until {retain_until}" if retain_until else ""
    return Text(f"该客户已申请删除个人信息，但仍在法定保存期内（{rule.zh}{until_zh}）。依《个人信息保护法》第四十七条，"
                "除存储和采取必要的安全保护措施外，停止一切处理：不得为其办理新业务、销售、风险测评或名单筛查。",
                f"This customer asked for deletion during a legal retention period ({rule.en}{until_en}). Under "
                "PIPL Art 47 nothing but storage and security protection may be done with their data: no new "
                "session, sale, risk assessment or screening.")


def _info(row: CustomerRestriction) -> RestrictionInfo:
    return RestrictionInfo(row.customer_id, row.requested_at, row.recorded_at, row.recorded_by, row.reason_code,
                           row.basis, row.retain_until, restricted_message(row.basis, row.retain_until))


def restriction_in(db: Session, customer_id: str) -> RestrictionInfo | None:
    row = db.get(CustomerRestriction, customer_id) if isinstance(customer_id, str) else None
    return _info(row) if row is not None else None


def restrictions_in(db: Session, customer_ids: Iterable[str]) -> dict[str, RestrictionInfo]:
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    rows = db.scalars(select(CustomerRestriction).where(CustomerRestriction.customer_id.in_(ids)))
    return {r.customer_id: _info(r) for r in rows}


def require_unrestricted(db: Session, customer_id: str | None) -> None:
    """Refuse any new processing of a restricted customer (PIPL Art 47), with the reason for the screen."""
    if customer_id is None:
        return
    found = restriction_in(db, customer_id)
    if found is not None:
        raise CustomerRestricted(found.message, detail=customer_id)


def restrict(vault: Vault, us: SignedInUser, customer_id: str, reason_code: str = DELETION_REQUEST,
             requested_at: datetime | None = None) -> RestrictionInfo:
    """Record a deletion request that a retention period overrides: the customer's processing is
    restricted from now on, everywhere (the row is synced). Restricting twice keeps the first."""
    require(us.role, "privacy.manage")
    if reason_code not in REASONS:
        raise CustomerError(Text("未知的限制处理原因。", "Unknown reason for the restriction."),
                            code="restriction_reason", detail=str(reason_code))
    asked = (requested_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    settings = vault.settings()

    def write(db: Session) -> RestrictionInfo:
        customer = load_customer(db, customer_id)
        existing = db.get(CustomerRestriction, customer.id)
        if existing is not None:
            return _info(existing)
        basis = retention_basis(db, settings, customer.id, asked)
        row = CustomerRestriction(customer_id=customer.id, requested_at=asked, recorded_at=now_iso(),
                                  recorded_by=us.user_id, reason_code=reason_code, basis=basis.rule,
                                  retain_until=basis.until.isoformat())
        db.add(row)
        db.flush()
        audit.append(db, us.actor, "customer.restricted", "customer", customer.id,
                     {"reason_code": reason_code, "basis": basis.rule, "retain_until": row.retain_until})
        return _info(row)
    return vault.transact(write)


def get_restriction(vault: Vault, us: SignedInUser, customer_id: str) -> RestrictionInfo | None:
    require(us.role, "customer.find")
    return vault.transact(lambda db: restriction_in(db, customer_id))
