"""What one part of ``verify`` found: problems (errors fail the verification, warnings do not) and
notes (facts worth showing, such as how far back history is anchored). Every part of the product
that can prove or disprove something about the stored records returns one of these, so the command
line and the Audit log page show them all the same way."""
from __future__ import annotations

from dataclasses import dataclass, field

from counterdesk.base.text import Problem, Result, Text


@dataclass(frozen=True)
class CheckResult:
    name: str  # stable: "database", "audit", "records", "evidence", "anchors", "key_slots", ...
    title: Text
    result: Result = field(default_factory=Result)
    notes: tuple[Text, ...] = ()

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def errors(self) -> list[Problem]:
        return self.result.errors()

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.result.problems if p.severity == "warning"]
