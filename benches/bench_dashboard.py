"""The supervisor's dashboard for a branch with 12 months of data: 20 tellers, 40 sessions each per
working day (about 200,000 counter sessions), on a real (SQLCipher) demo installation at the head
schema. Target: the dashboard opens in <= 1 s (the 30-day default well under it: <= 0.5 s), its
queries off the UI thread.

The page reads the daily pre-aggregates (counterdesk.services.reports.daily, migration 0023) for
closed days and computes today from the source rows. Measured, medians of the repetitions:
- dashboard.aggregate.once: the one-off aggregation of the year's closed days (what the first open
  after the upgrade does; reports.daily, a few days per transaction), with the longest transaction,
  i.e. the longest the store's single writer is held;
- dashboard.query.*: counterdesk.services.reports.figures.dashboard() called from a worker thread
  (as the page's run_task does), for the last 30 days (the page's default), the last 12 months,
  one teller's 12 months seen by the supervisor, and the teller's own 12 months; the teller's home;
- dashboard.aggregate.one_day: after a correction to a closed day (a late change to yesterday's
  session, which the triggers mark), the next 12-month read recomputes that day alone;
- dashboard.open.*: the real DashboardPage, offscreen: from asking for a period to the seven charts
  drawn (its ``loaded`` signal), plus the longest the UI thread went without running a 10 ms timer
  meanwhile (the queries run in a worker, so this stays small).

The bulk rows go in directly through the driver (executemany; they bypass the ORM's ledger and
outbox hooks, which a dashboard does not read): users, customers, counter sessions, screenings,
assessments, suitability decisions, sign-offs, approval requests, cooling-off cancellations,
follow-up tasks, customer evaluations, complaints. The seeded installation is kept in a cache folder between runs
(``$COUNTERDESK_BENCH_CACHE`` or the system temp folder) and copied for each run, so a run's
sign-ins (and their one-time codes) never touch the cache. --quick: 3 repetitions instead of 5.

The time columns these queries filter by have covering indexes (migration 0021); a cache seeded
before it is upgraded when the copy is opened.
"""
from __future__ import annotations

import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyotp
from sqlalchemy import text

from _common import Row, progress, reps, temp_dir
from counterdesk.base.branchtime import BRANCH_TZ, branch_day
from counterdesk.forms.registry import load_questionnaire
from counterdesk.services.auth.vault import DEMO_USERS, AuthError, Vault
from counterdesk.services.customers.forms_store import store_definition
from counterdesk.services.reports import daily
from counterdesk.services.reports.figures import dashboard
from counterdesk.services.reports.scope import Period
from counterdesk.services.reports.today import today as teller_today

LIMIT_S = 1.0
LIMIT_30_DAYS_S = 0.5  # the default view: well under the page's second
TELLERS, PER_DAY, MONTHS = 20, 40, 12
SEED_VERSION = "dashboard-v3"  # change when the seeded rows change: the cache is rebuilt
USERS = {u.username: u for u in DEMO_USERS}
BATCH = 50_000


def _cache_root() -> Path:
    return Path(os.environ.get("COUNTERDESK_BENCH_CACHE") or Path(tempfile.gettempdir()) / "counterdesk-bench-cache")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _working_days(end: date) -> list[date]:
    start = end - timedelta(days=365)
    return [start + timedelta(days=i) for i in range(366) if (start + timedelta(days=i)).weekday() < 5]


def _rows(teller_ids: list[str], supervisor: str, form, end: date, rng: random.Random):
    """The year's rows, table by table, parents first (yielded in batches of one table)."""
    u4 = lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))  # noqa: E731 - local shorthand
    customers = [u4() for _ in range(40_000)]
    yield "customers", "(id, created_at, created_by, current_version, status) VALUES (?, ?, ?, 1, 'active')", \
        [(c, "2025-01-02T01:00:00+00:00", teller_ids[0]) for c in customers]
    sessions, screenings, assessments, decisions, signoffs, approvals, cancels, followups, evaluations = \
        ([] for _ in range(9))
    for day in _working_days(end):
        opening = datetime.combine(day, datetime.min.time(), BRANCH_TZ) + timedelta(hours=9)
        for teller in teller_ids:
            for k in range(PER_DAY):
                start = opening + timedelta(seconds=k * 700 + rng.randint(0, 300))
                sid, cust = u4(), rng.choice(customers)
                screened = start + timedelta(seconds=60)
                held = rng.random() < 0.05
                disposed = screened + timedelta(seconds=rng.randint(300, 3600)) if held else None
                screenings.append((u4(), _iso(screened), teller, cust,
                                   ("false_positive" if rng.random() < 0.9 else "confirmed_match") if held else "clear",
                                   supervisor if held else None, _iso(disposed) if disposed else None))
                if rng.random() < 0.12:
                    sessions.append((sid, teller, cust, "stopped", _iso(start), _iso(screened)))
                    continue
                a_start = start + timedelta(seconds=rng.randint(120, 600))
                a_done = a_start + timedelta(seconds=rng.randint(180, 900))
                aid = u4()
                assessments.append((aid, cust, sid, form.id, form.version, form.hash, teller, _iso(a_start),
                                    _iso(a_done)))
                decided = a_done + timedelta(seconds=rng.randint(60, 400))
                initiated = rng.random() < 0.15
                outcome = ("customer_initiated_only" if rng.random() < 0.5 else "eligible") if initiated \
                    else "recommended"
                did = u4()
                decisions.append((did, sid, cust, aid, initiated, outcome, _iso(decided), teller))
                g_start = decided + timedelta(seconds=30)
                signed = g_start + timedelta(seconds=rng.randint(120, 600))
                ready = signed
                gid = u4()
                if rng.random() < 0.2:
                    requested = signed + timedelta(seconds=10)
                    answered = requested + timedelta(seconds=rng.randint(60, 1800))
                    approvals.append((u4(), gid, sid, teller, _iso(requested),
                                      _iso(requested + timedelta(minutes=30)), supervisor, _iso(answered)))
                    ready = answered
                completed = ready + timedelta(seconds=rng.randint(30, 180))
                cooling = _iso(completed + timedelta(hours=24)) if rng.random() < 0.5 else None
                status = "completed"
                if cooling and rng.random() < 0.04:
                    status = "cancelled"
                    cancels.append((gid, f"RF-{gid[:8]}", teller, _iso(completed + timedelta(hours=6))))
                elif cooling:
                    done = rng.random() < 0.9
                    followups.append((u4(), gid, teller, cooling, _iso(completed + timedelta(days=6)),
                                      "done" if done else "open", teller if done else None,
                                      cooling if done else None))
                signoffs.append((gid, sid, did, cust, teller, status, _iso(signed), _iso(completed), cooling,
                                 _iso(g_start), _iso(completed)))
                ended = completed + timedelta(seconds=10)
                sessions.append((sid, teller, cust, "completed", _iso(start), _iso(ended)))
                if rng.random() < 0.7:  # the customer window asked; most rate, some skip, every 10th NPS
                    rated, asked = rng.random() < 0.9, rng.random() < 0.1
                    evaluations.append((u4(), sid, teller, "submitted" if rated else "skipped",
                                        rng.choices((1, 2, 3, 4, 5), (1, 1, 3, 10, 25))[0] if rated else None,
                                        asked and rated, rng.randint(4, 10) if asked and rated else None,
                                        (ended + timedelta(seconds=40)).astimezone(UTC).isoformat(
                                            timespec="microseconds")))
    yield "counter_sessions", ("(id, teller_id, customer_id, status, step, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, 'done', ?, ?)"), sessions
    yield "screenings", ("(id, created_at, created_by, subject_ref, threshold, matcher_version, list_hashes, "
                         "status, hits, disposition_by, disposition_at) "
                         "VALUES (?, ?, ?, ?, 0.85, 'bench', '[]', ?, '[]', ?, ?)"), screenings
    yield "assessments", ("(id, customer_id, session_id, questionnaire_id, questionnaire_version, questionnaire_hash, "
                          "answers, score, grade, lowest_category, contradictions, status, created_by, created_at, "
                          "completed_at) VALUES (?, ?, ?, ?, ?, ?, '{}', 50, 'C3', 0, '[]', 'completed', ?, ?, ?)"), \
        assessments
    yield "sale_decisions", ("(id, session_id, customer_id, assessment_id, catalog_version, product_code, amount, "
                             "customer_initiated, outcome, rules_version, findings, conditions, declared, decided_at, "
                             "decided_by) VALUES (?, ?, ?, ?, 1, 'WM-BENCH', '50000', ?, ?, 'bench', '[]', '[]', '{}', "
                             "?, ?)"), decisions
    yield "signoffs", ("(id, session_id, sale_decision_id, customer_id, teller_id, status, plan, lang, signed_at, "
                       "completed_at, cooling_off_until, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, '{}', 'zh', ?, ?, ?, ?, ?)"), signoffs
    yield "approval_requests", ("(id, signoff_id, session_id, reasons, requested_by, requested_at, expires_at, "
                                "status, decided_by, decided_at, override) "
                                "VALUES (?, ?, ?, '[]', ?, ?, ?, 'approved', ?, ?, 0)"), approvals
    yield "cooling_off_cancellations", "(signoff_id, refund_reference, recorded_by, recorded_at) VALUES (?, ?, ?, ?)", \
        cancels
    yield "follow_up_tasks", ("(id, signoff_id, seller_id, created_at, due_at, status, done_by, done_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"), followups
    yield "customer_evaluations", ("(id, session_id, teller_id, source, status, stars, reasons, comment, "
                                   "nps_asked, nps, created_at) VALUES (?, ?, ?, 'customer_screen', ?, ?, '', NULL, "
                                   "?, ?, ?)"), evaluations
    complaints = []
    for n in range(2_000):
        received = datetime.combine(end, datetime.min.time(), UTC) - timedelta(days=rng.randint(0, 364))
        owner = rng.choice(teller_ids)
        resolved = received < datetime.now(UTC) - timedelta(days=20) or rng.random() < 0.5
        complaints.append((u4(), f"TS-BENCH-{n:05d}", _iso(received), owner, owner,
                           (received.date() + timedelta(days=15)).isoformat(), received.date().isoformat(),
                           "resolved" if resolved else "open",
                           _iso(received + timedelta(days=rng.randint(1, 14))) if resolved else None,
                           _iso(received), _iso(received)))
    yield "complaints", ("(id, reference, received_at, received_by, channel, category, words, complexity, owner_id, "
                         "due_on, period_start, status, resolved_at, reopen_count, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, 'counter', 'service_quality', '（基准测试）', 'simple', "
                         "?, ?, ?, ?, ?, 0, ?, ?)"), complaints


def _build(target: Path) -> dict:
    progress("dashboard: creating the demo installation")
    vault, _ = Vault.create_demo(target)
    teller = vault.sign_in("teller", USERS["teller"].password)
    rng = random.Random(20261204)
    form = load_questionnaire().form
    ids = vault.transact(lambda db: {r[0]: r[1] for r in db.execute(text("SELECT username, id FROM users"))})
    vault.transact(lambda db: store_definition(db, form))
    teller_ids = [ids["teller"]] + [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(TELLERS - 1)]
    counts: dict[str, int] = {}
    t0 = time.perf_counter()
    with vault.db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA cache_size = -200000")  # 200 MB for the bulk load only (this connection)
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany("INSERT INTO users (id, username, display_name, role, active, must_change_password, "
                        "created_at, created_by, password_changed_at) VALUES (?, ?, ?, 'teller', 1, 0, ?, ?, ?)",
                        [(uid, f"teller{n:02d}", f"柜员{n:02d} Teller {n:02d}", "2025-01-01T00:00:00+00:00",
                          ids["admin"], "2025-01-01T00:00:00+00:00") for n, uid in enumerate(teller_ids[1:], start=2)])
        raw.execute("COMMIT")
        for table, columns, rows in _rows(teller_ids, ids["supervisor"], form, date.today(), rng):
            for start in range(0, len(rows), BATCH):
                raw.execute("BEGIN IMMEDIATE")
                raw.executemany(f"INSERT INTO {table} {columns}", rows[start:start + BATCH])
                raw.execute("COMMIT")
            counts[table] = len(rows)
            progress(f"dashboard: {table}: {len(rows):,} rows")
        raw.execute("ANALYZE")  # the planner's statistics, as a long-running branch would have them
        raw.execute("PRAGMA cache_size = -2000")
    vault.sign_out(teller)
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    return counts


def _cached() -> tuple[Path, dict, bool]:
    root = _cache_root() / SEED_VERSION
    marker = root / "seeded.txt"
    if marker.exists():
        counts = dict(line.split("=", 1) for line in marker.read_text().splitlines())
        return root / "data", {k: float(v) for k, v in counts.items()}, True
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    counts = _build(root / "data")
    marker.write_text("".join(f"{k}={v}\n" for k, v in counts.items()))
    return root / "data", counts, False


def _median_in_worker(pool: ThreadPoolExecutor, fn, n: int) -> tuple[float, list[float], object]:
    out, result = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        result = pool.submit(fn).result()
        out.append(time.perf_counter() - t0)
    return statistics.median(out), out, result


class _StallClock:
    """The longest gap between two ticks of a 10 ms UI-thread timer: how long the UI thread was busy."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0

    def tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now


def _gui_open(vault, user, periods: list[Period], n: int) -> list[tuple[float, float]]:
    """(seconds to drawn charts, longest UI-thread stall) per period, medians of ``n`` opens."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from counterdesk.ui.service.dashboard import DashboardPage
    from counterdesk.ui.widgets.context import AppContext
    from counterdesk.ui.widgets.resources import Languages

    app = QApplication.instance() or QApplication([])
    languages = Languages(app)
    languages.set("zh_CN")
    ctx = AppContext(data_dir=Path("."), demo=True, languages=languages, vault=vault, user=user)
    page = DashboardPage(ctx)
    page.resize(1200, 900)
    page.show()
    results = []
    for period in periods:
        times, stalls = [], []
        for _ in range(n):
            loop = QEventLoop()
            page.loaded.connect(loop.quit)
            clock = _StallClock()
            timer = QTimer()
            timer.setInterval(10)
            timer.timeout.connect(clock.tick)
            timer.start()
            t0 = time.perf_counter()
            page.set_period(period)
            loop.exec()
            times.append(time.perf_counter() - t0)
            timer.stop()
            stalls.append(clock.worst)
            page.loaded.disconnect(loop.quit)
        results.append((statistics.median(times), statistics.median(stalls)))
    page.close()
    page.deleteLater()
    languages.set("en")
    return results


def _sign_in_with_code(vault, user):
    """A code read just before the 30-second step ends may be checked in the next one: ask again."""
    for attempt in range(3):
        try:
            return vault.sign_in(user.username, user.password, pyotp.TOTP(user.totp_secret).now())
        except AuthError:
            if attempt == 2:
                raise
            time.sleep(31 - time.time() % 30)  # the next step's code (each code works once)
    raise AssertionError("unreachable")


def _aggregate_once(vault, year: Period, now: datetime) -> Row:
    """The one-off aggregation of the year's closed days, batch by batch as catch_up does it."""
    last = branch_day(now) - timedelta(days=1)
    batches: list[float] = []
    days = 0
    t0 = time.perf_counter()
    while True:
        started = time.perf_counter()
        n = vault.transact(lambda db: daily.aggregate(db, daily.missing(db, year.first, last)[:daily.BATCH_DAYS], now))
        batches.append(time.perf_counter() - started)
        days += n
        if n < daily.BATCH_DAYS:
            break
    total = time.perf_counter() - t0
    return Row("dashboard.aggregate.once", total, "s",
               note=f"one-off, the first open after the upgrade: {days} closed days aggregated, "
                    f"{daily.BATCH_DAYS} per transaction ({total / max(days, 1) * 1000:.0f} ms a day); longest "
                    f"transaction (the single writer held) {max(batches) * 1000:.0f} ms")


def _queries(vault, supervisor, teller, month: Period, year: Period, n: int, size: int) -> list[Row]:
    rows = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ui-worker") as pool:
        for name, period, user, who, note, times, limit in (
                ("dashboard.query.30_days", month, supervisor, None, "branch, last 30 days (the page's default)",
                 n, LIMIT_30_DAYS_S),
                ("dashboard.query.12_months", year, supervisor, None, "branch, last 12 months", n, LIMIT_S),
                ("dashboard.query.teller_12_months", year, supervisor, teller.user_id,
                 "one teller (chosen by the supervisor), last 12 months", n, LIMIT_S),
                ("dashboard.query.own_12_months", year, teller, None, "a teller's own figures, last 12 months",
                 n, LIMIT_S)):
            progress(f"dashboard: {name}")
            figure, samples, f = _median_in_worker(
                pool, lambda period=period, user=user, who=who: dashboard(vault, user, period, who), times)
            rows.append(Row(name, figure, "s", limit=limit, samples=samples,
                            note=f"{note}: {f.sessions_total:,} sessions, {f.stored_days} days from the aggregates "
                                 f"+ {f.live_days} live; reports.figures.dashboard() in a worker thread, median of "
                                 f"{times}; db {size / 2**20:.0f} MiB"))
        figure, samples, _ = _median_in_worker(pool, lambda: teller_today(vault, teller), n)
        rows.append(Row("dashboard.query.teller_home", figure, "s", limit=LIMIT_S, samples=samples,
                        note=f"reports.today(): the teller's home strip, median of {n}"))
        # A correction to yesterday (a late change to one of its sessions): the trigger marks the day,
        # the next read recomputes that day alone.
        yesterday = year.last - timedelta(days=1)
        while yesterday.weekday() >= 5:
            yesterday -= timedelta(days=1)
        start, end = Period(yesterday, yesterday).bounds()
        vault.transact(lambda db: db.execute(text(
            "UPDATE counter_sessions SET updated_at = updated_at WHERE id = (SELECT id FROM counter_sessions "
            "WHERE created_at >= :s AND created_at < :e LIMIT 1)"), {"s": start, "e": end}))
        t0 = time.perf_counter()
        f = pool.submit(lambda: dashboard(vault, supervisor, year)).result()
        whole = time.perf_counter() - t0
        rows.append(Row("dashboard.aggregate.one_day", f.aggregation_seconds, "s",
                        note=f"after a late change to {yesterday}: {f.aggregated_days} day re-aggregated; the "
                             f"12-month read with it took {whole * 1000:.0f} ms"))
    return rows


def run(quick: bool = False) -> list[Row]:
    n = reps(quick, full=5, fast=3)
    source, counts, reused = _cached()
    rows: list[Row] = [Row("dashboard.build", None if reused else counts.get("seconds"), "s",
                           note=("cached seed reused: " if reused else "bulk seed (executemany), cached for later "
                                 "runs: ") + f"{int(counts['counter_sessions']):,} sessions, "
                                 f"{int(counts['screenings']):,} screenings, {int(counts['assessments']):,} "
                                 f"assessments, {int(counts['signoffs']):,} sign-offs, "
                                 f"{int(counts['approval_requests']):,} approvals, "
                                 f"{int(counts.get('customer_evaluations', 0)):,} evaluations, "
                                 f"{int(counts['complaints']):,} complaints; {TELLERS} tellers x {PER_DAY}/working "
                                 f"day x {MONTHS} months")]
    with temp_dir("dashboard") as tmp:
        progress("dashboard: copying the cached installation")
        shutil.copytree(source, tmp / "data")
        vault = Vault.open(tmp / "data")
        sup = USERS["supervisor"]
        teller = vault.sign_in("teller", USERS["teller"].password)  # unlocks the store: the next is quick
        supervisor = _sign_in_with_code(vault, sup)
        size = sum(p.stat().st_size for p in (tmp / "data").glob("counterdesk.db*"))
        try:
            now = datetime.now(UTC)
            month, year = Period.last_days(30, now), Period.last_days(365, now)
            progress("dashboard: aggregating the closed days (one-off)")
            rows.append(_aggregate_once(vault, year, now))
            rows += _queries(vault, supervisor, teller, month, year, n, size)
            progress("dashboard: opening the page offscreen")
            opened = _gui_open(vault, supervisor, [month, year], max(2, n // 2))
            opened += _gui_open(vault, teller, [year], max(2, n // 2))
            for (figure, stall), (name, what, limit) in zip(opened, (
                    ("dashboard.open.30_days", "30 days, branch", LIMIT_30_DAYS_S),
                    ("dashboard.open.12_months", "12 months, branch", LIMIT_S),
                    ("dashboard.open.own_12_months", "12 months, a teller's own page", LIMIT_S))):
                rows.append(Row(name, figure, "s", limit=limit,
                                note=f"DashboardPage offscreen, {what}: period asked -> seven charts drawn, median "
                                     f"of {max(2, n // 2)}; longest UI-thread stall meanwhile "
                                     f"{stall * 1000:.0f} ms"))
        finally:
            vault.sign_out(teller)
            vault.sign_out(supervisor)
    return rows
