"""ICAO 9303 machine-readable zones: TD3, TD2, TD1, check digits, OCR-ish input, comparison."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from counterdesk.identity.checkdigits import mrz_check_digit
from counterdesk.identity.dates import add_years
from counterdesk.identity.mrz import compare_mrz, compose_td1, compose_td2, compose_td3, name_forms, parse_mrz

TODAY = date(2025, 11, 25)
L1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
L2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
SPECIMEN = L1 + "\n" + L2


def errors(check) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in check.result.problems if p.severity == "error"}


def test_check_digit_examples():
    assert mrz_check_digit("L898902C3") == "6"
    assert mrz_check_digit("740812") == "2"
    assert mrz_check_digit("120415") == "9"
    assert mrz_check_digit("D23145890734") == "9"   # the TD1 long-number example of 9303 Part 5
    assert mrz_check_digit("<<<") == "0"
    assert mrz_check_digit("l898902c3") is None     # parse_mrz upper-cases first


def test_icao_td3_specimen():
    check = parse_mrz(SPECIMEN, today=TODAY)
    assert errors(check) == set()
    m = check.mrz
    assert m.format == "TD3" and m.document_code == "P" and m.issuing_state == "UTO"
    assert m.document_number == "L898902C3"
    assert m.nationality == "UTO"
    assert m.birth_date == date(1974, 8, 12) and m.sex == "F" and m.expiry == date(2012, 4, 15)
    assert (m.names.primary, m.names.secondary) == ("ERIKSSON", "ANNA MARIA")
    assert m.optional_data == "ZE184226B"
    # UTO (Utopia) is ICAO's specimen state: known to be no real country, so only warnings
    assert {p.code for p in check.result.problems} == {"state_unknown"}


@pytest.mark.parametrize("text", [
    SPECIMEN.lower(),
    "  " + L1 + "\r\n" + L2 + "  \n",
    L1 + L2,
    L1 + " " + L2,
    " ".join(L1[i:i + 5] for i in range(0, 44, 5)) + "\n" + L2,
])
def test_ocr_ish_input(text):
    check = parse_mrz(text, today=TODAY)
    assert errors(check) == set() and check.mrz.document_number == "L898902C3"


@pytest.mark.parametrize("pos, part", [
    (9, "document_number"), (19, "birth_date"), (27, "expiry"), (42, "personal_number"), (43, "composite"),
])
def test_each_corrupted_check_digit_names_its_field(pos, part):
    wrong = str((int(L2[pos]) + 1) % 10)
    check = parse_mrz(L1 + "\n" + L2[:pos] + wrong + L2[pos + 1:], today=TODAY)
    # The composite digit covers the other check digits, so it fails with them.
    assert errors(check) == {(f"mrz.{part}", "check_digit"), ("mrz.composite", "check_digit")}


@pytest.mark.parametrize("pos, part", [
    (0, "document_number"), (14, "birth_date"), (22, "expiry"), (30, "personal_number"),
])
def test_corrupted_data_fails_its_own_digit_and_the_composite(pos, part):
    ch = "7" if L2[pos] != "7" else "8"
    check = parse_mrz(L1 + "\n" + L2[:pos] + ch + L2[pos + 1:], today=TODAY)
    assert (f"mrz.{part}", "check_digit") in errors(check)
    assert ("mrz.composite", "check_digit") in errors(check)


def test_shape_and_charset_problems():
    assert {p.code for p in parse_mrz(L1 + "\n" + L2[:-1], today=TODAY).result.problems} == {"format"}
    assert parse_mrz(L1 + "\n" + L2[:-1] + "*", today=TODAY).result.problems[0].code == "charset"
    for junk in (None, "", "   ", 42, "x" * 5000, "🙂" * 88):
        check = parse_mrz(junk, today=TODAY)
        assert check.mrz is None and not check.result.ok


def test_invalid_dates_and_sex():
    bad = L2[:13] + "741312" + mrz_check_digit("741312") + "Q" + L2[21:]
    check = parse_mrz(L1 + "\n" + bad, today=TODAY)
    codes = {(p.field, p.code) for p in check.result.problems}
    assert ("mrz.birth_date", "date_invalid") in codes
    assert ("mrz.sex", "sex_invalid") in codes


def test_birth_century_is_never_in_the_future():
    m = compose_td3(issuing_state="SWE", primary="A", secondary="B", document_number="X1",
                    nationality="SWE", birth_date=date(2024, 1, 1), sex="M", expiry=date(2030, 1, 1))
    assert parse_mrz(m, today=TODAY).mrz.birth_date == date(2024, 1, 1)
    m = compose_td3(issuing_state="SWE", primary="A", secondary="B", document_number="X1",
                    nationality="SWE", birth_date=date(1925, 12, 1), sex="M", expiry=date(2030, 1, 1))
    assert parse_mrz(m, today=TODAY).mrz.birth_date == date(1925, 12, 1)  # 2025-12-01 is after TODAY


def test_td1_icao_example_with_long_document_number():
    text = ("I<UTOD23145890<7349<<<<<<<<<<<\n"
            "3407127M9507122UTO<<<<<<<<<<<2\n"
            "STEVENSON<<PETER<JOHN<<<<<<<<<")
    check = parse_mrz(text, today=TODAY)
    assert errors(check) == set()
    m = check.mrz
    assert m.format == "TD1" and m.document_number == "D23145890734"
    assert m.birth_date == date(1934, 7, 12) and m.sex == "M"
    assert (m.names.primary, m.names.secondary) == ("STEVENSON", "PETER JOHN")


def test_td1_and_td2_composed_forms():
    kwargs = dict(issuing_state="UTO", primary="ERIKSSON", secondary="ANNA MARIA", nationality="UTO",
                  birth_date=date(1974, 8, 12), sex="F", expiry=date(2031, 4, 15))
    td1 = compose_td1(document_number="D23145890", **kwargs)
    td2 = compose_td2(document_number="D23145890", **kwargs)
    assert [len(x) for x in td1.split("\n")] == [30, 30, 30]
    assert [len(x) for x in td2.split("\n")] == [36, 36]
    # with the specimen's expiry, composing reproduces the ICAO 9303 Part 6 TD2 specimen exactly
    specimen = compose_td2(document_number="D23145890", **{**kwargs, "expiry": date(2012, 4, 15)})
    assert specimen == "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
    assert compose_td1(document_number="D23145890", **{**kwargs, "expiry": date(2012, 4, 15)}) == (
        "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
    for text, fmt in ((td1, "TD1"), (td2, "TD2")):
        check = parse_mrz(text, today=TODAY)
        assert errors(check) == set() and check.mrz.format == fmt
        assert check.mrz.document_number == "D23145890" and check.mrz.expiry == date(2031, 4, 15)
    # the long-number rule in TD2 too
    long_td2 = compose_td2(document_number="AB123456789XY", **kwargs)
    assert long_td2.split("\n")[1][9] == "<"
    assert parse_mrz(long_td2, today=TODAY).mrz.document_number == "AB123456789XY"
    assert errors(parse_mrz(long_td2, today=TODAY)) == set()


@pytest.mark.parametrize("line, pos, part", [
    (0, 14, "document_number"), (1, 6, "birth_date"), (1, 14, "expiry"), (1, 29, "composite"),
])
def test_td1_each_check_digit(line, pos, part):
    text = compose_td1(issuing_state="UTO", primary="X", secondary="Y", document_number="D23145890",
                       nationality="UTO", birth_date=date(1974, 8, 12), sex="F", expiry=date(2031, 4, 15))
    lines = text.split("\n")
    lines[line] = lines[line][:pos] + str((int(lines[line][pos]) + 1) % 10) + lines[line][pos + 1:]
    assert errors(parse_mrz("\n".join(lines), today=TODAY)) == {(f"mrz.{part}", "check_digit"), ("mrz.composite", "check_digit")}


def test_empty_personal_number_check_may_be_filler_or_zero():
    assert L2[28:43] == "ZE184226B<<<<<1"
    m = compose_td3(issuing_state="SWE", primary="A", secondary="B", document_number="X1",
                    nationality="SWE", birth_date=date(1970, 1, 1), sex="M", expiry=date(2030, 1, 1))
    line2 = m.split("\n")[1]
    assert line2[42] == "<" and errors(parse_mrz(m, today=TODAY)) == set()
    zero = line2[:42] + "0" + line2[43:]
    zero = zero[:43] + mrz_check_digit(zero[0:10] + zero[13:20] + zero[21:43])
    assert errors(parse_mrz(m.split("\n")[0] + "\n" + zero, today=TODAY)) == set()


names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10)


@settings(max_examples=120, deadline=None)
@given(primary=names, secondary=names, number=st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=9),
       born=st.dates(min_value=date(1926, 1, 1), max_value=TODAY),
       expiry=st.dates(min_value=date(2000, 1, 1), max_value=add_years(TODAY, 10)),
       sex=st.sampled_from(["M", "F"]), fmt=st.sampled_from(["TD1", "TD2", "TD3"]))
def test_compose_parse_round_trip(primary, secondary, number, born, expiry, sex, fmt):
    assume(expiry > born)  # a document cannot expire before its holder is born (expiry_implausible)
    compose = {"TD1": compose_td1, "TD2": compose_td2, "TD3": compose_td3}[fmt]
    text = compose(issuing_state="SWE", primary=primary, secondary=secondary, document_number=number,
                   nationality="SWE", birth_date=born, sex=sex, expiry=expiry)
    check = parse_mrz(text, today=TODAY)
    assert errors(check) == set()
    m = check.mrz
    assert (m.format, m.document_number, m.birth_date, m.expiry, m.sex) == (fmt, number, born, expiry, sex)
    if not m.names.truncated:
        assert (m.names.primary, m.names.secondary) == (primary, secondary)
    assert parse_mrz(text.replace("\n", "").lower(), today=TODAY).mrz == m


def test_compare_with_typed_fields():
    m = parse_mrz(SPECIMEN, today=TODAY).mrz
    good = {"number": "l898902c3", "birth_date": "1974-08-12", "expiry": date(2012, 4, 15), "nationality": "uto",
            "surname": "Eriksson", "given_names": "Anna-Maria", "name": "Anna Maria Eriksson", "sex": "F"}
    assert compare_mrz(m, good) == []
    bad = {"number": "L898902C4", "birth_date": "1974-08-13", "expiry": "2012-04-16", "nationality": "SWE",
           "surname": "Erikson", "given_names": "Anne", "name": "Erik Andersson", "sex": "M"}
    found = {(p.field, p.code) for p in compare_mrz(m, bad)}
    assert found == {(k, "mrz_mismatch") for k in bad}
    # values never appear in the messages (they may be logged)
    for p in compare_mrz(m, bad):
        assert "1974" not in p.text.en and "L898902C4" not in p.text.en and "Erik" not in p.text.en
    assert compare_mrz(m, {"birth_date": "not a date"})[0].code == "date_invalid"
    assert compare_mrz(m, {}) == [] and compare_mrz(m, None) == []  # type: ignore[arg-type]


def test_compare_chinese_names_and_transliterations():
    text = compose_td3(issuing_state="CHN", primary="LYU", secondary="XIAOMING", document_number="E12345678",
                       nationality="CHN", birth_date=date(1990, 1, 1), sex="M", expiry=date(2030, 1, 1))
    m = parse_mrz(text, today=TODAY).mrz
    assert compare_mrz(m, {"name": "吕晓明", "surname": "吕", "given_names": "晓明"}) == []
    assert {p.field for p in compare_mrz(m, {"name": "王晓明"})} == {"name"}
    assert "SHAN" in " ".join(name_forms("单"))  # surname reading of 单
    text = compose_td3(issuing_state="D", primary="MUELLER", secondary="JOERG", document_number="C01X00T47",
                       nationality="D", birth_date=date(1964, 8, 12), sex="M", expiry=date(2030, 1, 1))
    m = parse_mrz(text, today=TODAY).mrz
    assert m.nationality == "D"
    assert compare_mrz(m, {"surname": "Müller", "given_names": "Jörg", "nationality": "DEU"}) == []


def test_truncated_names_match_their_prefix():
    text = compose_td3(issuing_state="SWE", primary="A" * 30, secondary="BERNADETTE CHRISTINA", document_number="X1",
                       nationality="SWE", birth_date=date(1970, 1, 1), sex="F", expiry=date(2030, 1, 1))
    m = parse_mrz(text, today=TODAY).mrz
    assert m.names.truncated
    assert compare_mrz(m, {"given_names": "Bernadette Christina"}) == []


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([88, 72, 90]).flatmap(
    lambda n: st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<<<<<<", min_size=n, max_size=n)))
def test_random_mrz_shaped_text_never_raises(text):
    check = parse_mrz(text, today=TODAY)
    assert check.mrz is not None  # the shape is right, so it always parses into fields
    assert all(p.field.startswith("mrz") for p in check.result.problems)
    compare_mrz(check.mrz, {"name": "张三", "surname": "X", "birth_date": "2000-01-01", "number": "A1"})


def _td3(**kw):
    args = dict(issuing_state="SWE", primary="ERIKSSON", secondary="ANNA", document_number="X1234567",
                nationality="SWE", birth_date=date(1970, 1, 1), sex="F", expiry=date(2030, 1, 1))
    return compose_td3(**{**args, **kw})


@pytest.mark.parametrize("expiry, born, read_as", [
    (date(1998, 12, 31), date(1970, 1, 1), date(1998, 12, 31)),   # issue 13: was read as 2098-12-31
    (date(2035, 11, 25), date(1970, 1, 1), date(2035, 11, 25)),   # exactly 10 years ahead: still this century
    (date(2035, 6, 1), date(2020, 1, 1), date(2035, 6, 1)),
    (date(1999, 1, 1), date(1960, 1, 1), date(1999, 1, 1)),
    (date(2000, 2, 29), date(1980, 1, 1), date(2000, 2, 29)),
])
def test_expiry_century_is_resolved_within_the_maximum_validity(expiry, born, read_as):
    check = parse_mrz(_td3(expiry=expiry, birth_date=born), today=TODAY)
    assert errors(check) == set()
    assert check.mrz.expiry == read_as


def test_expiry_29_february_of_a_common_year_is_not_a_date():
    line1, line2 = _td3().split("\n")
    bad = line2[:21] + "290229" + mrz_check_digit("290229") + line2[28:]
    assert ("mrz.expiry", "date_invalid") in errors(parse_mrz(line1 + "\n" + bad, today=TODAY))
    leap = line2[:21] + "280229" + mrz_check_digit("280229") + line2[28:]
    assert parse_mrz(line1 + "\n" + leap, today=TODAY).mrz.expiry == date(2028, 2, 29)


def test_expiry_that_fits_no_century_is_an_error():
    # 2036-01-01 is more than 10 years after TODAY, and 1936 is before the holder was born (1970).
    check = parse_mrz(_td3(expiry=date(2036, 1, 1)), today=TODAY)
    assert ("mrz.expiry", "expiry_implausible") in errors(check)
    assert check.mrz.expiry is None
    # 1989 is before the birth in 1990; 2089 is far beyond any passport's validity.
    check = parse_mrz(_td3(expiry=date(1989, 12, 31), birth_date=date(1990, 1, 1)), today=TODAY)
    assert ("mrz.expiry", "expiry_implausible") in errors(check)
    problem = next(p for p in check.result.problems if p.code == "expiry_implausible")
    assert "10" in problem.text.zh and "10" in problem.text.en


def test_expiry_century_takes_the_issue_date_into_account():
    # Issued 2020-01-01: a passport expires by 2030-01-01, so "34" cannot be 2034.
    check = parse_mrz(_td3(expiry=date(2034, 1, 1)), today=TODAY, issued=date(2020, 1, 1))
    assert ("mrz.expiry", "expiry_implausible") in errors(check)
    check = parse_mrz(_td3(expiry=date(2029, 12, 31)), today=TODAY, issued=date(2020, 1, 1))
    assert errors(check) == set() and check.mrz.expiry == date(2029, 12, 31)


@pytest.mark.parametrize("fmt", ["TD3", "TD2", "TD1"])
def test_digits_in_the_name_zone_are_an_error(fmt):
    compose = {"TD1": compose_td1, "TD2": compose_td2, "TD3": compose_td3}[fmt]
    text = compose(issuing_state="SWE", primary="ERIKSSON", secondary="ANNA", document_number="X1234567",
                   nationality="SWE", birth_date=date(1970, 1, 1), sex="F", expiry=date(2030, 1, 1))
    lines = text.split("\n")
    row, start = (2, 0) if fmt == "TD1" else (0, 5)
    # an OCR misread of O as 0: no check digit covers the name zone, so only the charset rule catches it
    lines[row] = lines[row].replace("ERIKSSON", "ERIKSS0N")
    assert lines[row][start:].startswith("ERIKSS0N")
    check = parse_mrz("\n".join(lines), today=TODAY)
    assert errors(check) == {("mrz.names", "name_charset")}
    problem = next(p for p in check.result.problems if p.code == "name_charset")
    assert "A-Z" in problem.text.zh and "A-Z" in problem.text.en
    assert "ERIKSS0N" not in problem.text.en  # names are personal data: never in messages
