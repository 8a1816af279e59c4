"""Render the confirmation of a counter-session sale as an A4 PDF in the customer's language.

Pure: no database, no Qt. Personal data is printed masked (domain-rules §7: ID first 3 + last 4,
name surname + *), the disclosure exactly as shown with its version and hash, and a QR code with
the document number and the SHA-256 of the session's evidence record. The same payload is written
into the PDF's metadata (/Keywords and a private /CounterDeskEvidence entry) so that verify_pdf can
read it back without decoding the QR image; once signed, the metadata is covered by the signature.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from counterdesk.base.branchtime import format_time
from counterdesk.base.pdffont import FONT, MARGIN, PAGE_H, PAGE_W, register_font
from counterdesk.base.qrcode import QrFlowable
from counterdesk.base.text import Text
from counterdesk.services.customers.masking import mask_id_number, mask_name

PAYLOAD_PREFIX = "CDCONF1"          # versioned, so a later layout of the payload stays readable

Label = str | Text


@dataclass(frozen=True)
class ConfirmationData:
    """Everything the confirmation prints. Values are clear text; the renderer masks personal data."""

    document_number: str
    branch_name: Label
    branch_code: str
    created_at: datetime
    customer_name: str
    customer_id_number: str
    customer_id_type: Label
    assessment_grade: Label                 # e.g. "C4 积极型" / Text("C4 积极型", "C4 Aggressive")
    assessment_valid_until: date | None
    product_code: str
    product_name: Label
    product_risk_level: str
    amount: Decimal
    currency: str
    disclosure_text: Label
    disclosure_version: str
    disclosure_hash: str
    confirmation_sentence: Label            # exactly what the customer typed
    teller_name: str
    teller_at: datetime
    evidence_hash: str                      # SHA-256 hex of the session's evidence record
    product_facts: Sequence[tuple[Label, Label]] = field(default_factory=list)  # further key facts
    warning_letter: Label | None = None     # the suitability warning letter, when one was used
    signature_png: bytes | None = None      # the customer's handwritten signature
    supervisor_name: str | None = None
    supervisor_at: datetime | None = None
    cooling_off_until: datetime | None = None


# The customer copy and the branch copy print the one signed file; what each sheet is, is printed on
# it at print time (see copy_label), top right in the header, where a reprint says 副本 / COPY.
COPY_LABELS = {"customer": Text("客户联", "Customer copy"), "branch": Text("银行留存联", "Branch copy")}
COPY_LABEL_POINTS = 11.0
COPY_LABEL_INSET = (MARGIN, MARGIN - 2 * mm)  # points from the page's right edge and top to the baseline


def copy_label(copy: str, lang: str) -> str:
    """The label printed on every page of ``copy`` ("" for a reprint: its file is marked already)."""
    label = COPY_LABELS.get(copy)
    return label.get(lang) if label is not None else ""


def evidence_payload(document_number: str, evidence_hash: str) -> str:
    """The text in the QR code and the PDF metadata: CDCONF1|<document number>|<evidence sha256>."""
    return f"{PAYLOAD_PREFIX}|{document_number}|{evidence_hash.lower()}"


def parse_payload(payload: str | None) -> tuple[str, str] | None:
    """(document number, evidence hash) from a payload, or None when it is not one of ours."""
    if not payload:
        return None
    parts = payload.strip().split("|")
    if len(parts) != 3 or parts[0] != PAYLOAD_PREFIX:
        return None
    return parts[1], parts[2]


W = {  # labels in both languages; the document is printed in one, the customer's
    "title": Text("金融产品购买确认书", "Confirmation of Purchase of a Financial Product"),
    "copy": Text("副本", "COPY"),
    "copy_note": Text("副本（重新打印），原件以已签名的电子文件为准",
                      "COPY (reprint); the signed electronic file is the original"),
    "page": Text("第 {x} 页 / 共 {y} 页", "Page {x} of {y}"),
    "doc": Text("文件编号", "Document number"),
    "branch": Text("网点", "Branch"),
    "date": Text("日期时间", "Date and time"),
    "s_customer": Text("一、客户信息", "1. Customer"),
    "name": Text("姓名", "Name"),
    "id": Text("证件", "Identity document"),
    "grade": Text("风险承受能力等级", "Risk tolerance grade"),
    "valid": Text("评估有效期至", "Assessment valid until"),
    "s_product": Text("二、产品与金额", "2. Product and amount"),
    "product": Text("产品", "Product"),
    "risk": Text("产品风险等级", "Product risk level"),
    "amount": Text("购买金额", "Amount"),
    "s_disclosure": Text("三、风险揭示", "3. Risk disclosure"),
    "disc_ref": Text("版本 {v}，SHA-256 {h}", "Version {v}, SHA-256 {h}"),
    "s_warning": Text("四、风险警示函", "4. Risk warning letter"),
    "s_confirm": Text("{n}、客户确认", "{n}. Customer's confirmation"),
    "typed": Text("客户抄录的确认语句：", "Confirmation sentence typed by the customer:"),
    "signature": Text("客户签名：", "Customer's signature:"),
    "no_signature": Text("（无电子签名图像）", "(no signature image)"),
    "s_staff": Text("{n}、经办与复核", "{n}. Staff"),
    "teller": Text("经办柜员", "Teller"),
    "supervisor": Text("复核主管", "Supervisor"),
    "none": Text("无", "none"),
    "cooling": Text("投资冷静期截止：{t}。冷静期内您可解除合同并全额退款。",
                    "Cooling-off period ends: {t}. Until then you may cancel for a full refund."),
    "qr": Text("扫码核验：文件编号与证据记录 SHA-256", "Scan to verify: document number and evidence record SHA-256"),
    "evidence": Text("证据记录 SHA-256：{h}", "Evidence record SHA-256: {h}"),
    "no_timestamp": Text("未加盖可信时间戳 / no trusted timestamp yet", "no trusted timestamp yet / 未加盖可信时间戳"),
    "no_timestamp_note": Text("签发时时间戳机构未应答：签名时间仅为本机时间。电子原件将在机构应答后补加可信时间戳，"
                              "可用 counterdesk-admin verify-pdf 核验。",
                              "The timestamp authority did not answer at issue: the signing time is only this "
                              "workstation's clock. The electronic original gets a trusted timestamp once the "
                              "authority answers; check it with counterdesk-admin verify-pdf."),
}
NO_TIMESTAMP_MARK = W["no_timestamp"]


def _t(value: Label | None, lang: str) -> str:
    if value is None:
        return ""
    return value.get(lang) if isinstance(value, Text) else str(value)


def _when(moment: datetime, lang: str) -> str:
    return format_time(moment, lang)


def _money(amount: Decimal, currency: str) -> str:
    return f"{Decimal(amount):,.2f} {currency}"


def _styles() -> dict[str, ParagraphStyle]:
    # wordWrap='CJK' lets a line break between any two Chinese characters (and inside long hashes).
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#444444")),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=2 * mm),
        "h": ParagraphStyle("h", parent=base, fontSize=11.5, leading=17, spaceBefore=4 * mm, spaceAfter=1.5 * mm),
        "quote": ParagraphStyle("quote", parent=base, leftIndent=4 * mm, rightIndent=4 * mm,
                                backColor=colors.HexColor("#F3F3F3"),
                                borderPadding=(2 * mm, 2 * mm, 2 * mm, 2 * mm), spaceBefore=1 * mm, spaceAfter=3 * mm),
    }


# Table cells default to Helvetica and select it even around flowables; name the embedded font so no
# non-embedded font ends up in the PDF.
_CELL_FONT = ("FONT", (0, 0), (-1, -1), FONT, 10)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Escape: a disclosure may contain "<" or "&"; paragraphs keep the author's line breaks.
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class _Signature(Flowable):
    """The customer's signature image, scaled into a fixed box (aspect kept), on a baseline."""

    def __init__(self, png: bytes | None, placeholder: str, width: float = 70 * mm, height: float = 25 * mm):
        super().__init__()
        self.png, self.placeholder, self.width, self.height = png, placeholder, width, height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.grey)
        c.line(0, 0, self.width, 0)
        if not self.png:
            c.setFont(FONT, 8)
            c.setFillColor(colors.grey)
            c.drawString(2 * mm, 2 * mm, self.placeholder)
            return
        img = ImageReader(io.BytesIO(self.png))
        iw, ih = img.getSize()
        scale = min(self.width / iw, (self.height - 1 * mm) / ih)
        c.drawImage(img, 0, 1 * mm, iw * scale, ih * scale, mask="auto")


def _canvas_maker(words: dict[str, str], document_number: str, copy: bool, no_timestamp: bool = False):
    """A canvas that holds every page until save(), so 'page x of y' is drawn knowing y."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            # The initial font too: otherwise reportlab references a non-embedded Helvetica.
            kwargs["initialFontName"] = FONT  # platypus passes None explicitly
            kwargs["initialFontSize"] = 10
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            self.saveState()
            self.setFont(FONT, 8.5)
            self.setFillColor(colors.black)
            self.drawString(MARGIN, PAGE_H - MARGIN + 2 * mm, f"{words['doc']}：{document_number}")
            self.drawRightString(PAGE_W - MARGIN, MARGIN - 8 * mm,
                                 words["page"].format(x=self._pageNumber, y=total))
            self.drawString(MARGIN, MARGIN - 8 * mm, document_number)
            self.setStrokeColor(colors.grey)
            self.line(MARGIN, PAGE_H - MARGIN, PAGE_W - MARGIN, PAGE_H - MARGIN)
            if no_timestamp:
                # On every page, in the footer's middle: a page shown alone still says it.
                self.setFont(FONT, 8.5)
                self.setFillColor(colors.HexColor("#9A5B00"))
                self.drawCentredString(PAGE_W / 2, MARGIN - 8 * mm, words["no_timestamp"])
            if copy:
                # Header mark plus a light diagonal watermark: a reprint can never pass for the original.
                self.setFont(FONT, 11)
                self.setFillColor(colors.HexColor("#B00000"))
                self.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN + 2 * mm, words["copy"])
                self.setFillColor(colors.Color(0.75, 0, 0, alpha=0.12))
                self.setFont(FONT, 110)
                self.translate(PAGE_W / 2, PAGE_H / 2)
                self.rotate(40)
                self.drawCentredString(0, -35, words["copy"])
            self.restoreState()

    return NumberedCanvas


def render_confirmation(data: ConfirmationData, lang: str = "zh", copy: bool = False,
                        no_timestamp: bool = False) -> bytes:
    """The PDF bytes of the confirmation in ``lang`` ("zh" or "en"); ``copy`` marks a reprint 副本 / COPY;
    ``no_timestamp`` prints "未加盖可信时间戳 / no trusted timestamp yet" (no authority answered at issue)."""
    register_font()
    lang = "en" if lang.startswith("en") else "zh"
    words = {k: v.get(lang) for k, v in W.items()}
    st = _styles()
    width = PAGE_W - 2 * MARGIN
    payload = evidence_payload(data.document_number, data.evidence_hash)

    def table(rows: list[tuple[str, str]], col: float = 38 * mm) -> Table:
        # Plain cell strings where they fit on one line: a Paragraph per cell is the slowest part of
        # the layout. Longer values still wrap (CJK-aware) as Paragraphs.
        def cell(text: str, w: float):
            fits = "\n" not in text and pdfmetrics.stringWidth(text, FONT, 10) <= w - 4
            return text if fits else _p(text, st["body"])
        t = Table([[cell(k, col), cell(v, width - col)] for k, v in rows], colWidths=[col, width - col])
        t.setStyle(TableStyle([_CELL_FONT, ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#CCCCCC")),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                               ("LEFTPADDING", (0, 0), (-1, -1), 1)]))
        return t

    story: list = [_p(words["title"], st["title"])]
    if copy:
        story.append(_p(words["copy_note"], ParagraphStyle("cn", parent=st["small"], alignment=TA_CENTER,
                                                           textColor=colors.HexColor("#B00000"))))
    head = table([(words["doc"], data.document_number),
                  (words["branch"], f"{_t(data.branch_name, lang)}（{data.branch_code}）" if lang == "zh"
                   else f"{_t(data.branch_name, lang)} ({data.branch_code})"),
                  (words["date"], _when(data.created_at, lang))], col=30 * mm)
    qr = Table([[QrFlowable(payload)], [_p(words["qr"], ParagraphStyle("q", parent=st["small"], alignment=TA_CENTER))]],
               colWidths=[36 * mm])
    qr.setStyle(TableStyle([_CELL_FONT, ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    head._argW = [30 * mm, width - 30 * mm - 40 * mm]  # leave room for the QR code at the right
    top = Table([[head, qr]], colWidths=[width - 40 * mm, 40 * mm])
    top.setStyle(TableStyle([_CELL_FONT, ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(top)

    story.append(_p(words["s_customer"], st["h"]))
    story.append(table([
        (words["name"], mask_name(data.customer_name)),
        (words["id"], f"{_t(data.customer_id_type, lang)} {mask_id_number(data.customer_id_number)}"),
        (words["grade"], _t(data.assessment_grade, lang)),
        (words["valid"], data.assessment_valid_until.isoformat() if data.assessment_valid_until else words["none"]),
    ]))

    story.append(_p(words["s_product"], st["h"]))
    story.append(table([
        (words["product"], f"{_t(data.product_name, lang)}（{data.product_code}）" if lang == "zh"
         else f"{_t(data.product_name, lang)} ({data.product_code})"),
        (words["risk"], data.product_risk_level),
        *[(_t(k, lang), _t(v, lang)) for k, v in data.product_facts],
        (words["amount"], _money(data.amount, data.currency)),
    ]))

    story.append(_p(words["s_disclosure"], st["h"]))
    story.append(_p(words["disc_ref"].format(v=data.disclosure_version, h=data.disclosure_hash), st["small"]))
    # One paragraph per source paragraph: long texts then split across pages between paragraphs
    # and, for a very long paragraph, inside it.
    for para in _t(data.disclosure_text, lang).split("\n\n"):
        story.append(_p(para.strip(), ParagraphStyle("d", parent=st["body"], spaceAfter=1.5 * mm)))

    section = 4
    if data.warning_letter is not None:
        story.append(_p(words["s_warning"], st["h"]))
        for para in _t(data.warning_letter, lang).split("\n\n"):
            story.append(_p(para.strip(), ParagraphStyle("w", parent=st["body"], spaceAfter=1.5 * mm)))
        section = 5
    numerals = "零一二三四五六七八九"
    n = numerals[section] if lang == "zh" else str(section)
    confirm = [_p(words["s_confirm"].format(n=n), st["h"]), _p(words["typed"], st["body"]),
               _p(_t(data.confirmation_sentence, lang), st["quote"]), _p(words["signature"], st["body"]),
               Spacer(1, 2 * mm), _Signature(data.signature_png, words["no_signature"])]
    story.append(KeepTogether(confirm))  # the sentence and the signature stay on one page

    n = numerals[section + 1] if lang == "zh" else str(section + 1)
    staff = [(words["teller"], f"{data.teller_name}　{_when(data.teller_at, lang)}")]
    staff.append((words["supervisor"], f"{data.supervisor_name}　{_when(data.supervisor_at, lang)}"
                  if data.supervisor_name and data.supervisor_at else (data.supervisor_name or words["none"])))
    block = [_p(words["s_staff"].format(n=n), st["h"]), table(staff)]
    if data.cooling_off_until is not None:
        block += [Spacer(1, 3 * mm), _p(words["cooling"].format(t=_when(data.cooling_off_until, lang)), st["body"])]
    block += [Spacer(1, 3 * mm), _p(words["evidence"].format(h=data.evidence_hash), st["small"])]
    if no_timestamp:
        mark = ParagraphStyle("nts", parent=st["body"], textColor=colors.HexColor("#9A5B00"), borderPadding=2 * mm,
                              borderColor=colors.HexColor("#9A5B00"), borderWidth=0.6, spaceBefore=3 * mm)
        block += [Spacer(1, 2 * mm), _p(f"{words['no_timestamp']}\n{words['no_timestamp_note']}", mark)]
    story.append(KeepTogether(block))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN,
                            title=f"{words['title']} {data.document_number}",
                            author=_t(data.branch_name, lang), creator="CounterDesk", subject=payload,
                            keywords=payload, invariant=1, lang="zh-CN" if lang == "zh" else "en")
    doc.build(story, canvasmaker=_canvas_maker(words, data.document_number, copy, no_timestamp))
    return buf.getvalue()
