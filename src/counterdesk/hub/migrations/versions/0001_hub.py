"""The hub: branches, devices, enrolment codes, nonces, records, master data, head-office key.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "branches",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key_id", sa.String(24), nullable=True),
        _time("created_at"),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("branch", sa.String(32), sa.ForeignKey("branches.code"), nullable=False),
        sa.Column("workstation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("sign_public_key", sa.LargeBinary(32), nullable=False),
        _time("enrolled_at"),
        _time("revoked_at", nullable=True),
    )
    op.create_index("ix_devices_branch", "devices", ["branch"])
    op.create_table(
        "enrol_codes",
        sa.Column("code_sha256", sa.String(64), primary_key=True),
        sa.Column("branch", sa.String(32), sa.ForeignKey("branches.code"), nullable=False),
        sa.Column("wrapped_branch_key", sa.LargeBinary(256), nullable=True),
        _time("created_at"),
        sa.Column("created_by_device", sa.Uuid(), sa.ForeignKey("devices.id"), nullable=True),
        _time("expires_at"),
        _time("used_at", nullable=True),
        sa.Column("used_by_device", sa.Uuid(), sa.ForeignKey("devices.id"), nullable=True),
    )
    op.create_index("ix_enrol_codes_branch", "enrol_codes", ["branch"])
    op.create_table(
        "nonces",
        sa.Column("device", sa.Uuid(), sa.ForeignKey("devices.id"), primary_key=True),
        sa.Column("nonce", sa.String(32), primary_key=True),
        _time("seen_at"),
    )
    op.create_index("ix_nonces_seen_at", "nonces", ["seen_at"])
    op.create_table(
        "records",
        sa.Column("seq", SEQ, sa.Identity(), primary_key=True),
        sa.Column("id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("branch", sa.String(32), sa.ForeignKey("branches.code"), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("workstation_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), sa.ForeignKey("devices.id"), nullable=False),
        _time("created_at"),
        _time("received_at"),
        sa.Column("key_id", sa.String(24), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
    )
    op.create_index("ix_records_branch_seq", "records", ["branch", "seq"])
    op.create_table(
        "master_items",
        sa.Column("seq", SEQ, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        _time("published_at"),
        sa.UniqueConstraint("kind", "version", name="uq_master_items_kind_version"),
    )
    op.create_table(
        "head_office_key",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("public_key", sa.LargeBinary(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        _time("registered_at"),
    )


def downgrade() -> None:
    for table in ("head_office_key", "master_items", "records", "nonces", "enrol_codes", "devices", "branches"):
        op.drop_table(table)
