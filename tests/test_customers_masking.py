"""Masking (GB/T 35273 de-identification): table of expected forms, and total functions that
never raise and never show more than the rule allows, whatever they are given."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.identity.names import COMPOUND_SURNAMES
from counterdesk.services.customers import masking as M


@pytest.mark.parametrize("fn,value,expected", [
    # ID and document numbers: first 3 + last 4, length kept; short numbers keep at least half hidden.
    (M.mask_id_number, "11010519491231002X", "110***********002X"),
    (M.mask_id_number, "810000199001011234", "810***********1234"),
    (M.mask_id_number, "E12345678", "E*****678"),
    (M.mask_id_number, "12345678", "1****678"),
    (M.mask_id_number, "H1234567890", "H1******890"),
    (M.mask_id_number, "AB", "*B"),
    (M.mask_id_number, "A", "*"),
    (M.mask_id_number, "", ""),
    (M.mask_id_number, None, ""),
    # Phone: first 3 + last 4 of the national number.
    (M.mask_phone, "13812345678", "138****5678"),
    (M.mask_phone, "+8613812345678", "+86 138****5678"),
    (M.mask_phone, "+861012345678", "+86 10****5678"),  # 10 digits: 4 hidden, head shrinks
    (M.mask_phone, "+85291234567", "+852 9****567"),
    (M.mask_phone, "010-12345678", "010*****5678"),
    (M.mask_phone, "+", "*"),
    # Bank card: first 6 + last 4.
    (M.mask_card, "6222021234567890123", "622202*********0123"),
    (M.mask_card, "6222021234567890", "622202******7890"),
    # Names: surname + one star per other character; compound surnames keep both.
    (M.mask_name, "张三丰", "张**"),
    (M.mask_name, "王芳", "王*"),
    (M.mask_name, "欧阳娜娜", "欧阳**"),
    (M.mask_name, "司马相如", "司马**"),
    (M.mask_name, "诸葛亮", "诸葛*"),
    (M.mask_name, "上官婉儿", "上官**"),
    (M.mask_name, "欧阳", "欧*"),  # two characters only: the surname is the first
    (M.mask_name, "王", "*"),
    (M.mask_name, "阿依古丽·买买提", "阿***·***"),
    # Latin names: initial of the first written word + one star (word order varies by document).
    (M.mask_name, "John Smith", "J*"),
    (M.mask_name, "ZHANG SANFENG", "Z*"),
    (M.mask_name, "  émile zola", "É*"),
    (M.mask_name, "123", "*"),
    (M.mask_name, "", ""),
    # Addresses: kept up to the county level.
    (M.mask_address, "北京市朝阳区建国路1号院2号楼", "北京市朝阳区****"),
    (M.mask_address, "上海市浦东新区世纪大道100号", "上海市浦东新区****"),
    (M.mask_address, "广东省广州市天河区体育西路1号", "广东省广州市天河区****"),
    (M.mask_address, "新疆维吾尔自治区乌鲁木齐市天山区解放南路", "新疆维吾尔自治区乌鲁木齐市天山区****"),
    (M.mask_address, "江苏省苏州市昆山市玉山镇1号", "江苏省苏州市昆山市****"),
    (M.mask_address, "吉林省延边朝鲜族自治州延吉市河南街", "吉林省延边朝鲜族自治州延吉市****"),
    (M.mask_address, "广东省东莞市长安镇振安路1号", "广东省东莞市****"),
    (M.mask_address, "香港特别行政区中西区皇后大道中1号", "香港特别行政区中西区****"),
    (M.mask_address, "朝阳区建国路", "朝阳区****"),
    (M.mask_address, "北京市朝阳区", "北京市朝阳区"),
    (M.mask_address, "建国路1号", "****"),
    (M.mask_address, "221B Baker Street, London NW1 6XE, UK", "****, UK"),
    (M.mask_address, "Somewhere", "****"),
    # Dates: year only.
    (M.mask_date, "1949-12-31", "1949-**-**"),
    (M.mask_date, "31/12/1949", "**********"),
])
def test_masking_table(fn, value, expected):
    assert fn(value) == expected


def test_mask_dispatch_by_kind():
    assert M.mask("id_number", "11010519491231002X") == "110***********002X"
    assert M.mask("none", "male") == "male"
    assert M.mask("hide", "anything") == "****"
    assert M.mask("no-such-kind", "13812345678") == "****"  # unknown kinds hide rather than show
    assert M.mask(None, "x") == "****"  # type: ignore[arg-type]


anything = st.one_of(st.none(), st.text(), st.integers(), st.floats(allow_nan=True), st.binary(),
                     st.lists(st.text(max_size=3), max_size=3), st.dictionaries(st.text(max_size=2), st.integers(),
                                                                                 max_size=2))


@settings(max_examples=300, deadline=None)
@given(anything)
def test_maskers_never_raise(value):
    for name, fn in M.MASKERS.items():
        out = fn(value)
        assert isinstance(out, str), name
    assert M.mask("none", value) is value


class Unprintable:
    def __str__(self):
        raise RuntimeError("no")


def test_values_whose_str_fails_are_masked_not_raised():
    for fn in M.MASKERS.values():
        assert fn(Unprintable()) in ("", "****")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_id_number_keeps_the_length_and_hides_at_least_half(value):
    out = M.mask_id_number(value)
    assert len(out) == len(value)
    shown = sum(1 for b in out if b != "*")
    assert shown <= min(7, len(value) // 2)
    # Whatever is shown is the real character at that place.
    assert all(b == "*" or a == b for a, b in zip(value, out))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=25))
def test_phone_and_card_hide_their_middle(digits):
    phone, card = M.mask_phone(digits), M.mask_card(digits)
    assert len(phone) == len(card) == len(digits)
    assert phone.count("*") >= min(4, len(digits))
    assert card.count("*") >= min(6, len(digits))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=2, max_size=6))
def test_chinese_names_show_only_the_surname(name):
    out = M.mask_name(name)
    kept = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    assert out[:kept] == name[:kept]
    assert set(out[kept:]) <= {"*"} and len(out) == len(name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_addresses_never_grow_past_the_input_plus_marker(address):
    out = M.mask_address(address)
    assert isinstance(out, str)
    kept = out[:-4] if out.endswith("****") else out
    # Only a prefix of the address (or, for Latin text, its last comma part) is ever shown.
    assert address.strip().startswith(kept) or kept.startswith("****, ") or kept in ("", "****")
