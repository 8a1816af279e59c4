"""The records ledger (every record that matters bound into one chain).

Creates ``record_ledger`` (append-only, like the audit log) and ledgers every row that already
exists, so an upgraded installation has its records bound from the start.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

from counterdesk.store import ledger

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_ledger",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("row_key", sa.String(200), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("row_sha256", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_record_ledger_row", "record_ledger", ["table_name", "row_key", "seq"])
    op.execute("CREATE TRIGGER record_ledger_no_update BEFORE UPDATE ON record_ledger "
               "BEGIN SELECT RAISE(ABORT, 'record_ledger is append-only'); END")
    op.execute("CREATE TRIGGER record_ledger_no_delete BEFORE DELETE ON record_ledger "
               "BEGIN SELECT RAISE(ABORT, 'record_ledger is append-only'); END")
    ledger.backfill(op.get_bind())


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS record_ledger_no_delete")
    op.execute("DROP TRIGGER IF EXISTS record_ledger_no_update")
    op.drop_index("ix_record_ledger_row", table_name="record_ledger")
    op.drop_table("record_ledger")
