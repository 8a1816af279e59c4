"""Customer look-ups at branch scale, on a real (SQLCipher) demo installation at the head schema.

- Find by document number among 1,000,000 customers: target <= 10 ms per look-up, median and p95
  over 200 look-ups, measured through the public API (permission check, index probe, summary,
  audit entry committed with fsync). The bare index query is reported as well.
- Name search among 100,000 customers (Chinese characters, full pinyin, initials, mixed case and
  spaces): target <= 100 ms, median and p95, through the public API.

The bulk rows go in directly through the engine (executemany, 100,000 rows per transaction) and
are only what the look-ups need: customers, customer_documents and customer_names. A small set of
complete customers is created through create_customer and hidden among them, so the API calls
return real summaries. --quick: 100,000 documents and 20,000 names (said so in the output).
"""
from __future__ import annotations

import random
import statistics
import time
import uuid

from _common import Row, progress, temp_dir
from counterdesk.identity.names import search_keys
from counterdesk.services.auth.vault import DEMO_USERS, Vault
from counterdesk.services.customers import repository as repo
from counterdesk.services.customers.queries import find_document, search_names

DOC_LIMIT_S = 0.010
NAME_LIMIT_S = 0.100
LOOKUPS = 200
BATCH = 100_000
REAL_CUSTOMERS = 100
TELLER = next(u for u in DEMO_USERS if u.username == "teller")

SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高",
            "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "萧", "田", "董", "潘",
            "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "卢", "欧阳", "司马", "单"]
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志红玉兰飞鹏宇浩然子轩梓涵一诺欣怡晨阳思远佳琪雨萱博文俊杰"
REGIONS = ["110105", "310115", "440106", "330106", "320106", "510107", "420111", "370102"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(i: int, rng: random.Random) -> str:
    """A well-formed resident ID, unique per i: birth date from i // 1000, sequence from i % 1000."""
    from datetime import date, timedelta
    born = date(1940, 1, 1) + timedelta(days=i // 1000)
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{i % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def chinese_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _timed(fn, args_list) -> list[float]:
    out = []
    for args in args_list:
        t0 = time.perf_counter()
        fn(*args)
        out.append(time.perf_counter() - t0)
    return out


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def _bulk(engine, teller_id: str, n_docs: int, n_names: int, rng: random.Random) -> tuple[list[str], list[str], dict]:
    """Insert the bulk rows; returns (customer ids, document numbers, timings)."""
    ts = "2026-01-01T08:00:00.000000+00:00"
    ids = sorted(str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n_docs))
    numbers = [id_number(i, rng) for i in range(n_docs)]
    timings = {}
    t0 = time.perf_counter()
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA cache_size = -200000")  # 200 MB for the bulk load only (this connection)
        for start in range(0, n_docs, BATCH):
            chunk = range(start, min(start + BATCH, n_docs))
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany("INSERT INTO customers (id, created_at, created_by, current_version, status) "
                            "VALUES (?, ?, ?, 1, 'active')", [(ids[i], ts, teller_id) for i in chunk])
            raw.executemany("INSERT INTO customer_documents (customer_id, doc_type, number_norm, issue_date, "
                            "expiry_date, long_term, current, added_at, added_in_version) "
                            "VALUES (?, 'resident_id', ?, NULL, NULL, 1, 1, ?, 1)",
                            [(ids[i], numbers[i], ts) for i in chunk])
            raw.execute("COMMIT")
            progress(f"customers: {chunk.stop:,} of {n_docs:,} customers and documents")
        timings["docs"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        rows = []
        for i in range(n_names):
            for key in search_keys(chinese_name(rng), None):
                rows.append((ids[i], key.name_norm, key.pinyin_norm, key.pinyin_initials, key.kind))
        timings["name_keys"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for start in range(0, len(rows), BATCH):
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany("INSERT INTO customer_names (customer_id, name_norm, pinyin_norm, pinyin_initials, "
                            "kind) VALUES (?, ?, ?, ?, ?)", rows[start:start + BATCH])
            raw.execute("COMMIT")
        timings["names"] = time.perf_counter() - t0
        timings["name_rows"] = len(rows)
        raw.execute("PRAGMA cache_size = -2000")
    return ids, numbers, timings


def _real_customers(vault, us, n: int, start: int, rng: random.Random) -> list[tuple[str, str]]:
    """Complete customers through the API; (document number, Chinese name) of each."""
    made = []
    for k in range(n):
        number = id_number(start + k, rng)
        name = chinese_name(rng)
        sid = repo.open_session(vault, us)
        consent = repo.record_consent(vault, us, sid, True, 1)
        repo.create_customer(vault, us, {
            "id_doc_type": "resident_id", "id_number": number, "id_long_term": True, "name_zh": name,
            "sex": "female", "birth_date": "1980-05-05", "nationality": "CHN", "phone": "13812345678",
            "address": "北京市朝阳区建国路1号", "occupation": "retired", "civil_capacity": "full",
            "tax_residency": "cn_only", "pep_status": "none", "customer_tier": "mass"}, None, consent, sid)
        made.append((number, name))
    return made


def _queries(names: list[str], rng: random.Random) -> list[str]:
    """Name queries the way tellers type them: characters, full pinyin, initials, odd case and spaces."""
    from counterdesk.identity.names import pinyin_readings
    out = []
    for i in range(LOOKUPS):
        name = rng.choice(names)
        reading = pinyin_readings(name)[0]
        kind = i % 4
        if kind == 0:
            out.append(name)
        elif kind == 1:
            out.append("".join(reading))
        elif kind == 2:
            out.append("".join(s[0] for s in reading).upper())
        else:
            out.append(" ".join(s.capitalize() for s in reading))
    return out


def run(quick: bool = False) -> list[Row]:
    n_docs, n_names = (100_000, 20_000) if quick else (1_000_000, 100_000)
    scale = f"{n_docs:,} customers" + (" (QUICK: reduced N)" if quick else "")
    rng = random.Random(20261201)
    rows: list[Row] = []
    with temp_dir("customers") as tmp:
        progress("customers: creating demo installation")
        vault, _ = Vault.create_demo(tmp / "data")
        us = vault.sign_in(TELLER.username, TELLER.password)
        try:
            engine = vault.db.engine
            _ids, numbers, t = _bulk(engine, us.user_id, n_docs, n_names, rng)
            progress("customers: creating complete customers through the API")
            t0 = time.perf_counter()
            real = _real_customers(vault, us, REAL_CUSTOMERS, n_docs, rng)
            t_real = time.perf_counter() - t0
            size = sum(p.stat().st_size for p in (tmp / "data").glob("counterdesk.db*"))
            rows.append(Row("customers.build.documents", t["docs"], "s",
                            note=f"{scale} + documents, executemany, {BATCH:,} rows/transaction "
                                 f"({n_docs / t['docs']:,.0f} customers/s); db files {size / 2**20:.0f} MiB"))
            rows.append(Row("customers.build.names", t["names"] + t["name_keys"], "s",
                            note=f"{n_names:,} names -> {t['name_rows']:,} key rows; pinyin keys "
                                 f"{t['name_keys']:.1f} s, insert {t['names']:.1f} s"))
            rows.append(Row("customers.build.api_create", t_real / REAL_CUSTOMERS, "s",
                            note="per complete customer through the API: open session + consent + create "
                                 "(3 transactions, fsync each)"))

            # Document look-up: bare index query (inside one writer transaction, no audit) ...
            sample = [numbers[rng.randrange(n_docs)] for _ in range(LOOKUPS)]
            progress("customers: document look-ups")
            bare = _timed(lambda num: vault.transact(lambda s: find_document(s, "resident_id", num)),
                          [(n,) for n in sample])
            rows.append(Row("customers.find_doc.query", statistics.median(bare), "s",
                            note=f"index probe via the writer thread, no audit; p95 {_p95(bare) * 1000:.2f} ms; "
                                 f"{LOOKUPS} look-ups among {scale}", samples=bare))
            # ... and the public API (audit entry + summary), on the complete customers.
            api_args = [(us, "resident_id", real[i % len(real)][0]) for i in range(LOOKUPS)]
            found = [repo.find_by_document(vault, *api_args[0])]
            assert found[0] is not None, "a created customer was not found"
            api = _timed(lambda u, d, n: repo.find_by_document(vault, u, d, n), api_args)
            rows.append(Row("customers.find_doc.api.median", statistics.median(api), "s", DOC_LIMIT_S,
                            note=f"find_by_document incl. audit commit; {LOOKUPS} look-ups among {scale}",
                            samples=api))
            rows.append(Row("customers.find_doc.api.p95", _p95(api), "s", DOC_LIMIT_S,
                            note="same, 95th percentile"))
            miss = _timed(lambda n: repo.find_by_document(vault, us, "resident_id", n),
                          [(id_number(n_docs + REAL_CUSTOMERS + i, rng),) for i in range(50)])
            rows.append(Row("customers.find_doc.api.miss", statistics.median(miss), "s",
                            note="number not on file (median of 50)", samples=miss))

            # Name search among the first n_names customers (plus the complete ones).
            progress("customers: name searches")
            names_rng = random.Random(7)
            pool = [chinese_name(names_rng) for _ in range(200)] + [name for _, name in real]
            queries = _queries(pool, rng)
            bare_n = _timed(lambda q: vault.transact(lambda s: search_names(s, q, 50)), [(q,) for q in queries])
            rows.append(Row("customers.search.query", statistics.median(bare_n), "s",
                            note=f"name index queries, no audit; p95 {_p95(bare_n) * 1000:.1f} ms; "
                                 f"max {max(bare_n) * 1000:.1f} ms; {n_names:,} names", samples=bare_n))
            api_n = _timed(lambda q: repo.search_by_name(vault, us, q, 50), [(q,) for q in queries])
            rows.append(Row("customers.search.api.median", statistics.median(api_n), "s", NAME_LIMIT_S,
                            note=f"search_by_name (chars / pinyin / INITIALS / 'Spaced Case' in turn), limit 50, "
                                 f"incl. summaries and audit; {n_names:,} names", samples=api_n))
            rows.append(Row("customers.search.api.p95", _p95(api_n), "s", NAME_LIMIT_S, note="same, 95th percentile"))
            by_kind = {k: statistics.median(api_n[i::4])
                       for i, k in enumerate(("chars", "pinyin", "initials", "spaced"))}
            rows.append(Row("customers.search.api.by_kind", max(by_kind.values()), "s",
                            note="medians: " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in by_kind.items())))
            given = _timed(lambda q: repo.search_by_name(vault, us, q, 50),
                           [("芳华",), ("zhixin",), ("建国",), ("Jian Guo",), ("jg",)] * 4)
            rows.append(Row("customers.search.api.given_name", statistics.median(given), "s", NAME_LIMIT_S,
                            note="given name only (chars, pinyin, initials), median of 20"))
            unknown = _timed(lambda q: repo.search_by_name(vault, us, q, 50),
                             [("欧阳未有",), ("ouyangweiyou",), ("qqqz",)] * 4)
            rows.append(Row("customers.search.api.not_found", statistics.median(unknown), "s", NAME_LIMIT_S,
                            note="names not on file (a new customer), median of 12"))
        finally:
            vault.sign_out(us)
    return rows


if __name__ == "__main__":
    import sys

    from _common import fmt
    for row in run("--quick" in sys.argv):
        print(f"{row.name:34} {fmt(row.figure, row.unit):>10}  {row.status:5} {row.note}")
