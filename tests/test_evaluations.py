"""The customer's evaluation at the counter, in the core, on a real demo store: what may be stored
(1-5 stars chosen, reasons from the list, a short comment, NPS only when asked), that only the customer
screen is a source, that a teller never reads an individual rating back (no rows, no small groups, no
score in the audit log), the NPS question every N-th session, and the outbox record."""
from __future__ import annotations

import json
import shutil
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from counterdesk.base import settings as S
from counterdesk.base.branchtime import branch_day
from counterdesk.base.roles import PermissionDenied
from counterdesk.flow.counter_session import CounterSession
from counterdesk.services import verification
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import counter_sessions, data_rights
from counterdesk.services.evaluations import capture, stats
from counterdesk.services.evaluations.capture import EvaluationError, Rating
from counterdesk.services.evaluations.codes import COMMENT_MAX, CUSTOMER_SCREEN
from counterdesk.services.retention import job
from counterdesk.services.sync import apply
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.evaluations import CustomerEvaluation
from counterdesk.store.models.ledger import LedgerEntry
from counterdesk.store.models.sync import Inbox, Outbox
from helpers.counter import MIDDLE, identify, kyc
from helpers.demo import sign_in

COMMENT = "柜员讲解很耐心，电话 13912345678"


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


user = sign_in  # a demo user signed in with the password and, where set, the authenticator code


@pytest.fixture
def teller(vault):
    return user(vault, "teller")


@pytest.fixture
def supervisor(vault):
    return user(vault, "supervisor")


def completed(vault, teller) -> str:
    sid = counter_sessions.open_session(vault, teller)
    counter_sessions.complete_session(vault, teller, sid)
    return sid


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(EvaluationError) as err:
        fn(*args, **kwargs)
    return err.value.code


def test_only_a_chosen_rating_from_the_lists_is_stored(vault, teller):
    sid = completed(vault, teller)
    submit = capture.submit
    assert refused(submit, vault, teller, sid, Rating(None), CUSTOMER_SCREEN) == "stars_required"  # nothing preset
    for bad in (0, 6, True, "5"):
        assert refused(submit, vault, teller, sid, Rating(bad), CUSTOMER_SCREEN) == "stars_required"
    assert refused(submit, vault, teller, sid, Rating(4, ("attitude", "bribe")), CUSTOMER_SCREEN) == "reason_unknown"
    assert refused(submit, vault, teller, sid, Rating(4, comment="x" * (COMMENT_MAX + 1)),
                   CUSTOMER_SCREEN) == "comment_too_long"
    assert refused(submit, vault, teller, sid, Rating(4, nps=9), CUSTOMER_SCREEN) == "nps_not_asked"
    eid = submit(vault, teller, sid, Rating(4, ("efficiency", "attitude", "attitude"), f"  {COMMENT} "),
                 CUSTOMER_SCREEN)
    row = vault.transact(lambda db: db.get(CustomerEvaluation, eid))
    assert (row.session_id, row.teller_id, row.source, row.status, row.stars, row.reasons, row.comment) == (
        sid, teller.user_id, CUSTOMER_SCREEN, "submitted", 4, "attitude,efficiency", COMMENT)
    # once per session; the teller learns only that it was submitted
    assert refused(submit, vault, teller, sid, Rating(5), CUSTOMER_SCREEN) == "evaluation_exists"
    assert capture.outcome(vault, teller, sid) == "submitted"


def test_the_teller_cannot_submit_in_the_customers_place(vault, teller, supervisor):
    sid = completed(vault, teller)
    for source in ("teller_screen", "teller", ""):
        assert refused(capture.submit, vault, teller, sid, Rating(5), source) == "not_customer_screen"
        assert refused(capture.skip, vault, teller, sid, source) == "not_customer_screen"
    # not for an open session, another teller's session, or long after the customer left
    open_sid = counter_sessions.open_session(vault, teller)
    assert refused(capture.invitation, vault, teller, open_sid) == "session_not_completed"
    with pytest.raises(PermissionDenied):
        capture.submit(vault, supervisor, sid, Rating(5), CUSTOMER_SCREEN)  # supervisors do not run sessions
    later = datetime.now(UTC) + timedelta(hours=2)
    assert refused(capture.submit, vault, teller, sid, Rating(5), CUSTOMER_SCREEN, now=later) == "evaluation_too_late"
    assert vault.transact(lambda db: db.scalars(select(CustomerEvaluation)).all()) == []
    capture.skip(vault, teller, sid, CUSTOMER_SCREEN)
    assert capture.outcome(vault, teller, sid) == "skipped"
    assert refused(capture.submit, vault, teller, sid, Rating(5), CUSTOMER_SCREEN) == "evaluation_exists"


def test_audit_and_outbox_carry_ids_and_codes_only(vault, teller):
    sid = completed(vault, teller)
    eid = capture.submit(vault, teller, sid, Rating(2, ("waiting_time",), COMMENT), CUSTOMER_SCREEN)

    def read(db):
        audits = [(a.action, a.object_id, json.loads(a.details)) for a in db.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "evaluation"))]
        outs = [(o.type, json.loads(o.meta)) for o in db.scalars(select(Outbox).where(Outbox.type == "evaluation"))]
        return audits, outs
    audits, outs = vault.transact(read)
    assert audits == [("evaluation.submitted", eid, {"session_id": sid, "source": CUSTOMER_SCREEN})]
    assert outs == [("evaluation", {"evaluation_id": eid, "session_id": sid, "status": "submitted"})]
    everything = json.dumps(audits + outs, ensure_ascii=False)
    assert "13912345678" not in everything and "waiting_time" not in everything
    # the row is in the records ledger: verify finds every chain intact
    assert vault.transact(lambda db: db.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.table_name == "customer_evaluations"))) == 1
    assert [c.name for c in verification.verify(vault, user(vault, "auditor")).failed] == []


def test_the_nps_question_comes_every_nth_session(vault, teller):
    vault.set_setting(user(vault, "admin"), S.EVALUATION_NPS_EVERY.key, 3)
    asked = []
    for _ in range(6):
        sid = completed(vault, teller)
        asked.append(capture.invitation(vault, teller, sid).ask_nps)
        if asked[-1]:
            assert refused(capture.submit, vault, teller, sid, Rating(5, nps=11), CUSTOMER_SCREEN) == "nps_range"
            capture.submit(vault, teller, sid, Rating(5, nps=10), CUSTOMER_SCREEN)
        else:
            capture.skip(vault, teller, sid, CUSTOMER_SCREEN)
    assert asked == [False, False, True, False, False, True]
    rows = vault.transact(lambda db: [(r.nps_asked, r.nps) for r in db.scalars(
        select(CustomerEvaluation).order_by(CustomerEvaluation.created_at))])
    assert rows == [(False, None), (False, None), (True, 10), (False, None), (False, None), (True, 10)]


def test_tellers_get_no_rows_and_groups_below_the_minimum_are_withheld(vault, teller, supervisor):
    today = branch_day(datetime.now(UTC))
    for stars in (5, 4, 4):
        capture.submit(vault, teller, completed(vault, teller), Rating(stars), CUSTOMER_SCREEN)
    with pytest.raises(PermissionDenied) as no_rows:
        stats.rows(vault, teller, today, today)
    assert no_rows.value.code == "evaluation_rows_refused"
    assert [r.stars for r in stats.rows(vault, supervisor, today, today)] == [5, 4, 4]
    # 3 ratings < the minimum of 5: counted, but no mean or distribution for anyone
    groups = stats.aggregates(vault, supervisor, today, today, "day")
    assert [(g.teller_id, g.count, g.shown, g.mean, g.distribution) for g in groups] == [
        (None, 3, False, None, {}), (teller.user_id, 3, False, None, {})]
    for stars in (1, 5):
        capture.submit(vault, teller, completed(vault, teller), Rating(stars), CUSTOMER_SCREEN)
    capture.skip(vault, teller, completed(vault, teller), CUSTOMER_SCREEN)
    mine = stats.aggregates(vault, teller, today, today, "month")
    assert len(mine) == 1
    g = mine[0]
    assert (g.period, g.teller_id, g.count, g.shown, g.mean, g.skipped) == (
        today.replace(day=1).isoformat(), teller.user_id, 5, True, 3.8, 1)
    assert g.distribution == {1: 1, 2: 0, 3: 0, 4: 2, 5: 2}
    assert g.nps is None  # nobody was asked yet
    with pytest.raises(PermissionDenied):
        stats.aggregates(vault, teller, today, today, teller_id=supervisor.user_id)
    # a period without ratings has no group at all
    assert stats.aggregates(vault, supervisor, date(2020, 1, 1), date(2020, 1, 31)) == []


def _carry(source: Vault, target: Vault, types: tuple[str, ...]) -> list[str]:
    """Hand ``source``'s outbox records of ``types`` to ``target`` as if pulled from the hub (each time
    as a new inbox record, as a second delivery would be); returns the outcomes."""
    rows = source.transact(lambda db: [(r.type, r.meta, r.body, r.created_at) for r in db.scalars(
        select(Outbox).where(Outbox.type.in_(types)).order_by(Outbox.local_seq))])

    def work(db):
        seq = db.scalar(select(func.max(Inbox.seq))) or 0
        outcomes = []
        for rtype, meta, body, created in rows:
            seq += 1
            rec = Inbox(id=str(uuid.uuid4()), seq=seq, type=rtype, workstation_id="ws-a", created_at=created,
                        meta=meta, body=body, received_at=created)
            db.add(rec)
            db.flush()
            outcomes.append(apply.apply_one(db, rec, "ws-b"))
        return outcomes
    return target.transact(work)


def test_an_evaluation_is_applied_once_on_another_workstation(vault, teller, tmp_path, demo_lists_template):
    second_dir = tmp_path / "second"
    shutil.copytree(demo_lists_template, second_dir)
    other = Vault.open(second_dir)
    try:
        user(other, "teller")  # the second workstation is open, signed in
        sid = completed(vault, teller)
        eid = capture.submit(vault, teller, sid, Rating(5, ("attitude",), COMMENT), CUSTOMER_SCREEN)
        assert _carry(vault, other, ("evaluation",)) == [apply.FAILED]  # its session has not arrived yet
        assert _carry(vault, other, ("counter_session", "evaluation")) == [apply.APPLIED, apply.APPLIED,
                                                                           apply.APPLIED]
        assert _carry(vault, other, ("evaluation",)) == [apply.SKIPPED]  # delivered again: nothing changes
        row = other.transact(lambda db: db.get(CustomerEvaluation, eid))
        assert (row.session_id, row.stars, row.reasons, row.comment) == (sid, 5, "attitude", COMMENT)
    finally:
        other.close()


def test_a_session_without_a_sale_is_rated_only_when_the_customer_was_served(vault, teller):
    declined = counter_sessions.open_session(vault, teller)
    counter_sessions.stop_session(vault, teller, declined, "cancelled:customer_declined")
    assert capture.invitation(vault, teller, declined).session_id == declined
    for code in ("cancelled:customer_left", "cancelled:wrong_customer", "screening_hold", "consent_refused"):
        sid = counter_sessions.open_session(vault, teller)
        counter_sessions.stop_session(vault, teller, sid, code)
        assert refused(capture.skip, vault, teller, sid, CUSTOMER_SCREEN) == "session_not_completed", code


def test_the_nps_figure_needs_the_minimum_of_answers_too(vault, teller, supervisor):
    admin = user(vault, "admin")
    vault.set_setting(admin, S.EVALUATION_NPS_EVERY.key, 1)
    vault.set_setting(admin, S.EVALUATION_MIN_COUNT.key, 3)
    assert not S.EVALUATION_MIN_COUNT.validate(1).ok and S.EVALUATION_NPS_EVERY.source
    today = branch_day(datetime.now(UTC))
    for stars, nps in ((5, 10), (4, 9)):
        capture.submit(vault, teller, completed(vault, teller), Rating(stars, nps=nps), CUSTOMER_SCREEN)
    capture.submit(vault, teller, completed(vault, teller), Rating(3), CUSTOMER_SCREEN)  # the question is optional
    branch = stats.aggregates(vault, supervisor, today, today, "week")[0]
    assert (branch.teller_id, branch.count, branch.shown, branch.mean, branch.nps, branch.nps_count) == (
        None, 3, True, 4.0, None, 2)
    capture.submit(vault, teller, completed(vault, teller), Rating(2, nps=3), CUSTOMER_SCREEN)
    branch = stats.aggregates(vault, supervisor, today, today, "week")[0]
    assert (branch.count, branch.nps, branch.nps_count) == (4, 33.3, 3)  # (2 promoters − 1 detractor) / 3


def test_the_retention_job_purges_a_customers_evaluations_with_their_sessions(vault, teller):
    counter_session = CounterSession(vault, teller)
    identify(counter_session, MIDDLE, kyc("1980-05-05"))
    customer_id = counter_session.state.customer_id
    counter_session.cancel("customer_declined")
    capture.submit(vault, teller, counter_session.session_id, Rating(5, comment=COMMENT), CUSTOMER_SCREEN)
    assert vault.transact(lambda db: job.rows_of(db.connection(), customer_id))["customer_evaluations"] == 1
    data_rights.restrict(vault, user(vault, "supervisor"), customer_id)  # the deletion request starts the period
    later = date.today() + timedelta(days=365 * 11)
    assert len(job.run(vault, user(vault, "admin"), dry_run=False, today=later).tombstones) == 1
    assert vault.transact(lambda db: (job.rows_of(db.connection(), customer_id),
                                      db.scalars(select(CustomerEvaluation)).all())) == ({}, [])
    assert [c.name for c in verification.verify(vault, user(vault, "auditor")).failed] == []
