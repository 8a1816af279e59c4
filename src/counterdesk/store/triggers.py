"""The database's own protection of the append-only tables: which triggers the migrations create,
and the check that each is still there, on its table, exactly as written.

A trigger dropped and re-created word for word cannot be told from the original; what was changed
while it was gone is the records ledger's to find (``counterdesk.store.ledger``). A migration that adds
a protecting trigger adds it to ``EXPECTED`` as well.
"""
from __future__ import annotations

import re

from sqlalchemy.orm import Session

from counterdesk.base.checks import CheckResult
from counterdesk.base.text import Result, Text
from counterdesk.store import report_marks


def _refuse(name: str, table: str, event: str, message: str, when: str = "") -> tuple[str, str, str]:
    when = f" {when}" if when else ""
    return name, table, (f"CREATE TRIGGER {name} BEFORE {event} ON {table}{when} "
                         f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def _append_only(table: str, message: str) -> list[tuple[str, str, str]]:
    return [_refuse(f"{table}_no_update", table, "UPDATE", message),
            _refuse(f"{table}_no_delete", table, "DELETE", message)]


# (trigger, table, SQL as the migration wrote it)
EXPECTED: list[tuple[str, str, str]] = [
    *_append_only("audit_log", "audit log is append-only"),                         # 0001
    *_append_only("customer_versions", "customer versions are append-only"),        # 0003
    *_append_only("sale_decisions", "sale decisions are append-only"),              # 0007
    _refuse("approval_requests_final", "approval_requests", "UPDATE", "a decided approval request is final",
            "WHEN OLD.status != 'pending'"),                                          # 0009
    _refuse("approval_requests_no_delete", "approval_requests", "DELETE", "approval requests are kept"),
    *_append_only("evidence_links", "evidence_links is append-only"),
    *_append_only("confirmation_prints", "confirmation_prints is append-only"),
    *_append_only("cooling_off_cancellations", "cooling_off_cancellations is append-only"),
    *_append_only("record_ledger", "record_ledger is append-only"),                 # 0011
    *_append_only("complaint_events", "complaint_events is append-only"),           # 0018
    *_append_only("retention_tombstones", "retention tombstones are append-only"),  # 0019
    *_append_only("sync_remote_audit", "remote audit entries are append-only"),     # 0024
]

# 0019 (data rights): these delete triggers let the retention job remove the rows of a customer that
# has a tombstone (the tombstone is written first, in the same transaction), and nothing else.
# table -> (message, SQL naming the customer the row belongs to)
PURGEABLE: dict[str, tuple[str, str]] = {
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


def purge_when(customer: str) -> str:
    return ("WHEN NOT EXISTS (SELECT 1 FROM retention_tombstones "
            f"WHERE kind = 'customer' AND subject_id = {customer})")


def purgeable_delete(table: str) -> tuple[str, str, str]:
    message, customer = PURGEABLE[table]
    return _refuse(f"{table}_no_delete", table, "DELETE", message, purge_when(customer))


EXPECTED = [purgeable_delete(t) if name == f"{t}_no_delete" and t in PURGEABLE else (name, t, sql)
            for name, t, sql in EXPECTED]

TITLE = Text("只追加保护（数据库触发器）", "Append-only protection (database triggers)")


def _normal(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip().rstrip(";").lower()


def verify(db: Session) -> CheckResult:
    """Every expected trigger present on its table with its original SQL; others are shown as warnings."""
    found = {name: (table, sql) for name, table, sql in db.connection().exec_driver_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type='trigger'")}
    result = Result()
    for name, table, sql in EXPECTED:
        if name not in found:
            result.add(table, "trigger_missing", Text(
                f"表 {table} 的只追加保护触发器 {name} 已被删除",
                f"The append-only trigger {name} of {table} is missing (append-only triggers were removed)"))
        elif found[name][0] != table or _normal(found[name][1]) != _normal(sql):
            result.add(table, "trigger_changed", Text(
                f"表 {table} 的触发器 {name} 被改写，已不是迁移创建的保护",
                f"The trigger {name} of {table} was rewritten: it is not the protection the migration created"))
    # The dashboard's marking triggers (migration 0023): without one, a late or synced record would
    # leave a closed day's aggregated figures stale.
    for name, table, sql in report_marks.EXPECTED:
        if name not in found or found[name][0] != table or _normal(found[name][1]) != _normal(sql):
            result.add(table, "report_trigger_missing", Text(
                f"表 {table} 的统计更新触发器 {name} 已被删除或改写，服务统计可能不再更新",
                f"The report trigger {name} of {table} is missing or rewritten: dashboard figures could go stale"))
    known = {name for name, _t, _s in EXPECTED} | {name for name, _t, _s in report_marks.EXPECTED}
    for name, (table, _sql) in sorted(found.items()):
        if name not in known:
            result.add(table, "trigger_unknown", Text(
                f"表 {table} 上有一个未知的触发器 {name}", f"An unknown trigger {name} is on {table}"), "warning")
    checked = len(EXPECTED) + len(report_marks.EXPECTED)
    notes = (Text(f"已检查 {checked} 个触发器", f"{checked} triggers checked"),)
    return CheckResult("triggers", TITLE, result, notes)
