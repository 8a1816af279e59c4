"""One entry point for the identification step: check a document and get its parsed data.

    check = check_document(DocumentType.RESIDENT_ID, "11010519491231002X", expiry="长期",
                           issue_date=date(2006, 5, 20), today=date.today())
    check.result.ok, check.result.problems, check.parsed.birth_date, check.stops_session

Nothing here raises for any input value (only a `today` that is not a date is a programming error):
every finding is a Problem with a field, a stable code and zh/en text. Problem texts never quote
the number, names or birth date, because problems may end up in logs.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from counterdesk.base.text import Problem, Result, Text
from counterdesk.identity import gb11643, permits, resident_id, validity
from counterdesk.identity import mrz as mrz_mod
from counterdesk.identity.dates import age_on, parse_date
from counterdesk.identity.mrz import Names
from counterdesk.identity.rawinput import MAX_NUMBER_CHARS, coerce_text, fold

log = logging.getLogger("counterdesk.identity")


class DocumentType(str, Enum):
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAU_PERMIT = "hk_macau_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGN_PR_ID = "foreign_pr_id"

    @property
    def label(self) -> Text:
        return _LABELS[self]

    @classmethod
    def coerce(cls, value: object) -> DocumentType | None:
        if isinstance(value, cls):
            return value
        if isinstance(value, str) and len(value) <= 40:
            try:
                return cls(value.strip().lower())
            except ValueError:
                return None
        return None


_LABELS = {
    DocumentType.RESIDENT_ID: Text("居民身份证", "Resident ID card"),
    DocumentType.PASSPORT: Text("护照", "Passport"),
    DocumentType.HK_MACAU_PERMIT: Text("港澳居民来往内地通行证", "Mainland travel permit for HK/Macau residents"),
    DocumentType.TAIWAN_PERMIT: Text("台湾居民来往大陆通行证", "Mainland travel permit for Taiwan residents"),
    DocumentType.HMT_RESIDENCE_PERMIT: Text("港澳台居民居住证", "Residence permit for HK/Macau/Taiwan residents"),
    DocumentType.FOREIGN_PR_ID: Text("外国人永久居留身份证", "Foreign permanent-resident ID card"),
}

# The longest validity each kind is issued for; a longer one is a warning, not an error, because
# the figures are administrative practice (unconfirmed articles): HK/Macau permit 10 years
# (5 for minors), Taiwan permit 5, residence permit 5, foreign permanent-resident ID 10 (5 for minors).
# Passports: set by the issuing state, not checked. The resident ID has its own exact rule.
MAX_VALIDITY_YEARS = {
    DocumentType.HK_MACAU_PERMIT: 10,
    DocumentType.TAIWAN_PERMIT: 5,
    DocumentType.HMT_RESIDENCE_PERMIT: 5,
    DocumentType.FOREIGN_PR_ID: 10,
}

# Codes after which the counter session cannot go on with this document.
SESSION_STOPPING_CODES = frozenset({"expired"})


@dataclass
class ParsedDocument:
    doc_type: DocumentType
    number: str                       # canonical: upper case, no spaces; 15-digit IDs as 18; old
                                      # Taiwan permits as the 8-digit lifetime number
    number_as_given: str = ""         # upper case, no spaces, before any conversion
    birth_date: date | None = None
    sex: str | None = None            # 'M' / 'F' (MRZ may also say 'X')
    nationality: str | None = None    # ISO 3166-1 alpha-3 (or an ICAO code from an MRZ)
    region: str | None = None         # HKG / MAC / TWN for the HK, Macau and Taiwan documents
    names: Names | None = None        # from the MRZ
    issue_date: date | None = None
    expiry: date | None = None
    long_term: bool = False
    age: int | None = None            # completed years on `today`
    division: str | None = None       # resident ID: the GB/T 2260 place of the number's code
    mrz: mrz_mod.MRZ | None = None

    @property
    def is_minor(self) -> bool:
        return self.age is not None and self.age < validity.ADULT_AGE


@dataclass
class DocumentCheck:
    result: Result = field(default_factory=Result)
    parsed: ParsedDocument | None = None   # None only when the document type is not recognised

    @property
    def stops_session(self) -> bool:
        """True when the document cannot be used at all (expired): the session stops."""
        return any(p.code in SESSION_STOPPING_CODES and p.severity == "error" for p in self.result.problems)


def normalise_number(doc_type: DocumentType | str, text: object) -> str:
    """The canonical number for storing and looking up, or "" when the text is not usable.

    Upper case, spaces and separators removed, full-width characters made ASCII; a 15-digit
    resident ID becomes its 18-character form; an old Taiwan permit number becomes the 8-digit
    lifetime number. The number is not validated beyond what the conversion needs."""
    kind = DocumentType.coerce(doc_type)
    scratch = Result()
    raw = coerce_text(text, field="number", limit=MAX_NUMBER_CHARS, result=scratch)
    if raw is None or kind is None:
        return ""
    number = fold(raw)
    if kind is DocumentType.RESIDENT_ID and len(number) == 15:
        return resident_id.convert_15_to_18(number) or number
    if kind is DocumentType.TAIWAN_PERMIT:
        m = permits.TAIWAN_OLD.fullmatch(number)
        if m:
            return m.group(1)
    return number


def guess_document_type(text: object) -> DocumentType | None:
    """The document type a number's shape implies, or None when it could be several or none."""
    scratch = Result()
    raw = coerce_text(text, field="number", limit=MAX_NUMBER_CHARS, result=scratch)
    if raw is None:
        return None
    number = fold(raw)
    if permits.FOREIGN_PR_NEW.fullmatch(number) or permits.FOREIGN_PR_OLD.fullmatch(number):
        return DocumentType.FOREIGN_PR_ID
    if len(number) == 18 and number[:6] in permits.HMT_REGIONS:
        return DocumentType.HMT_RESIDENCE_PERMIT
    if gb11643.FORMAT_18.fullmatch(number) or resident_id.FORMAT_15.fullmatch(number):
        return DocumentType.RESIDENT_ID
    if permits.HK_MACAU_NEW.fullmatch(number) or permits.HK_MACAU_OLD.fullmatch(number):
        return DocumentType.HK_MACAU_PERMIT
    return None


def check_document(doc_type: DocumentType | str | None, number: object, *, issue_date: object = None,
                   expiry: object = None, mrz: object = None, typed: Mapping[str, Any] | None = None,
                   today: date) -> DocumentCheck:
    """Check one identity document. `expiry` is a date, a date string, "长期"/"long-term" or None
    (not checked; for a passport with an MRZ the MRZ's expiry is used). `typed` holds what the
    teller typed (keys: number, birth_date, sex, nationality, expiry, surname, given_names, name)
    and is compared with what the number and the MRZ say. Never raises for any input value."""
    if isinstance(today, datetime):
        today = today.date()
    if not isinstance(today, date):
        raise TypeError("today must be a date")
    try:
        return _check(doc_type, number, issue_date, expiry, mrz, typed, today)
    except Exception as exc:  # last line of defence: the contract is "a Result, never an exception"
        log.error("identity check failed: %s at %s", type(exc).__name__,
                  traceback.extract_tb(exc.__traceback__)[-1][:3] if exc.__traceback__ else "?",
                  extra={"event": "identity.internal_error", "code": type(exc).__name__})
        out = DocumentCheck()
        out.result.add("number", "internal_error", Text(
            "证件校验出错，请重试或人工核验", "the document check failed; try again or verify by hand"))
        return out


def _check(doc_type: object, number: object, issue_date: object, expiry: object, mrz: object,
           typed: object, today: date) -> DocumentCheck:
    out = DocumentCheck()
    res = out.result
    kind = DocumentType.coerce(doc_type)
    if kind is None:
        res.add("doc_type", "doc_type_unknown", Text("不支持的证件类型", "unsupported document type"))
        return out
    typed_items = dict(_safe_items(typed)) if isinstance(typed, Mapping) else {}
    parsed = ParsedDocument(kind, "")
    out.parsed = parsed

    issued = None
    if issue_date not in (None, ""):
        issued = parse_date(issue_date)
        if issued is None:
            res.add("issue_date", "issue_date_invalid", Text("签发日期不是有效日期",
                                                             "the issue date is not a real date"))
    parsed.issue_date = issued

    has_mrz = not (mrz is None or (isinstance(mrz, str) and not mrz.strip()))
    if (kind is DocumentType.PASSPORT and has_mrz
            and (number is None or (isinstance(number, str) and not number.strip()))):
        pass  # a scanned passport: the number comes from the MRZ
    else:
        _check_number(kind, number, parsed, res, today)

    if has_mrz:
        if kind is DocumentType.PASSPORT:
            _apply_mrz(mrz, parsed, res, today, issued)
        else:
            res.add("mrz", "mrz_not_used", Text("此类证件不核对机读区",
                                                "the MRZ is not used for this kind of document"),
                    severity="warning")

    # Expiry: typed/read value first; a passport's MRZ fills in when none was given.
    expiry_date, long_term = validity.parse_expiry(expiry, result=res)
    if expiry_date is None and not long_term and parsed.mrz is not None:
        expiry_date = parsed.mrz.expiry
    elif expiry_date is not None and parsed.mrz is not None and parsed.mrz.expiry not in (None, expiry_date):
        res.problems.append(mrz_mod.mismatch_problem("expiry", Text("有效期", "expiry date")))
    parsed.expiry, parsed.long_term = expiry_date, long_term

    # Fields that only the teller can supply for documents whose number does not encode them.
    if parsed.birth_date is None and typed_items.get("birth_date") not in (None, ""):
        parsed.birth_date = parse_date(typed_items["birth_date"])
    if parsed.age is None and parsed.birth_date is not None and parsed.birth_date <= today:
        parsed.age = age_on(parsed.birth_date, today)

    validity.check_issue_date(issued, birth=parsed.birth_date, expiry=expiry_date, today=today, result=res)
    validity.check_expiry(expiry_date, long_term, today=today, result=res,
                          long_term_allowed=kind is DocumentType.RESIDENT_ID)
    if kind is DocumentType.RESIDENT_ID:
        validity.check_resident_id_period(birth=parsed.birth_date, issue=issued, expiry=expiry_date,
                                          long_term=long_term, today=today, result=res)
    elif kind in MAX_VALIDITY_YEARS:
        validity.check_max_period(issued, expiry_date, MAX_VALIDITY_YEARS[kind], result=res)
    validity.check_minor(parsed.age, result=res)

    if typed_items:
        if parsed.mrz is not None:
            if expiry not in (None, ""):
                typed_items.pop("expiry", None)  # the expiry argument was compared above
            res.problems.extend(mrz_mod.compare_mrz(parsed.mrz, typed_items))
        else:
            res.problems.extend(_compare_typed(parsed, typed_items))
    return out


TYPED_KEYS = ("number", "birth_date", "expiry", "nationality", "sex", "surname", "given_names", "name")


def _safe_items(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The typed fields this module understands, read defensively from any Mapping."""
    items = []
    for key in TYPED_KEYS:
        try:
            value = mapping.get(key)
            if value is not None and not (isinstance(value, str) and not value.strip()):
                items.append((key, value))
        except Exception:  # a hostile Mapping must not break the check
            continue
    return items


def _check_number(kind: DocumentType, number: object, parsed: ParsedDocument, res: Result, today: date) -> None:
    if kind is DocumentType.RESIDENT_ID:
        raw = coerce_text(number, field="number", limit=MAX_NUMBER_CHARS, result=res)
        if raw is None:
            return
        folded = fold(raw)
        parsed.number = parsed.number_as_given = folded
        rid = resident_id.parse_number(folded, today=today, result=res)
        if rid is None:
            return
        parsed.number, parsed.birth_date, parsed.sex = rid.number, rid.birth_date, rid.sex
        parsed.nationality, parsed.division = "CHN", rid.division_name
        if rid.given_form == 15:
            res.add("number", "first_generation_number", Text(
                "15位号码属于第一代居民身份证，已于2013年1月1日停止使用；请出示第二代身份证（18位号码）",
                "a 15-digit number belongs to a first-generation ID card, invalid since 1 January 2013; "
                "ask for the second-generation card (18-character number)"))
        return
    if kind is DocumentType.PASSPORT:
        raw = coerce_text(number, field="number", limit=MAX_NUMBER_CHARS, result=res)
        if raw is None:
            return
        folded = fold(raw)
        parsed.number = parsed.number_as_given = folded
        # Passport numbers are set by each state; ICAO allows A-Z and 0-9 and the TD3 field holds 9.
        if not (1 <= len(folded) <= 9 and folded.isascii() and folded.isalnum()):
            res.add("number", "format", Text("护照号码应为1-9位字母或数字",
                                             "a passport number has 1 to 9 letters or digits"))
        return
    if kind is DocumentType.HK_MACAU_PERMIT:
        check = permits.hk_macau_permit(number)
    elif kind is DocumentType.TAIWAN_PERMIT:
        check = permits.taiwan_permit(number)
    elif kind is DocumentType.HMT_RESIDENCE_PERMIT:
        check = permits.hmt_residence_permit(number, today=today)
    else:
        check = permits.foreign_pr_id(number, today=today)
    res.problems.extend(check.result.problems)
    p = check.parsed
    if p is None:
        raw = coerce_text(number, field="number", limit=MAX_NUMBER_CHARS, result=Result())
        parsed.number = parsed.number_as_given = fold(raw) if raw else ""
        return
    parsed.number, parsed.number_as_given = p.number, p.as_given
    parsed.birth_date, parsed.sex, parsed.nationality, parsed.region = p.birth_date, p.sex, p.nationality, p.region
    if kind in (DocumentType.HK_MACAU_PERMIT, DocumentType.TAIWAN_PERMIT):
        parsed.nationality = "CHN"  # residents of HK, Macau and Taiwan hold these as Chinese citizens


def _apply_mrz(text: object, parsed: ParsedDocument, res: Result, today: date, issued: date | None) -> None:
    # The issue date typed from the data page helps place the century of the MRZ's expiry.
    check = mrz_mod.parse_mrz(text, today=today, issued=issued)
    res.problems.extend(check.result.problems)
    m = check.mrz
    if m is None:
        return
    parsed.mrz, parsed.names = m, m.names
    parsed.birth_date, parsed.sex = m.birth_date, m.sex
    parsed.nationality = mrz_mod.nationality_code(m.nationality) or (m.nationality or None)
    if not m.document_code.startswith("P"):
        res.add("mrz", "not_a_passport", Text("机读区的证件类型不是护照", "the MRZ is not a passport's"),
                severity="warning")
    if parsed.number_as_given and parsed.number_as_given != m.document_number:
        res.problems.append(mrz_mod.mismatch_problem("number", Text("证件号码", "document number")))
    if not parsed.number:
        parsed.number = parsed.number_as_given = m.document_number


def _compare_typed(parsed: ParsedDocument, items: dict[str, Any]) -> list[Problem]:
    """Typed birth date, sex and nationality against what the number encodes."""
    problems: list[Problem] = []
    labels = {"birth_date": Text("出生日期", "birth date"), "sex": Text("性别", "sex"),
              "nationality": Text("国籍", "nationality")}

    def mismatch(key: str) -> None:
        problems.append(Problem(key, "mismatch", Text(
            f"{labels[key].zh}与证件号码不一致", f"the {labels[key].en} does not match the document number")))

    value = items.get("birth_date")
    if value not in (None, "") and parsed.birth_date is not None:
        typed_date = parse_date(value)
        if typed_date is None:
            problems.append(Problem("birth_date", "date_invalid", Text("出生日期不是有效日期",
                                                                       "the birth date is not a real date")))
        elif typed_date != parsed.birth_date and parsed.number:
            mismatch("birth_date")
    sex = items.get("sex")
    if (isinstance(sex, str) and parsed.sex and sex.strip()[:1].upper() in ("M", "F")
            and sex.strip()[:1].upper() != parsed.sex):
        mismatch("sex")
    if (isinstance(sex, str) and parsed.sex and sex.strip() in ("男", "女")
            and {"男": "M", "女": "F"}[sex.strip()] != parsed.sex):
        mismatch("sex")
    nat = items.get("nationality")
    if isinstance(nat, str) and 0 < len(nat) <= 10 and parsed.nationality:
        # HK, Macau and Taiwan residents are often recorded with the region code (GB/T 2659 lists
        # HKG, MAC, TWN): either is consistent with the document.
        if nat.strip().upper() not in (parsed.nationality, parsed.region):
            mismatch("nationality")
    return problems


def check_read(read: Any, *, today: date) -> DocumentCheck:
    """check_document on what a reader or scanner produced (a readers.DocumentRead); the read's
    birth date, sex, nationality and names are cross-checked with the number and the MRZ."""
    f = read.fields
    typed = {k: f.get(k) for k in ("birth_date", "sex", "nationality", "surname", "given_names", "name") if f.get(k)}
    return check_document(read.doc_type, f.get("number"), issue_date=f.get("issue_date"), expiry=f.get("expiry"),
                          mrz=f.get("mrz"), typed=typed, today=today)
