"""Risk-disclosure texts: every family in zh and en, pinned hashes, flags select the special notices,
and the typed confirmation sentence matches only itself."""
from __future__ import annotations

import json

import pytest

from counterdesk.base.settings import SettingsValues
from counterdesk.forms import FormDefinitionError, load_file
from counterdesk.forms.disclosures import (
    COOLING_OFF_ID,
    ELDERLY_CARE_ID,
    FAMILIES,
    FAMILY_OF_TYPE,
    MISMATCH_WARNING_ID,
    PRIVATE_TYPES,
    UnknownProductType,
    all_disclosure_forms,
    confirmation_sentence,
    disclosures_for,
    min_reading_seconds,
    sentence_matches,
)
from counterdesk.forms.registry import DEFINITIONS_DIR, PUBLISHED_FILE, parse_definition
from counterdesk.services.catalog.products import PRIVATE_TYPES as CATALOG_PRIVATE_TYPES
from counterdesk.services.catalog.products import PRODUCT_TYPES

NONE = dict(customer_initiated=False, elderly_care=False, private=False)


def test_every_catalog_product_type_has_a_family_disclosure():
    assert set(FAMILY_OF_TYPE) == set(PRODUCT_TYPES)
    assert set(FAMILY_OF_TYPE.values()) == set(FAMILIES)
    assert PRIVATE_TYPES == CATALOG_PRIVATE_TYPES


@pytest.mark.parametrize("form", all_disclosure_forms(), ids=lambda f: f.id)
def test_each_text_is_a_published_bilingual_notice(form):
    assert form.kind == "notice" and form.version >= 1
    assert form.title.zh.strip() and form.title.en.strip()
    assert form.sections
    for section in form.sections:
        assert section.text is not None and len(section.text.zh) > 20 and len(section.text.en) > 40
        assert not section.fields  # the confirmation is the typed sentence and the signature, not a tick box
    pinned = json.loads(PUBLISHED_FILE.read_text(encoding="utf-8"))["forms"]
    assert pinned[form.ref] == form.hash


def test_hashes_are_stable_and_wording_changes_are_refused(tmp_path):
    form = disclosures_for("public_fund", **NONE)[0]
    raw = json.loads((DEFINITIONS_DIR / f"{form.id}_v{form.version}.json").read_text(encoding="utf-8"))
    assert parse_definition(raw).hash == form.hash
    raw["sections"][1]["text"]["zh"] = raw["sections"][1]["text"]["zh"].replace("可能", "不会", 1)
    changed = tmp_path / f"{form.id}_v{form.version}.json"
    changed.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(FormDefinitionError) as err:
        load_file(changed, (form.id, form.version), {form.ref: form.hash})
    assert err.value.codes() == {"published_changed"}


def texts(form):
    return " ".join(s.text.zh + s.text.en for s in form.sections)


def test_required_content_is_present():
    get = {f.id: f for f in all_disclosure_forms()}
    sd = texts(get["disclosure_structured_deposit"])
    assert "损失部分乃至全部本金" in sd and "收益不确定" in sd and "uncertain" in sd
    wm = texts(get["disclosure_wealth_management"])
    assert "打破刚性兑付" in wm and "过往业绩不代表其未来表现" in wm and "not a deposit" in wm
    assert "净值" in texts(get["disclosure_fund"]) and "net asset value" in texts(get["disclosure_fund"])
    bond = texts(get["disclosure_bond"])
    assert "利率" in bond and "信用" in bond and "default" in bond
    ins = texts(get["disclosure_insurance"])
    assert "犹豫期 15 日" in ins and "现金价值" in ins and "15 days" in ins
    assert "24 小时" in texts(get[COOLING_OFF_ID]) and "full" in texts(get[COOLING_OFF_ID])
    assert "65" in get[ELDERLY_CARE_ID].title.zh


@pytest.mark.parametrize("ptype,family", sorted(FAMILY_OF_TYPE.items()))
def test_family_disclosure_comes_first(ptype, family):
    forms = disclosures_for(ptype, **NONE)
    assert forms[0].id == f"disclosure_{family}"
    expected_extra = [COOLING_OFF_ID] if ptype in PRIVATE_TYPES else []
    assert [f.id for f in forms[1:]] == expected_extra


def test_flags_select_the_special_notices_in_order():
    ids = lambda **kw: [f.id for f in disclosures_for("public_wm", **{**NONE, **kw})]  # noqa: E731
    assert ids(customer_initiated=True) == ["disclosure_wealth_management", MISMATCH_WARNING_ID]
    assert ids(elderly_care=True) == ["disclosure_wealth_management", ELDERLY_CARE_ID]
    assert ids(private=True) == ["disclosure_wealth_management", COOLING_OFF_ID]
    assert ids(customer_initiated=True, elderly_care=True, private=True) == [
        "disclosure_wealth_management", MISMATCH_WARNING_ID, ELDERLY_CARE_ID, COOLING_OFF_ID]


def test_unknown_product_type_is_a_typed_error():
    with pytest.raises(UnknownProductType) as err:
        disclosures_for("crypto", **NONE)
    assert "crypto" in err.value.message("en") and "crypto" in err.value.message("zh")


def test_minimum_reading_time_by_risk_level():
    values = SettingsValues()
    assert [min_reading_seconds(f"R{i}", values) for i in range(1, 6)] == [30, 45, 60, 90, 120]
    assert min_reading_seconds("R3", values, elderly_care=True) == values["suitability.elderly_reading_seconds"]
    custom = SettingsValues({"disclosure.min_reading_seconds_r5": 200})
    assert min_reading_seconds("r5", custom) == 200


ZH = confirmation_sentence("zh")
EN = confirmation_sentence("en")


def test_the_sentences():
    assert ZH == "本人已阅读风险揭示，愿意承担投资风险"
    assert EN == "I have read the risk disclosure and am willing to bear the investment risk"
    assert confirmation_sentence("zh_CN") == ZH and confirmation_sentence("en_GB") == EN


@pytest.mark.parametrize("typed", [
    ZH,
    "  本人已阅读风险揭示，愿意承担投资风险  ",
    "本人已阅读风险揭示,愿意承担投资风险",        # half-width comma
    "本人已阅读风险揭示、愿意承担投资风险",       # enumeration comma from some IMEs
    "本人已阅读风险揭示， 愿意承担投资风险。",     # space after the comma, final full stop
    "本人已阅读风险揭示，愿意承担投资风险.",
    "本人 已阅读 风险揭示，愿意承担投资风险",     # IME spaces between CJK characters
    "\u3000本人已阅读风险揭示，愿意承担投资风险\u3000",  # ideographic spaces
])
def test_zh_sentence_variants_match(typed):
    assert sentence_matches(typed, ZH)


@pytest.mark.parametrize("typed", [
    EN,
    "I have read the risk disclosure and am willing to bear the investment risk.",
    "  I  have read the risk disclosure and am willing to bear the investment   risk ",
    "Ｉ ｈａｖｅ read the risk disclosure and am willing to bear the investment risk",  # full-width letters
])
def test_en_sentence_variants_match(typed):
    assert sentence_matches(typed, EN)


@pytest.mark.parametrize("typed,expected", [
    ("", ZH), ("   ", ZH), ("，。", ZH),
    ("本人已阅读风险揭示", ZH),                              # half the sentence
    ("本人已阅读风险揭示，不愿意承担投资风险", ZH),            # the opposite statement
    ("本人未阅读风险揭示，愿意承担投资风险", ZH),
    ("本人已阅读风险揭示，愿意承担投资风险本人已阅读风险揭示，愿意承担投资风险", ZH),
    ("本人已阅读风险提示，愿意承担投资风险", ZH),              # one character changed
    ("本人已阅读风险揭示愿意承担投资风险", ZH),                # the comma is part of the sentence
    (EN, ZH), (ZH, EN),
    ("I have read the risk disclosure and am not willing to bear the investment risk", EN),
    ("I have read the disclosure and am willing to bear the investment risk", EN),
    ("Ihavereadtheriskdisclosureandamwillingtobeartheinvestmentrisk", EN),
    (ZH, ""),
])
def test_wrong_sentences_do_not_match(typed, expected):
    assert not sentence_matches(typed, expected)


def test_non_strings_never_match():
    assert not sentence_matches(None, ZH)  # type: ignore[arg-type]
