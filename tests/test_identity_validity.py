"""Expiry, 长期 and the resident ID's statutory validity period (居民身份证法 Art 5)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from counterdesk.base.text import Result
from counterdesk.identity import DocumentType, check_document, resident_id
from counterdesk.identity.dates import add_years, age_on, parse_date
from counterdesk.identity.validity import parse_expiry, statutory_years

TODAY = date(2025, 11, 25)
BORN = date(1980, 6, 15)
NUMBER = resident_id.compose("110105", BORN, 11)


def run(issue, expiry, *, number=NUMBER, today=TODAY):
    return check_document(DocumentType.RESIDENT_ID, number, issue_date=issue, expiry=expiry, today=today)


def problems(check):
    return {(p.code, p.severity) for p in check.result.problems}


def test_statutory_brackets():
    assert [statutory_years(a) for a in (0, 15, 16, 25, 26, 45, 46, 90)] == [5, 5, 10, 10, 20, 20, None, None]


@pytest.mark.parametrize("age, offset_days, years, ok_codes", [
    # age at issue, days after that birthday, validity on the card -> expected problem codes
    (15, 200, 5, set()),
    (15, 200, 10, {("validity_period_wrong", "error")}),
    (16, 100, 10, set()),
    (16, 100, 5, {("validity_period_wrong", "error")}),
    (16, 0, 5, set()),     # applied at 15, issued on the 16th birthday: both periods are lawful
    (16, 0, 10, set()),
    (25, 300, 10, set()),
    (25, 300, 20, {("validity_period_wrong", "error")}),
    (26, 100, 20, set()),
    (26, 100, 10, {("validity_period_wrong", "error")}),
    (45, 300, 20, set()),
    (45, 300, None, {("long_term_not_allowed", "error")}),
    (46, 100, None, set()),
    (46, 100, 20, {("validity_period_wrong", "error")}),
    (46, 30, 20, set()),   # applied at 45 within the 90-day issuing window
])
def test_age_at_issue_boundaries(age, offset_days, years, ok_codes):
    born = date(1950, 3, 10)
    number = resident_id.compose("110105", born, 11)
    issue = add_years(born, age) + timedelta(days=offset_days)
    today = add_years(issue, 3)  # an adult by then (no "minor" warning) and before any expiry
    expiry = "长期" if years is None else add_years(issue, years)
    check = run(issue, expiry, number=number, today=today)
    assert age_on(born, issue) == age
    assert problems(check) == ok_codes


def test_day_and_month_off_is_a_warning_wrong_span_an_error():
    issue = date(2010, 3, 1)  # age 29: 20 years
    assert problems(run(issue, date(2030, 3, 1))) == set()
    assert problems(run(issue, date(2030, 3, 2))) == {("validity_date_mismatch", "warning")}
    assert problems(run(issue, date(2030, 2, 28))) == {("validity_date_mismatch", "warning")}
    assert problems(run(issue, date(2031, 3, 1))) == {("validity_period_wrong", "error")}
    assert problems(run(issue, "长期")) == {("long_term_not_allowed", "error")}


def test_29_february_issue_date():
    born = date(1990, 5, 5)
    number = resident_id.compose("110105", born, 11)
    issue = date(2016, 2, 29)  # aged 25: 10 years, to a common year
    for expiry in (date(2026, 2, 28), date(2026, 3, 1)):
        assert problems(run(issue, expiry, number=number)) == set()
    assert problems(run(issue, date(2026, 3, 2), number=number)) == {("validity_date_mismatch", "warning")}
    assert add_years(date(2016, 2, 29), 4) == date(2020, 2, 29)


def test_birthday_on_29_february_counts_on_1_march():
    leap = date(2008, 2, 29)
    assert age_on(leap, date(2024, 2, 28)) == 15
    assert age_on(leap, date(2024, 2, 29)) == 16
    assert age_on(leap, date(2025, 2, 28)) == 16
    assert age_on(leap, date(2026, 2, 28)) == 17 and age_on(leap, date(2026, 3, 1)) == 18


def test_expiry_today_is_valid_yesterday_expired():
    issue = date(2005, 11, 25)  # aged 25: 10 years -> 2015-11-25
    assert problems(run(issue, date(2015, 11, 25), today=date(2015, 11, 25))) == set()
    check = run(issue, date(2015, 11, 25), today=date(2015, 11, 26))
    assert problems(check) == {("expired", "error")}
    assert check.stops_session
    (p,) = check.result.problems
    assert p.field == "expiry" and "2015-11-25" in p.text.zh and "2015-11-25" in p.text.en


def test_long_term_only_for_resident_ids():
    for kind, number in ((DocumentType.PASSPORT, "E12345678"), (DocumentType.HK_MACAU_PERMIT, "H12345678"),
                         (DocumentType.TAIWAN_PERMIT, "12345678")):
        check = check_document(kind, number, expiry="长期", today=TODAY)
        assert ("long_term_not_allowed", "error") in problems(check)


def test_long_term_without_issue_date_needs_age_46_today():
    young = resident_id.compose("110105", date(1985, 1, 1), 11)
    assert ("long_term_not_allowed", "error") in problems(run(None, "长期", number=young))
    assert ("long_term_not_allowed", "error") in problems(run(None, "long-term", number=NUMBER))  # 45 today
    old = resident_id.compose("110105", date(1970, 1, 1), 11)
    assert problems(run(None, "长期", number=old)) == set()


def test_issue_date_sanity():
    assert ("issue_date_future", "error") in problems(run(TODAY + timedelta(days=1), "2040-01-01"))
    assert ("issue_date_before_birth", "error") in problems(run(date(1970, 1, 1), "2040-01-01"))
    assert ("expiry_before_issue", "error") in problems(run(date(2020, 1, 1), date(2019, 1, 1)))
    assert ("issue_date_invalid", "error") in problems(run("2020-02-30", "2040-01-01"))


def test_minor_reports_age():
    born = add_years(TODAY, -12)
    number = resident_id.compose("110105", born, 12)
    check = run(None, None, number=number)
    assert check.parsed.age == 12 and check.parsed.is_minor
    assert ("minor", "warning") in problems(check) and check.result.ok
    adult = resident_id.compose("110105", add_years(TODAY, -18), 12)
    assert not check_document("resident_id", adult, today=TODAY).parsed.is_minor


@pytest.mark.parametrize("value, expected", [
    ("长期", (None, True)), ("长期有效", (None, True)), ("long-term", (None, True)), (" Long Term ", (None, True)),
    ("LONG-TERM", (None, True)), ("2030-01-02", (date(2030, 1, 2), False)), ("2030.1.2", (date(2030, 1, 2), False)),
    ("20300102", (date(2030, 1, 2), False)), ("2030年1月2日", (date(2030, 1, 2), False)),
    (date(2030, 1, 2), (date(2030, 1, 2), False)), (None, (None, False)),
])
def test_parse_expiry(value, expected):
    res = Result()
    assert parse_expiry(value, result=res) == expected and res.problems == []


@pytest.mark.parametrize("value", ["soon", "2030-13-01", "2030-02-30", "203001", 3.5, "长期" * 30, "２０３０-٠١-٠١"])
def test_parse_expiry_rejects(value):
    res = Result()
    parse_expiry(value, result=res)
    assert [p.code for p in res.problems] == ["expiry_invalid"]


def test_parse_date_forms():
    assert parse_date("2024-3-1") == date(2024, 3, 1)
    assert parse_date("2024123") is None  # ambiguous without separators
    assert parse_date("x" * 1000) is None and parse_date(None) is None


def test_permit_validity_longer_than_issued_is_a_warning():
    check = check_document(DocumentType.TAIWAN_PERMIT, "12345678", issue_date="2020-01-01", expiry="2030-01-01", today=TODAY)
    assert problems(check) == {("validity_period_unusual", "warning")}
    check = check_document(DocumentType.TAIWAN_PERMIT, "12345678", issue_date="2021-01-01", expiry="2026-01-01", today=TODAY)
    assert problems(check) == set()
