"""The records ledger (migration 0011): one hash chain over every stored record that matters.

Each insert, change or removal of a ledgered row appends one entry naming the table, the row's key
and the SHA-256 of the row as stored; the entry hashes the one before it. The table is append-only
(database triggers refuse UPDATE and DELETE). See ``counterdesk.store.ledger``.
"""
from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class LedgerEntry(Base):
    __tablename__ = "record_ledger"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(32), nullable=False)
    table_name: Mapped[str] = mapped_column(String(40), nullable=False)
    row_key: Mapped[str] = mapped_column(String(200), nullable=False)
    op: Mapped[str] = mapped_column(String(8), nullable=False)  # insert / update / delete / migrate
    row_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)

    # The listener looks up the latest entry of the rows a flush wrote.
    __table_args__ = (Index("ix_record_ledger_row", "table_name", "row_key", "seq"),)
