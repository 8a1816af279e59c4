"""The blank paper questionnaire: A4, numbered, with the CJK font embedded.

Each blank form gets a number RQ-<branch>-<YYYYMMDD>-<sequence> (sequence per branch and CST day),
recorded in paper_forms with the exact questionnaire version, so answers keyed in later name the
physical form they came from and an invented number is refused. The number, the questionnaire
version and hash prefix, and "page x of y" are printed on every page. The font is embedded (a subset)
because poppler without poppler-data drops non-embedded Chinese glyphs, and an archived form must
render the same everywhere.
"""
from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.atomicfile import write_bytes_atomic
from counterdesk.base.pdffont import FONT, MARGIN, PAGE_H, PAGE_W, register_font, tokens, wrap
from counterdesk.base.roles import require
from counterdesk.forms.questionnaire import Questionnaire
from counterdesk.forms.registry import load_questionnaire
from counterdesk.grading.rules import local_day
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.forms_store import store_definition
from counterdesk.store import audit
from counterdesk.store.models.assessment import PaperForm

# Font and page helpers are shared with the confirmation PDF (counterdesk.base.pdffont).
_register_font = register_font
_wrap = wrap
_tokens = tokens


L = {
    "zh": {"number": "问卷编号", "page": "第 {x} 页 / 共 {y} 页", "version": "问卷版本",
           "instruction": "请在每题选中的选项前的方框内打“√”，每题只选一项。本问卷须由客户本人亲自填写。",
           "sign": "客户签名：", "date": "日期：", "declare": "本人确认以上答案由本人亲自填写，真实、准确、完整。"},
    "en": {"number": "Form number", "page": "Page {x} of {y}", "version": "Questionnaire version",
           "instruction": "Tick the box of one answer for each question. "
                          "The customer must fill in this form personally.",
           "sign": "Customer's signature:", "date": "Date:",
           "declare": "I confirm that I filled in these answers myself and that they are true, accurate and complete."},
}


def render_blank(q: Questionnaire, form_number: str, lang: str = "zh") -> bytes:
    """The PDF bytes of a blank questionnaire (pure: no database)."""
    _register_font()
    lang = "en" if lang.startswith("en") else "zh"
    words = L[lang]
    form = q.form
    width = PAGE_W - 2 * MARGIN
    # Lay out first as (page, y, size, text, kind) so the page count is known before drawing.
    items: list[tuple[int, float, float, float, str, str]] = []  # page, x, y, size, text, kind
    page, y = 0, PAGE_H - MARGIN - 14 * mm
    bottom = MARGIN + 14 * mm

    def need(height: float) -> None:
        nonlocal page, y
        if y - height < bottom:
            page, y = page + 1, PAGE_H - MARGIN - 14 * mm

    def para(text: str, size: float, indent: float = 0.0, kind: str = "text", gap: float = 1.5) -> None:
        nonlocal y
        for line in _wrap(text, size, width - indent):
            need(size * 1.45)
            y -= size * 1.45
            items.append((page, MARGIN + indent, y, size, line, kind))
        y -= gap

    para(form.title.get(lang), 15, kind="title", gap=4)
    if form.description is not None:
        para(form.description.get(lang), 9.5, gap=2)
    para(words["instruction"], 9.5, gap=6)
    number = 0
    for section in form.sections:
        need(40)
        para(section.title.get(lang), 12, kind="title", gap=3)
        for f in section.fields:
            number += 1
            need(12 * 1.45 * (len(f.options) + 2))  # keep a question with its options
            para(f"{number}. {f.label.get(lang)}", 10.5, gap=1)
            for o in f.options:
                para(o.label.get(lang), 10, indent=10 * mm, kind="option", gap=0.5)
            y -= 4
    need(40 * mm)
    y -= 6
    para(words["declare"], 10, gap=10)
    items.append((page, MARGIN, y - 12, 10.5, words["sign"], "sign"))
    items.append((page, MARGIN + width * 0.6, y - 12, 10.5, words["date"], "date"))

    pages = page + 1
    buf = io.BytesIO()
    # The initial font too: otherwise reportlab references a non-embedded Helvetica on every page.
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, initialFontName=FONT, initialFontSize=10)
    c.setTitle(f"{form.title.get(lang)} {form_number}")
    c.setCreator("CounterDesk")
    for p in range(pages):
        c.setFont(FONT, 8.5)
        c.drawString(MARGIN, PAGE_H - MARGIN, f"{words['number']}: {form_number}")
        c.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN, f"{words['version']}: {q.ref} ({q.hash[:12]})")
        c.line(MARGIN, PAGE_H - MARGIN - 3 * mm, PAGE_W - MARGIN, PAGE_H - MARGIN - 3 * mm)
        c.drawString(MARGIN, MARGIN, form_number)
        c.drawRightString(PAGE_W - MARGIN, MARGIN, words["page"].format(x=p + 1, y=pages))
        for (ip, x, iy, size, text, kind) in items:
            if ip != p:
                continue
            c.setFont(FONT, size)
            if kind == "option":
                c.rect(x - 6 * mm, iy - 0.5, 3.6 * mm, 3.6 * mm)
            c.drawString(x, iy, text)
            if kind in ("sign", "date"):
                start = x + pdfmetrics.stringWidth(text, FONT, size) + 2 * mm
                c.line(start, iy - 1.5, start + (55 * mm if kind == "sign" else 35 * mm), iy - 1.5)
        c.showPage()
    c.save()
    return buf.getvalue()


def _next_number(db: Session, branch: str, now: datetime) -> str:
    prefix = f"RQ-{branch}-{local_day(now):%Y%m%d}-"
    count = db.execute(select(func.count()).select_from(PaperForm).where(
        PaperForm.form_number.like(prefix.replace("%", r"\%").replace("_", r"\_") + "%", escape="\\"))).scalar_one()
    return f"{prefix}{count + 1:04d}"


def blank_questionnaire_pdf(vault: Vault, us: SignedInUser, lang: str = "zh",
                            questionnaire: Questionnaire | None = None,
                            now: datetime | None = None) -> tuple[str, bytes]:
    """Issue a numbered blank questionnaire: records the number (audited) and returns (number, PDF)."""
    require(us.role, "assessment.run")
    q = questionnaire or load_questionnaire()
    moment = now or datetime.now(UTC)
    branch = "".join(ch for ch in str(vault.info.branch_code) if ch.isalnum()).upper() or "BR"
    lang = "en" if lang.startswith("en") else "zh"

    def write(db: Session) -> str:
        store_definition(db, q.form)
        number = _next_number(db, branch, moment)
        db.add(PaperForm(form_number=number, form_id=q.id, form_version=q.version, form_hash=q.hash,
                              language=lang, issued_at=moment.astimezone(UTC).isoformat(timespec="microseconds"),
                              issued_by=us.user_id))
        db.flush()
        audit.append(db, us.actor, "paper_form.issued", "paper_form", number,
                     {"form": q.ref, "language": lang, "form_number": number})
        return number
    number = vault.transact(write)
    return number, render_blank(q, number, lang)


def save_pdf(path: Path | str, data: bytes) -> None:
    """Write a PDF so a crash never leaves half a file (counterdesk.base.atomicfile)."""
    write_bytes_atomic(path, data, mode=0o600)
