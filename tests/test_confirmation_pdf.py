"""Confirmation PDF: content in the customer's language (Chinese extracts back), masking, the embedded
font subset, 'page x of y', the COPY mark, the QR/metadata payload, and the signature round trip."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from counterdesk.base.text import Text
from counterdesk.services.confirmation import ConfirmationData, evidence_payload, render_confirmation
from counterdesk.services.confirmation.signing import create_demo_certificate, load_signer, sign_pdf, verify_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")

EVIDENCE = "cd" * 32
DISCLOSURE = "\n\n".join(f"第{i}条 理财非存款、产品有风险、投资须谨慎。本产品为非保本浮动收益型产品，过往业绩不代表"
                         "未来表现，客户可能损失部分乃至全部本金。" * 3 for i in range(1, 16))


def signature_png() -> bytes:
    from PIL import Image, ImageDraw
    im = Image.new("RGBA", (400, 120), (255, 255, 255, 0))
    ImageDraw.Draw(im).line([(10, 90), (80, 20), (140, 100), (220, 30), (380, 40)], fill=(0, 0, 120, 255), width=5)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def sample(**kw) -> ConfirmationData:
    base = dict(
        document_number="CF-DEMO-20270301-0001", branch_name=Text("演示支行", "Demo Sub-branch"), branch_code="DEMO",
        created_at=datetime(2027, 3, 1, 2, 30, tzinfo=UTC), customer_name="张三丰",
        customer_id_number="11010519491231002X", customer_id_type=Text("居民身份证", "Resident ID card"),
        assessment_grade=Text("C4 积极型", "C4 Aggressive"), assessment_valid_until=date(2028, 2, 1),
        product_code="PWM-FI", product_name=Text("尊享固收私募理财", "Private FI WM"), product_risk_level="R3",
        amount=Decimal("1000000"), currency="CNY", disclosure_text=DISCLOSURE, disclosure_version="DISC-PWM v3",
        disclosure_hash="ab" * 32, confirmation_sentence="本人已阅读风险揭示，愿意承担投资风险。",
        teller_name="柜员甲", teller_at=datetime(2027, 3, 1, 2, 40, tzinfo=UTC), evidence_hash=EVIDENCE,
        product_facts=[(Text("期限", "Term"), Text("365 天", "365 days"))], signature_png=signature_png(),
        supervisor_name="主管乙", supervisor_at=datetime(2027, 3, 1, 2, 45, tzinfo=UTC),
        cooling_off_until=datetime(2027, 3, 2, 2, 45, tzinfo=UTC),
        warning_letter="本产品风险等级高于您的风险承受能力等级。")
    base.update(kw)
    return ConfirmationData(**base)


def pdftotext(pdf: bytes, page: int | None = None) -> str:
    args = ["pdftotext", "-layout", "-enc", "UTF-8"] + (["-f", str(page), "-l", str(page)] if page else []) + ["-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode("utf-8")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture(scope="module")
def zh_pdf() -> bytes:
    return render_confirmation(sample(), "zh")


@pytest.fixture(scope="module")
def signer():
    p12, password = create_demo_certificate("演示支行 DEMO", "CounterDesk DEMO")
    return load_signer(p12, password)


@pytest.fixture(scope="module")
def signed(zh_pdf, signer) -> bytes:
    return sign_pdf(zh_pdf, signer)


def test_chinese_text_extracts_back_with_personal_data_masked(zh_pdf):
    text = pdftotext(zh_pdf)
    flat = re.sub(r"\s+", "", text)
    for expected in ("金融产品购买确认书", "演示支行", "CF-DEMO-20270301-0001", "张**", "110***********002X",
                     "C4积极型", "尊享固收私募理财", "1,000,000.00CNY", "DISC-PWMv3", "本人已阅读风险揭示，愿意承担投资风险。",
                     "风险警示函", "柜员甲", "主管乙", "投资冷静期截止", "2027-03-0210:45", EVIDENCE,
                     "第11条理财非存款"):
        assert expected in flat, expected
    assert "张三丰" not in flat and "11010519491231002X" not in flat


def test_english_version():
    text = pdftotext(render_confirmation(sample(), "en"))
    assert "Confirmation of Purchase" in text and "Demo Sub-branch" in text and "Private FI WM" in text
    assert "Page 1 of" in text and "第1页" not in flat(text)


def test_every_font_is_an_embedded_subset(zh_pdf):
    fonts = subprocess.run(["pdffonts", "-"], input=zh_pdf, capture_output=True, check=True).stdout.decode()
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    for row in rows:
        assert re.match(r"[A-Z]{6}\+WenQuanYi", row), row  # subset tag + the bundled font
        assert " yes yes " in row, row                        # embedded, subset
    assert b"/FontFile2" in zh_pdf


def test_page_x_of_y_on_every_page_of_a_three_page_document(zh_pdf):
    n = page_count(zh_pdf)
    assert n == 3
    for page in range(1, n + 1):
        # pdftotext drops the spaces between CJK characters; compare without spaces.
        assert f"第{page}页/共{n}页" in flat(pdftotext(zh_pdf, page))


def test_long_disclosure_flows_over_more_pages():
    pdf = render_confirmation(sample(disclosure_text=DISCLOSURE * 4), "zh")
    n = page_count(pdf)
    assert n >= 5
    assert f"第{n}页/共{n}页" in flat(pdftotext(pdf, n))


def test_minimal_data_without_optional_parts_renders():
    pdf = render_confirmation(sample(signature_png=None, warning_letter=None, supervisor_name=None, supervisor_at=None,
                                     cooling_off_until=None, product_facts=[], disclosure_text="短文本 <b>&"), "zh")
    text = pdftotext(pdf)
    assert page_count(pdf) == 1 and "风险警示函" not in text and "冷静期" not in text and "短文本<b>&" in flat(text)


def test_reprint_is_marked_copy(zh_pdf):
    assert "副本" not in pdftotext(zh_pdf)
    copy = render_confirmation(sample(), "zh", copy=True)
    for page in range(1, page_count(copy) + 1):
        assert "副本" in pdftotext(copy, page)
    assert "COPY" in pdftotext(render_confirmation(sample(), "en", copy=True), 1)


def test_evidence_payload_is_in_metadata(zh_pdf):
    info = subprocess.run(["pdfinfo", "-"], input=zh_pdf, capture_output=True, check=True).stdout.decode()
    assert evidence_payload("CF-DEMO-20270301-0001", EVIDENCE) in info


def test_signature_validates_and_carries_the_evidence_hash(signed, signer):
    res = verify_pdf(signed, trust=[signer.certificate], expected_evidence_hash=EVIDENCE.upper())
    assert res.ok and res.intact and res.trusted, res.problems
    assert "DEMO" in res.signed_by
    assert res.evidence_hash == EVIDENCE and res.document_number == "CF-DEMO-20270301-0001"
    assert res.fingerprint == signer.fingerprint
    # Untrusted anchor: intact, but the signer is reported as not trusted.
    other = load_signer(*create_demo_certificate("other", "x"))
    res = verify_pdf(signed, trust=[other.certificate])
    assert res.intact and res.trusted is False and not res.ok


def _content_stream_offset(pdf: bytes) -> int:
    """An offset in the middle of the first page content stream (its drawing operators, ASCII85 +
    Flate encoded by reportlab; images and the font file carry /Subtype or /Length1)."""
    for m in re.finditer(rb"<<\s*/Filter \[ /ASCII85Decode /FlateDecode \] /Length (\d+)\s*>>\s*stream\r?\n", pdf):
        return m.end() + int(m.group(1)) // 2
    raise AssertionError("no content stream found")


@pytest.mark.parametrize("where", ["content", "metadata"])
def test_one_flipped_byte_is_detected(signed, where):
    if where == "content":
        i = _content_stream_offset(signed)
    else:
        i = signed.index(b"CDCONF1|") + 10   # inside the /Keywords payload
    tampered = signed[:i] + bytes([signed[i] ^ 0x01]) + signed[i + 1:]
    res = verify_pdf(tampered)
    assert not res.intact and not res.ok and res.problems


def test_appended_revision_and_garbage_and_unsigned(signed, zh_pdf):
    assert not verify_pdf(signed + b"\n%%EOF\n1 0 obj\n<<>>\nendobj\n").ok
    res = verify_pdf(b"not a pdf at all")
    assert not res.intact and res.problems[0].en.startswith("The PDF cannot be read")
    res = verify_pdf(zh_pdf)
    assert not res.intact and "not signed" in res.problems[0].en
    res = verify_pdf(signed[: len(signed) // 2])  # truncated
    assert not res.intact and res.problems


def test_a_different_evidence_hash_is_reported(signed):
    res = verify_pdf(signed, expected_evidence_hash="ef" * 32)
    assert res.intact and not res.ok
    assert any("evidence record hash differs" in p.en for p in res.problems)
