"""Screening quality: precision, recall and latency on a seeded labelled set, side by side with
OpenSanctions' nomenklatura logic-v2 (the peer, run from the benchmark-only .bench-venv).

    scripts/bench-venv.sh                                     # once: the peer's own venv
    .venv/bin/python benches/run.py screening-quality         # full: 30,000 entries, ~2,100 queries
    .venv/bin/python benches/run.py --quick screening-quality # 30,000 entries, ~520 queries (e2e on 100)

The labelled set is benches/screening_dataset.py (generated, seeded). CounterDesk runs its real
path (index retrieval + scoring) at the product's default threshold; the peer scores, at 0.70
(yente's default for logic-v2), the same candidate set for every query: the entries whose names are
closest by a neutral fuzzy search (rapidfuzz over ASCII-folded names, independent of either matcher)
plus the labelled entry, so its recall is not held back by retrieval. Latency: CounterDesk per
screening in memory against the 30,000-entry index, and end to end through screen() with its stored
row and audit entry (a DEMO store; the administrator's authenticator code is computed with pyotp,
benches/screening_e2e.py); the peer per query for scoring its candidates only (no retrieval).
The markdown table is printed and written to benches/results/screening-quality.md.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections import defaultdict
from datetime import UTC, date, datetime

from _common import ROOT, Row, progress, temp_dir
from screening_dataset import CHINESE_ROMANISATION, MATCH_CATEGORIES, NONMATCH_CATEGORIES, Entry, Query, build
from screening_e2e import demo_store

PEER_PY = ROOT / ".bench-venv" / "bin" / "python"
PEER_THRESHOLD = 0.70
PEER_CANDIDATES = 30
N_E2E = 200


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] if ordered else 0.0


# ---- CounterDesk ---------------------------------------------------------------------------------
def _indexed(entries: list[Entry]):
    from counterdesk.screening.index import IndexedEntry
    return [IndexedEntry("bench-list", "BENCH", "0" * 64, e.ref, e.kind, tuple((t, ty, "") for t, ty in e.names),
                         (e.dob,) if e.dob else (), (e.nationality,), (e.document,) if e.document else (), "BENCH",
                         e.gender) for e in entries]


def _make_query(q: Query):
    from counterdesk.screening.matcher import make_query
    return make_query(q.names, date.fromisoformat(q.birth_date) if q.birth_date else None, q.nationality, [],
                      q.gender or None)


def _run_counterdesk(entries: list[Entry], queries: list[Query], threshold: float) -> tuple[dict, list[float], float]:
    from counterdesk.screening.index import MatchIndex
    from counterdesk.screening.matcher import match
    t0 = time.perf_counter()
    index = MatchIndex.build(_indexed(entries))
    build_s = time.perf_counter() - t0
    match(index, _make_query(queries[0]), threshold)  # warm caches of the code paths, not of the names
    alerts, times, cpu = {}, [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        hits = match(index, _make_query(q), threshold)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        alerts[q.qid] = {h.entry_ref: h.score for h in hits}  # every hit returned is an alert
    return alerts, times, build_s, cpu


def _end_to_end(entries: list[Entry], queries: list[Query], n: int = N_E2E) -> list[float]:
    """screen() through the encrypted store: the list imported as OpenSanctions FollowTheMoney lines
    (which carry the gender), each screening stored with its audit entry."""
    from counterdesk.screening.index import CACHE
    from counterdesk.services.sanctions import lists, screening
    lines = []
    for e in entries:
        props: dict[str, list[str]] = {"name": [e.names[0][0]]}
        for text, kind in e.names[1:]:
            props.setdefault("weakAlias" if kind == "weak_alias" else "alias", []).append(text)
        for key, value in (("birthDate", e.dob), ("nationality", e.nationality.lower()), ("gender", e.gender),
                           ("passportNumber", e.document)):
            if value:
                props[key] = [value]
        lines.append(json.dumps({"id": e.ref, "schema": "Person" if e.kind == "person" else "Company",
                                 "properties": props, "datasets": ["bench"], "last_seen": "2026-12-01T06:00:00"},
                                ensure_ascii=False))
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    times = []
    with temp_dir("screening-quality") as tmp:
        vault, admin, teller = demo_store(tmp / "data")
        try:
            lists.import_files(vault, admin, [("bench.ftm.json", "\n".join(lines).encode())], fmt="os-ftm", now=now)
            CACHE.clear()
            screening.warm_index(vault)
            for i, q in enumerate(queries[:n]):
                subject = screening.ScreenedPerson(q.names, date.fromisoformat(q.birth_date) if q.birth_date else None,
                                                   q.nationality, gender=q.gender or None)
                t0 = time.perf_counter()
                screening.screen(vault, teller, subject, f"bench-{i}", now=now)
                times.append(time.perf_counter() - t0)
        finally:
            vault.close()
            CACHE.clear()
    return times


# ---- the peer ----------------------------------------------------------------------------------
def _neutral_candidates(entries: list[Entry], queries: list[Query], k: int) -> dict[str, list[int]]:
    from anyascii import anyascii
    from pypinyin import lazy_pinyin
    from rapidfuzz import fuzz, process

    def fold(text: str) -> str:
        if any("\u4e00" <= c <= "\u9fff" for c in text):
            text = " ".join(lazy_pinyin(text))
        return " ".join(anyascii(text).casefold().replace("-", " ").split())

    names, owner = [], []
    for i, e in enumerate(entries):
        for t, _ty in e.names:
            names.append(fold(t))
            owner.append(i)
    ref_index = {e.ref: i for i, e in enumerate(entries)}
    out = {}
    for q in queries:
        picked: dict[int, None] = {}
        for n in q.names:
            for _m, _s, j in process.extract(fold(n), names, scorer=fuzz.token_sort_ratio, limit=k):
                picked[owner[j]] = None
        if q.expect:
            picked[ref_index[q.expect]] = None
        out[q.qid] = list(picked)
    return out


def _run_peer(entries: list[Entry], queries: list[Query],
              cands: dict[str, list[int]]) -> tuple[dict, list[float]] | str:
    if not PEER_PY.exists():
        return "no .bench-venv: run scripts/bench-venv.sh"
    proc = subprocess.Popen([str(PEER_PY), str(ROOT / "benches" / "screening_peer.py")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    assert proc.stdin and proc.stdout

    def job(qid: str, q: Query, idx: list[int]) -> str:
        return json.dumps({"qid": qid, "query": {"names": q.names, "birth_date": q.birth_date,
                                                 "nationality": q.nationality, "gender": q.gender},
                           "candidates": [{"ref": entries[i].ref, "names": entries[i].names, "dob": entries[i].dob,
                                           "nationality": entries[i].nationality, "gender": entries[i].gender}
                                          for i in idx]}, ensure_ascii=False) + "\n"
    proc.stdin.write(job("warm-up", queries[0], cands[queries[0].qid]))  # loads its name data
    proc.stdin.flush()
    proc.stdout.readline()
    alerts, times = {}, []
    for n, q in enumerate(queries):
        proc.stdin.write(job(q.qid, q, cands[q.qid]))
        proc.stdin.flush()
        res = json.loads(proc.stdout.readline())
        times.append(res["seconds"])
        alerts[q.qid] = {ref: s for ref, s in res["scores"].items() if s >= PEER_THRESHOLD}
        if n % 250 == 249:
            progress(f"peer: {n + 1}/{len(queries)}")
    proc.stdin.close()
    proc.wait(timeout=60)
    return alerts, times


# ---- figures ----------------------------------------------------------------------------------------
def _quality(queries: list[Query], alerts: dict[str, dict[str, float]]) -> dict:
    tp = fp = fn = neg = neg_alerted = 0
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for q in queries:
        got = alerts[q.qid]
        per[q.category][1] += 1
        if q.expect:
            if q.expect in got:
                tp += 1
                per[q.category][0] += 1
            else:
                fn += 1
                fp += bool(got)  # an alert on someone else only
        else:
            neg += 1
            if got:
                fp += 1
                neg_alerted += 1
                per[q.category][0] += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "clean_alert_rate": neg_alerted / neg if neg else 0.0,
            "per": {c: v[0] / v[1] for c, v in per.items() if v[1]}}


def _table(cd: dict, peer: dict | None, cd_lat: list[float], e2e: list[float], peer_lat: list[float],
           threshold: float, n_entries: int, n_queries: int, cd_cpu: list[float] | None = None) -> str:
    def f(x: float | None, pct: bool = False) -> str:
        return "–" if x is None else (f"{x * 100:.1f} %" if pct else f"{x:.3f}")

    p = peer or {}
    lines = [f"Labelled set: {n_entries:,} list entries, {n_queries:,} queries "
             "(seeded, benches/screening_dataset.py).", "",
             f"| | CounterDesk at {threshold:.2f} | nomenklatura logic-v2 at {PEER_THRESHOLD:.2f} |", "|---|---|---|"]
    for key, label, pct in (("precision", "precision", False), ("recall", "recall", False), ("f1", "F1", False),
                            ("clean_alert_rate", "clean customers alerted", True)):
        lines.append(f"| {label} | {f(cd[key], pct)} | {f(p.get(key), pct)} |")
    ms = lambda v: f"{v * 1000:.1f} ms" if v else "–"  # noqa: E731
    lines.append(f"| latency p50 / p95 per screening | {ms(statistics.median(cd_lat))} / {ms(_pct(cd_lat, 0.95))} "
                 f"(30,000 entries, in memory{f'; CPU time p95 {ms(_pct(cd_cpu, 0.95))}' if cd_cpu else ''}) | "
                 f"{ms(statistics.median(peer_lat) if peer_lat else 0)} / "
                 f"{ms(_pct(peer_lat, 0.95))} (scoring its ~{PEER_CANDIDATES}+ candidates only) |")
    if e2e:
        lines.append(f"| latency p50 / p95 end to end, stored record | {ms(statistics.median(e2e))} / "
                     f"{ms(_pct(e2e, 0.95))} | – |")
    lines += ["", "| category | kind | CounterDesk | logic-v2 |", "|---|---|---|---|"]
    for c in MATCH_CATEGORIES + NONMATCH_CATEGORIES:
        kind = ("recall (Chinese romanisation)" if c in CHINESE_ROMANISATION else "recall") \
            if c in MATCH_CATEGORIES else "alert rate"
        lines.append(f"| {c} | {kind} | {f(cd['per'].get(c))} | {f(p.get('per', {}).get(c))} |")
    return "\n".join(lines) + "\n"


def run(quick: bool = False) -> list[Row]:
    from counterdesk.base.settings import SANCTIONS_MATCH_THRESHOLD
    threshold = float(SANCTIONS_MATCH_THRESHOLD.default)
    progress("generating the labelled set")
    sizes = dict(per_match=20, per_nonmatch=20, n_clean=100) if quick else {}
    entries, queries = build(30_000, **sizes)
    progress(f"{len(entries)} entries, {len(queries)} queries; CounterDesk")
    cd_alerts, cd_lat, build_s, cd_cpu = _run_counterdesk(entries, queries, threshold)
    cd = _quality(queries, cd_alerts)
    progress("end to end through screen() and the encrypted store")
    e2e = _end_to_end(entries, queries, 100 if quick else N_E2E)
    progress("neutral candidates for the peer")
    cands = _neutral_candidates(entries, queries, PEER_CANDIDATES)
    progress("peer: nomenklatura logic-v2")
    peer_res = _run_peer(entries, queries, cands)
    peer, peer_lat, peer_note = None, [], ""
    if isinstance(peer_res, str):
        peer_note = peer_res
    else:
        peer, peer_lat = _quality(queries, peer_res[0]), peer_res[1]
    table = _table(cd, peer, cd_lat, e2e, peer_lat, threshold, len(entries), len(queries), cd_cpu)
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        table += (f"\nMeasured with a 1-minute load average of {load:.1f} on {os.cpu_count()} CPUs (other processes): "
                  "the wall-clock latencies are inflated; the CPU time is the screening's own.\n")
    print("\n" + table)
    out = ROOT / "benches" / "results" / "screening-quality.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(table, encoding="utf-8")
    worst_cn = min(cd["per"][c] for c in CHINESE_ROMANISATION)
    rows = [
        Row("quality.clean_alert_rate", cd["clean_alert_rate"] * 100, "%", 2.0, note="non-match queries alerted"),
        Row("quality.recall_shortfall", (0.95 - cd["recall"]) * 100, "pt", 0.0,
            note=f"recall {cd['recall']:.3f} (target >= 0.95); precision {cd['precision']:.3f}, F1 {cd['f1']:.3f}"),
        Row("quality.cn_romanisation_gap", (0.9 - worst_cn) * 100, "pt", 0.0,
            note=f"worst Chinese romanisation recall {worst_cn:.3f} (target >= 0.9 each)"),
        Row("quality.p95", _pct(cd_lat, 0.95), "s", 0.020, note=f"in memory, index built in {build_s:.1f} s"),
        Row("quality.p95.cpu", _pct(cd_cpu, 0.95), "s", note="CPU time of the same screenings (robust to other load)"),
    ]
    rows.append(Row("quality.e2e.p95", _pct(e2e, 0.95), "s", 0.020,
                    note=f"screen() incl. stored row + audit, {len(e2e)} queries"))
    if peer:
        rows.append(Row("quality.peer.f1", peer["f1"], "", note=f"logic-v2: P {peer['precision']:.3f} "
                        f"R {peer['recall']:.3f}, clean alerted {peer['clean_alert_rate'] * 100:.1f} %"))
    else:
        rows.append(Row("quality.peer", None, "", note=peer_note))
    return rows


if __name__ == "__main__":
    import sys
    for row in run("--quick" in sys.argv):
        print(row)
