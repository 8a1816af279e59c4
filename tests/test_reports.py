"""The dashboard's and the teller's home's figures (counterdesk.services.reports) on a seeded month of
a real encrypted store, checked against what the seed wrote (computed in Python, independently)."""
from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from datetime import timedelta

import pytest
from pypdf import PdfReader

from counterdesk.base.roles import PermissionDenied
from counterdesk.services.reports import export, pdf
from counterdesk.services.reports.figures import dashboard, tellers
from counterdesk.services.reports.scope import Period, ReportError
from counterdesk.services.reports.today import today
from helpers.seed_month import seed_month


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
