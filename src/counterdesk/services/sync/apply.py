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
* Consents, screenings, AML ratings, cooling-off cancellations, follow-up tasks and calls and prints
  wait for the customer, session or sign-off they name. A consent is changed only by its origin
  (linked to its customer once); a screening still a potential hit takes a disposition made
  elsewhere, and a second, different disposition becomes a conflict (a confirmed match made
  elsewhere still replaces a clearance made here: safety first); a follow-up task (one id on
  every workstation) takes its completion once; a cooling-off cancellation cancels the sale here too.
* Audit entries of other workstations go to ``sync_remote_audit`` (counterdesk.services.sync.remote_audit),
  keyed by origin and sequence and verified per origin: each workstation's own chain stays its own. An
  entry whose hash does not match its content, or a second entry at a stored sequence, is a conflict.
* AML referrals wait for their customer and session and are kept as they came (idempotent by id), so
  every workstation's referral queue lists the branch's referrals. A referral's closure waits for the
  referral and is written once: a referral closed here already keeps the closure made here (the ledger
  keeps closures append-only) and the other becomes an ``aml_referral_closure`` conflict.
* Complaints are replicated from the workstation that received them; another workstation may only
  decide a requested extension (its supervisor), which every copy takes; history steps follow the
  local numbering.
* A customer's restriction (PIPL Art 47) applies here as it came: a restricted customer is restricted
  on every workstation. A retention tombstone purges the local copy of its customer's records (with
  the same tombstone id), so a purge done at one workstation is done at all.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Set as AbstractSet
from datetime import date
from typing import Any

from sqlalchemy import select

from counterdesk.base.actors import Actor
from counterdesk.base.roles import Role
from counterdesk.services.customers import repository
from counterdesk.services.customers.data_rights import RetentionBasis
from counterdesk.services.retention import job as retention
from counterdesk.services.signoff import evidence
from counterdesk.services.signoff.common import APPROVED, COMPLETED, PENDING, REJECTED
from counterdesk.services.signoff.cooling import CANCELLED
from counterdesk.services.sync import remote_audit
from counterdesk.store import audit
from counterdesk.store.models.assessment import Assessment, PaperForm
from counterdesk.store.models.complaints import Complaint, ComplaintEvent
from counterdesk.store.models.core import User
from counterdesk.store.models.customers import (
    AmlRating,
    Consent,
    CounterSessionRecord,
    Customer,
    CustomerVersion,
    FormDefinitionRecord,
)
from counterdesk.store.models.data_rights import CustomerRestriction, RetentionTombstone
from counterdesk.store.models.due_diligence import AmlReferral, AmlReferralClosure, FollowUpCall
from counterdesk.store.models.evaluations import CustomerEvaluation
from counterdesk.store.models.follow_ups import FollowUpOutcome
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.sanctions import Screening
from counterdesk.store.models.signoff import (
    ApprovalRequest,
    ConfirmationPrint,
    CoolingOffCancellation,
    EvidenceLink,
    FollowUpTask,
    Signoff,
)
from counterdesk.store.models.sync import Inbox, Outbox, SyncConflict, SyncOrigin, SyncRemoteUser
from counterdesk.store.outbox import applying, decode, now_iso, row_of, version_hash

OWN, APPLIED, STORED, SKIPPED, CONFLICT, FAILED = "own", "applied", "stored", "skipped", "conflict", "failed"
# Every kind of sync_conflicts row this module makes (the sync page has a label for each).
CONFLICT_KINDS = ("customer_version", "customer_document", "signoff_decision", "approval_decision", "evidence_fork",
                  "consent_customer", "screening_disposition", "follow_up_task", "audit_fork", "aml_referral_closure")
LOCAL = "local"
RETRY_LIMIT = 500
POTENTIAL_HIT = "potential_hit"
CONFIRMED_MATCH = "confirmed_match"
CLEARED = ("false_positive", "clear")  # dispositions a confirmed match made elsewhere overrides

TABLE_OF = {
    "customer.version": "customer_versions", "counter_session": "counter_sessions", "assessment": "assessments",
    "sale_decision": "sale_decisions", "signoff": "signoffs", "signoff.approval_request": "approval_requests",
    "signoff.approval_decision": "approval_requests", "evidence.link": "evidence_links", "audit.entry": "audit_log",
    "complaint": "complaints", "complaint.event": "complaint_events", "aml.referral": "aml_referrals",
    "aml.referral_closure": "aml_referral_closures",
    "customer.restriction": "customer_restrictions", "retention.tombstone": "retention_tombstones",
    "consent": "consents", "aml.rating": "aml_ratings", "screening": "screenings",
    "signoff.cooling_off": "cooling_off_cancellations", "follow_up.task": "follow_up_tasks",
    "follow_up.call": "follow_up_calls", "signoff.print": "confirmation_prints",
    "evaluation": "customer_evaluations", "follow_up.outcome": "follow_up_outcomes",
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
    if record_type == "complaint":
        return {"complaint_id": row.get("id"), "status": row.get("status"), "due_on": row.get("due_on")}
    if record_type == "complaint.event":
        return {"complaint_id": row.get("complaint_id"), "seq": row.get("seq"), "kind": row.get("kind")}
    if record_type == "customer.restriction":
        return {"customer_id": row.get("customer_id")}
    if record_type == "retention.tombstone":
        return {"tombstone_id": row.get("id"), "kind": row.get("kind"), "subject_id": row.get("subject_id")}
    if record_type == "aml.referral":
        return {"referral_id": row.get("id"), "session_id": row.get("session_id"),
                "reason_code": row.get("reason_code")}
    if record_type == "aml.referral_closure":
        return {"closure_id": row.get("id"), "referral_id": row.get("referral_id")}
    return _expected_meta_more(record_type, row)


def _expected_meta_more(record_type: str, row: dict) -> dict[str, Any] | None:
    if record_type == "consent":
        return {"consent_id": row.get("id"), "session_id": row.get("session_id")}
    if record_type == "aml.rating":
        return {"customer_id": row.get("customer_id"), "rated_at": row.get("rated_at")}
    if record_type == "screening":
        return {"screening_id": row.get("id"), "status": row.get("status")}
    if record_type == "signoff.cooling_off":
        return {"signoff_id": row.get("signoff_id")}
    if record_type == "follow_up.task":
        return {"task_id": row.get("id"), "signoff_id": row.get("signoff_id"), "status": row.get("status")}
    if record_type == "follow_up.call":
        return {"call_id": row.get("id"), "signoff_id": row.get("signoff_id")}
    if record_type == "signoff.print":
        return {"signoff_id": row.get("signoff_id"), "copy": row.get("copy"), "printed_at": row.get("printed_at")}
    if record_type == "evaluation":
        return {"evaluation_id": row.get("id"), "session_id": row.get("session_id"), "status": row.get("status")}
    if record_type == "follow_up.outcome":
        return {"outcome_id": row.get("id"), "kind": row.get("kind"), "outcome": row.get("outcome")}
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
            "evidence_links": EvidenceLink,
            "consents": Consent, "screenings": Screening, "cooling_off_cancellations": CoolingOffCancellation,
            "follow_up_tasks": FollowUpTask, "follow_up_calls": FollowUpCall,
            "customer_evaluations": CustomerEvaluation, "follow_up_outcomes": FollowUpOutcome,
            "complaints": Complaint, "complaint_events": ComplaintEvent,
            "aml_referrals": AmlReferral, "aml_referral_closures": AmlReferralClosure}[table]


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
    assert kind in CONFLICT_KINDS, kind  # a new kind needs its label on the sync page
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


def _restriction(db, body: dict, inbox: Inbox) -> str:
    row = body["row"]
    ensure_users(db, body.get("deps") or {}, inbox.workstation_id)
    if db.get(CustomerRestriction, row["customer_id"]) is not None:
        return SKIPPED  # restricted here already: the first restriction stands
    db.add(CustomerRestriction(**_values(row)))
    db.flush()
    _remember_origin(db, "customer_restrictions", row["customer_id"], inbox.workstation_id)
    return APPLIED


def _tombstone(db, body: dict, inbox: Inbox) -> str:
    row = body["row"]
    listed = [str(p) for p in body.get("purges") or ()]  # the records the purging workstation removed
    if db.scalar(select(RetentionTombstone.id).where(RetentionTombstone.kind == row["kind"],
                                                     RetentionTombstone.subject_id == row["subject_id"])):
        retention.purge_late_copies(db, row["subject_id"], row["id"], listed)
        return SKIPPED
    ensure_users(db, body.get("deps") or {}, inbox.workstation_id)
    basis = RetentionBasis(row["rule"], row["retained_from"], int(row["retain_years"]), date.today())
    stone = retention.purge_customer(db, row["subject_id"], basis, row.get("purged_by"), tombstone_id=row["id"],
                                     purged_at=row["purged_at"], listed=listed)
    audit.append(db, Actor(None, "sync", "sync"), "retention.purged", "customer", row["subject_id"],
                 {"tombstone_id": stone.id, "rule": stone.rule, "count": stone.rows, "source": "sync"})
    return APPLIED


def _need(db, model, key: Any, what: str) -> None:
    """A row this record refers to must be here first (it arrives with its own record)."""
    if key is not None and db.get(model, key) is None:
        raise Missing(f"{what} {key} has not arrived")


def _consent(db, body: dict, inbox: Inbox) -> str:
    row, ws = body["row"], inbox.workstation_id
    _need(db, CounterSessionRecord, row["session_id"], "counter session")
    _need(db, Customer, row.get("customer_id"), "customer")
    ensure_users(db, body.get("deps") or {}, ws)
    obj = db.get(Consent, row["id"])
    if obj is None:
        _insert(db, "consents", row, ws, row["id"])
        return APPLIED
    if origin(db, "consents", row["id"]) != ws or row.get("customer_id") is None:
        return SKIPPED  # a consent changes only where it was recorded; a link to its customer is never undone
    if obj.customer_id is not None and obj.customer_id != row["customer_id"]:
        return _conflict(db, inbox, "consent_customer", obj.id, detail="linked to another customer here")
    if obj.customer_id == row["customer_id"] and bool(obj.granted) == bool(row["granted"]):
        return SKIPPED
    _replace(obj, row)
    return APPLIED


def _screening(db, body: dict, inbox: Inbox) -> str:
    row, ws = body["row"], inbox.workstation_id
    _need(db, Customer, body.get("customer_id"), "customer")
    ensure_users(db, body.get("deps") or {}, ws)
    obj = db.get(Screening, row["id"])
    if obj is None:
        _insert(db, "screenings", row, ws, row["id"])
        return APPLIED
    if obj.status == row["status"] or row["status"] == POTENTIAL_HIT:
        return SKIPPED  # the same state, or an older one than here
    if obj.status != POTENTIAL_HIT:
        # A disposition is final: one made elsewhere that differs is kept apart for a supervisor to see.
        # Safety first (AML Law Art 40): a confirmed match made elsewhere replaces a clearance made here,
        # so every workstation ends with the match; a clearance never replaces a confirmed match.
        outcome = _conflict(db, inbox, "screening_disposition", obj.id, detail=f"here {obj.status}, "
                                                                               f"there {row['status']}")
        if row["status"] == CONFIRMED_MATCH and obj.status in CLEARED:
            _replace(obj, {k: row[k] for k in ("status", "disposition_by", "disposition_at",
                                               "disposition_reason_code", "disposition_note")})
        return outcome
    _replace(obj, {k: row[k] for k in ("status", "disposition_by", "disposition_at", "disposition_reason_code",
                                       "disposition_note")})
    return APPLIED


def _aml_rating(db, body: dict, inbox: Inbox) -> str:
    row = body["row"]
    _need(db, Customer, row["customer_id"], "customer")
    ensure_users(db, body.get("deps") or {}, inbox.workstation_id)
    # Ratings are append-only and numbered locally: one rating is its customer, time and rater.
    if db.scalar(select(AmlRating.id).where(AmlRating.customer_id == row["customer_id"],
                                            AmlRating.rated_at == row["rated_at"],
                                            AmlRating.rated_by == row["rated_by"])) is not None:
        return SKIPPED
    db.add(AmlRating(**_values(row)))
    db.flush()
    return APPLIED


def _cooling_off(db, body: dict, inbox: Inbox) -> str:
    row = body["row"]
    signoff = db.get(Signoff, row["signoff_id"])
    if signoff is None or signoff.status not in (COMPLETED, CANCELLED):
        raise Missing(f"the completed signoff {row['signoff_id']} has not arrived")
    ensure_users(db, body.get("deps") or {}, inbox.workstation_id)
    if db.get(CoolingOffCancellation, row["signoff_id"]) is not None:
        return SKIPPED
    _insert(db, "cooling_off_cancellations", row, inbox.workstation_id, row["signoff_id"])
    # The sale is cancelled wherever it was made (its own sign-off record comes only from its origin).
    if signoff.status == COMPLETED:
        signoff.status, signoff.updated_at = CANCELLED, row["recorded_at"]
        db.flush()
    return APPLIED


def _follow_up_task(db, body: dict, inbox: Inbox) -> str:
    row, ws = body["row"], inbox.workstation_id
    _need(db, Signoff, row["signoff_id"], "signoff")
    ensure_users(db, body.get("deps") or {}, ws)
    obj = db.get(FollowUpTask, row["id"])
    if obj is None:
        if db.scalar(select(FollowUpTask.id).where(FollowUpTask.signoff_id == row["signoff_id"])) is not None:
            # A task made here under another id (before task ids derived from the sign-off): keep both apart.
            return _conflict(db, inbox, "follow_up_task", row["signoff_id"], detail="another task id here")
        _insert(db, "follow_up_tasks", row, ws, row["id"])
        return APPLIED
    if row["status"] == "open" or (obj.done_by, obj.done_at) == (row.get("done_by"), row.get("done_at")):
        return SKIPPED  # the task made here too (the same id everywhere), or the same completion
    if obj.status != "open":
        return _conflict(db, inbox, "follow_up_task", row["signoff_id"], detail="done here and there")
    _replace(obj, {k: row[k] for k in ("status", "done_by", "done_at", "outcome")})
    return APPLIED


def _follow_up_call(db, body: dict, inbox: Inbox) -> str:
    row = body["row"]
    _need(db, Signoff, row["signoff_id"], "signoff")
    _need(db, FollowUpTask, row.get("task_id"), "follow-up task")
    return _append_only(db, "follow_up_calls", body, inbox, "id")


def _follow_up_outcome(db, body: dict, inbox: Inbox) -> str:
    """Written once where it was recorded: it waits for its customer and sale, then is kept as it came
    (a closing outcome closes the item on every workstation, as the list is computed from the store)."""
    row = body["row"]
    _need(db, Customer, row["customer_id"], "customer")
    _need(db, Signoff, row.get("signoff_id"), "signoff")
    return _append_only(db, "follow_up_outcomes", body, inbox, "id")


def _print(db, body: dict, inbox: Inbox) -> str:
    row = body["row"]
    _need(db, Signoff, row["signoff_id"], "signoff")
    ensure_users(db, body.get("deps") or {}, inbox.workstation_id)
    if db.scalar(select(ConfirmationPrint.id).where(
            ConfirmationPrint.signoff_id == row["signoff_id"], ConfirmationPrint.copy == row["copy"],
            ConfirmationPrint.pdf_sha256 == row["pdf_sha256"], ConfirmationPrint.printed_at == row["printed_at"])):
        return SKIPPED
    db.add(ConfirmationPrint(**_values(row)))
    db.flush()
    return APPLIED


def _audit_entry(db, body: dict, inbox: Inbox) -> str:
    result = remote_audit.store(db, inbox, body["row"])
    if result == remote_audit.STORED:
        return APPLIED
    if result == remote_audit.SAME:
        return SKIPPED
    row = body["row"]
    return _conflict(db, inbox, "audit_fork", f"{inbox.workstation_id}#{row.get('seq')}"[:64],
                     detail="another entry with this number is stored" if result == remote_audit.FORK
                     else "the entry does not match its hash")


_EXTENSION_DECIDED = ("approved", "refused")
_EXTENSION_FIELDS = ("extension_state", "extension_days", "extension_requested_by")


def _complaint(db, body: dict, inbox: Inbox) -> str:
    """A complaint is handled where it was received (its origin), whose rows replace the copies; another
    workstation of the branch may only decide a requested extension (a supervisor there), which the
    origin takes once. A decision made here is never undone by an older row of the origin's."""
    row, ws = body["row"], inbox.workstation_id
    _need(db, Customer, row.get("customer_id"), "customer")
    _need(db, CounterSessionRecord, row.get("session_id"), "counter session")
    _need(db, Signoff, row.get("signoff_id"), "signoff")
    ensure_users(db, body.get("deps") or {}, ws)
    obj = db.get(Complaint, row["id"])
    if obj is None:
        _insert(db, "complaints", row, ws, row["id"])
        return APPLIED
    same_request = obj.extension_days == row.get("extension_days")
    if origin(db, "complaints", row["id"]) == ws:
        stale = (obj.extension_state in _EXTENSION_DECIDED and row.get("extension_state") == "requested"
                 and same_request)
        _replace(obj, row, skip=_EXTENSION_FIELDS if stale else ())
        return APPLIED
    if (obj.status == "open" and obj.extension_state == "requested" and same_request
            and row.get("extension_state") in _EXTENSION_DECIDED):
        _replace(obj, {"extension_state": row["extension_state"], "updated_at": row["updated_at"]})
        return APPLIED
    return SKIPPED  # anything else changes only at the complaint's origin


def _complaint_event(db, body: dict, inbox: Inbox) -> str:
    """A step of a complaint's history, written once; it follows the local history (a step made here in
    the meantime keeps its number, the arriving one takes the next)."""
    row = dict(body["row"])
    _need(db, Complaint, row["complaint_id"], "complaint")
    ensure_users(db, body.get("deps") or {}, inbox.workstation_id)
    if db.get(ComplaintEvent, row["id"]) is not None:
        return SKIPPED
    taken = select(ComplaintEvent.seq).where(ComplaintEvent.complaint_id == row["complaint_id"])
    if db.scalar(taken.where(ComplaintEvent.seq == row["seq"])) is not None:
        row["seq"] = max(db.scalars(taken)) + 1
    _insert(db, "complaint_events", row, inbox.workstation_id, row["id"])
    return APPLIED


def _aml_referral(db, body: dict, inbox: Inbox) -> str:
    """Written once where it was made: it waits for its customer and session, then is kept as it came."""
    row = body["row"]
    _need(db, Customer, row.get("customer_id"), "customer")
    _need(db, CounterSessionRecord, row["session_id"], "counter session")
    return _append_only(db, "aml_referrals", body, inbox, "id")


def _aml_referral_closure(db, body: dict, inbox: Inbox) -> str:
    """A closure is final and append-only: the one this workstation has stays, another is a conflict."""
    row = body["row"]
    _need(db, AmlReferral, row["referral_id"], "AML referral")
    ensure_users(db, body.get("deps") or {}, inbox.workstation_id)
    if db.get(AmlReferralClosure, row["id"]) is not None:
        return SKIPPED
    here = db.scalar(select(AmlReferralClosure).where(AmlReferralClosure.referral_id == row["referral_id"]))
    if here is not None:
        return _conflict(db, inbox, "aml_referral_closure", row["referral_id"],
                         detail=f"closed here {here.outcome}, there {row.get('outcome')}"[:200])
    _insert(db, "aml_referral_closures", row, inbox.workstation_id, row["id"])
    return APPLIED


_KINDS = {"audit.entry": _audit_entry, "complaint": _complaint, "complaint.event": _complaint_event,
          "consent": _consent, "screening": _screening, "aml.rating": _aml_rating,
          "signoff.cooling_off": _cooling_off, "follow_up.task": _follow_up_task, "follow_up.call": _follow_up_call,
          "follow_up.outcome": _follow_up_outcome, "aml.referral": _aml_referral,
          "aml.referral_closure": _aml_referral_closure,
          "signoff.print": _print}


def _dispatch(db, inbox: Inbox, body: dict) -> str:
    t = inbox.type
    if t in _KINDS:
        return _KINDS[t](db, body, inbox)
    if t == "customer.restriction":
        return _restriction(db, body, inbox)
    if t == "retention.tombstone":
        return _tombstone(db, body, inbox)
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
    if t == "evaluation":  # written once at its workstation: insert if absent (idempotent by id)
        return _append_only(db, "customer_evaluations", body, inbox, "id")
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
