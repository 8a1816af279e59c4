"""A customer's restriction, withdrawn consent or confirmed sanctions match, recorded at one counter of a
branch, stops the customer's next session at another counter at once: the session asks the hub (by the
customer's keyed tag, never the id or name) for the customer's records it has not pulled yet, without
waiting for its sync cycle; offline, or with a hub that does not answer, the session goes on and says so."""
from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import select, text

from counterdesk.flow.counter_session import CounterSession
from counterdesk.services.auth import totp
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import data_rights
from counterdesk.services.sanctions import disposition, screening
from counterdesk.services.sync import fresh, tags
from counterdesk.services.sync.client import SyncClient
from counterdesk.store.models.due_diligence import AmlReferral
from counterdesk.store.models.sync import Inbox, Outbox
from helpers.branch_pair import enrolled_pair
from helpers.counter import MIDDLE, identify, kyc
from helpers.demo import AUTH_CLOCK, PASSWORDS, totp_code
from helpers.hub import Hub
from test_sync_hub import PortalTransport

RESTRICTED = replace(MIDDLE, id_number="110105198007070028")   # born 1980-07-07
DESIGNATED = replace(MIDDLE, id_number="110105198005050648")   # born 1980-05-05
WITHDRAWN = replace(MIDDLE, id_number="110105198008080041")    # born 1980-08-08
OFFLINE = replace(MIDDLE, id_number="110105198009090065")      # born 1980-09-09
LISTED = screening.ScreenedPerson(["刘建国"], None, "CHN", ["110101195911020011"])


@pytest.fixture(scope="module")
def pair(hub, tmp_path_factory, demo_lists_template):
    """[(vault, client)] for workstations A and B of one branch, enrolled at the in-process hub."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(totp, "clock", AUTH_CLOCK)
        with enrolled_pair(hub, lambda name: tmp_path_factory.mktemp(f"flags-{name}") / "data",
                           demo_lists_template) as (_branch, opened):
            yield [(vault, client) for vault, _admin, client in opened]


def hub_check(hub: Hub, vault: Vault, timeout: float = fresh.TIMEOUT_S) -> fresh.CustomerCheck:
    """The session's check, talking to the in-process hub."""
    def client(vault: Vault, seconds: float) -> SyncClient:
        return SyncClient(vault, None, transport=PortalTransport(hub), timeout=seconds, anchoring=False)
    return fresh.CustomerCheck(vault, timeout, client)


def teller(vault: Vault):
    return vault.sign_in("teller", PASSWORDS["teller"])


def supervisor(vault: Vault):
    return vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))


def known_at_both(hub: Hub, pair, doc, birth: str) -> str:
    """A customer served at A, and B synced since: B knows them (as they were)."""
    (va, ca), (vb, cb) = pair
    on_a = CounterSession(va, teller(va), hub_check=hub_check(hub, va))
    identify(on_a, doc, kyc(birth))
    assert ca.push_all().rejected == 0
    assert cb.pull_all().failed == 0
    return on_a.state.customer_id


def served_at_b(hub: Hub, vb: Vault, doc):
    session = CounterSession(vb, teller(vb), hub_check=hub_check(hub, vb))
    return session, session.submit(replace(doc, copy=None))


def test_a_restriction_recorded_at_a_stops_the_customer_at_b_at_once(hub, pair):
    (va, ca), (vb, cb) = pair
    cid = known_at_both(hub, pair, RESTRICTED, "1980-07-07")
    cursor_b = cb.cursor()
    data_rights.restrict(va, supervisor(va), cid)
    assert ca.push_all().rejected == 0  # at the hub; B has not pulled (its sync cycle has not come)

    session, out = served_at_b(hub, vb, RESTRICTED)
    assert out.stop is not None and out.stop.code == "customer_restricted", out
    assert session.freshness is not None and session.freshness.checked and session.freshness.applied >= 1
    assert cb.cursor() == cursor_b  # fetched by the customer's tag, not by a pull
    assert data_rights.get_restriction(vb, teller(vb), cid) is not None

    # The hub saw a keyed tag of the customer, never their id in the new meta, and answers only by it.
    tag = tags.customer_tag(ca.credentials().branch_key, cid)
    metas = va.transact(lambda s: [r.meta for r in s.scalars(select(Outbox).where(
        Outbox.type == "customer.restriction"))])
    assert any(f'"customer_tag":"{tag}"' in m for m in metas)
    assert tag.startswith("ct1-") and cid not in tag and len(tag) == 36
    with hub.app.state.engine.connect() as conn:
        stored = conn.execute(text("SELECT type FROM records WHERE meta ->> 'customer_tag' = :t"), {"t": tag}).all()
    assert {"customer.restriction", "consent", "screening", "aml.rating"} <= {t for (t,) in stored}

    # The regular pull later skips what the check brought (received once, applied once).
    before = vb.transact(lambda s: s.scalar(text("SELECT COUNT(*) FROM inbox WHERE type = 'customer.restriction'")))
    cb.pull_all()
    assert vb.transact(lambda s: s.scalar(text("SELECT COUNT(*) FROM inbox WHERE type = 'customer.restriction'"))) \
        == before


def test_a_sanctions_match_confirmed_at_a_stops_the_customer_at_b_at_once(hub, pair):
    (va, ca), (vb, cb) = pair
    cid = known_at_both(hub, pair, DESIGNATED, "1980-05-05")
    hit = screening.screen(va, teller(va), LISTED, cid)
    assert hit.status == "potential_hit"
    disposition.dispose(va, supervisor(va), hit.screening_id, "confirmed_match", "identity_confirmed")
    assert ca.push_all().rejected == 0

    session, out = served_at_b(hub, vb, DESIGNATED)
    assert out.stop is not None and out.stop.code == "sanctions_designated", out
    assert session.freshness is not None and session.freshness.checked
    # The attempt is referred at B, as for a match B knew of.
    assert vb.transact(lambda s: [r.reason_code for r in s.scalars(
        select(AmlReferral).where(AmlReferral.customer_id == cid))]) == ["sanctions_designated_attempt"]


def test_a_consent_withdrawn_at_a_stops_the_customer_at_b_at_once(hub, pair):
    (va, ca), (vb, cb) = pair
    cid = known_at_both(hub, pair, WITHDRAWN, "1980-08-08")
    data_rights.restrict(va, supervisor(va), cid, reason_code=data_rights.CONSENT_WITHDRAWN)
    assert ca.push_all().rejected == 0

    session, out = served_at_b(hub, vb, WITHDRAWN)
    assert out.stop is not None and out.stop.code == "customer_restricted", out
    assert data_rights.get_restriction(vb, teller(vb), cid).reason_code == data_rights.CONSENT_WITHDRAWN
    # The consent itself carries the tag too (linked to its customer when the customer was created).
    tag = tags.customer_tag(ca.credentials().branch_key, cid)
    assert vb.transact(lambda s: s.scalar(select(Inbox.id).where(
        Inbox.type == "consent", Inbox.meta.like(f'%"customer_tag": "{tag}"%')))) is not None


@contextmanager
def silent_hub() -> Iterator[str]:
    """A hub address that accepts connections and never answers (a hung or half-open hub)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def closed_port() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def _unreachable(url: str):
    def client(vault: Vault, seconds: float) -> SyncClient:
        return SyncClient(vault, None, hub_url=url, timeout=seconds, anchoring=False)
    return client


def test_offline_or_with_a_hub_that_does_not_answer_the_session_goes_on_and_says_so(hub, pair):
    (va, ca), (vb, cb) = pair
    cid = known_at_both(hub, pair, OFFLINE, "1980-09-09")
    last = vb.transact(lambda s: s.scalar(text("SELECT value FROM sync_state WHERE key = 'last_sync_at'")))
    assert last

    # No hub at all: at once.
    session = CounterSession(vb, teller(vb), hub_check=fresh.CustomerCheck(vb, 2.0, _unreachable(closed_port())))
    out = session.submit(replace(OFFLINE, copy=None))
    assert out.stop is None and out.result.ok and session.flow.current_id == "profile"
    warning = next(p for p in out.result.problems if p.code == "flags_unchecked")
    assert warning.severity == "warning" and session.freshness.status == fresh.UNCHECKED
    assert "未能向同步服务器核对该客户的最新标记" in warning.text.zh and "上次成功同步" in warning.text.zh
    assert "could not be checked with the sync hub" in warning.text.en and "Last successful sync:" in warning.text.en
    assert "never" not in warning.text.en  # B synced before: the time of it is shown
    assert session.state.customer_id == cid
    session.cancel("customer_left")

    # A hub that accepts the connection and never answers: the session waits no longer than the timeout.
    with silent_hub() as url:
        session = CounterSession(vb, teller(vb), hub_check=fresh.CustomerCheck(vb, 1.0, _unreachable(url)))
        started = time.monotonic()
        out = session.submit(replace(OFFLINE, copy=None))
        waited = time.monotonic() - started
    assert out.stop is None and session.flow.current_id == "profile"
    assert any(p.code == "flags_unchecked" for p in out.result.problems)
    assert 0.9 <= waited < 3.0, waited
    session.cancel("customer_left")


def test_a_stand_alone_workstation_has_nothing_to_ask(demo_vault, sign_in):
    sign_in("teller")
    checked = fresh.check_customer(demo_vault, "c-1")
    assert checked.status == fresh.STANDALONE and checked.message is None
