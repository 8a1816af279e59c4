"""The dashboard's and the teller's home's figures (counterdesk.services.reports) on a seeded month of
a real encrypted store, checked against what the seed wrote (computed in Python, independently)."""
from __future__ import annotations

import csv
import io
import statistics
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from counterdesk.base.branchtime import branch_day
from counterdesk.base.roles import PermissionDenied
from counterdesk.base.settings import EVALUATION_MIN_COUNT
from counterdesk.services.customers import counter_sessions
from counterdesk.services.evaluations import stats
from counterdesk.services.reports import export, pdf
from counterdesk.services.reports.figures import dashboard, read_figures, tellers
from counterdesk.services.reports.scope import Period, ReportError, resolve, utc_iso
from counterdesk.services.reports.today import today
from counterdesk.store import triggers
from counterdesk.store.models.customers import CounterSessionRecord
from counterdesk.store.models.sanctions import Screening
from helpers.branch_pair import enrolled_pair
from helpers.demo import PASSWORDS
from helpers.demo import sign_in as demo_sign_in
from helpers.insider import insider
from helpers.seed_month import _moment, iso, seed_month


@pytest.fixture
def month(demo_vault, sign_in):
    sign_in("supervisor")  # the store opens with a sign-in
    return seed_month(demo_vault)


def _period(month) -> Period:
    return Period(month.first, month.last)


def test_sessions_per_day_and_per_teller_match_the_seed(demo_vault, sign_in, month):
    figures = dashboard(demo_vault, sign_in("supervisor"), _period(month), now=month.now)
    assert {d.day: d.total for d in figures.per_day} == month.per_day()
    assert len(figures.per_day) == 30 and figures.sessions_total == len(month.sessions)
    by_teller = {t.teller_id: t.sessions for t in figures.per_teller}
    assert by_teller == month.per_teller()
    statuses = Counter(s for _t, _d, s in month.sessions)
    assert sum(d.completed for d in figures.per_day) == statuses["completed"]
    assert sum(d.stopped for d in figures.per_day) == statuses["stopped"]
    assert sum(d.open for d in figures.per_day) == statuses["open"]
    assert [t.name for t in figures.per_teller if t.teller_id in month.tellers] == \
        [month.tellers[t.teller_id] for t in figures.per_teller]


def test_time_per_step_median_and_slowest(demo_vault, sign_in, month):
    figures = dashboard(demo_vault, sign_in("supervisor"), _period(month), now=month.now)
    by_step = {s.step: s.spread for s in figures.steps}
    for step in ("identify", "assessment", "recommendation", "signature", "approval", "confirmation", "session"):
        assert by_step[step].count == len(month.steps[step]), step
        assert by_step[step].median == pytest.approx(month.step_median(step), abs=0.01), step
        assert by_step[step].slowest == pytest.approx(month.step_slowest(step), abs=0.01), step


def test_one_teller_filter_narrows_every_figure(demo_vault, sign_in, month):
    li = next(t for t, name in month.tellers.items() if "Li" in name)
    figures = dashboard(demo_vault, sign_in("supervisor"), _period(month), teller_id=li, now=month.now)
    assert figures.teller_name == month.tellers[li]
    assert {d.day: d.total for d in figures.per_day} == month.per_day(li)
    assert [t.teller_id for t in figures.per_teller] == [li]
    assessment = next(s.spread for s in figures.steps if s.step == "assessment")
    assert assessment.median == pytest.approx(month.step_median("assessment", li), abs=0.01)
    assert figures.customer_initiated.decisions == sum(1 for t, _i, _o in month.decisions if t == li)
    assert figures.complaints.received == sum(1 for o, _s, _d in month.complaints if o == li)


def test_approvals_holds_mismatches_cooling_off(demo_vault, sign_in, month):
    f = dashboard(demo_vault, sign_in("admin"), _period(month), now=month.now)
    live = [a for a in month.approvals if a[1] == "pending" and a[3]]
    dead = [a for a in month.approvals if a[1] == "pending" and not a[3]]
    assert (f.approvals.waiting, f.approvals.expired_unanswered) == (len(live), len(dead))
    assert f.approvals.by_status == dict(Counter(a[1] for a in month.approvals))
    decided = [a[2] for a in month.approvals if a[2] is not None]
    assert f.approvals.turnaround.count == len(decided)
    assert f.approvals.turnaround.median == pytest.approx(statistics.median(decided), abs=0.01)
    assert f.screening.held == len(month.screenings)
    assert f.screening.waiting == sum(1 for s in month.screenings if s[2] is None)
    disposed = [s[2] for s in month.screenings if s[2] is not None]
    assert f.screening.disposition.slowest == pytest.approx(max(disposed), abs=0.01)
    assert f.customer_initiated.decisions == len(month.decisions)
    assert f.customer_initiated.customer_initiated == sum(1 for d in month.decisions if d[1])
    assert f.customer_initiated.mismatches == sum(1 for d in month.decisions if d[2] == "customer_initiated_only")
    assert f.customer_initiated.mismatches > 0
    assert f.cooling_off.cancelled == len(month.cancellations) > 0
    # Completed sign-offs with a cooling-off period whose completion falls inside the period.
    assert f.cooling_off.sales == len(month.cooling_sales)


def test_complaints_by_status_and_due_date(demo_vault, sign_in, month):
    f = dashboard(demo_vault, sign_in("supervisor"), _period(month), now=month.now)
    c = f.complaints
    assert c.received == len(month.complaints)
    assert c.by_status == dict(Counter(s for _o, s, _d in month.complaints))
    open_due = [d for _o, s, d in month.complaints if s == "open"]
    assert c.marks == {"overdue": sum(d < month.last for d in open_due),
                       "due_soon": sum(month.last <= d <= month.last + timedelta(days=3) for d in open_due),
                       "on_time": sum(d > month.last + timedelta(days=3) for d in open_due)}
    assert [(x.due_on, x.open) for x in c.by_due_day] == sorted(Counter(open_due).items())
    assert c.resolution.count == 2 and c.resolution.median == pytest.approx(4 * 86400, abs=1)


def test_a_teller_sees_only_their_own_figures(demo_vault, sign_in, month):
    teller = sign_in("teller")
    own = dashboard(demo_vault, teller, _period(month), now=month.now)
    assert own.scope.teller_id == teller.user_id and not own.scope.branch
    assert {d.day: d.total for d in own.per_day} == month.per_day(teller.user_id)
    assert [t.teller_id for t in own.per_teller] == [teller.user_id]
    assert dashboard(demo_vault, teller, _period(month), teller_id=teller.user_id, now=month.now).sessions_total \
        == own.sessions_total
    other = next(t for t in month.tellers if t != teller.user_id)
    with pytest.raises(PermissionDenied) as refused:
        dashboard(demo_vault, teller, _period(month), teller_id=other)
    assert refused.value.code == "report_own_only"
    assert [t.user_id for t in tellers(demo_vault, teller)] == [teller.user_id]
    assert set(month.tellers) <= {t.user_id for t in tellers(demo_vault, sign_in("supervisor"))}


def test_the_auditor_has_no_dashboard(demo_vault, sign_in, month):
    with pytest.raises(PermissionDenied):
        dashboard(demo_vault, sign_in("auditor"), _period(month))


def test_periods_are_checked(month):
    with pytest.raises(ReportError) as reversed_:
        Period(month.last, month.first)
    assert reversed_.value.code == "period_reversed"
    with pytest.raises(ReportError) as long_:
        Period(month.first - timedelta(days=500), month.last)
    assert long_.value.code == "period_too_long"


def test_an_empty_period_has_zeros_not_gaps(demo_vault, sign_in, month):
    empty = Period(month.first - timedelta(days=60), month.first - timedelta(days=40))
    f = dashboard(demo_vault, sign_in("supervisor"), empty, now=month.now)
    assert len(f.per_day) == 21 and f.sessions_total == 0 and f.per_teller == []
    assert all(s.spread.count == 0 and s.spread.median is None for s in f.steps)


def test_the_tellers_home(demo_vault, sign_in, month):
    teller = sign_in("teller")
    home = today(demo_vault, teller, now=month.now)
    assert len(home.sessions) == month.today_sessions[teller.user_id] == 3
    assert home.returned_signoffs == month.returned[teller.user_id] == 1
    assert home.awaiting_approval == month.awaiting[teller.user_id]
    assert home.follow_ups_due == month.follow_ups_due[teller.user_id]
    mine = [d for o, s, d in month.complaints if o == teller.user_id and s == "open"]
    assert home.complaints_open == len(mine) == 3
    assert home.complaints_due_soon == sum(d <= month.last + timedelta(days=3) for d in mine)
    with pytest.raises(PermissionDenied):
        today(demo_vault, sign_in("admin"))


def test_exports_carry_the_figures(demo_vault, sign_in, month):
    f = dashboard(demo_vault, sign_in("supervisor"), _period(month), now=month.now)
    raw = export.to_csv(f, "zh")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    day_section = rows.index(["每日服务量"])
    days = rows[day_section + 2: day_section + 2 + 30]
    assert {r[0]: int(r[4]) for r in days} == {d.isoformat(): n for d, n in month.per_day().items()}
    xlsx = export.to_xlsx(f, "en")
    assert xlsx[:2] == b"PK" and len(xlsx) > 2000
    document = pdf.render(f, "zh")
    reader = PdfReader(io.BytesIO(document))
    body = "".join(page.extract_text() for page in reader.pages)
    assert "网点服务统计报告" in body and "各环节用时" in body
    fonts = {str(font.get("/BaseFont")) for page in reader.pages
             for font in page["/Resources"]["/Font"].values() if hasattr(font, "get")}
    assert any("CounterDeskCJK" in name or "+" in name for name in fonts)


# ---- the daily aggregates (migration 0023, reports.daily) ---------------------------------------------------

def _live(vault, us, period: Period, month, teller_id=None):
    scope = resolve(us, period, teller_id)
    minimum = int(vault.settings()[EVALUATION_MIN_COUNT])
    return vault.transact(lambda db: read_figures(db, scope, month.now, 3, minimum))


def _stored_days(vault) -> set[str]:
    return set(vault.transact(lambda db: list(db.execute(text("SELECT day FROM report_days")).scalars())))


def test_the_daily_aggregates_equal_the_live_figures(demo_vault, sign_in, month):
    supervisor, teller = sign_in("supervisor"), sign_in("teller")
    first = dashboard(demo_vault, supervisor, _period(month), now=month.now)
    # The closed days were aggregated once, today is computed live.
    assert (first.aggregated_days, first.stored_days, first.live_days) == (29, 29, 1)
    assert _stored_days(demo_vault) == {(month.first + timedelta(days=i)).isoformat() for i in range(29)}
    assert first == _live(demo_vault, supervisor, _period(month), month)  # every figure (dataclass equality)
    again = dashboard(demo_vault, supervisor, _period(month), now=month.now)
    assert again.aggregated_days == 0 and again == first
    for who in month.tellers:
        assert dashboard(demo_vault, supervisor, _period(month), teller_id=who, now=month.now) == \
            _live(demo_vault, supervisor, _period(month), month, who)
    own = dashboard(demo_vault, teller, _period(month), now=month.now)
    assert own == _live(demo_vault, teller, _period(month), month)
    # A period of closed days only, and one reaching before the seeded month (days with nothing).
    for period in (Period(month.first + timedelta(days=3), month.last - timedelta(days=1)),
                   Period(month.first - timedelta(days=20), month.last)):
        f = dashboard(demo_vault, supervisor, period, now=month.now)
        assert f == _live(demo_vault, supervisor, period, month)
    assert f.aggregated_days == 20 and f.stored_days == 49
    # Spot checks against the seed itself (independent of both SQL paths).
    by_step = {s.step: s.spread for s in first.steps}
    assert by_step["session"].median == pytest.approx(month.step_median("session"), abs=0.01)
    assert by_step["approval"].slowest == pytest.approx(month.step_slowest("approval"), abs=0.01)
    assert first.evaluations.total.count == sum(1 for e in month.evaluations if e[2] == "submitted")


def test_evaluation_scores_follow_the_minimum_count_rule(demo_vault, sign_in, month):
    supervisor, teller = sign_in("supervisor"), sign_in("teller")
    minimum = int(demo_vault.settings()[EVALUATION_MIN_COUNT])
    f = dashboard(demo_vault, supervisor, _period(month), now=month.now)
    e = f.evaluations
    assert e.by == "day" and len(e.points) == 30 and e.through == month.last and e.minimum == minimum
    # The same figures as counterdesk.services.evaluations.stats, group by group (the whole branch).
    branch = {a.period: a for a in stats.aggregates(demo_vault, supervisor, month.first, month.last, "day")
              if a.teller_id is None}
    for p in e.points:
        a = branch.get(p.start.isoformat())
        assert (p.count, p.shown, p.mean, p.nps) == ((a.count, a.shown, a.mean, a.nps) if a else (0, False, None, None))
    assert all(p.mean is None and not p.distribution for p in e.points if p.count < minimum)
    assert e.total.shown and e.total.count == sum(e.total.distribution.values())
    # Weeks for a longer period; a teller's own scores, up to yesterday only.
    longer = Period(month.first - timedelta(days=40), month.last)
    weekly = dashboard(demo_vault, supervisor, longer, now=month.now).evaluations
    assert weekly.by == "week" and all(p.start.weekday() == 0 for p in weekly.points[1:])
    weeks = {a.period: a for a in stats.aggregates(demo_vault, supervisor, longer.first, longer.last, "week")
             if a.teller_id is None}
    assert [(p.count, p.mean) for p in weekly.points if p.count] == \
        [(a.count, a.mean) for _k, a in sorted(weeks.items())]
    mine = dashboard(demo_vault, teller, _period(month), now=month.now).evaluations
    yesterday = month.last - timedelta(days=1)
    assert mine.through == yesterday and len(mine.points) == 29
    own = {a.period: a for a in stats.aggregates(demo_vault, teller, month.first, yesterday, "day")}
    for p in mine.points:
        a = own.get(p.start.isoformat())
        assert (p.count, p.shown, p.mean) == ((a.count, a.shown, a.mean) if a else (0, False, None))
    assert mine.total.count == sum(1 for t, d, s, _st, _n in month.evaluations
                                   if t == teller.user_id and s == "submitted" and d < month.last)
    # In the exports: the per-group table, scores only where shown.
    rows = list(csv.reader(io.StringIO(export.to_csv(f, "en").decode("utf-8-sig"))))
    section = rows.index(["Customer evaluations (by day or week)"])
    table = rows[section + 2: section + 2 + 30]
    assert [int(r[1]) for r in table] == [p.count for p in e.points]
    assert all(r[2] == "" and r[5] == "Below the minimum, withheld" for r in table if int(r[1]) < minimum)
    body = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.render(f, "zh"))).pages)
    assert "客户评价（按日或按周）" in body


def test_a_late_record_or_a_change_invalidates_its_day(demo_vault, sign_in, month):
    supervisor = sign_in("supervisor")
    dashboard(demo_vault, supervisor, _period(month), now=month.now)
    day = month.first + timedelta(days=5)
    li = next(t for t, name in month.tellers.items() if "Li" in name)

    def late(db):  # a session recorded late for a closed day (written through the ORM, as any write)
        db.add(CounterSessionRecord(id=str(uuid.uuid4()), teller_id=li, customer_id=None, status="stopped",
                                    step="document", stop_reason_code="cancelled:customer_left",
                                    created_at=iso(_moment(day, 10 * 60)), updated_at=iso(_moment(day, 10 * 60 + 5))))
    demo_vault.transact(late)
    assert day.isoformat() not in _stored_days(demo_vault)  # the trigger removed it
    f = dashboard(demo_vault, supervisor, _period(month), now=month.now)
    assert f.aggregated_days == 1
    assert next(d for d in f.per_day if d.day == day).total == month.per_day()[day] + 1
    assert f == _live(demo_vault, supervisor, _period(month), month)

    # A change to an older row: the supervisor disposes of a screening hit still waiting from a past day.
    held = demo_vault.transact(lambda db: db.scalars(select(Screening).where(
        Screening.status == "potential_hit", Screening.created_at < utc_iso(month.last))).first())
    assert held is not None and f.screening.waiting > 0
    held_day = branch_day(datetime.fromisoformat(held.created_at)).isoformat()

    def dispose(db):
        row = db.get(Screening, held.id)
        row.status, row.disposition_by = "false_positive", month.supervisor_id
        row.disposition_at, row.disposition_reason_code = iso(month.now), "seed"
    demo_vault.transact(dispose)
    assert held_day not in _stored_days(demo_vault)
    g = dashboard(demo_vault, supervisor, _period(month), now=month.now)
    assert g.aggregated_days == 1 and g.screening.waiting == f.screening.waiting - 1
    assert g.screening.disposition.count == f.screening.disposition.count + 1
    assert g == _live(demo_vault, supervisor, _period(month), month)


def test_aggregates_of_a_teller_show_only_their_own(demo_vault, sign_in, month):
    teller = sign_in("teller")
    own = dashboard(demo_vault, teller, _period(month), now=month.now)
    assert own.stored_days == 29 and own.scope.teller_id == teller.user_id
    assert [t.teller_id for t in own.per_teller] == [teller.user_id]
    assert {d.day: d.total for d in own.per_day} == month.per_day(teller.user_id)
    mine = [s for t, s in month.steps["assessment"] if t == teller.user_id]
    assessment = next(s.spread for s in own.steps if s.step == "assessment")
    assert assessment.count == len(mine) and assessment.median == pytest.approx(statistics.median(mine), abs=0.01)
    other = next(t for t in month.tellers if t != teller.user_id)
    with pytest.raises(PermissionDenied):
        dashboard(demo_vault, teller, _period(month), teller_id=other, now=month.now)


def test_the_triggers_check_covers_the_report_marks(demo_vault, sign_in):
    sign_in("admin")
    assert demo_vault.transact(triggers.verify).result.ok
    with insider(demo_vault, "screenings") as conn:  # drops the table's triggers, puts them back after
        check = triggers.verify(Session(bind=conn))
    assert [p.code for p in check.result.problems] == ["report_trigger_missing"] * 3
    assert "screenings_report_update" in check.result.problems[1].text.en
    assert demo_vault.transact(triggers.verify).result.ok


def test_a_record_synced_from_another_workstation_invalidates_its_day(hub, tmp_path, demo_lists_template):
    """B has aggregated a day as closed; a session A recorded that day arrives by sync: B recomputes it."""
    with enrolled_pair(hub, lambda name: tmp_path / name, demo_lists_template) as (_branch, opened):
        (va, _admin_a, ca), (vb, _admin_b, cb) = opened
        supervisor_b = demo_sign_in(vb, "supervisor")
        # B looks at today as if it were already tomorrow: today is a closed day for it.
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        day = branch_day(datetime.now(UTC))
        period = Period(day - timedelta(days=2), day)
        before = dashboard(vb, supervisor_b, period, now=tomorrow)
        assert before.aggregated_days == 3 and before.per_day[-1].total == 0
        assert day.isoformat() in _stored_days(vb)

        teller_a = va.sign_in("teller", PASSWORDS["teller"])
        sid = counter_sessions.open_session(va, teller_a)
        counter_sessions.complete_session(va, teller_a, sid)
        assert ca.push_all().rejected == 0
        assert cb.pull_all().failed == 0
        assert day.isoformat() not in _stored_days(vb)  # the applied record removed its day
        after = dashboard(vb, supervisor_b, period, now=tomorrow)
        assert after.aggregated_days == 1 and after.stored_days == 3
        assert (after.per_day[-1].total, after.per_day[-1].completed) == (1, 1)
        assert [t.teller_id for t in after.per_teller] == [teller_a.user_id]
        session = next(s.spread for s in after.steps if s.step == "session")
        assert session.count == 1
