"""The AML officer's closing of a suspicious-transaction referral (outcome and note), written once.

New table only: an upgraded installation's referrals are all open.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aml_referral_closures",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("referral_id", sa.String(36), sa.ForeignKey("aml_referrals.id"), nullable=False, unique=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("closed_at", sa.String(32), nullable=False),
        sa.Column("closed_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("aml_referral_closures")
