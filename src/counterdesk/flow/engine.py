"""A small step engine: a map of steps over a typed state, a stack of state copies for Back, and
explicit stops.

The state is a dataclass the flow owns. Everything the user does is an *action* (a small typed
value) submitted to the current step; the step works on a copy of the state and answers with an
Outcome: problems to fix (the copy is dropped), work done that stays on the step (``stay``: the
copy is kept, e.g. the customer's answers were recorded), a hold (waits for someone else), a stop,
or the next step. Going back restores the state exactly as it was when that step was entered, so a
later step's answers never leak into an earlier decision. The engine knows nothing about widgets.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from counterdesk.base.text import Result, Text

S = TypeVar("S")


@dataclass(frozen=True)
class Stop:
    """The flow cannot go on: a stable code and the reason for the teller."""

    code: str
    text: Text


@dataclass
class Outcome:
    """What a step decided about an action."""

    result: Result = field(default_factory=Result)
    next_step: str | None = None
    stop: Stop | None = None
    hold: Text | None = None  # waits for someone else (a supervisor) before it can go on
    stay: bool = False        # the action's work is done and kept; the step stays current
    value: object = None      # what the action produced for the caller (a proposal, a grade, a PDF …)

    @property
    def moved(self) -> bool:
        return self.next_step is not None and self.result.ok and self.stop is None and self.hold is None


@dataclass(frozen=True)
class Step(Generic[S]):
    id: str
    title: Text
    # advance(state, action) works on a copy of the state and decides; action None means "go on".
    advance: Callable[[S, object], Outcome]
    final: bool = False
    # Once entered, earlier answers may not be changed (e.g. after screening has run on them).
    locks_back: bool = False


class Flow(Generic[S]):
    def __init__(self, steps: list[Step[S]], start: str, state: S):
        self.steps = {s.id: s for s in steps}
        if start not in self.steps:
            raise ValueError(f"unknown start step {start}")
        self.current_id = start
        self.state: S = state
        self._stack: list[tuple[str, S]] = []
        self.stopped: Stop | None = None
        self.held: Text | None = None

    @property
    def current(self) -> Step[S]:
        return self.steps[self.current_id]

    @property
    def can_go_back(self) -> bool:
        return bool(self._stack) and self.stopped is None and not self.current.locks_back

    @property
    def finished(self) -> bool:
        return self.current.final

    def submit(self, action: object = None) -> Outcome:
        """Let the current step decide about ``action`` on a copy of the state; keep the copy unless
        the step found problems, and move on when it names the next step."""
        if self.stopped is not None:
            raise RuntimeError("the flow has stopped")
        candidate = copy.deepcopy(self.state)
        outcome = self.current.advance(candidate, action)
        if outcome.stop is not None:
            self.state, self.stopped = candidate, outcome.stop
            return outcome
        if not outcome.result.ok:
            return outcome  # nothing changes: the teller fixes the problems and submits again
        if outcome.hold is not None:
            self.state, self.held = candidate, outcome.hold
            return outcome
        if outcome.stay:
            self.state = candidate
            return outcome
        if outcome.next_step is None or outcome.next_step not in self.steps:
            raise ValueError(f"step {self.current_id} named no valid next step: {outcome.next_step}")
        self._stack.append((self.current_id, copy.deepcopy(self.state)))
        self.state, self.held, self.current_id = candidate, None, outcome.next_step
        return outcome

    def stop(self, stop: Stop) -> None:
        """End the flow from outside a step (the teller cancels the session)."""
        if self.stopped is None:
            self.stopped = stop

    def back(self) -> None:
        if not self.can_go_back:
            raise RuntimeError("nothing to go back to")
        self.current_id, self.state = self._stack.pop()
        self.held = None

    def path(self) -> list[str]:
        """The steps taken so far, in order, ending with the current one."""
        return [sid for sid, _ in self._stack] + [self.current_id]
