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

from sqlalchemy import select

from counterdesk.base.roles import require
from counterdesk.base.actors import SignedInUser
from counterdesk.store import audit
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.store.models.sync import Inbox, SyncConflict
from counterdesk.store.outbox import decode, now_iso
from counterdesk.store.models.customers import Customer, CustomerVersion
from counterdesk.services.customers import repository
from counterdesk.services.sync.apply import ensure_forms


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


class ConflictError(CounterDeskError):
    code = "sync_conflict"


def _info(session, row: SyncConflict) -> ConflictInfo:
    remote_version, changed = None, ()
    inbox = session.get(Inbox, row.remote_record_id)
    if row.kind == "customer_version" and inbox is not None and inbox.body:
        remote = json.loads(inbox.body)["row"]
        remote_version = int(remote["version"])
        customer = session.get(Customer, row.object_id)
        local = session.get(CustomerVersion, (row.object_id, customer.current_version)) if customer else None
        if local is not None:
            a, b = json.loads(local.data), json.loads(remote["data"])
            changed = tuple(sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k)))
    return ConflictInfo(row.id, row.kind, row.object_id, row.base_version, row.local_version, remote_version,
                        row.remote_workstation_id, changed, row.detail, row.detected_at, row.resolved_at,
                        row.resolution)


def list_conflicts(vault, us: SignedInUser, include_resolved: bool = False) -> list[ConflictInfo]:
    require(us.role, "customer.view")

    def read(session):
        q = select(SyncConflict).order_by(SyncConflict.detected_at)
        if not include_resolved:
            q = q.where(SyncConflict.resolved_at.is_(None))
        return [_info(session, r) for r in session.scalars(q)]
    return vault.transact(read)


def resolve(vault, us: SignedInUser, conflict_id: str, keep: str) -> ConflictInfo:
    """Close a conflict keeping the ``local`` or the ``remote`` side (remote: customer versions only)."""
    require(us.role, "customer.edit")
    if keep not in ("local", "remote"):
        raise ConflictError(Text("请选择保留本机或另一工作站的版本。", "Choose the local or the remote version."),
                            code="keep_invalid")

    def write(session) -> ConflictInfo:

        row = session.get(SyncConflict, conflict_id)
        if row is None:
            raise ConflictError(Text("找不到该冲突。", "No such conflict."), code="conflict_not_found")
        if row.resolved_at is not None:
            raise ConflictError(Text("该冲突已处理。", "This conflict is already resolved."), code="conflict_resolved")
        detail = {"record_id": row.remote_record_id, "resolution": keep}
        if keep == "remote":
            if row.kind != "customer_version":
                raise ConflictError(Text("此类冲突只能保留本机记录。", "This kind of conflict keeps the local record."),
                                    code="keep_invalid")
            body = json.loads(session.get(Inbox, row.remote_record_id).body)
            remote = {k: decode(v) for k, v in body["row"].items()}
            ensure_forms(session, body.get("deps") or {})
            customer = session.get(Customer, row.object_id)
            version = customer.current_version + 1
            session.add(CustomerVersion(customer_id=customer.id, version=version, form_id=remote["form_id"],
                                        form_version=remote["form_version"], form_hash=remote["form_hash"],
                                        data=remote["data"], created_at=now_iso(), created_by=us.user_id,
                                        reason="sync conflict: kept the version from another workstation"))
            customer.current_version = version
            session.flush()
            data = json.loads(remote["data"])
            repository._sync_document(session, customer.id, data, version)
            repository._sync_names(session, customer.id, data)
            detail["version"] = version
        row.resolved_by, row.resolved_at, row.resolution = us.user_id, now_iso(), keep
        session.flush()
        audit.append(session, us.actor, "sync.conflict_resolved", "sync_conflict", row.id,
                     {**detail, "kind": row.kind, "customer_id": row.object_id if row.kind.startswith("customer")
                      else None})
        return _info(session, row)
    return vault.transact(write)
