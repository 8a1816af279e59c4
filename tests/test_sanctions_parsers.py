"""Sanctions list parsers on the bundled samples, on broken files, and on junk (never a crash)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterdesk.screening.countries import to_alpha2
from counterdesk.screening.parsers import common, detect_format, parse
from counterdesk.screening.records import FORMATS, ListFormatError

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "sanctions"
BROKEN = Path(__file__).resolve().parent / "data" / "sanctions"


def _files(*names: str, where: Path = SAMPLES) -> list[tuple[str, bytes]]:
    return [(n, (where / n).read_bytes()) for n in names]


def _entry(parsed, ref):
    return next(e for e in parsed.entries if e.ref == ref)


def _names(entry) -> dict[str, str]:
    return {n.text: n.type for n in entry.names}


@pytest.mark.parametrize("name,fmt", [
    ("un_consolidated_sample.xml", "un"), ("ofac_sdn_sample.xml", "ofac-xml"), ("ofac_sdn_sample.csv", "ofac-csv"),
    ("opensanctions_targets_sample.simple.csv", "os-csv"), ("opensanctions_sample.ftm.json", "os-ftm"),
    ("csv_list_sample.csv", "cd-csv"),
])
def test_format_is_detected_from_content(name, fmt):
    assert detect_format((SAMPLES / name).read_bytes()) == fmt


def test_unknown_content_is_not_guessed():
    assert detect_format(b"hello world\n") is None
    with pytest.raises(ListFormatError) as err:
        parse([("x.txt", b"hello world\n")])
    assert err.value.code == "unknown_format"


def test_un_sample():
    parsed = parse(_files("un_consolidated_sample.xml"))
    assert parsed.format == "un" and parsed.published == date(2026, 11, 20) and parsed.default_source == "UN"
    assert len(parsed.entries) == 40
    assert sum(e.kind == "person" for e in parsed.entries) == 30
    wang = _entry(parsed, "QDi.901")
    assert _names(wang) == {"WANG XIAOMING": "primary", "王晓明": "alias", "Wang Hsiao-ming": "alias",
                            "Lao Wang": "weak_alias"}
    assert wang.birth_dates == ["1968-03-15"] and wang.nationalities == ["CN"]
    assert wang.documents == [{"type": "Passport", "number": "E12345678", "country": "CN"}]
    kim = _entry(parsed, "KPi.906")
    assert kim.nationalities == ["KP"] and "김철수" in _names(kim)
    assert _entry(parsed, "QDi.910").birth_dates == ["1964..1966"]  # FROM_YEAR / TO_YEAR
    assert _entry(parsed, "QDi.904").birth_dates == ["1971"]  # YEAR only
    firm = _entry(parsed, "KPe.901")
    assert firm.kind == "entity" and _names(firm)["金港贸易有限公司"] == "alias"
    # Empty INDIVIDUAL_ALIAS elements (as the real list has them) add nothing.
    assert all(n.text for e in parsed.entries for n in e.names)


def test_ofac_xml_sample():
    parsed = parse(_files("ofac_sdn_sample.xml"))
    assert parsed.format == "ofac-xml" and parsed.published == date(2026, 11, 21) and len(parsed.entries) == 27
    chen = _entry(parsed, "36002")
    assert _names(chen) == {"Lihua CHEN": "primary", "Chen Li-Hua": "alias", "Chan Lei Wah": "weak_alias"}
    assert chen.birth_dates == ["1975-09-02"] and chen.nationalities == ["CN"] and chen.programs == ["CYBER2"]
    assert chen.documents == [{"type": "Passport", "number": "G98765432", "country": "CN"}]
    assert _entry(parsed, "36027").kind == "entity"  # the vessel


def test_ofac_csv_sample_with_and_without_alt():
    alone = parse(_files("ofac_sdn_sample.csv"))
    assert alone.format == "ofac-csv" and alone.published is None and len(alone.entries) == 27
    chen = _entry(alone, "36002")
    assert _names(chen) == {"CHEN, Lihua": "primary", "Chan Lei Wah": "weak_alias"}  # a.k.a. from Remarks
    assert chen.birth_dates == ["1975-09-02"] and chen.nationalities == ["CN"]
    assert chen.documents[0]["number"] == "G98765432"
    both = parse(_files("ofac_sdn_sample.csv", "ofac_alt_sample.csv"))
    assert _names(_entry(both, "36002"))["Chen Li-Hua"] == "alias"  # from alt.csv
    assert _entry(both, "36027").kind == "entity"


def test_ofac_csv_from_a_zip(tmp_path):
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("sdn.csv", (SAMPLES / "ofac_sdn_sample.csv").read_bytes())
        zf.writestr("alt.csv", (SAMPLES / "ofac_alt_sample.csv").read_bytes())
    data = buf.getvalue()
    assert detect_format(data) == "ofac-csv"
    parsed = parse([("sdn.zip", data)])
    assert len(parsed.entries) == 27 and "Chen Li-Hua" in _names(_entry(parsed, "36002"))


def test_opensanctions_csv_sample():
    parsed = parse(_files("opensanctions_targets_sample.simple.csv"))
    assert parsed.format == "os-csv" and parsed.published == date(2026, 11, 22) and len(parsed.entries) == 34
    liu = _entry(parsed, "cd-sample-p001")
    assert _names(liu) == {"Jianguo Liu": "primary", "刘建国": "alias", "Lau Kin Kwok": "alias"}
    assert liu.birth_dates == ["1959-11-02"] and liu.nationalities == ["CN", "HK"]
    assert liu.documents[0]["number"] == "110101195911020011"
    assert _entry(parsed, "cd-sample-c001").kind == "entity"


def test_followthemoney_sample():
    parsed = parse(_files("opensanctions_sample.ftm.json"))
    assert parsed.format == "os-ftm" and parsed.published == date(2026, 11, 23)
    assert len(parsed.entries) == 34  # Passport, Sanction and Address entities are not targets
    chen = _entry(parsed, "cd-sample-p007")
    assert chen.kind == "person"
    liu = _entry(parsed, "cd-sample-p001")
    assert "刘建国" in _names(liu) and liu.documents[0]["number"] == "110101195911020011"
    # A passport held by a target is folded into it; so is the program of its Sanction entity.
    meiling = next(e for e in parsed.entries if "欧阳美玲" in _names(e))
    assert {"type": "Passport", "number": "EA4455667", "country": "CN"} in meiling.documents
    assert any("fictional sample" in p for p in meiling.programs)


# ---- broken files: rejected naming the line or element -----------------------------------------------
@pytest.mark.parametrize("files,code,where", [
    (["un_missing_first_name.xml"], "missing_field", "INDIVIDUAL #17 / DATAID 6908017 (line 513)"),
    (["un_syntax_error.xml"], "xml_syntax", "line 136, column 24"),
    (["ofac_bad_uid.xml"], "bad_field", "sdnEntry #3 / uid 36O03"),
    (["ofac_sdn_bad_columns.csv"], "bad_columns", "sdn.csv line 5"),
    (["os_missing_name.simple.csv"], "missing_field", "line 7 / id cd-sample-p006"),
    (["os_ftm_bad_json.ftm.json"], "json_syntax", "line 4"),
])
def test_broken_files_name_the_place(files, code, where):
    with pytest.raises(ListFormatError) as err:
        parse(_files(*files, where=BROKEN))
    assert err.value.code == code
    assert where in err.value.location
    assert where in err.value.message("en") and where in err.value.message("zh")


def test_dangling_alias_in_alt_csv():
    files = [*_files("ofac_sdn_sample.csv"), ("alt.csv", (BROKEN / "ofac_alt_dangling.csv").read_bytes())]
    with pytest.raises(ListFormatError) as err:
        parse(files)
    assert err.value.code == "dangling_alias" and err.value.location == "alt.csv line 3"


@pytest.mark.parametrize("name", ["un_doctype_entities.xml", "ofac_xxe.xml"])
def test_doctype_and_entities_are_refused(name):
    with pytest.raises(ListFormatError) as err:
        parse(_files(name, where=BROKEN))
    assert err.value.code == "xml_doctype"
    assert "DOCTYPE" in err.value.message("en")


def test_duplicate_refs_are_refused():
    data = (SAMPLES / "ofac_sdn_sample.xml").read_bytes().replace(b"<uid>36002</uid>", b"<uid>36001</uid>", 1)
    with pytest.raises(ListFormatError) as err:
        parse([("sdn.xml", data)])
    assert err.value.code == "duplicate_ref" and "sdnEntry #2" in err.value.location


def test_wrong_root_and_empty_lists():
    with pytest.raises(ListFormatError) as err:
        parse([("x.xml", b"<sdnList><publshInformation/></sdnList>")], "ofac-xml")
    assert err.value.code == "empty_list"
    with pytest.raises(ListFormatError) as err:
        parse([("x.xml", b"<other/>")], "un")
    assert err.value.code == "wrong_root"


@pytest.mark.parametrize("raw,expected", [
    ("1968-03-15", "1968-03-15"), ("15 Mar 1968", "1968-03-15"), ("circa 1970", "1970"), ("Mar 1968", "1968-03"),
    ("1964 to 1966", "1964..1966"), ("03/15/1968", "1968-03-15"), ("1968-02-30", None), ("unknown", None), ("", None),
])
def test_partial_dates(raw, expected):
    assert common.partial_date(raw) == expected


@pytest.mark.parametrize("raw,code", [
    ("China", "CN"), ("CHN", "CN"), ("cn", "CN"), ("中国", "CN"), ("Democratic People's Republic of Korea", "KP"),
    ("Iran (Islamic Republic of)", "IR"), ("Russian Federation", "RU"), ("Democratic Republic of the Congo", "CD"),
    ("Atlantis", None), ("", None),
])
def test_countries(raw, code):
    assert to_alpha2(raw) == code


# ---- junk never crashes a parser -------------------------------------------------------------------
_SEEDS = [(SAMPLES / n).read_bytes()[:3000] for n in (
    "un_consolidated_sample.xml", "ofac_sdn_sample.xml", "ofac_sdn_sample.csv",
    "opensanctions_targets_sample.simple.csv", "opensanctions_sample.ftm.json", "csv_list_sample.csv")]


@st.composite
def junk(draw):
    base = draw(st.sampled_from([*_SEEDS, b""]))
    if base and draw(st.booleans()):
        cut = draw(st.integers(0, len(base)))
        noise = draw(st.binary(max_size=200))
        return base[:cut] + noise + base[cut:cut + draw(st.integers(0, 500))]
    return draw(st.binary(max_size=600))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=junk(), fmt=st.sampled_from([None, *FORMATS]))
def test_parsers_never_crash_on_junk(data, fmt):
    try:
        parsed = parse([("junk", data)], fmt)
    except ListFormatError as exc:
        assert exc.location and exc.message("zh") and exc.message("en")
        assert exc.code != "unreadable", exc.__cause__  # the safety net caught a parser bug
    else:
        assert parsed.entries and all(e.names and e.ref for e in parsed.entries)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_csv_and_json_parsers_on_text_junk(text):
    for fmt in ("ofac-csv", "os-csv", "os-ftm", "cd-csv"):
        try:
            parse([("junk", text.encode("utf-8", "surrogatepass"))], fmt)
        except ListFormatError as exc:
            assert exc.code != "unreadable", exc.__cause__
