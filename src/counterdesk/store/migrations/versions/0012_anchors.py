"""Checkpoints of the audit and records chains sent to the hub: what this workstation issued and
what the hub answered (services/anchoring), and the sales' evidence heads they carried.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anchor_checkpoints",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("from_seq", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("hub_id", sa.Integer, nullable=True),
        sa.Column("answered_at", sa.String(40), nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
    )
    op.create_index("ix_anchor_checkpoints_state", "anchor_checkpoints", ["state"])
    op.create_table(
        "anchor_evidence",
        sa.Column("signoff_id", sa.String(36), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("checkpoint_id", sa.String(36), sa.ForeignKey("anchor_checkpoints.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("anchor_evidence")
    op.drop_index("ix_anchor_checkpoints_state", table_name="anchor_checkpoints")
    op.drop_table("anchor_checkpoints")
