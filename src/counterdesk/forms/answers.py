"""Answers against a form: one generic validator for every form, driven by the definition.

Order of work: coerce every answer to its normal form, then decide which fields apply (visible_if),
which are required (required / required_if), then each field's rules, then the form's cross-field
checks. Fields hidden by visible_if are neither checked nor stored. Problems carry the field key
(``group[0].item`` inside repeated groups), a stable code and a zh/en message.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from counterdesk.base.text import Problem, Result, Text
from counterdesk.forms.definition import Condition, Field, Form
from counterdesk.forms.fieldtypes import coerce, is_empty, rule_findings
from counterdesk.identity.names import pinyin_display


def evaluate(cond: Condition | None, scope: Mapping[str, Any]) -> bool:
    """A condition against coerced values; a missing value is "not present" and equals nothing."""
    if cond is None:
        return True
    if cond.op == "all":
        return all(evaluate(p, scope) for p in cond.parts)
    if cond.op == "any":
        return any(evaluate(p, scope) for p in cond.parts)
    value = scope.get(cond.field) if cond.field is not None else None  # only all/any lack a field
    if cond.op == "present":
        return bool((not is_empty(value)) == cond.value)
    if cond.op == "equals":
        return _matches(value, cond.value)
    if cond.op == "in":
        return any(_matches(value, v) for v in cond.value)
    if cond.op == "not_in":
        return not any(_matches(value, v) for v in cond.value)
    return False


def _matches(value: Any, wanted: Any) -> bool:
    # A multi-choice answer "equals" a value it contains; bools compare by identity so 1 != True.
    if isinstance(value, list):
        return wanted in value
    if isinstance(wanted, bool) or isinstance(value, bool):
        return value is wanted
    return bool(value == wanted)


def _derive(fn: str, source: Any) -> Any:
    if fn == "pinyin":
        if not isinstance(source, str) or not source.strip():
            return None
        return pinyin_display(source) or None
    return None


class _Run:
    def __init__(self, form: Form, today: date):
        self.form = form
        self.today = today
        self.result = Result()

    def problem(self, f: Field, path: str, rule: str, code: str, text: Text) -> None:
        override = f.messages.get(rule)
        if override is not None:
            text, code = override[0], override[1] or code
        self.result.add(path, code, text)

    def coerce_all(self, fields: tuple[Field, ...] | list[Field], raw: Mapping[str, Any],
                   prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(coerced values, findings by key) for one level (the form, or one group item)."""
        values, bad = {}, {}
        for f in fields:
            if f.derived is not None or f.key not in raw or is_empty(raw[f.key]):
                continue
            v = raw[f.key]
            if isinstance(v, str) and f.type in ("text", "textarea", "document_number", "phone", "country",
                                                 "date") and not v.strip():
                continue  # only spaces: unanswered
            value, finding = coerce(f, v)
            if finding is None and is_empty(value):
                continue
            values[f.key] = value
            if finding is not None:
                bad[f.key] = finding
        for key in raw:
            if not any(f.key == key for f in fields):
                self.result.add(f"{prefix}{key}", "unknown_field",
                                Text(f"表单中没有字段“{key}”", f"the form has no field '{key}'"))
        return values, bad

    def level(self, fields: tuple[Field, ...] | list[Field], raw: Mapping[str, Any], outer: Mapping[str, Any],
              prefix: str) -> dict[str, Any]:
        """Validate one level; returns the values to store (visible, coerced, derived filled in)."""
        if not isinstance(raw, Mapping):
            self.result.add(prefix.rstrip(".") or "$", "type", Text("答案须为键值对象", "answers must be an object"))
            return {}
        values, bad = self.coerce_all(fields, raw, prefix)
        scope = {**outer, **values}
        keep: dict[str, Any] = {}
        for f in fields:
            path = f"{prefix}{f.key}"
            if not evaluate(f.visible_if, scope):
                continue
            if f.derived is not None:
                derived = _derive(f.derived[0], scope.get(f.derived[1]))
                if derived is not None:
                    keep[f.key] = derived
                continue
            required = f.required or (f.required_if is not None and evaluate(f.required_if, scope))
            if f.key not in values:
                if required:
                    zh, en = f"“{f.label.zh}”", f"'{f.label.en}'"
                    self.problem(f, path, "required", "required", Text(f"请填写{zh}", f"{en} is required"))
                continue
            if f.key in bad:
                rule, code, text = bad[f.key]
                self.problem(f, path, rule, code, text)
                continue
            value = values[f.key]
            for rule, code, text in rule_findings(f, value, scope, self.today):
                self.problem(f, path, rule, code, text)
            if f.type in ("choice", "multi_choice"):
                for v in (value if isinstance(value, list) else [value]):
                    opt = f.option(v)
                    if opt is not None and opt.stop is not None:
                        self.result.add(path, opt.stop.code, opt.stop.text)
            if f.type == "group":
                value = [self.level(f.fields, item, scope, f"{path}[{i}].") for i, item in enumerate(value)]
            keep[f.key] = value
        return keep

    def checks(self, values: Mapping[str, Any]) -> None:
        for chk in self.form.checks:
            if chk.kind == "at_least_one" and all(is_empty(values.get(k)) for k in chk.fields):
                self.result.add(chk.fields[0], chk.code, chk.text)


def check_answers(form: Form, answers: Mapping[str, Any], *,
                  today: date | None = None) -> tuple[dict[str, Any], Result]:
    """(normalised answers to store, Result). The answers are only fit to store when the result is ok."""
    run = _Run(form, today or date.today())
    values = run.level(form.fields(), answers, {}, "")
    if isinstance(answers, Mapping):
        run.checks(values)
    return values, run.result


def validate_answers(form: Form, answers: Mapping[str, Any], *, today: date | None = None) -> Result:
    """Every problem with ``answers``: field-level problems with stable codes and zh/en messages."""
    return check_answers(form, answers, today=today)[1]


def normalise_answers(form: Form, answers: Mapping[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """The answers as they would be stored (normal forms, hidden fields dropped, derived fields filled)."""
    return check_answers(form, answers, today=today)[0]


def stop_problems(form: Form, result: Result) -> list[Problem]:
    """The problems that end the counter session rather than ask for a correction (e.g. no civil capacity)."""
    codes = form.stops()
    return [p for p in result.problems if p.code in codes]
