"""A customer's access request (个人信息保护法 Arts 44-45): everything held about them, as an encrypted
file they can take away or as a printout.

What is in it: the customer and every version of their data, consents, the kept document copy's
metadata (never the image), AML ratings with their reasons, screenings (date, outcome, decision; never
the lists' entries, scores or thresholds, which are not the customer's data), risk assessments,
sale decisions, sign-offs, confirmation prints, follow-ups and their recorded outcomes (staff's note
hidden on the printout), complaints, the customer's own evaluations of the service (stars, reasons,
comment, date; never the teller's figures) and counter sessions.

The file is a PDF encrypted with AES-256 (PDF 2.0 standard security handler, via pyHanko) under a
password given to the customer apart from the file: every PDF reader opens it (browsers, Adobe
Reader, phones, macOS Preview), whereas an AES-encrypted ZIP does not open in the ZIP support built
into Windows. It holds the values in clear: it is the customer's own copy. The printout is the same
document unencrypted, with identifiers masked (GB/T 35273 practice: paper may be lost). Both are
audited with ids and codes only; the file is written atomically (``write_bytes_atomic``).
"""
from __future__ import annotations

import io
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.atomicfile import write_bytes_atomic
from counterdesk.base.branchtime import format_time
from counterdesk.base.follow_up_codes import CHANNELS, KINDS, OUTCOMES
from counterdesk.base.pdffont import FONT, MARGIN, PAGE_W, register_font
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.forms import Form
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import masking
from counterdesk.services.customers.common import load_customer
from counterdesk.services.customers.data_rights import REASONS, RULES, restriction_in
from counterdesk.services.customers.forms_store import form_for
from counterdesk.services.evaluations.codes import REASONS as EVALUATION_REASONS
from counterdesk.services.evaluations.codes import STATUSES as EVALUATION_STATUSES
from counterdesk.store import audit
from counterdesk.store.models.assessment import Assessment
from counterdesk.store.models.core import User
from counterdesk.store.models.customers import AmlRating, Consent, CounterSessionRecord, CustomerVersion
from counterdesk.store.models.due_diligence import CustomerDocumentImage, FollowUpCall
from counterdesk.store.models.evaluations import CustomerEvaluation
from counterdesk.store.models.follow_ups import FollowUpOutcome
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.sanctions import Screening
from counterdesk.store.models.signoff import ConfirmationPrint, FollowUpTask, Signoff
from counterdesk.store.stores import table_exists

PASSWORD_MIN = 10
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")  # stored times, shown in the branch's time zone
# No look-alikes (0/O, 1/l/I): the password is read out or written down for the customer.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


class ExportError(CounterDeskError):
    code = "export"


Row = list[tuple[Text, str]]


@dataclass(frozen=True)
class ExportSection:
    key: str
    title: Text
    rows: list[Row] = field(default_factory=list)  # one list of (label, value) per record


@dataclass(frozen=True)
class CustomerExport:
    customer_id: str
    masked: bool
    generated_at: str
    sections: list[ExportSection]

    def section(self, key: str) -> ExportSection:
        return next(s for s in self.sections if s.key == key)


def L(zh: str, en: str) -> Text:
    return Text(zh, en)


TITLES: dict[str, Text] = {
    "customer": L("客户", "Customer"),
    "restriction": L("限制处理", "Restricted processing"),
    "versions": L("客户资料（各版本）", "Customer data (every version)"),
    "consents": L("同意记录", "Consents"),
    "document_copies": L("证件影印件（仅元数据）", "Identity document copies (metadata only)"),
    "aml_ratings": L("反洗钱风险等级", "AML risk ratings"),
    "screenings": L("名单筛查", "Sanctions screenings"),
    "assessments": L("风险承受能力评估", "Risk-tolerance assessments"),
    "sale_decisions": L("适当性判断", "Sale decisions"),
    "signoffs": L("签署确认", "Sign-offs"),
    "confirmations": L("确认书打印记录", "Confirmation prints"),
    "follow_ups": L("回访", "Follow-ups"),
    "follow_up_outcomes": L("回访结果", "Follow-up outcomes"),
    "complaints": L("投诉", "Complaints"),
    "evaluations": L("服务评价", "Evaluations of the service"),
    "sessions": L("柜台业务记录", "Counter sessions"),
}


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是 / yes" if value else "否 / no"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _coded(texts: dict[str, Text], code: str) -> str:
    """A stored code's text in both languages; the code itself when it has none (an older code)."""
    text = texts.get(code)
    return _both(text) if text is not None else code


def _field_rows(form: Form | None, data: dict[str, Any], masked: bool) -> Row:
    rows: Row = []
    known = set()
    for f in form.fields() if form is not None else ():
        if f.key not in data:
            continue
        known.add(f.key)
        value = data[f.key]
        if f.type == "group" and isinstance(value, list):
            parts = []
            for item in value:
                if isinstance(item, dict):
                    parts.append("; ".join(f"{k}={masking.mask(s.mask, v) if masked and (s := f.subfield(k)) else v}"
                                           for k, v in item.items()))
            rows.append((f.label, " | ".join(parts)))
            continue
        option = f.option(value) if f.options else None
        if option is not None:
            rows.append((f.label, f"{option.label.zh} / {option.label.en}"))
        else:
            rows.append((f.label, _s(masking.mask(f.mask, value) if masked else value)))
    for key in sorted(set(data) - known):  # keys an older form had: their stored value, labelled by key
        rows.append((Text(key, key), masking.hide(data[key]) if masked else _s(data[key])))
    return rows


def _answers(raw: str) -> str:
    """question: chosen option, one per line (the stored answers also carry when and where each was given)."""
    try:
        answers = json.loads(raw or "{}")
    except ValueError:
        return raw
    if not isinstance(answers, dict):
        return _s(answers)
    return "\n".join(f"{q}: {v.get('option') if isinstance(v, dict) else _s(v)}" for q, v in answers.items())


def _both(text: Text) -> str:
    return f"{text.zh} / {text.en}"


def _evaluations(db: Session, customer_id: str, masked: bool) -> list[Row]:
    """The customer's own ratings of their sessions; the comment is their words (hidden on paper, like a
    complaint's)."""
    sessions = select(CounterSessionRecord.id).where(CounterSessionRecord.customer_id == customer_id)
    rows: list[Row] = []
    for e in db.scalars(select(CustomerEvaluation).where(CustomerEvaluation.session_id.in_(sessions))
                        .order_by(CustomerEvaluation.created_at)):
        status = EVALUATION_STATUSES.get(e.status)
        reasons = [EVALUATION_REASONS.get(code) or Text(code, code) for code in e.reasons.split(",") if code]
        row: Row = [(L("时间", "Time"), e.created_at),
                    (L("状态", "Status"), _both(status) if status is not None else e.status),
                    (L("评分（1-5 星）", "Stars (1-5)"), _s(e.stars)),
                    (L("原因", "Reasons"), "; ".join(_both(r) for r in reasons)),
                    (L("留言", "Comment"), (masking.hide(e.comment) if masked else e.comment) if e.comment else "")]
        if e.nps_asked:
            row.append((L("推荐意愿（0-10）", "Likelihood to recommend (0-10)"), _s(e.nps)))
        rows.append(row)
    return rows


def _follow_up_outcomes(db: Session, customer_id: str, masked: bool) -> list[Row]:
    """Each contact recorded from the follow-up list, kind, outcome and channel in both languages (as the
    form's options are). The note is staff's working note about the customer: in the customer's file,
    hidden on paper."""
    rows: list[Row] = []
    for o, who in db.execute(select(FollowUpOutcome, User.display_name)
                             .join(User, User.id == FollowUpOutcome.recorded_by)
                             .where(FollowUpOutcome.customer_id == customer_id)
                             .order_by(FollowUpOutcome.recorded_at)):
        rows.append([(L("时间", "Time"), o.recorded_at), (L("类型", "Kind"), _coded(KINDS, o.kind)),
                     (L("结果", "Outcome"), _coded(OUTCOMES, o.outcome)),
                     (L("联系方式", "Channel"), _coded(CHANNELS, o.channel)),
                     (L("记录人", "Recorded by"), who),
                     (L("回访记录", "Note"), (masking.hide(o.note) if masked else o.note) if o.note else "")])
    return rows


def collect(db: Session, customer_id: str, masked: bool) -> CustomerExport:
    """Everything held about the customer, section by section (``masked``: identifiers de-identified)."""
    customer = load_customer(db, customer_id)
    cid = customer.id
    sections: list[ExportSection] = []

    def add(key: str, rows: list[Row]) -> None:
        sections.append(ExportSection(key, TITLES[key], rows))

    add("customer", [[(L("客户编号", "Customer id"), cid), (L("建档时间", "Created"), customer.created_at),
                      (L("状态", "Status"), customer.status),
                      (L("当前资料版本", "Current version"), str(customer.current_version))]])
    r = restriction_in(db, cid)
    add("restriction", [] if r is None else [[
        (L("客户申请时间", "Requested"), r.requested_at), (L("登记时间", "Recorded"), r.recorded_at),
        (L("原因", "Reason"), (REASONS.get(r.reason_code) or Text(r.reason_code, r.reason_code)).zh + " / "
         + (REASONS.get(r.reason_code) or Text(r.reason_code, r.reason_code)).en),
        (L("保存依据", "Retention basis"), RULES[r.basis].zh + " / " + RULES[r.basis].en if r.basis in RULES
         else r.basis),
        (L("保存至", "Kept until"), r.retain_until or "")]])
    versions = []
    for v in db.scalars(select(CustomerVersion).where(CustomerVersion.customer_id == cid)
                        .order_by(CustomerVersion.version)):
        try:
            form: Form | None = form_for(db, v.form_id, v.form_version, v.form_hash)
        except CounterDeskError:
            form = None
        versions.append([(L("版本", "Version"), str(v.version)), (L("时间", "Time"), v.created_at),
                         (L("修改原因", "Reason"), v.reason or ""), *_field_rows(form, json.loads(v.data), masked)])
    add("versions", versions)
    add("consents", [[(L("类型", "Type"), c.consent_type), (L("文本版本", "Text version"), str(c.text_version)),
                      (L("同意", "Granted"), _s(c.granted)), (L("时间", "Time"), c.recorded_at)]
                     for c in db.scalars(select(Consent).where(Consent.customer_id == cid)
                                         .order_by(Consent.recorded_at))])
    add("document_copies", [[
        (L("证件类型", "Document type"), d.doc_type),
        (L("证件号码", "Number"), masking.mask_id_number(d.number_norm) if masked else d.number_norm),
        (L("来源", "Source"), d.source), (L("格式", "Format"), f"{d.media_type} {d.width}×{d.height}"),
        (L("采集时间", "Captured"), d.captured_at),
        (L("保存年限", "Kept (years)"), f"{d.retention_years} ({d.retention_class})")]
        for d in db.scalars(select(CustomerDocumentImage).where(CustomerDocumentImage.customer_id == cid)
                            .order_by(CustomerDocumentImage.captured_at))])
    ratings = []
    for a in db.scalars(select(AmlRating).where(AmlRating.customer_id == cid).order_by(AmlRating.rated_at)):
        reasons = "; ".join(f"{x.get('zh', '')} / {x.get('en', '')}" for x in json.loads(a.reasons or "[]"))
        ratings.append([(L("等级", "Level"), a.level), (L("时间", "Time"), a.rated_at),
                        (L("规则版本", "Rules"), a.rules_version), (L("原因", "Reasons"), reasons)])
    add("aml_ratings", ratings)
    # Screening: the outcome and the decision, not what the lists hold or how close a name came.
    add("screenings", [[(L("时间", "Time"), s.created_at), (L("结果", "Outcome"), s.status),
                        (L("复核时间", "Reviewed"), s.disposition_at or ""),
                        (L("复核结论", "Decision"), s.disposition_reason_code or "")]
                       for s in db.scalars(select(Screening).where(Screening.subject_ref == cid)
                                           .order_by(Screening.created_at))])
    add("assessments", [[(L("时间", "Time"), a.created_at), (L("状态", "Status"), a.status),
                         (L("问卷", "Questionnaire"), f"{a.questionnaire_id} v{a.questionnaire_version}"),
                         (L("得分", "Score"), _s(a.score)), (L("等级", "Grade"), a.grade or ""),
                         (L("有效期至", "Valid until"), a.valid_until or ""),
                         (L("答案", "Answers"), _answers(a.answers))]
                        for a in db.scalars(select(Assessment).where(Assessment.customer_id == cid)
                                            .order_by(Assessment.created_at))])
    add("sale_decisions", [[(L("时间", "Time"), d.decided_at), (L("产品", "Product"), d.product_code),
                            (L("金额", "Amount"), d.amount), (L("结论", "Outcome"), d.outcome),
                            (L("客户主动购买", "Customer-initiated"), _s(d.customer_initiated))]
                           for d in db.scalars(select(SaleDecision).where(SaleDecision.customer_id == cid)
                                               .order_by(SaleDecision.decided_at))])
    signoffs = list(db.scalars(select(Signoff).where(Signoff.customer_id == cid).order_by(Signoff.created_at)))
    add("signoffs", [[(L("确认书编号", "Document number"), s.document_number or ""), (L("状态", "Status"), s.status),
                      (L("签署时间", "Signed"), s.signed_at or ""), (L("完成时间", "Completed"), s.completed_at or ""),
                      (L("冷静期至", "Cooling-off until"), s.cooling_off_until or "")] for s in signoffs])
    ids = [s.id for s in signoffs]
    add("confirmations", [[(L("确认书", "Sign-off"), p.signoff_id), (L("联次", "Copy"), p.copy),
                           (L("打印时间", "Printed"), p.printed_at)]
                          for p in db.scalars(select(ConfirmationPrint).where(ConfirmationPrint.signoff_id.in_(ids))
                                              .order_by(ConfirmationPrint.printed_at))])
    follow = [[(L("回访任务", "Follow-up task"), t.status), (L("到期", "Due"), t.due_at),
               (L("完成", "Done"), t.done_at or ""), (L("结果", "Outcome"), t.outcome or "")]
              for t in db.scalars(select(FollowUpTask).where(FollowUpTask.signoff_id.in_(ids)))]
    follow += [[(L("回访电话", "Follow-up call"), c.outcome), (L("时间", "Time"), c.called_at)]
               for c in db.scalars(select(FollowUpCall).where(FollowUpCall.signoff_id.in_(ids))
                                   .order_by(FollowUpCall.called_at))]
    add("follow_ups", follow)
    add("follow_up_outcomes", _follow_up_outcomes(db, cid, masked))
    complaints: list[Row] = []
    conn = db.connection()
    if table_exists(conn, "complaints"):
        result = conn.exec_driver_sql(
            "SELECT reference, received_at, category, status, due_on, outcome, words FROM complaints "
            "WHERE customer_id = ? ORDER BY received_at", (cid,))
        for ref, received, category, status, due_on, outcome, words in result:
            complaints.append([(L("编号", "Reference"), ref), (L("受理时间", "Received"), received),
                               (L("类别", "Category"), category), (L("状态", "Status"), status),
                               (L("期限", "Due"), due_on), (L("结果", "Outcome"), outcome or ""),
                               (L("投诉内容", "The customer's words"), masking.hide(words) if masked else words)])
    add("complaints", complaints)
    add("evaluations", _evaluations(db, cid, masked))
    add("sessions", [[(L("时间", "Time"), s.created_at), (L("状态", "Status"), s.status),
                      (L("终止原因", "Stop reason"), s.stop_reason_code or "")]
                     for s in db.scalars(select(CounterSessionRecord).where(CounterSessionRecord.customer_id == cid)
                                         .order_by(CounterSessionRecord.created_at))])
    return CustomerExport(cid, masked, datetime.now(UTC).isoformat(timespec="seconds"), sections)


# ---- the PDF ------------------------------------------------------------------------------------------------

def render(export: CustomerExport, lang: str = "zh") -> bytes:
    """The export as an A4 PDF with the embedded CJK font: headings in ``lang``, labels in both languages."""
    register_font()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=15, leading=21, spaceAfter=2 * mm)
    head = ParagraphStyle("h", parent=base, fontSize=11.5, leading=17, spaceBefore=4 * mm, spaceAfter=1.5 * mm,
                          keepWithNext=1)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#444444"))

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def t(x: Text) -> str:
        return x.zh if lang == "zh" else x.en

    story: list[Any] = [
        p(t(L("个人信息查阅副本", "Copy of your personal information")), title),
        p(t(L("依据《个人信息保护法》第四十四、四十五条，应客户查阅、复制请求提供。",
              "Provided at the customer's request to access and copy their data (PIPL Arts 44-45).")), small),
        p(t(L("生成时间：", "Generated: ")) + format_time(export.generated_at, lang), small),
    ]
    if export.masked:
        story.append(p(t(L("纸质打印件：证件号码、电话等标识信息已去标识化显示。",
                           "Printout: identifiers such as document numbers and phone numbers are masked.")), small))
    width = PAGE_W - 2 * MARGIN
    for section in export.sections:
        story.append(p(f"{t(section.title)}（{len(section.rows)}）" if lang == "zh"
                       else f"{t(section.title)} ({len(section.rows)})", head))
        if not section.rows:
            story.append(p(t(L("无记录", "None")), small))
        for record in section.rows:
            data = [[p(t(label)), p(format_time(value, lang) if _MOMENT.match(value) else value)]
                    for label, value in record]
            table = Table(data, colWidths=[0.3 * width, 0.7 * width])
            table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9),
                                       ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
                                       ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F3F3F3")),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [table, Spacer(1, 2 * mm)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
                            title=t(L("个人信息查阅副本", "Copy of your personal information")), author="CounterDesk")
    doc.build(story, canvasmaker=_Canvas)
    return buf.getvalue()


class _Canvas(rl_canvas.Canvas):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initialFontName"] = FONT  # otherwise reportlab references a non-embedded Helvetica
        kwargs["initialFontSize"] = 9
        super().__init__(*args, **kwargs)


def encrypt_pdf(pdf: bytes, password: str) -> bytes:
    """AES-256 (PDF 2.0) with ``password`` to open; the owner password is random and never kept."""
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    writer.encrypt(owner_pass=secrets.token_urlsafe(24), user_pass=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def new_password(length: int = 12) -> str:
    """A password to hand to the customer apart from the file."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class ExportInfo:
    customer_id: str
    sections: dict[str, int]  # section -> records
    path: Path | None
    pdf: bytes  # the file's bytes (encrypted) or the printout


def _export(vault: Vault, us: SignedInUser, customer_id: str, masked: bool, lang: str, kind: str,
            finish: Callable[[bytes], tuple[bytes, Path | None]]) -> ExportInfo:
    require(us.role, "privacy.manage")
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}")

    def work(db: Session) -> ExportInfo:
        export = collect(db, customer_id, masked)
        pdf = render(export, lang)
        counts = {s.key: len(s.rows) for s in export.sections}
        # In the transaction that read, before the file is written: a failed write rolls the entry back,
        # and no export leaves without its entry.
        audit.append(db, us.actor, "privacy.access_exported", "customer", export.customer_id,
                     {"format": kind, "encrypted": kind == "encrypted_pdf", "language": lang,
                      "sections": sorted(k for k, n in counts.items() if n), "count": sum(counts.values())})
        data, path = finish(pdf)
        return ExportInfo(export.customer_id, counts, path, data)
    return vault.transact(work)


def export_encrypted(vault: Vault, us: SignedInUser, customer_id: str, path: Path | str, password: str,
                     lang: str = "zh") -> ExportInfo:
    """Write the complete export, AES-256 encrypted under ``password``, atomically to ``path``."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ExportError(Text(f"密码至少 {PASSWORD_MIN} 位。",
                               f"The password needs at least {PASSWORD_MIN} characters."), code="export_password")
    target = Path(path)

    def finish(pdf: bytes) -> tuple[bytes, Path | None]:
        data = encrypt_pdf(pdf, password)
        write_bytes_atomic(target, data)
        return data, target
    return _export(vault, us, customer_id, False, lang, "encrypted_pdf", finish)


def printout(vault: Vault, us: SignedInUser, customer_id: str, lang: str = "zh") -> ExportInfo:
    """The export as a PDF to print (identifiers masked)."""
    return _export(vault, us, customer_id, True, lang, "printout", lambda pdf: (pdf, None))
