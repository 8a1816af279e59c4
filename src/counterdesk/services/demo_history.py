"""A month of a small branch's counter figures, written into a real encrypted DEMO store: what the
supervisor's dashboard and the teller's home show for a branch that has been working for a while (the
README's screenshots; the dashboard's and the home's tests, which compare the reports' SQL aggregates
with the figures remembered here in plain Python, ``Month``).

The rows are the store's own models written through the vault's single writer, so the database's
triggers, the records ledger and the sync outbox see them as they see any write. They are figures,
not people: the customers are fictional (a random name, a fictional address, no document).
The month is drawn from a seeded random generator.

Three tellers (the demo teller and two more), 30 branch days ending today; per session: a screening,
a risk assessment, a suitability decision and a sign-off as far as the session got; some sign-offs
need a supervisor's approval (one rejected, two still waiting today, one expired unanswered), some
screenings hold for a potential hit, some sales are cancelled in the cooling-off period, a few
complaints are open (overdue, due soon, on time) or resolved; three in four served customers rate the
service on the customer window (a few skip, some answer the NPS question).
"""
from __future__ import annotations

import json
import random
import statistics
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from counterdesk.base.branchtime import BRANCH_TZ, branch_day
from counterdesk.forms.disclosures import disclosures_for
from counterdesk.forms.registry import load_form, load_questionnaire
from counterdesk.services.customers.forms_store import store_definition
from counterdesk.services.signoff.plan import SignoffPlan
from counterdesk.store.models.assessment import Assessment
from counterdesk.store.models.complaints import Complaint
from counterdesk.store.models.core import User
from counterdesk.store.models.customers import CounterSessionRecord, Customer, CustomerVersion
from counterdesk.store.models.evaluations import CustomerEvaluation
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.sanctions import Screening
from counterdesk.store.models.signoff import ApprovalRequest, CoolingOffCancellation, FollowUpTask, Signoff

DAYS = 30
# Fictional customers: family and given names drawn at random, with a fictional address.
_FAMILY = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
_GIVEN = ("晓梅", "建国", "丽华", "志强", "秀英", "海燕", "伟", "敏", "静", "磊", "婷", "洋", "勇", "艳", "杰", "娟")
EXTRA_TELLERS = (("teller_li", "李柜员 Teller Li"), ("teller_wang", "王柜员 Teller Wang"))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class Month:
    """What was written, to check the figures against."""
    first: date
    last: date
    now: datetime
    tellers: dict[str, str]                    # user id -> display name
    supervisor_id: str
    sessions: list[tuple[str, date, str]] = field(default_factory=list)  # (teller, branch day, status)
    steps: dict[str, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))  # step -> (teller, s)
    approvals: list[tuple[str, str, float | None, bool]] = field(default_factory=list)  # teller, status, secs, live
    screenings: list[tuple[str, str, float | None]] = field(default_factory=list)  # teller, status, secs to dispose
    decisions: list[tuple[str, bool, str]] = field(default_factory=list)  # teller, customer_initiated, outcome
    cooling_sales: list[str] = field(default_factory=list)   # teller of each sale with a cooling-off period
    cancellations: list[str] = field(default_factory=list)   # teller of each cancellation
    complaints: list[tuple[str, str, date]] = field(default_factory=list)  # owner, status, due_on
    returned: Counter = field(default_factory=Counter)      # teller -> rejected sign-offs
    awaiting: Counter = field(default_factory=Counter)      # teller -> sign-offs waiting for approval
    follow_ups_due: Counter = field(default_factory=Counter)  # teller -> open follow-ups due by end of today
    today_sessions: Counter = field(default_factory=Counter)  # teller -> sessions opened today
    # (teller, branch day, status, stars, nps) of each evaluation
    evaluations: list[tuple[str, date, str, int | None, int | None]] = field(default_factory=list)

    def per_day(self, teller: str | None = None) -> dict[date, int]:
        out: Counter = Counter(day for t, day, _s in self.sessions if teller in (None, t))
        return {self.first + timedelta(days=i): out.get(self.first + timedelta(days=i), 0) for i in range(DAYS)}

    def per_teller(self) -> dict[str, int]:
        return dict(Counter(t for t, _d, _s in self.sessions))

    def step_median(self, step: str, teller: str | None = None) -> float | None:
        values = [s for t, s in self.steps[step] if teller in (None, t)]
        return statistics.median(values) if values else None

    def step_slowest(self, step: str, teller: str | None = None) -> float | None:
        values = [s for t, s in self.steps[step] if teller in (None, t)]
        return max(values) if values else None


def _plan() -> dict:
    """The sign-off plan of every DEMO sale: a public wealth-management product, R2, CNY 50,000."""
    forms = disclosures_for("public_wm", customer_initiated=False, elderly_care=False, private=False)
    return SignoffPlan(product_code="DM-WM-F90", product_type="public_wm", risk_level="R2", amount="50000",
                       forms=tuple(f.ref for f in forms), form_hashes=tuple(f.hash for f in forms),
                       min_reading_seconds=60, sentence_required=False, recording_required=False,
                       cooling_off_hours=24, customer_initiated=False, elderly_care=False).to_dict()


_PLAN = _plan()


def _moment(day: date, minute_of_day: int) -> datetime:
    return datetime.combine(day, time(0), BRANCH_TZ) + timedelta(minutes=minute_of_day)


def seed_month(vault, now: datetime | None = None, seed: int = 15) -> Month:
    """Write the month into ``vault`` (a demo installation, unlocked by a sign-in) and return what was written."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    last = branch_day(now)
    first = last - timedelta(days=DAYS - 1)

    def users(db):
        ids = {u.username: (u.id, u.display_name) for u in db.scalars(select(User))}
        for username, name in EXTRA_TELLERS:
            if username not in ids:
                uid = str(uuid.uuid4())
                db.add(User(id=uid, username=username, display_name=name, role="teller", active=True,
                            must_change_password=False, created_at=iso(now - timedelta(days=90)),
                            created_by=ids["admin"][0], password_changed_at=iso(now - timedelta(days=90))))
                ids[username] = (uid, name)
        return ids
    ids = vault.transact(users)
    tellers = {ids[u][0]: ids[u][1] for u in ("teller", *(u for u, _n in EXTRA_TELLERS))}
    month = Month(first, last, now, tellers, ids["supervisor"][0])
    questionnaire = load_questionnaire()
    kyc = load_form("kyc")
    rows: list = []
    today_start = datetime.combine(last, time(0), BRANCH_TZ)
    span_today = max(60, int((now - today_start).total_seconds()))

    numbers: Counter = Counter()  # confirmation numbers per branch day, as signoff.document issues them

    def sale(teller: str, day: date, start: datetime, status: str, today: bool) -> None:
        customer_id = str(uuid.uuid4())
        session_id = str(uuid.uuid4())
        rows.append(Customer(id=customer_id, created_at=iso(start), created_by=teller, current_version=1,
                             status="active"))
        data = {"name_zh": rng.choice(_FAMILY) + rng.choice(_GIVEN), "sex": rng.choice(("male", "female")),
                "birth_date": f"{rng.randint(1945, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "nationality": "CHN", "address": "演示市演示路 1 号（虚构）", "customer_tier": "mass"}
        rows.append(CustomerVersion(customer_id=customer_id, version=1, form_id=kyc.id, form_version=kyc.version,
                                    form_hash=kyc.hash, data=json.dumps(data, ensure_ascii=False),
                                    created_at=iso(start), created_by=teller, reason=None))
        session = CounterSessionRecord(id=session_id, teller_id=teller, customer_id=customer_id, status="open",
                                       step="document", stop_reason_code=None, created_at=iso(start),
                                       updated_at=iso(start))
        rows.append(session)
        month.sessions.append((teller, day, status))
        # Screening, a minute in; one in ten finds a potential hit, most disposed by the supervisor.
        screened = start + timedelta(seconds=60)
        held = rng.random() < 0.1
        s_status, disposed = "clear", None
        if held:
            if today or rng.random() < 0.2:
                s_status = "potential_hit"
            else:
                s_status = "false_positive" if rng.random() < 0.8 else "confirmed_match"
                disposed = screened + timedelta(seconds=rng.randint(600, 3600))
        rows.append(Screening(id=str(uuid.uuid4()), created_at=iso(screened), created_by=teller,
                              subject_ref=customer_id, threshold=0.85, matcher_version="seed", list_hashes="[]",
                              status=s_status, hits="[]", disposition_by=month.supervisor_id if disposed else None,
                              disposition_at=iso(disposed) if disposed else None,
                              disposition_reason_code="seed" if disposed else None))
        if held:
            month.screenings.append((teller, s_status,
                                     (disposed - screened).total_seconds() if disposed else None))
        if status == "stopped" and rng.random() < 0.5:
            session.status, session.stop_reason_code = "stopped", "cancelled:customer_left"
            session.updated_at = iso(screened + timedelta(seconds=30))
            return
        # The risk assessment.
        a_start = start + timedelta(seconds=rng.randint(120, 600))
        a_done = a_start + timedelta(seconds=rng.randint(180, 900))
        assessment_id = str(uuid.uuid4())
        rows.append(Assessment(id=assessment_id, customer_id=customer_id, session_id=session_id,
                               questionnaire_id=questionnaire.form.id, questionnaire_version=questionnaire.form.version,
                               questionnaire_hash=questionnaire.form.hash, answers="{}", score=50, grade="C3",
                               lowest_category=False, contradictions="[]", status="completed",
                               created_at=iso(a_start), created_by=teller, completed_at=iso(a_done),
                               valid_until=iso(a_done + timedelta(days=365)), confirmed_at=iso(a_done),
                               confirmed_by="customer"))
        month.steps["identify"].append((teller, (a_start - start).total_seconds()))
        month.steps["assessment"].append((teller, (a_done - a_start).total_seconds()))
        if status == "stopped":
            session.status, session.stop_reason_code = "stopped", "cancelled:customer_declined"
            session.updated_at = iso(a_done + timedelta(seconds=20))
            return
        # The suitability decision; one in six the customer names the product, half of those beyond their level.
        decided = a_done + timedelta(seconds=rng.randint(60, 400))
        initiated = rng.random() < 1 / 6
        outcome = ("customer_initiated_only" if rng.random() < 0.5 else "eligible") if initiated else "recommended"
        decision_id = str(uuid.uuid4())
        rows.append(SaleDecision(id=decision_id, session_id=session_id, customer_id=customer_id,
                                 assessment_id=assessment_id,
                                 catalog_version=1, product_code="DM-WM-F90", amount="50000",
                                 customer_initiated=initiated, outcome=outcome, rules_version="seed",
                                 findings="[]", conditions="[]", declared="{}", decided_at=iso(decided),
                                 decided_by=teller))
        month.decisions.append((teller, initiated, outcome))
        month.steps["recommendation"].append((teller, (decided - a_done).total_seconds()))
        # The sign-off: read and signed, maybe a supervisor's approval, then the confirmation.
        g_start = decided + timedelta(seconds=30)
        signed = g_start + timedelta(seconds=rng.randint(120, 600))
        signoff_id = str(uuid.uuid4())
        signoff = Signoff(id=signoff_id, session_id=session_id, sale_decision_id=decision_id, customer_id=customer_id,
                          teller_id=teller, status="collecting", lang="zh",
                          plan=json.dumps(_PLAN),
                          signed_at=iso(signed), attested_at=iso(signed), created_at=iso(g_start),
                          updated_at=iso(signed))
        rows.append(signoff)
        month.steps["signature"].append((teller, (signed - g_start).total_seconds()))
        ready = signed
        if status in ("awaiting", "returned", "expired") or rng.random() < 0.2:
            requested = signed + timedelta(seconds=10)
            req = ApprovalRequest(id=str(uuid.uuid4()), signoff_id=signoff_id, session_id=session_id, reasons="[]",
                                  requested_by=teller, requested_at=iso(requested),
                                  expires_at=iso(requested + timedelta(minutes=30)), status="pending")
            rows.append(req)
            if status == "awaiting":
                req.expires_at = iso(now + timedelta(minutes=20))
                signoff.status = "pending_approval"
                month.approvals.append((teller, "pending", None, True))
                month.awaiting[teller] += 1
                return
            if status == "expired":
                req.expires_at = iso(now - timedelta(minutes=5))
                signoff.status = "pending_approval"
                month.approvals.append((teller, "pending", None, False))
                month.awaiting[teller] += 1
                return
            decided_at = requested + timedelta(seconds=rng.randint(60, 1800))
            req.decided_by, req.decided_at = month.supervisor_id, iso(decided_at)
            month.steps["approval"].append((teller, (decided_at - requested).total_seconds()))
            if status == "returned":
                req.status, req.decision_reason = "rejected", "seed"
                signoff.status = "rejected"
                month.approvals.append((teller, "rejected", (decided_at - requested).total_seconds(), False))
                month.returned[teller] += 1
                return
            req.status = "approved"
            month.approvals.append((teller, "approved", (decided_at - requested).total_seconds(), False))
            ready = decided_at
        completed = ready + timedelta(seconds=rng.randint(30, 180))
        signoff.status, signoff.completed_at, signoff.updated_at = "completed", iso(completed), iso(completed)
        numbers[day] += 1
        signoff.document_number = f"{vault.info.branch_code}-{day:%Y%m%d}-{numbers[day]:05d}"
        month.steps["confirmation"].append((teller, (completed - ready).total_seconds()))
        session.status, session.updated_at = "completed", iso(completed + timedelta(seconds=10))
        month.steps["session"].append((teller, (completed + timedelta(seconds=10) - start).total_seconds()))
        if rng.random() < 0.5:  # a product with a cooling-off period (24 h)
            until = completed + timedelta(hours=24)
            signoff.cooling_off_until = iso(until)
            month.cooling_sales.append(teller)
            if rng.random() < 0.08 and completed + timedelta(hours=6) < now:
                signoff.status = "cancelled"
                rows.append(CoolingOffCancellation(signoff_id=signoff_id, refund_reference=f"RF-{signoff_id[:8]}",
                                                   recorded_by=teller, recorded_at=iso(completed + timedelta(hours=6))))
                month.cancellations.append(teller)
            elif until <= now:
                # The follow-up call the after-sale page creates once the period ended (due 5 days later).
                due = until + timedelta(days=5)
                done = rng.random() < 0.6
                rows.append(FollowUpTask(id=str(uuid.uuid4()), signoff_id=signoff_id, seller_id=teller,
                                         created_at=iso(until), due_at=iso(due), status="done" if done else "open",
                                         done_by=teller if done else None, done_at=iso(until) if done else None,
                                         outcome="seed" if done else None))
                if not done and due < today_start + timedelta(days=1):
                    month.follow_ups_due[teller] += 1

    for i in range(DAYS):
        day = first + timedelta(days=i)
        today = day == last
        for teller in tellers:
            count = 3 if today else (rng.randint(0, 2) if day.weekday() >= 5 else rng.randint(3, 7))
            for k in range(count):
                if today:
                    start = today_start + timedelta(seconds=span_today * (k + 1) // (count + 2))
                else:
                    start = _moment(day, 9 * 60 + rng.randint(0, 7 * 60))
                if today and teller == next(iter(tellers)):
                    status = ("awaiting", "returned", "completed")[k]
                elif today and k == 0:
                    status = "expired"
                else:
                    status = "stopped" if rng.random() < 0.15 else "completed"
                if today:
                    month.today_sessions[teller] += 1
                sale(teller, day, start, status, today)
    # Sessions that never reached a decision stay "open" in the Month only as their teller's day count;
    # awaiting / returned / expired sessions are open in the store as well.
    month.sessions = [(t, d, "open" if s in ("awaiting", "returned", "expired") else s) for t, d, s in month.sessions]

    # Complaints: owned by the tellers; received during the month.
    teller_ids = list(tellers)
    for n, (owner, received_days_ago, due_in, resolved) in enumerate([
            (teller_ids[0], 20, -3, False), (teller_ids[0], 10, 2, False), (teller_ids[0], 5, 10, False),
            (teller_ids[1], 25, -1, True), (teller_ids[1], 12, 1, False), (teller_ids[2], 8, 7, True),
            (teller_ids[2], 3, 12, False)]):
        received = now - timedelta(days=received_days_ago)
        due = last + timedelta(days=due_in)
        status = "resolved" if resolved else "open"
        rows.append(Complaint(
            id=str(uuid.uuid4()), reference=f"TS-SEED-{n:04d}", received_at=iso(received), received_by=owner,
            channel="counter", category="service_quality", customer_id=None, words="（测试数据）", complexity="simple",
            owner_id=owner, status=status, due_on=due.isoformat(), period_start=branch_day(received).isoformat(),
            outcome="upheld" if resolved else None, resolved_at=iso(received + timedelta(days=4)) if resolved else None,
            resolved_by=owner if resolved else None, reopen_count=0, created_at=iso(received),
            updated_at=iso(received)))
        month.complaints.append((owner, status, due))

    # The customers' ratings, from their own generator (the rest of the month stays as it was).
    rate = random.Random(seed + 1)
    for r in [x for x in rows if isinstance(x, CounterSessionRecord)]:
        if not (r.status == "completed" or r.stop_reason_code == "cancelled:customer_declined") \
                or rate.random() < 0.25:
            continue
        at = datetime.fromisoformat(r.updated_at) + timedelta(seconds=40)
        skipped = rate.random() < 0.1
        stars = None if skipped else rate.choices((1, 2, 3, 4, 5), (1, 1, 2, 5, 8))[0]
        nps = rate.randint(0, 10) if not skipped and rate.random() < 0.4 else None
        rows.append(CustomerEvaluation(id=str(uuid.uuid4()), session_id=r.id, teller_id=r.teller_id,
                                       source="customer_screen", status="skipped" if skipped else "submitted",
                                       stars=stars, reasons="", comment=None, nps_asked=nps is not None, nps=nps,
                                       created_at=at.astimezone(UTC).isoformat(timespec="microseconds")))
        month.evaluations.append((r.teller_id, branch_day(at), "skipped" if skipped else "submitted", stars, nps))

    def write(db) -> None:
        store_definition(db, questionnaire.form)
        store_definition(db, kyc)
        # Parents first (the foreign keys are checked at each insert).
        order = (Customer, CustomerVersion, CounterSessionRecord, Screening, Assessment, SaleDecision, Signoff,
                 ApprovalRequest, CoolingOffCancellation, FollowUpTask, Complaint, CustomerEvaluation)
        for kind in order:
            db.add_all([r for r in rows if isinstance(r, kind)])
            db.flush()
    vault.transact(write)
    return month
