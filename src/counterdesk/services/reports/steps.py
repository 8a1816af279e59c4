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


def _durations(scope: Scope) -> dict[str, str]:
    """Each step's query: one row per timed step, one column ``dur`` (seconds)."""
    def period(col: str) -> str:
        return f"{col} >= :start AND {col} < :end"
    return {
        "identify": f"SELECT {seconds('a.created_at', 's.created_at')} AS dur "
                    f"FROM assessments a JOIN counter_sessions s ON s.id = a.session_id "
                    f"WHERE a.status = 'completed' AND {period('a.completed_at')}{teller_clause('s.teller_id', scope)}",
        "assessment": f"SELECT {seconds('a.completed_at', 'a.created_at')} AS dur FROM assessments a "
                      f"WHERE a.status = 'completed' AND {period('a.completed_at')}"
                      f"{teller_clause('a.created_by', scope)}",
        "recommendation": f"SELECT {seconds('d.decided_at', 'a.completed_at')} AS dur FROM sale_decisions d "
                          f"JOIN assessments a ON a.id = d.assessment_id AND a.session_id = d.session_id "
                          f"WHERE {period('d.decided_at')}{teller_clause('d.decided_by', scope)}",
        "signature": f"SELECT {seconds('g.signed_at', 'g.created_at')} AS dur FROM signoffs g "
                     f"WHERE g.signed_at IS NOT NULL AND {period('g.created_at')}{teller_clause('g.teller_id', scope)}",
        "approval": f"SELECT {seconds('r.decided_at', 'r.requested_at')} AS dur FROM approval_requests r "
                    f"WHERE r.status IN ('approved', 'rejected') AND {period('r.requested_at')}"
                    f"{teller_clause('r.requested_by', scope)}",
        # After an approval the confirmation waits for it, not for the signature.
        "confirmation": f"SELECT {seconds('g.completed_at', _APPROVED_OR_SIGNED)} AS dur FROM signoffs g "
                        f"WHERE g.completed_at IS NOT NULL AND {period('g.created_at')}"
                        f"{teller_clause('g.teller_id', scope)}",
        "session": f"SELECT {seconds('s.updated_at', 's.created_at')} AS dur FROM counter_sessions s "
                   f"WHERE s.status = 'completed' AND {period('s.created_at')}{teller_clause('s.teller_id', scope)}",
    }


def step_times(db: Session, scope: Scope) -> list[StepTime]:
    """Every step, in flow order (a step nobody reached in the period has a count of 0)."""
    queries, values = _durations(scope), params(scope)
    return [StepTime(step, spread(db, queries[step], values)) for step in STEPS]
