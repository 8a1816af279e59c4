"""Sanctions lists, their entries and screenings.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sanctions_lists",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("published", sa.String(10), nullable=False),
        sa.Column("loaded_at", sa.String(32), nullable=False),
        sa.Column("loaded_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("superseded_by", sa.String(36), sa.ForeignKey("sanctions_lists.id"), nullable=True),
    )
    op.create_index("ix_sanctions_lists_source", "sanctions_lists", ["source"])
    op.create_table(
        "sanctions_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("list_id", sa.String(36), sa.ForeignKey("sanctions_lists.id"), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("names", sa.Text, nullable=False),
        sa.Column("birth_dates", sa.Text, nullable=False),
        sa.Column("nationalities", sa.Text, nullable=False),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("programs", sa.Text, nullable=False),
        sa.UniqueConstraint("list_id", "ref", name="uq_sanctions_entries_list_ref"),
    )
    op.create_index("ix_sanctions_entries_list_id", "sanctions_entries", ["list_id"])
    op.create_table(
        "screenings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("matcher_version", sa.String(32), nullable=False),
        sa.Column("list_hashes", sa.Text, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("hits", sa.Text, nullable=False),
        sa.Column("disposition_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("disposition_at", sa.String(32), nullable=True),
        sa.Column("disposition_reason_code", sa.String(32), nullable=True),
        sa.Column("disposition_note", sa.Text, nullable=True),
    )
    op.create_index("ix_screenings_created_at", "screenings", ["created_at"])
    op.create_index("ix_screenings_subject_ref", "screenings", ["subject_ref"])
    op.create_index("ix_screenings_status", "screenings", ["status"])


def downgrade() -> None:
    op.drop_table("screenings")
    op.drop_table("sanctions_entries")
    op.drop_table("sanctions_lists")
