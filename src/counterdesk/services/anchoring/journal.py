"""The end-of-day journal (日终流水): one printed page per workstation and day that anchors the history
on paper, for a workstation without a hub (and as a second anchor for any).

It lists the day's audit entries by action and the records changed by table (counts only, no
personal data), and the closing head of each chain as a short code a person can type back and as a
QR code (``daycode``). Kept in the branch safe, it lets ``verify --checkpoint CODE`` show that history
up to that evening was not rewritten or cut short since. The PDF embeds its font and is signed with
the branch certificate when the branch has one; printing it is audited.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.branchtime import BRANCH_TZ, branch_day, format_time
from counterdesk.base.checks import CheckResult
from counterdesk.base.pdffont import FONT, MARGIN, register_font
from counterdesk.base.qrcode import QrFlowable
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Result, Text
from counterdesk.services.anchoring import daycode
from counterdesk.services.anchoring.chains import CHAINS, Chain, by_name, day_counts
from counterdesk.services.anchoring.check import say
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation.certstore import branch_signer
from counterdesk.services.confirmation.signing import sign_pdf

PERMISSION = "audit.view"
TITLE = Text("日终流水核对", "The printed end-of-day journal")
FUTURE = Text("不能打印未来日期的日终流水：{day}", "A journal cannot be printed for a day still to come: {day}")
EMPTY = Text("{day} 及之前没有任何记录，无日终流水可打印。",
             "Nothing was recorded up to {day}: there is no journal to print.")
P_MATCH = Text("{title}与打印的日终流水一致：截至第 {seq} 条的历史未被改写。",
               "{title} matches the printed journal: history up to {entry} {seq} was not rewritten.")
P_DIFFERS = Text("{title}与打印的日终流水不符：第 {seq} 条的哈希不同，截至该条的历史已被改写。",
                 "{title} does not match the printed journal: {entry} {seq} has another hash; history up to it "
                 "was rewritten.")
P_MISSING = Text("{title}只到第 {have} 条，而打印的日终流水记录至第 {seq} 条："
                 "{entries} {first}-{seq} 已被删除（链被截短）。",
                 "{title} ends at entry {have} but the printed journal records it up to {entry} {seq}: {entries} "
                 "{first}-{seq} were removed (the chain was cut short).")

WORDS = {
    "title": Text("日终流水", "End-of-day journal"),
    "branch": Text("网点", "Branch"), "workstation": Text("工作站", "Workstation"),
    "day": Text("营业日", "Business day"),
    "printed": Text("打印时间", "Printed at"), "by": Text("打印人", "Printed by"),
    "audit": Text("当日审计记录（按操作统计）", "The day's audit entries, by action"),
    "records": Text("当日记录变动（按表统计）", "The day's record changes, by table"),
    "action": Text("操作", "action"), "table": Text("表", "table"), "count": Text("条数", "count"),
    "total": Text("合计", "total"), "none": Text("（无）", "(none)"),
    "heads": Text("日终链头", "Closing heads of the chains"),
    "chain": Text("链", "chain"), "seq": Text("序号", "entry"), "last": Text("最后记录时间", "last entry at"),
    "hash": Text("链头 SHA-256", "head SHA-256"),
    "code": Text("核对代码", "Check code"),
    "how": Text("请将本页存放于网点保险柜。核对历史记录是否被改写：counterdesk-admin verify --checkpoint 代码"
                "（逐组输入上方代码，或扫描二维码）。",
                "Keep this page in the branch safe. To check that history was not rewritten since: "
                "counterdesk-admin verify --checkpoint CODE (type the code above group by group, or scan the QR)."),
    "signed": Text("本文件已用网点证书签名。", "This file is signed with the branch certificate."),
    "unsigned": Text("本文件未签名（网点未设置证书）：打印件即为锚定凭证。",
                     "This file is not signed (the branch has no certificate): the printed page is the anchor."),
}


@dataclass(frozen=True)
class ClosingHead:
    chain: str
    title: Text
    seq: int
    head: str
    last_at: str | None


@dataclass(frozen=True)
class DayJournal:
    day: date
    branch_code: str
    branch_name: str
    workstation: str
    actions: dict[str, int]
    tables: dict[str, int]
    heads: tuple[ClosingHead, ...]
    printed_at: datetime
    printed_by: str

    @property
    def code(self) -> str:
        return daycode.encode(self._code_heads())

    @property
    def qr(self) -> str:
        return daycode.qr_payload(self.day.isoformat(), self._code_heads())

    def _code_heads(self) -> list[daycode.ChainHead]:
        return [daycode.ChainHead(h.chain, h.seq, h.head) for h in self.heads if h.seq]


def _bounds(day: date) -> tuple[str, str]:
    """The branch day [start, end) as UTC ISO strings in the store's format."""
    start = datetime.combine(day, time(0), BRANCH_TZ).astimezone(UTC)
    end = start + timedelta(days=1)
    return start.isoformat(timespec="microseconds"), end.isoformat(timespec="microseconds")


def day_journal(vault: Vault, us: SignedInUser, day: date | None = None) -> DayJournal:
    """What the journal of ``day`` (the branch's today by default) shows."""
    require(us.role, PERMISSION)
    now = datetime.now(UTC)
    day = day or branch_day(now)
    if day > branch_day(now):
        raise CounterDeskError(FUTURE.format(day=day.isoformat()), code="journal_future")
    start, end = _bounds(day)

    def read(db: Session) -> tuple[dict[str, int], dict[str, int], list[ClosingHead]]:
        actions, tables = day_counts(db, start, end)
        heads = [ClosingHead(c.name, c.title, *c.head_before(db, end)) for c in CHAINS]
        return actions, tables, heads
    actions, tables, heads = vault.transact(read)
    if not any(h.seq for h in heads):
        raise CounterDeskError(EMPTY.format(day=day.isoformat()), code="journal_empty")
    return DayJournal(day, vault.info.branch_code, vault.info.branch_name, vault.info.workstation, actions, tables,
                      tuple(heads), now, us.username)


@dataclass(frozen=True)
class PrintedJournal:
    pdf: bytes
    journal: DayJournal
    signed: bool


def print_journal(vault: Vault, us: SignedInUser, day: date | None = None, lang: str = "zh") -> PrintedJournal:
    """The journal PDF (signed when the branch has a certificate); the print is audited."""
    journal = day_journal(vault, us, day)
    try:
        signer = branch_signer(vault, us)
    except CounterDeskError as exc:
        if exc.code != "no_certificate":
            raise
        signer = None
    pdf = render_journal(journal, lang, signed=signer is not None)
    if signer is not None:
        pdf = sign_pdf(pdf, signer, reason="CounterDesk end-of-day journal")
    audit_seq = next(h.seq for h in journal.heads if h.chain == "audit")
    ledger_seq = next((h.seq for h in journal.heads if h.chain == "records"), 0)
    vault.record(us, "journal.printed", "journal", journal.day.isoformat(),
                 {"day": journal.day.isoformat(), "seq": audit_seq, "ledger_seq": ledger_seq,
                  "mode": "signed" if signer is not None else "unsigned"})
    return PrintedJournal(pdf, journal, signer is not None)


# ---- checking a printed code ---------------------------------------------------------------------------

def check_printed(vault: Vault, code: str) -> CheckResult:
    """History against a code from a printed journal: each chain must still hold the printed head at
    the printed position. A mistyped code is reported as such, never as tampering."""
    result, notes = Result(), []
    try:
        printed = daycode.parse(code)
    except daycode.CodeError as exc:
        result.add("checkpoint", exc.code, exc.text)
        return CheckResult("printed", TITLE, result)
    for item in printed:
        chain = by_name(item.chain)
        assert chain is not None  # daycode knows only the chains that exist
        at, have = vault.transact(partial(_position, chain=chain, seq=item.seq))
        if not at or at[0][0] != item.seq:
            result.add(item.chain, "printed_missing", say(P_MISSING, title=chain.title, entry=chain.entry,
                                                          entries=chain.entries, have=have, seq=item.seq,
                                                          first=have + 1))
        elif not item.matches(at[0][1]):
            result.add(item.chain, "printed_differs", say(P_DIFFERS, title=chain.title, entry=chain.entry,
                                                          seq=item.seq))
        else:
            notes.append(say(P_MATCH, title=chain.title, entry=chain.entry, seq=item.seq))
    return CheckResult("printed", TITLE, result, tuple(notes))


def _position(db: Session, chain: Chain, seq: int) -> tuple[list[tuple[int, str]], int]:
    """([(seq, hash)] of the entry at ``seq`` if it exists, the chain's last seq)."""
    return chain.hashes(db, seq - 1)[:1], chain.head(db)[0]


# ---- the PDF ---------------------------------------------------------------------------------------------

def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Canvas(rl_canvas.Canvas):
    def __init__(self, *args, **kwargs):
        kwargs["initialFontName"] = FONT  # otherwise reportlab references a non-embedded Helvetica
        kwargs["initialFontSize"] = 10
        super().__init__(*args, **kwargs)


def render_journal(journal: DayJournal, lang: str = "zh", signed: bool = False) -> bytes:
    register_font()
    w = {k: v.get(lang) for k, v in WORDS.items()}
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#444444"))
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=TA_CENTER)
    heading = ParagraphStyle("h", parent=base, fontSize=11.5, leading=16, spaceBefore=4 * mm, spaceAfter=1.5 * mm)
    # No wordWrap="CJK" here: the code breaks only where it is split, one chain per line.
    big = ParagraphStyle("code", fontName=FONT, fontSize=14, leading=20, alignment=TA_CENTER)

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    def grid(rows: list[list[object]], widths: list[float], header: bool = True) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
        style = [("FONT", (0, 0), (-1, -1), FONT, 9), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                 ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")))
        table.setStyle(TableStyle(style))
        return table

    def counts(data: dict[str, int], label: str) -> Table:
        rows: list[list[object]] = [[label, w["count"]]]
        rows += [[name, str(n)] for name, n in sorted(data.items())] or [[w["none"], ""]]
        rows.append([w["total"], str(sum(data.values()))])
        return grid(rows, [110 * mm, 30 * mm])

    story: list[Flowable] = [p(w["title"], title), Spacer(1, 3 * mm), grid([
        [w["branch"], f"{journal.branch_name} ({journal.branch_code})"], [w["workstation"], journal.workstation],
        [w["day"], journal.day.isoformat()], [w["printed"], format_time(journal.printed_at, lang, seconds=True)],
        [w["by"], journal.printed_by]], [40 * mm, 134 * mm], header=False)]
    # The anchor first, on page 1 however long the day was: the code, the QR, how to check.
    code_lines = Paragraph(escape(journal.code).replace("-R", "-<br/>R"), big)
    qr = QrFlowable(journal.qr, size=42 * mm, align="CENTER")
    anchor = Table([[[code_lines, Spacer(1, 3 * mm), p(w["how"], small),
                      p(w["signed" if signed else "unsigned"], small)], qr]],
                   colWidths=[128 * mm, 46 * mm])
    anchor.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9), ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                                ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [p(w["code"], heading), KeepTogether([anchor])]
    heads: list[list[object]] = [[w["chain"], w["seq"], w["last"], w["hash"]]]
    heads += [[_capital(h.title.get(lang)), str(h.seq), format_time(h.last_at, lang) if h.last_at else "-",
               p(h.head or "-", small)] for h in journal.heads]
    story += [p(w["heads"], heading), grid(heads, [32 * mm, 18 * mm, 44 * mm, 80 * mm])]
    story += [p(w["audit"], heading), counts(journal.actions, w["action"])]
    story += [p(w["records"], heading), counts(journal.tables, w["table"])]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
                            title=f"{WORDS['title'].get(lang)} {journal.branch_code} {journal.day.isoformat()}",
                            author="CounterDesk", subject=journal.qr)
    doc.build(story, canvasmaker=_Canvas)
    return out.getvalue()
