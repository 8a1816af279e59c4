"""Bilingual user-facing text and structured problems.

The core never raises bare strings into the UI: it returns or raises values that carry a stable
code and the message in both Simplified Chinese and English, so any front end can show either.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang.startswith("en") else self.zh

    def format(self, **kwargs: object) -> Text:
        return Text(self.zh.format(**kwargs), self.en.format(**kwargs))


@dataclass(frozen=True)
class Problem:
    """One finding of a validator: which field, how serious, a stable code and the message."""

    field: str
    code: str
    text: Text
    severity: Literal["error", "warning"] = "error"

    def message(self, lang: str) -> str:
        return self.text.get(lang)


@dataclass
class Result:
    """Outcome of a validation: a list of problems; valid when none is an error."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def add(self, field_: str, code: str, text: Text, severity: Literal["error", "warning"] = "error") -> None:
        self.problems.append(Problem(field_, code, text, severity))

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class CounterDeskError(Exception):
    """An expected failure with a stable code and a bilingual message for the user."""

    code = "error"

    def __init__(self, text: Text, code: str | None = None, detail: str | None = None):
        super().__init__(text.en)
        self.text = text
        if code:
            self.code = code
        self.detail = detail

    def message(self, lang: str) -> str:
        return self.text.get(lang)


class ValidationFailed(CounterDeskError):
    """Input did not pass validation; ``result`` lists every problem."""

    code = "invalid"

    def __init__(self, result: Result):
        first = result.errors()[0].text if result.errors() else Text("输入无效。", "Invalid input.")
        super().__init__(first)
        self.result = result
