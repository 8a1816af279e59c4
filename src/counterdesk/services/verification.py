"""Verification of an installation, as ``counterdesk-admin verify`` and the Audit log page run it: an
ordered list of checks, each a ``CheckResult`` — the database file, the audit chain, the append-only
triggers, the records ledger, every sale's evidence against its signed confirmation, the other
workstations' audit chains (counterdesk.services.sync.remote_audit) — plus any
``extra_checks`` a caller adds (anchors at the hub, key slots). Recording that it ran is part of it
(a damaged file may refuse that write: the report still goes to the user)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.checks import CheckResult
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Result, Text
from counterdesk.services.anchoring.journal import check_printed
from counterdesk.services.auth.slot_check import check_slots
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import evidence
from counterdesk.services.sync import remote_audit
from counterdesk.services.sync.client import check_anchors
from counterdesk.store import audit, ledger, triggers
from counterdesk.store.engine import integrity_problems

DATABASE = Text("数据库文件完整性", "Database file integrity")
AUDIT = Text("审计日志哈希链", "Audit log chain")
EVIDENCE = Text("销售证据与签名确认书", "Sale evidence and signed confirmations")
SHOWN_PROBLEMS = 8
MORE_PROBLEMS = Text("另有 {n} 条同类问题", "{n} more problems of the same kind")
UNREADABLE = Text("无法读取，校验未能完成（{code}）", "could not be read, the check did not complete ({code})")


@dataclass(frozen=True)
class VerifyReport:
    checks: list[CheckResult]
    chain: audit.ChainReport  # the audit chain in detail (the Audit log page selects its first broken entry)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok]

    def check(self, name: str) -> CheckResult:
        return next(c for c in self.checks if c.name == name)


def _database(vault: Vault) -> CheckResult:
    result = Result()
    problems = integrity_problems(vault.database().engine)
    # SQLCipher's and SQLite's own words (page numbers, never row contents); one damaged page can make
    # SQLite list every tree below it, so the first few say where and a count says how much.
    for problem in problems[:SHOWN_PROBLEMS]:
        result.add("database", "integrity", Text(problem, problem))
    if len(problems) > SHOWN_PROBLEMS:
        result.add("database", "integrity", MORE_PROBLEMS.format(n=len(problems) - SHOWN_PROBLEMS))
    return CheckResult("database", DATABASE, result)


def _audit(chain: audit.ChainReport) -> CheckResult:
    result = Result()
    if chain.first_broken is not None:
        reason = chain.reason_text()
        result.add("audit_log", "audit_broken", Text(f"首个损坏记录：#{chain.first_broken}（{reason.zh}）",
                                                     f"first broken entry: #{chain.first_broken} ({reason.en})"))
    notes = (Text(f"已检查审计记录：{chain.entries} 条", f"Audit entries checked: {chain.entries}"),
             Text(f"链头哈希：{chain.head_hash}", f"Head hash: {chain.head_hash}"))
    return CheckResult("audit", AUDIT, result, notes)


def _evidence(report: evidence.EvidenceReport) -> CheckResult:
    notes = (Text(f"已核验销售证据记录：{report.checked} 条", f"Sale evidence records checked: {report.checked}"),)
    return CheckResult("evidence", EVIDENCE, Result(list(report.findings)), notes)


def _unreadable(name: str, title: Text, exc: CounterDeskError) -> CheckResult:
    result = Result()
    result.add(name, "unreadable", UNREADABLE.format(code=exc.code))
    return CheckResult(name, title, result)


def _in_db(vault: Vault, name: str, title: Text, fn: Callable[[Session], CheckResult]) -> CheckResult:
    try:
        return vault.database().call(fn)
    except CounterDeskError as exc:
        return _unreadable(name, title, exc)


# Checks of what lies outside the database: the hub's checkpoints (what an insider holding the key
# cannot rewrite) and the key slots (a disabled user's slot must be gone).
OUTSIDE_CHECKS: tuple[Callable[[Vault], CheckResult], ...] = (check_anchors, check_slots)


def verify(vault: Vault, us: SignedInUser | None, extra_checks: Sequence[Callable[[Vault], CheckResult]] = (),
           checkpoint: str | None = None) -> VerifyReport:
    """Run every check in order and record the outcome in the audit log; ``checkpoint`` is the code of a
    printed end-of-day journal to check history against."""
    if us is not None:
        require(us.role, "audit.verify")
    db = vault.database()
    checks = [_database(vault)]
    try:
        chain = db.call(audit.verify)
    except CounterDeskError as exc:
        # The audit table itself cannot be read: that is a break, reported, not a crash.
        chain = audit.ChainReport(0, 0, f"audit log unreadable: {exc.code}", audit.GENESIS, False)
    checks.append(_audit(chain))
    checks.append(_in_db(vault, "triggers", triggers.TITLE, triggers.verify))
    checks.append(_in_db(vault, "records", ledger.TITLE, ledger.verify))
    checks.append(_in_db(vault, "evidence", EVIDENCE, lambda s: _evidence(evidence.verify_all(s))))
    checks.append(_in_db(vault, "remote_audit", remote_audit.TITLE, remote_audit.check))
    printed = () if checkpoint is None else (lambda v: check_printed(v, checkpoint),)
    for extra in (*OUTSIDE_CHECKS, *extra_checks, *printed):
        try:
            checks.append(extra(vault))
        except CounterDeskError as exc:
            name = getattr(extra, "__name__", "extra")
            checks.append(_unreadable(name, Text(name, name), exc))
    report = VerifyReport(checks, chain)
    try:
        vault.record(us, "audit.verified", None, None,
                     {"result": "ok" if report.ok else "broken", "first_broken": chain.first_broken,
                      "checks": [c.name for c in report.failed]})
    except CounterDeskError:
        pass
    return report
