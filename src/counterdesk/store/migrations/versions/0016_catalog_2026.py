"""Catalog 2026: premium payment years and annual premium of insurance products (保监发〔2014〕3号;
NFRA Order 2025 No. 7), and both risk ratings with who rated them and when — the distributor's
(``risk_level``) and the issuer's; the higher applies (NFRA Order 2025 No. 7). Earlier catalog
versions keep their rows: the new columns are empty (no issuer rating, no payment years recorded).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# All nullable: rows of earlier versions have none of these (NULL = not recorded).
_COLUMNS = (("premium_payment_years", sa.Integer), ("annual_premium_cents", sa.BigInteger),
            ("distributor_rated_by", lambda: sa.String(100)), ("distributor_rated_on", lambda: sa.String(10)),
            ("issuer_risk_level", lambda: sa.String(2)), ("issuer_rated_by", lambda: sa.String(100)),
            ("issuer_rated_on", lambda: sa.String(10)))


def upgrade() -> None:
    with op.batch_alter_table("catalog_products") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalog_products") as batch:
        for name, _kind in reversed(_COLUMNS):
            batch.drop_column(name)
