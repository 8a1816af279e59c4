"""Disclosure sign-off: the sign-off state, the evidence chain, approval requests, prints,
cooling-off cancellations and follow-up tasks.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APPEND_ONLY = ("evidence_links", "confirmation_prints", "cooling_off_cancellations")


def upgrade() -> None:
    op.create_table(
        "signoffs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("counter_sessions.id"), nullable=False),
        sa.Column("sale_decision_id", sa.String(36), sa.ForeignKey("sale_decisions.id"), nullable=False),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("teller_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("read", sa.Text, nullable=True),
        sa.Column("recording_consent", sa.Boolean, nullable=True),
        sa.Column("recording_ref", sa.String(64), nullable=True),
        sa.Column("typed_sentence", sa.String(400), nullable=True),
        sa.Column("signature_json", sa.Text, nullable=True),
        sa.Column("signature_png", sa.LargeBinary, nullable=True),
        sa.Column("signed_at", sa.String(32), nullable=True),
        sa.Column("attested_at", sa.String(32), nullable=True),
        sa.Column("document_number", sa.String(40), nullable=True, unique=True),
        sa.Column("pdf", sa.LargeBinary, nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.Column("evidence_hash", sa.String(64), nullable=True),
        sa.Column("completed_at", sa.String(32), nullable=True),
        sa.Column("cooling_off_until", sa.String(32), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_signoffs_session_id", "signoffs", ["session_id"])
    op.create_index("ix_signoffs_customer_id", "signoffs", ["customer_id"])
    op.create_index("ix_signoffs_cooling_off_until", "signoffs", ["cooling_off_until"])
    op.create_table(
        "evidence_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("signoff_id", sa.String(36), sa.ForeignKey("signoffs.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("signoff_id", "seq", name="uq_evidence_links_signoff_seq"),
    )
    op.create_index("ix_evidence_links_signoff_id", "evidence_links", ["signoff_id"])
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("signoff_id", sa.String(36), sa.ForeignKey("signoffs.id"), nullable=False),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("counter_sessions.id"), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("requested_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("requested_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("decided_at", sa.String(32), nullable=True),
        sa.Column("decision_reason", sa.String(500), nullable=True),
        sa.Column("override", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_approval_requests_signoff_id", "approval_requests", ["signoff_id"])
    # One pending request per counter session, enforced by the database as well as the core.
    op.execute("CREATE UNIQUE INDEX uq_approval_requests_one_pending ON approval_requests (session_id) "
               "WHERE status = 'pending'")
    # A decided request is final: its row may change only while it is pending.
    op.execute("CREATE TRIGGER approval_requests_final BEFORE UPDATE ON approval_requests "
               "WHEN OLD.status != 'pending' BEGIN SELECT RAISE(ABORT, 'a decided approval request is final'); END")
    op.execute("CREATE TRIGGER approval_requests_no_delete BEFORE DELETE ON approval_requests "
               "BEGIN SELECT RAISE(ABORT, 'approval requests are kept'); END")
    op.create_table(
        "confirmation_prints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("signoff_id", sa.String(36), sa.ForeignKey("signoffs.id"), nullable=False),
        sa.Column("copy", sa.String(16), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("printed_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("printed_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_confirmation_prints_signoff_id", "confirmation_prints", ["signoff_id"])
    op.create_table(
        "cooling_off_cancellations",
        sa.Column("signoff_id", sa.String(36), sa.ForeignKey("signoffs.id"), primary_key=True),
        sa.Column("refund_reference", sa.String(64), nullable=False),
        sa.Column("recorded_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "follow_up_tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("signoff_id", sa.String(36), sa.ForeignKey("signoffs.id"), nullable=False, unique=True),
        sa.Column("seller_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("due_at", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("done_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("done_at", sa.String(32), nullable=True),
        sa.Column("outcome", sa.String(500), nullable=True),
    )
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        op.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    op.execute("DROP TRIGGER IF EXISTS approval_requests_final")
    op.execute("DROP TRIGGER IF EXISTS approval_requests_no_delete")
    for table in ("follow_up_tasks", "cooling_off_cancellations", "confirmation_prints", "approval_requests",
                  "evidence_links", "signoffs"):
        op.drop_table(table)
