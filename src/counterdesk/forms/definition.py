"""A form definition, parsed and checked: the data a screen renders, a PDF prints and answers cite.

``parse_definition`` turns the JSON object of a definition file into an immutable ``Form`` and
refuses a broken one with ``FormDefinitionError``, which lists every problem found (path inside the
JSON, a stable code, zh/en message) rather than stopping at the first. The content hash is the
SHA-256 of the canonical JSON (sorted keys, no whitespace, UTF-8), so any change to the wording
changes the hash that stored answers refer to.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from counterdesk.base.text import CounterDeskError, Problem, Text
from counterdesk.forms import countries
from counterdesk.forms.documents import DOCUMENT_TYPES
from counterdesk.forms.occupations import all_occupations

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FIELD_TYPES = frozenset({
    "text", "textarea", "date", "choice", "multi_choice", "bool", "integer", "phone", "country",
    "occupation", "document_type", "document_number", "group",
})
CHOICE_TYPES = frozenset({"choice", "multi_choice"})
# Rules every type understands, then those particular to a type.
COMMON_RULES = frozenset({"required_if"})
TYPE_RULES: dict[str, frozenset[str]] = {
    "text": frozenset({"min_length", "max_length", "pattern"}),
    "textarea": frozenset({"min_length", "max_length"}),
    "date": frozenset({"min", "max", "not_before", "not_after"}),
    "choice": frozenset(),
    "multi_choice": frozenset({"min_items", "max_items"}),
    "bool": frozenset({"must_be"}),
    "integer": frozenset({"min", "max"}),
    "phone": frozenset({"default_region"}),
    "country": frozenset({"not_in"}),
    "occupation": frozenset(),
    "document_type": frozenset({"allowed"}),
    "document_number": frozenset({"min_length", "max_length"}),
    "group": frozenset({"min_items", "max_items"}),
}
# How a stored value is shown on screens, paper and in the audit log (counterdesk.services.customers.masking).
MASKS = frozenset({"none", "name", "id_number", "phone", "card", "address", "date", "hide"})
DERIVATIONS = frozenset({"pinyin"})
CHECK_KINDS = frozenset({"at_least_one"})
FORM_KINDS = frozenset({"form", "notice"})
CONDITION_OPS = ("equals", "in", "not_in", "present")

# Problem codes the validator itself produces. A stop code must differ from all of them, or an
# ordinary correction (say "required") would end the session.
BUILTIN_CODES = frozenset({
    "required", "type", "unknown_field", "date_invalid", "choice_invalid", "phone_invalid", "country_unknown",
    "occupation_unknown", "document_type_unknown", "document_number_invalid", "too_short", "too_long", "pattern",
    "too_few", "too_many", "too_early", "too_late", "date_order", "too_small", "too_large", "must_be",
    "country_not_allowed", "document_type_not_allowed",
})

_FORM_PROPS = {"id", "version", "kind", "title", "description", "sections", "checks"}
_SECTION_PROPS = {"id", "title", "text", "fields"}
_FIELD_PROPS = {"key", "type", "label", "help", "required", "options", "rules", "messages", "visible_if",
                "derived", "mask", "default", "fields", "type_field"}
_OPTION_PROPS = {"value", "zh", "en", "stop"}

_JsonObject = dict[str, Any]  # an object of the definition's JSON, as json.loads gives it


class FormDefinitionError(CounterDeskError):
    """A definition that cannot be used; ``problems`` names every defect by its JSON path."""

    code = "form_definition"

    def __init__(self, source: str, problems: list[Problem]):
        first = problems[0] if problems else None
        head = Text(f"表单定义无效（{source}），共 {len(problems)} 处问题",
                    f"Invalid form definition ({source}): {len(problems)} problem(s)")
        if first is not None:
            head = Text(f"{head.zh}；第一处 {first.field}：{first.text.zh}",
                        f"{head.en}; first at {first.field}: {first.text.en}")
        super().__init__(head, detail="; ".join(f"{p.field}: {p.code}" for p in problems))
        self.source = source
        self.problems = problems

    def codes(self) -> set[str]:
        return {p.code for p in self.problems}


# ---- the parsed form -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """``field`` op ``value``; or all/any of sub-conditions (``op`` = "all" / "any")."""

    field: str | None
    op: str
    value: Any = None
    parts: tuple[Condition, ...] = ()

    def fields(self) -> Iterator[str]:
        if self.field is not None:
            yield self.field
        for part in self.parts:
            yield from part.fields()


@dataclass(frozen=True)
class OptionStop:
    """Choosing an option that carries a stop ends the counter session (e.g. no civil capacity)."""

    code: str
    text: Text


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    stop: OptionStop | None = None


@dataclass(frozen=True, eq=False)
class Field:
    key: str
    type: str
    label: Text
    help: Text | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    rules: dict[str, Any] = field(default_factory=dict)
    messages: dict[str, tuple[Text, str | None]] = field(default_factory=dict)  # rule → (text, code)
    visible_if: Condition | None = None
    derived: tuple[str, str] | None = None  # (derivation, source field key)
    mask: str = "none"
    default: Any = None
    fields: tuple[Field, ...] = ()  # the item fields of a group
    type_field: str | None = None  # document_number: the document_type field it belongs to

    @property
    def required_if(self) -> Condition | None:
        return self.rules.get("required_if")

    def option(self, value: Any) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def subfield(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True, eq=False)
class Section:
    id: str
    title: Text
    fields: tuple[Field, ...]
    text: Text | None = None  # a paragraph shown above the fields (notices, consent wording)


@dataclass(frozen=True)
class Check:
    """A rule across fields. at_least_one: one of ``fields`` must be answered."""

    kind: str
    fields: tuple[str, ...]
    code: str
    text: Text


@dataclass(frozen=True, eq=False)
class Form:
    id: str
    version: int
    kind: str
    title: Text
    sections: tuple[Section, ...]
    checks: tuple[Check, ...]
    hash: str
    canonical: str  # the canonical JSON the hash is computed over
    description: Text | None = None

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def fields(self) -> list[Field]:
        """Top-level fields in display order."""
        return [f for s in self.sections for f in s.fields]

    def field(self, key: str) -> Field:
        for f in self.fields():
            if f.key == key:
                return f
        raise KeyError(key)

    def has_field(self, key: str) -> bool:
        return any(f.key == key for f in self.fields())

    def stops(self) -> dict[str, OptionStop]:
        """Every stop code an answer to this form can raise."""
        out = {}
        for f in self.fields():
            for sub in (f, *f.fields):
                for o in sub.options:
                    if o.stop is not None:
                        out[o.stop.code] = o.stop
        return out


def canonical_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


# ---- parsing ---------------------------------------------------------------------------------------

class Checker:
    """Collects problems while building the Form; each message is bilingual."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, code: str, zh: str, en: str) -> None:
        self.problems.append(Problem(path, code, Text(zh, en)))

    def text(self, value: Any, path: str, code: str = "label_missing", required: bool = True) -> Text | None:
        if value is None and not required:
            return None
        if (not isinstance(value, dict) or set(value) - {"zh", "en"}
                or not all(isinstance(value.get(k), str) and value[k].strip() for k in ("zh", "en"))):
            self.add(path, code, "须同时提供非空的中文（zh）和英文（en）文本", "needs non-empty zh and en text")
            return None
        return Text(value["zh"], value["en"])

    def props(self, obj: _JsonObject, allowed: set[str], path: str) -> None:
        for key in sorted(set(obj) - allowed):
            self.add(f"{path}.{key}", "unknown_property", f"未知属性“{key}”", f"unknown property '{key}'")

    def key(self, value: Any, path: str) -> bool:
        if not isinstance(value, str) or not KEY_RE.match(value):
            self.add(path, "bad_key", "标识须为小写字母开头的小写字母、数字或下划线（最长 64）",
                     "identifiers are lower-case letters, digits and underscores, starting with a letter (max 64)")
            return False
        return True


def parse_form(data: Any, source: str = "<memory>") -> Form:
    """Build a Form from a plain definition object (counterdesk.forms.registry.parse_definition takes
    every kind); raises FormDefinitionError listing every defect."""
    ck = Checker()
    if not isinstance(data, dict):
        ck.add("$", "not_object", "表单定义须为 JSON 对象", "a form definition must be a JSON object")
        raise FormDefinitionError(source, ck.problems)
    ck.props(data, _FORM_PROPS, "$")
    for required in ("id", "version", "title", "sections"):
        if required not in data:
            ck.add(f"$.{required}", "missing", f"缺少必需属性“{required}”",
                   f"required property '{required}' is missing")
    form_id = data.get("id")
    if "id" in data:
        ck.key(form_id, "$.id")
    version = data.get("version")
    if "version" in data and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        ck.add("$.version", "bad_value", "版本须为正整数", "version must be a positive integer")
    kind = data.get("kind", "form")
    if not _one_of(kind, FORM_KINDS):
        ck.add("$.kind", "bad_value", f"表单类别须为 {sorted(FORM_KINDS)}", f"kind must be one of {sorted(FORM_KINDS)}")
    title = ck.text(data.get("title"), "$.title") if "title" in data else None
    description = ck.text(data.get("description"), "$.description", required=False)

    sections_raw = data.get("sections")
    if "sections" in data and (not isinstance(sections_raw, list) or not sections_raw):
        ck.add("$.sections", "bad_value", "sections 须为非空数组", "sections must be a non-empty array")
        sections_raw = []
    sections_raw = sections_raw or []

    # First pass: every key, so references can point forwards as well as backwards.
    top_keys: dict[str, str] = {}
    section_ids: set[str] = set()
    for si, sec in enumerate(sections_raw):
        if not isinstance(sec, dict):
            continue
        for fi, f in enumerate(_list(sec.get("fields"))):
            if isinstance(f, dict) and isinstance(f.get("key"), str):
                path = f"$.sections[{si}].fields[{fi}].key"
                if f["key"] in top_keys:
                    ck.add(path, "duplicate_key", f"字段键“{f['key']}”重复（已用于 {top_keys[f['key']]}）",
                           f"duplicate field key '{f['key']}' (already used at {top_keys[f['key']]})")
                else:
                    top_keys[f["key"]] = path
    top_types: dict[str, _JsonObject] = {}
    for sec in sections_raw:
        if isinstance(sec, dict):
            for f in _list(sec.get("fields")):
                if isinstance(f, dict) and isinstance(f.get("key"), str):
                    top_types.setdefault(f["key"], f)

    sections = []
    for si, sec in enumerate(sections_raw):
        spath = f"$.sections[{si}]"
        if not isinstance(sec, dict):
            ck.add(spath, "not_object", "分节须为 JSON 对象", "a section must be a JSON object")
            continue
        ck.props(sec, _SECTION_PROPS, spath)
        if ck.key(sec.get("id"), f"{spath}.id"):
            if sec["id"] in section_ids:
                ck.add(f"{spath}.id", "duplicate_key", f"分节标识“{sec['id']}”重复",
                       f"duplicate section id '{sec['id']}'")
            section_ids.add(sec["id"])
        stitle = ck.text(sec.get("title"), f"{spath}.title")
        stext = ck.text(sec.get("text"), f"{spath}.text", required=False)
        fields_raw = sec.get("fields")
        if not isinstance(fields_raw, list):
            ck.add(f"{spath}.fields", "bad_value", "fields 须为数组", "fields must be an array")
            fields_raw = []
        if not fields_raw and stext is None:
            ck.add(f"{spath}.fields", "bad_value", "分节须包含字段或说明文字", "a section needs fields or text")
        parsed = [_parse_field(ck, f, f"{spath}.fields[{fi}]", top_types, None)
                  for fi, f in enumerate(fields_raw)]
        sections.append(Section(sec.get("id", ""), stitle or Text("", ""), tuple(p for p in parsed if p), stext))

    checks = []
    raw_checks = data.get("checks", [])
    if not isinstance(raw_checks, list):
        ck.add("$.checks", "bad_value", "checks 须为数组", "checks must be an array")
        raw_checks = []
    for ci, chk in enumerate(raw_checks):
        cpath = f"$.checks[{ci}]"
        if not isinstance(chk, dict):
            ck.add(cpath, "not_object", "校验须为 JSON 对象", "a check must be a JSON object")
            continue
        ck.props(chk, {"kind", "fields", "code", "zh", "en"}, cpath)
        if not _one_of(chk.get("kind"), CHECK_KINDS):
            ck.add(f"{cpath}.kind", "unknown_rule", f"未知的校验类别“{chk.get('kind')}”",
                   f"unknown check kind '{chk.get('kind')}'")
        names = chk.get("fields")
        if not isinstance(names, list) or len(names) < 2 or not all(isinstance(n, str) for n in names):
            ck.add(f"{cpath}.fields", "bad_rule_value", "须列出至少两个字段", "must list at least two fields")
            names = []
        for n in names:
            if n not in top_keys:
                ck.add(f"{cpath}.fields", "unknown_reference", f"引用了不存在的字段“{n}”",
                       f"refers to unknown field '{n}'")
        ck.key(chk.get("code"), f"{cpath}.code")
        text = ck.text({k: chk.get(k) for k in ("zh", "en")}, cpath)
        if text and names and _one_of(chk.get("kind"), CHECK_KINDS) and isinstance(chk.get("code"), str):
            checks.append(Check(chk["kind"], tuple(names), chk["code"], text))

    if ck.problems:
        raise FormDefinitionError(source, ck.problems)
    # Every defect, a missing or invalid id, version or title among them, was a problem above.
    assert isinstance(form_id, str) and isinstance(version, int) and title is not None
    canonical = canonical_json(data)
    return Form(form_id, version, kind, title, tuple(sections), tuple(checks),
                hashlib.sha256(canonical.encode("utf-8")).hexdigest(), canonical, description)


def _scope_field(name: str, top: dict[str, _JsonObject], siblings: dict[str, _JsonObject] | None) -> _JsonObject | None:
    """The raw field a reference names: a sibling inside a group first, then a top-level field."""
    if siblings is not None and name in siblings:
        return siblings[name]
    return top.get(name)


def _parse_condition(ck: Checker, raw: Any, path: str, top: dict[str, _JsonObject],
                     siblings: dict[str, _JsonObject] | None, own_key: str | None) -> Condition | None:
    if not isinstance(raw, dict):
        ck.add(path, "bad_rule_value", "条件须为 JSON 对象", "a condition must be a JSON object")
        return None
    for combinator in ("all", "any"):
        if combinator in raw:
            ck.props(raw, {combinator}, path)
            parts_raw = raw[combinator]
            if not isinstance(parts_raw, list) or not parts_raw:
                ck.add(path, "bad_rule_value", f"“{combinator}”须为非空数组",
                       f"'{combinator}' must be a non-empty array")
                return None
            parts = [_parse_condition(ck, p, f"{path}.{combinator}[{i}]", top, siblings, own_key)
                     for i, p in enumerate(parts_raw)]
            return Condition(None, combinator, parts=tuple(p for p in parts if p)) if all(parts) else None
    ops = [op for op in CONDITION_OPS if op in raw]
    ck.props(raw, {"field", *CONDITION_OPS}, path)
    if len(ops) != 1:
        ck.add(path, "bad_rule_value", f"条件须且只能有一个比较：{', '.join(CONDITION_OPS)}",
               f"a condition needs exactly one of: {', '.join(CONDITION_OPS)}")
        return None
    name, op = raw.get("field"), ops[0]
    target = _scope_field(name, top, siblings) if isinstance(name, str) else None
    if target is None:
        ck.add(f"{path}.field", "unknown_reference", f"引用了不存在的字段“{name}”", f"refers to unknown field '{name}'")
        return None
    if name == own_key:
        ck.add(f"{path}.field", "self_reference", "条件不能引用字段自身", "a condition cannot refer to its own field")
        return None
    value = raw[op]
    if op == "present":
        if not isinstance(value, bool):
            ck.add(f"{path}.present", "bad_rule_value", "present 须为 true 或 false", "present must be true or false")
            return None
    elif op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            ck.add(f"{path}.{op}", "bad_rule_value", f"“{op}”须为非空数组", f"'{op}' must be a non-empty array")
            return None
    values = value if op in ("in", "not_in") else ([value] if op == "equals" else [])
    # Comparing against a value the referenced choice cannot take would silently never match.
    if target.get("type") in CHOICE_TYPES and isinstance(target.get("options"), list):
        known = [o.get("value") for o in target["options"] if isinstance(o, dict)]
        for v in values:
            if not isinstance(v, str) or v not in known:
                ck.add(f"{path}.{op}", "bad_reference_value", f"字段“{name}”没有选项“{v}”",
                       f"field '{name}' has no option '{v}'")
    if target.get("type") == "occupation":
        for v in values:
            if not _one_of(v, all_occupations()):
                ck.add(f"{path}.{op}", "bad_reference_value", f"没有职业代码“{v}”", f"no occupation code '{v}'")
    return Condition(name, op, tuple(value) if isinstance(value, list) else value)


def _parse_field(ck: Checker, raw: Any, path: str, top: dict[str, _JsonObject],
                 siblings: dict[str, _JsonObject] | None) -> Field | None:
    if not isinstance(raw, dict):
        ck.add(path, "not_object", "字段须为 JSON 对象", "a field must be a JSON object")
        return None
    ck.props(raw, _FIELD_PROPS, path)
    ok = ck.key(raw.get("key"), f"{path}.key")
    key = raw.get("key") if ok else None
    ftype = raw.get("type")
    if not _one_of(ftype, FIELD_TYPES):
        ck.add(f"{path}.type", "unknown_type", f"未知的字段类型“{ftype}”", f"unknown field type '{ftype}'")
        ftype = None
    label = ck.text(raw.get("label"), f"{path}.label")
    help_text = ck.text(raw.get("help"), f"{path}.help", required=False)
    required = raw.get("required", False)
    if not isinstance(required, bool):
        ck.add(f"{path}.required", "bad_value", "required 须为 true 或 false", "required must be true or false")
        required = False

    # Options: choice types need them, with both labels; other types must not have them.
    options: list[Option] = []
    raw_options = raw.get("options")
    if ftype in CHOICE_TYPES:
        if not isinstance(raw_options, list) or not raw_options:
            ck.add(f"{path}.options", "no_options", "选择题须有选项", "a choice field needs options")
            raw_options = []
        seen: set[Any] = set()
        for oi, o in enumerate(raw_options):
            opath = f"{path}.options[{oi}]"
            if not isinstance(o, dict):
                ck.add(opath, "not_object", "选项须为 JSON 对象", "an option must be a JSON object")
                continue
            ck.props(o, _OPTION_PROPS, opath)
            value = o.get("value")
            if not isinstance(value, str) or not value:
                ck.add(f"{opath}.value", "bad_value", "选项值须为非空字符串",
                       "an option value must be a non-empty string")
            elif value in seen:
                ck.add(f"{opath}.value", "duplicate_option", f"选项值“{value}”重复",
                       f"duplicate option value '{value}'")
            seen.add(value)
            labels = {k: o.get(k) for k in ("zh", "en")}
            text = ck.text(labels, opath, code="option_label_missing")
            stop = None
            if "stop" in o:
                s = o["stop"]
                spath = f"{opath}.stop"
                if isinstance(s, dict):
                    ck.props(s, {"code", "zh", "en"}, spath)
                    stext = ck.text({k: s.get(k) for k in ("zh", "en")}, spath)
                    if ck.key(s.get("code"), f"{spath}.code") and s["code"] in BUILTIN_CODES:
                        ck.add(f"{spath}.code", "bad_value", f"终止代码不能与校验代码“{s['code']}”相同",
                               f"a stop code cannot reuse the validation code '{s['code']}'")
                    elif isinstance(s.get("code"), str) and KEY_RE.match(s["code"]) and stext:
                        stop = OptionStop(s["code"], stext)
                else:
                    ck.add(spath, "not_object", "stop 须为 JSON 对象", "stop must be a JSON object")
            if text and isinstance(value, str):
                options.append(Option(value, text, stop))
    elif raw_options is not None:
        ck.add(f"{path}.options", "unknown_property", "只有选择题可以有选项", "only choice fields have options")

    # Group items: their own keys, unique within the group.
    subfields: list[Field] = []
    if ftype == "group":
        raw_sub = raw.get("fields")
        if not isinstance(raw_sub, list) or not raw_sub:
            ck.add(f"{path}.fields", "bad_value", "分组须有子字段", "a group needs item fields")
            raw_sub = []
        sibs: dict[str, _JsonObject] = {}
        for si, s in enumerate(raw_sub):
            if isinstance(s, dict) and isinstance(s.get("key"), str):
                if s["key"] in sibs:
                    ck.add(f"{path}.fields[{si}].key", "duplicate_key", f"子字段键“{s['key']}”重复",
                           f"duplicate item field key '{s['key']}'")
                sibs.setdefault(s["key"], s)
                if s.get("type") == "group":
                    ck.add(f"{path}.fields[{si}].type", "unknown_type", "分组不能嵌套", "groups cannot be nested")
        for si, s in enumerate(raw_sub):
            sub = _parse_field(ck, s, f"{path}.fields[{si}]", top, sibs)
            if sub is not None:
                subfields.append(sub)
    elif "fields" in raw:
        ck.add(f"{path}.fields", "unknown_property", "只有分组可以有子字段", "only group fields have item fields")

    rules, messages = _parse_rules(ck, raw, path, ftype, key, top, siblings)

    visible_if = None
    if "visible_if" in raw:
        visible_if = _parse_condition(ck, raw["visible_if"], f"{path}.visible_if", top, siblings, key)

    derived = None
    if "derived" in raw:
        d = raw["derived"]
        dpath = f"{path}.derived"
        if not isinstance(d, dict) or set(d) != {"fn", "from"}:
            ck.add(dpath, "bad_value", "derived 须为 {\"fn\", \"from\"}", "derived must be {\"fn\", \"from\"}")
        elif not _one_of(d["fn"], DERIVATIONS):
            ck.add(f"{dpath}.fn", "unknown_rule", f"未知的派生函数“{d['fn']}”", f"unknown derivation '{d['fn']}'")
        elif not isinstance(d["from"], str) or _scope_field(d["from"], top, siblings) is None:
            ck.add(f"{dpath}.from", "unknown_reference", f"引用了不存在的字段“{d['from']}”",
                   f"refers to unknown field '{d['from']}'")
        else:
            derived = (d["fn"], d["from"])

    mask = raw.get("mask", "none")
    if not _one_of(mask, MASKS):
        ck.add(f"{path}.mask", "unknown_rule", f"未知的脱敏方式“{mask}”", f"unknown mask '{mask}'")
        mask = "none"

    type_field = raw.get("type_field")
    if ftype == "document_number":
        target = _scope_field(type_field, top, siblings) if isinstance(type_field, str) else None
        if target is None:
            ck.add(f"{path}.type_field", "unknown_reference", "证件号码须指明其证件类型字段（type_field）",
                   "a document number must name its document-type field (type_field)")
        elif target.get("type") != "document_type":
            ck.add(f"{path}.type_field", "bad_reference_value", f"字段“{type_field}”不是证件类型",
                   f"field '{type_field}' is not a document type")
    elif type_field is not None:
        ck.add(f"{path}.type_field", "unknown_property", "只有证件号码字段有 type_field",
               "only document-number fields have type_field")

    if label is None or ftype is None or key is None:
        return None
    return Field(key, ftype, label, help_text, required, tuple(options), rules, messages, visible_if, derived,
                 mask, raw.get("default"), tuple(subfields), type_field)


def _parse_rules(ck: Checker, raw: _JsonObject, path: str, ftype: str | None, key: str | None,
                 top: dict[str, _JsonObject], siblings: dict[str, _JsonObject] | None,
                 ) -> tuple[dict[str, Any], dict[str, tuple[Text, str | None]]]:
    rules_raw = raw.get("rules", {})
    rules: dict[str, Any] = {}
    if not isinstance(rules_raw, dict):
        ck.add(f"{path}.rules", "bad_value", "rules 须为 JSON 对象", "rules must be a JSON object")
        rules_raw = {}
    allowed = COMMON_RULES | TYPE_RULES.get(ftype or "", frozenset())
    for name, value in rules_raw.items():
        rpath = f"{path}.rules.{name}"
        if name not in allowed:
            ck.add(rpath, "unknown_rule", f"字段类型“{ftype}”没有规则“{name}”",
                   f"rule '{name}' is not known for type '{ftype}'")
            continue
        if name == "required_if":
            cond = _parse_condition(ck, value, rpath, top, siblings, key)
            if cond is not None:
                rules[name] = cond
        elif name in ("min_length", "max_length", "min_items", "max_items"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                ck.add(rpath, "bad_rule_value", "须为非负整数", "must be a non-negative integer")
            else:
                rules[name] = value
        elif name == "pattern":
            try:
                rules[name] = re.compile(value) if isinstance(value, str) else None
            except re.error as exc:
                ck.add(rpath, "bad_pattern", f"正则表达式无效：{exc}", f"invalid regular expression: {exc}")
                continue
            if rules.get(name) is None:
                rules.pop(name, None)
                ck.add(rpath, "bad_rule_value", "须为正则表达式字符串", "must be a regular-expression string")
        elif name in ("min", "max") and ftype == "date":
            if value != "today" and not (isinstance(value, str) and ISO_DATE_RE.match(value) and _valid_date(value)):
                ck.add(rpath, "bad_rule_value", "须为 YYYY-MM-DD 或 \"today\"", "must be YYYY-MM-DD or \"today\"")
            else:
                rules[name] = value
        elif name in ("min", "max"):
            if not isinstance(value, int) or isinstance(value, bool):
                ck.add(rpath, "bad_rule_value", "须为整数", "must be an integer")
            else:
                rules[name] = value
        elif name in ("not_before", "not_after"):
            target = _scope_field(value, top, siblings) if isinstance(value, str) else None
            if target is None:
                ck.add(rpath, "unknown_reference", f"引用了不存在的字段“{value}”", f"refers to unknown field '{value}'")
            elif target.get("type") != "date":
                ck.add(rpath, "bad_reference_value", f"字段“{value}”不是日期", f"field '{value}' is not a date")
            else:
                rules[name] = value
        elif name == "default_region":
            if not (isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value)):
                ck.add(rpath, "bad_rule_value", "须为两位大写地区代码，如 CN",
                       "must be a two-letter region code such as CN")
            else:
                rules[name] = value
        elif name == "not_in":
            if not isinstance(value, list) or not value or not all(countries.normalise(v) == v for v in value):
                ck.add(rpath, "bad_rule_value", "须为 ISO 3166 三位字母代码数组",
                       "must be an array of ISO 3166 alpha-3 codes")
            else:
                rules[name] = tuple(value)
        elif name == "allowed":
            if not isinstance(value, list) or not value or not all(_one_of(v, DOCUMENT_TYPES) for v in value):
                ck.add(rpath, "bad_rule_value", f"须为证件类型数组：{', '.join(DOCUMENT_TYPES)}",
                       f"must be an array of document types: {', '.join(DOCUMENT_TYPES)}")
            else:
                rules[name] = tuple(value)
        elif name == "must_be":
            if not isinstance(value, bool):
                ck.add(rpath, "bad_rule_value", "须为 true 或 false", "must be true or false")
            else:
                rules[name] = value
    for lo, hi in (("min_length", "max_length"), ("min_items", "max_items"), ("min", "max")):
        if lo in rules and hi in rules and isinstance(rules[lo], int) and isinstance(rules[hi], int) \
                and rules[lo] > rules[hi]:
            ck.add(f"{path}.rules.{lo}", "bad_rule_value", f"{lo} 大于 {hi}", f"{lo} is greater than {hi}")

    messages: dict[str, tuple[Text, str | None]] = {}
    raw_messages = raw.get("messages", {})
    if not isinstance(raw_messages, dict):
        ck.add(f"{path}.messages", "bad_value", "messages 须为 JSON 对象", "messages must be a JSON object")
        raw_messages = {}
    for name, m in raw_messages.items():
        mpath = f"{path}.messages.{name}"
        # A message may override the text of a rule the field has, or of "required".
        if name != "required" and name not in rules_raw:
            ck.add(mpath, "unknown_reference", f"字段没有规则“{name}”，无法设置其提示",
                   f"the field has no rule '{name}' to give a message for")
            continue
        if not isinstance(m, dict):
            ck.add(mpath, "not_object", "提示须为 JSON 对象", "a message must be a JSON object")
            continue
        ck.props(m, {"zh", "en", "code"}, mpath)
        text = ck.text({k: m.get(k) for k in ("zh", "en")}, mpath)
        code = m.get("code")
        if code is not None and not ck.key(code, f"{mpath}.code"):
            continue
        if text:
            messages[name] = (text, code)
    return rules, messages


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _one_of(value: Any, allowed: Container[str]) -> bool:
    """Membership that never raises on unhashable JSON values (lists, objects)."""
    return isinstance(value, str) and value in allowed


def _valid_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
        return True
    except ValueError:
        return False
