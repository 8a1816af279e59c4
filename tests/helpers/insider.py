"""What an insider holding the database key can do to the workstation's chains: drop the append-only
triggers, write anything, re-hash a chain so that it verifies on its own, and put the triggers back."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import text

from counterdesk.services.auth.vault import Vault
from counterdesk.store import audit, ledger
from counterdesk.store.engine import make_engine


@contextmanager
def insider(vault: Vault, *tables: str):
    """What someone holding the database key can do: drop the append-only triggers of ``tables``, write
    anything, and put the triggers back as they were."""
    engine = make_engine(vault.data.database, vault._key)
    try:
        with engine.begin() as conn:
            triggers = conn.exec_driver_sql(
                f"SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name IN "
                f"({','.join('?' * len(tables))})", tables).all()
            for name, _sql in triggers:
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            yield conn
            for _name, sql in triggers:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def rehash_audit(conn, start: int) -> None:
    rows = [dict(r) for r in conn.exec_driver_sql("SELECT * FROM audit_log ORDER BY seq").mappings()]
    prev = audit.GENESIS
    for row in rows:
        if row["seq"] >= start:
            row["prev_hash"], row["hash"] = prev, audit.compute_hash(prev, row)
            conn.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"p": row["prev_hash"], "h": row["hash"], "s": row["seq"]})
        prev = row["hash"]


def rehash_ledger(conn, start: int) -> None:
    rows = conn.exec_driver_sql("SELECT seq, ts, table_name, row_key, op, row_sha256, hash FROM record_ledger "
                                "ORDER BY seq").all()
    prev = ledger.GENESIS
    for seq, ts, table, key, op, sha, digest in rows:
        if seq >= start:
            digest = ledger.entry_hash(prev, seq, ts, table, key, op, sha)
            conn.execute(text("UPDATE record_ledger SET prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"p": prev, "h": digest, "s": seq})
        prev = digest
