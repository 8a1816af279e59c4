"""Confirmations waiting for a timestamp, and the time-stamping authorities a branch has used.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "confirmation_timestamps",
        sa.Column("signoff_id", sa.String(36), sa.ForeignKey("signoffs.id"), primary_key=True),
        sa.Column("document_number", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", sa.String(32), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_attempt_at", sa.String(32), nullable=True),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("stamped_at", sa.String(32), nullable=True),
        sa.Column("authority_fingerprint", sa.String(64), nullable=True),
        sa.Column("pdf", sa.LargeBinary, nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
    )
    op.create_table(
        "timestamp_authorities",
        sa.Column("sha256_fingerprint", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("url", sa.String(400), nullable=False),
        sa.Column("certificate", sa.LargeBinary, nullable=False),
        sa.Column("first_used_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("timestamp_authorities")
    op.drop_table("confirmation_timestamps")
