"""The outbox: written in the same transaction as each syncable change, one record per event, with
allow-listed meta and no personal data outside the encrypted body."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from counterdesk.flow.actions import IssueConfirmation, PreparePrint, RecordPrint
from counterdesk.hub.record_types import RECORD_TYPES
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import counter_sessions
from counterdesk.services.signoff import approvals
from counterdesk.store import outbox
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.customers import CustomerVersion
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.signoff import ApprovalRequest, EvidenceLink, Signoff
from counterdesk.store.models.sync import Outbox
from helpers.counter import YOUNG, at_recommendation, choose, customer_signs, kyc
from helpers.demo import PASSWORDS, totp_code

META_TEXT = re.compile(r"^[A-Za-z0-9_.:+-]*$")


def _outbox(vault) -> list[dict]:
    return vault.transact(lambda s: [
        {"id": r.id, "type": r.type, "meta": json.loads(r.meta), "body": json.loads(r.body), "state": r.state}
        for r in s.scalars(select(Outbox).order_by(Outbox.local_seq))])


def _count(vault, model) -> int:
    return vault.transact(lambda s: s.scalar(select(func.count()).select_from(model)))


def test_the_outbox_row_commits_with_the_change_and_rolls_back_with_it(demo_vault, sign_in):
    teller = sign_in("teller")
    before = len(_outbox(demo_vault))
    sid = counter_sessions.open_session(demo_vault, teller)
    rows = _outbox(demo_vault)[before:]
    assert [r["type"] for r in rows] == ["counter_session", "audit.entry"]
    assert rows[0]["id"] == sid and rows[0]["meta"] == {"session_id": sid, "status": "open"}
    assert rows[0]["body"]["row"]["teller_id"] == teller.user_id
    assert rows[1]["meta"] == {"seq": rows[1]["body"]["row"]["seq"], "action": "session.opened"}

    def failing(db):
        counter_sessions.stop_in(db, teller, counter_sessions.load_open(db, teller, sid), "customer_left")
        db.flush()
        assert db.scalar(select(func.count()).select_from(Outbox)) == before + 4  # written, not committed
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        demo_vault.transact(failing)
    assert len(_outbox(demo_vault)) == before + 2
    assert counter_sessions.get_session(demo_vault, teller, sid).status == "open"

    counter_sessions.stop_session(demo_vault, teller, sid, "customer_left")
    rows = _outbox(demo_vault)[before + 2:]
    assert [r["type"] for r in rows] == ["counter_session", "audit.entry"]
    assert rows[0]["meta"] == {"session_id": sid, "status": "stopped"} and rows[0]["id"] != sid
    assert rows[0]["id"] == outbox.derived_id(None, f"counter_session|{sid}|stopped|None")
    assert all(r["state"] == "pending" for r in _outbox(demo_vault))


def test_a_database_without_the_outbox_table_is_left_alone(tmp_path):
    """The listener is global but only acts on the workstation store (SQLCipher with an outbox)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from counterdesk.base.actors import Actor
    from counterdesk.store import audit
    from counterdesk.store.models.core import Base
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    Base.metadata.tables["audit_log"].create(engine)
    with Session(engine) as session, session.begin():
        audit.append(session, Actor(None, "x", "ws"), "probe")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar() == 1
    engine.dispose()


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def test_a_full_sale_with_approval_enqueues_one_record_per_event_with_clean_meta(vault):
    vault.sign_in("auditor", PASSWORDS["auditor"])
    start = len(_outbox(vault))
    counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
    choose(counter_session, "DM-WM-EQ", own=True)
    customer_signs(counter_session)
    assert counter_session.flow.current_id == "approval"
    supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    request = approvals.pending_requests(vault, supervisor)[0]
    approvals.decide(vault, supervisor, request.request_id, approve=True)
    assert counter_session.submit().moved and counter_session.flow.current_id == "confirmation"
    state = counter_session.submit(IssueConfirmation()).value
    assert state.status == "completed"
    for copy in ("customer", "branch"):
        counter_session.submit(RecordPrint(counter_session.submit(PreparePrint(copy)).value))
    counter_session.submit()
    counter_session.finish()

    rows = _outbox(vault)
    new = rows[start:]
    types = Counter(r["type"] for r in new)

    # Exactly one record per appended row (every audit entry of the installation has its record) ...
    assert sum(r["type"] == "audit.entry" for r in rows) == _count(vault, AuditEntry)
    assert types["evidence.link"] == _count(vault, EvidenceLink)
    assert types["customer.version"] == _count(vault, CustomerVersion) == 1
    assert types["sale_decision"] == _count(vault, SaleDecision)
    assert types["signoff.approval_request"] == _count(vault, ApprovalRequest) == 1
    assert types["signoff.approval_decision"] == 1
    assert types["assessment"] >= 1
    # ... and one per state a mutable row went through, each a distinct record.
    signoff_states = [r["meta"]["status"] for r in new if r["type"] == "signoff"]
    assert signoff_states == ["collecting", "pending_approval", "approved", "completed"]
    session_states = [r["meta"]["status"] for r in new if r["type"] == "counter_session"]
    assert session_states[0] == "open" and session_states[-1] == "completed"
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["id"] for r in new if r["type"] == "signoff"} >= {state.signoff_id}
    assert _count(vault, Signoff) == 1

    # Meta: only the hub's allow-list, only ids, codes and numbers.
    pii = ("张晓梅", "110105199001010029", "13812345678", "建国路", "某某研究所", "1990-01-01", "100000")
    for r in new:
        assert set(r["meta"]) <= RECORD_TYPES[r["type"]], r["type"]
        assert set(r["meta"]) == set(outbox.META_KEYS[r["type"]]), r["type"]
        for value in r["meta"].values():
            assert isinstance(value, int) or (isinstance(value, str) and META_TEXT.match(value) and len(value) <= 64)
        text = json.dumps(r["meta"], ensure_ascii=False)
        assert not any(p in text for p in pii), r
    # The body holds the row (inside the encrypted database only).
    version = next(r for r in new if r["type"] == "customer.version")
    assert json.loads(version["body"]["row"]["data"])["name_zh"] == kyc("1990-01-01")["name_zh"]
    assert version["body"]["base_hash"] is None and version["body"]["customer"]["id"] == version["meta"]["customer_id"]
    decision = next(r for r in new if r["type"] == "signoff.approval_decision")
    assert decision["meta"]["status"] == "approved"
    assert {u["id"] for u in decision["body"]["deps"]["users"]} == {counter_session.user.user_id, supervisor.user_id}
    completed = [r for r in new if r["type"] == "signoff"][-1]
    assert completed["body"]["row"]["pdf"]["$b64"]  # bytes travel as base64 inside the body


def test_a_customer_change_names_the_version_it_was_based_on(vault):
    from counterdesk.services.customers import repository
    counter_session = at_recommendation(vault)
    cid = counter_session.state.customer_id or vault.transact(lambda s: s.scalar(select(CustomerVersion.customer_id)))
    repository.update_customer(vault, counter_session.user, cid, {"phone": "13900001111"}, "moved")
    versions = [r for r in _outbox(vault) if r["type"] == "customer.version"]
    assert [r["meta"]["version"] for r in versions] == [1, 2]
    assert versions[1]["body"]["base_hash"] == versions[0]["body"]["version_hash"]
    assert "13900001111" not in json.dumps([r["meta"] for r in versions])


def test_backfill_enqueues_rows_from_before_the_outbox_once(vault):
    """An installation that had data before sync: every row gets its record, once, parents first."""
    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    customer_signs(counter_session)
    counter_session.submit()
    counter_session.submit(IssueConfirmation()).value
    before = _outbox(vault)

    def forget(db):  # as if the rows predated migration 0010
        db.execute(Outbox.__table__.delete())
        return outbox.backfill(db)
    added = vault.transact(forget)
    rows = _outbox(vault)
    assert added == len(rows) > 0
    types = Counter(r["type"] for r in rows)
    assert types["audit.entry"] == _count(vault, AuditEntry)
    assert types["evidence.link"] == _count(vault, EvidenceLink)
    assert types["signoff"] == _count(vault, Signoff) == 1
    assert types["customer.version"] == 1 and types["sale_decision"] == 1
    assert types["counter_session"] == 1 and types["assessment"] == 1
    order = [outbox.RANK[r["type"]] for r in rows]
    assert order == sorted(order)
    assert {r["meta"]["status"] for r in rows if r["type"] == "signoff"} == {"completed"}
    assert vault.transact(outbox.backfill) == 0
    assert len(before) > len(rows)  # the live outbox had one record per state; backfill one per row
