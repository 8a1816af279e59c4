"""Resident ID numbers (GB 11643-1999) and the old 15-digit form."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.identity import gb2260, resident_id
from counterdesk.identity.checkdigits import MOD11_2_WEIGHTS, mod11_2

TODAY = date(2025, 11, 25)
SPECIMEN = "11010519491231002X"


def codes(check: resident_id.ResidentIdCheck) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in check.result.problems]


def test_weights_and_check_table_are_the_standard_ones():
    assert MOD11_2_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    # sum mod 11 -> 1 0 X 9 8 7 6 5 4 3 2
    assert mod11_2("00000000000000000") == "1"
    assert mod11_2("1234567890123456") is None
    assert mod11_2("1234567890123456A") is None


def test_the_public_specimen():
    check = resident_id.parse(SPECIMEN, today=TODAY)
    assert check.result.ok and check.result.problems == []
    rid = check.parsed
    assert rid.number == SPECIMEN and rid.given_form == 18
    assert rid.division_code == "110105" and rid.division_name == "北京市 朝阳区"
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "F"
    assert resident_id.check_character(SPECIMEN[:17]) == "X"


@pytest.mark.parametrize("text", [
    "11010519491231002x", " 110105 19491231 002X ", "110105-19491231-002X", "１１０１０５１９４９１２３１００２Ｘ",
    b"11010519491231002X",
])
def test_typing_variants_are_normalised(text):
    check = resident_id.parse(text, today=TODAY)
    assert check.result.ok, codes(check)
    assert check.parsed.number == SPECIMEN


@pytest.mark.parametrize("text, code", [
    ("110105194912310021", "check_char"),       # wrong check character
    ("11010519491231002", "format"),            # 17 characters
    ("11010519491231002XX", "format"),          # 19
    ("1101051949123100X2", "format"),           # X not last
    ("110105194902300029", "birth_date_invalid"),  # 30 February
    ("110105189912310025", "birth_date_too_early"),
    ("110105209912310022", "birth_date_future"),
    ("000105194912310023", "division_unknown"),  # no province 00
    ("720105194912310023", "division_unknown"),  # no province 72
    ("810000199001010013", "hmt_residence_permit_number"),
    ("911826198002290020", "foreign_pr_number"),
    ("", "missing"),
    (None, "missing"),
    ("1" * 65, "too_long"),
    (12.5, "not_text"),
    (True, "not_text"),
])
def test_invalid_numbers(text, code):
    check = resident_id.parse(text, today=TODAY)
    assert not check.result.ok
    assert code in [p.code for p in check.result.problems]


def _with_check(body17: str) -> str:
    return body17 + mod11_2(body17)


def test_future_birth_date_is_refused_even_with_a_right_check_character():
    n = _with_check("11010520260101001")
    assert "birth_date_future" in [c for c, _ in codes(resident_id.parse(n, today=TODAY))]
    assert resident_id.parse(_with_check("11010520251125001"), today=TODAY).result.ok  # born today


def test_abolished_division_code_is_accepted_for_people_born_while_it_existed():
    # 110103 崇文区 was abolished in 2010; IDs keep their code.
    n = resident_id.compose("110103", date(1970, 3, 1), 15)
    check = resident_id.parse(n, today=TODAY)
    assert check.result.ok and check.result.problems == []
    assert check.parsed.division_name == "北京市 崇文区"


def test_abolished_code_for_someone_born_long_after_is_a_warning():
    n = resident_id.compose("110103", date(2020, 3, 1), 15)
    check = resident_id.parse(n, today=TODAY)
    assert check.result.ok
    assert ("division_retired", "warning") in codes(check)


def test_code_in_no_edition_of_gb2260_is_an_error():
    # Issue 13 defect 4: 310199 is in no edition of GB/T 2260 (上海市市辖区 has no county 99), even though
    # its prefecture 310100 is listed; it used to pass with a warning.
    for code in ("310199", "110199"):
        check = resident_id.parse(resident_id.compose(code, date(1990, 1, 1), 11), today=TODAY)
        assert not check.result.ok
        assert ("division_unknown", "error") in codes(check)
        problem = next(p for p in check.result.problems if p.code == "division_unknown")
        assert problem.field == "number" and problem.text.zh and problem.text.en
    n = resident_id.compose("119901", date(1990, 1, 1), 11)
    assert "division_unknown" in [c for c, _ in codes(resident_id.parse(n, today=TODAY))]


@pytest.mark.parametrize("code, born, name", [
    ("350404", date(2022, 5, 1), "福建省 三明市 三元区"),    # 2021: 梅列区 and 三元区 merged under a new code
    ("659012", date(2023, 1, 1), "新疆维吾尔自治区 白杨市"),  # 2022: new county-level city
    ("653228", date(2025, 1, 1), "新疆维吾尔自治区 和田地区 和康县"),  # 2024: new county
    ("500157", date(2025, 9, 1), "重庆市 两江新区"),          # 2025
])
def test_codes_created_after_the_2020_edition_are_known(code, born, name):
    # Making unknown codes errors needs a complete table: counties created since 2021 must be in it.
    check = resident_id.parse(resident_id.compose(code, born, 11), today=TODAY)
    assert check.result.ok and check.result.problems == [], codes(check)
    assert check.parsed.division_name == name


def test_codes_abolished_after_2020_keep_working_for_earlier_births():
    # 350402 梅列区 was merged into the new 三元区 (350404) in 2021; a 1990 number keeps 350402.
    check = resident_id.parse(resident_id.compose("350402", date(1990, 1, 1), 11), today=TODAY)
    assert check.result.ok and check.result.problems == []
    assert gb2260.last_year_in_use("350402") == 2020


def test_sex_from_the_17th_digit():
    male = resident_id.compose("110105", date(1980, 1, 1), 11)
    female = resident_id.compose("110105", date(1980, 1, 1), 12)
    assert resident_id.parse(male, today=TODAY).parsed.sex == "M"
    assert resident_id.parse(female, today=TODAY).parsed.sex == "F"


def test_old_15_digit_form_parses_and_converts():
    check = resident_id.parse("110105491231002", today=TODAY)
    assert check.result.ok
    rid = check.parsed
    assert rid.given_form == 15 and rid.number == SPECIMEN
    assert rid.birth_date == date(1949, 12, 31) and rid.sex == "F"
    assert resident_id.convert_15_to_18("110105491231002") == SPECIMEN
    assert resident_id.convert_15_to_18("110105490231002") is None  # 31 February
    assert resident_id.convert_15_to_18("11010549123100") is None
    assert "birth_date_invalid" in [c for c, _ in codes(resident_id.parse("110105490231002", today=TODAY))]


def test_29_february():
    assert resident_id.parse(resident_id.compose("110105", date(1980, 2, 29), 1), today=TODAY).result.ok
    assert not resident_id.parse(_with_check("11010519810229001"), today=TODAY).result.ok


_COUNTY_CODES = sorted(c for c in ("110105", "310104", "440305", "510104", "650102", "110103", "469034"))


@settings(max_examples=150, deadline=None)
@given(code=st.sampled_from(_COUNTY_CODES),
       born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
       seq=st.integers(min_value=0, max_value=999))
def test_round_trip(code, born, seq):
    number = resident_id.compose(code, born, seq)
    check = resident_id.parse(number, today=TODAY)
    assert not check.result.errors(), codes(check)
    rid = check.parsed
    assert (rid.division_code, rid.birth_date, rid.sequence) == (code, born, f"{seq:03d}")
    assert rid.sex == ("M" if seq % 2 else "F")
    assert rid.division_name and gb2260.name_of(code) in rid.division_name


@settings(max_examples=100, deadline=None)
@given(born=st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), seq=st.integers(0, 999))
def test_15_to_18_round_trip(born, seq):
    n18 = resident_id.compose("110105", born, seq)
    n15 = n18[:6] + n18[8:17]
    assert resident_id.convert_15_to_18(n15) == n18


@settings(max_examples=100, deadline=None)
@given(pos=st.integers(0, 16), digit=st.integers(0, 9))
def test_any_single_digit_change_is_caught(pos, digit):
    if SPECIMEN[pos] == str(digit):
        return
    changed = SPECIMEN[:pos] + str(digit) + SPECIMEN[pos + 1:]
    assert not resident_id.parse(changed, today=TODAY).result.ok
