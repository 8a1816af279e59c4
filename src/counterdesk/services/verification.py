"""Verification of an installation: the database file, the audit chain and every sale's evidence
chain, as ``counterdesk-admin verify`` and the Audit log page run it. Recording that it ran is part
of it (a damaged file may refuse that write: the report still goes to the user)."""
from __future__ import annotations

from dataclasses import dataclass

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import evidence
from counterdesk.store import audit
from counterdesk.store.engine import integrity_problems


@dataclass(frozen=True)
class VerifyReport:
    integrity: list[str]
    chain: audit.ChainReport
    evidence: evidence.EvidenceReport | None = None  # every sale's evidence chain

    @property
    def ok(self) -> bool:
        return not self.integrity and self.chain.ok and (self.evidence is None or self.evidence.ok)


def verify(vault: Vault, us: SignedInUser | None) -> VerifyReport:
    """Recompute the audit chain and the evidence chains and check the database file."""
    if us is not None:
        require(us.role, "audit.verify")
    db = vault.database()
    problems = integrity_problems(db.engine)
    try:
        chain = db.call(audit.verify)
    except CounterDeskError as exc:
        # The audit table itself cannot be read: that is a break, reported, not a crash.
        chain = audit.ChainReport(0, 0, f"audit log unreadable: {exc.code}", audit.GENESIS, False)
    try:
        records = db.call(evidence.verify_all)
    except CounterDeskError as exc:
        records = evidence.EvidenceReport(0, [f"evidence records unreadable: {exc.code}"])
    report = VerifyReport(problems, chain, records)
    try:
        vault.record(us, "audit.verified", None, None,
                     {"result": "ok" if report.ok else "broken", "first_broken": chain.first_broken})
    except CounterDeskError:
        pass
    return report
