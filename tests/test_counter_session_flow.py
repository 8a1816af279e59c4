"""The identification step of a counter session, driven headless through the real core."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from counterdesk.base.paths import resources_dir
from counterdesk.flow.actions import (
    ConfirmAssessment,
    DecideConsent,
    EnterDocument,
    EnterProfile,
    FindCurrentAssessment,
    RecordAnswers,
    StartAssessment,
)
from counterdesk.flow.counter_session import CounterSession, civil_capacity_problems
from counterdesk.services.customers import repository as customers
from counterdesk.services.sanctions import disposition, lists
from helpers.counter import SPECIMEN, identify, kyc, questionnaire_answers

ANSWERS = kyc()


def fresh_un_list() -> bytes:
    """The bundled UN sample, dated today so the freshness rule lets screening clear."""
    raw = (resources_dir() / "sanctions" / "un_consolidated_sample.xml").read_text(encoding="utf-8")
    today = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00.000Z")
    return re.sub(r'dateGenerated="[^"]+"', f'dateGenerated="{today}"', raw, count=1).encode("utf-8")


@pytest.fixture
def lists_loaded(demo_vault, sign_in):
    admin = sign_in("admin")
    lists.import_files(demo_vault, admin, [("un_consolidated_sample.xml", fresh_un_list())])
    return admin


def test_new_customer_is_identified_and_stored(demo_vault, sign_in, lists_loaded):
    teller = sign_in("teller")
    counter_session = CounterSession(demo_vault, teller)
    out = counter_session.submit(SPECIMEN)
    assert out.result.ok and counter_session.flow.current_id == "consent"
    assert counter_session.state.document.sex == "F"
    counter_session.submit(DecideConsent(True))
    assert counter_session.flow.current_id == "profile"
    out = counter_session.submit(EnterProfile(ANSWERS))
    assert out.result.ok, [p.code for p in out.result.problems]
    assert counter_session.flow.current_id == "screening"
    counter_session.submit()  # the screen runs the screening as soon as the step opens
    assert counter_session.flow.current_id == "assessment", counter_session.flow.held
    assert counter_session.state.screening_status == "clear"
    assert counter_session.state.aml.level == "low"  # Chinese national, low-risk occupation, not a PEP
    found = customers.find_by_document(demo_vault, teller, "resident_id", "11010519491231002x")
    assert found is not None and found.customer_id == counter_session.state.customer_id
    counter_session.finish()


def test_returning_customer_skips_consent_and_gets_a_new_version(demo_vault, sign_in, lists_loaded):
    teller = sign_in("teller")
    first = CounterSession(demo_vault, teller)
    identify(first, SPECIMEN, ANSWERS)
    first.finish()
    again = CounterSession(demo_vault, teller)
    again.submit(SPECIMEN)
    assert again.flow.current_id == "profile" and again.state.existing is not None
    again.submit(EnterProfile({"address": "北京市海淀区中关村大街 1 号"}))  # only what changed
    again.submit()
    assert again.flow.current_id == "assessment"
    history = customers.versions(demo_vault, teller, again.state.customer_id)
    assert len(history) == 2


def test_expired_document_stops_the_session(demo_vault, sign_in):
    teller = sign_in("teller")
    counter_session = CounterSession(demo_vault, teller, today=date(2026, 11, 25))
    out = counter_session.submit(EnterDocument("resident_id", "11010519491231002X", id_issue_date="2000-01-01",
                                     id_expiry_date="2020-01-01"))
    assert out.stop is not None and out.stop.code == "document_expired"
    assert counter_session.flow.stopped is not None


def test_refused_consent_stores_nothing(demo_vault, sign_in):
    teller = sign_in("teller")
    counter_session = CounterSession(demo_vault, teller)
    counter_session.submit(SPECIMEN)
    out = counter_session.submit(DecideConsent(False))
    assert out.stop.code == "consent_refused"
    assert customers.find_by_document(demo_vault, teller, "resident_id", "11010519491231002X") is None


@pytest.mark.parametrize("age,capacity,ok", [(7, "limited", False), (7, "none", True), (8, "full", False),
                                             (15, "limited", True), (16, "full", True), (40, "full", True)])
def test_civil_capacity_fits_the_age(age, capacity, ok):
    assert civil_capacity_problems(age, capacity).ok is ok


def test_no_civil_capacity_stops_the_session(demo_vault, sign_in, lists_loaded):
    teller = sign_in("teller")
    counter_session = CounterSession(demo_vault, teller)
    counter_session.submit(SPECIMEN)
    counter_session.submit(DecideConsent(True))
    out = counter_session.submit(EnterProfile(dict(ANSWERS, civil_capacity="none")))
    assert out.stop is not None and out.stop.code == "no_civil_capacity"


def test_screening_hit_holds_until_another_supervisor_clears_it(demo_vault, sign_in, lists_loaded):
    teller = sign_in("teller")
    supervisor = sign_in("supervisor")
    counter_session = CounterSession(demo_vault, teller)
    # A customer who shares name, birth date and nationality with a (fictional) entry of the UN sample.
    counter_session.submit(replace(SPECIMEN, id_number="110105196803150011", id_issue_date="2010-06-01", id_long_term=False,
                      id_expiry_date="2030-06-01"))
    counter_session.submit(DecideConsent(True))
    counter_session.submit(EnterProfile(dict(ANSWERS, name_zh="王晓明", name_latin="WANG XIAOMING", sex="male",
                                   birth_date="1968-03-15")))
    out = counter_session.submit()
    assert out.hold is not None and counter_session.flow.current_id == "screening"
    assert not counter_session.flow.can_go_back  # the data screened cannot be edited to dodge the hit
    pending = disposition.pending_hits(demo_vault, supervisor)
    assert [p.screening_id for p in pending] == [counter_session.state.screening_id]
    disposition.dispose(demo_vault, supervisor, counter_session.state.screening_id, "false_positive",
                        _false_positive_code(), "different date of birth on the list")
    out = counter_session.submit()
    assert counter_session.flow.current_id == "assessment"


def test_the_customers_sex_is_screened_against_the_listed_gender(demo_vault, sign_in):
    """The KYC sex reaches the matcher: an identical name and birth date of a listed man still goes to
    review for a woman (an exact name never clears), with the differing gender explained."""
    tag = "<NAME_ORIGINAL_SCRIPT>王晓明</NAME_ORIGINAL_SCRIPT>"
    listed_male = fresh_un_list().replace(tag.encode(), (tag + "<GENDER>Male</GENDER>").encode(), 1)
    assert b"<GENDER>Male</GENDER>" in listed_male
    lists.import_files(demo_vault, sign_in("admin"), [("un_consolidated_sample.xml", listed_male)])
    counter_session = CounterSession(demo_vault, sign_in("teller"))
    counter_session.submit(replace(SPECIMEN, id_number="11010519680315002X", id_issue_date="2010-06-01",
                                   id_long_term=False, id_expiry_date="2030-06-01"))
    counter_session.submit(DecideConsent(True))
    counter_session.submit(EnterProfile(dict(ANSWERS, name_zh="王晓明", name_latin="WANG XIAOMING", sex="female",
                                             birth_date="1968-03-15")))
    out = counter_session.submit()
    assert out.hold is not None
    record = disposition.get_screening(demo_vault, sign_in("supervisor"), counter_session.state.screening_id)
    assert any(a.code == "gender_conflict" for a in record.hits[0].adjustments)


def _false_positive_code() -> str:
    return next(iter(disposition.FALSE_POSITIVE_REASONS))


def test_customer_answers_the_questionnaire_and_confirms(demo_vault, sign_in, lists_loaded):
    teller = sign_in("teller")
    counter_session = CounterSession(demo_vault, teller)
    identify(counter_session, SPECIMEN, ANSWERS)
    assert counter_session.flow.current_id == "assessment" and counter_session.submit(FindCurrentAssessment()).value is None
    counter_session.submit(StartAssessment())
    answers = questionnaire_answers(1, "age_65_up")  # the specimen holder was born in 1949
    found, result = counter_session.submit(RecordAnswers(answers, "customer_screen")).value
    assert found.gradable, found.contradictions
    assert result.grade in {"C1", "C2", "C3", "C4", "C5"} and result.confirmed_at is None
    out = counter_session.submit()
    assert not out.result.ok  # not confirmed by the customer yet
    assert counter_session.submit(ConfirmAssessment(False)).moved
    assert counter_session.flow.current_id == "recommendation"
    # The teller may not key in a customer's answers as if they were the customer.
    second = CounterSession(demo_vault, teller)
    identify(second, SPECIMEN, {})
    assert second.submit(FindCurrentAssessment()).value is not None
    second.submit(StartAssessment())
    with pytest.raises(Exception):
        second.submit(RecordAnswers(answers, "teller_screen")).value


def test_a_birth_date_that_contradicts_the_id_is_refused_and_nothing_is_stored(demo_vault, sign_in, lists_loaded):
    """110105198506151236 encodes 1985-06-15 and a man; 1986-06-15 typed at the profile step is refused
    on the field, and the store itself refuses it too."""
    teller = sign_in("teller")
    counter_session = CounterSession(demo_vault, teller)
    doc = EnterDocument("resident_id", "110105198506151236", id_issue_date="2015-06-01", id_expiry_date="2035-06-01")
    assert counter_session.submit(doc).result.ok
    counter_session.submit(DecideConsent(True))
    wrong = {**ANSWERS, "sex": "male", "birth_date": "1986-06-15"}
    out = counter_session.submit(EnterProfile(wrong))
    assert [(p.field, p.code) for p in out.result.errors()] == [("birth_date", "contradicts_document")]
    assert counter_session.flow.current_id == "profile"
    assert customers.find_by_document(demo_vault, teller, "resident_id", "110105198506151236") is None
    out = counter_session.submit(EnterProfile({**wrong, "sex": "female", "birth_date": "1985-06-15"}))
    assert [(p.field, p.code) for p in out.result.errors()] == [("sex", "contradicts_document")]
    out = counter_session.submit(EnterProfile({**wrong, "birth_date": "1985-06-15"}))
    assert out.result.ok and counter_session.flow.current_id == "screening"
    # The store is the last line: a change to the stored customer that contradicts the document is refused.
    from counterdesk.base.text import ValidationFailed
    with pytest.raises(ValidationFailed) as refused:
        customers.update_customer(demo_vault, teller, counter_session.state.customer_id, {"birth_date": "1986-06-15"},
                                  "typo")
    assert [p.code for p in refused.value.result.errors()] == ["contradicts_document"]
