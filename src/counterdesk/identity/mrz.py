"""Machine-readable zones of travel documents, ICAO Doc 9303 (8th edition) Parts 4-6.

Formats (characters A-Z, 0-9 and the filler '<'):
  TD3 (passports) 2 x 44   line 1: doc code(2) issuing state(3) name(39)
                           line 2: number(9) check nationality(3) birth(6) check sex expiry(6) check
                                   personal number(14) check composite
  TD2             2 x 36   line 1: doc code(2) issuing state(3) name(31)
                           line 2: number(9) check nationality(3) birth(6) check sex expiry(6) check
                                   optional(7) composite
  TD1 (cards)     3 x 30   line 1: doc code(2) issuing state(3) number(9) check optional(15)
                           line 2: birth(6) check sex expiry(6) check nationality(3) optional(11) composite
                           line 3: name(30)
Check digits use weights 7,3,1 (checkdigits.mrz_check_digit). Every check digit present is
verified. In TD1 and TD2 a document number longer than 9 characters continues in the optional data:
the check-digit position holds '<', the optional data starts with the remaining characters, then the
check digit over the whole number, then a filler (9303 Part 5 §4.2.4 note j, Part 6 likewise).

Dates: a birth year YY is placed in the most recent century that does not put it in the future;
an expiry year YY in the latest century that keeps the expiry within MAX_VALIDITY_YEARS of today (of
the issue date when the teller typed one) and after the birth date (dates.century_for_expiry); an
expiry no century fits is "expiry_implausible". Names: the name zone holds only A-Z and '<'
(Doc 9303 Part 3, the MRZ's character set for names); anything else is "name_charset".

The parser accepts OCR-ish input (lower case, spaces, surrounding whitespace, the lines joined
without line breaks) and never raises: problems are reported per field as
field "mrz.<part>" with code "check_digit", "date_invalid", "format", ...
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from counterdesk.base.text import Problem, Result, Text
from counterdesk.identity.checkdigits import mrz_check_digit
from counterdesk.identity.dates import century_for_birth, century_for_expiry, make_date, parse_date
from counterdesk.identity.rawinput import MAX_MRZ_CHARS, coerce_text

MrzFormat = Literal["TD1", "TD2", "TD3"]
LINE_SHAPES: dict[MrzFormat, tuple[int, int]] = {"TD3": (2, 44), "TD2": (2, 36), "TD1": (3, 30)}
_CHARSET = re.compile(r"[A-Z0-9<]*")
_NAME_CHARSET = re.compile(r"[A-Z<]*")
# Longest validity used to place the century of an expiry date. Passports: 10 years at most —
# 中华人民共和国护照法 Art 7 (ordinary passports 5 years under 16, 10 years from 16) and the practice
# of issuing states, which the `mrz` package also checks ("expiry date greater than 10 years").
# Doc 9303 sets no maximum; the same figure is used for TD1/TD2 cards, which this app does not
# accept as passports.
MAX_VALIDITY_YEARS = 10

# ICAO codes that are not ISO 3166-1 countries but are legitimate in an MRZ (9303 Part 3 §5).
ICAO_SPECIAL_CODES = {
    "D": "DEU",  # Germany uses the one-letter code, padded "D<<"
    "GBD": "GBD", "GBN": "GBN", "GBO": "GBO", "GBP": "GBP", "GBS": "GBS",
    "EUE": "EUE", "UNO": "UNO", "UNA": "UNA", "UNK": "UNK", "XBA": "XBA", "XIM": "XIM",
    "XCC": "XCC", "XCE": "XCE", "XCO": "XCO", "XEC": "XEC", "XPO": "XPO", "XES": "XES",
    "XMP": "XMP", "XOM": "XOM", "XDC": "XDC", "XXA": "XXA", "XXB": "XXB", "XXC": "XXC",
    "XXX": "XXX", "RKS": "RKS",
}


@dataclass(frozen=True)
class Names:
    primary: str     # surname(s) / primary identifier, words separated by single spaces
    secondary: str   # given name(s) / secondary identifier
    truncated: bool = False  # the name field was full, so the name may have been cut short

    @property
    def full(self) -> str:
        return f"{self.primary}, {self.secondary}" if self.secondary else self.primary


@dataclass(frozen=True)
class MRZ:
    format: MrzFormat
    lines: tuple[str, ...]
    document_code: str        # e.g. "P", "PO", "I", "AC" (fillers removed)
    issuing_state: str        # as printed, fillers removed ("D" for Germany)
    document_number: str      # full number (TD1/TD2 long numbers included), fillers removed
    nationality: str          # as printed, fillers removed
    birth_date: date | None
    sex: str | None           # 'M', 'F', 'X' or None when unspecified ('<')
    expiry: date | None
    names: Names
    optional_data: str        # TD3 personal number; TD1 both optional fields; TD2 optional field

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class MrzCheck:
    result: Result = field(default_factory=Result)
    mrz: MRZ | None = None


# ---- composing (tests, simulator) --------------------------------------------------------------

def _field(value: str, width: int) -> str:
    value = value.upper().replace(" ", "<")
    if len(value) > width:
        raise ValueError(f"{value!r} does not fit in {width} characters")
    return value + "<" * (width - len(value))


def name_field(primary: str, secondary: str, width: int) -> str:
    """The name zone: PRIMARY<<SECONDARY with '<' between words, cut to `width`."""
    def words(s: str) -> str:
        return "<".join(re.sub(r"[^A-Z]+", " ", s.upper()).split())
    joined = words(primary) + ("<<" + words(secondary) if secondary.strip() else "")
    return (joined + "<" * width)[:width]


def _yymmdd(d: date) -> str:
    return f"{d:%y%m%d}"


def _cd(data: str) -> str:
    digit = mrz_check_digit(data)
    if digit is None:
        raise ValueError(f"not MRZ characters: {data!r}")
    return digit


def compose_td3(*, document_code: str = "P", issuing_state: str, primary: str, secondary: str,
                document_number: str, nationality: str, birth_date: date, sex: str, expiry: date,
                personal_number: str = "") -> str:
    line1 = _field(document_code, 2) + _field(issuing_state, 3) + name_field(primary, secondary, 39)
    number = _field(document_number, 9)
    personal = _field(personal_number, 14)
    personal_cd = _cd(personal) if personal_number else "<"
    line2 = (number + _cd(number) + _field(nationality, 3) + _yymmdd(birth_date) + _cd(_yymmdd(birth_date))
             + _field(sex, 1) + _yymmdd(expiry) + _cd(_yymmdd(expiry)) + personal + personal_cd)
    line2 += _cd(line2[0:10] + line2[13:20] + line2[21:43])
    return line1 + "\n" + line2


def _number_and_optional(document_number: str, optional: str, width: int) -> tuple[str, str]:
    """(number field + check, optional field) applying the long-number rule of TD1/TD2."""
    number = document_number.upper()
    if len(number) <= 9:
        nf = _field(number, 9)
        return nf + _cd(nf), _field(optional, width)
    return number[:9] + "<", _field(number[9:] + _cd(number) + "<" + optional, width)


def compose_td2(*, document_code: str = "I", issuing_state: str, primary: str, secondary: str,
                document_number: str, nationality: str, birth_date: date, sex: str, expiry: date,
                optional: str = "") -> str:
    line1 = _field(document_code, 2) + _field(issuing_state, 3) + name_field(primary, secondary, 31)
    number, opt = _number_and_optional(document_number, optional, 7)
    line2 = (number + _field(nationality, 3) + _yymmdd(birth_date) + _cd(_yymmdd(birth_date))
             + _field(sex, 1) + _yymmdd(expiry) + _cd(_yymmdd(expiry)) + opt)
    line2 += _cd(line2[0:10] + line2[13:20] + line2[21:35])
    return line1 + "\n" + line2


def compose_td1(*, document_code: str = "I", issuing_state: str, primary: str, secondary: str,
                document_number: str, nationality: str, birth_date: date, sex: str, expiry: date,
                optional1: str = "", optional2: str = "") -> str:
    number, opt1 = _number_and_optional(document_number, optional1, 15)
    line1 = _field(document_code, 2) + _field(issuing_state, 3) + number + opt1
    line2 = (_yymmdd(birth_date) + _cd(_yymmdd(birth_date)) + _field(sex, 1) + _yymmdd(expiry)
             + _cd(_yymmdd(expiry)) + _field(nationality, 3) + _field(optional2, 11))
    line2 += _cd(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    return line1 + "\n" + line2 + "\n" + name_field(primary, secondary, 30)


# ---- parsing -----------------------------------------------------------------------------------

def split_lines(text: str) -> tuple[MrzFormat | None, list[str]]:
    """Recognise the format and split into lines: by line breaks when they give a known shape,
    otherwise by the total length (88 = TD3, 72 = TD2, 90 = TD1)."""
    cleaned = unicodedata.normalize("NFKC", text).upper()
    lines = ["".join(line.split()) for line in cleaned.splitlines()]
    lines = [line for line in lines if line]
    for fmt, (count, width) in LINE_SHAPES.items():
        if len(lines) == count and all(len(line) == width for line in lines):
            return fmt, lines
    joined = "".join(lines)
    for fmt, (count, width) in LINE_SHAPES.items():
        if len(joined) == count * width:
            return fmt, [joined[i * width:(i + 1) * width] for i in range(count)]
    return None, lines


def _strip(value: str) -> str:
    return value.replace("<", "")


def parse_names(zone: str) -> Names:
    truncated = not zone.endswith("<")
    body = zone.rstrip("<")
    primary, _, secondary = body.partition("<<")
    def words(s: str) -> str:
        return " ".join(w for w in s.split("<") if w)
    return Names(words(primary), words(secondary), truncated)


def _check(data: str, digit: str, *, part: str, label: Text, result: Result,
           filler_ok: bool = False) -> None:
    """Verify one check digit; `filler_ok` allows '<' when the checked field is all fillers."""
    if filler_ok and digit == "<" and set(data) <= {"<"}:
        return
    expected = mrz_check_digit(data)
    if expected is None or digit != expected:
        result.add(f"mrz.{part}", "check_digit", Text(
            f"机读区{label.zh}的校验位不正确", f"the check digit of the MRZ {label.en} is wrong"))


_LABELS = {
    "document_number": Text("证件号码", "document number"),
    "birth_date": Text("出生日期", "birth date"),
    "expiry": Text("有效期", "expiry date"),
    "personal_number": Text("个人号码", "personal number"),
    "composite": Text("整体", "composite"),
}


def _date_invalid(part: str, result: Result) -> None:
    result.add(f"mrz.{part}", "date_invalid", Text(
        f"机读区{_LABELS[part].zh}不是有效日期", f"the MRZ {_LABELS[part].en} is not a real date"))


def _birth(yymmdd: str, *, today: date, result: Result) -> date | None:
    parsed = None
    if re.fullmatch(r"[0-9]{6}", yymmdd):
        yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
        parsed = make_date(century_for_birth(yy, today), mm, dd)
        if parsed is not None and parsed > today:  # same year, later day: last century
            parsed = make_date(parsed.year - 100, mm, dd)
    if parsed is None:
        _date_invalid("birth_date", result)
    return parsed


def _expiry(yymmdd: str, *, today: date, issued: date | None, born: date | None, result: Result) -> date | None:
    if not re.fullmatch(r"[0-9]{6}", yymmdd):
        _date_invalid("expiry", result)
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if make_date(2000 + yy, mm, dd) is None:  # 19YY and 20YY agree on 29 February except 1900, and 2000 is leap
        _date_invalid("expiry", result)
        return None
    # The issue date narrows the window when it is usable (not in the future, after the birth).
    anchor = issued if issued is not None and issued <= today and (born is None or issued >= born) else today
    found = century_for_expiry(yy, mm, dd, anchor=anchor, after=born, max_years=MAX_VALIDITY_YEARS)
    if found is None:
        result.add("mrz.expiry", "expiry_implausible", Text(
            f"机读区有效期无法确定年份：在出生日期之后、{'签发日期' if anchor is issued else '今天'}起"
            f"{MAX_VALIDITY_YEARS}年之内没有符合的日期，请核对证件",
            f"the MRZ expiry date fits no century: none falls after the birth date and within "
            f"{MAX_VALIDITY_YEARS} years of {'the issue date' if anchor is issued else 'today'}; "
            "please check the document"))
    return found


def _long_number(principal: str, check_pos: str, optional: str) -> tuple[str, str, str] | None:
    """(number, check digit, data the check covers) for the long-number rule, or None."""
    if check_pos != "<" or "<" in principal:
        return None
    ext = optional.split("<", 1)[0]
    if len(ext) < 2:
        return None
    number = principal + ext[:-1]
    return number, ext[-1], number


def _sex(ch: str, result: Result) -> str | None:
    if ch in ("M", "F", "X"):
        return ch
    if ch != "<":
        result.add("mrz.sex", "sex_invalid", Text("机读区性别代码无效", "the MRZ sex code is invalid"))
    return None


def nationality_code(code: str) -> str | None:
    """ISO 3166-1 alpha-3 for an MRZ state code (Germany's "D" becomes "DEU"); ICAO's special
    codes (XXA stateless, UNO ...) are returned as they are; None for anything unknown."""
    if code in ICAO_SPECIAL_CODES:
        return ICAO_SPECIAL_CODES[code]
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        return None
    import pycountry  # loaded on first use: its database costs ~50 ms
    return code if pycountry.countries.get(alpha_3=code) is not None else None


def _state(code: str, part: str, label: Text, result: Result) -> None:
    if nationality_code(code) is None:
        result.add(f"mrz.{part}", "state_unknown", Text(
            f"机读区{label.zh}代码 {code or '<'} 不是已知的国家或地区代码",
            f"the MRZ {label.en} code {code or '<'} is not a known country code"), severity="warning")


def parse_mrz(text: object, *, today: date, issued: date | None = None) -> MrzCheck:
    """Parse and verify an MRZ. `issued` is the issue date from the document's data page, when known:
    it places the expiry's century more tightly than today does. Never raises; `mrz` is None only
    when the shape is not recognised."""
    out = MrzCheck()
    res = out.result
    raw = coerce_text(text, field="mrz", limit=MAX_MRZ_CHARS, result=res, label=Text("机读区", "MRZ"))
    if raw is None:
        return out
    fmt, lines = split_lines(raw)
    if fmt is None:
        res.add("mrz", "format", Text(
            "机读区应为 2 行×44 字符（护照）、2 行×36 字符或 3 行×30 字符",
            "an MRZ has 2 lines of 44 characters (passport), 2 of 36 or 3 of 30"))
        return out
    bad = [i + 1 for i, line in enumerate(lines) if not _CHARSET.fullmatch(line)]
    if bad:
        res.add("mrz", "charset", Text(
            f"机读区第 {bad[0]} 行含有无效字符（只允许 A-Z、0-9 和 <）",
            f"MRZ line {bad[0]} has characters other than A-Z, 0-9 and <"))
        return out

    if fmt == "TD1":
        l1, l2, l3 = lines
        code, state = l1[0:2], l1[2:5]
        principal, number_cd, opt1 = l1[5:14], l1[14], l1[15:30]
        birth, birth_cd, sex, expiry, expiry_cd = l2[0:6], l2[6], l2[7], l2[8:14], l2[14]
        nationality, opt2, composite_cd = l2[15:18], l2[18:29], l2[29]
        composite_data = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
        name_zone = l3
        optional, personal = opt1 + opt2, None
    else:
        l1, l2 = lines
        opt2 = ""
        code, state, name_zone = l1[0:2], l1[2:5], l1[5:]
        principal, number_cd, nationality = l2[0:9], l2[9], l2[10:13]
        birth, birth_cd, sex, expiry, expiry_cd = l2[13:19], l2[19], l2[20], l2[21:27], l2[27]
        if fmt == "TD3":
            opt1 = optional = l2[28:42]
            personal = (l2[28:42], l2[42])
            composite_cd, composite_data = l2[43], l2[0:10] + l2[13:20] + l2[21:43]
        else:
            opt1 = optional = l2[28:35]
            personal = None
            composite_cd, composite_data = l2[35], l2[0:10] + l2[13:20] + l2[21:35]

    long = _long_number(principal, number_cd, opt1) if fmt != "TD3" else None
    if long:
        number, number_cd, checked = long
        # the optional data proper starts after the number's continuation, its check digit and a filler
        rest = opt1[len(number) - len(principal) + 2:]
        optional = rest + opt2
    else:
        number, checked = _strip(principal), principal
    _check(checked, number_cd, part="document_number", label=_LABELS["document_number"], result=res)
    _check(birth, birth_cd, part="birth_date", label=_LABELS["birth_date"], result=res)
    _check(expiry, expiry_cd, part="expiry", label=_LABELS["expiry"], result=res)
    if personal is not None:
        # 9303 Part 4 §4.2.2: when the personal number is all fillers its check digit may be '<' or 0.
        _check(personal[0], personal[1], part="personal_number", label=_LABELS["personal_number"],
               result=res, filler_ok=True)
    _check(composite_data, composite_cd, part="composite", label=_LABELS["composite"], result=res)

    if not number:
        res.add("mrz.document_number", "missing", Text("机读区没有证件号码", "the MRZ has no document number"))
    born = _birth(birth, today=today, result=res)
    expires = _expiry(expiry, today=today, issued=issued if isinstance(issued, date) else None, born=born,
                      result=res)
    sex_code = _sex(sex, res)
    _state(_strip(state), "issuing_state", Text("签发国", "issuing state"), res)
    _state(_strip(nationality), "nationality", Text("国籍", "nationality"), res)
    names = parse_names(name_zone)
    if not _NAME_CHARSET.fullmatch(name_zone):
        # Doc 9303 Part 3: names are written in A-Z with '<' as filler; digits are OCR misreads
        # (0 for O, 1 for I) or a forged zone. The name is not quoted: it is personal data.
        res.add("mrz.names", "name_charset", Text(
            "机读区姓名栏只能包含字母 A-Z 和填充符 <，其中有数字，请核对证件",
            "the MRZ name zone may hold only the letters A-Z and the filler <, and it has digits; "
            "please check the document"))
    elif not names.primary:
        res.add("mrz.names", "missing", Text("机读区没有姓名", "the MRZ has no name"))

    out.mrz = MRZ(fmt, tuple(lines), _strip(code), _strip(state), number, _strip(nationality),
                  born, sex_code, expires, names, optional.strip("<"))
    return out


# ---- comparing with typed fields ---------------------------------------------------------------

_ICAO_TRANSLIT = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Å": "AA", "Æ": "AE",
                                "Ø": "OE", "Œ": "OE", "Þ": "TH", "Ð": "D", "Ł": "L", "Ħ": "H", "Ĳ": "IJ"})


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def _letters(text: str) -> str:
    """Upper-case A-Z only, accents removed (NFKD), for comparing a typed name with the MRZ."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if "A" <= c <= "Z")


def name_forms(typed: str) -> list[str]:
    """The MRZ spellings a typed name may legitimately have: plain letters, the ICAO German-style
    transliteration (Ä → AE ...), and for Chinese characters the Hanyu Pinyin with ü written as
    U, V or YU (passports have used all three)."""
    if not isinstance(typed, str) or len(typed) > 200:
        return []
    if _has_cjk(typed):
        if len(typed) > 12:
            return []
        from pypinyin import Style, pinyin  # imported on first use: it loads a large dictionary
        # Every reading of each character: surnames such as 单 (Shan), 曾 (Zeng) and 解 (Xie) are
        # read differently from the commonest reading of the character.
        readings = pinyin(typed, style=Style.NORMAL, heteronym=True, v_to_u=False, errors="ignore")
        spellings = {""}
        for options in readings:
            options = [o.upper() for o in options if o.isascii()] or [""]
            spellings = {s + o for s in spellings for o in options}
            if len(spellings) > 256:  # bounded: long names with many heteronyms
                spellings = set(sorted(spellings)[:256])
        return sorted({s.replace("V", alt) for s in spellings for alt in ("U", "V", "YU")} - {""})
    return sorted({_letters(typed), _letters(typed.upper().translate(_ICAO_TRANSLIT))} - {""})


def _name_matches(typed: str, mrz_forms: list[str], truncated: bool) -> bool:
    forms = name_forms(typed)
    for f in forms:
        for m in mrz_forms:
            if f == m or (truncated and m and f.startswith(m)):
                return True
    return not forms  # nothing comparable typed: not a mismatch


def mismatch_problem(field_: str, label: Text) -> Problem:
    # The values are left out of the message on purpose: problems may be logged, and these are
    # personal data (domain rules §7).
    return Problem(field_, "mrz_mismatch", Text(
        f"{label.zh}与证件机读区不一致", f"the {label.en} does not match the document's MRZ"))


def compare_mrz(mrz: MRZ, typed: Mapping[str, object]) -> list[Problem]:
    """One Problem per typed field that contradicts the MRZ. Keys looked at (each optional):
    number, birth_date, expiry, nationality, sex, surname, given_names, name (full name, either
    order, Chinese characters allowed). Never raises."""
    problems: list[Problem] = []
    if not isinstance(typed, Mapping):
        return problems

    def get(key: str) -> object:
        try:
            value = typed.get(key)
        except Exception:  # a hostile Mapping must not break the check
            return None
        return None if value in (None, "") else value

    number = get("number")
    if isinstance(number, str) and len(number) <= 64:
        if "".join(number.upper().split()) != mrz.document_number:
            problems.append(mismatch_problem("number", Text("证件号码", "document number")))
    for key, actual, label in (("birth_date", mrz.birth_date, Text("出生日期", "birth date")),
                               ("expiry", mrz.expiry, Text("有效期", "expiry date"))):
        value = get(key)
        if value is None:
            continue
        typed_date = parse_date(value)
        if typed_date is None:
            problems.append(Problem(key, "date_invalid", Text(f"{label.zh}不是有效日期",
                                                              f"the {label.en} is not a real date")))
        elif actual is not None and typed_date != actual:
            problems.append(mismatch_problem(key, label))
    nat = get("nationality")
    if isinstance(nat, str) and len(nat) <= 10:
        mrz_nat = nationality_code(mrz.nationality) or mrz.nationality
        typed_nat = nationality_code(nat.strip().upper()) or nat.strip().upper()
        if typed_nat != mrz_nat:
            problems.append(mismatch_problem("nationality", Text("国籍", "nationality")))
    sex = get("sex")
    if (isinstance(sex, str) and mrz.sex and sex.strip().upper()[:1] in ("M", "F", "X")
            and sex.strip().upper()[:1] != mrz.sex):
        problems.append(mismatch_problem("sex", Text("性别", "sex")))

    primary, secondary = _letters(mrz.names.primary), _letters(mrz.names.secondary)
    truncated = mrz.names.truncated
    surname, given = get("surname"), get("given_names")
    if isinstance(surname, str) and not _name_matches(surname, [primary], truncated and not secondary):
        problems.append(mismatch_problem("surname", Text("姓", "surname")))
    if isinstance(given, str) and not _name_matches(given, [secondary], truncated):
        problems.append(mismatch_problem("given_names", Text("名", "given names")))
    full = get("name")
    if isinstance(full, str) and not _name_matches(full, [primary + secondary, secondary + primary], truncated):
        problems.append(mismatch_problem("name", Text("姓名", "name")))
    return problems
