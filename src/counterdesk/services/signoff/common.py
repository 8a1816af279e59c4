"""Shared pieces of the sign-off modules: errors, time, loading a sign-off the caller may change."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from counterdesk.base.actors import SignedInUser
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.customers.common import current_answers
from counterdesk.services.signoff.plan import SignoffPlan
from counterdesk.store.models.signoff import Signoff

COLLECTING, PENDING, APPROVED, REJECTED, COMPLETED, STOPPED, ABANDONED = (
    "collecting", "pending_approval", "approved", "rejected", "completed", "stopped", "abandoned")


class SignoffError(CounterDeskError):
    code = "signoff_refused"


def refuse(code: str, zh: str, en: str, detail: str | None = None) -> SignoffError:
    return SignoffError(Text(zh, en), code=code, detail=detail)


_REFERENCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-/.]{3,63}")


def check_reference(value: str | None, code: str, zh_what: str, en_what: str) -> str:
    """A reference from another system (recording, refund): 4-64 letters, digits or - _ / ."""
    ref = (value or "").strip()
    if not _REFERENCE_RE.fullmatch(ref):
        raise refuse(code, f"请填写{zh_what}（4-64 位字母、数字或 - _ / .）。",
                     f"Enter {en_what} (4-64 letters, digits or - _ / .).")
    return ref


def now_utc(now: datetime | None = None) -> datetime:
    moment = now or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def load(db, signoff_id: str) -> Signoff:
    row = db.get(Signoff, signoff_id) if isinstance(signoff_id, str) else None
    if row is None:
        raise refuse("signoff_not_found", "找不到该签署记录。", "No such sign-off.", str(signoff_id))
    return row


def load_own(db, us: SignedInUser, signoff_id: str, *statuses: str) -> Signoff:
    """The sign-off, if the signed-in teller made it and it is in one of ``statuses``. A supervisor
    never passes this check: the checker cannot change what the maker collected."""
    row = load(db, signoff_id)
    if row.teller_id != us.user_id:
        raise refuse("signoff_not_yours", "该签署属于其他柜员的服务会话。",
                     "This sign-off belongs to another teller's session.",
                     signoff_id)
    if statuses and row.status not in statuses:
        raise refuse("signoff_state", f"当前状态（{row.status}）下不能执行此操作。",
                     f"Not possible while the sign-off is {row.status}.", f"{signoff_id}:{row.status}")
    return row


@dataclass(frozen=True)
class SignoffState:
    """What the screens show about one sign-off."""

    signoff_id: str
    session_id: str
    status: str
    plan: SignoffPlan
    lang: str
    read: dict[str, Any] | None
    recording_consent: bool | None
    recording_ref: str | None
    typed_sentence: str | None
    signed_at: str | None
    attested_at: str | None
    document_number: str | None
    cooling_off_until: str | None
    evidence_hash: str | None


def state_of(row: Signoff) -> SignoffState:
    return SignoffState(row.id, row.session_id, row.status, SignoffPlan.from_dict(json.loads(row.plan)), row.lang,
                        json.loads(row.read) if row.read else None, row.recording_consent, row.recording_ref,
                        row.typed_sentence, row.signed_at, row.attested_at, row.document_number,
                        row.cooling_off_until, row.evidence_hash)


def customer_name_of(db, customer_id: str) -> str:
    """The customer's name in clear (the confirmation and the supervisor's audited reveal mask it)."""
    _customer, kyc = current_answers(db, customer_id)
    return kyc.get("name_zh") or kyc.get("name_latin") or ""
