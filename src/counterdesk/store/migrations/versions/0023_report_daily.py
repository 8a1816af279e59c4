"""Daily pre-aggregated dashboard figures (counterdesk.services.reports.daily).

``report_days`` lists the closed branch days whose figures are aggregated; ``report_daily`` holds the
counts per day and teller, ``report_durations`` the sorted step durations per day and teller (and per
day for the whole branch, scope '*'), from which medians and maxima are exact. Triggers on the source
tables remove a day from ``report_days`` whenever a row counting on that day is written, changed or
removed (a late record, a record synced from another workstation, a purge), so the next read
recomputes it: the aggregates are a cache that can never be read stale. Derived data: not ledgered,
not synced.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

COUNTS = ("sessions_completed", "sessions_stopped", "sessions_open", "decisions", "customer_initiated", "mismatches",
          "cooling_sales", "cooling_cancelled", "approvals_overrides", "screening_waiting",
          "eval_1", "eval_2", "eval_3", "eval_4", "eval_5", "eval_skipped",
          "nps_promoters", "nps_passives", "nps_detractors")

# table -> the time columns (SQL on the row, "{r}" the row: NEW or OLD) whose branch day a figure counts on
# (counterdesk.store.report_marks holds the same text, for the triggers' check).
MARKS: dict[str, tuple[str, ...]] = {
    "counter_sessions": ("{r}.created_at",),
    "assessments": ("{r}.completed_at",),
    "sale_decisions": ("{r}.decided_at",),
    "signoffs": ("{r}.created_at", "{r}.completed_at"),
    "approval_requests": ("{r}.requested_at", "(SELECT created_at FROM signoffs WHERE id = {r}.signoff_id)"),
    "screenings": ("{r}.created_at",),
    "cooling_off_cancellations": ("{r}.recorded_at",),
    "customer_evaluations": ("{r}.created_at",),
}


def mark_triggers() -> list[tuple[str, str]]:
    out = []
    for table, columns in MARKS.items():
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            days = ", ".join(f"date({c.format(r=r)}, '+8 hours')" for r in rows for c in columns)
            name = f"{table}_report_{event.lower()}"
            out.append((name, f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                              f"BEGIN DELETE FROM report_days WHERE day IN ({days}); END"))
    return out


def upgrade() -> None:
    op.create_table(
        "report_days",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("computed_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "report_daily",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("teller_id", sa.String(36), primary_key=True),
        *(sa.Column(name, sa.Integer, nullable=False) for name in COUNTS),
        sa.Column("approvals", sa.Text, nullable=False),
        sa.Column("screenings", sa.Text, nullable=False),
    )
    op.create_table(
        "report_durations",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("scope", sa.String(36), primary_key=True),
        sa.Column("step", sa.String(16), primary_key=True),
        sa.Column("samples", sa.LargeBinary, nullable=False),
    )
    for _name, sql in mark_triggers():
        op.execute(sql)


def downgrade() -> None:
    for name, _sql in mark_triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("report_durations")
    op.drop_table("report_daily")
    op.drop_table("report_days")
