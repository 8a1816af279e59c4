"""Product catalog (versioned snapshots) and staff licences.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_versions",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("products", sa.Integer, nullable=False),
    )
    op.create_table(
        "catalog_products",
        sa.Column("version", sa.Integer, sa.ForeignKey("catalog_versions.number"), primary_key=True),
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name_zh", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(100), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("risk_level", sa.String(2), nullable=False),
        sa.Column("issuer", sa.String(100), nullable=False),
        sa.Column("term_days", sa.Integer, nullable=True),
        sa.Column("min_amount_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("liquidity", sa.String(16), nullable=False),
        sa.Column("sale_start", sa.String(10), nullable=False),
        sa.Column("sale_end", sa.String(10), nullable=True),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("private_class", sa.String(32), nullable=True),
        sa.Column("principal_protected", sa.Boolean, nullable=False),
        sa.Column("cooling_off_hours", sa.Integer, nullable=False),
        sa.Column("recording_required", sa.Boolean, nullable=False),
        sa.Column("licence_required", sa.String(32), nullable=False),
        sa.Column("periodic_premium", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "user_licences",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("licence_type", sa.String(32), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("issued", sa.String(10), nullable=False),
        sa.Column("expires", sa.String(10), nullable=True),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("updated_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.UniqueConstraint("user_id", "licence_type", name="uq_user_licences_user_type"),
    )


def downgrade() -> None:
    op.drop_table("user_licences")
    op.drop_table("catalog_products")
    op.drop_table("catalog_versions")
