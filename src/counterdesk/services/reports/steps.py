"""Time per step of the counter session: median and slowest.

The store keeps no timestamp per flow step (``counter_sessions.step`` is only where the flow is now,
overwritten at every move). The steps' times are therefore derived from the records each step writes,
which carry their own creation and completion times: the session opened, the risk assessment started
and completed, the suitability decision, the sign-off started, signed, approved and completed. A step
is timed only where both of its records exist (a session stopped before the assessment has no
"identification" time), so each step has its own count. A step counts in the period its first record
falls in (an assessment: the day it was completed, which has an index).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from counterdesk.base.text import Text
from counterdesk.services.reports.common import Spread, params, seconds, spread, teller_clause
from counterdesk.services.reports.scope import Scope

STEPS: dict[str, Text] = {
    "identify": Text("身份识别与客户资料（至开始风险测评）", "Identification and profile (until the assessment)"),
    "assessment": Text("风险测评", "Risk assessment"),
    "recommendation": Text("适当性匹配与产品选择", "Suitability and product choice"),
    "signature": Text("客户阅读与签署", "Customer reading and signature"),
    "approval": Text("主管审批", "Supervisor approval"),
    "confirmation": Text("确认书出具", "Confirmation issued"),
    "session": Text("整个服务（已完成的会话）", "Whole session (completed sessions)"),
}


@dataclass(frozen=True)
class StepTime:
    step: str
    spread: Spread

    def label(self, lang: str) -> str:
        return STEPS[self.step].get(lang)


_APPROVED_OR_SIGNED = ("coalesce((SELECT max(r.decided_at) FROM approval_requests r "
                       "WHERE r.signoff_id = g.id AND r.status = 'approved'), g.signed_at)")


@dataclass(frozen=True)
class Timed:
    """One timed step as SQL: the seconds it took, the rows it is timed on, the time column its period
    (and its branch day) is counted on, and the teller it counts for."""
    seconds: str
    rows: str       # FROM ... (joins included)
    where: str      # which rows are timed
    day: str
    teller: str

    def durations(self, scope: Scope) -> str:
        """One row per timed step in the scope's period, one column ``dur`` (seconds)."""
        return (f"SELECT {self.seconds} AS dur FROM {self.rows} WHERE {self.where} AND {self.day} >= :start "
                f"AND {self.day} < :end{teller_clause(self.teller, scope)}")

    def by_day(self) -> str:
        """The same for every teller, with the branch day and the teller (aggregated per day)."""
        return (f"SELECT date({self.day}, '+8 hours') AS day, coalesce({self.teller}, '') AS teller, "
                f"{self.seconds} AS dur FROM {self.rows} WHERE {self.where} AND {self.day} >= :start "
                f"AND {self.day} < :end")


TIMED: dict[str, Timed] = {
    "identify": Timed(seconds("a.created_at", "s.created_at"),
                      "assessments a JOIN counter_sessions s ON s.id = a.session_id", "a.status = 'completed'",
                      "a.completed_at", "s.teller_id"),
    "assessment": Timed(seconds("a.completed_at", "a.created_at"), "assessments a", "a.status = 'completed'",
                        "a.completed_at", "a.created_by"),
    "recommendation": Timed(seconds("d.decided_at", "a.completed_at"),
                            "sale_decisions d JOIN assessments a ON a.id = d.assessment_id "
                            "AND a.session_id = d.session_id", "1 = 1", "d.decided_at", "d.decided_by"),
    "signature": Timed(seconds("g.signed_at", "g.created_at"), "signoffs g", "g.signed_at IS NOT NULL",
                       "g.created_at", "g.teller_id"),
    "approval": Timed(seconds("r.decided_at", "r.requested_at"), "approval_requests r",
                      "r.status IN ('approved', 'rejected')", "r.requested_at", "r.requested_by"),
    # After an approval the confirmation waits for it, not for the signature.
    "confirmation": Timed(seconds("g.completed_at", _APPROVED_OR_SIGNED), "signoffs g", "g.completed_at IS NOT NULL",
                          "g.created_at", "g.teller_id"),
    "session": Timed(seconds("s.updated_at", "s.created_at"), "counter_sessions s", "s.status = 'completed'",
                     "s.created_at", "s.teller_id"),
}


def step_times(db: Session, scope: Scope) -> list[StepTime]:
    """Every step, in flow order (a step nobody reached in the period has a count of 0)."""
    values = params(scope)
    return [StepTime(step, spread(db, TIMED[step].durations(scope), values)) for step in STEPS]
