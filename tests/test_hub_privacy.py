"""The hub never holds personal data in clear: a dump of its whole database lacks a canary customer."""
from __future__ import annotations

import base64
import shutil
import subprocess

from sqlalchemy import create_engine, text

from counterdesk.hub.db import normalise_url

CANARY = "张三丰 110105194912310021 13812345678"
PIECES = [CANARY, "张三丰", "110105194912310021", "13812345678"]


def _pg_dump(url: str) -> bytes | None:
    exe = shutil.which("pg_dump")
    if exe is None:
        return None
    from sqlalchemy.engine import make_url
    u = make_url(url)
    res = subprocess.run([exe, "-h", u.host, "-p", str(u.port), "-U", u.username, "--no-owner", u.database],
                         capture_output=True, timeout=60)
    return res.stdout if res.returncode == 0 else None


def _select_everything(url: str) -> bytes:
    """Every column of every table, text as UTF-8, bytes both raw and as hex."""
    engine = create_engine(normalise_url(url))
    out = []
    try:
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_schema = 'public'")).scalars().all()
            assert {"records", "devices", "branches", "enrol_codes", "nonces"} <= set(tables)
            for table in tables:
                for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                    for value in row:
                        if isinstance(value, (bytes, memoryview)):
                            value = bytes(value)
                            out += [value, value.hex().encode()]
                        else:
                            out.append(str(value).encode("utf-8"))
    finally:
        engine.dispose()
    return b"\n".join(out)


def test_database_dump_holds_no_personal_data(hub):
    branch, device = hub.new_branch_with_device()
    records = [device.record(record_type=t, meta=m, plaintext=CANARY.encode("utf-8") + suffix)
               for t, m, suffix in (("customer.version", {"customer_id": "c-1", "version": 1}, b""),
                                    ("counter_session", {"session_id": "s-1", "status": "open"}, b" more"),
                                    ("audit.entry", {"seq": 1, "action": "customer.revealed"}, b"\x00"))]
    # A careless workstation putting the name into meta is refused, and nothing of it is kept.
    leaky = device.record(meta={"session_id": "s-2", "status": "张三丰"})
    leaky_key = device.record(meta={"session_id": "s-3", "customer_name": "x"})
    receipts = hub.push(device, [*records, leaky, leaky_key]).json()["receipts"]
    assert [r["status"] for r in receipts] == ["accepted"] * 3 + ["rejected"] * 2

    dumps = [_select_everything(hub.url)]
    pg = _pg_dump(hub.url)
    if pg is not None:
        dumps.append(pg)
    for dump in dumps:
        # Positive control: the dump does hold the stored envelopes.
        assert base64.b64decode(records[0]["envelope"]).hex().encode() in dump.lower()
        for piece in PIECES:
            raw = piece.encode("utf-8")
            assert raw not in dump, piece
            assert raw.hex().encode() not in dump.lower(), piece
