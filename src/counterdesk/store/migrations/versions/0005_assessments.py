"""Risk-tolerance assessments and the paper questionnaire forms issued for them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every blank paper questionnaire handed out gets a number, so answers keyed in later can be
    # tied to one physical form and an invented number is refused.
    op.create_table(
        "paper_forms",
        sa.Column("form_number", sa.String(64), primary_key=True),
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("form_version", sa.Integer, nullable=False),
        sa.Column("form_hash", sa.String(64), sa.ForeignKey("form_definitions.hash"), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("issued_at", sa.String(32), nullable=False),
        sa.Column("issued_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
    )
    op.create_index("ix_paper_forms_issued_at", "paper_forms", ["issued_at"])

    op.create_table(
        "assessments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("counter_sessions.id"), nullable=False),
        sa.Column("questionnaire_id", sa.String(64), nullable=False),
        sa.Column("questionnaire_version", sa.Integer, nullable=False),
        sa.Column("questionnaire_hash", sa.String(64), sa.ForeignKey("form_definitions.hash"), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("paper_form_number", sa.String(64), sa.ForeignKey("paper_forms.form_number"),
                  nullable=True),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("grade", sa.String(4), nullable=True),
        sa.Column("lowest_category", sa.Boolean, nullable=False),
        sa.Column("contradictions", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("completed_at", sa.String(32), nullable=True),
        sa.Column("valid_until", sa.String(32), nullable=True),
        sa.Column("confirmed_at", sa.String(32), nullable=True),
        sa.Column("confirmed_by", sa.String(16), nullable=True),
        sa.Column("previous_grade", sa.String(4), nullable=True),
        sa.Column("regrade_confirmed", sa.Boolean, nullable=True),
    )
    op.create_index("ix_assessments_customer", "assessments", ["customer_id"])
    op.create_index("ix_assessments_completed_at", "assessments", ["completed_at"])
    # One paper form carries one customer's answers: a number cannot be keyed in twice.
    op.create_index("ux_assessments_paper_form", "assessments", ["paper_form_number"], unique=True)


def downgrade() -> None:
    op.drop_table("assessments")
    op.drop_table("paper_forms")
