"""The customer API for the flow and the UI: Qt-free functions taking the vault and the signed-in
SignedInUser. Each checks the permission first (counterdesk.base.roles), runs in one transaction on the
writer thread, and writes its audit entry in that same transaction with masked values only.

Create and change: answers are validated by the form; a version row holds all answers (with the
form id, version and hash), earlier versions are never changed. Documents and name keys are index
tables derived from the current version. Reading returns masked values; ``reveal`` returns one
clear value and records who saw which field.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import Result, Text, ValidationFailed
from counterdesk.forms import Form, check_answers, load_form, stop_problems
from counterdesk.forms.fieldtypes import normalise_document_number
from counterdesk.identity.names import normalise_key, search_keys
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import masking
from counterdesk.services.customers.common import CustomerError, invalid, load_customer, new_id, now_iso, version_row
from counterdesk.services.customers.consent import record_consent, usable_consent
from counterdesk.services.customers.consistency import document_problems
from counterdesk.services.customers.counter_sessions import (
    attach_customer,
    complete_session,
    get_session,
    load_open,
    open_session,
    set_step,
    stop_in,
    stop_session,
)
from counterdesk.services.customers.data_rights import (
    RestrictionInfo,
    require_unrestricted,
    restriction_in,
    restrictions_in,
)
from counterdesk.services.customers.forms_store import form_for, store_definition
from counterdesk.services.customers.queries import find_document, search_names
from counterdesk.services.customers.records import CustomerRecord, CustomerSummary, CustomerVersionInfo
from counterdesk.store import audit
from counterdesk.store.models.customers import Customer, CustomerDocument, CustomerName, CustomerVersion

KYC_FORM_ID = "kyc"
ACTIVE = "active"
REASON_MAX = 500


class SessionStopped(ValidationFailed):
    """The answers end the counter session (e.g. no civil capacity); the session is already stopped."""

    code = "session_stopped"

    def __init__(self, result: Result, stop_code: str):
        super().__init__(result)
        self.code = stop_code


# ---- helpers ----------------------------------------------------------------------------------------

def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _display_name(data: Mapping[str, Any]) -> str:
    return masking.mask_name(data.get("name_zh") or data.get("name_latin") or "")


def _masked_core(data: Mapping[str, Any]) -> dict[str, str]:
    """The de-identified values an audit entry may carry."""
    out = {"name": _display_name(data), "id_number": masking.mask_id_number(data.get("id_number"))}
    if data.get("phone"):
        out["phone"] = masking.mask_phone(data.get("phone"))
    return out


def _summary(customer: Customer, data: Mapping[str, Any], matched_by: str,
             restriction: RestrictionInfo | None = None) -> CustomerSummary:
    return CustomerSummary(
        customer_id=customer.id, name=_display_name(data),
        name_latin=masking.mask_name(data.get("name_latin")) if data.get("name_latin") else "",
        doc_type=data.get("id_doc_type"), id_number=masking.mask_id_number(data.get("id_number")),
        birth_date=masking.mask_date(data.get("birth_date")), sex=data.get("sex"),
        customer_tier=data.get("customer_tier"), status=customer.status, version=customer.current_version,
        matched_by=matched_by, restriction=restriction.message if restriction else None)


def _current(db: Session, customer_ids: list[str]) -> dict[str, tuple[Customer, dict]]:
    if not customer_ids:
        return {}
    rows = db.execute(
        select(Customer, CustomerVersion.data).join(
            CustomerVersion, (CustomerVersion.customer_id == Customer.id)
            & (CustomerVersion.version == Customer.current_version)).where(Customer.id.in_(customer_ids))).all()
    return {c.id: (c, json.loads(data)) for c, data in rows}


def _masked_fields(form: Form, data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in form.fields():
        if f.key not in data:
            continue
        value = data[f.key]
        if f.type == "group" and isinstance(value, list):
            out[f.key] = [{s.key: masking.mask(s.mask, item.get(s.key)) for s in f.fields if s.key in item}
                          for item in value if isinstance(item, dict)]
        else:
            out[f.key] = masking.mask(f.mask, value)
    # Keys the form no longer has are shown hidden rather than in the clear.
    for key in data:
        if key not in out:
            out[key] = masking.hide(data[key])
    return out


def _changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _raise_invalid(result: Result) -> None:
    if not result.ok:
        raise ValidationFailed(result)


def _document_taken(db: Session, customer_id: str | None, doc_type: str, number: str) -> None:
    for hit in find_document(db, doc_type, number):
        if hit.customer_id != customer_id:
            raise ValidationFailed(invalid("id_number", "document_exists",
                                           "已有客户登记了该证件，请按证件号码查找该客户。",
                                           "A customer with this document already exists; find them by "
                                           "document number."))


def sync_document(db: Session, customer_id: str, data: Mapping[str, Any], version: int) -> None:
    """Make the answers' document the customer's current one; earlier documents stay findable."""
    doc_type, number = data["id_doc_type"], data["id_number"]  # required by the customer form, validated
    rows = db.execute(select(CustomerDocument).where(CustomerDocument.customer_id == customer_id)).scalars().all()
    target = None
    for row in rows:
        if row.doc_type == doc_type and row.number_norm == number:
            target = row
        elif row.current:
            row.current = False
    if target is None:
        _document_taken(db, customer_id, doc_type, number)
        target = CustomerDocument(customer_id=customer_id, doc_type=doc_type, number_norm=number, added_at=now_iso(),
                                  added_in_version=version)
        db.add(target)
    target.issue_date = data.get("id_issue_date")
    target.expiry_date = data.get("id_expiry_date")
    target.long_term = bool(data.get("id_long_term"))
    target.current = True


def sync_names(db: Session, customer_id: str, data: Mapping[str, Any]) -> None:
    db.execute(delete(CustomerName).where(CustomerName.customer_id == customer_id))
    for key in search_keys(data.get("name_zh"), data.get("name_latin")):
        db.add(CustomerName(customer_id=customer_id, name_norm=key.name_norm[:100],
                                 pinyin_norm=key.pinyin_norm[:200], pinyin_initials=key.pinyin_initials[:50],
                                 kind=key.kind))


# ---- create and change ------------------------------------------------------------------------------------

def create_customer(vault: Vault, us: SignedInUser, answers: Mapping[str, Any], form: Form | None, consent_id: str,
                    session_id: str) -> str:
    """Validate ``answers`` against ``form`` (default: the latest KYC form) and store a new customer
    (version 1, document, name keys) linked to the consent and the counter session; returns its id.

    Raises ValidationFailed (``.result`` lists every problem), SessionStopped when an answer ends the
    session (the session is stopped and nothing about the customer is stored), CustomerError for a
    missing consent or a closed session, PermissionDenied.
    """
    require(us.role, "customer.edit")
    form = form or load_form(KYC_FORM_ID)
    values, result = check_answers(form, answers)
    result.problems += document_problems(values)
    stops = stop_problems(form, result)
    if stops:
        def stop(db: Session) -> None:
            stop_in(db, us, load_open(db, us, session_id), stops[0].code)
        vault.transact(stop)
        raise SessionStopped(result, stops[0].code)
    _raise_invalid(result)

    def write(db: Session) -> str:
        counter = load_open(db, us, session_id)
        consent = usable_consent(db, consent_id, session_id)
        _document_taken(db, None, values["id_doc_type"], values["id_number"])  # required, validated above
        store_definition(db, form)
        ts, cid = now_iso(), new_id()
        db.add(Customer(id=cid, created_at=ts, created_by=us.user_id, current_version=1, status=ACTIVE))
        db.flush()
        db.add(CustomerVersion(customer_id=cid, version=1, form_id=form.id, form_version=form.version,
                                    form_hash=form.hash, data=_dump(values), created_at=ts, created_by=us.user_id,
                                    reason=None))
        sync_document(db, cid, values, 1)
        sync_names(db, cid, values)
        consent.customer_id = cid
        counter.customer_id, counter.updated_at = cid, ts
        db.flush()
        audit.append(db, us.actor, "customer.created", "customer", cid,
                     {"masked": _masked_core(values), "version": 1, "form": form.ref, "session_id": counter.id,
                      "consent_id": consent.id})
        return cid
    return vault.transact(write)


def update_customer(vault: Vault, us: SignedInUser, customer_id: str, answers: Mapping[str, Any], reason: str,
                    form: Form | None = None) -> int:
    """Change a customer's data: ``answers`` holds the fields to change (merged over the current
    version; a None value clears a field). Adds a version and returns its number; earlier versions are
    kept. No change at all writes nothing and returns the current version. ``form`` defaults to the
    latest version of the customer's form.

    An answer that would stop a session (e.g. civil capacity "none") is stored: it is a fact about the
    customer; the flow decides what it means for the session.
    """
    require(us.role, "customer.edit")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > REASON_MAX:
        raise ValidationFailed(invalid("reason", "required", f"请填写修改原因（不超过 {REASON_MAX} 字）。",
                                       f"Give the reason for the change (up to {REASON_MAX} characters)."))
    if not isinstance(answers, Mapping):
        raise ValidationFailed(invalid("$", "type", "答案须为键值对象", "answers must be an object"))

    def write(db: Session) -> int:
        customer = load_customer(db, customer_id)
        require_unrestricted(db, customer.id)
        old_row = version_row(db, customer.id, customer.current_version)
        old = json.loads(old_row.data)
        use = form or load_form(old_row.form_id)
        # Old keys the form no longer has are dropped; unknown keys in ``answers`` are reported.
        merged = {**{k: v for k, v in old.items() if use.has_field(k)}, **answers}
        merged = {k: v for k, v in merged.items() if v is not None}
        values, result = check_answers(use, merged)
        result.problems += document_problems(values)
        stops = {p.code for p in stop_problems(use, result)}
        result.problems = [p for p in result.problems if p.code not in stops]
        _raise_invalid(result)
        changed = _changed_keys(old, values)
        if not changed and use.hash == old_row.form_hash:
            return customer.current_version
        version = customer.current_version + 1
        store_definition(db, use)
        ts = now_iso()
        db.add(CustomerVersion(customer_id=customer.id, version=version, form_id=use.id,
                                    form_version=use.version, form_hash=use.hash, data=_dump(values), created_at=ts,
                                    created_by=us.user_id, reason=reason.strip()))
        customer.current_version = version
        sync_document(db, customer.id, values, version)
        sync_names(db, customer.id, values)
        db.flush()
        audit.append(db, us.actor, "customer.changed", "customer", customer.id,
                     {"fields": changed, "version": version, "form": use.ref})
        return version
    return vault.transact(write)


# ---- finding ------------------------------------------------------------------------------------------------

def find_by_document(vault: Vault, us: SignedInUser, doc_type: str | None, number: str) -> CustomerSummary | None:
    """The customer holding this document (any type when ``doc_type`` is None), or None. One index
    probe; the audit entry holds the masked number only."""
    require(us.role, "customer.find")
    norm = normalise_document_number(number)

    def read(db: Session) -> CustomerSummary | None:
        hits = find_document(db, doc_type, norm) if norm else []
        found = _current(db, [hits[0].customer_id]) if hits else {}
        audit.append(db, us.actor, "customer.searched", "customer", hits[0].customer_id if hits else None,
                     {"by": "document", "doc_type": doc_type, "masked": masking.mask_id_number(norm),
                      "count": len(found)})
        if not found:
            return None
        customer, data = found[hits[0].customer_id]
        return _summary(customer, data, "document", restriction_in(db, customer.id))
    return vault.transact(read)


def search_by_name(vault: Vault, us: SignedInUser, text: str, limit: int = 50) -> list[CustomerSummary]:
    """Customers whose name starts with ``text``: Chinese characters, full pinyin or pinyin initials
    (any case, spaces ignored), or a Latin name; the given name alone matches too. Exact full names
    first, then prefixes, then initials, then given names. Masked summaries."""
    require(us.role, "customer.find")
    limit = max(1, min(int(limit), 200))

    def read(db: Session) -> list[CustomerSummary]:
        hits = search_names(db, text, limit)
        found = _current(db, [h.customer_id for h in hits])
        restricted = restrictions_in(db, found)
        out = [_summary(found[h.customer_id][0], found[h.customer_id][1], h.matched_by, restricted.get(h.customer_id))
               for h in hits if h.customer_id in found]
        # The query is itself personal data: only its masked form goes into the log.
        audit.append(db, us.actor, "customer.searched", "customer", None,
                     {"by": "name", "masked": masking.mask_name(normalise_key(text or "")), "count": len(out)})
        return out
    return vault.transact(read)


# ---- reading ------------------------------------------------------------------------------------------------

def get_customer(vault: Vault, us: SignedInUser, customer_id: str, version: int | None = None) -> CustomerRecord:
    """One version (default: current) with every field masked by its form's mask kind."""
    require(us.role, "customer.view")

    def read(db: Session) -> CustomerRecord:
        customer = load_customer(db, customer_id)
        row = version_row(db, customer.id, version or customer.current_version)
        form = form_for(db, row.form_id, row.form_version, row.form_hash)
        restricted = restriction_in(db, customer.id)
        record = CustomerRecord(
            customer_id=customer.id, status=customer.status, version=row.version,
            current_version=customer.current_version, form_id=row.form_id, form_version=row.form_version,
            form_hash=row.form_hash, created_at=customer.created_at, created_by=customer.created_by,
            version_created_at=row.created_at, version_created_by=row.created_by,
            fields=_masked_fields(form, json.loads(row.data)), restriction=restricted.message if restricted else None)
        audit.append(db, us.actor, "customer.viewed", "customer", customer.id, {"version": row.version})
        return record
    return vault.transact(read)


def versions(vault: Vault, us: SignedInUser, customer_id: str) -> list[CustomerVersionInfo]:
    """Every version, oldest first, with the keys each one changed (values stay behind ``reveal``)."""
    require(us.role, "customer.view")

    def read(db: Session) -> list[CustomerVersionInfo]:
        customer = load_customer(db, customer_id)
        rows = db.execute(select(CustomerVersion).where(CustomerVersion.customer_id == customer.id)
                               .order_by(CustomerVersion.version)).scalars().all()
        out: list[CustomerVersionInfo] = []
        before: dict[str, Any] = {}
        for row in rows:
            data = json.loads(row.data)
            out.append(CustomerVersionInfo(row.version, row.created_at, row.created_by, row.reason, row.form_id,
                                   row.form_version, row.form_hash, tuple(_changed_keys(before, data))))
            before = data
        audit.append(db, us.actor, "customer.versions_viewed", "customer", customer.id, {"count": len(out)})
        return out
    return vault.transact(read)


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    """``key`` or ``group[i].key``; KeyError when absent."""
    if "[" in path:
        head, _, rest = path.partition("[")
        index, _, sub = rest.partition("].")
        items = data[head]
        if not isinstance(items, list) or not index.isdigit() or int(index) >= len(items):
            raise KeyError(path)
        return items[int(index)][sub]
    return data[path]


def reveal(vault: Vault, us: SignedInUser, customer_id: str, field: str, version: int | None = None) -> Any:
    """The clear value of one field (``key`` or ``group[i].key``); writes 'customer.revealed' naming
    the field and version, never the value."""
    require(us.role, "customer.reveal")

    def read(db: Session) -> Any:
        customer = load_customer(db, customer_id)
        row = version_row(db, customer.id, version or customer.current_version)
        try:
            value = _lookup(json.loads(row.data), field)
        except (KeyError, TypeError, IndexError):
            raise CustomerError(Text("该客户没有填写这一项。", "The customer has no value for this field."),
                                code="field_not_found", detail=str(field)) from None
        audit.append(db, us.actor, "customer.revealed", "customer", customer.id,
                     {"field": str(field)[:64], "version": row.version})
        return value
    return vault.transact(read)


__all__ = [
    "SessionStopped", "attach_customer", "complete_session", "create_customer", "find_by_document", "get_customer",
    "get_session", "open_session", "record_consent", "reveal", "search_by_name", "set_step", "stop_session",
    "update_customer", "versions",
]
