"""counterdesk-admin catalog import / export / versions / list, in-process through counterdesk.cli.admin.main(argv)."""
from __future__ import annotations

import pytest

from counterdesk.base.paths import resources_dir
from counterdesk.services.catalog.products import FIELDS

DEMO_CSV = resources_dir() / "catalog" / "demo_catalog.csv"


@pytest.fixture
def run(admin_cli):
    return admin_cli


def test_import_list_export_round_trip(run, tmp_path):
    code, out, err = run("catalog", "import", str(DEMO_CSV), "--note", "head office 2026-11")
    assert code == 0, err
    assert "Imported as catalog version 1" in out and "SHA-256" in out
    code, out, _ = run("catalog", "versions")
    assert code == 0 and "head office 2026-11" in out and "demo_catalog.csv" in out
    code, out, _ = run("catalog", "list")
    assert code == 0 and "DM-PWM-FI" in out and "300,000.00 CNY" in out
    code, out, _ = run("catalog", "list", lang="zh")
    assert "尊享固收私募理财" in out
    for fmt in ("csv", "json"):
        target = tmp_path / f"out.{fmt}"
        code, out, err = run("catalog", "export", str(target), "--format", fmt)
        assert code == 0, err
        assert target.exists()
        code, out, _ = run("catalog", "import", str(target))
        assert code == 0 and "no new version" in out


def test_faulty_file_is_refused_with_every_line_and_field(run, tmp_path):
    rows = DEMO_CSV.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    bad = rows[5].split(",")
    bad[header.index("risk_level")] = "R9"
    rows[5] = ",".join(bad)
    worse = rows[12].split(",")
    worse[header.index("currency")] = "RMB"
    rows[12] = ",".join(worse)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run("catalog", "import", str(path))
    assert code == 1
    assert "line 6 [risk_level]" in err and "line 13 [currency]" in err and "nothing changed" in err
    code, out, _ = run("catalog", "versions")
    assert "No product catalog" in out  # nothing was stored


def test_teller_may_not_import(run):
    code, _, err = run("catalog", "import", str(DEMO_CSV), user="teller")
    assert code == 1 and "not allowed" in err


def test_unknown_version(run):
    code, _, err = run("catalog", "list", "--version", "7")
    assert code == 1 and "no catalog version 7" in err
    assert FIELDS[0] == "code"
