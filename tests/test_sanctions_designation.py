"""A confirmed targeted-financial-sanctions match takes effect at once (反洗钱法 Art 40): the supervisor's
confirmation stops the teller's session and refers the customer in the same transaction; every later
session of that customer stops at identification and is referred again; the core refuses business with
the customer whatever the entry point."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from counterdesk.flow.actions import DecideConsent, EnterProfile
from counterdesk.flow.counter_session import CounterSession
from counterdesk.services.assessment import repository as assessments
from counterdesk.services.customers import counter_sessions, designation, due_diligence
from counterdesk.services.customers.designation import CustomerDesignated
from counterdesk.services.sanctions import disposition, lists
from counterdesk.store import audit
from counterdesk.store.models.customers import CounterSessionRecord
from counterdesk.store.models.due_diligence import AmlReferral
from helpers.counter import SPECIMEN, kyc
from test_counter_session_flow import fresh_un_list

LISTED_DOC = replace(SPECIMEN, id_number="110105196803150011", id_issue_date="2010-06-01", id_long_term=False,
                     id_expiry_date="2030-06-01")
LISTED_PROFILE = dict(kyc(), name_zh="王晓明", name_latin="WANG XIAOMING", sex="male", birth_date="1968-03-15")


@pytest.fixture
def held(demo_vault, sign_in):
    """A teller's session held on a potential hit of the UN sample's (fictional) WANG Xiaoming."""
    lists.import_files(demo_vault, sign_in("admin"), [("un_consolidated_sample.xml", fresh_un_list())])
    teller = sign_in("teller")
    counter_session = CounterSession(demo_vault, teller)
    counter_session.submit(LISTED_DOC)
    counter_session.submit(DecideConsent(True))
    counter_session.submit(EnterProfile(LISTED_PROFILE))
    assert counter_session.submit().hold is not None
    return counter_session


def _referrals(vault) -> list[AmlReferral]:
    return vault.transact(lambda db: list(db.scalars(select(AmlReferral).order_by(AmlReferral.created_at))))


def _session(vault, session_id) -> CounterSessionRecord:
    return vault.transact(lambda db: db.get(CounterSessionRecord, session_id))


def test_the_confirmation_stops_the_session_at_once_and_refers_the_customer(demo_vault, sign_in, held):
    supervisor = sign_in("supervisor")
    customer_id, session_id = held.state.customer_id, held.session_id
    assert designation.designation(demo_vault, supervisor, customer_id) is None
    disposition.dispose(demo_vault, supervisor, held.state.screening_id, "confirmed_match", "identity_confirmed")

    # Before the teller presses anything, the session has ended and the AML officer has the referral.
    row = _session(demo_vault, session_id)
    assert (row.status, row.stop_reason_code) == ("stopped", "sanctions_designated")
    [referral] = _referrals(demo_vault)
    assert (referral.customer_id, referral.session_id, referral.reason_code, referral.rule) == (
        customer_id, session_id, "sanctions_confirmed", "AML-LAW-40")
    assert referral.created_by == supervisor.user_id
    [listed] = due_diligence.list_referrals(demo_vault, supervisor)
    assert "制裁" in listed.reason.zh and "第四十条" in listed.citation.zh and "Art 40" in listed.citation.en
    entries = demo_vault.transact(lambda db: audit.recent(db, 50))
    recorded = [e for e in entries if e.action == "aml.referral_recorded"]
    assert len(recorded) == 1 and "王晓明" not in recorded[0].details and "WANG" not in recorded[0].details

    # The teller's "check again" sees the stop, with the article in the reason.
    out = held.submit()
    assert out.stop is not None and out.stop.code == "sanctions_designated" and "第四十条" in out.stop.text.zh


def test_a_designated_customer_is_stopped_at_identification_every_time_after(demo_vault, sign_in, held):
    disposition.dispose(demo_vault, sign_in("supervisor"), held.state.screening_id, "confirmed_match",
                        "identity_confirmed")
    teller = sign_in("teller")
    again = CounterSession(demo_vault, teller)
    out = again.submit(LISTED_DOC)
    assert out.stop is not None and out.stop.code == "sanctions_designated"
    assert "Art 40" in out.stop.text.en and "no business" in out.stop.text.en
    assert _session(demo_vault, again.session_id).status == "stopped"
    assert [r.reason_code for r in _referrals(demo_vault)] == ["sanctions_confirmed", "sanctions_designated_attempt"]


def test_the_core_refuses_business_with_a_designated_customer(demo_vault, sign_in, held):
    customer_id = held.state.customer_id
    disposition.dispose(demo_vault, sign_in("supervisor"), held.state.screening_id, "confirmed_match",
                        "identity_confirmed")
    teller = sign_in("teller")
    session_id = counter_sessions.open_session(demo_vault, teller)
    with pytest.raises(CustomerDesignated) as refused:
        counter_sessions.attach_customer(demo_vault, teller, session_id, customer_id)
    assert refused.value.code == "customer_designated"
    with pytest.raises(CustomerDesignated):
        assessments.start_assessment(demo_vault, teller, customer_id, session_id)


def test_a_false_positive_designates_no_one(demo_vault, sign_in, held):
    supervisor = sign_in("supervisor")
    disposition.dispose(demo_vault, supervisor, held.state.screening_id, "false_positive",
                        next(iter(disposition.FALSE_POSITIVE_REASONS)), "different person")
    assert designation.designation(demo_vault, supervisor, held.state.customer_id) is None
    assert _referrals(demo_vault) == []
    assert _session(demo_vault, held.session_id).status == "open"
