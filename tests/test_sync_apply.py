"""Applying other workstations' records, without a hub: placeholders for their users, origin rules,
decisions, missing parents retried, echoes, forks and relabelled meta."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from counterdesk.flow.actions import CheckApproval
from counterdesk.services.customers import counter_sessions
from counterdesk.services.signoff import approvals
from counterdesk.services.sync import apply
from counterdesk.store import outbox
from counterdesk.store.models.core import User
from counterdesk.store.models.customers import CounterSessionRecord
from counterdesk.store.models.sync import Inbox, Outbox, SyncConflict, SyncOrigin, SyncRemoteUser

OTHER, THIRD = str(uuid.uuid4()), str(uuid.uuid4())
_seq = iter(range(1, 10_000))


def _record(rtype: str, table: str, op: str, row: dict, deps: dict | None = None, ws: str = OTHER) -> Inbox:
    body = {"v": 1, "table": table, "op": op, "row": row, "deps": deps or {}}
    return Inbox(id=str(uuid.uuid4()), seq=next(_seq), type=rtype, workstation_id=ws,
                 created_at=outbox.now_iso(), meta=json.dumps(apply.expected_meta(rtype, body)),
                 body=json.dumps(body), received_at=outbox.now_iso())


def _apply(vault, rec: Inbox, me: str = "me") -> str:
    def work(db):
        db.add(rec)
        db.flush()
        return apply.apply_one(db, rec, me)
    return vault.transact(work)


def _session_row(teller_id: str, status: str = "open", customer_id=None) -> dict:
    return {"id": str(uuid.uuid4()), "teller_id": teller_id, "customer_id": customer_id, "status": status,
            "step": "identify", "stop_reason_code": None, "created_at": outbox.now_iso(),
            "updated_at": outbox.now_iso()}


def test_a_remote_users_row_gets_an_inactive_placeholder_and_nothing_is_re_enqueued(demo_vault, sign_in):
    sign_in("auditor")
    stranger = {"id": str(uuid.uuid4()), "username": "teller", "display_name": "远端柜员", "role": "teller"}
    row = _session_row(stranger["id"])
    queued = demo_vault.transact(lambda s: s.scalar(select(Outbox.local_seq).order_by(Outbox.local_seq.desc())))
    assert _apply(demo_vault, _record("counter_session", "counter_sessions", "insert", row,
                                      {"users": [stranger]})) == apply.APPLIED

    def read(s):
        user = s.get(User, stranger["id"])
        return (user.active, user.username, user.display_name, s.get(SyncRemoteUser, stranger["id"]).workstation_id,
                s.get(CounterSessionRecord, row["id"]).status,
                s.get(SyncOrigin, ("counter_sessions", row["id"])).workstation_id,
                s.scalar(select(Outbox.local_seq).order_by(Outbox.local_seq.desc())))
    active, username, display, ws, status, origin, last = demo_vault.transact(read)
    assert not active and username.startswith("teller@") and display == "远端柜员" and ws == OTHER
    assert status == "open" and origin == OTHER
    assert last == queued  # applied rows are not sent back

    # Later changes: from its origin they apply; from a third workstation they do not.
    stopped = {**row, "status": "stopped", "stop_reason_code": "customer_left"}
    assert _apply(demo_vault, _record("counter_session", "counter_sessions", "update", stopped, ws=THIRD)) == \
        apply.SKIPPED
    assert _apply(demo_vault, _record("counter_session", "counter_sessions", "update", stopped)) == apply.APPLIED
    assert demo_vault.transact(lambda s: s.get(CounterSessionRecord, row["id"]).status) == "stopped"


def test_own_records_coming_back_are_not_applied_again(demo_vault, sign_in):
    teller = sign_in("teller")
    sid = counter_sessions.open_session(demo_vault, teller)
    rec = demo_vault.transact(lambda s: s.scalar(select(Outbox).where(Outbox.id == sid)))
    echo = Inbox(id=rec.id, seq=next(_seq), type=rec.type, workstation_id=OTHER, created_at=rec.created_at,
                 meta=rec.meta, body=rec.body, received_at=outbox.now_iso())
    assert _apply(demo_vault, echo) == apply.OWN
    mine = _record("counter_session", "counter_sessions", "insert", _session_row(teller.user_id), ws="me")
    assert _apply(demo_vault, mine) == apply.OWN
    assert demo_vault.transact(lambda s: s.get(CounterSessionRecord, json.loads(mine.body)["row"]["id"])) is None


def test_a_record_whose_parent_has_not_arrived_waits_and_is_retried(demo_vault, sign_in):
    from counterdesk.store.models.signoff import EvidenceLink
    sign_in("auditor")
    link = {"signoff_id": str(uuid.uuid4()), "seq": 1, "kind": "document", "payload": "{}", "prev_hash": "0" * 64,
            "hash": "1" * 64, "created_at": outbox.now_iso()}
    rec = _record("evidence.link", "evidence_links", "insert", link)
    assert _apply(demo_vault, rec) == apply.FAILED
    row = demo_vault.transact(lambda s: s.get(Inbox, rec.id))
    assert row.applied_at is None and "has not arrived" in row.apply_error
    assert demo_vault.transact(lambda s: apply.retry_unapplied(s, "me")) == 0
    assert demo_vault.transact(lambda s: s.scalar(select(EvidenceLink.id))) is None


def test_a_relabelled_record_is_refused():
    body = {"table": "counter_sessions", "row": {"id": "s1", "status": "open"}}
    assert apply.meta_matches("counter_session", {"session_id": "s1", "status": "open"}, body)
    assert not apply.meta_matches("counter_session", {"session_id": "s2", "status": "open"}, body)
    assert not apply.meta_matches("signoff", {"signoff_id": "s1", "session_id": None, "status": "open"}, body)


@pytest.fixture
def sale_waiting(demo_lists_dir):
    """A sale waiting for approval on this workstation."""
    from counterdesk.services.auth.vault import Vault
    from helpers.counter import YOUNG, at_recommendation, choose, customer_signs
    vault = Vault.open(demo_lists_dir)
    counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
    choose(counter_session, "DM-WM-EQ", own=True)
    customer_signs(counter_session)
    counter_session.submit()
    yield vault, counter_session
    vault.close()


def _decision(vault, request_id: str, status: str, by: str) -> Inbox:
    from counterdesk.store.models.signoff import ApprovalRequest
    row = vault.transact(lambda s: outbox.row_of(s.get(ApprovalRequest, request_id)))
    row.update(status=status, decided_by=by, decided_at=outbox.now_iso(), decision_reason="x" if status == "rejected"
               else None)
    return _record("signoff.approval_decision", "approval_requests", "update", row,
                   {"users": [{"id": by, "username": "boss", "display_name": "远端主管", "role": "supervisor"}]})


def test_a_remote_decision_reaches_the_waiting_teller_and_a_second_one_becomes_a_conflict(sale_waiting):
    from counterdesk.store.models.signoff import Signoff
    vault, counter_session = sale_waiting
    req = counter_session.submit(CheckApproval()).value
    boss = str(uuid.uuid4())
    signoff = vault.transact(lambda s: outbox.row_of(s.get(Signoff, req.signoff_id)))
    signoff.update(status="approved", updated_at=outbox.now_iso())
    assert _apply(vault, _record("signoff", "signoffs", "update", signoff)) == apply.APPLIED
    assert _apply(vault, _decision(vault, req.request_id, "approved", boss)) == apply.APPLIED
    assert counter_session.submit(CheckApproval()).value.status == "approved"
    assert counter_session.flow.current_id == "confirmation"  # the approval moved the session on

    # Another supervisor elsewhere rejected it too: the decision made first stays, the other is kept apart.
    assert _apply(vault, _decision(vault, req.request_id, "rejected", str(uuid.uuid4()))) == apply.CONFLICT
    conflict = vault.transact(lambda s: s.scalar(select(SyncConflict)))
    assert conflict.kind == "approval_decision" and conflict.object_id == req.request_id
    assert approvals.latest_request(vault, counter_session.user, counter_session.state.signoff.signoff_id).status == "approved"
    entries = [json.loads(r.meta)["action"] for r in vault.transact(
        lambda s: s.scalars(select(Outbox).where(Outbox.type == "audit.entry")).all())]
    assert "sync.conflict" in entries  # the conflict is a local event, sent like any other


def test_an_evidence_link_that_forks_the_chain_is_a_conflict(sale_waiting):
    from counterdesk.services.signoff import evidence
    vault, counter_session = sale_waiting
    sid = counter_session.submit(CheckApproval()).value.signoff_id
    seq, head = vault.transact(lambda s: evidence.head(s, sid))
    payload = evidence.canonical({"request_id": "r", "decision": "approved"})
    fork = {"signoff_id": sid, "seq": seq, "kind": "approval", "payload": payload, "prev_hash": head,
            "hash": evidence.link_hash(head, seq, "approval", payload), "created_at": outbox.now_iso()}
    assert _apply(vault, _record("evidence.link", "evidence_links", "insert", fork)) == apply.CONFLICT
    good = {**fork, "seq": seq + 1, "hash": evidence.link_hash(head, seq + 1, "approval", payload)}
    assert _apply(vault, _record("evidence.link", "evidence_links", "insert", good)) == apply.APPLIED
    assert vault.transact(evidence.verify_all).ok
