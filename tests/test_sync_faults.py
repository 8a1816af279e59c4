"""Sync under faults, end to end: a real hub (`counterdesk-hub serve`, uvicorn in a subprocess) on real
PostgreSQL, and workstations on copies of the demo installation talking to it over HTTP.

* the hub killed (SIGKILL) in the middle of a push of thousands of records, restarted on the same
  port and database, then killed again right after it committed a batch whose receipts never reach
  the workstation: every record reaches the hub exactly once, nothing is left behind;
* a network cut: the hub is down while a teller keeps working; pushes fail, the status says offline,
  the background worker backs off with growing delays, and once the hub is back everything arrives,
  once, and the other workstation of the branch gets it;
* a hub schema upgrade (0001 -> head) with records on the hub and workstations that keep their data
  and keep working while the hub is down: afterwards sync continues, nothing is duplicated, and a pull
  from cursor 0 still returns everything.

Re-sent batches, a poison record and a clock ten minutes off are covered by tests/test_sync_hub.py.
``HubServer`` and the hub-side helpers are shared with tests/test_sync_cli.py.
"""
from __future__ import annotations

import itertools
import random
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from counterdesk.hub import cli as hub_cli
from counterdesk.hub import migrate
from counterdesk.hub.db import make_engine
from counterdesk.hub.models import Device as HubDevice
from counterdesk.hub.models import Record
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import counter_sessions
from counterdesk.services.sync.client import Backoff, HubUnreachable, SyncClient, SyncWorker, status
from counterdesk.services.sync.enrol import enrol, make_enrol_code
from counterdesk.store import audit
from counterdesk.store.models.customers import CounterSessionRecord
from counterdesk.store.models.sync import PENDING, QUARANTINED, SENT, Outbox
from helpers.demo import PASSWORDS, totp_code
from helpers.hub import pg_database
from helpers.hub_process import (
    BRANCH,
    HubServer,
    add_branch,
    first_code,
    hub_count,
    hub_records,
    hub_sessions,
)


def assert_exactly_once(database_url: str, *stations: Station) -> None:
    """Every outbox record of every station is on the hub once, with the seq its receipt gave, and the
    hub has nothing else from these devices; nothing is pending or quarantined on the stations."""
    with hub_sessions(database_url) as session:
        doubled = session.execute(select(Record.id, func.count()).group_by(Record.id)
                                  .having(func.count() > 1)).all()
    assert doubled == []
    for st in stations:
        rows = st.outbox()
        assert rows, "no outbox records"
        assert {r.state for r in rows} == {SENT}, {r.state for r in rows}
        assert {r.id: r.server_seq for r in rows} == hub_records(database_url, st.device_id)
        local = status(st.vault)
        assert (local.pending_count, local.quarantined_count) == (0, 0)


# ---- workstations -----------------------------------------------------------------------------------

@dataclass
class Station:
    vault: Vault
    admin: object
    client: SyncClient
    device_id: str

    def outbox(self, state: str | None = None) -> list[Outbox]:
        def read(s):
            q = select(Outbox).order_by(Outbox.local_seq)
            if state is not None:
                q = q.where(Outbox.state == state)
            return list(s.scalars(q))
        return self.vault.transact(read)

    def ids(self, state: str | None = None) -> set[str]:
        return {r.id for r in self.outbox(state)}

    def close(self) -> None:
        self.client.close()
        self.vault.close()


def station(root: Path, template: Path, hub: HubServer, code: str | None = None, via: Station | None = None,
            name: str = "柜台") -> Station:
    """A copy of the demo installation enrolled with ``code`` (the branch's first workstation) or with a
    code that workstation ``via`` asks the hub for."""
    shutil.copytree(template, root)
    vault = Vault.open(root)
    admin = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    if via is not None:
        code = make_enrol_code(via.vault, via.admin, verify=hub.verify()).code
    done = enrol(vault, admin, hub.url, code, name=name, verify=hub.verify())
    assert done.first_in_branch == (via is None)
    return Station(vault, admin, SyncClient(vault, admin, verify=hub.verify(), timeout=10), done.device_id)


def sales(st: Station, n: int) -> list[str]:
    """A teller serves ``n`` customers who leave before buying: each is a counter session opened,
    moved on and stopped (several outbox records each, audit entries included)."""
    teller = st.vault.sign_in("teller", PASSWORDS["teller"])
    sids = []
    for _ in range(n):
        sid = counter_sessions.open_session(st.vault, teller)
        counter_sessions.set_step(st.vault, teller, sid, "profile")
        counter_sessions.stop_session(st.vault, teller, sid, "customer_left")
        sids.append(sid)
    return sids


def session_states(st: Station, sids: list[str]) -> list[str | None]:
    def read(s):
        return [(s.get(CounterSessionRecord, sid).status if s.get(CounterSessionRecord, sid) else None) for sid in sids]
    return st.vault.transact(read)


@pytest.fixture
def hub_db() -> Iterator[str]:
    with pg_database("cdsyncf") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        add_branch(url)
        yield url


@pytest.fixture
def hub(hub_db, tmp_path) -> Iterator[HubServer]:
    server = HubServer(hub_db, tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stations() -> Iterator[list[Station]]:
    made: list[Station] = []
    yield made
    for st in made:
        st.close()


# ---- the tests --------------------------------------------------------------------------------------

PROBES = 3000


class ReplyLost(httpx.HTTPTransport):
    """The client's network: at its ``nth`` push the hub stores the batch and answers, then ``on_lost``
    kills the hub and the answer never reaches the client (the hub died while sending it)."""

    def __init__(self, nth: int, on_lost):
        super().__init__()
        self.nth, self.on_lost, self.pushes = nth, on_lost, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path == "/v1/push":
            self.pushes += 1
            if self.pushes == self.nth:
                response.read()
                response.close()
                assert response.status_code == 200
                self.on_lost()
                raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_the_hub_killed_in_the_middle_of_a_push_loses_and_doubles_nothing(hub, hub_db, tmp_path,
                                                                          demo_lists_template, stations):
    a = station(tmp_path / "a", demo_lists_template, hub, first_code(hub_db))
    stations.append(a)
    assert a.client.push_all().pending == 0
    on_hub = hub_count(hub_db)
    # A busy day in one transaction: thousands of audit entries, each an outbox record.
    a.vault.transact(lambda s: [audit.append(s, a.admin.actor, "sync.probe", "probe", str(i))
                                for i in range(PROBES)])
    assert status(a.vault).pending_count == PROBES

    # 1. SIGKILL as soon as the hub has committed the first batch: the push in progress dies with it.
    outcome: dict = {}

    def push():
        try:
            outcome["result"] = a.client.push_all()
        except Exception as exc:
            outcome["error"] = exc
    watch = make_engine(hub_db)
    try:
        def committed() -> int:
            with watch.connect() as conn:
                return conn.scalar(select(func.count()).select_from(Record))
        pusher = threading.Thread(target=push, name="push")
        pusher.start()
        deadline = time.monotonic() + 30
        while committed() == on_hub:
            assert time.monotonic() < deadline and pusher.is_alive(), outcome
            time.sleep(0.005)
        hub.kill()
    finally:
        watch.dispose()
    pusher.join(30)
    assert not pusher.is_alive()
    assert isinstance(outcome.get("error"), HubUnreachable), outcome
    assert a.client.status().online is False
    pending = a.ids(PENDING)
    assert pending and a.ids(QUARANTINED) == set()  # the kill landed in the middle of the push
    stored = set(hub_records(hub_db, a.device_id))
    assert stored <= a.ids()  # nothing half-stored or foreign
    assert len(stored & pending) <= 500  # at most the batch whose receipts were on their way

    # 2. Restarted on the same port and database; this time the hub is killed right after it committed
    #    the second batch and before its receipts arrived.
    hub.start()
    lossy = SyncClient(a.vault, a.admin, transport=ReplyLost(2, hub.kill))
    try:
        with pytest.raises(HubUnreachable):
            lossy.push_all()
    finally:
        lossy.close()
    assert not hub.running
    pending = a.ids(PENDING)
    unacknowledged = pending & set(hub_records(hub_db, a.device_id))
    assert len(unacknowledged) == 500  # one whole batch is on the hub, its receipts lost

    # 3. Back again: the records the hub already had come back as duplicates, with their seqs.
    hub.start()
    again = a.client.push_all()
    assert again.rejected == 0 and again.pending == 0
    assert again.duplicate == len(unacknowledged)
    assert again.sent == len(pending) - len(unacknowledged)
    assert_exactly_once(hub_db, a)
    assert a.client.status().online is True


def test_a_network_cut_queues_the_sales_and_they_arrive_once_when_the_hub_is_back(hub, hub_db, tmp_path,
                                                                                  demo_lists_template, stations):
    a = station(tmp_path / "a", demo_lists_template, hub, first_code(hub_db), name="柜台 A")
    stations.append(a)
    b = station(tmp_path / "b", demo_lists_template, hub, via=a, name="柜台 B")
    stations.append(b)
    for st in (a, b, a):
        st.client.push_all()
        st.client.pull_all()
    assert status(a.vault).pending_count == 0

    hub.stop()  # the line to head office is down
    sids = sales(a, 5)
    queued = status(a.vault).pending_count
    assert queued >= 15  # at least open, step and stop per customer
    with pytest.raises(HubUnreachable):
        a.client.push_all()
    now = a.client.status()
    assert now.online is False and now.pending_count == queued and now.quarantined_count == 0
    more = sales(a, 2)  # the counter keeps working; the outbox grows
    assert status(a.vault).pending_count > queued
    sids += more

    # The background worker backs off: each failed round waits longer (up to the cap), with jitter.
    delays: list[float] = []
    enough = threading.Event()

    def sleep(delay: float) -> None:
        delays.append(delay)
        if len(delays) >= 6:
            enough.set()
        time.sleep(0.02)  # the test does not wait the real delays
    backoff = Backoff(base=1.0, cap=60.0, factor=2.0, jitter=0.5, rng=random.Random(7), sleep=sleep)
    seen = []
    worker = SyncWorker(a.client, backoff=backoff, wait_timeout=1, master_every_s=0, on_change=seen.append)
    worker.start()
    try:
        assert enough.wait(20), delays
        assert isinstance(worker.last_error, HubUnreachable)
        assert seen and seen[-1].online is False and seen[-1].pending_count == status(a.vault).pending_count
        first = delays[:6]
        for attempt, delay in enumerate(first):
            ceiling = backoff.ceiling(attempt)
            assert ceiling * 0.5 <= delay <= ceiling, (attempt, delay)
        assert all(later >= earlier for earlier, later in itertools.pairwise(first)), first
        assert first[-1] >= 8 * first[0]

        hub.start()  # same port, same database: the worker gets through on its own
        deadline = time.monotonic() + 30
        while status(a.vault).pending_count:
            assert time.monotonic() < deadline, worker.last_error
            time.sleep(0.05)
        deadline = time.monotonic() + 10
        while backoff.attempts:  # a good round resets the backoff
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        worker.stop(timeout=20)
    assert not worker.running
    assert a.client.status().online is True

    assert_exactly_once(hub_db, a, b)
    got = b.client.pull_all()
    assert got.failed == 0 and got.received >= queued
    assert session_states(b, sids) == ["stopped"] * len(sids)
    assert b.client.pull_all().received == 0


def test_a_hub_schema_upgrade_keeps_every_record_and_sync_continues(tmp_path, demo_lists_template, stations):
    with pg_database("cdsyncu") as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine, "0001")
            assert migrate.current_revision(engine) == "0001" != migrate.head_revision()
        finally:
            engine.dispose()
        add_branch(url)
        old = HubServer(url, tmp_path, check_schema=False).start()  # the hub before the upgrade
        try:
            a = station(tmp_path / "a", demo_lists_template, old, first_code(url), name="柜台 A")
            stations.append(a)
            b = station(tmp_path / "b", demo_lists_template, old, via=a, name="柜台 B")
            stations.append(b)
            before_sids = sales(a, 3) + sales(b, 2)
            for st in (a, b, a, b):
                st.client.push_all()
                st.client.pull_all()
            assert session_states(b, before_sids) == session_states(a, before_sids) == ["stopped"] * 5
        finally:
            old.stop()
        with hub_sessions(url) as session:
            before = {str(r.id): (r.seq, r.content_sha256) for r in session.execute(
                select(Record.id, Record.seq, Record.content_sha256))}
        assert set(before) == a.ids() | b.ids()
        cursor_b = b.client.cursor()

        # The upgraded hub software refuses the old schema until the operator upgrades it.
        assert hub_cli.main(["--database-url", url, "branch", "list"]) == 1
        # Meanwhile the branch keeps serving customers.
        after_sids = sales(a, 4)
        queued = status(a.vault).pending_count
        assert queued >= 12

        assert hub_cli.main(["--database-url", url, "upgrade"]) == 0
        engine = make_engine(url)
        try:
            assert migrate.current_revision(engine) == migrate.head_revision() == "0006"
            with engine.connect() as conn:
                # Every record from before the upgrade is still there, untouched, under protocol 1.
                rows = conn.execute(text("SELECT id, seq, content_sha256, protocol FROM records")).all()
                indexes = {name for (name,) in conn.execute(text(
                    "SELECT indexname FROM pg_indexes WHERE tablename IN ('records', 'devices')"))}
        finally:
            engine.dispose()
        assert {str(r.id): (r.seq, r.content_sha256) for r in rows} == before
        assert {r.protocol for r in rows} == {1}
        assert {"ix_records_device_id", "ix_devices_branch_revoked_at"} <= indexes
        assert "ix_devices_branch" not in indexes

        new = HubServer(url, tmp_path, port=old.port).start()  # `serve`, with its schema check, same port
        try:
            pushed = a.client.push_all()
            assert pushed.sent == queued and pushed.duplicate == 0 and pushed.rejected == 0 and pushed.pending == 0

            # Records accepted before the upgrade, sent again (receipts lost): duplicates with their old seq.
            resend = [r.id for r in a.outbox(SENT) if r.id in before][:50]

            def forget(s):
                for row in s.scalars(select(Outbox).where(Outbox.id.in_(resend))):
                    row.state, row.server_seq = PENDING, None
            a.vault.transact(forget)
            again = a.client.push_all()
            assert (again.sent, again.duplicate, again.rejected) == (0, len(resend), 0)
            assert {r.id: r.server_seq for r in a.outbox() if r.id in resend} == {i: before[i][0] for i in resend}

            got = b.client.pull_all()
            assert got.failed == 0 and got.received == queued and got.cursor > cursor_b
            assert session_states(b, after_sids) == ["stopped"] * 4
            b.client.push_all()  # B's own audit of what it applied, if any

            # A pull from cursor 0 still returns every record of the branch, in seq order, each once.
            pulled, cursor = [], 0
            while True:
                page = b.client.signed("GET", "/v1/pull", f"cursor={cursor}&limit=500").json()
                pulled += [(r["seq"], r["id"]) for r in page["records"]]
                cursor = page["cursor"]
                if not page["more"]:
                    break
            seqs = [seq for seq, _ in pulled]
            assert seqs == sorted(set(seqs))
            assert {rid: seq for seq, rid in pulled} == hub_records(url)
            assert set(before) <= {rid for _, rid in pulled}
            assert_exactly_once(url, a, b)
            with hub_sessions(url) as session:
                assert session.scalar(select(func.count()).select_from(HubDevice)
                                      .where(HubDevice.branch == BRANCH, HubDevice.revoked_at.is_(None))) == 2
        finally:
            new.stop()
            for st in stations:
                st.client.close()
