"""Conflicts found while applying other workstations' records, and their resolution by a user.

A customer changed here and on another workstation from the same version keeps both: the local
version stays current, the remote one waits in the inbox. A user (who may edit customers) chooses:
``keep="local"`` closes the conflict, ``keep="remote"`` adds a new version carrying the remote
answers (so the history keeps all three). Other kinds (a decision made on two workstations, an
evidence fork) are shown for the record and closed with ``keep="local"``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import repository
from counterdesk.services.sync.apply import ensure_forms
from counterdesk.store import audit
from counterdesk.store.models.customers import Customer, CustomerVersion
from counterdesk.store.models.sync import Inbox, SyncConflict
from counterdesk.store.outbox import decode, now_iso


@dataclass(frozen=True)
class ConflictInfo:
    id: str
    kind: str
    object_id: str                 # customer id, request id, sign-off id
    base_version: int | None
    local_version: int | None
    remote_version: int | None
    remote_workstation_id: str
    changed_fields: tuple[str, ...]  # keys that differ between the two versions (values stay masked)
    detail: str | None
    detected_at: str
    resolved_at: str | None
    resolution: str | None
    record_type: str = ""            # the type of the other workstation's record (customer.version, …)


class ConflictError(CounterDeskError):
    code = "sync_conflict"


def _info(db, row: SyncConflict) -> ConflictInfo:
    remote_version, changed = None, ()
    inbox = db.get(Inbox, row.remote_record_id)
    if row.kind == "customer_version" and inbox is not None and inbox.body:
        remote = json.loads(inbox.body)["row"]
        remote_version = int(remote["version"])
        customer = db.get(Customer, row.object_id)
        local = db.get(CustomerVersion, (row.object_id, customer.current_version)) if customer else None
        if local is not None:
            a, b = json.loads(local.data), json.loads(remote["data"])
            changed = tuple(sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k)))
    return ConflictInfo(row.id, row.kind, row.object_id, row.base_version, row.local_version, remote_version,
                        row.remote_workstation_id, changed, row.detail, row.detected_at, row.resolved_at,
                        row.resolution, inbox.type if inbox is not None else "")


def list_conflicts(vault: Vault, us: SignedInUser, include_resolved: bool = False) -> list[ConflictInfo]:
    require(us.role, "customer.view")

    def read(db: Session) -> list[ConflictInfo]:
        q = select(SyncConflict).order_by(SyncConflict.detected_at)
        if not include_resolved:
            q = q.where(SyncConflict.resolved_at.is_(None))
        return [_info(db, r) for r in db.scalars(q)]
    return vault.transact(read)


def resolve(vault: Vault, us: SignedInUser, conflict_id: str, keep: str) -> ConflictInfo:
    """Close a conflict keeping the ``local`` or the ``remote`` side (remote: customer versions only)."""
    require(us.role, "customer.edit")
    if keep not in ("local", "remote"):
        raise ConflictError(Text("请选择保留本机或另一工作站的版本。", "Choose the local or the remote version."),
                            code="keep_invalid")

    def write(db: Session) -> ConflictInfo:

        row = db.get(SyncConflict, conflict_id)
        if row is None:
            raise ConflictError(Text("找不到该冲突。", "No such conflict."), code="conflict_not_found")
        if row.resolved_at is not None:
            raise ConflictError(Text("该冲突已处理。", "This conflict is already resolved."), code="conflict_resolved")
        detail: dict[str, Any] = {"record_id": row.remote_record_id, "resolution": keep}
        if keep == "remote":
            if row.kind != "customer_version":
                raise ConflictError(Text("此类冲突只能保留本机记录。", "This kind of conflict keeps the local record."),
                                    code="keep_invalid")
            inbox = db.get(Inbox, row.remote_record_id)
            # the conflict was found applying this stored record, so it opened (inbox rows stay)
            assert inbox is not None and inbox.body is not None
            body = json.loads(inbox.body)
            remote = {k: decode(v) for k, v in body["row"].items()}
            ensure_forms(db, body.get("deps") or {})
            customer = db.get(Customer, row.object_id)
            assert customer is not None  # a customer_version conflict is about a customer stored here
            version = customer.current_version + 1
            db.add(CustomerVersion(customer_id=customer.id, version=version, form_id=remote["form_id"],
                                        form_version=remote["form_version"], form_hash=remote["form_hash"],
                                        data=remote["data"], created_at=now_iso(), created_by=us.user_id,
                                        reason="sync conflict: kept the version from another workstation"))
            customer.current_version = version
            db.flush()
            data = json.loads(remote["data"])
            repository.sync_document(db, customer.id, data, version)
            repository.sync_names(db, customer.id, data)
            detail["version"] = version
        row.resolved_by, row.resolved_at, row.resolution = us.user_id, now_iso(), keep
        db.flush()
        audit.append(db, us.actor, "sync.conflict_resolved", "sync_conflict", row.id,
                     {**detail, "kind": row.kind, "customer_id": row.object_id if row.kind.startswith("customer")
                      else None})
        return _info(db, row)
    return vault.transact(write)
