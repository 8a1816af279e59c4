"""counterdesk-admin journal: the end-of-day journal (日终流水) as a PDF to print (registered by
cli.build_parser).

    counterdesk-admin --user admin journal [--date YYYY-MM-DD] --out FILE.pdf

The page lists the day's audit entries by action and the records changed by table (counts only), and
the closing heads of the audit log and the records ledger as a short code and a QR code; keep it in
the branch safe and check later with ``counterdesk-admin verify --checkpoint CODE``. The journal is
signed with the branch certificate when there is one; printing it is audited. Never import PySide6 here.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from counterdesk.base.atomicfile import write_bytes_atomic
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.cli.common import signed_in
from counterdesk.services.anchoring import daycode
from counterdesk.services.anchoring.journal import print_journal
from counterdesk.services.auth.vault import Vault

WRITTEN = Text("已生成 {day} 的日终流水：{path}", "End-of-day journal of {day} written to {path}")
HEADS = Text("{title}：截至第 {seq} 条", "{title}: up to entry {seq}")
CODE = Text("核对代码：{code}", "Check code: {code}")
SIGNED = Text("已用网点证书签名。请打印并存放于网点保险柜。",
              "Signed with the branch certificate. Print it and keep it in the branch safe.")
UNSIGNED = Text("网点未设置证书，文件未签名：打印件即为锚定凭证，请存放于网点保险柜。",
                "The branch has no certificate, the file is not signed: the printed page is the anchor; keep it in "
                "the branch safe.")
CHECK_LATER = Text("日后核对：counterdesk-admin verify --checkpoint {code}", "To check later: counterdesk-admin "
                   "verify --checkpoint {code}")
NO_WRITE = Text("无法写入文件：{path}", "Cannot write the file: {path}")


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {raw}") from None


def checkpoint_code(raw: str) -> str:
    """The argument type of ``verify --checkpoint``: a mistyped or malformed code is a usage error
    (exit 1) with its reason, never reported as tampering."""
    try:
        daycode.parse(raw)
    except daycode.CodeError as exc:
        raise argparse.ArgumentTypeError(f"{exc.text.zh} / {exc.text.en}") from None
    return raw


def cmd_journal(ctx, vault: Vault, us, _pw: str) -> int:
    out = Path(ctx.args.out)
    printed = print_journal(vault, us, ctx.args.date, lang=ctx.lang)
    journal = printed.journal
    try:
        write_bytes_atomic(out, printed.pdf)
    except OSError:
        raise CounterDeskError(NO_WRITE.format(path=out), code="no_write") from None
    ctx.say(WRITTEN, day=journal.day.isoformat(), path=out)
    for head in journal.heads:
        ctx.say(HEADS, title=head.title.get(ctx.lang), seq=head.seq)
    ctx.say(CODE, code=journal.code)
    ctx.say(SIGNED if printed.signed else UNSIGNED)
    ctx.say(CHECK_LATER, code=journal.code)
    return 0


def add_commands(sub, leaf: Callable) -> None:
    """Add `journal` to the top-level subparsers (``leaf`` is cli.build_parser's helper)."""
    p = leaf(sub, "journal", "打印日终流水（审计摘要与链头核对代码）/ the end-of-day journal (audit summary and "
             "the chains' closing heads as a check code)", signed_in(cmd_journal))
    p.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="the business day (default: today, branch time)")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
