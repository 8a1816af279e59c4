"""Customer due diligence (Order 〔2025〕 No. 11): the kept copy of the identity document and the AML
referral; the follow-up call record (保险销售行为管理办法 art 35).

New tables only: an upgraded installation has no images, referrals or calls yet, and its earlier
follow-up tasks keep their free-text outcome.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_document_images",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("counter_sessions.id"), nullable=True),
        sa.Column("doc_type", sa.String(32), nullable=False),
        sa.Column("number_norm", sa.String(40), nullable=False),
        sa.Column("source", sa.String(24), nullable=False),
        sa.Column("media_type", sa.String(16), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("byte_size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("image", sa.LargeBinary, nullable=False),
        sa.Column("thumbnail", sa.LargeBinary, nullable=False),
        sa.Column("retention_class", sa.String(32), nullable=False),
        sa.Column("retention_years", sa.Integer, nullable=False),
        sa.Column("captured_at", sa.String(32), nullable=False),
        sa.Column("captured_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
    )
    op.create_index("ix_customer_document_images_customer_id", "customer_document_images", ["customer_id"])
    op.create_table(
        "aml_referrals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("counter_sessions.id"), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("product_code", sa.String(40), nullable=True),
        sa.Column("amount", sa.String(24), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
    )
    op.create_index("ix_aml_referrals_customer_id", "aml_referrals", ["customer_id"])
    op.create_index("ix_aml_referrals_created_at", "aml_referrals", ["created_at"])
    op.create_table(
        "follow_up_calls",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("signoff_id", sa.String(36), sa.ForeignKey("signoffs.id"), nullable=False),
        sa.Column("task_id", sa.String(36), sa.ForeignKey("follow_up_tasks.id"), nullable=True),
        sa.Column("called_at", sa.String(32), nullable=False),
        sa.Column("called_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("recording_ref", sa.String(64), nullable=True),
        sa.Column("notes", sa.String(500), nullable=True),
    )
    op.create_index("ix_follow_up_calls_signoff_id", "follow_up_calls", ["signoff_id"])


def downgrade() -> None:
    op.drop_index("ix_follow_up_calls_signoff_id", "follow_up_calls")
    op.drop_table("follow_up_calls")
    op.drop_index("ix_aml_referrals_created_at", "aml_referrals")
    op.drop_index("ix_aml_referrals_customer_id", "aml_referrals")
    op.drop_table("aml_referrals")
    op.drop_index("ix_customer_document_images_customer_id", "customer_document_images")
    op.drop_table("customer_document_images")
