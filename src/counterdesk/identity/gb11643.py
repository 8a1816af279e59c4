"""The 18-character number layout of GB 11643-1999, shared by three documents.

6-character prefix + 8-digit birth date YYYYMMDD + 3-digit sequence (17th character odd = male)
+ ISO 7064 MOD 11-2 check character (0-9 or X). Used as is by the resident ID, the HK/Macau/Taiwan
residence permit (prefix 810000/820000/830000) and the 2023 foreign permanent-resident ID
(prefix 9 + province + nationality). Each document checks its own prefix; this module checks the
rest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from counterdesk.base.text import Result, Text
from counterdesk.identity.checkdigits import mod11_2
from counterdesk.identity.dates import EARLIEST_BIRTH, from_yyyymmdd

FORMAT_18 = re.compile(r"[0-9]{17}[0-9X]")


@dataclass(frozen=True)
class Gb11643Parts:
    prefix: str
    birth_date: date | None
    sequence: str
    sex: str  # 'M' or 'F'
    check_ok: bool


def sex_from_digit(ch: str) -> str:
    return "M" if int(ch) % 2 else "F"


def compose(prefix6: str, birth: date, sequence: str) -> str:
    """The full 18-character number for a 6-digit prefix, a birth date and a 3-digit sequence."""
    body = f"{prefix6}{birth:%Y%m%d}{sequence}"
    check = mod11_2(body)
    if check is None:
        raise ValueError("prefix and sequence must be digits: 6 and 3 of them")
    return body + check


def check_birth_date(born: date | None, *, field: str, today: date, result: Result) -> None:
    if born is None:
        result.add(field, "birth_date_invalid", Text("号码中的出生日期不是有效日期",
                                                     "the birth date in the number is not a real date"))
    elif born > today:
        result.add(field, "birth_date_future", Text("号码中的出生日期晚于今天",
                                                    "the birth date in the number is in the future"))
    elif born < EARLIEST_BIRTH:
        result.add(field, "birth_date_too_early", Text("号码中的出生日期早于1900年",
                                                       "the birth date in the number is before 1900"))


def split(number: str, *, field: str, today: date, result: Result) -> Gb11643Parts | None:
    """Check an 18-character number (already folded to upper case) and return its parts.

    Returns None (with a 'format' problem) when it is not 17 digits plus a digit or X; otherwise the
    parts, with problems added for a wrong check character or an impossible birth date."""
    if not FORMAT_18.fullmatch(number):
        result.add(field, "format", Text("号码应为18位：17位数字加1位数字或X",
                                         "the number must be 18 characters: 17 digits and a digit or X"))
        return None
    expected = mod11_2(number[:17])
    check_ok = expected == number[17]
    if not check_ok:
        result.add(field, "check_char", Text("校验位不正确，请核对号码",
                                             "the check character is wrong; please check the number"))
    born = from_yyyymmdd(number[6:14])
    check_birth_date(born, field=field, today=today, result=result)
    return Gb11643Parts(number[:6], born, number[14:17], sex_from_digit(number[16]), check_ok)
