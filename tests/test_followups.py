"""The follow-up list (counterdesk.services.followups): post-sale calls from the follow-up tasks, an
older customer's extra follow-up after a high-risk sale (domain-rules §5), expiring risk assessments and
maturing products, each window edge; outcomes that close an item (audited, the note never in the log);
and the core's refusals: no contact during a cooling-off period, not the seller, not another branch's
item, not a restricted customer."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from counterdesk.base.assessment_validity import stored_last_valid_day
from counterdesk.base.branchtime import BRANCH_TZ, branch_day
from counterdesk.base.follow_up_codes import FollowUpError
from counterdesk.base.roles import PermissionDenied
from counterdesk.flow.actions import CheckApproval, ChooseProduct, IssueConfirmation, Propose
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.data_rights import CustomerRestricted, restrict
from counterdesk.services.followups import queue
from counterdesk.services.followups.outcomes import record_outcome
from counterdesk.services.reports.today import today
from counterdesk.services.signoff import approvals, cooling
from counterdesk.services.signoff.common import SignoffError
from counterdesk.store import ledger
from counterdesk.store.models.assessment import Assessment
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.signoff import Signoff
from helpers.counter import MIDDLE, YOUNG, at_recommendation, customer_signs
from helpers.demo import PASSWORDS, totp_code

ASSETS = {"investable_assets": "9000000", "household_financial_assets": "6000000"}


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


@pytest.fixture
def supervisor(vault):
    return vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))


def sell(vault, supervisor, pick, amount="400000", **customer):
    """A sale issued to a new customer; ``pick`` is a product code or a test on the product."""
    counter_session = at_recommendation(vault, **customer)
    proposal = counter_session.submit(Propose(amount, ASSETS)).value
    code = pick if isinstance(pick, str) else next(
        c for c, d in proposal.decisions.items() if pick(proposal.products[c]) and d.outcome != "prohibited")
    assert counter_session.submit(ChooseProduct(code)).moved
    customer_signs(counter_session)
    if counter_session.flow.current_id == "approval":
        approvals.decide(vault, supervisor, counter_session.submit(CheckApproval()).value.request_id, approve=True)
        counter_session.submit()
    state = counter_session.submit(IssueConfirmation()).value
    row = vault.transact(lambda db: db.get(Signoff, state.signoff_id))
    return counter_session.user, row


def at_day(day: date, hour: int = 10) -> datetime:
    """A moment on the branch day ``day`` (Beijing time)."""
    return datetime.combine(day, time(hour), BRANCH_TZ).astimezone(UTC)


def sale_day(row: Signoff) -> date:
    return branch_day(datetime.fromisoformat(row.completed_at))


def items(vault, us, moment, kind=None, **kw):
    return [i for i in queue.follow_ups(vault, us, now=moment, **kw) if kind in (None, i.kind)]


def only(vault, us, moment, kind):
    found = items(vault, us, moment, kind)
    assert len(found) == 1, found
    return found[0]


def test_post_sale_call_comes_from_the_task_and_an_outcome_closes_it(vault, supervisor):
    seller, sale = sell(vault, supervisor, lambda p: p.type == "private_wm", doc=MIDDLE, option=3,
                        age_answer="age_46_55", birth="1980-05-05")
    until = datetime.fromisoformat(sale.cooling_off_until)
    assert items(vault, supervisor, until - timedelta(hours=1), "post_sale_call") == []  # no task yet
    after = until + timedelta(hours=1)
    item = only(vault, supervisor, after, "post_sale_call")
    due = branch_day(until + timedelta(days=vault.settings()["signoff.followup_due_days"]))
    assert (item.due_on, item.state, item.signoff_id, item.customer_masked) == (due.isoformat(), "due", sale.id, "张**")
    assert item.can_record and item.reference == sale.document_number
    # The seller's own view: the item is in their book, but a visit of their own sale is not theirs to make.
    mine = only(vault, seller, after, "post_sale_call")
    assert mine.blocked == "seller" and not mine.can_record
    assert [i.key for i in items(vault, seller, after, teller_id=seller.user_id)] == [item.key]
    with pytest.raises(FollowUpError) as by_seller:
        record_outcome(vault, seller, "post_sale_call", item.source_id, "reached", "phone", "", "CALL-0001", now=after)
    assert by_seller.value.code == "seller_follow_up"
    # Due on its day, overdue the day after; the home strip counts it for the seller from the same list.
    assert only(vault, supervisor, at_day(due, 23), "post_sale_call").state == "due"
    late = at_day(due + timedelta(days=1), 9)
    assert only(vault, supervisor, late, "post_sale_call").state == "overdue"
    assert today(vault, seller, now=late).follow_ups_due == 1
    assert today(vault, seller, now=at_day(due - timedelta(days=1))).follow_ups_due == 0

    # Not reached: kept, the item stays (one attempt); a reached call names its recording (art 35).
    record_outcome(vault, supervisor, "post_sale_call", item.source_id, "not_reached", "phone", now=late)
    assert only(vault, supervisor, late, "post_sale_call").attempts == 1
    with pytest.raises(SignoffError) as no_recording:
        record_outcome(vault, supervisor, "post_sale_call", item.source_id, "reached", "phone", now=late)
    assert no_recording.value.code == "recording_ref"
    note = "客户张晓梅确认已知悉产品风险，电话 13812345678"
    late += timedelta(minutes=30)
    done_id = record_outcome(vault, supervisor, "post_sale_call", item.source_id, "reached", "phone", note,
                             "CALL-2026-0002", now=late)
    assert items(vault, supervisor, late, "post_sale_call") == []
    closed = [i for i in queue.follow_ups(vault, supervisor, now=late, include_done=True)
              if i.kind == "post_sale_call"]
    assert [(i.state, i.outcome, i.attempts) for i in closed] == [("done", "reached", 2)]
    assert cooling.follow_up_tasks(vault, supervisor, now=late) == []  # the task is done too
    history = queue.outcomes(vault, supervisor, "post_sale_call", item.source_id)
    assert [(h.outcome, h.channel, h.recorded_by, h.note) for h in history][-1] == (
        "reached", "phone", supervisor.user_id, note)
    with pytest.raises(FollowUpError) as again:
        record_outcome(vault, supervisor, "post_sale_call", item.source_id, "reached", "phone", "", "CALL-3",
                       now=late)
    assert again.value.code == "follow_up_done"

    def check(db):
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "follow_up.outcome",
                                                   AuditEntry.object_id == done_id))
        assert json.loads(entry.details) == {"kind": "post_sale_call", "outcome": "reached", "channel": "phone",
                                             "signoff_id": sale.id}
        assert entry.actor_id == supervisor.user_id
        every = " ".join(e.details for e in db.scalars(select(AuditEntry)))
        assert "张晓梅" not in every and "13812345678" not in every  # the note stays out of the log
        assert ledger.verify(db).ok
    vault.transact(check)


def test_elderly_extra_follow_up_waits_for_the_cooling_off_period(vault, supervisor):
    """A customer of 76 buying an R4 private product: special care at the sale, so an extra follow-up;
    nobody may contact the customer during the cooling-off period (the after-sale page's refusal)."""
    seller, sale = sell(vault, supervisor, lambda p: p.type == "private_wm" and p.risk_level == "R4", option=3)
    assert json.loads(sale.plan)["elderly_care"]
    until = datetime.fromisoformat(sale.cooling_off_until)
    during = until - timedelta(hours=2)
    item = only(vault, supervisor, during, "elderly_extra")
    days = vault.settings()["followups.elderly_extra_days"]
    due = branch_day(until) + timedelta(days=days)
    assert (item.due_on, item.state, item.blocked, item.blocked_until) == (
        due.isoformat(), "due", "cooling_off", sale.cooling_off_until)
    for who, code in ((seller, "cooling_off_sales_contact"), (supervisor, "cooling_off_not_over")):
        with pytest.raises(SignoffError) as refused:
            record_outcome(vault, who, "elderly_extra", sale.id, "reached", "branch_visit", now=during)
        assert refused.value.code == code
    assert queue.outcomes(vault, supervisor, "elderly_extra", sale.id) == []
    # After the period: the seller still may not (a return visit), someone else may.
    after = until + timedelta(minutes=5)
    assert only(vault, seller, after, "elderly_extra").blocked == "seller"
    assert only(vault, supervisor, at_day(due), "elderly_extra").state == "due"
    assert only(vault, supervisor, at_day(due + timedelta(days=1)), "elderly_extra").state == "overdue"
    record_outcome(vault, supervisor, "elderly_extra", sale.id, "declined", "branch_visit", now=after)
    assert items(vault, supervisor, after, "elderly_extra") == []


def test_no_extra_follow_up_for_an_ordinary_sale(vault, supervisor):
    _seller, sale = sell(vault, supervisor, "DM-WM-F90", amount="100000")
    assert not json.loads(sale.plan)["elderly_care"]
    assert items(vault, supervisor, datetime.now(UTC) + timedelta(days=20), "elderly_extra") == []


def test_a_product_matures_on_the_sale_day_plus_its_term_within_the_window(vault, supervisor):
    seller, sale = sell(vault, supervisor, "DM-WM-F90", amount="100000")  # 90 days, no cooling-off
    matures = sale_day(sale) + timedelta(days=90)
    window = vault.settings()["followups.maturity_window_days"]
    assert items(vault, seller, at_day(matures - timedelta(days=window + 1)), "product_maturing") == []
    item = only(vault, seller, at_day(matures - timedelta(days=window)), "product_maturing")
    assert (item.due_on, item.state, item.due_soon, item.product_code) == (
        matures.isoformat(), "due", False, "DM-WM-F90")
    assert only(vault, seller, at_day(matures), "product_maturing").due_soon
    late = at_day(matures + timedelta(days=1))
    assert only(vault, seller, late, "product_maturing").state == "overdue"
    # Not a return visit of the sale: the seller may call about the maturity.
    record_outcome(vault, seller, "product_maturing", sale.id, "wrong_contact", "phone", "号码已停机", now=late)
    assert items(vault, seller, late, "product_maturing") == []


def test_an_assessment_expiring_within_the_window(vault, supervisor):
    at_recommendation(vault, doc=YOUNG, birth="1990-01-01", age_answer="age_31_45")
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    row = vault.transact(lambda db: db.scalars(select(Assessment).where(Assessment.status == "completed")).one())
    last = stored_last_valid_day(row.completed_at, row.valid_until, vault.settings()["assessment.validity_months"])
    window = vault.settings()["followups.assessment_window_days"]
    assert window == 30 and items(vault, teller, at_day(last - timedelta(days=31)), "assessment_expiring") == []
    item = only(vault, teller, at_day(last - timedelta(days=30)), "assessment_expiring")
    assert (item.due_on, item.state, item.source_id, item.responsible_id) == (
        last.isoformat(), "due", row.id, teller.user_id)
    assert only(vault, teller, at_day(last), "assessment_expiring").state == "due"
    late = at_day(last + timedelta(days=1))
    assert only(vault, teller, late, "assessment_expiring").state == "overdue"
    # The setting moves the window.
    admin = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    vault.set_setting(admin, "followups.assessment_window_days", 10)
    assert items(vault, teller, at_day(last - timedelta(days=11)), "assessment_expiring") == []
    record_outcome(vault, teller, "assessment_expiring", row.id, "reached", "phone", "约下周到网点重评", now=late)
    assert items(vault, teller, late) == []

    def check(db):
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "follow_up.outcome")).one()
        assert json.loads(entry.details) == {"kind": "assessment_expiring", "outcome": "reached",
                                             "channel": "phone", "assessment_id": row.id}
    vault.transact(check)


def test_a_restricted_customer_is_not_processed(vault, supervisor):
    seller, sale = sell(vault, supervisor, "DM-WM-F90", amount="100000")
    matures = at_day(sale_day(sale) + timedelta(days=90))
    restrict(vault, supervisor, sale.customer_id)
    item = only(vault, seller, matures, "product_maturing")
    assert item.blocked == "restricted" and not item.can_record
    with pytest.raises(CustomerRestricted) as refused:
        record_outcome(vault, seller, "product_maturing", sale.id, "reached", "phone", now=matures)
    assert refused.value.code == "customer_restricted"


def test_another_branchs_item_is_refused(vault, supervisor):
    seller, sale = sell(vault, supervisor, "DM-WM-F90", amount="100000")
    matures = at_day(sale_day(sale) + timedelta(days=90))

    def elsewhere(db):  # a sale issued under another branch's code (its confirmation number says so)
        db.get(Signoff, sale.id).document_number = "BJ002-" + sale.document_number.split("-", 1)[1]
    vault.transact(elsewhere)
    item = only(vault, seller, matures, "product_maturing")
    assert (item.branch, item.blocked) == ("BJ002", "other_branch")
    with pytest.raises(FollowUpError) as refused:
        record_outcome(vault, seller, "product_maturing", sale.id, "reached", "phone", now=matures)
    assert refused.value.code == "follow_up_other_branch"


def test_checks_on_the_values_and_who_reads_whose_list(vault, supervisor):
    seller, sale = sell(vault, supervisor, "DM-WM-F90", amount="100000")
    matures = at_day(sale_day(sale) + timedelta(days=90))
    for args, code in ((("nope", sale.id, "reached", "phone"), "follow_up_kind"),
                       (("product_maturing", sale.id, "fine", "phone"), "follow_up_outcome"),
                       (("product_maturing", sale.id, "reached", "pigeon"), "follow_up_channel"),
                       (("assessment_expiring", sale.id, "reached", "phone"), "follow_up_not_found")):
        with pytest.raises(FollowUpError) as refused:
            record_outcome(vault, seller, *args, now=matures)
        assert refused.value.code == code
    with pytest.raises(FollowUpError) as long_note:
        record_outcome(vault, seller, "product_maturing", sale.id, "reached", "phone", "x" * 501, now=matures)
    assert long_note.value.code == "note_too_long"
    with pytest.raises(PermissionDenied) as other:
        queue.follow_ups(vault, seller, teller_id=supervisor.user_id, now=matures)
    assert other.value.code == "follow_up_own_only"
    assert [i.kind for i in queue.follow_ups(vault, supervisor, teller_id=seller.user_id, now=matures)] == [
        "product_maturing"]
    assert queue.follow_ups(vault, supervisor, kind="elderly_extra", now=matures) == []


def _reassign(vault, sale: Signoff, user_id: str) -> None:
    """The sale (and its customer's assessment) as if another employee had made it: a second book."""
    def write(db):
        db.get(Signoff, sale.id).teller_id = user_id
        for a in db.scalars(select(Assessment).where(Assessment.customer_id == sale.customer_id)):
            a.created_by = user_id
    vault.transact(write)


def test_a_tellers_book_and_the_open_list_are_the_full_list_filtered(vault, supervisor):
    """SQL selects by teller, open state and date windows: the same items as the branch's full list
    (done and lapsed included) filtered in Python, on every edge of every window."""
    seller, elderly = sell(vault, supervisor, lambda p: p.type == "private_wm" and p.risk_level == "R4", option=3)
    _seller, maturing = sell(vault, supervisor, "DM-WM-F90", amount="100000", doc=MIDDLE, age_answer="age_46_55",
                             birth="1980-05-05")
    _reassign(vault, maturing, supervisor.user_id)
    settings = vault.settings()
    lapse, days = settings["followups.lapse_days"], settings["followups.elderly_extra_days"]
    window, due_days = settings["followups.maturity_window_days"], settings["signoff.followup_due_days"]
    until = datetime.fromisoformat(elderly.cooling_off_until)
    extra_due = branch_day(until) + timedelta(days=days)
    matures = sale_day(maturing) + timedelta(days=90)
    row = vault.transact(lambda db: db.scalars(select(Assessment).where(
        Assessment.customer_id == elderly.customer_id)).one())
    last = stored_last_valid_day(row.completed_at, row.valid_until, settings["assessment.validity_months"])
    moments = [until + timedelta(hours=1), at_day(branch_day(until + timedelta(days=due_days)) + timedelta(days=lapse + 1))]
    for day in (extra_due, matures, last):
        moments += [at_day(day + timedelta(days=d)) for d in (-window - 1, -window, 0, lapse, lapse + 1, lapse + 400)]
    seen = set()
    for moment in moments:
        everything = queue.follow_ups(vault, supervisor, include_done=True, now=moment)
        seen |= {(i.kind, i.state) for i in everything}
        assert queue.follow_ups(vault, supervisor, now=moment) == [i for i in everything if i.state in ("due", "overdue")]
        for user in (seller.user_id, supervisor.user_id):
            for done in (False, True):
                book = queue.follow_ups(vault, supervisor, teller_id=user, include_done=done, now=moment)
                assert book == [i for i in everything if i.responsible_id == user
                                and (done or i.state in ("due", "overdue"))], (moment, user, done)
    assert {("post_sale_call", "overdue"), ("elderly_extra", "lapsed"), ("product_maturing", "lapsed"),
            ("assessment_expiring", "lapsed"), ("product_maturing", "due")} <= seen


def test_unanswered_items_lapse_but_post_sale_calls_stay(vault, supervisor):
    seller, sale = sell(vault, supervisor, "DM-WM-F90", amount="100000")
    _seller, private = sell(vault, supervisor, lambda p: p.type == "private_wm", doc=MIDDLE, option=3,
                            age_answer="age_46_55", birth="1980-05-05")
    matures = sale_day(sale) + timedelta(days=90)
    lapse = vault.settings()["followups.lapse_days"]
    assert lapse == 30
    still = at_day(matures + timedelta(days=lapse))
    assert only(vault, seller, still, "product_maturing").state == "overdue"
    gone = at_day(matures + timedelta(days=lapse + 1))
    assert items(vault, seller, gone, "product_maturing") == []
    assert items(vault, supervisor, gone, "product_maturing") == []
    assert today(vault, seller, now=gone).follow_ups_due == len(
        [i for i in queue.follow_ups(vault, seller, teller_id=seller.user_id, now=gone)])
    lapsed = [i for i in queue.follow_ups(vault, supervisor, include_done=True, now=gone) if i.kind == "product_maturing"]
    assert [(i.state, i.due_soon, i.can_record) for i in lapsed] == [("lapsed", False, True)]
    # A post-sale call is regulatory: a year late it is still overdue.
    year = at_day(matures + timedelta(days=400))
    calls = items(vault, supervisor, year, "post_sale_call")
    assert [(i.signoff_id, i.state) for i in calls] == [(private.id, "overdue")]
    # The setting moves the lapse; a late contact on a lapsed item is still recorded, and closes it.
    admin = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    vault.set_setting(admin, "followups.lapse_days", 60)
    assert only(vault, seller, gone, "product_maturing").state == "overdue"
    vault.set_setting(admin, "followups.lapse_days", 1)
    record_outcome(vault, seller, "product_maturing", sale.id, "reached", "phone", now=gone)
    done = [i for i in queue.follow_ups(vault, supervisor, include_done=True, now=gone) if i.kind == "product_maturing"]
    assert [(i.state, i.outcome) for i in done] == [("done", "reached")]


def test_an_assessment_with_a_shorter_stored_end_is_found_by_it(vault, supervisor):
    """The last valid day is the earlier of the rule's and the stored end's (valid_until, e.g. graded
    under a shorter validity): SQL selects by both, in the teller's book as in the branch's list."""
    at_recommendation(vault, doc=YOUNG, birth="1990-01-01", age_answer="age_31_45")
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    row = vault.transact(lambda db: db.scalars(select(Assessment).where(Assessment.status == "completed")).one())
    end = datetime.fromisoformat(row.completed_at) + timedelta(days=100)

    def shorten(db):
        db.get(Assessment, row.id).valid_until = end.isoformat()
    vault.transact(shorten)
    last = stored_last_valid_day(row.completed_at, end.isoformat(), vault.settings()["assessment.validity_months"])
    assert last < branch_day(datetime.fromisoformat(row.completed_at)) + timedelta(days=101)
    window = vault.settings()["followups.assessment_window_days"]
    assert items(vault, teller, at_day(last - timedelta(days=window + 1)), "assessment_expiring") == []
    for moment in (at_day(last - timedelta(days=window)), at_day(last + timedelta(days=30))):
        mine = queue.follow_ups(vault, teller, teller_id=teller.user_id, now=moment)
        assert [(i.kind, i.source_id, i.due_on) for i in mine] == [("assessment_expiring", row.id, last.isoformat())]
        assert only(vault, supervisor, moment, "assessment_expiring").source_id == row.id
    assert items(vault, teller, at_day(last + timedelta(days=31)), "assessment_expiring") == []
