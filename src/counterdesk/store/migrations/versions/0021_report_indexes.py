"""Indexes on the time columns the branch dashboard filters by (services/reports): without them every
period is a full scan of the session, decision, sign-off and approval tables, past their large columns
(PDFs, answers). Covering: the dashboard's queries read the index alone.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ix_counter_sessions_created": ("counter_sessions", ("created_at", "teller_id", "status", "updated_at")),
    "ix_sale_decisions_decided": ("sale_decisions", ("decided_at", "decided_by", "customer_initiated", "outcome",
                                                     "assessment_id", "session_id")),
    "ix_signoffs_created": ("signoffs", ("created_at", "teller_id", "signed_at", "completed_at", "id")),
    "ix_signoffs_completed": ("signoffs", ("completed_at", "teller_id", "cooling_off_until")),
    "ix_approval_requests_requested": ("approval_requests", ("requested_at", "requested_by", "status",
                                                             "decided_at")),
    "ix_assessments_completed_by": ("assessments", ("completed_at", "created_by", "status", "created_at",
                                                    "session_id")),
    "ix_cooling_off_cancellations_recorded": ("cooling_off_cancellations", ("recorded_at",)),
    "ix_complaints_received": ("complaints", ("received_at", "owner_id", "status")),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
