"""Customer due diligence for a sale (金融机构客户尽职调查和客户身份资料及交易记录保存管理办法, PBOC/NFRA/CSRC
Order 〔2025〕 No. 11, in force 2026-01-01).

Selling a financial product of CNY 50,000 or more, or a foreign-currency amount worth USD 10,000 or
more, requires due diligence: the customer's identity data recorded (the KYC step) and a copy of the
identity document kept (counterdesk.services.customers.document_images). When due diligence cannot be
completed (no copy, the customer refuses one, the identity data is incomplete) the sale stops and a
suspicious-transaction referral (可疑交易报告 referral) goes to the AML officer.

* ``threshold_check`` is pure: the amount in the product's currency against the settings. A CNY sale
  is compared with ``due_diligence.threshold_cny``; any other currency is converted to USD through CNY
  with the rates of ``due_diligence.fx_cny_per_unit`` (cross rate: amount × rate(cur) / rate(USD)) and
  compared with ``due_diligence.threshold_usd``. A currency without a rate counts as at the threshold
  (due diligence is never skipped for want of a rate).
* ``missing_identity`` lists the basic identity data the Order names that the KYC record lacks.
* ``record_referral`` stores the referral (ids and codes only), audits it, and the ledger and the
  sync outbox take it from there; ``list_referrals`` is the AML officer's queue.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.settings import DD_FX_RATES, DD_THRESHOLD_CNY, DD_THRESHOLD_USD, SettingsValues
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import counter_sessions, designation
from counterdesk.services.customers.common import new_id, now_iso
from counterdesk.store import audit
from counterdesk.store.models.core import User
from counterdesk.store.models.due_diligence import AmlReferral, AmlReferralClosure

RULE = "CDD-2025-11"
CITATION = Text("《金融机构客户尽职调查和客户身份资料及交易记录保存管理办法》（中国人民银行 国家金融监督管理总局 "
                "中国证券监督管理委员会令〔2025〕第11号）",
                "Measures on customer due diligence and the keeping of identity and transaction records "
                "(PBOC/NFRA/CSRC Order 〔2025〕 No. 11)")

NO_COPY, REFUSED, INCOMPLETE = "cdd_no_document_copy", "cdd_customer_refused", "cdd_identity_incomplete"
REASONS: dict[str, Text] = {
    NO_COPY: Text("销售金额达到客户尽职调查门槛，但未留存客户身份证件影印件",
                  "the sale reaches the due-diligence threshold but no copy of the identity document is kept"),
    REFUSED: Text("销售金额达到客户尽职调查门槛，客户拒绝提供身份证件影印件",
                  "the sale reaches the due-diligence threshold and the customer refused a copy of the "
                  "identity document"),
    INCOMPLETE: Text("销售金额达到客户尽职调查门槛，但客户身份基本信息不完整",
                     "the sale reaches the due-diligence threshold but the customer's basic identity data is "
                     "incomplete"),
}
OPEN = "open"

# The basic identity data of a natural person the Order names, as KYC form keys. Each entry is satisfied
# when any of its keys has a value (a name in Chinese or in Latin letters; an expiry date or long-term).
IDENTITY_FIELDS: tuple[tuple[str, tuple[str, ...], Text], ...] = (
    ("name", ("name_zh", "name_latin"), Text("姓名", "name")),
    ("sex", ("sex",), Text("性别", "sex")),
    ("nationality", ("nationality",), Text("国籍", "nationality")),
    ("occupation", ("occupation",), Text("职业", "occupation")),
    ("address", ("address",), Text("住所地或工作单位地址", "address")),
    ("phone", ("phone",), Text("联系方式", "contact")),
    ("id_doc_type", ("id_doc_type",), Text("身份证件种类", "type of identity document")),
    ("id_number", ("id_number",), Text("身份证件号码", "document number")),
    ("id_validity", ("id_expiry_date", "id_long_term"), Text("证件有效期限", "document validity")),
)


@dataclass(frozen=True)
class ThresholdCheck:
    """Whether due diligence is required for this amount, and on what basis."""

    required: bool
    currency: str
    amount: Decimal
    compared: Decimal | None   # the amount in the threshold's currency (None: no rate)
    threshold: Decimal
    threshold_currency: str    # CNY or USD
    code: str                  # cny, usd, fx, fx_rate_missing

    @property
    def basis(self) -> Text:
        if self.code == "fx_rate_missing":
            return Text(f"{self.currency} 无折算汇率，按达到门槛处理",
                        f"no rate for {self.currency}: treated as at the threshold")
        if self.code == "fx":
            return Text(f"{self.amount:,.2f} {self.currency} 折合约 {self.compared:,.2f} 美元"
                        f"（门槛 {self.threshold:,.0f} 美元）",
                        f"{self.amount:,.2f} {self.currency} is about USD {self.compared:,.2f} "
                        f"(threshold USD {self.threshold:,.0f})")
        return Text(f"{self.amount:,.2f} {self.currency}（门槛 {self.threshold:,.0f} {self.threshold_currency}）",
                    f"{self.currency} {self.amount:,.2f} (threshold {self.threshold_currency} {self.threshold:,.0f})")


def fx_rates(value: Any) -> dict[str, Decimal]:
    """The setting's "USD:7.10,HKD:0.91" as {currency: CNY per unit}; unusable parts are left out."""
    rates: dict[str, Decimal] = {}
    for part in str(value or "").split(","):
        code, _, rate = part.strip().partition(":")
        try:
            number = Decimal(rate)
        except InvalidOperation:
            continue
        if len(code) == 3 and code.isalpha() and number.is_finite() and number > 0:
            rates[code.upper()] = number
    return rates


def threshold_check(amount: Decimal, currency: str, settings: SettingsValues | None = None) -> ThresholdCheck:
    """At or above the threshold (``>=``: "5万元以上" includes 50,000)."""
    settings = settings or SettingsValues()
    currency = (currency or "CNY").strip().upper()
    cny, usd = Decimal(settings[DD_THRESHOLD_CNY]), Decimal(settings[DD_THRESHOLD_USD])
    if currency == "CNY":
        return ThresholdCheck(amount >= cny, currency, amount, amount, cny, "CNY", "cny")
    if currency == "USD":
        return ThresholdCheck(amount >= usd, currency, amount, amount, usd, "USD", "usd")
    rates = fx_rates(settings[DD_FX_RATES])
    if currency not in rates or "USD" not in rates:
        return ThresholdCheck(True, currency, amount, None, usd, "USD", "fx_rate_missing")
    in_usd = (amount * rates[currency] / rates["USD"]).quantize(Decimal("0.01"))
    return ThresholdCheck(in_usd >= usd, currency, amount, in_usd, usd, "USD", "fx")


def missing_identity(answers: Mapping[str, Any]) -> list[tuple[str, Text]]:
    """The basic identity data (by the Order) that the KYC answers lack."""
    def present(key: str) -> bool:
        value = answers.get(key)
        return value is True if key == "id_long_term" else value not in (None, "", [], {})
    return [(name, label) for name, keys, label in IDENTITY_FIELDS if not any(present(k) for k in keys)]


def stop_text(reason_code: str, missing: list[tuple[str, Text]] | None = None) -> Text:
    """The reason the teller and the supervisor read, with the rule it comes from."""
    reason = REASONS[reason_code]
    extra_zh = extra_en = ""
    if missing:
        extra_zh = "（缺少：" + "、".join(label.zh for _k, label in missing) + "）"
        extra_en = " (missing: " + ", ".join(label.en for _k, label in missing) + ")"
    return Text(f"无法完成客户尽职调查：{reason.zh}{extra_zh}。依据{CITATION.zh}，本笔销售终止，"
                "已向反洗钱岗位提交可疑交易报告线索。",
                f"Due diligence cannot be completed: {reason.en}{extra_en}. Under {CITATION.en} the sale "
                "stops; a suspicious-transaction referral has been sent to the AML officer.")


@dataclass(frozen=True)
class Referral:
    referral_id: str
    customer_id: str | None
    session_id: str
    reason_code: str
    rule: str
    product_code: str | None
    amount: str | None
    currency: str | None
    status: str
    created_at: str
    created_by: str
    created_by_name: str = ""

    @property
    def reason(self) -> Text:
        found = REASONS.get(self.reason_code) or designation.REASONS.get(self.reason_code)
        return found or Text(self.reason_code, self.reason_code)

    @property
    def citation(self) -> Text:
        return designation.CITATION if self.rule == designation.RULE else CITATION


def referral_of(row: AmlReferral, names: Mapping[str, str], closed: bool = False) -> Referral:
    """The referral as recorded; its status is "closed" once the officer closed it (referral_queue.py)."""
    return Referral(row.id, row.customer_id, row.session_id, row.reason_code, row.rule, row.product_code, row.amount,
                    row.currency, "closed" if closed else row.status, row.created_at, row.created_by,
                    names.get(row.created_by, ""))


def record_referral_and_stop(vault: Vault, us: SignedInUser, session_id: str, customer_id: str | None,
                             reason_code: str, product_code: str | None = None, amount: Decimal | None = None,
                             currency: str | None = None) -> str:
    """The teller's session stops for ``reason_code`` and the referral is recorded, in one transaction."""
    require(us.role, "session.start")
    if reason_code not in REASONS:
        raise ValueError(f"unknown referral reason {reason_code!r}")

    def write(db: Session) -> str:
        session = counter_sessions.load_open(db, us, session_id)
        row = AmlReferral(id=new_id(), customer_id=customer_id, session_id=session.id, reason_code=reason_code,
                          rule=RULE, product_code=product_code, amount=str(amount) if amount is not None else None,
                          currency=currency, status=OPEN, created_at=now_iso(), created_by=us.user_id)
        db.add(row)
        db.flush()
        audit.append(db, us.actor, "aml.referral_recorded", "aml_referral", row.id,
                     {"reason_code": reason_code, "session_id": session.id, "customer_id": customer_id,
                      "product_code": product_code})
        counter_sessions.stop_in(db, us, session, reason_code)
        return row.id
    return vault.transact(write)


def list_referrals(vault: Vault, us: SignedInUser, status: str | None = None, limit: int = 500) -> list[Referral]:
    """The AML officer's queue, newest first (supervisors and the auditor)."""
    require(us.role, "aml.referrals")

    def read(db: Session) -> list[Referral]:
        closed = set(db.scalars(select(AmlReferralClosure.referral_id)))
        query = select(AmlReferral).order_by(AmlReferral.created_at.desc())
        if status == OPEN:
            query = query.where(AmlReferral.id.not_in(closed))
        names = {u.id: u.username for u in db.scalars(select(User))}
        return [referral_of(r, names, r.id in closed) for r in db.scalars(query.limit(limit))]
    return vault.transact(read)


__all__ = ["CITATION", "INCOMPLETE", "NO_COPY", "REASONS", "REFUSED", "RULE", "Referral", "ThresholdCheck",
           "fx_rates", "list_referrals", "missing_identity", "record_referral_and_stop", "referral_of", "stop_text",
           "threshold_check"]
