"""The unified follow-up list: the outcome of each follow-up contact (post-sale call, an older
customer's extra follow-up, an expiring risk assessment, a maturing product), written once.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_up_outcomes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("source_id", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("signoff_id", sa.String(36), sa.ForeignKey("signoffs.id"), nullable=True),
        sa.Column("branch", sa.String(16), nullable=False),
        sa.Column("due_on", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("closes", sa.Boolean, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recording_ref", sa.String(64), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("recorded_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_follow_up_outcomes_customer_id", "follow_up_outcomes", ["customer_id"])
    op.create_index("ix_follow_up_outcomes_source", "follow_up_outcomes", ["kind", "source_id"])


def downgrade() -> None:
    op.drop_index("ix_follow_up_outcomes_source", "follow_up_outcomes")
    op.drop_index("ix_follow_up_outcomes_customer_id", "follow_up_outcomes")
    op.drop_table("follow_up_outcomes")
