"""Resident ID card numbers (居民身份证, GB 11643-1999; the old 15-digit form of GB 11643-1989).

18 characters: 6-digit administrative-division code (GB/T 2260, the code valid when the number was
first issued) + birth date YYYYMMDD + 3-digit sequence (odd = male) + MOD 11-2 check character.
The 15-digit first-generation form has a 2-digit year (19YY implied), a 3-digit sequence (the last
digit odd = male) and no check character; it converts to 18 by inserting "19" and appending the
check character.

The division code must be in some edition of GB/T 2260 (issue 13): the bundled table holds every
edition from 1980 to the Ministry's 2026 list, abolished codes included, because an ID keeps the code
that was valid when the number was issued (resources/identity/gb2260.SOURCE.txt). A code in none of
them, such as 310199, is an error even when its prefecture exists; a code retired long before the
holder's birth is a warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from counterdesk.base.text import Result, Text
from counterdesk.identity import gb2260, gb11643
from counterdesk.identity.checkdigits import mod11_2
from counterdesk.identity.dates import make_date
from counterdesk.identity.rawinput import MAX_NUMBER_CHARS, coerce_text, fold

FORMAT_15 = re.compile(r"[0-9]{15}")
HMT_PREFIXES = ("810000", "820000", "830000")
# A division code retired this many years before the birth year is suspicious: newborns get the
# code in force. One year of slack because the table records editions by year, not by day.
RETIRED_CODE_SLACK_YEARS = 1


@dataclass(frozen=True)
class ResidentId:
    number: str                 # always the 18-character form
    given_form: int             # 18, or 15 when the old form was given (and converted)
    division_code: str
    division_name: str | None   # e.g. "北京市 朝阳区", None when not in the table
    birth_date: date | None
    sequence: str
    sex: str | None             # 'M' / 'F'


@dataclass
class ResidentIdCheck:
    result: Result = field(default_factory=Result)
    parsed: ResidentId | None = None


def check_character(body17: str) -> str | None:
    """The MOD 11-2 check character for the first 17 digits."""
    return mod11_2(body17)


def compose(division_code: str, birth: date, sequence: int | str) -> str:
    """A valid 18-character number (for tests and the simulator)."""
    return gb11643.compose(division_code, birth, f"{int(sequence):03d}")


def convert_15_to_18(number15: str) -> str | None:
    """The 18-character form of a 15-digit number, or None when it is not 15 digits with a real date."""
    if not isinstance(number15, str) or not FORMAT_15.fullmatch(number15):
        return None
    if make_date(1900 + int(number15[6:8]), int(number15[8:10]), int(number15[10:12])) is None:
        return None
    body = number15[:6] + "19" + number15[6:]
    return body + (mod11_2(body) or "")


def check_division(code: str, birth_year: int | None, *, field_: str, result: Result) -> str | None:
    """Check a 6-digit division code against GB/T 2260; return its display name when listed."""
    if not gb2260.is_province(code[:2]) or code.startswith(("81", "82", "83")):
        result.add(field_, "division_unknown", Text(
            "号码前6位不是有效的行政区划代码", "the first 6 digits are not a valid administrative-division code"))
        return None
    if gb2260.is_known(code):
        last = gb2260.last_year_in_use(code)
        if birth_year is not None and last is not None and birth_year > last + RETIRED_CODE_SLACK_YEARS:
            result.add(field_, "division_retired", Text(
                f"号码前6位的行政区划代码于 {last + 1} 年前后停用，而持证人出生晚于此，请核对号码",
                f"the division code (first 6 digits) went out of use around {last + 1}, "
                "before the holder was born; please check the number"),
                severity="warning")
        return gb2260.full_name(code, birth_year)
    result.add(field_, "division_unknown", Text(
        "号码前6位不是有效的行政区划代码（不在任何一版 GB/T 2260 中），请核对号码",
        "the first 6 digits are not an administrative-division code of any edition of GB/T 2260; "
        "please check the number"))
    return None


def parse_number(number: str, *, today: date, result: Result, field_: str = "number") -> ResidentId | None:
    """Check an already folded (upper-case, no spaces) number of 15 or 18 characters."""
    if len(number) == 15:
        if not FORMAT_15.fullmatch(number):
            result.add(field_, "format", Text("15位旧号码应全部为数字", "an old 15-digit number must be all digits"))
            return None
        born = make_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
        gb11643.check_birth_date(born, field=field_, today=today, result=result)
        name = check_division(number[:6], born.year if born else None, field_=field_, result=result)
        body = number[:6] + "19" + number[6:]
        return ResidentId(body + (mod11_2(body) or ""), 15, number[:6], name, born, number[12:15],
                          gb11643.sex_from_digit(number[14]))
    if len(number) != 18:
        result.add(field_, "format", Text(
            "居民身份证号码应为18位（17位数字加1位数字或X），旧版为15位数字",
            "a resident ID number has 18 characters (17 digits and a digit or X), or 15 digits in the old form"))
        return None
    if number.startswith(HMT_PREFIXES):
        result.add(field_, "hmt_residence_permit_number", Text(
            "这是港澳台居民居住证号码，请选择证件类型“港澳台居民居住证”",
            "this is a HK/Macau/Taiwan residence permit number; choose that document type"))
        return None
    if number.startswith("9"):
        result.add(field_, "foreign_pr_number", Text(
            "这是外国人永久居留身份证号码，请选择相应的证件类型",
            "this is a foreign permanent-resident ID number; choose that document type"))
        return None
    parts = gb11643.split(number, field=field_, today=today, result=result)
    if parts is None:
        return None
    born = parts.birth_date
    name = check_division(number[:6], born.year if born else None, field_=field_, result=result)
    return ResidentId(number, 18, number[:6], name, born, parts.sequence, parts.sex)


def parse(text: object, *, today: date) -> ResidentIdCheck:
    """Check a resident ID number as typed or read (15 or 18 characters; spaces, lower-case x and
    full-width digits are fine). Never raises."""
    out = ResidentIdCheck()
    raw = coerce_text(text, field="number", limit=MAX_NUMBER_CHARS, result=out.result)
    if raw is not None:
        out.parsed = parse_number(fold(raw), today=today, result=out.result)
    return out
