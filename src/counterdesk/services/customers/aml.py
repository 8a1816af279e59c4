"""AML customer risk rating: a few transparent rules, each giving a level and a reason.

The rating is the highest level any rule gives; every reason is kept (rule id, level, zh/en text),
so a rating can always be explained. Rules (RULES_VERSION names this set):

| rule             | when                                                       | level  |
|------------------|------------------------------------------------------------|--------|
| nationality.high | nationality in setting aml.high_risk_countries             | high   |
| nationality.monitored | nationality in aml.monitored_countries                | medium |
| tax.high         | a declared tax jurisdiction in aml.high_risk_countries      | high   |
| tax.monitored    | a declared tax jurisdiction in aml.monitored_countries      | medium |
| occupation       | the occupation's risk in the bundled occupation list       | its level (low adds no reason) |
| pep              | any PEP self-declaration other than "none"                 | high   |
| screening.confirmed | a confirmed sanctions/watch-list match                  | high   |
| screening.cleared   | a potential match cleared as a false positive           | medium |
| baseline         | no rule above applies                                      | low    |

A cleared false positive therefore raises a customer to medium at most; only other factors (or a
confirmed match) make them high. Screening itself belongs to counterdesk.services.sanctions; the caller
passes its outcome in as a ScreeningHistory.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.settings import AML_HIGH_RISK_COUNTRIES, AML_MONITORED_COUNTRIES, SettingsValues
from counterdesk.base.text import Text
from counterdesk.forms import occupations
from counterdesk.forms.countries import name
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.common import load_customer, now_iso, version_row
from counterdesk.services.customers.data_rights import require_unrestricted
from counterdesk.services.customers.records import Rating, Reason
from counterdesk.store import audit
from counterdesk.store.models.customers import AmlRating

RULES_VERSION = "aml-2026.1"
LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class ScreeningHistory:
    """What screening found for this customer, from counterdesk.services.sanctions."""

    confirmed_match: bool = False
    cleared_false_positive: bool = False


def country_list(value: Any) -> frozenset[str]:
    """A comma-separated setting value as a set of codes; tolerant of spaces and case."""
    if not isinstance(value, str):
        return frozenset()
    return frozenset(c.strip().upper() for c in value.split(",") if c.strip())


def _country(code: str) -> tuple[str, str]:
    text = name(code)
    return f"{text.zh}（{code}）", f"{text.en} ({code})"


def assess(answers: Mapping[str, Any], screening: ScreeningHistory | None = None,
           settings: SettingsValues | None = None) -> Rating:
    """Rate stored KYC answers. Pure: no database, no clock."""
    settings = settings or SettingsValues()
    high = country_list(settings[AML_HIGH_RISK_COUNTRIES])
    monitored = country_list(settings[AML_MONITORED_COUNTRIES]) - high
    reasons: list[Reason] = []

    nationality = answers.get("nationality")
    if isinstance(nationality, str) and nationality in high | monitored:
        zh, en = _country(nationality)
        if nationality in high:
            reasons.append(Reason("nationality.high", "high", Text(f"国籍为高风险国家或地区：{zh}",
                                                                   f"Nationality is a high-risk jurisdiction: {en}")))
        else:
            reasons.append(Reason("nationality.monitored", "medium", Text(f"国籍为需加强监测的国家或地区：{zh}",
                                                                          "Nationality is under "
                                                                          f"increased monitoring: {en}")))

    for item in answers.get("tax_jurisdictions") or []:
        code = item.get("country") if isinstance(item, Mapping) else None
        if code in high:
            zh, en = _country(code)
            reasons.append(Reason("tax.high", "high", Text(f"税收居民国为高风险国家或地区：{zh}",
                                                           f"Tax resident of a high-risk jurisdiction: {en}")))
        elif code in monitored:
            zh, en = _country(code)
            reasons.append(Reason("tax.monitored", "medium", Text(f"税收居民国需加强监测：{zh}",
                                                                  "Tax resident of a jurisdiction "
                                                                  f"under increased monitoring: {en}")))

    occupation = occupations.get(answers.get("occupation"))
    if occupation is not None and occupation.risk != "low":
        word = {"medium": ("中", "medium"), "high": ("高", "high")}[occupation.risk]
        reasons.append(Reason("occupation", occupation.risk, Text(
            f"职业为{word[0]}风险：{occupation.label.zh}", f"Occupation of {word[1]} risk: {occupation.label.en}")))

    pep = answers.get("pep_status")
    if isinstance(pep, str) and pep != "none":
        reasons.append(Reason("pep", "high", Text("客户声明为政治公众人物或其亲属、密切关系人",
                                                  "The customer declared being a PEP, "
                                                  "or a relative or close associate of one")))

    if screening is not None and screening.confirmed_match:
        reasons.append(Reason("screening.confirmed", "high", Text("名单筛查确认命中",
                                                                  "Screening confirmed a list match")))
    elif screening is not None and screening.cleared_false_positive:
        reasons.append(Reason("screening.cleared", "medium", Text("名单筛查曾有疑似命中，已排除为误报",
                                                                 "Screening had a potential match, "
                                                                 "cleared as a false positive")))

    if not reasons:
        reasons.append(Reason("baseline", "low", Text("未发现风险因素", "No risk factor found")))
    level = max((r.level for r in reasons), key=LEVELS.index)
    return Rating(level, tuple(reasons), RULES_VERSION)


def _reasons_json(rating: Rating) -> str:
    return json.dumps([{"rule": r.rule, "level": r.level, "zh": r.text.zh, "en": r.text.en} for r in rating.reasons],
                      ensure_ascii=False, separators=(",", ":"))


def rate_customer(vault: Vault, us: SignedInUser, customer_id: str,
                  screening: ScreeningHistory | None = None) -> Rating:
    """Rate the customer's current data, store the rating (aml_ratings) and audit its level."""
    require(us.role, "aml.rate")
    settings = vault.settings()

    def write(db: Session) -> Rating:
        customer = load_customer(db, customer_id)
        require_unrestricted(db, customer.id)
        data = json.loads(version_row(db, customer.id, customer.current_version).data)
        rating = assess(data, screening, settings)
        db.add(AmlRating(customer_id=customer.id, level=rating.level, reasons=_reasons_json(rating),
                              rated_at=now_iso(), rated_by=us.user_id, rules_version=rating.rules_version))
        db.flush()
        audit.append(db, us.actor, "customer.rated", "customer", customer.id,
                     {"level": rating.level, "rules_version": rating.rules_version,
                      "count": len(rating.reasons)})
        return rating
    return vault.transact(write)


def latest_rating(vault: Vault, us: SignedInUser, customer_id: str) -> tuple[Rating, str] | None:
    """(rating, rated_at) of the newest stored rating, or None."""
    require(us.role, "customer.view")

    def read(db: Session):
        # By time, not local number: a rating received from another workstation may be older.
        row = db.execute(select(AmlRating).where(AmlRating.customer_id == customer_id)
                         .order_by(AmlRating.rated_at.desc(), AmlRating.id.desc()).limit(1)).scalar_one_or_none()
        if row is None:
            return None
        reasons = tuple(Reason(r["rule"], r["level"], Text(r["zh"], r["en"])) for r in json.loads(row.reasons))
        return Rating(row.level, reasons, row.rules_version), row.rated_at
    return vault.transact(read)


__all__ = ["LEVELS", "RULES_VERSION", "ScreeningHistory", "assess", "country_list", "latest_rating", "rate_customer"]
