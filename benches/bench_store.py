"""Store throughput: 10,000 customer-sized rows written and read back, SQLCipher vs plain SQLite.

Both variants use counterdesk.store.engine.make_engine (same pragmas, same driver); the only
difference is the key (random 32 bytes vs None). Target: encrypted/plain time ratio <= 1.5.
"""
from __future__ import annotations

import json
import os
import random
import time
import uuid
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, Text, select
from sqlalchemy.engine import Engine

from _common import Row, median, progress, reps, temp_dir
from counterdesk.store.engine import check_readable, make_engine

N_ROWS = 10_000
BATCH = 500
RATIO_LIMIT = 1.5

metadata = MetaData()
customers = Table(
    "bench_customers", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("name_pinyin", String(100), nullable=False),
    Column("id_type", String(8), nullable=False),
    Column("id_number", String(18), nullable=False, index=True),
    Column("id_expiry", String(10), nullable=False),
    Column("birth_date", String(10), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("address", String(200), nullable=False),
    Column("occupation", String(50), nullable=False),
    Column("employer", String(100), nullable=False),
    Column("nationality", String(3), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("profile", Text, nullable=False),  # JSON
)
COLUMNS = [c.name for c in customers.columns]

# ---- synthetic customers ------------------------------------------------------------------------

SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
            ("欧阳", "Ouyang"), ("司马", "Sima")]
GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("秀", "xiu"), ("英", "ying"), ("敏", "min"),
         ("静", "jing"), ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
         ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"),
         ("超", "chao"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("华", "hua")]
PROVINCES = ["北京市朝阳区", "上海市浦东新区", "广东省广州市天河区", "浙江省杭州市西湖区", "江苏省南京市鼓楼区",
             "四川省成都市武侯区", "湖北省武汉市洪山区", "山东省济南市历下区"]
ROADS = ["建国路", "人民大道", "中山北路", "解放西路", "长安街", "学院路", "滨江大道", "科技园南路"]
ESTATES = ["阳光花园", "锦绣家园", "翠湖小区", "金色港湾", "幸福里", "东方明珠苑"]
OCCUPATIONS = ["工程师", "教师", "医生", "会计", "个体工商户", "公务员", "销售人员", "退休人员", "律师", "厨师"]
EMPLOYERS = ["北京华信科技有限公司", "上海浦江贸易有限公司", "广州南方医疗集团", "杭州西湖教育集团",
             "成都天府建设工程有限公司", "武汉光谷软件股份有限公司"]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id_number(rng: random.Random, birth: str) -> str:
    body = f"{rng.choice(['110105', '310115', '440106', '330106', '320106', '510107'])}{birth.replace('-', '')}" \
           f"{rng.randrange(1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]
    return body + check


def _address(rng: random.Random) -> str:
    text = (f"{rng.choice(PROVINCES)}{rng.choice(ROADS)}{rng.randrange(1, 999)}号{rng.choice(ESTATES)}"
            f"{rng.randrange(1, 30)}栋{rng.randrange(1, 6)}单元{rng.randrange(101, 2800)}室")
    return (text + "（近地铁站东南出口）")[:40]


def _profile(rng: random.Random) -> str:
    # About 600 bytes of UTF-8 JSON: questionnaire answers, contact preferences, notes.
    data = {
        "risk": {"questionnaire": "RQ-2024-v3", "answers": [rng.randrange(1, 5) for _ in range(20)],
                 "score": rng.randrange(10, 80), "level": rng.choice(["C1", "C2", "C3", "C4", "C5"])},
        "contact": {"preferred": rng.choice(["phone", "sms", "branch"]), "quiet_hours": "21:00-08:00",
                    "email": f"user{rng.randrange(10**6)}@example.cn"},
        "income_band": rng.choice(["<10万", "10-30万", "30-50万", ">50万"]),
        "source_of_funds": rng.choice(["工资收入", "经营所得", "投资收益", "继承"]),
        "pep": False, "tax_residency": ["CN"],
        "notes": "客户于柜台办理业务，已核对身份证原件，本人签字确认。" * 3,
        "kyc_checked_by": str(uuid.UUID(int=rng.getrandbits(128))),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def make_records(n: int = N_ROWS, seed: int = 20260101) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        sur, sur_py = rng.choice(SURNAMES)
        given = [rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))]
        birth = f"{rng.randrange(1940, 2006)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        stamp = f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(8, 18):02d}:" \
                f"{rng.randrange(60):02d}:{rng.randrange(60):02d}+00:00"
        out.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "name": sur + "".join(g for g, _ in given),
            "name_pinyin": f"{sur_py} {''.join(p for _, p in given)}".upper(),
            "id_type": "RESID",
            "id_number": _id_number(rng, birth),
            "id_expiry": f"{rng.randrange(2027, 2046)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "birth_date": birth,
            "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            "address": _address(rng),
            "occupation": rng.choice(OCCUPATIONS),
            "employer": rng.choice(EMPLOYERS),
            "nationality": "CHN",
            "created_at": stamp,
            "updated_at": stamp,
            "profile": _profile(rng),
        })
    return out


def record_bytes(rec: dict) -> int:
    return sum(len(str(v).encode("utf-8")) for v in rec.values())


# ---- one round ------------------------------------------------------------------------------------

def _files_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def one_round(path: Path, key: bytes | None, records: list[dict]) -> dict:
    """Write all records in batches, close, reopen, read everything back and check it."""
    engine: Engine = make_engine(path, key)
    metadata.create_all(engine)
    check_readable(engine)  # connection opened and keyed before timing
    ins = customers.insert()
    c0, t0 = time.process_time(), time.perf_counter()
    for i in range(0, len(records), BATCH):
        with engine.begin() as conn:  # BEGIN IMMEDIATE ... COMMIT, one per batch
            conn.execute(ins, records[i:i + BATCH])  # executemany
    write_s, write_cpu = time.perf_counter() - t0, time.process_time() - c0
    engine.dispose()  # final WAL checkpoint happens here (not timed)
    size = _files_size(path)

    # Fresh engine, so reading decrypts pages from the file instead of using the writer's cache.
    engine = make_engine(path, key)
    check_readable(engine)
    c0, t0 = time.process_time(), time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execute(select(customers)).all()
    read_s, read_cpu = time.perf_counter() - t0, time.process_time() - c0
    engine.dispose()

    expected = {r["id"]: tuple(r[c] for c in COLUMNS) for r in records}
    got = {row[0]: tuple(row) for row in rows}
    if len(rows) != len(records) or got != expected:
        bad = sum(1 for k, v in expected.items() if got.get(k) != v)
        raise AssertionError(f"read-back mismatch: {len(rows)} rows read, {bad} differ")
    return {"write": write_s, "read": read_s, "total": write_s + read_s, "cpu": write_cpu + read_cpu, "size": size}


def run(quick: bool = False) -> list[Row]:
    n = reps(quick)
    records = make_records()
    avg_bytes = sum(record_bytes(r) for r in records) / len(records)
    results: dict[str, list[dict]] = {"encrypted": [], "plain": []}
    with temp_dir("store") as tmp:
        for i in range(n):
            # Alternate which variant goes first, so drift (caches, CPU clock) does not favour one.
            order = ("encrypted", "plain") if i % 2 == 0 else ("plain", "encrypted")
            for kind in order:
                path = tmp / f"{kind}-{i}.db"
                key = os.urandom(32) if kind == "encrypted" else None
                res = one_round(path, key, records)
                results[kind].append(res)
                progress(f"store rep {i + 1}/{n} {kind}: write {res['write']:.3f} s, read {res['read']:.3f} s")
                for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    p.unlink(missing_ok=True)

    def med(kind: str, what: str) -> float:
        return median([r[what] for r in results[kind]])

    def samples(kind: str, what: str) -> list[float]:
        return [r[what] for r in results[kind]]

    rows: list[Row] = []
    size_note = f"{N_ROWS} rows x ~{avg_bytes:.0f} B, batches of {BATCH}"
    for what, label in (("write", "write"), ("read", "read back"), ("total", "write+read")):
        for kind in ("encrypted", "plain"):
            note = size_note if (what, kind) == ("write", "encrypted") else ""
            rows.append(Row(f"store.{what}.{kind}", med(kind, what), "s",
                            note=f"{label}, {kind}" + (f"; {note}" if note else ""), samples=samples(kind, what)))
    for what in ("write", "read"):
        rows.append(Row(f"store.ratio.{what}", med("encrypted", what) / med("plain", what), "x",
                        note=f"{what}: encrypted/plain (medians)"))
    rows.append(Row("store.ratio.cpu", med("encrypted", "cpu") / med("plain", "cpu"), "x",
                    note="same, process CPU time instead of wall time (less sensitive to other load)"))
    pair = [e["total"] / p["total"] for e, p in zip(results["encrypted"], results["plain"])]
    rows.append(Row("store.ratio", med("encrypted", "total") / med("plain", "total"), "x", RATIO_LIMIT,
                    note=f"write+read encrypted/plain, medians of {n}; file "
                         f"{median([r['size'] for r in results['encrypted']]) / 2**20:.1f} MiB enc / "
                         f"{median([r['size'] for r in results['plain']]) / 2**20:.1f} MiB plain",
                    samples=pair))
    return rows


if __name__ == "__main__":
    import sys

    from _common import fmt
    for row in run("--quick" in sys.argv):
        print(f"{row.name:28} {fmt(row.figure, row.unit):>10}  {row.status:5} {row.note}")
