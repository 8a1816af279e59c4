"""The letter telling the customer the decision on their complaint (A4 PDF, zh or en).

What the regulation asks the decision to say: the decision with its reasons, and what the customer may
do if they disagree (ask the bank to review it within 30 days, mediation, the regulator's 12378
hotline, arbitration or the courts). Personal data is printed masked (domain-rules §7: name surname +
*); the customer's own words are not reprinted (the letter goes by post and lies on counters). The
font is the bundled CJK font, embedded (counterdesk.base.pdffont), so the letter renders the same in
any viewer. Pure rendering here; ``letter_pdf`` reads the complaint and audits the print.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from counterdesk.base.actors import SignedInUser
from counterdesk.base.branchtime import format_time
from counterdesk.base.pdffont import FONT, MARGIN, register_font
from counterdesk.base.roles import can, require
from counterdesk.base.settings import COMPLAINT_REVIEW_DAYS
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.complaints.codes import CATEGORIES, CHANNELS, OUTCOMES, RESOLVED
from counterdesk.services.complaints.common import customer_masked, load_visible, names, refuse
from counterdesk.store import audit
from counterdesk.store.models.signoff import Signoff

WORDS = {
    "title": Text("投诉处理决定告知书", "Decision on your complaint"),
    "reference": Text("投诉编号", "Complaint reference"),
    "customer": Text("投诉人", "Complainant"),
    "anonymous": Text("（未登记姓名）", "(name not recorded)"),
    "received": Text("收到投诉时间", "Received"),
    "channel": Text("投诉渠道", "Channel"),
    "category": Text("投诉事项", "Subject"),
    "sale": Text("所涉销售确认书编号", "Confirmation number of the sale concerned"),
    "outcome": Text("处理结果", "Outcome"),
    "decision": Text("处理意见及理由", "Our decision and its reasons"),
    "decided": Text("作出决定时间", "Decided"),
    "handled_by": Text("经办人", "Handled by"),
    "rights": Text("如您对处理决定有异议", "If you disagree with this decision"),
    "rights_text": Text(
        "您可以自收到本告知书之日起{days}日内向我行申请核查；也可以向银行业消费纠纷调解组织申请调解，拨打银行保险监管"
        "投诉热线 12378 反映，或依法申请仲裁、提起诉讼。请注明上述投诉编号。",
        "You may ask us to review it within {days} days of receiving this letter; you may also apply to a banking "
        "dispute mediation body, call the banking and insurance regulator's consumer hotline 12378, or go to "
        "arbitration or court as the law provides. Please quote the complaint reference above."),
    "footer": Text("本告知书中的个人信息已作去标识化处理。", "Personal information in this letter is de-identified."),
}


@dataclass(frozen=True)
class LetterData:
    branch_name: str
    reference: str
    customer_masked: str
    received_at: str
    channel: str
    category: str
    confirmation_number: str | None
    outcome: str
    decision: str
    decided_at: str
    handled_by: str
    review_days: int


def render(data: LetterData, lang: str) -> bytes:
    """The letter as PDF bytes in ``lang`` (zh_CN or en)."""
    register_font()
    zh = lang.startswith("zh")
    base = ParagraphStyle("base", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=3 * mm)
    head = ParagraphStyle("head", parent=base, fontSize=11.5, leading=17, spaceBefore=4 * mm, spaceAfter=1.5 * mm)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=11)

    def w(key: str) -> str:
        return WORDS[key].get(lang)

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    rows = [(w("reference"), data.reference),
            (w("customer"), data.customer_masked or w("anonymous")),
            (w("received"), format_time(data.received_at, lang)),
            (w("channel"), CHANNELS[data.channel].get(lang)),
            (w("category"), CATEGORIES[data.category].get(lang))]
    if data.confirmation_number:
        rows.append((w("sale"), data.confirmation_number))
    rows += [(w("outcome"), OUTCOMES[data.outcome].get(lang)), (w("decided"), format_time(data.decided_at, lang)),
             (w("handled_by"), data.handled_by)]
    table = Table([[p(a), p(b)] for a, b in rows], colWidths=[48 * mm, None])
    # Table cells default to Helvetica: name the embedded font so no other font enters the PDF.
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 10), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    story = [p(data.branch_name, ParagraphStyle("branch", parent=base, alignment=TA_CENTER)), p(w("title"), title),
             table, p(w("decision"), head), p(data.decision), p(w("rights"), head),
             p(w("rights_text").format(days=data.review_days)), Spacer(1, 8 * mm), p(w("footer"), small)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
                            title=f"{w('title')} {data.reference}", author=data.branch_name,
                            lang="zh-CN" if zh else "en")
    doc.build(story, canvasmaker=_Canvas)
    return out.getvalue()


class _Canvas(rl_canvas.Canvas):
    def __init__(self, *args, **kwargs):
        kwargs["initialFontName"] = FONT  # otherwise reportlab references a non-embedded Helvetica
        kwargs["initialFontSize"] = 10
        super().__init__(*args, **kwargs)


def letter_pdf(vault: Vault, us: SignedInUser, complaint_id: str, lang: str) -> bytes:
    """The decision letter of a resolved complaint; the print is audited (ids and the language only)."""
    if not (can(us.role, "complaint.handle") or can(us.role, "complaint.queue")):
        require(us.role, "complaint.handle")
    review_days = int(vault.settings()[COMPLAINT_REVIEW_DAYS])
    branch = vault.info.branch_name

    def read(db) -> LetterData:
        row = load_visible(db, us, complaint_id)
        if row.status != RESOLVED or row.outcome is None or row.decision is None or row.resolved_at is None:
            raise refuse("not_resolved", "投诉办结后才能打印处理决定告知书。",
                         "The letter is printed once the complaint is resolved.")
        number = None
        if row.signoff_id:
            signoff = db.get(Signoff, row.signoff_id)
            number = signoff.document_number if signoff is not None else None
        who = names(db)
        audit.append(db, us.actor, "complaint.letter_printed", "complaint", row.id, {"language": lang})
        return LetterData(branch, row.reference, customer_masked(db, row.customer_id), row.received_at, row.channel,
                          row.category, number, row.outcome, row.decision, row.resolved_at,
                          who.get(row.resolved_by or "", "?"), review_days)
    return render(vault.transact(read), lang)
