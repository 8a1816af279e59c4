"""Sync housekeeping: other workstations' audit entries in a table of their own, and pruning.

``sync_remote_audit`` holds the audit entries of the branch's other workstations, keyed by origin
workstation and sequence, append-only like ``audit_log`` (whose chain stays this workstation's own).
The audit entries already received (kept in the inbox until now) are copied into it and marked applied.
``outbox.pruned_at``: a sent row past the retention window keeps its id, type and meta, and loses its
body and envelope.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_NO_UPDATE = ("CREATE TRIGGER sync_remote_audit_no_update BEFORE UPDATE ON sync_remote_audit "
              "BEGIN SELECT RAISE(ABORT, 'remote audit entries are append-only'); END")
_NO_DELETE = ("CREATE TRIGGER sync_remote_audit_no_delete BEFORE DELETE ON sync_remote_audit "
              "BEGIN SELECT RAISE(ABORT, 'remote audit entries are append-only'); END")


def upgrade() -> None:
    op.create_table(
        "sync_remote_audit",
        sa.Column("workstation_id", sa.String(36), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(36), nullable=False, unique=True),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=True),
        sa.Column("actor_name", sa.String(64), nullable=False),
        sa.Column("workstation", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=True),
        sa.Column("object_id", sa.String(64), nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_sync_remote_audit_ts", "sync_remote_audit", ["ts"])
    op.execute(_NO_UPDATE)
    op.execute(_NO_DELETE)
    # The other workstations' entries received so far (kept as "stored"; this workstation's own came back
    # as "own"): as their body says, the hub's workstation id the origin; a second record of one
    # (origin, seq) is left in the inbox.
    op.execute(
        "INSERT OR IGNORE INTO sync_remote_audit (workstation_id, seq, record_id, ts, actor_id, actor_name, "
        "workstation, action, object_type, object_id, details, prev_hash, hash, received_at) "
        "SELECT workstation_id, json_extract(body, '$.row.seq'), id, json_extract(body, '$.row.ts'), "
        "json_extract(body, '$.row.actor_id'), json_extract(body, '$.row.actor_name'), "
        "json_extract(body, '$.row.workstation'), json_extract(body, '$.row.action'), "
        "json_extract(body, '$.row.object_type'), json_extract(body, '$.row.object_id'), "
        "json_extract(body, '$.row.details'), json_extract(body, '$.row.prev_hash'), "
        "json_extract(body, '$.row.hash'), received_at FROM inbox "
        "WHERE type = 'audit.entry' AND outcome = 'stored' AND body IS NOT NULL AND json_valid(body) "
        "AND json_extract(body, '$.row.seq') IS NOT NULL AND json_extract(body, '$.row.hash') IS NOT NULL "
        "ORDER BY seq")
    op.execute("UPDATE inbox SET outcome = 'applied' WHERE type = 'audit.entry' AND outcome = 'stored' "
               "AND id IN (SELECT record_id FROM sync_remote_audit)")
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("pruned_at", sa.String(40), nullable=True))
    op.create_index("ix_outbox_pruned_at_sent_at", "outbox", ["pruned_at", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_pruned_at_sent_at", "outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("pruned_at")
    op.execute("UPDATE inbox SET outcome = 'stored' WHERE type = 'audit.entry' AND outcome = 'applied'")
    op.execute("DROP TRIGGER IF EXISTS sync_remote_audit_no_delete")
    op.execute("DROP TRIGGER IF EXISTS sync_remote_audit_no_update")
    op.drop_index("ix_sync_remote_audit_ts", "sync_remote_audit")
    op.drop_table("sync_remote_audit")
