"""An index on signoffs (status, teller_id) for the teller's home: the count of the teller's returned
and awaiting sign-offs (services/reports/today.py) reads the two statuses' entries for the teller from
the index alone instead of scanning every sign-off.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04
"""
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_signoffs_status_teller", "signoffs", ["status", "teller_id"])


def downgrade() -> None:
    op.drop_index("ix_signoffs_status_teller", table_name="signoffs")
