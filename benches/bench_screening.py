"""Sanctions screening latency: 30,000 synthetic list entries with aliases (Latin and Chinese script).

Reports the index build time and the time of one screening (candidate retrieval + scoring),
p50/p95/max over 500 varied queries: exact names, reordered names, typos, Chinese characters, pinyin
and names not on the list. Target: p95 <= 20 ms per screening against 30,000 entries INCLUDING the
stored record, so the full run also measures screen() end to end through the encrypted store
(OpenSanctions CSV import of the same 30,000 entries, index build from the database, then screen()
with its stored row and audit entry, signed in as the demo teller) on 100 queries, against the same
target. Alert quality (precision, recall, the peer) is the screening-quality benchmark's.
"""
from __future__ import annotations

import csv
import io
import random
import statistics
import time
from datetime import UTC, date, datetime

from _common import Row, progress, temp_dir
from screening_e2e import demo_store

N_ENTRIES = 30_000
N_QUERIES = 500
N_E2E = 100
P95_LIMIT_S = 0.020

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND = ["欧阳", "司马", "诸葛", "上官", "东方"]
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志文"
         "辉玲红梅兰凤春晓海波斌宇浩鹏飞鑫峰雪琳晨阳光荣新福安宁德")
ARABIC = ["Abdul", "Rahman", "Mohammed", "Ahmad", "Ali", "Hassan", "Hussein", "Omar", "Yusuf", "Ibrahim", "Khalid",
          "Tariq", "Faisal", "Nasser", "Salim", "Karim", "Hamid", "Mustafa", "Mahmoud", "Said", "Jamal", "Bashir",
          "Rashid", "Aziz", "Latif", "Hakim", "Majid", "Nabil", "Walid", "Zaid", "Anwar", "Fadil", "Ghazi", "Idris",
          "Jalal", "Kamal", "Mansour", "Munir", "Qasim", "Ridwan", "Sami", "Talal", "Usama", "Yahya", "Zakariya"]
FAMILY = ["AL-QASIMI", "NOORZAI", "BADAWI", "HADDAD", "TEHRANI", "OBEIDI", "SAFI", "BENALI", "SULEIMAN", "MANSOORI",
          "HASHIMI", "KHATIB", "NAJJAR", "SHAMI", "TIKRITI", "ZUBAIDI", "JABOURI", "DULAIMI", "ANSARI", "BAKRI",
          "FARSI", "HALABI", "KURDI", "MASRI", "RIFAI", "SAADI", "TAMIMI", "YAMANI", "ZAHRANI", "QAHTANI"]
SLAVIC_FIRST = ["Viktor", "Dmitri", "Sergei", "Alexei", "Ivan", "Pavel", "Nikolai", "Oleg", "Yuri", "Mikhail",
                "Olena", "Irina", "Natalia", "Svetlana", "Tatiana", "Andrei", "Boris", "Grigori", "Konstantin", "Roman"]
SLAVIC_LAST = ["ZAKHAROV", "VOLKOV", "KOVALENKO", "PETROV", "SOKOLOV", "LEBEDEV", "KOZLOV", "NOVIKOV", "MOROZOV",
               "POPOV", "ORLOV", "FEDOROV", "MIKHAILOV", "BELOV", "TARASOV", "BELYAEV", "KOMAROV", "KISELEV"]
ADJ = ["Golden", "Silver", "Eastern", "Northern", "Red", "Blue", "Green", "Ocean", "Star", "Dragon", "Phoenix",
       "Pacific", "Royal", "Grand", "United", "Global", "Bright", "Crystal", "Jade", "Iron", "Sun", "Moon"]
NOUN = ["Harbour", "Bridge", "River", "Mountain", "Lotus", "Crane", "Tiger", "Horizon", "Gate", "Valley", "Coast",
        "Summit", "Pearl", "Anchor", "Compass", "Falcon", "Delta", "Orchid", "Willow", "Maple"]
TRADE = ["Trading", "Shipping", "Logistics", "Electronics", "Machinery", "Petrochemical", "Mining", "Textiles",
         "Minerals", "Engineering", "Technology", "Industrial"]
FORMS = ["Co., Ltd.", "LLC", "Company", "Corporation", "Group", "Holdings Limited", "JSC", "Inc."]
HAN_ADJ = "金银东北红蓝绿海星龙凤太皇大联环明晶玉铁日月"
HAN_NOUN = "港桥河山莲鹤虎门谷岸峰珠锚鹰洲兰柳枫"
HAN_TRADE = ["贸易", "航运", "物流", "电子", "机械", "化工", "矿业", "纺织", "科技", "工程"]
HAN_FORM = ["有限公司", "集团", "股份有限公司", "公司"]
COUNTRIES = ["CN", "HK", "KP", "IR", "SY", "RU", "AF", "IQ", "YE", "SO", "LY", "SD", "AE", "TR", "MM", "VE", "BY"]


def _pinyin_name(han: str, compound: bool) -> str:
    from pypinyin import lazy_pinyin
    syl = lazy_pinyin(han)
    n = 2 if compound else 1
    return f"{''.join(syl[:n]).upper()} {''.join(syl[n:]).capitalize()}"


def _typo(rng: random.Random, text: str) -> str:
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    if not letters:
        return text
    i = rng.choice(letters)
    op = rng.randrange(3)
    if op == 0:
        chars[i] = rng.choice("aeiounrst")
    elif op == 1:
        del chars[i]
    else:
        chars.insert(i, chars[i])
    return "".join(chars)


def make_entries(n: int = N_ENTRIES, seed: int = 20261125) -> list[dict]:
    """Synthetic entries: {ref, kind, names: [(text, type)], dob, nationality, document}."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        r = rng.random()
        names: list[tuple[str, str]] = []
        kind, dob, nat, doc = "person", None, rng.choice(COUNTRIES), None
        if r < 0.40:
            compound = rng.random() < 0.04
            han = (rng.choice(COMPOUND) if compound else rng.choice(SURNAMES)) + \
                "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            names = [(_pinyin_name(han, compound), "primary"), (han, "alias")]
            if rng.random() < 0.3:
                names.append((_typo(rng, names[0][0]), "weak_alias"))
            nat = rng.choice(["CN", "CN", "HK", "TW", "SG"])
        elif r < 0.65:
            parts = [*rng.sample(ARABIC, rng.choice((2, 3))), rng.choice(FAMILY)]
            names = [(" ".join(parts), "primary"), (" ".join(parts[:-1]).replace("Abdul ", "Abdul-"), "alias")]
            if rng.random() < 0.5:
                names.append((f"Abu {rng.choice(ARABIC)}", "weak_alias"))
        elif r < 0.80:
            first, last = rng.choice(SLAVIC_FIRST), rng.choice(SLAVIC_LAST)
            names = [(f"{first} {rng.choice(SLAVIC_FIRST)}ovich {last}", "primary"),
                     (f"{first} {last.title().replace('v', 'ff', 1)}", "alias")]
        else:
            kind = "entity"
            names = [(f"{rng.choice(ADJ)} {rng.choice(NOUN)} {rng.choice(TRADE)} {rng.choice(FORMS)}", "primary")]
            if rng.random() < 0.5:
                names.append((rng.choice(HAN_ADJ) + rng.choice(HAN_NOUN) + rng.choice(HAN_TRADE) + rng.choice(HAN_FORM),
                              "alias"))
            if rng.random() < 0.4:
                names.append((names[0][0].replace("Harbour", "Harbor").replace("Co., Ltd.", "Company"), "alias"))
        if kind == "person" and rng.random() < 0.8:
            dob = f"{rng.randrange(1940, 2000)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            if rng.random() < 0.2:
                dob = dob[:4]
        if rng.random() < 0.5:
            doc = f"{rng.choice('EGPKXA')}{rng.randrange(10**7, 10**8)}"
        out.append({"ref": f"syn-{i:06d}", "kind": kind, "names": names, "dob": dob, "nationality": nat,
                    "document": doc})
    return out


def make_queries(entries: list[dict], n: int = N_QUERIES, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        e = rng.choice(entries)
        primary = e["names"][0][0]
        r = rng.random()
        kw: dict = {}
        if r < 0.25:
            names = [primary]
            if e["dob"] and len(e["dob"]) == 10:
                kw["birth_date"] = date.fromisoformat(e["dob"])
        elif r < 0.40:
            names = [" ".join(reversed(primary.split()))]
        elif r < 0.55:
            names = [_typo(rng, primary)]
        elif r < 0.70:
            han = [t for t, _ in e["names"] if any("\u4e00" <= c <= "\u9fff" for c in t)]
            names = [han[0] if han else primary]
            if han and rng.random() < 0.5:  # Chinese script and its pinyin, as an ID card gives both
                names.append(primary)
        elif r < 0.75 and e["document"]:
            names, kw["documents"] = [_typo(rng, primary)], [e["document"]]
        else:
            names = [f"{rng.choice(ARABIC)} {rng.choice(SLAVIC_LAST)}",
                     rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)][i % 2:i % 2 + 1]
            kw["nationality"] = rng.choice(COUNTRIES)
        out.append({"names": names, **kw})
    return out


def _indexed(entries: list[dict]):
    from counterdesk.screening.index import IndexedEntry
    return [IndexedEntry("bench-list", "BENCH", "0" * 64, e["ref"], e["kind"],
                         tuple((t, ty, "") for t, ty in e["names"]),
                         (e["dob"],) if e["dob"] else (), (e["nationality"],),
                         (e["document"],) if e["document"] else (),
                         "BENCH") for e in entries]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def _to_csv(entries: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "schema", "name", "aliases", "birth_date", "countries", "addresses", "identifiers", "sanctions",
                "phones", "emails", "dataset", "first_seen", "last_seen", "last_change"])
    for e in entries:
        w.writerow([e["ref"], "Person" if e["kind"] == "person" else "Company", e["names"][0][0],
                    ";".join(t for t, _ in e["names"][1:]), e["dob"] or "", e["nationality"].lower(), "",
                    e["document"] or "", "BENCH", "", "", "bench", "", "2026-11-24T06:00:00", ""])
    return buf.getvalue().encode("utf-8")


def _end_to_end(entries: list[dict], queries: list[dict]) -> list[Row]:
    from counterdesk.screening.index import CACHE
    from counterdesk.services.sanctions import lists, screening
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    rows = []
    with temp_dir("screening") as tmp:
        vault, admin, teller = demo_store(tmp / "data")
        try:
            data = _to_csv(entries)
            t0 = time.perf_counter()
            res = lists.import_files(vault, admin, [("bench.simple.csv", data)], now=now)
            rows.append(Row("screening.import_30k", time.perf_counter() - t0, "s",
                            note=f"OpenSanctions CSV, {res.list.entries} entries, "
                                 f"{len(data) / 2**20:.1f} MiB, one transaction"))
            CACHE.clear()
            t0 = time.perf_counter()
            screening.warm_index(vault)
            rows.append(Row("screening.index_from_db", time.perf_counter() - t0, "s",
                            note="read current lists from the encrypted store and build the index"))
            times = []
            for i, q in enumerate(queries[:N_E2E]):
                subject = screening.ScreenedPerson(q["names"], q.get("birth_date"), q.get("nationality"),
                                            q.get("documents", []))
                t0 = time.perf_counter()
                screening.screen(vault, teller, subject, f"bench-{i}", now=now)
                times.append(time.perf_counter() - t0)
            rows.append(Row("screening.e2e.p95", _pct(times, 0.95), "s", P95_LIMIT_S,
                            note=f"screen() incl. stored row + audit entry, {N_E2E} queries; "
                                 f"p50 {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms",
                            samples=times))
        finally:
            vault.close()
    return rows


def run(quick: bool = False) -> list[Row]:
    from counterdesk.screening.index import MatchIndex
    from counterdesk.screening.matcher import make_query, match
    progress("generating 30,000 synthetic entries")
    entries = make_entries()
    queries = make_queries(entries)
    indexed = _indexed(entries)
    from counterdesk.screening.normalise import _name_form, _pinyin
    _name_form.cache_clear(), _pinyin.cache_clear()  # a cold build, as after an import
    t0 = time.perf_counter()
    index = MatchIndex.build(indexed)
    build = time.perf_counter() - t0
    names = len(index.forms)
    progress(f"index built in {build:.2f} s ({names} names); screening {len(queries)} queries")
    match(index, make_query(["warm up"]), 0.85)
    times, cpu, hits = [], [], 0
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        result = match(index, make_query(q["names"], q.get("birth_date"), q.get("nationality"),
                                         q.get("documents")), 0.85)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        hits += bool(result)
    rows = [
        Row("screening.index_build", build, "s", note=f"{len(entries)} entries, {names} names (Latin + Chinese)"),
        Row("screening.p50", statistics.median(times), "s", note=f"{len(queries)} varied queries, one screening each"),
        Row("screening.p95", _pct(times, 0.95), "s", P95_LIMIT_S,
            note=f"in memory; {hits}/{len(queries)} queries had hits", samples=times),
        Row("screening.p95.cpu", _pct(cpu, 0.95), "s", note="CPU time of the same screenings (robust to other load)"),
        Row("screening.max", max(times), "s", note="slowest single screening"),
    ]
    if not quick:
        progress("end to end through the encrypted store")
        rows += _end_to_end(entries, queries)
    return rows


if __name__ == "__main__":
    import sys

    from _common import fmt
    for row in run("--quick" in sys.argv):
        print(f"{row.name:28} {fmt(row.figure, row.unit):>10}  {row.status:5} {row.note}")
