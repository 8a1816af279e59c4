"""Checkpoints of the workstations' hash chains (audit log, records ledger, evidence heads).

* ``checkpoints``: every signed checkpoint a device sent, accepted or refused (a refused one
  contradicted the history already anchored and stays, flagged, for head office).
* ``anchored_entries``: each entry hash of an installation's chain, as first anchored.
* ``anchored_evidence``: each completed sale's evidence head, as first anchored.

All three are append-only: a trigger refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL), so
what was anchored cannot be replaced through the API or through SQL short of dropping the trigger,
which only the database owner can do.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("checkpoints", "anchored_entries", "anchored_evidence")


def _time(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("id", SEQ, sa.Identity(), primary_key=True),
        sa.Column("branch", sa.String(32), sa.ForeignKey("branches.code"), nullable=False),
        sa.Column("installation_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("from_seq", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("prev_head", sa.String(64), nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        _time("created_at"),
        _time("received_at"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(300), nullable=True),
    )
    op.create_index("ix_checkpoints_scope", "checkpoints", ["branch", "installation_id", "id"])
    op.create_index("ix_checkpoints_status", "checkpoints", ["status"])
    op.create_table(
        "anchored_entries",
        sa.Column("branch", sa.String(32), sa.ForeignKey("branches.code"), primary_key=True),
        sa.Column("installation_id", sa.Uuid(), primary_key=True),
        sa.Column("chain", sa.String(16), primary_key=True),
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("checkpoint_id", SEQ, sa.ForeignKey("checkpoints.id"), nullable=False),
    )
    op.create_table(
        "anchored_evidence",
        sa.Column("branch", sa.String(32), sa.ForeignKey("branches.code"), primary_key=True),
        sa.Column("installation_id", sa.Uuid(), primary_key=True),
        sa.Column("signoff_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("checkpoint_id", SEQ, sa.ForeignKey("checkpoints.id"), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION cd_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION cd_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION cd_append_only()")
    else:  # the SQLite demo hub
        for table in TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)  # drops its triggers with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cd_append_only()")
