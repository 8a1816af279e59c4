"""Branch-key replacement (``counterdesk-hub branch rekey``), for a branch whose every workstation is lost.

``branches.retired_key_id`` and ``rekeyed_at``: the key given up and when; ``key_floor_seq``: the last
seq of the branch's records at that moment. Those records stay (sealed under the retired key, which the
hub never held), but a pull never returns them again: the branch's new workstations, under a new key,
start after them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("branches") as batch:
        batch.add_column(sa.Column("retired_key_id", sa.String(24), nullable=True))
        batch.add_column(sa.Column("rekeyed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("key_floor_seq", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("branches") as batch:
        batch.drop_column("key_floor_seq")
        batch.drop_column("rekeyed_at")
        batch.drop_column("retired_key_id")
