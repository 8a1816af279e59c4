"""Where a counter session stands, step by step, for the step bar: each step done, current, blocked
(a hold for a supervisor, a refusal, a stop), pending, or skipped (not needed in this session: consent
for a returning customer, approval when the sale needs none)."""
from __future__ import annotations

from dataclasses import dataclass

from counterdesk.base.text import Text
from counterdesk.flow.engine import Flow, Stop
from counterdesk.flow.state import CounterSessionState

DONE, CURRENT, BLOCKED, PENDING, SKIPPED = "done", "current", "blocked", "pending", "skipped"

HELD = Text("等待主管复核", "held for review")
REFUSED = Text("客户拒绝，业务终止", "refused: the session ended")
STOPPED = Text("业务终止", "the session ended")
RETURNING = Text("老客户无需再次同意", "not needed: returning customer")
NO_APPROVAL = Text("本笔无需主管审批", "not needed: no approval required")


@dataclass(frozen=True)
class StepMark:
    step_id: str
    status: str             # DONE, CURRENT, BLOCKED, PENDING or SKIPPED
    why: Text | None = None  # for BLOCKED and SKIPPED


def _blocked_why(stop: Stop) -> Text:
    return REFUSED if stop.code.endswith("_refused") else STOPPED


def _skipped(step_id: str, state: CounterSessionState) -> Text | None:
    """Why a step is not needed in this session, or None while it may still be."""
    if step_id == "consent" and state.existing is not None:
        return RETURNING
    signoff = state.signoff
    if step_id == "approval" and signoff is not None and not signoff.plan.approval_reasons:
        return NO_APPROVAL
    return None


def step_marks(flow: Flow[CounterSessionState]) -> list[StepMark]:
    """One mark per step of ``flow``, in the flow's order."""
    path = flow.path()
    left, current, state = set(path[:-1]), flow.current_id, flow.state
    marks = []
    for step_id in flow.steps:
        if step_id == current:
            if flow.stopped is not None:
                marks.append(StepMark(step_id, BLOCKED, _blocked_why(flow.stopped)))
            elif flow.held is not None:
                marks.append(StepMark(step_id, BLOCKED, HELD))
            else:
                marks.append(StepMark(step_id, DONE if flow.finished else CURRENT))
        elif step_id in left:
            marks.append(StepMark(step_id, DONE))
        else:
            why = _skipped(step_id, state)
            marks.append(StepMark(step_id, SKIPPED, why) if why is not None else StepMark(step_id, PENDING))
    return marks


__all__ = ["BLOCKED", "CURRENT", "DONE", "PENDING", "SKIPPED", "StepMark", "step_marks"]
