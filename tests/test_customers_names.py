"""Names: surname split, pinyin with surname readings, and the normalised search keys."""
from __future__ import annotations

import pytest

from counterdesk.identity.names import (
    FULL,
    GIVEN,
    has_cjk,
    normalise_key,
    pinyin_display,
    pinyin_readings,
    search_keys,
    split_surname,
)


@pytest.mark.parametrize("name,surname,given", [
    ("张三丰", "张", "三丰"), ("欧阳娜娜", "欧阳", "娜娜"), ("司马相如", "司马", "相如"), ("欧阳", "欧", "阳"),
    ("王", "王", ""),
])
def test_split_surname(name, surname, given):
    assert split_surname(name) == (surname, given)


@pytest.mark.parametrize("name,display", [
    ("张三丰", "zhang san feng"),
    ("单田芳", "shan tian fang"),  # surname reading, not the common "dan"
    ("曾国藩", "zeng guo fan"),
    ("解缙", "xie jin"),
    ("欧阳修", "ou yang xiu"),
    ("吕布", "lv bu"),
    ("阿依古丽·买买提", "a yi gu li mai mai ti"),
])
def test_pinyin_display(name, display):
    assert pinyin_display(name) == display


def test_readings_include_common_reading_and_u_for_v():
    assert ["dan", "tian", "fang"] in pinyin_readings("单田芳")
    assert ["lu", "bu"] in pinyin_readings("吕布")
    assert pinyin_readings("") == []


def test_normalise_key_folds_case_width_spaces_and_dots():
    assert normalise_key(" Zhang  San-Feng ") == "zhangsanfeng"
    assert normalise_key("ＺＨＡＮＧ　ＳＡＮ") == "zhangsan"  # full-width letters and space
    assert normalise_key("阿依古丽·买买提") == "阿依古丽买买提"
    assert has_cjk("张a") and not has_cjk("zhang")


def test_search_keys_for_chinese_and_latin_names():
    keys = search_keys("单田芳", "Shan Tianfang")
    full = {(k.name_norm, k.pinyin_norm, k.pinyin_initials) for k in keys if k.kind == FULL}
    given = {(k.name_norm, k.pinyin_norm, k.pinyin_initials) for k in keys if k.kind == GIVEN}
    assert ("单田芳", "shantianfang", "stf") in full
    assert ("单田芳", "dantianfang", "dtf") in full
    assert ("shantianfang", "shantianfang", "st") in full
    assert ("田芳", "tianfang", "tf") in given
    assert ("tianfang", "tianfang", "t") in given
    assert search_keys(None, None) == [] and search_keys("", "  ") == []
