"""What one sale's sign-off requires, decided from the stored suitability decision (pure).

The suitability decision already lists the conditions of the sale (special warning, recording,
extra confirmation, supervisor approval, cooling-off ...). The sign-off satisfies most of them
itself: the customer reads the notices, consents to the recording, types the sentence and signs.
Whatever is left unmet (for example a guardian's consent or an insurance declaration on paper) is
an *open condition* and sends the sale to a supervisor, together with the other approval reasons.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from counterdesk.base.settings import (
    SIGNOFF_APPROVAL_AMOUNT,
    SIGNOFF_SENTENCE_MIN_RISK,
    SUIT_COOLING_OFF_HOURS,
    SUIT_ELDERLY_AGE,
)
from counterdesk.base.text import Text
from counterdesk.forms.disclosures import disclosures_for, min_reading_seconds
from counterdesk.suitability.rules import RECORDED_TYPES

# Conditions the sign-off meets by itself (see the module docstring).
MET_BY_SIGNOFF = frozenset({"special_risk_warning", "customer_signature", "recording", "extra_confirmation",
                            "longer_reading_time", "cooling_off", "supervisor_approval", "customer_own_words"})

APPROVAL_TEXTS = {
    "customer_initiated": Text("客户主动购买超出其风险承受能力的产品",
                               "Customer-initiated purchase above the customer's grade"),
    "elderly_care": Text("{age} 岁客户购买高风险产品（特别关照）",
                         "Customer aged {age} buying a high-risk product (special care)"),
    "amount": Text("金额 {amount} 元超过审批线 {limit} 元", "Amount {amount} above the approval threshold {limit}"),
    "aml_medium": Text("客户反洗钱风险等级：中", "Customer's AML risk rating: medium"),
    "aml_high": Text("客户反洗钱风险等级：高", "Customer's AML risk rating: high"),
    "open_condition": Text("未满足的条件：{text}", "Open condition: {text}"),
}


@dataclass(frozen=True)
class ApprovalReason:
    code: str
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang.startswith("en") else self.zh


@dataclass(frozen=True)
class SignoffPlan:
    product_code: str
    product_type: str
    risk_level: str
    amount: str
    forms: tuple[str, ...]                 # form refs ("id@version") in display order
    form_hashes: tuple[str, ...]
    min_reading_seconds: int
    sentence_required: bool
    recording_required: bool
    cooling_off_hours: int                 # 0: no cooling-off period
    customer_initiated: bool
    elderly_care: bool
    approval_reasons: tuple[ApprovalReason, ...] = field(default_factory=tuple)

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval_reasons)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SignoffPlan:
        values = dict(d)
        values["forms"] = tuple(values["forms"])
        values["form_hashes"] = tuple(values["form_hashes"])
        values["approval_reasons"] = tuple(ApprovalReason(**r) for r in values["approval_reasons"])
        return cls(**values)


def _reason(code: str, **params: Any) -> ApprovalReason:
    t = APPROVAL_TEXTS[code].format(**params)
    return ApprovalReason(code, t.zh, t.en)


def make_plan(*, product, amount: Decimal, customer_initiated: bool, outcome: str, conditions: Iterable[Mapping],
              customer_age: int | None, aml_level: str | None, settings) -> SignoffPlan:
    """``product``: the catalog Product sold; ``conditions``: the decision's stored conditions
    ({code, zh, en, satisfied}); ``settings``: a SettingsValues snapshot."""
    conditions = list(conditions)
    codes = {c["code"] for c in conditions}
    mismatch = customer_initiated and (outcome == "customer_initiated_only" or "special_risk_warning" in codes)
    elderly = customer_age is not None and customer_age >= int(settings[SUIT_ELDERLY_AGE]) and (
        "extra_confirmation" in codes or "longer_reading_time" in codes)
    private = not product.public or product.type in ("private_wm", "private_fund")
    forms = disclosures_for(product.type, customer_initiated=mismatch, elderly_care=elderly, private=private)
    level = str(product.applied_risk_level)  # the higher of the issuer's and the bank's (NFRA Order 2025 No. 7)
    risk_rank = int(level.lstrip("Rr"))
    sentence = mismatch or elderly or risk_rank >= int(settings[SIGNOFF_SENTENCE_MIN_RISK])
    recording = "recording" in codes or bool(product.recording_required) or product.type in RECORDED_TYPES
    cooling = 0
    if "cooling_off" in codes or private:
        cooling = max(int(settings[SUIT_COOLING_OFF_HOURS]), int(product.cooling_off_hours or 0)) if private \
            else int(product.cooling_off_hours or 0)

    reasons: list[ApprovalReason] = []
    if mismatch:
        reasons.append(_reason("customer_initiated"))
    if elderly:
        reasons.append(_reason("elderly_care", age=customer_age))
    limit = int(settings[SIGNOFF_APPROVAL_AMOUNT])
    if amount > limit:
        reasons.append(_reason("amount", amount=f"{amount:,.2f}", limit=f"{limit:,}"))
    if aml_level in ("medium", "high"):
        reasons.append(_reason(f"aml_{aml_level}"))
    for c in conditions:
        if c["code"] not in MET_BY_SIGNOFF and not c.get("satisfied"):
            reasons.append(ApprovalReason("open_condition:" + c["code"],
                                          APPROVAL_TEXTS["open_condition"].zh.format(text=c["zh"]),
                                          APPROVAL_TEXTS["open_condition"].en.format(text=c["en"])))
    if "supervisor_approval" in codes and not reasons:
        reasons.append(ApprovalReason("supervisor_approval", "适当性规则要求主管审批",
                                      "A suitability rule requires approval"))
    return SignoffPlan(
        product_code=product.code, product_type=product.type, risk_level=level.upper(),
        amount=str(amount), forms=tuple(f.ref for f in forms), form_hashes=tuple(f.hash for f in forms),
        min_reading_seconds=min_reading_seconds(level, settings, elderly_care=elderly),
        sentence_required=sentence, recording_required=recording, cooling_off_hours=cooling,
        customer_initiated=mismatch, elderly_care=elderly, approval_reasons=tuple(reasons))
