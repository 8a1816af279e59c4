"""Every record kind reaches the branch's other workstation through a real hub (in process, on
PostgreSQL): consents, screenings and their dispositions, AML ratings, prints, cooling-off
cancellations, follow-up tasks and calls. Each arrives as it was made, is applied once however often
it is delivered, is ledgered where it lands, and a record whose customer or sale has not arrived
waits in the inbox, without holding back the rest, until it has."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from counterdesk.flow.actions import CheckApproval, ChooseProduct, IssueConfirmation, Propose
from counterdesk.flow.counter_session import CounterSession
from counterdesk.services.auth import totp
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sanctions import disposition, screening
from counterdesk.services.signoff import approvals, cooling, document, follow_up_calls
from counterdesk.services.sync import apply
from counterdesk.services.sync.client import SyncClient
from counterdesk.store import ledger
from counterdesk.store.models.customers import AmlRating, Consent, Customer
from counterdesk.store.models.due_diligence import AmlReferral, FollowUpCall
from counterdesk.store.models.ledger import LedgerEntry
from counterdesk.store.models.sanctions import Screening
from counterdesk.store.models.signoff import ConfirmationPrint, CoolingOffCancellation, FollowUpTask, Signoff
from counterdesk.store.models.sync import PENDING, SENT, Inbox, Outbox, SyncConflict
from counterdesk.store.outbox import row_of
from helpers.branch_pair import enrolled_pair
from helpers.counter import (
    MIDDLE,
    SPECIMEN,
    YOUNG,
    assess,
    customer_signs,
    identify,
    kyc,
    questionnaire_answers,
)
from helpers.demo import AUTH_CLOCK, PASSWORDS, totp_code

HELD = "held"  # a test-only outbox state: the record reaches the hub later (as from a workstation offline)
LISTED = screening.ScreenedPerson(["刘建国"], date(1959, 11, 2), "CHN", ["110101195911020011"])
ANOTHER = replace(MIDDLE, id_number="110105198006060047")  # a third customer
DESIGNATED = replace(MIDDLE, id_number="110105198005050648")  # a fourth, found on a sanctions list


@pytest.fixture(scope="module")
def pair(hub, tmp_path_factory, demo_lists_template):
    """Workstations A and B of one branch, enrolled at the hub: [(vault, client)] * 2."""
    with pytest.MonkeyPatch.context() as patch:
        # The module's sign-ins check codes on the test authenticator's clock (conftest does it per test).
        patch.setattr(totp, "clock", AUTH_CLOCK)
        yield from _pair(hub, tmp_path_factory, demo_lists_template)


def _pair(hub, tmp_path_factory, demo_lists_template):
    with enrolled_pair(hub, lambda name: tmp_path_factory.mktemp(f"ws-{name}") / "data", demo_lists_template) as (_branch, opened):
        yield [(vault, client) for vault, _admin, client in opened]


def _sync(sender: SyncClient, receiver: SyncClient):
    pushed = sender.push_all()
    assert pushed.rejected == 0
    return receiver.pull_all()


def _hold(vault: Vault, *types: str) -> int:
    """Keep the pending records of ``types`` back from the next push."""
    return vault.transact(lambda s: s.execute(update(Outbox).where(Outbox.state == PENDING, Outbox.type.in_(types))
                                              .values(state=HELD)).rowcount)


def _release(vault: Vault) -> None:
    vault.transact(lambda s: s.execute(update(Outbox).where(Outbox.state == HELD).values(state=PENDING)))


def _rows(vault: Vault, model, *where, drop: tuple[str, ...] = ()) -> list[dict]:
    def read(s):
        return sorted(({k: v for k, v in row_of(r).items() if k not in drop}
                       for r in s.scalars(select(model).where(*where))), key=repr)
    return vault.transact(read)


def _outcomes(vault: Vault, *types: str) -> dict[str, list[str]]:
    def read(s):
        found: dict[str, list[str]] = {}
        for row in s.scalars(select(Inbox).where(Inbox.type.in_(types)).order_by(Inbox.seq)):
            found.setdefault(row.type, []).append(row.outcome)
        return found
    return vault.transact(read)


def _waiting(vault: Vault) -> list[tuple[str, str]]:
    return vault.transact(lambda s: [(r.type, r.apply_error) for r in s.scalars(
        select(Inbox).where(Inbox.applied_at.is_(None), Inbox.body.is_not(None)).order_by(Inbox.seq))])


def _delivered_again(vault: Vault, me: str, *types: str) -> set[str]:
    """Apply once more every record of ``types`` already received (a delivery repeated after a lost cursor)."""
    def work(s):
        return {apply.apply_one(s, row, me) for row in s.scalars(select(Inbox).where(
            Inbox.type.in_(types), Inbox.workstation_id != me))}
    return vault.transact(work)


def _pushed_again(vault: Vault, client: SyncClient) -> None:
    """Send every record once more (as after a lost receipt): the hub answers duplicate for each."""
    vault.transact(lambda s: s.execute(update(Outbox).where(Outbox.state == SENT).values(state=PENDING)))
    again = client.push_all()
    assert again.sent == 0 and again.duplicate > 0 and again.rejected == 0


def _ledgered(vault: Vault, table: str, key: str) -> list[str]:
    return vault.transact(lambda s: list(s.scalars(select(LedgerEntry.op).where(
        LedgerEntry.table_name == table, LedgerEntry.row_key == key).order_by(LedgerEntry.seq))))


def _new_customer(vault: Vault, doc) -> CounterSession:
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    counter_session = CounterSession(vault, teller)
    identify(counter_session, doc, kyc("1990-01-01" if doc is YOUNG else "1949-12-31"))
    return counter_session


def test_a_customers_consent_screening_and_rating_reach_the_other_workstation_once(pair):
    (va, ca), (vb, cb) = pair
    me_b = cb.credentials().workstation_id
    cid = _new_customer(va, YOUNG).state.customer_id
    pulled = _sync(ca, cb)
    assert pulled.failed == 0

    consent = _rows(va, Consent, Consent.customer_id == cid)
    screened = _rows(va, Screening, Screening.subject_ref == cid)
    rated = _rows(va, AmlRating, AmlRating.customer_id == cid, drop=("id",))
    assert len(consent) == 1 and consent[0]["granted"] and len(screened) == 1 and len(rated) == 1
    assert _rows(vb, Consent, Consent.customer_id == cid) == consent
    assert _rows(vb, Screening, Screening.subject_ref == cid) == screened
    assert _rows(vb, AmlRating, AmlRating.customer_id == cid, drop=("id",)) == rated
    outcomes = _outcomes(vb, "consent", "screening", "aml.rating")
    assert outcomes == {"consent": ["applied", "applied"], "screening": ["applied"], "aml.rating": ["applied"]}
    # Ledgered where they land, as the replicated rows of the older kinds are.
    assert _ledgered(vb, "consents", consent[0]["id"]) == ["insert", "update"]
    assert _ledgered(vb, "screenings", screened[0]["id"]) == ["insert"]
    assert vb.transact(ledger.verify).result.ok

    # Pushed twice, delivered twice: applied once.
    _pushed_again(va, ca)
    assert cb.pull_all().received == 0
    assert _delivered_again(vb, me_b, "consent", "screening", "aml.rating") == {apply.SKIPPED}
    assert _rows(vb, Consent, Consent.customer_id == cid) == consent
    assert len(_rows(vb, AmlRating, AmlRating.customer_id == cid)) == 1


def test_a_record_whose_customer_has_not_arrived_waits_and_applies_once_it_has(pair):
    (va, ca), (vb, cb) = pair
    _sync(ca, cb)
    cid = _new_customer(va, SPECIMEN).state.customer_id
    assert _hold(va, "customer.version") == 1
    pulled = _sync(ca, cb)
    waiting = dict(_waiting(vb))
    assert {"consent", "screening", "aml.rating"} <= set(waiting) and pulled.failed >= 3
    assert "customer" in waiting["screening"] and "has not arrived" in waiting["aml.rating"]
    assert _outcomes(vb, "consent")["consent"][-2:] == ["applied", "failed"]  # the grant is here; its link waits
    assert vb.transact(lambda s: s.get(Customer, cid)) is None
    # The rest of the branch's records still apply meanwhile: a screening of someone else, made after.
    other = screening.screen(va, va.sign_in("teller", PASSWORDS["teller"]),
                             screening.ScreenedPerson(["张三丰"]), "party-2")
    _sync(ca, cb)
    assert vb.transact(lambda s: s.get(Screening, other.screening_id)) is not None

    _release(va)
    _sync(ca, cb)
    assert _waiting(vb) == []
    assert _rows(vb, Consent, Consent.customer_id == cid) == _rows(va, Consent, Consent.customer_id == cid)
    assert _rows(vb, AmlRating, AmlRating.customer_id == cid, drop=("id",)) == \
        _rows(va, AmlRating, AmlRating.customer_id == cid, drop=("id",))
    assert len(_rows(vb, Screening, Screening.subject_ref == cid)) == 1


def test_a_disposition_made_at_the_other_workstation_comes_back_and_a_second_one_is_a_conflict(pair):
    (va, ca), (vb, cb) = pair
    teller_a = va.sign_in("teller", PASSWORDS["teller"])
    hit = screening.screen(va, teller_a, LISTED, "party-1")
    assert hit.status == "potential_hit"
    _sync(ca, cb)
    supervisor_b = vb.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    disposition.dispose(vb, supervisor_b, hit.screening_id, "confirmed_match", "identity_confirmed")
    assert _sync(cb, ca).failed == 0
    assert _rows(va, Screening, Screening.id == hit.screening_id) == _rows(vb, Screening,
                                                                            Screening.id == hit.screening_id)
    assert va.transact(lambda s: s.get(Screening, hit.screening_id).status) == "confirmed_match"

    # Decided on both workstations before either heard of the other: each records a conflict, and the
    # confirmed match wins over the clearance on both (safety first), whichever arrives where.
    second = screening.screen(va, teller_a, LISTED, "party-3")
    _sync(ca, cb)
    supervisor_a = va.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    disposition.dispose(va, supervisor_a, second.screening_id, "false_positive", "different_dob")
    disposition.dispose(vb, supervisor_b, second.screening_id, "confirmed_match", "identity_confirmed")
    _sync(ca, cb)
    _sync(cb, ca)
    assert va.transact(lambda s: s.get(Screening, second.screening_id).status) == "confirmed_match"
    assert vb.transact(lambda s: s.get(Screening, second.screening_id).status) == "confirmed_match"
    assert _rows(va, Screening, Screening.id == second.screening_id) == _rows(vb, Screening,
                                                                               Screening.id == second.screening_id)
    assert va.transact(ledger.verify).result.ok
    for vault in (va, vb):
        assert vault.transact(lambda s: [c.kind for c in s.scalars(select(SyncConflict).where(
            SyncConflict.object_id == second.screening_id))]) == ["screening_disposition"]


def test_a_sanctions_match_confirmed_on_one_workstation_stops_the_customer_on_the_other(pair):
    """AML Law Art 40: the confirmed screening is the flag; synced, it ends the customer's next session
    on the other workstation at identification, and that attempt is referred there."""
    (va, ca), (vb, cb) = pair
    on_a = CounterSession(va, va.sign_in("teller", PASSWORDS["teller"]))
    identify(on_a, DESIGNATED, kyc("1980-05-05"))
    cid = on_a.state.customer_id
    hit = screening.screen(va, va.sign_in("teller", PASSWORDS["teller"]), LISTED, cid)
    assert hit.status == "potential_hit"
    supervisor_a = va.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    disposition.dispose(va, supervisor_a, hit.screening_id, "confirmed_match", "identity_confirmed")
    assert _sync(ca, cb).failed == 0

    on_b = CounterSession(vb, vb.sign_in("teller", PASSWORDS["teller"]))
    out = on_b.submit(replace(DESIGNATED, copy=None))
    assert out.stop is not None and out.stop.code == "sanctions_designated", out
    # B holds A's referral of the confirmed match (synced) and its own of the attempt.
    assert sorted(vb.transact(lambda s: [r.reason_code for r in s.scalars(
        select(AmlReferral).where(AmlReferral.customer_id == cid))])) == ["sanctions_confirmed",
                                                                           "sanctions_designated_attempt"]


def _sold(vault: Vault, doc, birth: str) -> tuple[str, datetime]:
    """A private WM product sold and issued on ``vault`` (24 h cooling-off): (signoff id, end of the period)."""
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    counter_session = CounterSession(vault, teller)
    identify(counter_session, doc, kyc(birth))
    assess(counter_session, questionnaire_answers(3, "age_46_55"))
    proposal = counter_session.submit(Propose("400000", {"investable_assets": "9000000",
                                                         "household_financial_assets": "6000000"})).value
    code = next(c for c, d in proposal.decisions.items() if proposal.products[c].type == "private_wm"
                and d.outcome != "prohibited")
    assert counter_session.submit(ChooseProduct(code)).moved
    customer_signs(counter_session)
    if counter_session.flow.current_id == "approval":
        supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
        approvals.decide(vault, supervisor, counter_session.submit(CheckApproval()).value.request_id, approve=True)
        counter_session.submit()
    state = counter_session.submit(IssueConfirmation()).value
    for copy in document.COPIES:
        document.record_print(vault, teller, document.prepare_print(vault, teller, state.signoff_id, copy))
    return state.signoff_id, datetime.fromisoformat(state.cooling_off_until)


def test_prints_and_a_cancellation_made_at_another_counter_reach_both_workstations(pair):
    (va, ca), (vb, cb) = pair
    me_b = cb.credentials().workstation_id
    _sync(ca, cb)
    # The sale's own records reach the hub late: its prints wait for it at B.
    signoff_id, _until = _sold(va, MIDDLE, "1980-05-05")
    _hold(va, "signoff")
    _sync(ca, cb)
    assert [t for t, _e in _waiting(vb) if t == "signoff.print"] == ["signoff.print", "signoff.print"]
    _release(va)
    _sync(ca, cb)
    assert _waiting(vb) == []
    prints = _rows(va, ConfirmationPrint, ConfirmationPrint.signoff_id == signoff_id, drop=("id",))
    assert [p["copy"] for p in sorted(prints, key=lambda p: p["printed_at"])] and len(prints) == 2
    assert _rows(vb, ConfirmationPrint, ConfirmationPrint.signoff_id == signoff_id, drop=("id",)) == prints

    # The customer cancels within the period at counter B: the sale is cancelled at A too.
    teller_b = vb.sign_in("teller", PASSWORDS["teller"])
    cooling.cancel(vb, teller_b, signoff_id, "RF-2026-000321")
    assert _sync(cb, ca).failed == 0
    assert va.transact(lambda s: s.get(Signoff, signoff_id).status) == cooling.CANCELLED
    assert _rows(va, CoolingOffCancellation, CoolingOffCancellation.signoff_id == signoff_id) == \
        _rows(vb, CoolingOffCancellation, CoolingOffCancellation.signoff_id == signoff_id)
    assert _ledgered(va, "cooling_off_cancellations", signoff_id) == ["insert"]
    assert va.transact(ledger.verify).result.ok
    _pushed_again(vb, cb)
    assert _delivered_again(va, ca.credentials().workstation_id, "signoff.cooling_off") == {apply.SKIPPED}
    assert _delivered_again(vb, me_b, "signoff.print") == {apply.SKIPPED}
    assert len(_rows(vb, ConfirmationPrint, ConfirmationPrint.signoff_id == signoff_id)) == 2


def test_one_follow_up_task_everywhere_done_by_a_call_at_either_workstation(pair):
    (va, ca), (vb, cb) = pair
    me_a = ca.credentials().workstation_id
    _sync(ca, cb)
    signoff_id, until = _sold(va, MIDDLE, "1980-05-05")  # the same customer, returning for a second sale
    _sync(ca, cb)
    after = until + timedelta(hours=3)
    supervisor_a = va.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    supervisor_b = vb.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))

    # The customer is reached from counter B; the task record (made with the call) reaches the hub late.
    call_id = follow_up_calls.record_call(vb, supervisor_b, signoff_id, "reached_confirmed", "CALL-2026-0042",
                                          "客户确认知悉产品风险", now=after)
    assert _hold(vb, "follow_up.task") == 2  # made open, then done by the call
    _sync(cb, ca)
    assert [(t, e) for t, e in _waiting(va) if t == "follow_up.call"] == [
        ("follow_up.call", f"follow-up task {_task_id(vb, signoff_id)} has not arrived")]
    # Meanwhile A makes the sale's task itself when the period ends: the same task (one id everywhere).
    [task_a] = [t for t in cooling.follow_up_tasks(va, supervisor_a, now=after) if t.signoff_id == signoff_id]
    assert _task_id(va, signoff_id) == _task_id(vb, signoff_id)
    _sync(ca, cb)
    assert _outcomes(vb, "follow_up.task")["follow_up.task"] == [apply.SKIPPED]  # B's is done already
    _sync(cb, ca)
    assert _waiting(va) == [] and va.transact(lambda s: s.get(FollowUpCall, call_id)) is not None
    assert va.transact(lambda s: s.get(FollowUpTask, task_a.task_id).status) == "open"

    _release(vb)
    _sync(cb, ca)
    assert _rows(va, FollowUpTask, FollowUpTask.signoff_id == signoff_id) == \
        _rows(vb, FollowUpTask, FollowUpTask.signoff_id == signoff_id)
    assert _rows(va, FollowUpCall, FollowUpCall.id == call_id) == _rows(vb, FollowUpCall, FollowUpCall.id == call_id)
    assert signoff_id not in {t.signoff_id for t in cooling.follow_up_tasks(va, supervisor_a,
                                                                             now=after + timedelta(hours=1))}
    _pushed_again(vb, cb)
    assert _delivered_again(va, me_a, "follow_up.task", "follow_up.call") == {apply.SKIPPED}
    assert len(_rows(va, FollowUpCall, FollowUpCall.signoff_id == signoff_id)) == 1
    assert _ledgered(va, "follow_up_tasks", task_a.task_id) == ["insert", "update"]
    assert va.transact(ledger.verify).result.ok


def _task_id(vault: Vault, signoff_id: str) -> str | None:
    return vault.transact(lambda s: s.scalar(select(FollowUpTask.id).where(FollowUpTask.signoff_id == signoff_id)))


def test_a_cancellation_that_arrives_before_its_sale_waits_for_it(pair):
    (va, ca), (vb, cb) = pair
    _sync(ca, cb)
    signoff_id, _until = _sold(va, ANOTHER, "1980-06-06")
    cooling.cancel(va, va.sign_in("teller", PASSWORDS["teller"]), signoff_id, "RF-2026-000777")
    _hold(va, "signoff")
    _sync(ca, cb)
    waiting = _waiting(vb)
    assert ("signoff.cooling_off", f"the completed signoff {signoff_id} has not arrived") in waiting
    assert vb.transact(lambda s: s.get(CoolingOffCancellation, signoff_id)) is None
    _release(va)
    _sync(ca, cb)
    assert _waiting(vb) == []
    assert vb.transact(lambda s: s.get(Signoff, signoff_id).status) == cooling.CANCELLED
    assert _rows(vb, CoolingOffCancellation, CoolingOffCancellation.signoff_id == signoff_id) == \
        _rows(va, CoolingOffCancellation, CoolingOffCancellation.signoff_id == signoff_id)
    assert _outcomes(vb, "signoff.cooling_off")["signoff.cooling_off"][-1] == apply.APPLIED
