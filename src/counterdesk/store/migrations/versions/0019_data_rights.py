"""Data rights (个人信息保护法 arts 44-47): customer restrictions, retention tombstones, and delete
triggers of the append-only tables that admit the purge of a tombstoned customer only.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# Written out here, not imported: a migration stays what it was when it ran
# (counterdesk.store.triggers EXPECTED holds the same text).
_CUSTOMER_OF = {
    "customer_versions": ("customer versions are append-only", "OLD.customer_id"),
    "sale_decisions": ("sale decisions are append-only", "OLD.customer_id"),
    "approval_requests": ("approval requests are kept",
                          "(SELECT customer_id FROM counter_sessions WHERE id = OLD.session_id)"),
    "evidence_links": ("evidence_links is append-only", "(SELECT customer_id FROM signoffs WHERE id = OLD.signoff_id)"),
    "confirmation_prints": ("confirmation_prints is append-only",
                            "(SELECT customer_id FROM signoffs WHERE id = OLD.signoff_id)"),
    "cooling_off_cancellations": ("cooling_off_cancellations is append-only",
                                  "(SELECT customer_id FROM signoffs WHERE id = OLD.signoff_id)"),
}


def _refuse(table: str, message: str, when: str = "") -> str:
    when = f" {when}" if when else ""
    return (f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}{when} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def upgrade() -> None:
    op.create_table(
        "customer_restrictions",
        sa.Column("customer_id", sa.String(36), primary_key=True),
        sa.Column("requested_at", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reason_code", sa.String(32), nullable=False),
        sa.Column("basis", sa.String(32), nullable=False),
        sa.Column("retain_until", sa.String(10), nullable=True),
    )
    op.create_table(
        "retention_tombstones",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(36), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("retained_from", sa.String(32), nullable=False),
        sa.Column("retain_years", sa.Integer, nullable=False),
        sa.Column("purged_at", sa.String(32), nullable=False),
        sa.Column("purged_by", sa.String(36), nullable=True),
        sa.Column("rows", sa.Integer, nullable=False),
    )
    op.create_index("ux_retention_tombstones_subject", "retention_tombstones", ["kind", "subject_id"], unique=True)
    for event, what in (("UPDATE", "update"), ("DELETE", "delete")):
        op.execute(f"CREATE TRIGGER retention_tombstones_no_{what} BEFORE {event} ON retention_tombstones "
                   f"BEGIN SELECT RAISE(ABORT, 'retention tombstones are append-only'); END")
    for table, (message, customer) in _CUSTOMER_OF.items():
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        op.execute(_refuse(table, message, "WHEN NOT EXISTS (SELECT 1 FROM retention_tombstones "
                                           f"WHERE kind = 'customer' AND subject_id = {customer})"))


def downgrade() -> None:
    for table, (message, _customer) in _CUSTOMER_OF.items():
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        op.execute(_refuse(table, message))
    op.execute("DROP TRIGGER IF EXISTS retention_tombstones_no_delete")
    op.execute("DROP TRIGGER IF EXISTS retention_tombstones_no_update")
    op.drop_index("ux_retention_tombstones_subject", "retention_tombstones")
    op.drop_table("retention_tombstones")
    op.drop_table("customer_restrictions")
