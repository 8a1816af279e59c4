"""The customer's evaluation of the service at the end of a counter session (评价器).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_evaluations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("counter_sessions.id"), nullable=False, unique=True),
        sa.Column("teller_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stars", sa.Integer, nullable=True),
        sa.Column("reasons", sa.String(200), nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("nps_asked", sa.Boolean, nullable=False),
        sa.Column("nps", sa.Integer, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_customer_evaluations_teller_id", "customer_evaluations", ["teller_id"])
    op.create_index("ix_customer_evaluations_created_at", "customer_evaluations", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_customer_evaluations_created_at", "customer_evaluations")
    op.drop_index("ix_customer_evaluations_teller_id", "customer_evaluations")
    op.drop_table("customer_evaluations")
