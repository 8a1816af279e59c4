"""Issue 13 defect 3: one definition of assessment validity (NFRA 2025 Art 29), in the branch's time zone,
agreed on by the assessment store, the suitability engine and what the screens show."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from tests.test_assessment_repository import KYC, MID, _run

from counterdesk.base import assessment_validity as validity
from counterdesk.base.branchtime import BRANCH_TZ as CST
from counterdesk.forms import load_form
from counterdesk.services.assessment import repository as arepo
from counterdesk.services.customers import repository as repo
from counterdesk.services.sales.facts import assessment_facts
from counterdesk.suitability import PROHIBITED, RECOMMENDED, CustomerFacts, ProductFacts, SaleContext, evaluate


@pytest.fixture
def teller(sign_in):
    return sign_in("teller")


@pytest.fixture
def customer(demo_vault, teller):
    sid = repo.open_session(demo_vault, teller)
    consent = repo.record_consent(demo_vault, teller, sid, True, 1)
    return repo.create_customer(demo_vault, teller, KYC, load_form("kyc"), consent, sid), sid


def _decide(result, today: date):
    bond = ProductFacts(code="B1", type="bond", risk_level=1)
    return evaluate(CustomerFacts(age=40, investable_assets=D(1_000_000)), assessment_facts(result), bond,
                    SaleContext(amount=D(1000), today=today))


def test_anniversary_day_store_and_engine_agree(demo_vault, teller, customer):
    """Completed 2025-03-10 15:00 CST: valid through 2026-03-09 for everyone, expired on 2026-03-10 09:00."""
    cid, sid = customer
    _aid, result = _run(demo_vault, teller, cid, sid, datetime(2025, 3, 10, 15, 0, tzinfo=CST), answers=MID)
    assert result.last_valid_day == date(2026, 3, 9)
    eve = arepo.current_assessment(demo_vault, teller, cid, now=datetime(2026, 3, 9, 23, 59, 59, tzinfo=CST))
    assert eve is not None and _decide(eve, date(2026, 3, 9)).outcome == RECOMMENDED
    morning = datetime(2026, 3, 10, 9, 0, tzinfo=CST)
    assert arepo.current_assessment(demo_vault, teller, cid, now=morning) is None
    # The engine, given the result the store held the evening before, says the same on the anniversary.
    d = _decide(eve, date(2026, 3, 10))
    assert d.outcome == PROHIBITED and d.rule_ids == ("SUIT-ASSESS-02",) and "2026-03-09" in d.findings[0].reason.en


def test_early_morning_completion_counts_on_the_branch_day_not_the_utc_day(demo_vault, teller, customer):
    """07:00 CST is still the previous day in UTC: the branch day decides (valid through 2026-03-09)."""
    cid, sid = customer
    completed = datetime(2025, 3, 10, 7, 0, tzinfo=CST)
    assert completed.astimezone(UTC).date() == date(2025, 3, 9)
    _aid, result = _run(demo_vault, teller, cid, sid, completed, answers=MID)
    assert result.last_valid_day == date(2026, 3, 9)
    assert assessment_facts(result).completed_at == date(2025, 3, 10)
    assert arepo.current_assessment(demo_vault, teller, cid, now=datetime(2026, 3, 9, 12, 0, tzinfo=CST)) is not None
    eve = arepo.current_assessment(demo_vault, teller, cid, now=datetime(2026, 3, 9, 12, 0, tzinfo=CST))
    assert _decide(eve, date(2026, 3, 9)).outcome == RECOMMENDED


def test_an_older_stored_end_is_read_by_the_same_rule(demo_vault, teller, customer):
    """Rows graded before the fix stored the anniversary moment itself (completed + 12 months): the rule caps it."""
    cid, sid = customer
    aid, _result = _run(demo_vault, teller, cid, sid, datetime(2025, 3, 10, 15, 0, tzinfo=CST), answers=MID)
    old_end = datetime(2026, 3, 10, 15, 0, tzinfo=CST).astimezone(UTC).isoformat(timespec="microseconds")

    def rewrite(db):
        from counterdesk.store.models.assessment import Assessment
        db.get(Assessment, aid).valid_until = old_end
    demo_vault.transact(rewrite)
    assert arepo.current_assessment(demo_vault, teller, cid, now=datetime(2026, 3, 10, 9, 0, tzinfo=CST)) is None
    eve = arepo.current_assessment(demo_vault, teller, cid, now=datetime(2026, 3, 9, 9, 0, tzinfo=CST))
    assert eve is not None and eve.last_valid_day == date(2026, 3, 9)


@pytest.mark.parametrize("completed,last", [
    (date(2025, 3, 10), date(2026, 3, 9)),
    (date(2024, 2, 29), date(2025, 2, 27)),  # 29 Feb + 12 months = 28 Feb
    (date(2025, 1, 31), date(2026, 1, 30)),
])
def test_the_definition(completed, last):
    assert validity.last_valid_day(completed, 12) == last
    assert validity.state_on(completed, last, 12) == "valid"
    assert validity.state_on(completed, last + timedelta(days=1), 12) == "expired"
    assert validity.state_on(completed, completed - timedelta(days=1), 12) == "future"
    end = validity.valid_end(completed, 12)
    assert end == datetime.combine(last + timedelta(days=1), datetime.min.time(), CST)
    assert validity.recorded_last_day(end) == last
    assert validity.last_valid_day(completed, 6) < last  # a shorter setting shortens it
