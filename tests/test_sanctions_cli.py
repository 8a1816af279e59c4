"""counterdesk-admin sanctions import / list, run in-process through counterdesk.cli.admin.main(argv)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from counterdesk.cli import admin as cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "sanctions"
BROKEN = Path(__file__).resolve().parent / "data" / "sanctions"


@pytest.fixture
def run(admin_cli):
    return admin_cli


def _sha(*names: str) -> str:
    return hashlib.sha256((SAMPLES / names[0]).read_bytes()).hexdigest()


def test_import_detects_the_format_and_prints_the_hash(run):
    code, out, err = run("sanctions", "import", str(SAMPLES / "un_consolidated_sample.xml"))
    assert code == 0, err
    assert "Loaded the UN list (un, published 2026-11-20): 40 entries." in out
    assert _sha("un_consolidated_sample.xml") in out


def test_same_file_twice_is_a_no_op(run):
    run("sanctions", "import", str(SAMPLES / "ofac_sdn_sample.xml"))
    code, out, _ = run("sanctions", "import", str(SAMPLES / "ofac_sdn_sample.xml"))
    assert code == 0 and "already loaded" in out and "nothing changed" in out


def test_ofac_csv_pair_needs_a_publication_date(run):
    files = [str(SAMPLES / "ofac_sdn_sample.csv"), str(SAMPLES / "ofac_alt_sample.csv")]
    code, _, err = run("sanctions", "import", *files)
    assert code == 1 and "--published" in err
    code, out, err = run("sanctions", "import", *files, "--published", "2026-11-21", "--source", "OFAC SDN (CSV)")
    assert code == 0, err
    assert "Loaded the OFAC SDN (CSV) list (ofac-csv, published 2026-11-21): 27 entries." in out
    code, _, err = run("sanctions", "import", *files, "--published", "21.11.2026")
    assert code == 1 and "YYYY-MM-DD" in err


def test_explicit_format(run):
    code, out, err = run("sanctions", "import", str(SAMPLES / "opensanctions_sample.ftm.json"), "--format", "os-ftm")
    assert code == 0 and "(os-ftm, published 2026-11-23): 34 entries" in out, err
    code, _, err = run("sanctions", "import", str(SAMPLES / "un_consolidated_sample.xml"), "--format", "os-csv")
    assert code == 1 and "malformed" in err


@pytest.mark.parametrize("name,where", [
    ("un_missing_first_name.xml", "INDIVIDUAL #17 / DATAID 6908017"),
    ("un_doctype_entities.xml", "DOCTYPE"),
    ("ofac_sdn_bad_columns.csv", "sdn.csv line 5"),
    ("os_missing_name.simple.csv", "line 7"),
])
def test_broken_file_is_rejected_with_its_location(run, name, where):
    run("sanctions", "import", str(SAMPLES / "ofac_sdn_sample.xml"))
    code, out, err = run("sanctions", "import", str(BROKEN / name), "--published", "2026-11-21")
    assert code == 1 and where in err and out == ""
    code, out, _ = run("sanctions", "list")
    assert code == 0 and len(out.strip().splitlines()) == 2  # header + the one good list


def test_list_shows_current_and_superseded(run, tmp_path):
    code, out, _ = run("sanctions", "list")
    assert code == 0 and "No sanctions list" in out
    run("sanctions", "import", str(SAMPLES / "un_consolidated_sample.xml"))
    newer = tmp_path / "un-newer.xml"
    newer.write_text((SAMPLES / "un_consolidated_sample.xml").read_text(encoding="utf-8").replace(
        'dateGenerated="2026-11-20', 'dateGenerated="2026-11-24'), encoding="utf-8")
    code, out, _ = run("sanctions", "import", str(newer))
    assert code == 0 and "replaces the list published 2026-11-20" in out
    code, out, _ = run("sanctions", "list")
    lines = out.strip().splitlines()
    assert lines[0].split() == ["source", "format", "published", "loaded", "at", "loaded", "by", "entries", "status",
                                "SHA-256"]
    rows = [line.split() for line in lines[1:]]
    assert [(r[0], r[2], r[-2]) for r in rows] == [("UN", "2026-11-24", "current"), ("UN", "2026-11-20", "superseded")]
    assert rows[1][-1] == _sha("un_consolidated_sample.xml")


def test_chinese_messages(run):
    code, out, _ = run("sanctions", "import", str(SAMPLES / "un_consolidated_sample.xml"), lang="zh")
    assert code == 0 and "已导入“UN”名单" in out and "共 40 条" in out
    code, out, _ = run("sanctions", "list", lang="zh")
    assert "来源" in out and "当前" in out


@pytest.mark.parametrize("user", ["teller", "supervisor", "auditor"])
def test_only_admins_import(run, user):
    code, _, err = run("sanctions", "import", str(SAMPLES / "un_consolidated_sample.xml"), user=user)
    assert code == 1 and "not allowed" in err


def test_auditor_may_list(run):
    run("sanctions", "import", str(SAMPLES / "un_consolidated_sample.xml"))
    code, out, _ = run("sanctions", "list", user="auditor")
    assert code == 0 and "UN" in out


def test_missing_file(run, tmp_path):
    code, _, err = run("sanctions", "import", str(tmp_path / "nope.xml"))
    assert code == 1 and "Cannot read the file" in err


def test_help_lists_the_group(capsys):
    assert cli.main(["sanctions", "--help"]) == 0
    out = capsys.readouterr().out
    assert "import" in out and "list" in out
