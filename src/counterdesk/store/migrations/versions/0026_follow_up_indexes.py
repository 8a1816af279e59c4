"""Indexes for the follow-up list (services/followups): a teller's open post-sale tasks, the
assessments completed in the window whose validity ends in it, and those whose stored end (valid_until)
falls in it, read as indexed ranges instead of scans of every task and assessment (the first two covering:
the index alone answers; the sales' ranges use the indexes of 0021); and
the sales whose cooling-off period ended, covered with their status and id, so that the check for a
missing post-sale task (signoff.cooling.sync_follow_ups, on every read of the list) reads the index
alone. That one replaces 0009's single-column index on cooling_off_until (its prefix).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04
"""
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ix_follow_up_tasks_open": ("follow_up_tasks", ("status", "seller_id", "due_at", "signoff_id", "id")),
    "ix_assessments_expiring": ("assessments", ("completed_at", "status", "created_by", "customer_id",
                                                "valid_until", "id")),
    "ix_assessments_valid_until": ("assessments", ("valid_until", "created_by", "status")),
    "ix_signoffs_cooling_off": ("signoffs", ("cooling_off_until", "status", "id")),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, list(columns))
    op.drop_index("ix_signoffs_cooling_off_until", table_name="signoffs")


def downgrade() -> None:
    op.create_index("ix_signoffs_cooling_off_until", "signoffs", ["cooling_off_until"])
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
