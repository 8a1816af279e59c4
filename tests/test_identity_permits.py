"""HK/Macau and Taiwan permits, HK/Macau/Taiwan residence permits, foreign permanent-resident IDs."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.identity import permits
from counterdesk.identity.checkdigits import mod11_2, mrz_check_digit

TODAY = date(2025, 11, 25)


def codes(check) -> list[str]:
    return [p.code for p in check.result.problems]


# ---- table of cases: (function, text, ok, expected codes) --------------------------------------
CASES = [
    (permits.hk_macau_permit, "H12345678", True, []),
    (permits.hk_macau_permit, "m 1234 5678", True, []),
    (permits.hk_macau_permit, "H1234567801", True, ["old_format"]),
    (permits.hk_macau_permit, "H1234567", False, ["format"]),
    (permits.hk_macau_permit, "K12345678", False, ["format"]),
    (permits.hk_macau_permit, "H123456789", False, ["format"]),
    (permits.hk_macau_permit, "", False, ["missing"]),
    (permits.taiwan_permit, "12345678", True, []),
    (permits.taiwan_permit, "0561682001(D)", True, ["old_format"]),
    (permits.taiwan_permit, "0561682001（B）", True, ["old_format"]),
    (permits.taiwan_permit, "0561682001", True, ["old_format"]),
    (permits.taiwan_permit, "1234567", False, ["format"]),
    (permits.taiwan_permit, "T1234567", False, ["format"]),
    (permits.taiwan_permit, "123456789", False, ["format"]),
]


@pytest.mark.parametrize("fn, text, ok, expected", CASES)
def test_permit_table(fn, text, ok, expected):
    check = fn(text)
    assert check.result.ok is ok
    assert codes(check) == expected


def test_permit_details():
    hk = permits.hk_macau_permit("h12345678").parsed
    assert (hk.number, hk.region) == ("H12345678", "HKG")
    assert permits.hk_macau_permit("M12345678").parsed.region == "MAC"
    tw = permits.taiwan_permit("0561682001(D)").parsed
    assert (tw.number, tw.as_given, tw.region, tw.old_format) == ("05616820", "0561682001(D)", "TWN", True)


def test_hmt_residence_permit():
    for region, prefix in (("HKG", "810000"), ("MAC", "820000"), ("TWN", "830000")):
        number = permits.compose_hmt_residence_permit(region, date(1990, 1, 1), 11)
        assert number.startswith(prefix)
        check = permits.hmt_residence_permit(number, today=TODAY)
        assert check.result.ok, codes(check)
        p = check.parsed
        assert (p.region, p.birth_date, p.sex, p.nationality) == (region, date(1990, 1, 1), "M", "CHN")
    body = "84000019900101001"
    assert "prefix" in codes(permits.hmt_residence_permit(body + mod11_2(body), today=TODAY))
    body = "11010519491231002"
    assert "prefix" in codes(permits.hmt_residence_permit(body + mod11_2(body), today=TODAY))
    assert "check_char" in codes(permits.hmt_residence_permit("810000199001010010", today=TODAY))
    body = "81000020300101001"
    assert "birth_date_future" in codes(permits.hmt_residence_permit(body + mod11_2(body), today=TODAY))


def test_foreign_pr_2023_version():
    # The example from the NIA adaptation notes: Jiangsu (32), Saudi Arabia (682), 1985-01-01, male.
    check = permits.foreign_pr_id("932682198501010017", today=TODAY)
    assert check.result.ok, codes(check)
    p = check.parsed
    assert (p.nationality, p.birth_date, p.sex) == ("SAU", date(1985, 1, 1), "M")
    n = permits.compose_foreign_pr_id("31", "826", date(1980, 2, 29), 2)
    p = permits.foreign_pr_id(n, today=TODAY).parsed
    assert (p.nationality, p.birth_date, p.sex) == ("GBR", date(1980, 2, 29), "F")


@pytest.mark.parametrize("body17, code", [
    ("99982619800101001", "province_unknown"),    # 99 is no province
    ("98182619800101001", "province_unknown"),    # 81 Hong Kong: not where permanent residence is granted
    ("93199919800101001", "nationality_unknown"),  # 999 is no ISO 3166 numeric code
    ("93182619800230001", "birth_date_invalid"),
    ("93182618991231001", "birth_date_too_early"),
])
def test_foreign_pr_2023_invalid(body17, code):
    check = permits.foreign_pr_id(body17 + mod11_2(body17), today=TODAY)
    assert code in codes(check) and not check.result.ok


def test_foreign_pr_wrong_check_and_format():
    assert "check_char" in codes(permits.foreign_pr_id("932682198501010018", today=TODAY))
    assert "format" in codes(permits.foreign_pr_id("832682198501010017", today=TODAY))
    assert "format" in codes(permits.foreign_pr_id("9326821985", today=TODAY))


def test_foreign_pr_old_version():
    # The example printed in the NIA adaptation notes satisfies the documented layout and check.
    check = permits.foreign_pr_id("KAZ110090123105", today=TODAY)
    assert check.result.ok, codes(check)
    p = check.parsed
    assert (p.nationality, p.birth_date, p.sex) == ("KAZ", date(1990, 12, 31), "F")
    assert mrz_check_digit("KAZ11009012310") == "5"
    n = permits.compose_foreign_pr_id_old("USA", "3101", date(2001, 5, 6), 7)
    p = permits.foreign_pr_id(n.lower(), today=TODAY).parsed
    assert (p.number, p.nationality, p.birth_date, p.sex) == (n, "USA", date(2001, 5, 6), "M")


@pytest.mark.parametrize("text, code", [
    ("KAZ110090123104", "check_char"),
    ("XYZ110090123105", "nationality_unknown"),
    ("KAZ990090123105", "region_unknown"),
    ("KAZ110090133105", "birth_date_invalid"),   # month 13
    ("KA1110090123105", "format"),
])
def test_foreign_pr_old_invalid(text, code):
    if code not in ("check_char", "format"):  # keep the check digit right so only `code` fails
        text = text[:14] + mrz_check_digit(text[:14])
    assert code in codes(permits.foreign_pr_id(text, today=TODAY))


@settings(max_examples=80, deadline=None)
@given(province=st.sampled_from(["11", "31", "44", "65"]), nat=st.sampled_from(["156", "826", "840", "392", "004"]),
       born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY), seq=st.integers(0, 999))
def test_foreign_pr_round_trip(province, nat, born, seq):
    number = permits.compose_foreign_pr_id(province, nat, born, seq)
    check = permits.foreign_pr_id(number, today=TODAY)
    assert check.result.ok, codes(check)
    assert check.parsed.birth_date == born and check.parsed.sex == ("M" if seq % 2 else "F")
