"""Staff licences (持证上岗, seed 003 §1.2): who may sell what, and until when.

One row per user and licence type (setting it again replaces it, e.g. after a renewal). Admins set
and remove licences, each change audited; ``licence_ok`` is what the counter session and the
suitability engine ask before a product that requires a licence is sold. A licence is valid from
its issue date through its expiry date (inclusive); no expiry date means it does not lapse.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Result, Text, ValidationFailed
from counterdesk.services.auth.vault import Vault
from counterdesk.services.catalog.products import LICENCE_TYPES, licence_label
from counterdesk.store import audit
from counterdesk.store import users as users_repo
from counterdesk.store.models.catalog import UserLicence
from counterdesk.store.models.core import User

NUMBER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/._-]{0,63}")


@dataclass(frozen=True)
class LicenceInfo:
    user_id: str
    licence_type: str
    number: str
    issued: date
    expires: date | None
    updated_at: str
    updated_by: str  # username

    def label(self, lang: str) -> str:
        return licence_label(self.licence_type).get(lang)

    def valid_on(self, on: date) -> bool:
        return self.issued <= on and (self.expires is None or on <= self.expires)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _info(row: UserLicence, names: dict[str, str]) -> LicenceInfo:
    return LicenceInfo(row.user_id, row.licence_type, row.number, date.fromisoformat(row.issued),
                       date.fromisoformat(row.expires) if row.expires else None, row.updated_at,
                       names.get(row.updated_by, row.updated_by))


def _names(db) -> dict[str, str]:
    return {uid: name for uid, name in db.execute(select(User.id, User.username))}


def check_licence(licence_type: str, number: str, issued: date | None, expires: date | None) -> Result:
    res = Result()
    if licence_type not in LICENCE_TYPES:
        allowed = ", ".join(LICENCE_TYPES)
        res.add("licence_type", "unknown", Text(f"资格类型：未知（可选：{allowed}）",
                                                f"Licence type: unknown (allowed: {allowed})"))
    if not NUMBER_RE.fullmatch((number or "").strip()):
        res.add("number", "format", Text("证书编号：须为 1-64 位字母、数字或 / . _ -",
                                          "Certificate number: 1-64 letters, digits or / . _ -"))
    if issued is None:
        res.add("issued", "required", Text("发证日期：必填", "Issue date: is required"))
    if issued is not None and expires is not None and expires < issued:
        res.add("expires", "before_issued", Text("有效期至：不得早于发证日期",
                                                 "Expires: must not be before the issue date"))
    return res


def set_licence(vault: Vault, us: SignedInUser, user_id: str, licence_type: str, number: str, issued: date,
                expires: date | None) -> LicenceInfo:
    """Add or replace (renewal) one licence of a user."""
    require(us.role, "users.manage")
    res = check_licence(licence_type, number, issued, expires)
    if not res.ok:
        raise ValidationFailed(res)
    number = number.strip()

    def write(db: Session) -> LicenceInfo:
        if db.get(User, user_id) is None:
            raise CounterDeskError(Text("没有这个用户。", "No such user."), code="no_user")
        row = db.execute(select(UserLicence).where(UserLicence.user_id == user_id,
                                                        UserLicence.licence_type == licence_type)).scalar_one_or_none()
        mode = "replace" if row else "add"
        if row is None:
            row = UserLicence(id=str(uuid.uuid4()), user_id=user_id, licence_type=licence_type)
            db.add(row)
        row.number, row.issued = number, issued.isoformat()
        row.expires = expires.isoformat() if expires else None
        row.updated_at, row.updated_by = _now(), us.user_id
        db.flush()
        audit.append(db, us.actor, "licence.set", "user", user_id, {
            "licence_type": licence_type, "issued": row.issued, "expires": row.expires, "mode": mode})
        return _info(row, _names(db))
    return vault.transact(write)


def remove_licence(vault: Vault, us: SignedInUser, user_id: str, licence_type: str) -> bool:
    """Remove one licence; False when the user did not hold it."""
    require(us.role, "users.manage")

    def write(db: Session) -> bool:
        row = db.execute(select(UserLicence).where(UserLicence.user_id == user_id,
                                                        UserLicence.licence_type == licence_type)).scalar_one_or_none()
        if row is None:
            return False
        db.delete(row)
        audit.append(db, us.actor, "licence.removed", "user", user_id, {"licence_type": licence_type})
        return True
    return vault.transact(write)


def list_licences(vault: Vault, us: SignedInUser, user_id: str | None = None) -> list[LicenceInfo]:
    """Licences of one user (anyone may read their own) or of everyone (admin)."""
    if user_id != us.user_id:
        require(us.role, "users.manage")

    def read(db: Session) -> list[LicenceInfo]:
        q = select(UserLicence).order_by(UserLicence.user_id, UserLicence.licence_type)
        if user_id is not None:
            q = q.where(UserLicence.user_id == user_id)
        names = _names(db)
        return [_info(r, names) for r in db.execute(q).scalars()]
    return vault.transact(read)


def licence_ok_in(db, user_id: str, licence_type: str, on_date: date) -> Result:
    """``licence_ok`` inside the caller's transaction."""
    res = Result()
    if not licence_type:
        return res  # the product needs no licence
    label = licence_label(licence_type)
    row = db.execute(select(UserLicence).where(UserLicence.user_id == user_id,
                                                    UserLicence.licence_type == licence_type)).scalar_one_or_none()
    if row is None:
        res.add("licence", "licence_missing", Text(f"销售人员未登记“{label.zh}”，不能销售此产品（持证上岗）。",
                                                   f"The seller holds no {label.en}; this product cannot be sold "
                                                   "(licence required)."))
        return res
    issued = date.fromisoformat(row.issued)
    if on_date < issued:
        res.add("licence", "licence_not_yet_valid", Text(f"销售人员的“{label.zh}”自 {issued} 起才生效。",
                                                         f"The seller's {label.en} is only valid from {issued}."))
    if row.expires and on_date > date.fromisoformat(row.expires):
        res.add("licence", "licence_expired", Text(f"销售人员的“{label.zh}”已于 {row.expires} 到期，不能销售此产品。",
                                                   f"The seller's {label.en} expired on {row.expires}; this product "
                                                   "cannot be sold."))
    return res


def licence_ok(vault: Vault, user_id: str, licence_type: str, on_date: date) -> Result:
    """Ok when ``user_id`` holds a valid licence of that type on ``on_date`` (or none is needed);
    otherwise one problem (code licence_missing / licence_expired / licence_not_yet_valid) whose
    zh/en text names the licence type and the expiry date."""
    return vault.transact(lambda s: licence_ok_in(s, user_id, licence_type, on_date))


DEMO_LICENCES = ("fund_sales", "wealth_management", "insurance_agency")


def grant_demo_licences(vault: Vault, us: SignedInUser, username: str, today: date | None = None) -> None:
    """DEMO set-up only: fictional certificates valid from today for three years. Precious metals are
    left out on purpose, so the demo shows a sale refused for a missing licence."""
    today = today or date.today()
    user_id = vault.transact(lambda s: getattr(users_repo.by_username(s, username), "id", None))
    if user_id is None:
        return
    for i, kind in enumerate(DEMO_LICENCES, start=1):
        set_licence(vault, us, user_id, kind, f"DEMO-{kind.upper()[:4]}-{i:04d}", today,
                    today.replace(year=today.year + 3) if not (today.month == 2 and today.day == 29)
                    else date(today.year + 3, 2, 28))
