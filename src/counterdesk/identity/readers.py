"""Where document data comes from: card readers, MRZ/keyboard-wedge scanners, the simulator.

A reader hands over a DocumentRead: the document type and its text fields. It never carries
images (photos, card scans): the fields' path needs none, and leaving them out keeps the most
sensitive data off it (domain rules §7). Check a read with documents.check_read().

The copy of the document that due diligence keeps (Order 〔2025〕 No. 11) comes separately, from a
reader that can image the card (``DocumentImageSource.capture_image``): bytes in memory only, which
the counter session checks and stores in the encrypted database (never written to a file here).

Field keys of DocumentRead.fields (all optional, values str, date or None):
  number, name (full name as printed), surname, given_names, birth_date, sex ('M'/'F'),
  nationality (ISO alpha-3), expiry (date or "长期"), issue_date, address, issuing_authority,
  mrz (the MRZ text, lines separated by "\\n").
"""
from __future__ import annotations

import io
import itertools
import math
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

from PIL import Image, ImageDraw, ImageFont

from counterdesk.base.text import CounterDeskError, Text
from counterdesk.identity import gb11643, permits, resident_id
from counterdesk.identity import mrz as mrz_mod
from counterdesk.identity.dates import add_years
from counterdesk.identity.documents import DocumentType
from counterdesk.identity.rawinput import MAX_MRZ_CHARS, fold

READ_FIELDS = frozenset({
    "number", "name", "surname", "given_names", "birth_date", "sex", "nationality", "expiry",
    "issue_date", "address", "issuing_authority", "mrz",
})

# Keyboard-wedge scanners "type" a whole code in a burst; people type far slower. Thresholds from
# common scanner practice: a burst is at least this many keystrokes with this median gap or less.
SCANNER_MIN_KEYSTROKES = 15
SCANNER_MAX_MEDIAN_GAP_MS = 30.0


class ReaderError(CounterDeskError):
    code = "reader_error"


@dataclass(frozen=True)
class DocumentRead:
    doc_type: DocumentType
    fields: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""          # the reader's name
    simulated: bool = False   # True for anything that came from the simulator

    def __post_init__(self) -> None:
        unknown = set(self.fields) - READ_FIELDS
        if unknown:
            raise ValueError(f"unknown DocumentRead fields: {sorted(unknown)}")
        for key, value in self.fields.items():
            if value is not None and not isinstance(value, (str, date)):
                # bytes would be an image or raw chip data: never allowed on this path
                raise ValueError(f"DocumentRead field {key} must be text or a date")
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))


@runtime_checkable
class DocumentReader(Protocol):
    """A source of documents. read() returns one document or raises ReaderError (no card, device
    unplugged ...) with a bilingual message."""

    name: str
    is_simulator: bool

    def read(self) -> DocumentRead: ...


@dataclass(frozen=True)
class DocumentImage:
    """An image of a document from a reader or camera: the encoded bytes, in memory only."""

    data: bytes = field(repr=False)
    media_type: str              # image/png or image/jpeg
    source: str = ""             # the reader's name
    simulated: bool = False


@runtime_checkable
class DocumentImageSource(Protocol):
    """A reader that can also image the card. capture_image() raises ReaderError when it cannot."""

    name: str
    is_simulator: bool

    def capture_image(self) -> DocumentImage: ...


# ---- simulator ---------------------------------------------------------------------------------

SPECIMEN_ID = "11010519491231002X"  # the public GB 11643-1999 example (北京市朝阳区, 1949-12-31, female)
ICAO_SPECIMEN_MRZ = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                     "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


def _years_ago(today: date, years: int, days: int = 0) -> date:
    return add_years(today, -years) - timedelta(days=days)


def _profile_specimen_long_term(today: date) -> tuple[DocumentType, dict[str, Any]]:
    # The name is one the KYC form it fills accepts (Chinese characters and the middle dot only).
    return DocumentType.RESIDENT_ID, {
        "number": SPECIMEN_ID, "name": "样例模拟", "sex": "F", "birth_date": date(1949, 12, 31),
        "nationality": "CHN", "issue_date": date(2006, 5, 20), "expiry": "长期",
        "address": "北京市朝阳区（模拟地址）", "issuing_authority": "北京市公安局朝阳分局（模拟）"}


def _profile_specimen_expired(today: date) -> tuple[DocumentType, dict[str, Any]]:
    # Issued at 45, so 20 years: a consistent card that has expired.
    doc, f = _profile_specimen_long_term(today)
    return doc, {**f, "issue_date": date(1995, 6, 1), "expiry": date(2015, 6, 1)}


def _profile_adult(today: date) -> tuple[DocumentType, dict[str, Any]]:
    born = _years_ago(today, 35, 40)
    issued = _years_ago(today, 3)  # aged 31-32 at issue: 20 years
    return DocumentType.RESIDENT_ID, {
        "number": resident_id.compose("310104", born, 123), "name": "李模拟", "sex": "M", "birth_date": born,
        "nationality": "CHN", "issue_date": issued, "expiry": add_years(issued, 20),
        "address": "上海市徐汇区（模拟地址）", "issuing_authority": "上海市公安局徐汇分局（模拟）"}


def _profile_minor(today: date) -> tuple[DocumentType, dict[str, Any]]:
    born = _years_ago(today, 10, 75)       # within the last 16 years
    issued = _years_ago(today, 1, 20)      # aged 9 at issue: 5 years
    return DocumentType.RESIDENT_ID, {
        "number": resident_id.compose("440305", born, 246), "name": "陈小模", "sex": "F", "birth_date": born,
        "nationality": "CHN", "issue_date": issued, "expiry": add_years(issued, 5),
        "address": "广东省深圳市南山区（模拟地址）", "issuing_authority": "深圳市公安局南山分局（模拟）"}


def _mrz_fields(text: str, today: date) -> dict[str, Any]:
    m = mrz_mod.parse_mrz(text, today=today).mrz
    assert m is not None
    return {"number": m.document_number, "surname": m.names.primary, "given_names": m.names.secondary,
            "name": f"{m.names.primary} {m.names.secondary}".strip(), "birth_date": m.birth_date,
            "sex": m.sex, "nationality": mrz_mod.nationality_code(m.nationality) or m.nationality,
            "expiry": m.expiry, "mrz": m.text}


def _profile_icao_specimen(today: date) -> tuple[DocumentType, dict[str, Any]]:
    return DocumentType.PASSPORT, _mrz_fields(ICAO_SPECIMEN_MRZ, today)  # expired in 2012


def _profile_passport(today: date) -> tuple[DocumentType, dict[str, Any]]:
    text = mrz_mod.compose_td3(issuing_state="SWE", primary="ERIKSSON", secondary="ANNA MARIA",
                               document_number="SIM012345", nationality="SWE", birth_date=date(1974, 8, 12),
                               sex="F", expiry=add_years(today, 6))
    return DocumentType.PASSPORT, _mrz_fields(text, today)


def _profile_hk_permit(today: date) -> tuple[DocumentType, dict[str, Any]]:
    issued = _years_ago(today, 2)
    return DocumentType.HK_MACAU_PERMIT, {
        "number": "H12345678", "name": "陈模拟", "surname": "CHAN", "given_names": "MO NI", "sex": "M",
        "birth_date": date(1980, 5, 5), "nationality": "CHN", "issue_date": issued, "expiry": add_years(issued, 10),
        "issuing_authority": "公安部出入境管理局（模拟）"}


def _profile_taiwan_permit(today: date) -> tuple[DocumentType, dict[str, Any]]:
    issued = _years_ago(today, 1)
    return DocumentType.TAIWAN_PERMIT, {
        "number": "12345678", "name": "林模拟", "surname": "LIN", "given_names": "MO NI", "sex": "F",
        "birth_date": date(1985, 10, 10), "nationality": "CHN", "issue_date": issued, "expiry": add_years(issued, 5),
        "issuing_authority": "公安部出入境管理局（模拟）"}


def _profile_residence_permit(today: date) -> tuple[DocumentType, dict[str, Any]]:
    born, issued = date(1988, 8, 8), _years_ago(today, 1)
    return DocumentType.HMT_RESIDENCE_PERMIT, {
        "number": permits.compose_hmt_residence_permit("MAC", born, 51), "name": "何模拟", "sex": "M",
        "birth_date": born, "nationality": "CHN", "issue_date": issued, "expiry": add_years(issued, 5),
        "address": "广东省珠海市香洲区（模拟地址）", "issuing_authority": "珠海市公安局（模拟）"}


def _profile_foreign_pr(today: date) -> tuple[DocumentType, dict[str, Any]]:
    born, issued = date(1980, 2, 29), _years_ago(today, 1)
    return DocumentType.FOREIGN_PR_ID, {
        "number": permits.compose_foreign_pr_id("31", "826", born, 2), "name": "SMITH JANE", "surname": "SMITH",
        "given_names": "JANE", "sex": "F", "birth_date": born, "nationality": "GBR", "issue_date": issued,
        "expiry": add_years(issued, 10), "issuing_authority": "国家移民管理局（模拟）"}


def _profile_foreign_pr_old(today: date) -> tuple[DocumentType, dict[str, Any]]:
    born, issued = date(1975, 6, 15), _years_ago(today, 4)
    return DocumentType.FOREIGN_PR_ID, {
        "number": permits.compose_foreign_pr_id_old("GBR", "3100", born, 1), "name": "BROWN JOHN",
        "surname": "BROWN", "given_names": "JOHN", "sex": "M", "birth_date": born, "nationality": "GBR",
        "issue_date": issued, "expiry": add_years(issued, 10), "issuing_authority": "公安部（模拟）"}


PROFILES: dict[str, tuple[Text, Callable[[date], tuple[DocumentType, dict[str, Any]]]]] = {
    "resident_id_long_term": (Text("身份证样例（长期）", "ID specimen, long-term"), _profile_specimen_long_term),
    "resident_id_expired": (Text("身份证样例（已过期）", "ID specimen, expired"), _profile_specimen_expired),
    "resident_id_adult": (Text("身份证（成年人）", "ID card, adult"), _profile_adult),
    "resident_id_minor": (Text("身份证（未成年人）", "ID card, minor"), _profile_minor),
    "passport_icao_specimen": (Text("ICAO 护照样例（已过期）", "ICAO specimen passport, expired"),
                               _profile_icao_specimen),
    "passport": (Text("护照（有效）", "Passport, valid"), _profile_passport),
    "hk_macau_permit": (Text("港澳居民来往内地通行证", "HK/Macau permit"), _profile_hk_permit),
    "taiwan_permit": (Text("台湾居民来往大陆通行证", "Taiwan permit"), _profile_taiwan_permit),
    "hmt_residence_permit": (Text("港澳台居民居住证（澳门）", "HK/Macau/Taiwan residence permit (Macau)"),
                             _profile_residence_permit),
    "foreign_pr_id": (Text("外国人永久居留身份证（2023版）", "Foreign PR ID (2023)"), _profile_foreign_pr),
    "foreign_pr_id_old": (Text("外国人永久居留证（旧版）", "Foreign PR ID (old)"), _profile_foreign_pr_old),
}


class SimulatorReader:
    """A stand-in for the ID-card reader in demos and tests: returns made-up or public specimen
    documents. Everything it returns is marked simulated; it must never be configured on a real
    counter (its name says SIMULATOR on every screen that shows the reader)."""

    name = "模拟读卡器 SIMULATOR"
    is_simulator = True

    def __init__(self, profile: str = "resident_id_long_term", *, today: date | None = None):
        self._today = today
        self.select(profile)

    @staticmethod
    def profiles() -> dict[str, Text]:
        return {key: label for key, (label, _build) in PROFILES.items()}

    def select(self, profile: str) -> None:
        if profile not in PROFILES:
            raise ReaderError(Text("模拟读卡器没有此样例", "the simulator has no such profile"),
                              detail=str(profile)[:40])
        self.profile = profile

    def read(self) -> DocumentRead:
        return self.read_profile(self.profile)

    def capture_image(self, profile: str | None = None) -> DocumentImage:
        """A picture of the selected (or named) specimen card: a PNG drawn here, marked SIMULATED."""
        read = self.read_profile(profile or self.profile)
        return DocumentImage(specimen_png(read), "image/png", source=self.name, simulated=True)

    def read_profile(self, profile: str) -> DocumentRead:
        if profile not in PROFILES:
            raise ReaderError(Text("模拟读卡器没有此样例", "the simulator has no such profile"),
                              detail=str(profile)[:40])
        today = self._today or date.today()
        doc_type, fields = PROFILES[profile][1](today)
        return DocumentRead(doc_type, fields, source=self.name, simulated=True)


CARD_SIZE = (856, 540)  # ISO/IEC 7810 ID-1 (85.60 × 53.98 mm) at about 254 dpi


def _ascii(value: object) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value or "")
    return "".join(c for c in text if c.isascii() and c.isprintable())


def specimen_png(read: DocumentRead) -> bytes:
    """Draw a simulated card for ``read`` (Latin text only: the built-in font has no CJK glyphs)."""
    f = read.fields
    image = Image.new("RGB", CARD_SIZE, (226, 236, 246))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=34)
    small = ImageFont.load_default(size=26)
    draw.rectangle((0, 0, CARD_SIZE[0], 70), fill=(176, 36, 36))
    draw.text((24, 16), "SIMULATED SPECIMEN - NOT A REAL DOCUMENT", font=font, fill=(255, 255, 255))
    draw.rectangle((40, 110, 250, 380), outline=(90, 90, 90), width=3)  # where a photo would be
    draw.line((40, 110, 250, 380), fill=(150, 150, 150), width=2)
    draw.line((250, 110, 40, 380), fill=(150, 150, 150), width=2)
    lines = [("TYPE", read.doc_type.value), ("NO.", _ascii(f.get("number"))),
             ("NAME", _ascii(f.get("name")) or _ascii(f.get("surname")) or "(simulated)"),
             ("BORN", _ascii(f.get("birth_date"))), ("SEX", _ascii(f.get("sex"))),
             ("EXPIRY", _ascii(f.get("expiry")) or "long-term")]
    for i, (label, value) in enumerate(lines):
        y = 110 + i * 46
        draw.text((290, y), label, font=small, fill=(60, 60, 60))
        draw.text((420, y), value, font=small, fill=(0, 0, 0))
    for i, line in enumerate(str(f.get("mrz") or "").splitlines()[:3]):
        draw.text((24, 410 + i * 34), _ascii(line)[:44], font=small, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# ---- keyboard-wedge scanners -------------------------------------------------------------------

class WedgeParser:
    """Recognises what a keyboard-wedge scanner typed into a field: an MRZ (2x44, 2x36, 3x30; with
    or without line breaks), an 18-character resident ID or residence-permit number, a foreign
    permanent-resident ID (18 or 15 characters) or a HK/Macau permit number."""

    name = "键盘扫描枪 keyboard-wedge scanner"
    is_simulator = False

    def __init__(self, *, today: date | None = None):
        self._today = today  # fixes the century of two-digit MRZ birth years (tests); default: today

    def parse(self, text: object) -> DocumentRead | None:
        """A DocumentRead, or None when the text is none of those shapes. Never raises; whether the
        check digits are right is for documents.check_read() to say."""
        try:
            return self._parse(text)
        except Exception:  # the UI calls this on every burst: junk must not crash it
            return None

    def _parse(self, text: object) -> DocumentRead | None:
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text[:MAX_MRZ_CHARS * 4]).decode("utf-8", errors="replace")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_MRZ_CHARS:
            return None
        # Scanners may add STX/ETX, tabs or a trailing Enter: keep only line breaks and printables.
        text = "".join(c for c in text if c in "\r\n" or c.isprintable())
        fmt, _lines = mrz_mod.split_lines(text)
        if fmt is not None:
            m = mrz_mod.parse_mrz(text, today=self._today or date.today()).mrz
            if m is None:
                return None
            return DocumentRead(DocumentType.PASSPORT, {
                "number": m.document_number or None, "surname": m.names.primary or None,
                "given_names": m.names.secondary or None,
                "name": f"{m.names.primary} {m.names.secondary}".strip() or None,
                "birth_date": m.birth_date, "sex": m.sex, "expiry": m.expiry,
                "nationality": mrz_mod.nationality_code(m.nationality) or m.nationality or None,
                "mrz": m.text}, source=self.name)
        number = fold(text)
        if permits.FOREIGN_PR_NEW.fullmatch(number) or permits.FOREIGN_PR_OLD.fullmatch(number):
            kind = DocumentType.FOREIGN_PR_ID
        elif gb11643.FORMAT_18.fullmatch(number):
            kind = DocumentType.HMT_RESIDENCE_PERMIT if number[:6] in permits.HMT_REGIONS else DocumentType.RESIDENT_ID
        elif permits.HK_MACAU_NEW.fullmatch(number):
            kind = DocumentType.HK_MACAU_PERMIT
        else:
            return None
        return DocumentRead(kind, {"number": number}, source=self.name)


def looks_like_scanner_burst(keystroke_times_ms: object) -> bool:
    """True when keystroke timestamps (milliseconds, one per character) look like a scanner: at
    least SCANNER_MIN_KEYSTROKES keystrokes with a median gap under SCANNER_MAX_MEDIAN_GAP_MS.
    Never raises; junk gives False."""
    try:
        # islice: a caller's endless iterator must not hang the UI
        sample = itertools.islice(iter(keystroke_times_ms), 10_000)  # type: ignore[call-overload]
        times = sorted(float(t) for t in sample
                       if isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t))
    except (TypeError, ValueError, ArithmeticError):
        return False
    if len(times) < SCANNER_MIN_KEYSTROKES:
        return False
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return statistics.median(gaps) < SCANNER_MAX_MEDIAN_GAP_MS
