"""Every table and column of a workstation's store, opened with its key (what an insider holding the key
reads), searched for pieces of personal data: in clear, JSON-escaped, and inside BLOBs."""
from __future__ import annotations

import json

from counterdesk.services.auth.vault import Vault
from counterdesk.store.engine import make_engine


def _forms(piece: str) -> list[bytes]:
    escaped = json.dumps(piece)[1:-1]  # as json.dumps writes it with ensure_ascii
    return sorted({piece.encode("utf-8"), escaped.encode("utf-8")})


def store_hits(vault: Vault, pieces: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, piece) for every cell of the decrypted store that holds one of ``pieces``."""
    engine = make_engine(vault.data.database, vault._key)
    hits: set[tuple[str, str, str]] = set()
    wanted = {piece: _forms(piece) for piece in pieces}
    try:
        with engine.connect() as conn:
            tables = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                result = conn.exec_driver_sql(f'SELECT * FROM "{table}"')
                columns = list(result.keys())
                for row in result:
                    for column, value in zip(columns, row, strict=True):
                        if value is None:
                            continue
                        raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode("utf-8")
                        for piece, forms in wanted.items():
                            if any(f in raw for f in forms):
                                hits.add((table, column, piece))
    finally:
        engine.dispose()
    return sorted(hits)
