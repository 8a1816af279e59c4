"""The triggers that keep the dashboard's daily aggregates honest (migration 0023): every insert,
change or removal of a row a figure counts on removes that row's branch day(s) from ``report_days``,
so the day is recomputed from the source rows at the next read. The same text as the migration's
(a migration's SQL is frozen there); counterdesk.store.triggers checks that each is still in place,
since without them a late or synced record would leave a closed day's figures stale."""
from __future__ import annotations

# table -> the time columns ("{r}": the NEW or OLD row) whose branch day (UTC+8) a figure counts on.
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


def mark_triggers() -> list[tuple[str, str, str]]:
    """(trigger, table, SQL) of every marking trigger."""
    out = []
    for table, columns in MARKS.items():
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            days = ", ".join(f"date({c.format(r=r)}, '+8 hours')" for r in rows for c in columns)
            name = f"{table}_report_{event.lower()}"
            out.append((name, table, f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                                     f"BEGIN DELETE FROM report_days WHERE day IN ({days}); END"))
    return out


EXPECTED: list[tuple[str, str, str]] = mark_triggers()
