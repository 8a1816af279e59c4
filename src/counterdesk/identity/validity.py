"""Validity of an identity document: expiry, 长期 (long-term), the resident ID's statutory period.

Rules and sources
- An expired document stops the session (domain rules §2): problem code "expired", an error. A
  document is valid up to and including its expiry date.
- 长期 (long-term) exists only on resident ID cards issued to holders aged 46 or more
  (居民身份证法 Art 5). Passports and permits always carry a date.
- Resident ID validity by age when the card was issued (居民身份证法 Art 5): under 16 → 5 years;
  16-25 → 10 years; 26-45 → 20 years; 46 and over → long-term. The period runs from the issue date
  to the same day and month N years later.
- The age that counts is the age when applying; the card is issued up to 60 days later, 90 in remote
  areas (居民身份证法 Art 10). So a holder who passed 16, 26 or 46 within the 90 days before the
  issue date may legitimately hold a card with the younger bracket's period.
- Adults are 18 or older (民法典 Art 17); a minor is reported with the age and a later step of the
  session decides about the guardian.
"""
from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from counterdesk.base.text import Result, Text
from counterdesk.identity.dates import add_years, age_on, iso, parse_date, same_day_later

LONG_TERM_WORDS = frozenset({"长期", "长期有效", "長期", "長期有效", "LONG-TERM", "LONG TERM", "LONGTERM", "LONG_TERM"})
APPLICATION_LEAD_DAYS = 90   # 居民身份证法 Art 10: 60 days, extended by at most 30 in remote areas
ADULT_AGE = 18               # 民法典 Art 17
LONG_TERM_MIN_AGE = 46       # 居民身份证法 Art 5


def statutory_years(age_at_issue: int) -> int | None:
    """Resident ID validity in years for the holder's age at issue; None means long-term."""
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


def _period_text(years: int | None) -> Text:
    return Text("长期", "long-term") if years is None else Text(f"{years}年", f"{years} years")


def parse_expiry(value: object, *, result: Result, field: str = "expiry") -> tuple[date | None, bool]:
    """(expiry date, long_term) from a date, a date string or 长期 / long-term. Never raises."""
    if value is None or value == "":
        return None, False
    if isinstance(value, str) and len(value) <= 40:
        word = unicodedata.normalize("NFKC", value).strip().upper()
        if word in LONG_TERM_WORDS:
            return None, True
    parsed = parse_date(value)
    if parsed is None:
        result.add(field, "expiry_invalid", Text(
            "有效期限不是有效日期，也不是“长期”", "the expiry is neither a real date nor 'long-term'"))
    return parsed, False


def check_expiry(expiry: date | None, long_term: bool, *, today: date, long_term_allowed: bool,
                 result: Result, field: str = "expiry") -> None:
    if long_term and not long_term_allowed:
        result.add(field, "long_term_not_allowed", Text(
            "此类证件没有“长期”有效期，请录入证件上的到期日期",
            "this kind of document has no long-term validity; enter the expiry date printed on it"))
    if expiry is not None and expiry < today:
        result.add(field, "expired", Text(
            f"证件有效期至 {iso(expiry)}，已过期，不能继续办理业务",
            f"the document was valid until {iso(expiry)} and has expired; the session cannot continue"))


def check_issue_date(issue: date | None, *, birth: date | None, expiry: date | None, today: date,
                     result: Result) -> None:
    if issue is None:
        return
    if issue > today:
        result.add("issue_date", "issue_date_future", Text("签发日期晚于今天", "the issue date is in the future"))
    if birth is not None and issue < birth:
        result.add("issue_date", "issue_date_before_birth", Text("签发日期早于出生日期",
                                                                 "the issue date is before the birth date"))
    if expiry is not None and expiry <= issue:
        result.add("expiry", "expiry_before_issue", Text("有效期截止日不晚于签发日期",
                                                         "the expiry date is not after the issue date"))


def _acceptable_years(birth: date, issue: date) -> tuple[int, set[int | None]]:
    age = age_on(birth, issue)
    allowed = {statutory_years(age)}
    applied = issue - timedelta(days=APPLICATION_LEAD_DAYS)
    if applied >= birth:
        allowed.add(statutory_years(age_on(birth, applied)))
    return age, allowed


def check_resident_id_period(*, birth: date | None, issue: date | None, expiry: date | None,
                             long_term: bool, today: date, result: Result) -> None:
    """Check the card's validity period against the holder's age at issue (居民身份证法 Art 5)."""
    if birth is None:
        return
    if issue is None or issue < birth or issue > today:
        # Without a usable issue date only one thing is certain: a long-term card needs the holder
        # to have been 46 at issue, so at least 46 today.
        if long_term and age_on(birth, today) < LONG_TERM_MIN_AGE:
            result.add("expiry", "long_term_not_allowed", Text(
                "持证人未满46周岁，居民身份证不能为长期有效",
                "the holder is under 46, so the ID card cannot be long-term"))
        return
    age, allowed = _acceptable_years(birth, issue)
    expected = statutory_years(age)
    if long_term:
        if None not in allowed:
            result.add("expiry", "long_term_not_allowed", Text(
                f"按领证时年龄（{age}岁），有效期应为{_period_text(expected).zh}，不能为长期",
                f"at the age of {age} at issue the card is valid for {_period_text(expected).en}, not long-term"))
        return
    if expiry is None or expiry <= issue:
        return
    dated = sorted(y for y in allowed if y is not None)
    if not dated:
        result.add("expiry", "validity_period_wrong", Text(
            f"领证时已满46周岁（{age}岁），居民身份证有效期应为长期",
            f"the holder was {age} at issue, so the ID card should be long-term"))
        return
    if any(expiry in same_day_later(issue, y) for y in dated):
        return
    if any(expiry.year - issue.year == y for y in dated):
        result.add("expiry", "validity_date_mismatch", Text(
            "有效期截止日与签发日期的月、日不一致，请核对证件",
            "the expiry's day and month differ from the issue date's; please check the card"), severity="warning")
        return
    result.add("expiry", "validity_period_wrong", Text(
        f"按领证时年龄（{age}岁），有效期应为{_period_text(expected).zh}，与证件上的期限不符",
        f"at the age of {age} at issue the card is valid for "
        f"{_period_text(expected).en}; the dates on it do not match"))


def check_max_period(issue: date | None, expiry: date | None, max_years: int, *, result: Result) -> None:
    """Warn when a permit's validity is longer than its kind is ever issued for."""
    if issue is None or expiry is None or expiry <= issue:
        return
    if expiry > add_years(issue, max_years) + timedelta(days=1):
        result.add("expiry", "validity_period_unusual", Text(
            f"有效期超过此类证件的最长期限（{max_years}年），请核对证件",
            f"the validity is longer than this kind of document is issued for ({max_years} years); please check it"),
            severity="warning")


def check_minor(age: int | None, *, result: Result) -> None:
    if age is not None and 0 <= age < ADULT_AGE:
        result.add("birth_date", "minor", Text(
            f"持证人未成年（{age}周岁），请按规定确认监护人",
            f"the holder is a minor ({age}); the guardian rules apply"),
            severity="warning")
