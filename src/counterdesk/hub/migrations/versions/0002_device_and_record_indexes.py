"""Indexes for the device lookups, and the protocol version of each record.

* ``devices``: ``ix_devices_branch`` becomes ``ix_devices_branch_revoked_at`` (branch, revoked_at): a
  branch's active devices (``branch list`` counts them, ``device list`` lists a branch's devices) are
  read from the index; as its leading column ``branch`` still serves every lookup by branch alone.
* ``records``: ``ix_records_device_id``: the foreign key to ``devices`` had no index, so "what did this
  (lost, revoked) device push" and the key's own checks read the whole table.
* ``records.protocol`` (SMALLINT NOT NULL DEFAULT 1): the sync protocol version a record was pushed
  under. Every record so far came under version 1; the server default fills the existing rows
  (PostgreSQL adds a constant default without rewriting the table) and the rows the hub inserts.

Nothing else changes: no code reads or writes the new column or the indexes explicitly.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-20
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_devices_branch_revoked_at", "devices", ["branch", "revoked_at"])
    op.drop_index("ix_devices_branch", table_name="devices")
    op.create_index("ix_records_device_id", "records", ["device_id"])
    op.add_column("records", sa.Column("protocol", sa.SmallInteger(), server_default=sa.text("1"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("protocol")
    op.drop_index("ix_records_device_id", table_name="records")
    op.create_index("ix_devices_branch", "devices", ["branch"])
    op.drop_index("ix_devices_branch_revoked_at", table_name="devices")
