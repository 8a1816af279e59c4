"""The suitability decision of a counter session: the product chosen, the amount, the outcome and
every rule with its reasons, against the catalog version and assessment it was made on.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sale_decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("counter_sessions.id"), nullable=False),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("assessment_id", sa.String(36), sa.ForeignKey("assessments.id"), nullable=True),
        sa.Column("catalog_version", sa.Integer, nullable=False),
        sa.Column("product_code", sa.String(40), nullable=False),
        sa.Column("amount", sa.String(24), nullable=False),
        sa.Column("customer_initiated", sa.Boolean, nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("rules_version", sa.String(32), nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("conditions", sa.Text, nullable=False),
        sa.Column("declared", sa.Text, nullable=False),
        sa.Column("decided_at", sa.String(32), nullable=False),
        sa.Column("decided_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
    )
    op.create_index("ix_sale_decisions_session_id", "sale_decisions", ["session_id"])
    op.create_index("ix_sale_decisions_customer_id", "sale_decisions", ["customer_id"])
    # Evidence: a decision is never changed; a new choice adds a new row.
    op.execute("CREATE TRIGGER sale_decisions_no_update BEFORE UPDATE ON sale_decisions "
               "BEGIN SELECT RAISE(ABORT, 'sale decisions are append-only'); END")
    op.execute("CREATE TRIGGER sale_decisions_no_delete BEFORE DELETE ON sale_decisions "
               "BEGIN SELECT RAISE(ABORT, 'sale decisions are append-only'); END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS sale_decisions_no_delete")
    op.execute("DROP TRIGGER IF EXISTS sale_decisions_no_update")
    op.drop_table("sale_decisions")
