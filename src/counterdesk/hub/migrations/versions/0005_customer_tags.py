"""Customer records: an index for the look-up of one customer's records by their tag.

A workstation about to serve a customer asks for the branch's records carrying that customer's tag
(``meta.customer_tag``, a keyed hash the hub cannot reverse; ``GET /v1/customer-records``). A
partial expression index on (branch, tag, seq) serves it; it holds only the tagged records (consents,
restrictions, screenings, AML ratings, tombstones), so the push path of the other kinds pays nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The same SQL on PostgreSQL and SQLite (3.38+ reads ->>).
    op.execute("CREATE INDEX ix_records_customer_tag ON records (branch, (meta ->> 'customer_tag'), seq) "
               "WHERE meta ->> 'customer_tag' IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_records_customer_tag")
