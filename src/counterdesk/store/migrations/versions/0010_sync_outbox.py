"""Sync, workstation side: the outbox written with every syncable change, the inbox of records
pulled from the hub, sync state and keys, conflicts kept for a user, placeholders for other
workstations' users, and verified master-data items.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("local_seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("id_basis", sa.String(200), nullable=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("server_seq", sa.Integer, nullable=True),
        sa.Column("sent_at", sa.String(40), nullable=True),
        sa.Column("workstation_id", sa.String(36), nullable=True),
        sa.Column("key_id", sa.String(24), nullable=True),
        sa.Column("envelope", sa.LargeBinary, nullable=True),
    )
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.create_table(
        "inbox",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=True),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("applied_at", sa.String(40), nullable=True),
        sa.Column("outcome", sa.String(24), nullable=True),
        sa.Column("apply_error", sa.String(200), nullable=True),
    )
    op.create_index("ix_inbox_applied_at", "inbox", ["applied_at"])
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "sync_keys",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("key_id", sa.String(64), nullable=True),
        sa.Column("material", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("base_version", sa.Integer, nullable=True),
        sa.Column("local_version", sa.Integer, nullable=True),
        sa.Column("remote_record_id", sa.String(36), sa.ForeignKey("inbox.id"), nullable=False),
        sa.Column("remote_workstation_id", sa.String(36), nullable=False),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.Column("detected_at", sa.String(40), nullable=False),
        sa.Column("resolved_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("resolved_at", sa.String(40), nullable=True),
        sa.Column("resolution", sa.String(16), nullable=True),
    )
    op.create_index("ix_sync_conflicts_object_id", "sync_conflicts", ["object_id"])
    op.create_table(
        "sync_remote_users",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("first_seen_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "sync_origins",
        sa.Column("table_name", sa.String(32), primary_key=True),
        sa.Column("row_id", sa.String(64), primary_key=True),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "sync_master",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("applied_at", sa.String(40), nullable=True),
    )


def downgrade() -> None:
    for table in ("sync_master", "sync_origins", "sync_remote_users", "sync_conflicts", "sync_keys", "sync_state",
                  "inbox", "outbox"):
        op.drop_table(table)
