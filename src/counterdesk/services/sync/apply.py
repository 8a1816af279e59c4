"""Applying records from other workstations of the branch to the local tables.

Each record is applied inside a savepoint, with the outbox listener switched off (the rows came from
the hub and must not be sent back). A record whose parent has not arrived yet fails, stays in the
inbox, and is tried again after the next pull. Rules:

* Rows are replicated as their origin workstation wrote them: an insert creates the row, a later
  record from the same workstation replaces its columns (``sync_origins`` remembers who that is).
* Another workstation may only *decide*: a pending approval request becomes approved/rejected and
  the waiting sign-off follows, so the teller's waiting screen sees the supervisor's decision.
  A request already decided here differently is kept, and the other decision becomes a conflict.
* Customer versions are append-only: a remote version that does not follow the local current
  version from the same base (the same customer changed here and there) is NOT applied; it stays
  in the inbox and a ``sync_conflicts`` row asks a user to choose (counterdesk.services.sync.conflicts).
* Evidence links must continue the local chain; a fork is a conflict, never an overwrite.
* Audit entries of other workstations are kept in the inbox (each workstation's chain is its own).
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Set as AbstractSet
from typing import Any

from sqlalchemy import select

from counterdesk.base.actors import Actor
from counterdesk.base.roles import Role
from counterdesk.services.customers import repository
from counterdesk.services.signoff import evidence
from counterdesk.services.signoff.common import APPROVED, PENDING, REJECTED
from counterdesk.store import audit
from counterdesk.store.models.assessment import Assessment, PaperForm
from counterdesk.store.models.core import User
from counterdesk.store.models.customers import CounterSessionRecord, Customer, CustomerVersion, FormDefinitionRecord
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.signoff import ApprovalRequest, EvidenceLink, Signoff
from counterdesk.store.models.sync import Inbox, Outbox, SyncConflict, SyncOrigin, SyncRemoteUser
from counterdesk.store.outbox import applying, decode, now_iso, row_of, version_hash

OWN, APPLIED, STORED, SKIPPED, CONFLICT, FAILED = "own", "applied", "stored", "skipped", "conflict", "failed"
LOCAL = "local"
RETRY_LIMIT = 500

TABLE_OF = {
    "customer.version": "customer_versions", "counter_session": "counter_sessions", "assessment": "assessments",
    "sale_decision": "sale_decisions", "signoff": "signoffs", "signoff.approval_request": "approval_requests",
    "signoff.approval_decision": "approval_requests", "evidence.link": "evidence_links", "audit.entry": "audit_log",
}


class Missing(Exception):
    """A parent row has not arrived yet: try again later."""


def expected_meta(record_type: str, body: dict) -> dict[str, Any] | None:
    row = body.get("row") or {}
    if record_type == "customer.version":
        return {"customer_id": row.get("customer_id"), "version": row.get("version")}
    if record_type == "counter_session":
        return {"session_id": row.get("id"), "status": row.get("status")}
    if record_type == "signoff":
        return {"signoff_id": row.get("id"), "session_id": row.get("session_id"), "status": row.get("status")}
    if record_type in ("signoff.approval_request", "signoff.approval_decision"):
        return {"request_id": row.get("id"), "signoff_id": row.get("signoff_id"), "session_id": row.get("session_id"),
                "status": row.get("status")}
    if record_type == "evidence.link":
        return {"signoff_id": row.get("signoff_id"), "seq": row.get("seq"), "kind": row.get("kind")}
    if record_type == "audit.entry":
        return {"seq": row.get("seq"), "action": row.get("action")}
    if record_type == "assessment":
        return {"assessment_id": row.get("id"), "customer_id": row.get("customer_id")}
    if record_type == "sale_decision":
        return {"decision_id": row.get("id"), "session_id": row.get("session_id")}
    return None


def meta_matches(record_type: str, meta: dict, body: dict) -> bool:
    """The meta the hub routed by says what the sealed body says (a relabelled record is refused)."""
    if not isinstance(body, dict) or body.get("table") != TABLE_OF.get(record_type):
        return False
    return expected_meta(record_type, body) == meta


# ---- helpers -------------------------------------------------------------------------------------------------

def _model(table: str):
    return {"customer_versions": CustomerVersion, "counter_sessions": CounterSessionRecord, "assessments": Assessment,
            "sale_decisions": SaleDecision, "signoffs": Signoff, "approval_requests": ApprovalRequest,
            "evidence_links": EvidenceLink}[table]


def _values(row: dict) -> dict[str, Any]:
    return {k: decode(v) for k, v in row.items()}


def origin(db, table: str, row_id: str) -> str:
    """The workstation a replicated row came from; LOCAL for rows made here."""
    found = db.get(SyncOrigin, (table, row_id))
    return found.workstation_id if found is not None else LOCAL


def _remember_origin(db, table: str, row_id: str, ws: str) -> None:
    if db.get(SyncOrigin, (table, row_id)) is None:
        db.add(SyncOrigin(table_name=table, row_id=row_id, workstation_id=ws, created_at=now_iso()))


def _placeholder_username(db, username: str, user_id: str) -> str:
    name = f"{username[:20]}@{user_id[:8]}"
    if db.scalar(select(User.id).where(User.username == name)) is None:
        return name
    return f"r-{user_id.replace('-', '')[:30]}"


def ensure_users(db, deps: dict, ws: str) -> None:
    """Users named by a remote row get an inactive placeholder (no key slot: it can never sign in)."""
    for user in deps.get("users") or []:
        if db.get(User, user["id"]) is not None:
            continue
        try:
            role = Role(user.get("role")).value
        except ValueError:
            role = Role.TELLER.value
        ts = now_iso()
        db.add(User(id=user["id"], username=_placeholder_username(db, str(user.get("username", "user")),
                                                                          user["id"]),
                         display_name=str(user.get("display_name") or user.get("username") or "?")[:100], role=role,
                         active=False, must_change_password=False, created_at=ts, created_by=None,
                         password_changed_at=ts))
        db.flush()
        db.add(SyncRemoteUser(user_id=user["id"], workstation_id=ws, username=str(user.get("username"))[:64],
                                   first_seen_at=ts))


def ensure_forms(db, deps: dict) -> None:
    for form in deps.get("form_definitions") or []:
        if db.get(FormDefinitionRecord, form["hash"]) is None:
            db.add(FormDefinitionRecord(**form))
    db.flush()
    for paper in deps.get("paper_forms") or []:
        if db.get(PaperForm, paper["form_number"]) is None:
            db.add(PaperForm(**paper))
    db.flush()


def _conflict(db, inbox: Inbox, kind: str, object_id: str, base: int | None = None, local: int | None = None,
              detail: str | None = None) -> str:
    db.add(SyncConflict(id=str(uuid.uuid4()), kind=kind, object_id=object_id, base_version=base,
                             local_version=local, remote_record_id=inbox.id, remote_workstation_id=inbox.workstation_id,
                             detail=detail, detected_at=now_iso()))
    return CONFLICT


def _insert(db, table: str, row: dict, ws: str, key: Any) -> None:
    model = _model(table)
    db.add(model(**_values(row)))
    db.flush()
    _remember_origin(db, table, str(key), ws)


def _replace(obj: Any, row: dict, skip: tuple[str, ...] = ()) -> None:
    for name, value in _values(row).items():
        if name not in skip and getattr(obj, name) != value:
            setattr(obj, name, value)


# ---- per table -------------------------------------------------------------------------------------------------

def _customer_version(db, body: dict, inbox: Inbox) -> str:

    row, ws = body["row"], inbox.workstation_id
    cid, v = row["customer_id"], int(row["version"])
    local = db.get(CustomerVersion, (cid, v))
    if local is not None:
        if version_hash(row_of(local)) == body.get("version_hash"):
            return SKIPPED
        customer = db.get(Customer, cid)
        return _conflict(db, inbox, "customer_version", cid, v - 1, customer.current_version,
                         "the customer was changed here and on another workstation from the same version")
    customer = db.get(Customer, cid)
    ensure_users(db, body.get("deps") or {}, ws)
    ensure_forms(db, body.get("deps") or {})
    if customer is None:
        if body.get("base_hash") is not None or body.get("customer") is None:
            raise Missing(f"customer {cid} version {v - 1} has not arrived")
        c = body["customer"]
        customer = Customer(id=cid, created_at=c["created_at"], created_by=c["created_by"], current_version=v,
                            status=c["status"])
        db.add(customer)
        db.flush()
        _remember_origin(db, "customers", cid, ws)
    else:
        if customer.current_version < v - 1:
            raise Missing(f"customer {cid} version {v - 1} has not arrived")
        prev = db.get(CustomerVersion, (cid, v - 1))
        if prev is None or version_hash(row_of(prev)) != body.get("base_hash"):
            return _conflict(db, inbox, "customer_version", cid, v - 1, customer.current_version,
                             "the remote version does not follow this workstation's version")
    db.add(CustomerVersion(**_values(row)))
    customer.current_version = v
    db.flush()
    data = json.loads(row["data"])
    repository.sync_names(db, cid, data)
    try:
        with db.begin_nested():
            repository.sync_document(db, cid, data, v)
    except Exception as exc:
        _conflict(db, inbox, "customer_document", cid, v - 1, v,
                  f"document index not updated: {getattr(exc, 'code', type(exc).__name__)}"[:200])
    return APPLIED


def _mutable(db, table: str, body: dict, inbox: Inbox, key: str) -> str:
    """counter_sessions and assessments: created by their origin, changed only by it."""
    row, ws = body["row"], inbox.workstation_id
    model = _model(table)
    obj = db.get(model, row[key])
    ensure_users(db, body.get("deps") or {}, ws)
    ensure_forms(db, body.get("deps") or {})
    if obj is None:
        _insert(db, table, row, ws, row[key])
        return APPLIED
    if origin(db, table, row[key]) != ws:
        return SKIPPED
    _replace(obj, row)
    return APPLIED


def _append_only(db, table: str, body: dict, inbox: Inbox, key: str) -> str:
    row = body["row"]
    ensure_users(db, body.get("deps") or {}, inbox.workstation_id)
    if db.get(_model(table), row[key]) is not None:
        return SKIPPED
    _insert(db, table, row, inbox.workstation_id, row[key])
    return APPLIED


def _signoff(db, body: dict, inbox: Inbox) -> str:

    row, ws = body["row"], inbox.workstation_id
    obj = db.get(Signoff, row["id"])
    ensure_users(db, body.get("deps") or {}, ws)
    if obj is None:
        _insert(db, "signoffs", row, ws, row["id"])
        return APPLIED
    if origin(db, "signoffs", row["id"]) == ws:
        _replace(obj, row)
        return APPLIED
    # Another workstation decided the approval this sign-off waits for.
    if row["status"] in (APPROVED, REJECTED):
        if obj.status == PENDING:
            obj.status, obj.updated_at = row["status"], row["updated_at"]
            return APPLIED
        if obj.status != row["status"] and obj.status in (APPROVED, REJECTED):
            return _conflict(db, inbox, "signoff_decision", obj.id, detail=f"here {obj.status}, "
                                                                               f"there {row['status']}")
    return SKIPPED


def _approval(db, body: dict, inbox: Inbox) -> str:

    row, ws = body["row"], inbox.workstation_id
    obj = db.get(ApprovalRequest, row["id"])
    ensure_users(db, body.get("deps") or {}, ws)
    if obj is None:
        _insert(db, "approval_requests", row, ws, row["id"])
        return APPLIED
    if obj.status == row["status"] or body.get("op") == "insert":
        return SKIPPED
    if obj.status != "pending":
        # A decided request is final (a database trigger agrees): the other decision is kept apart.
        return _conflict(db, inbox, "approval_decision", obj.id,
                         detail=f"here {obj.status}, there {row['status']}")
    decided = ("status", "decided_by", "decided_at", "decision_reason", "override")
    _replace(obj, {k: row[k] for k in decided if k in row})
    return APPLIED


def _evidence(db, body: dict, inbox: Inbox) -> str:

    row = body["row"]
    if db.get(Signoff, row["signoff_id"]) is None:
        raise Missing(f"signoff {row['signoff_id']} has not arrived")
    have = db.scalar(select(EvidenceLink).where(EvidenceLink.signoff_id == row["signoff_id"],
                                                     EvidenceLink.seq == row["seq"]))
    if have is not None:
        if have.hash == row["hash"]:
            return SKIPPED
        return _conflict(db, inbox, "evidence_fork", row["signoff_id"], detail=f"link {row['seq']} differs")
    seq, head = evidence.head(db, row["signoff_id"])
    if seq < int(row["seq"]) - 1:
        raise Missing(f"evidence link {int(row['seq']) - 1} of {row['signoff_id']} has not arrived")
    if seq != int(row["seq"]) - 1 or head != row["prev_hash"]:
        return _conflict(db, inbox, "evidence_fork", row["signoff_id"], detail=f"link {row['seq']} forks")
    if evidence.link_hash(row["prev_hash"], int(row["seq"]), row["kind"], row["payload"]) != row["hash"]:
        return _conflict(db, inbox, "evidence_fork", row["signoff_id"], detail=f"link {row['seq']} hash is wrong")
    db.add(EvidenceLink(**{k: v for k, v in _values(row).items() if k != "id"}))
    db.flush()
    return APPLIED


def _dispatch(db, inbox: Inbox, body: dict) -> str:
    t = inbox.type
    if t == "customer.version":
        return _customer_version(db, body, inbox)
    if t == "counter_session":
        return _mutable(db, "counter_sessions", body, inbox, "id")
    if t == "assessment":
        return _mutable(db, "assessments", body, inbox, "id")
    if t == "sale_decision":
        return _append_only(db, "sale_decisions", body, inbox, "id")
    if t == "signoff":
        return _signoff(db, body, inbox)
    if t in ("signoff.approval_request", "signoff.approval_decision"):
        return _approval(db, body, inbox)
    if t == "evidence.link":
        return _evidence(db, body, inbox)
    if t == "audit.entry":
        return STORED
    raise ValueError(f"unknown record type {t}")


def apply_one(db, inbox: Inbox, my_workstation: str, actor=None) -> str:
    """Apply one stored inbox record; sets its outcome (and applied_at unless it failed)."""
    if inbox.workstation_id == my_workstation or db.scalar(select(Outbox.local_seq).where(Outbox.id == inbox.id)):
        outcome = OWN
    else:
        assert inbox.body is not None  # only records that opened are applied (see pull_once, retry_unapplied)
        body = json.loads(inbox.body)
        try:
            with applying(db), db.begin_nested():
                outcome = _dispatch(db, inbox, body)
        except Missing as exc:
            inbox.outcome, inbox.apply_error = FAILED, str(exc)[:200]
            return FAILED
        except Exception as exc:
            inbox.outcome, inbox.apply_error = FAILED, f"{type(exc).__name__}: {exc}"[:200]
            return FAILED
    inbox.outcome, inbox.apply_error, inbox.applied_at = outcome, None, now_iso()
    if outcome == CONFLICT:
        # Outside ``applying``: this entry is a local event and is sent like any other.
        audit.append(db, actor or Actor(None, "sync", "sync"), "sync.conflict", "sync_record", inbox.id,
                     {"record_type": inbox.type})
    return outcome


def retry_unapplied(db, my_workstation: str, exclude: AbstractSet[str] = frozenset(), actor=None) -> int:
    """Try again the records that failed for a missing parent; returns how many now applied."""
    rows = db.scalars(select(Inbox).where(Inbox.applied_at.is_(None), Inbox.body.is_not(None))
                           .order_by(Inbox.seq).limit(RETRY_LIMIT)).all()
    done = 0
    for row in rows:
        if row.id in exclude:
            continue
        done += apply_one(db, row, my_workstation, actor) == APPLIED
    return done
