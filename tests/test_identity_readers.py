"""Document readers: the simulator, keyboard-wedge scanner text, scanner-burst detection."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.identity import (
    DocumentRead,
    DocumentReader,
    DocumentType,
    ReaderError,
    SimulatorReader,
    WedgeParser,
    check_read,
    looks_like_scanner_burst,
)
from counterdesk.identity.dates import age_on
from counterdesk.identity.readers import ICAO_SPECIMEN_MRZ, READ_FIELDS

TODAY = date(2025, 11, 25)


def test_simulator_is_clearly_marked():
    reader = SimulatorReader(today=TODAY)
    assert isinstance(reader, DocumentReader)
    assert reader.is_simulator and "SIMULATOR" in reader.name and "模拟" in reader.name
    read = reader.read()
    assert read.simulated and read.source == reader.name


EXPECTED = {
    # profile: (doc type, ok, stops session, problem codes)
    "resident_id_long_term": (DocumentType.RESIDENT_ID, True, False, set()),
    "resident_id_expired": (DocumentType.RESIDENT_ID, False, True, {"expired"}),
    "resident_id_adult": (DocumentType.RESIDENT_ID, True, False, set()),
    "resident_id_minor": (DocumentType.RESIDENT_ID, True, False, {"minor"}),
    "passport_icao_specimen": (DocumentType.PASSPORT, False, True, {"expired", "state_unknown"}),
    "passport": (DocumentType.PASSPORT, True, False, set()),
    "hk_macau_permit": (DocumentType.HK_MACAU_PERMIT, True, False, set()),
    "taiwan_permit": (DocumentType.TAIWAN_PERMIT, True, False, set()),
    "hmt_residence_permit": (DocumentType.HMT_RESIDENCE_PERMIT, True, False, set()),
    "foreign_pr_id": (DocumentType.FOREIGN_PR_ID, True, False, set()),
    "foreign_pr_id_old": (DocumentType.FOREIGN_PR_ID, True, False, set()),
}


@pytest.mark.parametrize("today", [TODAY, date.today(), date(2028, 2, 29)])
@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_every_profile_checks_as_intended(profile, today):
    read = SimulatorReader(profile, today=today).read()
    doc_type, ok, stops, problem_codes = EXPECTED[profile]
    check = check_read(read, today=today)
    assert read.doc_type is doc_type
    assert check.result.ok is ok and check.stops_session is stops
    assert {p.code for p in check.result.problems} == problem_codes
    assert set(read.fields) <= READ_FIELDS
    assert not any(isinstance(v, (bytes, bytearray)) for v in read.fields.values())


def test_specimen_profiles():
    reader = SimulatorReader(today=TODAY)
    assert set(reader.profiles()) == set(EXPECTED)
    read = reader.read_profile("resident_id_long_term")
    assert read.fields["number"] == "11010519491231002X" and read.fields["expiry"] == "长期"
    minor = reader.read_profile("resident_id_minor")
    assert age_on(minor.fields["birth_date"], TODAY) < 16
    icao = reader.read_profile("passport_icao_specimen")
    assert icao.fields["mrz"] == ICAO_SPECIMEN_MRZ and icao.fields["number"] == "L898902C3"
    with pytest.raises(ReaderError):
        reader.select("no-such-profile")


def test_document_read_refuses_images_and_unknown_fields():
    with pytest.raises(ValueError):
        DocumentRead(DocumentType.RESIDENT_ID, {"photo": "x"})
    with pytest.raises(ValueError):
        DocumentRead(DocumentType.RESIDENT_ID, {"address": b"\x89PNG"})
    read = DocumentRead(DocumentType.RESIDENT_ID, {"number": "1"})
    with pytest.raises(TypeError):
        read.fields["number"] = "2"  # type: ignore[index]


L1, L2 = ICAO_SPECIMEN_MRZ.split("\n")


@pytest.mark.parametrize("text", [ICAO_SPECIMEN_MRZ, L1 + L2, (L1 + "\r" + L2 + "\r").lower(), "\x02" + L1 + L2 + "\x03\n"])
def test_wedge_mrz(text):
    read = WedgeParser(today=TODAY).parse(text)
    assert read.doc_type is DocumentType.PASSPORT and not read.simulated
    assert read.fields["number"] == "L898902C3" and read.fields["birth_date"] == date(1974, 8, 12)
    assert read.fields["surname"] == "ERIKSSON" and read.fields["given_names"] == "ANNA MARIA"
    assert read.fields["mrz"] == ICAO_SPECIMEN_MRZ


def test_wedge_td1_and_td2():
    td1 = "I<UTOD23145890<7349<<<<<<<<<<<3407127M9507122UTO<<<<<<<<<<<2STEVENSON<<PETER<JOHN<<<<<<<<<"
    assert WedgeParser(today=TODAY).parse(td1).fields["number"] == "D23145890734"
    td2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
    assert WedgeParser(today=TODAY).parse(td2).fields["number"] == "D23145890"


@pytest.mark.parametrize("text, doc_type, number", [
    ("11010519491231002x\r\n", DocumentType.RESIDENT_ID, "11010519491231002X"),
    ("820000198808080517", DocumentType.HMT_RESIDENCE_PERMIT, "820000198808080517"),
    ("932682198501010017\t", DocumentType.FOREIGN_PR_ID, "932682198501010017"),
    ("KAZ110090123105", DocumentType.FOREIGN_PR_ID, "KAZ110090123105"),
    ("H12345678", DocumentType.HK_MACAU_PERMIT, "H12345678"),
])
def test_wedge_numbers(text, doc_type, number):
    read = WedgeParser().parse(text)
    assert (read.doc_type, read.fields["number"]) == (doc_type, number)


@pytest.mark.parametrize("text", [None, "", "hello", "12345678", "1101051949123100", "x" * 10_000_000, b"\xff" * 50, 123, "🙂" * 88])
def test_wedge_ignores_other_text(text):
    assert WedgeParser().parse(text) is None


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.binary()))
def test_wedge_never_raises(text):
    WedgeParser().parse(text)


def test_scanner_burst():
    assert looks_like_scanner_burst([i * 8.0 for i in range(18)])        # 8 ms apart
    assert looks_like_scanner_burst([1000 + i * 29 for i in range(15)])
    assert not looks_like_scanner_burst([i * 8.0 for i in range(14)])    # too short
    assert not looks_like_scanner_burst([i * 120.0 for i in range(20)])  # a fast typist
    assert not looks_like_scanner_burst([i * 30 for i in range(20)])     # the boundary is exclusive
    # a human pausing once among scanner-fast keys is still a burst (median, not mean)
    times = [i * 10.0 for i in range(20)]
    times[10:] = [t + 2000 for t in times[10:]]
    assert looks_like_scanner_burst(times)
    for junk in (None, [], "abc", [float("nan")] * 30, [True] * 30, [1e400] * 30, iter(range(0, 10**9, 5)), 5):
        looks_like_scanner_burst(junk)  # type: ignore[arg-type]
    assert looks_like_scanner_burst(iter(range(0, 10**9, 5)))  # an endless-looking iterator is capped
