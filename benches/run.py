"""Run the CounterDesk benchmarks and report the figures against their targets.

    .venv/bin/python benches/run.py [--quick] [store|signin|startup|screening|customers|suitability|confirmation|hub|screening-quality|dashboard|counter ...]

Prints a table and writes benches/results/latest.json. Exit status is 0 even when a target is
missed (this is a report, misses are marked MISS); it is 1 only if a benchmark itself crashed.
"""  # noqa: E501 - the usage line is --help text, kept whole
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import ERROR, MISS, ROOT, Row, fmt  # noqa: E402

BENCHES = {"store": "bench_store", "signin": "bench_signin", "startup": "bench_startup",
           "screening": "bench_screening", "customers": "bench_customers",
           "suitability": "bench_suitability", "confirmation": "bench_confirmation",
           "hub": "bench_hub", "screening-quality": "bench_screening_quality", "dashboard": "bench_dashboard",
           "counter": "bench_counter"}


def _ensure_venv() -> None:
    """Re-run under the project's venv if started with an interpreter that lacks counterdesk."""
    try:
        import counterdesk  # noqa: F401
    except ImportError:
        venv_py = ROOT / ".venv" / "bin" / "python"
        if venv_py.exists() and Path(sys.executable) != venv_py:
            os.execv(str(venv_py), [str(venv_py), *sys.argv])
        raise


def _git_rev() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def _environment() -> dict:
    import sqlcipher3.dbapi2 as sqlcipher
    conn = sqlcipher.connect(":memory:")
    cipher = conn.execute("PRAGMA cipher_version").fetchone()
    conn.close()
    return {"loadavg_1m_at_start": round(os.getloadavg()[0], 2), "python": platform.python_version(),
            "platform": platform.platform(), "cpus": os.cpu_count(),
            "sqlite": sqlcipher.sqlite_version, "sqlcipher": cipher[0] if cipher else None, "git": _git_rev()}


def print_table(rows: list[Row]) -> None:
    w = max([len(r.name) for r in rows] + [9])
    print(f"\n{'benchmark':{w}}  {'figure':>10}  {'target':>10}  {'result':6}  notes")
    print("-" * (w + 44))
    for r in rows:
        flag = {MISS: "MISS !!", ERROR: "ERROR"}.get(r.status, r.status)
        print(f"{r.name:{w}}  {fmt(r.figure, r.unit):>10}  {r.target:>10}  {flag:6}  {r.note}")
    misses = [r.name for r in rows if r.status == MISS]
    print("-" * (w + 44))
    print(f"targets missed: {', '.join(misses)}" if misses else "all targets with a figure met")


def main(argv: list[str] | None = None) -> int:
    _ensure_venv()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (3 instead of 5); customers: smaller N")
    ap.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run: {', '.join(BENCHES)} (default all)")
    args = ap.parse_args(argv)
    names = [n.removeprefix("bench_") for n in args.names] or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}")

    report = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "quick": args.quick,
              "environment": _environment(), "benchmarks": {}}
    all_rows: list[Row] = []
    crashed = False
    for name in names:
        print(f"[{name}] running{' (quick)' if args.quick else ''} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            rows = importlib.import_module(BENCHES[name]).run(quick=args.quick)
        except Exception as exc:  # a broken benchmark is reported, the others still run
            traceback.print_exc()
            rows = [Row(f"{name}", None, "", note=f"benchmark crashed: {type(exc).__name__}: {exc}", status=ERROR)]
            crashed = True
        took = time.perf_counter() - t0
        print(f"[{name}] done in {took:.1f} s", file=sys.stderr, flush=True)
        report["benchmarks"][name] = {"seconds": round(took, 2), "rows": [r.to_json() for r in rows]}
        all_rows += rows

    print_table(all_rows)
    load = os.getloadavg()[0]
    report["loadavg_1m_at_end"] = round(load, 2)
    busy = max(load, report["environment"]["loadavg_1m_at_start"])
    if busy > 0.5 * (os.cpu_count() or 1):
        print(f"WARNING: machine was busy (1-min load average up to {busy:.2f} on {os.cpu_count()} CPUs); "
              "other processes skew these figures, re-run on an idle machine before comparing.")
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {out.relative_to(ROOT)}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
