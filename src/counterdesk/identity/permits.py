"""Permits and cards other than the resident ID and the passport.

HK/Macau permit (港澳居民来往内地通行证, 回乡证)
  H (Hong Kong) or M (Macau) + 8 digits: the card issued since 2013. The older booklet/card number
  was H/M + 10 digits, the last two being the issue count (换证次数). Older numbers are accepted with
  a warning: every such document has long expired, which the expiry check then reports.

Taiwan permit (台湾居民来往大陆通行证, 台胞证)
  8 digits: the lifetime number (台胞终身号). Before 2008-09-25 the five-year permit printed the
  lifetime number + a 2-digit issue count + the issuing office's code in brackets, e.g.
  0561682001(D); from June 2006 some offices dropped the bracket. Source: China News Service
  (中新社), 2008-09-11, "台胞证9月25日起实行'一人一号、终身不变'". Those forms are accepted with a
  warning and reduced to the 8-digit lifetime number; they are five-year permits, all expired by 2013.

HK/Macau/Taiwan residence permit (港澳台居民居住证, issued since 2018-09-01)
  GB 11643 layout with the prefix 810000 (Hong Kong), 820000 (Macau) or 830000 (Taiwan).

Foreign permanent-resident ID (外国人永久居留身份证)
  2023 version (issued since 2023-12-01): 18 characters = "9" + 2-digit province of the accepting
  office (a GB/T 2260 province code) + ISO 3166-1 numeric nationality (3) + birth date YYYYMMDD +
  3-digit sequence (17th character odd = male) + MOD 11-2 check, like the resident ID. Source:
  National Immigration Administration, 新版外国人永久居留身份证适配性改造要点 / 机读信息规则 (2023),
  as republished by reader vendors (e.g. eastcoms.com, 2023-10-20).
  Old versions (2004 and 2017 cards): 15 characters = ISO 3166-1 alpha-3 nationality (3 letters)
  + 4-digit code of the accepting office's area (its first 4 GB/T 2260 digits; the area code + "00"
  is a listed division, e.g. 1100 → 110000 北京市) + birth date YYMMDD + 1 digit whose parity gives
  the sex (odd = male) + 1 check digit = ICAO 7-3-1 weighted check over the first 14 characters.
  Sources: the NIA adaptation notes (15 characters = 3 letters + 12 digits; its example
  KAZ110090123105 satisfies exactly this layout and check), and the open-source CredentialKit
  (howardli/CredentialKit, ForeignerPermanentResidenceIdNumberProcessor) which implements the same
  split and check. The birth year's century is the most recent one not in the future.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pycountry

from counterdesk.base.text import Result, Text
from counterdesk.identity import gb2260, gb11643
from counterdesk.identity.checkdigits import mrz_check_digit
from counterdesk.identity.dates import century_for_birth, make_date
from counterdesk.identity.rawinput import MAX_NUMBER_CHARS, coerce_text, fold

HK_MACAU_NEW = re.compile(r"[HM][0-9]{8}")
HK_MACAU_OLD = re.compile(r"[HM][0-9]{10}")
TAIWAN_NEW = re.compile(r"[0-9]{8}")
TAIWAN_OLD = re.compile(r"([0-9]{8})([0-9]{2})(?:\(([A-Z0-9])\))?")
FOREIGN_PR_NEW = re.compile(r"9[0-9]{16}[0-9X]")
FOREIGN_PR_OLD = re.compile(r"[A-Z]{3}[0-9]{12}")
HMT_REGIONS = {"810000": "HKG", "820000": "MAC", "830000": "TWN"}


@dataclass(frozen=True)
class PermitNumber:
    number: str                  # canonical form used for lookups
    as_given: str                # folded input (upper case, no spaces)
    birth_date: date | None = None
    sex: str | None = None
    nationality: str | None = None   # ISO 3166-1 alpha-3
    region: str | None = None        # HKG / MAC / TWN for the HK/Macau/Taiwan documents
    old_format: bool = False


@dataclass
class PermitCheck:
    result: Result = field(default_factory=Result)
    parsed: PermitNumber | None = None


def _old_format(result: Result, what: Text) -> None:
    result.add("number", "old_format", Text(
        f"这是旧版{what.zh}号码，旧版证件均已过期，请核对证件",
        f"this is an old-style {what.en} number; old documents have all expired, please check the document"),
        severity="warning")


def _begin(text: object) -> tuple[PermitCheck, str | None]:
    out = PermitCheck()
    raw = coerce_text(text, field="number", limit=MAX_NUMBER_CHARS, result=out.result)
    return out, (fold(raw) if raw is not None else None)


def hk_macau_permit(text: object) -> PermitCheck:
    out, number = _begin(text)
    if number is None:
        return out
    region = {"H": "HKG", "M": "MAC"}.get(number[:1])
    if HK_MACAU_NEW.fullmatch(number):
        out.parsed = PermitNumber(number, number, region=region)
    elif HK_MACAU_OLD.fullmatch(number):
        _old_format(out.result, Text("港澳居民来往内地通行证", "HK/Macau permit"))
        out.parsed = PermitNumber(number, number, region=region, old_format=True)
    else:
        out.result.add("number", "format", Text(
            "港澳居民来往内地通行证号码应为 H 或 M 加 8 位数字",
            "a HK/Macau permit number is H or M followed by 8 digits"))
    return out


def taiwan_permit(text: object) -> PermitCheck:
    out, number = _begin(text)
    if number is None:
        return out
    if TAIWAN_NEW.fullmatch(number):
        out.parsed = PermitNumber(number, number, region="TWN")
        return out
    m = TAIWAN_OLD.fullmatch(number)
    if m:
        _old_format(out.result, Text("台湾居民来往大陆通行证", "Taiwan permit"))
        # One person keeps the same 8-digit lifetime number; the rest changed with every issue.
        out.parsed = PermitNumber(m.group(1), number, region="TWN", old_format=True)
    else:
        out.result.add("number", "format", Text(
            "台湾居民来往大陆通行证号码应为 8 位数字", "a Taiwan permit number has 8 digits"))
    return out


def hmt_residence_permit(text: object, *, today: date) -> PermitCheck:
    out, number = _begin(text)
    if number is None:
        return out
    parts = gb11643.split(number, field="number", today=today, result=out.result)
    if parts is None:
        return out
    region = HMT_REGIONS.get(parts.prefix)
    if region is None:
        out.result.add("number", "prefix", Text(
            "港澳台居民居住证号码应以 810000（香港）、820000（澳门）或 830000（台湾）开头",
            "a HK/Macau/Taiwan residence permit number starts with 810000 (HK), 820000 (Macau) or 830000 (Taiwan)"))
    # Holders of these permits are Chinese citizens; the region says where they reside.
    out.parsed = PermitNumber(number, number, parts.birth_date, parts.sex, "CHN", region)
    return out


def _country_by_numeric(code: str) -> str | None:
    import pycountry  # loaded on first use
    found = pycountry.countries.get(numeric=code)
    return found.alpha_3 if found is not None else None


def _country_by_alpha3(code: str) -> str | None:
    found = pycountry.countries.get(alpha_3=code)
    return found.alpha_3 if found is not None else None


def foreign_pr_id(text: object, *, today: date) -> PermitCheck:
    out, number = _begin(text)
    if number is None:
        return out
    res = out.result
    if len(number) == 18:
        if not FOREIGN_PR_NEW.fullmatch(number):
            res.add("number", "format", Text(
                "新版外国人永久居留身份证号码应以 9 开头，共18位（17位数字加1位数字或X）",
                "a 2023 foreign permanent-resident ID number starts with 9 and has 18 "
                "characters (17 digits and a digit or X)"))
            return out
        parts = gb11643.split(number, field="number", today=today, result=res)
        if parts is None:
            return out
        if not gb2260.is_mainland_province(number[1:3]):
            res.add("number", "province_unknown", Text(
                "号码第2-3位不是有效的省级行政区划代码", "characters 2-3 are not a valid province code"))
        nationality = _country_by_numeric(number[3:6])
        if nationality is None:
            res.add("number", "nationality_unknown", Text(
                "号码第4-6位不是有效的国籍代码（ISO 3166-1 数字代码）",
                "characters 4-6 are not a valid nationality code (ISO 3166-1 numeric)"))
        out.parsed = PermitNumber(number, number, parts.birth_date, parts.sex, nationality)
        return out
    if len(number) == 15:
        if not FOREIGN_PR_OLD.fullmatch(number):
            res.add("number", "format", Text(
                "旧版外国人永久居留证号码应为3位字母国籍代码加12位数字",
                "an old foreign permanent-resident ID number is a 3-letter nationality code and 12 digits"))
            return out
        nationality = _country_by_alpha3(number[:3])
        if nationality is None:
            res.add("number", "nationality_unknown", Text(
                "号码前3位不是有效的国籍代码（ISO 3166-1 三字母代码）",
                "the first 3 letters are not a valid nationality code (ISO 3166-1 alpha-3)"))
        if not gb2260.is_known(number[3:7] + "00"):
            res.add("number", "region_unknown", Text(
                "号码第4-7位不是有效的受理地区代码", "characters 4-7 are not a valid area code"))
        if mrz_check_digit(number[:14]) != number[14]:
            res.add("number", "check_char", Text("校验位不正确，请核对号码",
                                                 "the check character is wrong; please check the number"))
        yy, mm, dd = int(number[7:9]), int(number[9:11]), int(number[11:13])
        born = make_date(century_for_birth(yy, today), mm, dd)
        if born is not None and born > today:
            born = make_date(century_for_birth(yy, today) - 100, mm, dd)
        gb11643.check_birth_date(born, field="number", today=today, result=res)
        out.parsed = PermitNumber(number, number, born, gb11643.sex_from_digit(number[13]), nationality)
        return out
    res.add("number", "format", Text(
        "外国人永久居留身份证号码应为18位（新版，以9开头）或15位（旧版，3位字母加12位数字）",
        "a foreign permanent-resident ID number has 18 characters (2023 version, starting with 9) "
        "or 15 (old version: 3 letters and 12 digits)"))
    return out


def compose_foreign_pr_id(province2: str, nationality_numeric: str, birth: date, sequence: int | str) -> str:
    """A valid 2023-version number (tests, simulator)."""
    return gb11643.compose(f"9{province2}{nationality_numeric}", birth, f"{int(sequence):03d}")


def compose_foreign_pr_id_old(nationality_alpha3: str, area4: str, birth: date, sex_digit: int) -> str:
    """A valid old 15-character number (tests, simulator)."""
    body = f"{nationality_alpha3}{area4}{birth:%y%m%d}{sex_digit % 10}"
    return body + (mrz_check_digit(body) or "")


def compose_hmt_residence_permit(region: str, birth: date, sequence: int | str) -> str:
    prefix = {v: k for k, v in HMT_REGIONS.items()}[region]
    return gb11643.compose(prefix, birth, f"{int(sequence):03d}")
