"""Forms as data: the loader refuses broken definitions (every kind of defect, structured), the
content hash pins the wording, and one generic validator applies the KYC form's rules."""
from __future__ import annotations

import copy
import hashlib
import json
from datetime import date

import pytest

from counterdesk.forms import (
    FormDefinitionError,
    FormNotFound,
    check_answers,
    choices,
    list_forms,
    load_file,
    load_form,
    normalise_answers,
    parse_definition,
    stop_problems,
    validate_answers,
)
from counterdesk.forms.definition import canonical_json
from counterdesk.forms.registry import DEFINITIONS_DIR, PUBLISHED_FILE

TODAY = date(2026, 12, 1)


# ---- bundled definitions ---------------------------------------------------------------------------

def test_bundled_forms_load_and_list():
    infos = {(i.id, i.version): i for i in list_forms()}
    assert ("kyc", 1) in infos and ("kyc", 2) in infos and ("consent_sensitive_pi", 1) in infos
    kyc = load_form("kyc")  # the newest version
    assert kyc.version == 2 and kyc.ref == "kyc@2" and kyc.kind == "form"
    assert kyc.title.zh and kyc.title.en
    assert load_form("kyc", 2) is kyc  # cached: forms are immutable
    assert load_form("kyc", 1).ref == "kyc@1"  # earlier versions stay loadable: stored answers cite them
    assert load_form("consent_sensitive_pi").kind == "notice"


def test_content_hash_is_sha256_of_the_canonical_json():
    kyc = load_form("kyc", 1)
    raw = json.loads((DEFINITIONS_DIR / "kyc_v1.json").read_text(encoding="utf-8"))
    canonical = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert kyc.canonical == canonical
    assert kyc.hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    # Key order and whitespace do not matter; a changed word does.
    shuffled = json.loads(json.dumps(raw), object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    assert parse_definition(shuffled).hash == kyc.hash
    changed = copy.deepcopy(raw)
    changed["sections"][0]["fields"][0]["label"]["zh"] += "。"
    assert parse_definition(changed).hash != kyc.hash


def test_published_versions_are_pinned():
    """Stored answers cite these hashes. Changing a published form's wording needs a new version file."""
    pinned = json.loads(PUBLISHED_FILE.read_text(encoding="utf-8"))["forms"]
    for info in list_forms():
        assert pinned.get(f"{info.id}@{info.version}") == info.hash, f"{info.id}@{info.version} not pinned or changed"


def test_unknown_form_or_version():
    with pytest.raises(FormNotFound):
        load_form("no_such_form")
    with pytest.raises(FormNotFound) as err:
        load_form("kyc", 99)
    assert "99" in err.value.message("en") and "99" in err.value.message("zh")


def test_every_kyc_choice_has_both_labels_and_reference_choices_exist():
    kyc = load_form("kyc")
    for f in kyc.fields():
        for sub in (f, *f.fields):
            opts = choices(sub)
            if sub.type in ("choice", "multi_choice", "country", "occupation", "document_type"):
                assert opts, sub.key
            for o in opts:
                assert o.label.zh.strip() and o.label.en.strip(), (sub.key, o.value)
    countries = {o.value: o.label for o in choices(kyc.field("nationality"))}
    assert list(countries)[:4] == ["CHN", "HKG", "MAC", "TWN"]
    assert countries["CHN"].zh == "中国" and countries["USA"].en == "United States"
    assert countries["ISL"].zh == "冰岛"
    # No bundled zh name: iso-codes' zh_CN name (shipped with pycountry), never English on a Chinese screen.
    assert countries["ZWE"].zh == "津巴布韦" and countries["ZWE"].en == "Zimbabwe"
    tax = kyc.field("tax_jurisdictions").subfield("country")
    assert "CHN" not in {o.value for o in choices(tax)}


# ---- the loader refuses broken definitions ------------------------------------------------------------

def minimal() -> dict:
    return {
        "id": "probe", "version": 1, "title": {"zh": "测试", "en": "Probe"},
        "sections": [{"id": "main", "title": {"zh": "主要", "en": "Main"}, "fields": [
            {"key": "kind", "type": "choice", "label": {"zh": "类别", "en": "Kind"},
             "options": [{"value": "a", "zh": "甲", "en": "A"}, {"value": "b", "zh": "乙", "en": "B"}]},
            {"key": "note", "type": "text", "label": {"zh": "备注", "en": "Note"}},
            {"key": "items", "type": "group", "label": {"zh": "明细", "en": "Items"},
             "fields": [{"key": "code", "type": "text", "label": {"zh": "代码", "en": "Code"}}]},
        ]}],
    }


def _field(d: dict, key: str) -> dict:
    return next(f for f in d["sections"][0]["fields"] if f["key"] == key)


def _break(mutate):
    def build():
        d = minimal()
        mutate(d)
        return d
    return build


BROKEN = {
    "not_object": (lambda: ["not", "an", "object"], "$"),
    "missing": (_break(lambda d: d.pop("id")), "$.id"),
    "bad_value": (_break(lambda d: d.update(version=0)), "$.version"),
    "bad_key": (_break(lambda d: _field(d, "note").update(key="Bad Key")), "$.sections[0].fields[1].key"),
    "unknown_property": (_break(lambda d: _field(d, "note").update(requird=True)), "$.sections[0].fields[1].requird"),
    "duplicate_key": (_break(lambda d: _field(d, "note").update(key="kind")), "$.sections[0].fields[1].key"),
    "unknown_type": (_break(lambda d: _field(d, "note").update(type="colour")), "$.sections[0].fields[1].type"),
    "unknown_rule": (_break(lambda d: _field(d, "kind").update(rules={"max_length": 3})),
                     "$.sections[0].fields[0].rules.max_length"),
    "bad_rule_value": (_break(lambda d: _field(d, "note").update(rules={"min_length": -1})),
                       "$.sections[0].fields[1].rules.min_length"),
    "bad_pattern": (_break(lambda d: _field(d, "note").update(rules={"pattern": "[unclosed"})),
                    "$.sections[0].fields[1].rules.pattern"),
    "option_label_missing": (_break(lambda d: _field(d, "kind")["options"][1].pop("en")),
                             "$.sections[0].fields[0].options[1]"),
    "duplicate_option": (_break(lambda d: _field(d, "kind")["options"][1].update(value="a")),
                         "$.sections[0].fields[0].options[1].value"),
    "no_options": (_break(lambda d: _field(d, "kind").update(options=[])), "$.sections[0].fields[0].options"),
    "label_missing": (_break(lambda d: _field(d, "note").update(label={"zh": "备注"})), "$.sections[0].fields[1].label"),
    "unknown_reference": (_break(lambda d: _field(d, "note").update(
        rules={"required_if": {"field": "nowhere", "equals": "a"}})), "$.sections[0].fields[1].rules.required_if.field"),
    "bad_reference_value": (_break(lambda d: _field(d, "note").update(
        rules={"required_if": {"field": "kind", "equals": "zzz"}})), "$.sections[0].fields[1].rules.required_if.equals"),
    "self_reference": (_break(lambda d: _field(d, "note").update(visible_if={"field": "note", "present": True})),
                       "$.sections[0].fields[1].visible_if.field"),
}


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_loader_refuses_each_kind_of_defect(code):
    build, path = BROKEN[code]
    with pytest.raises(FormDefinitionError) as err:
        parse_definition(build(), "probe_v1.json")
    problems = err.value.problems
    assert code in err.value.codes(), problems
    hit = next(p for p in problems if p.code == code)
    assert hit.field == path
    assert hit.message("zh").strip() and hit.message("en").strip()
    # The exception names the source and the first defect in both languages.
    assert "probe_v1.json" in err.value.message("en") and "probe_v1.json" in err.value.message("zh")
    assert err.value.code == "form_definition"


@pytest.mark.parametrize("mutate,code", [
    (lambda d: _field(d, "items")["fields"].append({"key": "code", "type": "text", "label": {"zh": "x", "en": "x"}}),
     "duplicate_key"),
    (lambda d: _field(d, "items")["fields"][0].update(type="group"), "unknown_type"),  # no nested groups
    (lambda d: _field(d, "note").update(type=["text"]), "unknown_type"),  # unhashable value, no crash
    (lambda d: _field(d, "note").update(mask="blur"), "unknown_rule"),
    (lambda d: _field(d, "note").update(derived={"fn": "soundex", "from": "kind"}), "unknown_rule"),
    (lambda d: _field(d, "note").update(derived={"fn": "pinyin", "from": "nowhere"}), "unknown_reference"),
    (lambda d: _field(d, "note").update(type="document_number"), "unknown_reference"),  # no type_field
    (lambda d: _field(d, "note").update(type="document_number", type_field="kind"), "bad_reference_value"),
    (lambda d: _field(d, "note").update(messages={"pattern": {"zh": "x", "en": "x"}}), "unknown_reference"),
    (lambda d: _field(d, "note").update(rules={"min_length": 5, "max_length": 2}), "bad_rule_value"),
    (lambda d: _field(d, "note").update(type="date", rules={"max": "tomorrow"}), "bad_rule_value"),
    (lambda d: _field(d, "note").update(type="date", rules={"not_before": "kind"}), "bad_reference_value"),
    (lambda d: _field(d, "note").update(type="country", rules={"not_in": ["XX"]}), "bad_rule_value"),
    (lambda d: _field(d, "note").update(rules={"required_if": {"field": "kind", "equals": "a", "in": ["b"]}}),
     "bad_rule_value"),
    (lambda d: _field(d, "note").update(rules={"required_if": {"any": [{"field": "ghost", "present": True}]}}),
     "unknown_reference"),
    (lambda d: _field(d, "kind")["options"][0].update(stop={"code": "x"}), "label_missing"),
    (lambda d: _field(d, "kind")["options"][0].update(stop={"code": "required", "zh": "停", "en": "Stop"}), "bad_value"),
    (lambda d: d.update(checks=[{"kind": "at_least_one", "fields": ["note", "ghost"], "code": "c",
                                 "zh": "至少一项", "en": "one at least"}]), "unknown_reference"),
    (lambda d: d.update(checks=[{"kind": "exactly_one", "fields": ["note", "kind"], "code": "c",
                                 "zh": "x", "en": "x"}]), "unknown_rule"),
    (lambda d: d["sections"].append({"id": "main", "title": {"zh": "x", "en": "x"},
                                     "fields": [{"key": "z", "type": "bool", "label": {"zh": "x", "en": "x"}}]}),
     "duplicate_key"),
    (lambda d: d.update(sections=[]), "bad_value"),
    (lambda d: d.update(kind="poster"), "bad_value"),
])
def test_loader_refuses_more_defects(mutate, code):
    d = minimal()
    mutate(d)
    with pytest.raises(FormDefinitionError) as err:
        parse_definition(d)
    assert code in err.value.codes(), err.value.problems


def test_loader_reports_every_problem_not_just_the_first():
    d = minimal()
    _field(d, "note").update(type="colour")
    _field(d, "kind")["options"][0].pop("zh")
    d["version"] = "one"
    with pytest.raises(FormDefinitionError) as err:
        parse_definition(d)
    assert {"unknown_type", "option_label_missing", "bad_value"} <= err.value.codes()
    assert len(err.value.problems) >= 3
    assert "unknown_type" in err.value.detail


def test_minimal_definition_is_accepted():
    form = parse_definition(minimal())
    assert [f.key for f in form.fields()] == ["kind", "note", "items"]
    assert form.field("items").subfield("code").type == "text"


def test_file_loader_refuses_bad_json_wrong_name_and_changed_published_form(tmp_path):
    (tmp_path / "probe_v1.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(FormDefinitionError) as err:
        load_form("probe", 1, tmp_path)
    assert err.value.codes() == {"bad_json"}

    (tmp_path / "probe_v1.json").write_text(json.dumps(minimal()), encoding="utf-8")
    (tmp_path / "probe_v2.json").write_text(json.dumps(minimal()), encoding="utf-8")  # says version 1 inside
    with pytest.raises(FormDefinitionError) as err:
        load_form("probe", 2, tmp_path)
    assert err.value.codes() == {"id_mismatch"}
    assert load_form("probe", 1, tmp_path).version == 1

    pinned = parse_definition(minimal()).hash
    (tmp_path / "published.json").write_text(json.dumps({"forms": {"probe@1": pinned}}), encoding="utf-8")
    assert load_file(tmp_path / "probe_v1.json", ("probe", 1), {"probe@1": pinned}).hash == pinned
    edited = minimal()
    edited["title"]["en"] = "Probe, edited"
    (tmp_path / "probe_v1.json").write_text(json.dumps(edited), encoding="utf-8")
    with pytest.raises(FormDefinitionError) as err:
        load_form("probe", 1, tmp_path)
    assert err.value.codes() == {"published_changed"}


# ---- the KYC form's rules ---------------------------------------------------------------------------------

BASE = {
    "id_doc_type": "resident_id", "id_number": "11010519491231002X", "id_issue_date": "2015-06-01",
    "id_long_term": True, "name_zh": "张三丰", "sex": "male", "birth_date": "1949-12-31",
    "nationality": "CHN", "phone": "13812345678", "address": "北京市朝阳区建国路1号院",
    "occupation": "gbt6565_2", "employer": "北京华信科技有限公司", "civil_capacity": "full",
    "tax_residency": "cn_only", "pep_status": "none", "customer_tier": "mass",
}


def _codes(changes: dict | None = None, remove: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    answers = {**BASE, **(changes or {})}
    for key in remove:
        answers.pop(key, None)
    result = validate_answers(load_form("kyc"), answers, today=TODAY)
    for p in result.problems:
        assert p.message("zh").strip() and p.message("en").strip()
    return {(p.field, p.code) for p in result.problems}


def test_base_answers_are_valid_and_normalised():
    answers = {**BASE, "id_number": "110105 19491231 002x", "nationality": "cn", "phone": "138-1234-5678",
               "name_zh": " 张三丰 "}
    values, result = check_answers(load_form("kyc"), answers, today=TODAY)
    assert result.ok and result.problems == []
    assert values["id_number"] == "11010519491231002X"
    assert values["nationality"] == "CHN"
    assert values["phone"] == "+8613812345678"
    assert values["name_zh"] == "张三丰"
    assert values["name_pinyin"] == "zhang san feng"  # derived, kept for search
    assert "id_expiry_date" not in values  # long-term document: the field is not asked


KYC_CASES = [
    ("valid", {}, (), set()),
    ("sex missing", {}, ("sex",), {("sex", "required")}),
    ("no name at all", {}, ("name_zh",), {("name_zh", "name_required")}),
    ("Latin name only", {"name_latin": "John Smith"}, ("name_zh",), set()),
    ("both names", {"name_latin": "ZHANG SANFENG"}, (), set()),
    ("Latin letters in the Chinese name", {"name_zh": "张San"}, (), {("name_zh", "pattern")}),
    ("digits in the Latin name", {"name_latin": "R2D2"}, (), {("name_latin", "pattern")}),
    ("no civil capacity stops", {"civil_capacity": "none"}, (), {("civil_capacity", "no_civil_capacity")}),
    ("limited capacity needs the guardian", {"civil_capacity": "limited"}, (),
     {("guardian_name", "guardian_required"), ("guardian_relation", "guardian_required"),
      ("guardian_doc_type", "guardian_required"), ("guardian_doc_number", "guardian_required")}),
    ("limited capacity with the guardian", {"civil_capacity": "limited", "guardian_name": "张大山",
                                            "guardian_relation": "parent", "guardian_doc_type": "resident_id",
                                            "guardian_doc_number": "110105197001010011"}, (), set()),
    ("tax residency elsewhere without jurisdictions", {"tax_residency": "cn_and_other"}, (),
     {("tax_jurisdictions", "tax_jurisdiction_required")}),
    ("jurisdiction without TIN or reason", {"tax_residency": "other_only", "tax_jurisdictions": [{"country": "USA"}]},
     (), {("tax_jurisdictions[0].no_tin_reason", "tin_or_reason")}),
    ("jurisdiction with a TIN", {"tax_residency": "other_only",
                                 "tax_jurisdictions": [{"country": "USA", "tin": "123-45-6789"}]}, (), set()),
    ("jurisdiction with a reason", {"tax_residency": "cn_and_other",
                                    "tax_jurisdictions": [{"country": "HKG", "no_tin_reason": "not_issued"}]}, (), set()),
    ("could not obtain a TIN needs the why", {"tax_residency": "cn_and_other", "tax_jurisdictions": [
        {"country": "SGP", "no_tin_reason": "not_obtained"}]}, (),
     {("tax_jurisdictions[0].no_tin_explanation", "required")}),
    ("China is not an other jurisdiction", {"tax_residency": "cn_and_other",
                                            "tax_jurisdictions": [{"country": "CHN", "tin": "X1"}]}, (),
     {("tax_jurisdictions[0].country", "country_not_allowed")}),
    ("empty jurisdiction list", {"tax_residency": "other_only", "tax_jurisdictions": []}, (),
     {("tax_jurisdictions", "tax_jurisdiction_required")}),
    ("PEP needs the detail", {"pep_status": "foreign_pep"}, (), {("pep_detail", "required")}),
    ("PEP with detail", {"pep_status": "relative_or_associate", "pep_detail": "某国前部长之配偶"}, (), set()),
    ("employed without employer", {}, ("employer",), {("employer", "required")}),
    ("retired needs no employer", {"occupation": "retired"}, ("employer",), set()),
    ("unknown occupation", {"occupation": "pirate"}, (), {("occupation", "occupation_unknown")}),
    ("unknown country", {"nationality": "XYZ"}, (), {("nationality", "country_unknown")}),
    ("expired document", {"id_long_term": False, "id_expiry_date": "2026-11-30"}, (),
     {("id_expiry_date", "document_expired")}),
    ("expiry needed unless long-term", {"id_long_term": False}, (), {("id_expiry_date", "required")}),
    ("expiry before issue", {"id_long_term": False, "id_issue_date": "2030-01-01", "id_expiry_date": "2029-01-01"}, (),
     {("id_issue_date", "too_late"), ("id_expiry_date", "date_order")}),
    ("birth date in the future", {"birth_date": "2027-01-01"}, (), {("birth_date", "too_late")}),
    ("birth date not a date", {"birth_date": "1949-02-30"}, (), {("birth_date", "date_invalid")}),
    ("unknown document type", {"id_doc_type": "library_card"}, (), {("id_doc_type", "document_type_unknown")}),
    ("document number of symbols only", {"id_number": "--- ---"}, (), {("id_number", "document_number_invalid")}),
    ("choice not an option", {"customer_tier": "platinum"}, (), {("customer_tier", "choice_invalid")}),
    ("wrong type", {"address": 42}, (), {("address", "type")}),
    ("unknown field", {"favourite_colour": "blue"}, (), {("favourite_colour", "unknown_field")}),
    ("spaces only count as missing", {"address": "   "}, (), {("address", "required")}),
]


@pytest.mark.parametrize("name,changes,remove,expected", KYC_CASES, ids=[c[0] for c in KYC_CASES])
def test_kyc_rules(name, changes, remove, expected):
    assert _codes(changes, remove) == expected


def test_no_civil_capacity_is_a_stop_and_hides_the_guardian():
    form = load_form("kyc")
    values, result = check_answers(form, {**BASE, "civil_capacity": "none", "guardian_name": "李四"}, today=TODAY)
    stops = stop_problems(form, result)
    assert [p.code for p in stops] == ["no_civil_capacity"]
    assert "终止" in stops[0].message("zh") and "stops" in stops[0].message("en")
    assert "no_civil_capacity" in form.stops()
    assert "guardian_name" not in values  # hidden by visible_if: neither checked nor stored


def test_hidden_answers_are_dropped_when_the_condition_changes():
    form = load_form("kyc")
    answers = {**BASE, "civil_capacity": "full", "guardian_name": "张大山", "pep_status": "none", "pep_detail": "x"}
    values = normalise_answers(form, answers, today=TODAY)
    assert "guardian_name" not in values and "pep_detail" not in values


def test_answers_that_are_not_an_object():
    result = validate_answers(load_form("kyc"), ["not", "a", "dict"], today=TODAY)  # type: ignore[arg-type]
    assert not result.ok and result.problems[0].code == "type"


# ---- phone numbers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,e164", [
    ("13812345678", "+8613812345678"),         # CN mobile
    ("138 1234 5678", "+8613812345678"),
    ("+86 138-1234-5678", "+8613812345678"),
    ("010-12345678", "+861012345678"),         # Beijing landline
    ("(021) 6888 8888", "+862168888888"),      # Shanghai landline
    ("+852 9123 4567", "+85291234567"),        # Hong Kong mobile
    ("+853 6612 3456", "+85366123456"),        # Macao mobile
    ("+1 202 555 0143", "+12025550143"),
])
def test_valid_phone_numbers_are_stored_as_e164(raw, e164):
    values, result = check_answers(load_form("kyc"), {**BASE, "phone": raw}, today=TODAY)
    assert result.ok, result.problems
    assert values["phone"] == e164


@pytest.mark.parametrize("raw", ["12345", "1381234567", "138123456789", "abc", "+86 138", "+999 1234567",
                                 "0000000000", "9" * 50])
def test_invalid_phone_numbers(raw):
    assert _codes({"phone": raw}) == {("phone", "phone_invalid")}


# ---- generic machinery on a small form ---------------------------------------------------------------------

GENERIC = {
    "id": "generic", "version": 3, "title": {"zh": "通用", "en": "Generic"},
    "sections": [{"id": "s", "title": {"zh": "节", "en": "Section"}, "fields": [
        {"key": "colours", "type": "multi_choice", "label": {"zh": "颜色", "en": "Colours"},
         "rules": {"min_items": 1, "max_items": 2},
         "options": [{"value": "red", "zh": "红", "en": "Red"}, {"value": "blue", "zh": "蓝", "en": "Blue"},
                     {"value": "green", "zh": "绿", "en": "Green"}]},
        {"key": "age", "type": "integer", "label": {"zh": "年龄", "en": "Age"}, "rules": {"min": 18, "max": 120}},
        {"key": "agree", "type": "bool", "required": True, "label": {"zh": "同意", "en": "Agree"},
         "rules": {"must_be": True}},
        {"key": "why", "type": "textarea", "label": {"zh": "原因", "en": "Why"},
         "rules": {"required_if": {"all": [{"field": "colours", "equals": "red"}, {"field": "age", "present": True}]},
                   "max_length": 10}},
        {"key": "code", "type": "text", "label": {"zh": "代码", "en": "Code"},
         "rules": {"pattern": "[A-Z]{3}", "required_if": {"any": [{"field": "age", "in": [18, 19]},
                                                                   {"field": "colours", "equals": "green"}]}}},
    ]}],
}


@pytest.mark.parametrize("answers,expected", [
    ({"colours": ["blue"], "agree": True}, set()),
    ({"colours": [], "agree": True}, set()),  # an empty list is unanswered; not required
    ({"colours": ["red", "blue", "green"], "agree": True, "code": "ABC"}, {("colours", "too_many")}),
    ({"colours": ["purple"], "agree": True}, {("colours", "choice_invalid")}),
    ({"agree": False}, {("agree", "must_be")}),
    ({}, {("agree", "required")}),
    ({"agree": True, "age": 17}, {("age", "too_small")}),
    ({"agree": True, "age": 18.5}, {("age", "type")}),
    ({"agree": True, "age": True}, {("age", "type")}),
    ({"agree": True, "age": 30, "colours": ["red"]}, {("why", "required")}),
    ({"agree": True, "age": 30, "colours": ["red"], "why": "because I say so"}, {("why", "too_long")}),
    ({"agree": True, "age": 18}, {("code", "required")}),
    ({"agree": True, "colours": ["green"], "code": "abc"}, {("code", "pattern")}),
    ({"agree": True, "colours": ["green"], "code": "ABC"}, set()),
])
def test_generic_rules(answers, expected):
    form = parse_definition(GENERIC)
    result = validate_answers(form, answers, today=TODAY)
    assert {(p.field, p.code) for p in result.problems} == expected


def test_multi_choice_is_stored_in_option_order_without_duplicates():
    form = parse_definition(GENERIC)
    assert normalise_answers(form, {"colours": ["green", "red", "green"], "agree": True})["colours"] == ["red", "green"]


def test_canonical_json_is_stable():
    assert canonical_json({"b": 1, "a": "中"}) == '{"a":"中","b":1}'
