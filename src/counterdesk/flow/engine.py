"""A small step engine: a map of steps, a stack of data copies for Back, and explicit stops.

Each step validates the data handed to it and names the step that follows (or stops the flow with
a reason). Going back restores the data exactly as it was when that step was entered, so a later
step's answers never leak into an earlier decision. The engine knows nothing about widgets.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from counterdesk.base.text import Result, Text


@dataclass(frozen=True)
class Stop:
    """The flow cannot go on: a stable code and the reason for the teller."""

    code: str
    text: Text


@dataclass
class Outcome:
    """What a step's ``advance`` decided: problems to fix, a stop, or the next step."""

    result: Result = field(default_factory=Result)
    next_step: str | None = None
    stop: Stop | None = None
    hold: Text | None = None  # waits for someone else (a supervisor) before it can go on


@dataclass(frozen=True)
class Step:
    id: str
    title: Text
    # advance(data) checks the (already merged) data and decides where to go.
    advance: Callable[[dict], Outcome]
    final: bool = False
    # Once entered, earlier answers may not be changed (e.g. after screening has run on them).
    locks_back: bool = False


class Flow:
    def __init__(self, steps: list[Step], start: str, data: dict[str, Any] | None = None):
        self.steps = {s.id: s for s in steps}
        if start not in self.steps:
            raise ValueError(f"unknown start step {start}")
        self.current_id = start
        self.data: dict[str, Any] = dict(data or {})
        self._stack: list[tuple[str, dict[str, Any]]] = []
        self.stopped: Stop | None = None
        self.held: Text | None = None

    @property
    def current(self) -> Step:
        return self.steps[self.current_id]

    @property
    def can_go_back(self) -> bool:
        return bool(self._stack) and self.stopped is None and not self.current.locks_back

    @property
    def finished(self) -> bool:
        return self.current.final

    def submit(self, updates: dict[str, Any] | None = None) -> Outcome:
        """Merge ``updates`` into a copy of the data, let the step decide, and move on if it may."""
        if self.stopped is not None:
            raise RuntimeError("the flow has stopped")
        candidate = copy.deepcopy(self.data)
        candidate.update(updates or {})
        outcome = self.current.advance(candidate)
        if outcome.stop is not None:
            self.data, self.stopped = candidate, outcome.stop
            return outcome
        if not outcome.result.ok:
            return outcome  # nothing changes: the teller fixes the problems and submits again
        if outcome.hold is not None:
            self.data, self.held = candidate, outcome.hold
            return outcome
        if outcome.next_step is None or outcome.next_step not in self.steps:
            raise ValueError(f"step {self.current_id} named no valid next step: {outcome.next_step}")
        self._stack.append((self.current_id, copy.deepcopy(self.data)))
        self.data, self.held, self.current_id = candidate, None, outcome.next_step
        return outcome

    def stop(self, stop: Stop) -> None:
        """End the flow from outside a step (the teller cancels the session)."""
        if self.stopped is None:
            self.stopped = stop

    def back(self) -> None:
        if not self.can_go_back:
            raise RuntimeError("nothing to go back to")
        self.current_id, self.data = self._stack.pop()
        self.held = None

    def path(self) -> list[str]:
        """The steps taken so far, in order, ending with the current one."""
        return [sid for sid, _ in self._stack] + [self.current_id]
