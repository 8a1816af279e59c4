"""The outbox: every syncable change adds a record in the SAME transaction as the change.

A SQLAlchemy ``after_flush`` listener on every ORM Session (filtered to the workstation's SQLCipher
store that has the ``outbox`` table) looks at what the flush wrote and, for each syncable event,
inserts one ``outbox`` row through the flush's own connection. If the transaction rolls back, the
outbox rows go with it; if it commits, they are there. Nothing else in the code base needs to know.

Events (record types as the hub knows them, counterdesk.hub.record_types):

=============================  ============================================  ==========================
table                          event                                         type
=============================  ============================================  ==========================
customer_versions              insert (append-only)                          customer.version
counter_sessions               insert; status or customer change             counter_session
assessments                    completed / confirmed / superseded            assessment
sale_decisions                 insert (append-only)                          sale_decision
signoffs                       insert; status change                         signoff
approval_requests              insert                                        signoff.approval_request
approval_requests              status change (decided, expired, withdrawn)   signoff.approval_decision
evidence_links                 insert (append-only)                          evidence.link
audit_log                      insert (append-only)                          audit.entry
complaints                     insert; any change of its state               complaint
complaint_events               insert (append-only)                          complaint.event
aml_referrals                  insert (append-only)                          aml.referral
aml_referral_closures          insert (append-only)                          aml.referral_closure
customer_restrictions          insert                                        customer.restriction
retention_tombstones           insert (append-only)                          retention.tombstone
consents                       insert; customer or grant change              consent
aml_ratings                    insert (append-only)                          aml.rating
screenings                     insert; status change (the disposition)       screening
cooling_off_cancellations      insert (append-only)                          signoff.cooling_off
follow_up_tasks                insert; status change                         follow_up.task
follow_up_calls                insert (append-only)                          follow_up.call
confirmation_prints            insert (append-only)                          signoff.print
customer_evaluations           insert (written once)                         evaluation
follow_up_outcomes             insert (written once)                         follow_up.outcome
=============================  ============================================  ==========================

Every event is append-only: an insert uses the row's own uuid as record id when it has one; a
status change (or a row without a uuid key) gets ``uuid5(workstation_id | basis)``, ``basis`` naming
the row and its new state. ``meta`` holds only the allow-listed keys of the type (ids, status,
sequence numbers, action codes); the row itself goes into ``body``, which stays inside the encrypted
database until it is sealed with the branch key.

While records pulled from the hub are applied the session carries ``APPLYING`` in ``session.info``
(see ``applying``): those writes are not enqueued again.
"""
from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from counterdesk.store.models.assessment import Assessment, PaperForm
from counterdesk.store.models.complaints import Complaint, ComplaintEvent
from counterdesk.store.models.core import AuditEntry, User
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
from counterdesk.store.models.sync import PENDING, Outbox, SyncState
from counterdesk.store.stores import is_store_with

APPLYING = "counterdesk.sync.applying"
NAMESPACE = uuid.UUID("6c1d3e0a-8f0b-5b3e-9a57-2f1c0de5a001")
UNENROLLED = "unenrolled"
BODY_VERSION = 1

# The allow-listed meta keys of each type (the hub refuses any other key).
META_KEYS: dict[str, tuple[str, ...]] = {
    "customer.version": ("customer_id", "version"),
    "counter_session": ("session_id", "status"),
    "signoff": ("signoff_id", "session_id", "status"),
    "signoff.approval_request": ("request_id", "signoff_id", "session_id", "status"),
    "signoff.approval_decision": ("request_id", "signoff_id", "session_id", "status"),
    "evidence.link": ("signoff_id", "seq", "kind"),
    "audit.entry": ("seq", "action"),
    "assessment": ("assessment_id", "customer_id"),
    "sale_decision": ("decision_id", "session_id"),
    "complaint": ("complaint_id", "status", "due_on"),
    "complaint.event": ("complaint_id", "seq", "kind"),
    "aml.referral": ("referral_id", "session_id", "reason_code"),
    "aml.referral_closure": ("closure_id", "referral_id"),
    "customer.restriction": ("customer_id",),
    "retention.tombstone": ("tombstone_id", "kind", "subject_id"),
    "consent": ("consent_id", "session_id"),
    "aml.rating": ("customer_id", "rated_at"),
    "screening": ("screening_id", "status"),
    "signoff.cooling_off": ("signoff_id",),
    "follow_up.task": ("task_id", "signoff_id", "status"),
    "follow_up.call": ("call_id", "signoff_id"),
    "signoff.print": ("signoff_id", "copy", "printed_at"),
    "evaluation": ("evaluation_id", "session_id", "status"),
    "follow_up.outcome": ("outcome_id", "kind", "outcome"),
}
# Parents before children when one flush writes several (a receiver applies them in this order).
RANK = {t: i for i, t in enumerate(("customer.version", "counter_session", "assessment", "sale_decision", "signoff",
                                    "signoff.approval_request", "signoff.approval_decision", "evidence.link",
                                    "complaint", "complaint.event", "aml.referral", "aml.referral_closure", "consent",
                                    "screening", "aml.rating", "signoff.print", "signoff.cooling_off", "follow_up.task",
                                    "follow_up.call", "customer.restriction", "retention.tombstone",
                                    "evaluation", "follow_up.outcome", "audit.entry"))}
USER_COLUMNS = {
    "customer_versions": ("created_by",), "counter_sessions": ("teller_id",), "assessments": ("created_by",),
    "sale_decisions": ("decided_by",), "signoffs": ("teller_id",),
    "approval_requests": ("requested_by", "decided_by"), "evidence_links": (), "audit_log": (),
    "complaints": ("received_by", "owner_id", "extension_requested_by", "resolved_by"),
    "complaint_events": ("by_user", "to_user"),
    "aml_referrals": ("created_by",), "aml_referral_closures": ("closed_by",),
    "customer_restrictions": ("recorded_by",), "retention_tombstones": ("purged_by",),
    "consents": ("recorded_by",), "aml_ratings": ("rated_by",), "screenings": ("created_by", "disposition_by"),
    "cooling_off_cancellations": ("recorded_by",), "follow_up_tasks": ("seller_id", "done_by"),
    "follow_up_calls": ("called_by",), "confirmation_prints": ("printed_by",),
    "customer_evaluations": ("teller_id",), "follow_up_outcomes": ("recorded_by",),
}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def derived_id(workstation_id: str | None, basis: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{workstation_id or UNENROLLED}|{basis}"))


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$b64"}:
        return base64.b64decode(value["$b64"])
    return value


def row_of(obj: Any) -> dict[str, Any]:
    """The object's columns as JSON-safe values (bytes as {"$b64": …})."""
    mapper = inspect(obj).mapper
    return {attr.columns[0].name: encode(getattr(obj, attr.key)) for attr in mapper.column_attrs}


def version_hash(row: dict[str, Any]) -> str:
    """What identifies the content of one customer version (a base for the next one)."""
    fields = [row.get(k) for k in ("customer_id", "version", "form_hash", "data", "created_at", "created_by", "reason")]
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


# ---- which engines are the workstation store ---------------------------------------------------------

_lock = threading.Lock()  # guards the hooks' installation and callbacks


def _engine_of(db: Session) -> Engine | None:
    try:
        bind = db.get_bind()
    except Exception:
        return None
    return bind.engine if isinstance(bind, Connection) else bind


def _is_store(db: Session, conn: Connection) -> bool:
    engine = _engine_of(db)
    return engine is not None and is_store_with(conn, "outbox", engine)


@contextmanager
def applying(db: Session) -> Iterator[Session]:
    """Writes inside this block come from the hub: the listener does not enqueue them."""
    before = db.info.get(APPLYING)
    db.info[APPLYING] = True
    try:
        yield db
    finally:
        if before is None:
            db.info.pop(APPLYING, None)
        else:
            db.info[APPLYING] = before


# ---- events -------------------------------------------------------------------------------------------

class _Event:
    __slots__ = ("basis", "body", "meta", "row_id", "table", "type")

    def __init__(self, type_: str, table: str, row_id: str | None, basis: str | None, meta: dict, body: dict):
        self.type, self.table, self.row_id, self.basis, self.meta, self.body = type_, table, row_id, basis, meta, body


def _changed(obj: Any, *keys: str) -> bool:
    state = inspect(obj)
    for key in keys:
        hist = state.attrs[key].history
        if hist.added or hist.deleted:
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                return True
    return False


def _body(table: str, op: str, row: dict, **extra: Any) -> dict:
    return {"v": BODY_VERSION, "table": table, "op": op, "row": row, **extra}


def _customer_version(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    row = row_of(obj)
    customer = conn.execute(select(Customer.__table__).where(Customer.id == obj.customer_id)).mappings().first()
    base = None
    if obj.version > 1:
        prev = conn.execute(select(CustomerVersion.__table__).where(
            CustomerVersion.customer_id == obj.customer_id,
            CustomerVersion.version == obj.version - 1)).mappings().first()
        base = version_hash(dict(prev)) if prev is not None else None
    body = _body("customer_versions", "insert", row, base_hash=base, version_hash=version_hash(row),
                 customer={k: customer[k] for k in ("id", "created_at", "created_by", "status")} if customer else None)
    return [_Event("customer.version", "customer_versions", None,
                   f"customer.version|{obj.customer_id}|{obj.version}",
                   {"customer_id": obj.customer_id, "version": obj.version}, body)]


def _counter_session(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    meta = {"session_id": obj.id, "status": obj.status}
    if new:
        return [_Event("counter_session", "counter_sessions", obj.id, None, meta,
                       _body("counter_sessions", "insert", row_of(obj)))]
    if _changed(obj, "status", "customer_id"):
        return [_Event("counter_session", "counter_sessions", None,
                       f"counter_session|{obj.id}|{obj.status}|{obj.customer_id}", meta,
                       _body("counter_sessions", "update", row_of(obj)))]
    return []


def _assessment(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if obj.status == "in_progress" or not (new or _changed(obj, "status", "confirmed_at")):
        return []
    confirmed = "confirmed" if obj.confirmed_at else "unconfirmed"
    return [_Event("assessment", "assessments", None, f"assessment|{obj.id}|{obj.status}|{confirmed}",
                   {"assessment_id": obj.id, "customer_id": obj.customer_id},
                   _body("assessments", "upsert", row_of(obj)))]


def _sale_decision(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    return [_Event("sale_decision", "sale_decisions", obj.id, None,
                   {"decision_id": obj.id, "session_id": obj.session_id},
                   _body("sale_decisions", "insert", row_of(obj)))]


def _signoff(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    meta = {"signoff_id": obj.id, "session_id": obj.session_id, "status": obj.status}
    if new:
        return [_Event("signoff", "signoffs", obj.id, None, meta, _body("signoffs", "insert", row_of(obj)))]
    if _changed(obj, "status"):
        return [_Event("signoff", "signoffs", None, f"signoff|{obj.id}|{obj.status}", meta,
                       _body("signoffs", "update", row_of(obj)))]
    return []


def _approval_request(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    meta = {"request_id": obj.id, "signoff_id": obj.signoff_id, "session_id": obj.session_id, "status": obj.status}
    if new:
        return [_Event("signoff.approval_request", "approval_requests", obj.id, None, meta,
                       _body("approval_requests", "insert", row_of(obj)))]
    if _changed(obj, "status"):
        return [_Event("signoff.approval_decision", "approval_requests", None, f"approval|{obj.id}|{obj.status}",
                       meta, _body("approval_requests", "update", row_of(obj)))]
    return []


def _evidence_link(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    row = row_of(obj)
    row.pop("id", None)  # a local autoincrement number; (signoff_id, seq) identifies the link
    return [_Event("evidence.link", "evidence_links", None, f"evidence.link|{obj.signoff_id}|{obj.seq}|{obj.hash}",
                   {"signoff_id": obj.signoff_id, "seq": obj.seq, "kind": obj.kind},
                   _body("evidence_links", "insert", row))]


def _audit_entry(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    return [_Event("audit.entry", "audit_log", None, f"audit.entry|{obj.seq}|{obj.hash}",
                   {"seq": obj.seq, "action": obj.action}, _body("audit_log", "insert", row_of(obj)))]


def _complaint(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    meta = {"complaint_id": obj.id, "status": obj.status, "due_on": obj.due_on}
    if new:
        return [_Event("complaint", "complaints", obj.id, None, meta, _body("complaints", "insert", row_of(obj)))]
    # Every change stamps updated_at: one record per state the complaint went through.
    return [_Event("complaint", "complaints", None, f"complaint|{obj.id}|{obj.updated_at}", meta,
                   _body("complaints", "update", row_of(obj)))]


def _complaint_event(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    return [_Event("complaint.event", "complaint_events", obj.id, None,
                   {"complaint_id": obj.complaint_id, "seq": obj.seq, "kind": obj.kind},
                   _body("complaint_events", "insert", row_of(obj)))]


def _aml_referral(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    return [_Event("aml.referral", "aml_referrals", obj.id, None,
                   {"referral_id": obj.id, "session_id": obj.session_id, "reason_code": obj.reason_code},
                   _body("aml_referrals", "insert", row_of(obj)))]


def _aml_referral_closure(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    # The body names the referral's customer: a retention purge finds this copy by it (sync_copies).
    customer = conn.execute(select(AmlReferral.customer_id).where(AmlReferral.id == obj.referral_id)).scalar()
    return [_Event("aml.referral_closure", "aml_referral_closures", obj.id, None,
                   {"closure_id": obj.id, "referral_id": obj.referral_id},
                   _body("aml_referral_closures", "insert", row_of(obj), customer_id=customer))]


def _customer_restriction(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    return [_Event("customer.restriction", "customer_restrictions", None, f"customer.restriction|{obj.customer_id}",
                   {"customer_id": obj.customer_id}, _body("customer_restrictions", "insert", row_of(obj)))]


def _retention_tombstone(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    return [_Event("retention.tombstone", "retention_tombstones", obj.id, None,
                   {"tombstone_id": obj.id, "kind": obj.kind, "subject_id": obj.subject_id},
                   _body("retention_tombstones", "insert", row_of(obj)))]


def _consent(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    # No customer id in meta: it is empty until the customer is created (meta values are never null).
    meta = {"consent_id": obj.id, "session_id": obj.session_id}
    if new:
        return [_Event("consent", "consents", obj.id, None, meta, _body("consents", "insert", row_of(obj)))]
    # A grant is linked to its customer when the customer is created.
    if _changed(obj, "customer_id", "granted"):
        return [_Event("consent", "consents", None, f"consent|{obj.id}|{obj.customer_id}|{obj.granted}", meta,
                       _body("consents", "update", row_of(obj)))]
    return []


def _aml_rating(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    row = row_of(obj)
    row.pop("id", None)  # a local autoincrement number; the receiver numbers its own rows
    return [_Event("aml.rating", "aml_ratings", None, f"aml.rating|{obj.customer_id}|{obj.rated_at}|{obj.rated_by}",
                   {"customer_id": obj.customer_id, "rated_at": obj.rated_at}, _body("aml_ratings", "insert", row))]


def _screening(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not (new or _changed(obj, "status")):
        return []
    # subject_ref names a customer or another party; when it is a customer the receiver waits for it.
    subject = conn.execute(select(Customer.id).where(Customer.id == obj.subject_ref)).scalar()
    meta = {"screening_id": obj.id, "status": obj.status}
    if new:
        return [_Event("screening", "screenings", obj.id, None, meta,
                       _body("screenings", "insert", row_of(obj), customer_id=subject))]
    return [_Event("screening", "screenings", None, f"screening|{obj.id}|{obj.status}", meta,
                   _body("screenings", "update", row_of(obj), customer_id=subject))]


def _cooling_off(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    # The row's key is the sign-off's id, already the sign-off's own record id: derive another.
    return [_Event("signoff.cooling_off", "cooling_off_cancellations", None, f"cooling_off|{obj.signoff_id}",
                   {"signoff_id": obj.signoff_id}, _body("cooling_off_cancellations", "insert", row_of(obj)))]


def _follow_up_task(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not (new or _changed(obj, "status")):
        return []
    # Every workstation makes the same task (its id derives from the sign-off's), so the record id is
    # derived with the workstation's id: two workstations' records of one task never collide at the hub.
    return [_Event("follow_up.task", "follow_up_tasks", None, f"follow_up.task|{obj.id}|{obj.status}",
                   {"task_id": obj.id, "signoff_id": obj.signoff_id, "status": obj.status},
                   _body("follow_up_tasks", "insert" if new else "update", row_of(obj)))]


def _follow_up_call(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    return [_Event("follow_up.call", "follow_up_calls", obj.id, None,
                   {"call_id": obj.id, "signoff_id": obj.signoff_id},
                   _body("follow_up_calls", "insert", row_of(obj)))]


def _evaluation(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    return [_Event("evaluation", "customer_evaluations", obj.id, None,
                   {"evaluation_id": obj.id, "session_id": obj.session_id, "status": obj.status},
                   _body("customer_evaluations", "insert", row_of(obj)))]


def _follow_up_outcome(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    return [_Event("follow_up.outcome", "follow_up_outcomes", obj.id, None,
                   {"outcome_id": obj.id, "kind": obj.kind, "outcome": obj.outcome},
                   _body("follow_up_outcomes", "insert", row_of(obj)))]


def _print(conn: Connection, obj: Any, new: bool) -> list[_Event]:
    if not new:
        return []
    row = row_of(obj)
    row.pop("id", None)  # a local autoincrement number
    return [_Event("signoff.print", "confirmation_prints", None,
                   f"print|{obj.signoff_id}|{obj.copy}|{obj.pdf_sha256}|{obj.printed_at}",
                   {"signoff_id": obj.signoff_id, "copy": obj.copy, "printed_at": obj.printed_at},
                   _body("confirmation_prints", "insert", row))]


_BUILDERS: dict[str, Callable[[Connection, Any, bool], list[_Event]]] = {
    "customer_versions": _customer_version, "counter_sessions": _counter_session, "assessments": _assessment,
    "sale_decisions": _sale_decision, "signoffs": _signoff, "approval_requests": _approval_request,
    "evidence_links": _evidence_link, "audit_log": _audit_entry,
    "complaints": _complaint, "complaint_events": _complaint_event,
    "aml_referrals": _aml_referral, "aml_referral_closures": _aml_referral_closure,
    "customer_restrictions": _customer_restriction, "retention_tombstones": _retention_tombstone,
    "consents": _consent, "aml_ratings": _aml_rating, "screenings": _screening,
    "cooling_off_cancellations": _cooling_off, "follow_up_tasks": _follow_up_task, "follow_up_calls": _follow_up_call,
    "confirmation_prints": _print, "customer_evaluations": _evaluation,
    "follow_up_outcomes": _follow_up_outcome,
}


# ---- dependencies a receiver needs for its foreign keys ------------------------------------------------

def _deps(conn: Connection, ev: _Event) -> dict[str, Any]:
    row = ev.body["row"]
    deps: dict[str, Any] = {}
    user_ids = sorted({row[c] for c in USER_COLUMNS.get(ev.table, ()) if row.get(c)}
                      | ({ev.body["customer"]["created_by"]} if ev.body.get("customer") else set()))
    if user_ids:
        users = conn.execute(select(User.id, User.username, User.display_name, User.role)
                             .where(User.id.in_(user_ids))).mappings().all()
        deps["users"] = [dict(u) for u in users]
    hashes = [h for h in (row.get("form_hash"), row.get("questionnaire_hash")) if h]
    if hashes:
        forms = conn.execute(select(FormDefinitionRecord.__table__)
                             .where(FormDefinitionRecord.hash.in_(hashes))).mappings().all()
        deps["form_definitions"] = [dict(f) for f in forms]
    if row.get("paper_form_number"):
        paper = conn.execute(select(PaperForm.__table__).where(
            PaperForm.form_number == row["paper_form_number"])).mappings().first()
        if paper is not None:
            deps["paper_forms"] = [dict(paper)]
    return deps


# ---- the listener -----------------------------------------------------------------------------------------

def workstation_id(conn: Connection) -> str | None:
    value = conn.execute(select(SyncState.value).where(SyncState.key == "workstation_id")).scalar()
    return json.loads(value) if value else None


def _collect(db: Session, conn: Connection) -> list[_Event]:
    events: list[_Event] = []
    for obj in list(db.new):
        builder = _BUILDERS.get(getattr(obj, "__tablename__", ""))
        if builder is not None:
            events += builder(conn, obj, True)
    for obj in list(db.dirty):
        builder = _BUILDERS.get(getattr(obj, "__tablename__", ""))
        if builder is not None and db.is_modified(obj, include_collections=False):
            events += builder(conn, obj, False)
    # Parents first; links and audit entries of one flush in their own order.
    events.sort(key=lambda e: (RANK[e.type], e.meta.get("seq") or 0, e.meta.get("version") or 0))
    return events


def _after_flush(db: Session, _flush_context) -> None:
    if db.info.get(APPLYING):
        return
    if not any(getattr(o, "__tablename__", None) in _BUILDERS for o in (*db.new, *db.dirty)):
        return
    conn = db.connection()
    if not _is_store(db, conn):
        return
    events = _collect(db, conn)
    if not events:
        return
    _enqueue(conn, events, workstation_id(conn))
    db.info["outbox_dirty"] = True


# Called after a transaction that wrote outbox rows commits (the sync worker pushes at once instead
# of at its next round, so a teller's approval request reaches the hub within a second or so).
_on_commit: list = []


def on_commit(callback) -> None:
    with _lock:
        if callback not in _on_commit:
            _on_commit.append(callback)


def remove_on_commit(callback) -> None:
    with _lock:
        if callback in _on_commit:
            _on_commit.remove(callback)


def _after_commit(db: Session) -> None:
    if db.info.pop("outbox_dirty", False):
        for callback in list(_on_commit):
            try:
                callback()
            except Exception:
                pass


def _after_rollback(db: Session) -> None:
    db.info.pop("outbox_dirty", None)


def _enqueue(conn: Connection, events: list[_Event], ws: str | None) -> None:
    rows, ids = [], set()
    for ev in events:
        basis = ev.basis
        if ev.row_id:
            rec_id = ev.row_id
        else:
            assert basis is not None  # an event names its row's own id or the basis of a derived one
            rec_id = derived_id(ws, basis)
        n = 1
        while rec_id in ids or conn.execute(select(Outbox.local_seq).where(Outbox.id == rec_id)).first():
            n += 1  # the same state reached twice (rare): still a new, distinct record
            basis = f"{ev.basis or ev.row_id}|{n}"
            rec_id = derived_id(ws, basis)
        ids.add(rec_id)
        ev.body["deps"] = _deps(conn, ev)
        rows.append({"id": rec_id, "id_basis": basis, "type": ev.type, "created_at": now_iso(),
                     "body": canonical(ev.body), "meta": canonical(ev.meta), "state": PENDING, "attempts": 0})
    # A declarative class's __table__ is a Table; SQLAlchemy types it as the wider FromClause.
    conn.execute(cast(Table, Outbox.__table__).insert(), rows)


_installed = False


def install() -> None:
    """Register the listener (idempotent). Done when counterdesk.services.sync is imported, which the store's
    migration environment does on every open, so every vault transaction is covered."""
    global _installed
    with _lock:
        if not _installed:
            event.listen(Session, "after_flush", _after_flush)
            event.listen(Session, "after_commit", _after_commit)
            event.listen(Session, "after_soft_rollback", lambda db, _tx: _after_rollback(db))
            _installed = True


def backfill(db: Session) -> int:
    """Enqueue the rows written before the outbox existed (an installation upgraded to sync): one
    record per row in its current state, parents first. Rows that already have a record are skipped,
    so running it again adds nothing. Returns how many records were added."""

    conn = db.connection()
    seen: dict[str, set] = {}
    for rtype, meta in db.execute(select(Outbox.type, Outbox.meta)):
        m = json.loads(meta)
        seen.setdefault(rtype, set()).add(tuple(m.get(k) for k in _IDENTITY[rtype]))
    events: list[_Event] = []
    for model, order in ((CustomerVersion, (CustomerVersion.customer_id, CustomerVersion.version)),
                         (CounterSessionRecord, (CounterSessionRecord.created_at,)),
                         (Assessment, (Assessment.created_at,)),
                         (SaleDecision, (SaleDecision.decided_at,)), (Signoff, (Signoff.created_at,)),
                         (ApprovalRequest, (ApprovalRequest.requested_at,)),
                         (EvidenceLink, (EvidenceLink.signoff_id, EvidenceLink.seq)),
                         (Complaint, (Complaint.created_at,)),
                         (ComplaintEvent, (ComplaintEvent.complaint_id, ComplaintEvent.seq)),
                         (AmlReferral, (AmlReferral.created_at,)),
                         (AmlReferralClosure, (AmlReferralClosure.closed_at,)),
                         (CustomerRestriction, (CustomerRestriction.recorded_at,)),
                         (RetentionTombstone, (RetentionTombstone.purged_at,)),
                         (Consent, (Consent.recorded_at,)), (Screening, (Screening.created_at,)),
                         (AmlRating, (AmlRating.id,)), (ConfirmationPrint, (ConfirmationPrint.id,)),
                         (CoolingOffCancellation, (CoolingOffCancellation.recorded_at,)),
                         (FollowUpTask, (FollowUpTask.created_at,)), (FollowUpCall, (FollowUpCall.called_at,)),
                         (CustomerEvaluation, (CustomerEvaluation.created_at,)),
                         (FollowUpOutcome, (FollowUpOutcome.recorded_at,)),
                         (AuditEntry, (AuditEntry.seq,))):
        builder = _BUILDERS[model.__tablename__]
        for obj in db.scalars(select(model).order_by(*order)):
            for ev in builder(conn, obj, True):
                kind = "signoff.approval_request" if ev.type.startswith("signoff.approval") else ev.type
                key = tuple(ev.meta.get(k) for k in _IDENTITY[kind])
                if key in seen.get(kind, set()) or (kind == "signoff.approval_request" and key in seen.get(
                        "signoff.approval_decision", set())):
                    continue
                events.append(ev)
    events.sort(key=lambda e: RANK[e.type])
    if events:
        _enqueue(conn, events, workstation_id(conn))
    return len(events)


# What names the row of a record (for ``backfill``: does this row have a record already?).
_IDENTITY = {
    "customer.version": ("customer_id", "version"), "counter_session": ("session_id",), "signoff": ("signoff_id",),
    "signoff.approval_request": ("request_id",), "signoff.approval_decision": ("request_id",),
    "evidence.link": ("signoff_id", "seq"), "audit.entry": ("seq",), "assessment": ("assessment_id",),
    "sale_decision": ("decision_id",), "complaint": ("complaint_id",), "complaint.event": ("complaint_id", "seq"),
    "aml.referral": ("referral_id",), "aml.referral_closure": ("closure_id",),
    "customer.restriction": ("customer_id",), "retention.tombstone": ("tombstone_id",),
    "consent": ("consent_id",), "aml.rating": ("customer_id", "rated_at"), "screening": ("screening_id",),
    "signoff.cooling_off": ("signoff_id",), "follow_up.task": ("task_id",), "follow_up.call": ("call_id",),
    "signoff.print": ("signoff_id", "copy", "printed_at"), "evaluation": ("evaluation_id",),
    "follow_up.outcome": ("outcome_id",),
}


def rederive_pending_ids(db: Session, workstation: str) -> int:
    """After enrolment: give derived ids of never-sent records the workstation's id (a copied data
    folder must not push the same ids as its original). Returns how many changed."""
    rows = db.execute(select(Outbox).where(Outbox.state == PENDING, Outbox.envelope.is_(None),
                                                Outbox.id_basis.is_not(None))).scalars().all()
    changed = 0
    for row in rows:
        assert row.id_basis is not None  # selected above
        new_id = derived_id(workstation, row.id_basis)
        if new_id != row.id:
            row.id = new_id
            changed += 1
    return changed
