"""The gender of sanctions list entries, where the list gives it (a secondary screening feature).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Entries stored before this revision came from lists read without their gender: NULL (not
    # known) until the list is imported again.
    with op.batch_alter_table("sanctions_entries") as batch:
        batch.add_column(sa.Column("gender", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sanctions_entries") as batch:
        batch.drop_column("gender")
