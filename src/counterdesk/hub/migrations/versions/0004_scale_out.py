"""What several hub worker processes (and hosts) share through PostgreSQL rather than memory.

* ``rate_limits``: fixed-window counters keyed by a bucket name (``enrol:<address>``: failed enrolment
  attempts of one client address), so a limit holds across every worker of every hub host.
* On PostgreSQL, a statement-level trigger on ``records`` sends ``NOTIFY cd_records, '<branch>'`` for
  each branch that an INSERT added rows to. The notification is delivered at commit, to every hub
  process that LISTENs, so a long poll (``/v1/wait``) wakes whichever process pushed the record. No
  notification for a statement that inserted nothing (all duplicates). SQLite (the one-process demo
  hub) has no LISTEN: there the process wakes its own waiters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CHANNEL = "cd_records"


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("bucket", sa.String(100), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION cd_records_notify() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "DECLARE b text; BEGIN "
                   "FOR b IN SELECT DISTINCT branch FROM new_rows LOOP "
                   f"PERFORM pg_notify('{CHANNEL}', b); END LOOP; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER records_notify AFTER INSERT ON records REFERENCING NEW TABLE AS new_rows "
                   "FOR EACH STATEMENT EXECUTE FUNCTION cd_records_notify()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS records_notify ON records")
        op.execute("DROP FUNCTION IF EXISTS cd_records_notify()")
    op.drop_table("rate_limits")
