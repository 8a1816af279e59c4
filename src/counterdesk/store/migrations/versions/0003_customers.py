"""Customers (versioned KYC answers, documents, name search keys), consents, counter sessions,
AML ratings and the stored form definitions the answers refer to.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_definitions",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("stored_at", sa.String(32), nullable=False),
    )
    op.create_index("ux_form_definitions_id_version", "form_definitions", ["form_id", "version"], unique=True)

    op.create_table(
        "customers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "customer_versions",
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("form_version", sa.Integer, nullable=False),
        sa.Column("form_hash", sa.String(64), sa.ForeignKey("form_definitions.hash"), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
    )
    # Append-only: the database itself refuses to change or remove an earlier version.
    op.execute("CREATE TRIGGER customer_versions_no_update BEFORE UPDATE ON customer_versions "
               "BEGIN SELECT RAISE(ABORT, 'customer versions are append-only'); END")
    op.execute("CREATE TRIGGER customer_versions_no_delete BEFORE DELETE ON customer_versions "
               "BEGIN SELECT RAISE(ABORT, 'customer versions are append-only'); END")

    op.create_table(
        "customer_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("doc_type", sa.String(32), nullable=False),
        sa.Column("number_norm", sa.String(64), nullable=False),
        sa.Column("issue_date", sa.String(10), nullable=True),
        sa.Column("expiry_date", sa.String(10), nullable=True),
        sa.Column("long_term", sa.Boolean, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.Column("added_in_version", sa.Integer, nullable=False),
    )
    op.create_index("ux_customer_documents_number", "customer_documents", ["number_norm", "doc_type"], unique=True)
    op.create_index("ix_customer_documents_customer", "customer_documents", ["customer_id"])

    op.create_table(
        "customer_names",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("name_norm", sa.String(100), nullable=False),
        sa.Column("pinyin_norm", sa.String(200), nullable=False),
        sa.Column("pinyin_initials", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
    )
    op.create_index("ix_customer_names_name", "customer_names", ["name_norm"])
    op.create_index("ix_customer_names_pinyin", "customer_names", ["pinyin_norm"])
    op.create_index("ix_customer_names_initials", "customer_names", ["pinyin_initials"])
    op.create_index("ix_customer_names_customer", "customer_names", ["customer_id"])

    op.create_table(
        "counter_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("teller_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(32), nullable=True),
        sa.Column("stop_reason_code", sa.String(64), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_counter_sessions_customer", "counter_sessions", ["customer_id"])

    op.create_table(
        "consents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=True),
        sa.Column("consent_type", sa.String(32), nullable=False),
        sa.Column("text_version", sa.Integer, nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("counter_sessions.id"), nullable=False),
    )
    op.create_index("ix_consents_customer", "consents", ["customer_id"])
    op.create_index("ix_consents_session", "consents", ["session_id"])

    op.create_table(
        "aml_ratings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("rated_at", sa.String(32), nullable=False),
        sa.Column("rated_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("rules_version", sa.String(32), nullable=False),
    )
    op.create_index("ix_aml_ratings_customer", "aml_ratings", ["customer_id"])


def downgrade() -> None:
    op.drop_table("aml_ratings")
    op.drop_table("consents")
    op.drop_table("counter_sessions")
    op.drop_table("customer_names")
    op.drop_table("customer_documents")
    op.execute("DROP TRIGGER IF EXISTS customer_versions_no_delete")
    op.execute("DROP TRIGGER IF EXISTS customer_versions_no_update")
    op.drop_table("customer_versions")
    op.drop_table("customers")
    op.drop_table("form_definitions")
