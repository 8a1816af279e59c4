"""The CSV list template (cd-csv) for lists without a machine-readable file: documented sample,
strict reading naming line and column, all-or-nothing import, and the entries screen like any other."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.screening.parsers import detect_format, parse
from counterdesk.screening.parsers.template_csv import COLUMNS
from counterdesk.screening.records import ListFormatError
from counterdesk.services.sanctions import lists, screening
from counterdesk.services.sanctions.screening import ScreenedPerson

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "sanctions"
SAMPLE = (SAMPLES / "csv_list_sample.csv").read_text(encoding="utf-8")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _parse(text: str):
    return parse([("list.csv", text.encode("utf-8"))])


def test_sample_is_detected_and_read():
    assert detect_format(SAMPLE.encode()) == "cd-csv"
    parsed = _parse(SAMPLE)
    assert (parsed.format, parsed.published, parsed.default_source) == ("cd-csv", date(2026, 10, 15), "CN-COUNTERMEASURE")
    assert len(parsed.entries) == 6 and sum(e.kind == "entity" for e in parsed.entries) == 2
    chan = parsed.entries[0]
    assert [(n.text, n.type) for n in chan.names] == [("陈志明", "primary"), ("CHAN Chi Ming", "alias"),
                                                      ("Chen Zhiming", "alias"), ("陳志明", "alias")]
    assert chan.birth_dates == ["1975-04-12"] and chan.nationalities == ["HK"] and chan.gender == "male"
    assert parsed.entries[2].gender == "female" and parsed.entries[3].gender == ""
    assert chan.documents[0] == {"type": "passport", "number": "K12345678", "country": "HK"}
    eds = parsed.entries[3]
    assert eds.documents == [{"type": "registration", "number": "EX004277", "country": "US"}]
    assert ("EDS", "weak_alias") in [(n.text, n.type) for n in eds.names]
    assert parsed.entries[4].birth_dates == ["1970..1972"]


def test_the_empty_template_and_the_documentation_agree_with_the_parser():
    header = (SAMPLES / "csv_list_template.csv").read_text(encoding="utf-8").strip().split(",")
    assert sorted(header) == sorted(COLUMNS) == sorted(SAMPLE.splitlines()[0].split(","))
    doc = (SAMPLES / "csv_list_template.md").read_text(encoding="utf-8")
    assert all(f"| `{c}` |" in doc for c in COLUMNS)
    with pytest.raises(ListFormatError) as err:
        parse([("t.csv", (SAMPLES / "csv_list_template.csv").read_bytes())])
    assert err.value.code == "empty_list"


def _replace_cell(line_no: int, column: str, value: str) -> str:
    """The sample with one cell changed (line_no counts the header as line 1)."""
    lines = SAMPLE.splitlines()
    header = lines[0].split(",")
    cells = lines[line_no - 1].split(",")
    cells[header.index(column)] = value
    lines[line_no - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("line,column,value,code,where", [
    (3, "birth_dates", "12/03/1962", "bad_field", "line 3 / ref CM-2026-002, birth_dates"),
    (4, "birth_dates", "1980-13", "bad_field", "line 4 / ref CM-2026-003, birth_dates"),
    (4, "nationalities", "MO;Atlantis", "bad_field", "line 4 / ref CM-2026-003, nationalities"),
    (2, "documents", "K12345678", "bad_field", "line 2 / ref CM-2026-001, documents"),
    (2, "documents", "passport:K1234:Narnia", "bad_field", "line 2 / ref CM-2026-001, documents"),
    (5, "kind", "company", "bad_field", "line 5 / ref CM-2026-004, kind"),
    (5, "birth_dates", "1990", "bad_field", "line 5 / ref CM-2026-004, birth_dates"),
    (2, "gender", "unknown", "bad_field", "line 2 / ref CM-2026-001, gender"),
    (5, "gender", "male", "bad_field", "line 5 / ref CM-2026-004, gender"),
    (6, "name", "", "missing_field", "line 6 / ref CM-2026-005"),
    (7, "ref", "CM-2026-001", "duplicate_ref", "line 7"),
    (7, "source", "CN-UNRELIABLE", "bad_field", "line 7, source"),
    (3, "published", "2026-10-16", "bad_field", "line 3, published"),
])
def test_a_faulty_cell_refuses_the_file_naming_line_and_column(line, column, value, code, where):
    with pytest.raises(ListFormatError) as err:
        _parse(_replace_cell(line, column, value))
    assert err.value.code == code
    assert where in err.value.location
    assert where in err.value.message("en") and where in err.value.message("zh")


@pytest.mark.parametrize("text,code,where", [
    (SAMPLE.replace("weak_aliases", "weak_alias", 1), "bad_header", "line 1"),  # a typo would lose a column
    (SAMPLE.replace(",source,", ",", 1), "bad_header", "line 1"),
    (SAMPLE.replace("1975-04-12,HK", "1975-04-12,HK,extra", 1), "bad_columns", "line 2"),
    (SAMPLE.replace(",2026-10-15", ",15.10.2026"), "bad_field", "line 2, published"),
])
def test_header_column_count_and_publication_date(text, code, where):
    with pytest.raises(ListFormatError) as err:
        _parse(text)
    assert (err.value.code, err.value.location) == (code, where)


def test_non_utf8_is_refused_rather_than_guessed():
    with pytest.raises(ListFormatError) as err:
        parse([("gbk.csv", SAMPLE.encode("gb18030"))], "cd-csv")
    assert err.value.code == "bad_encoding" and err.value.location == "line 2"
    assert "UTF-8" in err.value.message("en") and "UTF-8" in err.value.message("zh")


def test_blank_spreadsheet_rows_are_skipped():
    assert len(_parse(SAMPLE + "," * (len(COLUMNS) - 1) + "\n\n").entries) == 6


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(0, len(SAMPLE)), noise=st.text(max_size=40))
def test_damaged_templates_never_crash(cut, noise):
    try:
        parsed = parse([("x.csv", (SAMPLE[:cut] + noise + SAMPLE[cut:]).encode("utf-8", "surrogatepass"))], "cd-csv")
    except ListFormatError as exc:
        assert exc.code != "unreadable", exc.__cause__
    else:
        assert all(e.names and e.ref for e in parsed.entries)


def _counts(vault) -> tuple[int, int]:
    def read(db):
        c = db.connection().exec_driver_sql
        return c("SELECT count(*) FROM sanctions_lists").scalar(), c("SELECT count(*) FROM sanctions_entries").scalar()
    return vault.transact(read)


def test_import_is_all_or_nothing_and_entries_screen(demo_vault, sign_in, tmp_path):
    admin = sign_in("admin")
    before = _counts(demo_vault)
    bad = tmp_path / "bad.csv"
    bad.write_text(_replace_cell(7, "nationalities", "Atlantis"), encoding="utf-8")  # the last row is faulty
    with pytest.raises(ListFormatError) as err:
        lists.import_paths(demo_vault, admin, [bad], now=NOW)
    assert err.value.location == "line 7 / ref CM-2026-006, nationalities"
    assert _counts(demo_vault) == before

    result = lists.import_paths(demo_vault, admin, [SAMPLES / "csv_list_sample.csv"], now=NOW)
    assert (result.status, result.list.source, result.list.format) == ("loaded", "CN-COUNTERMEASURE", "cd-csv")
    assert result.list.published == date(2026, 10, 15) and result.list.entries == 6
    teller = sign_in("teller")
    hk = ScreenedPerson(["CHAN Chi Ming"], date(1975, 4, 12), "HK", [])
    # The freshness rule holds for transcribed lists too: re-checked against the announcements
    # (here on 2026-11-24), the same rows are loaded again with the date of that check.
    assert screening.screen(demo_vault, teller, hk, "customer-hk", now=NOW).status == "refused_stale_lists"
    fresh = tmp_path / "checked.csv"
    fresh.write_text(SAMPLE.replace(",2026-10-15", ",2026-11-24"), encoding="utf-8")
    result = lists.import_paths(demo_vault, admin, [fresh], now=NOW)
    assert result.superseded is not None and result.list.published == date(2026, 11, 24)
    assert _counts(demo_vault) == (before[0] + 2, before[1] + 6)  # the old row stays as metadata

    found = screening.screen(demo_vault, teller, hk, "customer-hk", now=NOW)
    assert found.status == "potential_hit"
    assert ("CN-COUNTERMEASURE", "CM-2026-001") in {(h.list_source, h.entry_ref) for h in found.hits}
    rows = demo_vault.transact(lambda s: s.connection().exec_driver_sql(
        "SELECT details FROM audit_log WHERE action = 'sanctions.import_rejected'").scalars().all())
    assert json.loads(rows[-1])["location"] == "line 7 / ref CM-2026-006, nationalities"
