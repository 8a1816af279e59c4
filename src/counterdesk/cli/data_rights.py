"""counterdesk-admin retention / privacy: the retention job and a customer's data-rights requests
(registered by cli.build_parser). Same core as the GUI; never import PySide6 here.

    counterdesk-admin --user admin retention run --dry-run      # list what is due, change nothing
    counterdesk-admin --user admin retention run                # purge it, leaving tombstones
    counterdesk-admin --user supervisor privacy restrict CUSTOMER_ID [--requested-at ISO]
    counterdesk-admin --user supervisor privacy export CUSTOMER_ID --out FILE.pdf

The export is AES-256 encrypted; its password is generated and printed once, to be handed to the
customer apart from the file. The listings show ids, rules and counts, never personal data.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from counterdesk.base.text import Text
from counterdesk.cli import common
from counterdesk.cli.common import signed_in
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import data_rights
from counterdesk.services.privacy import export
from counterdesk.services.retention import job

HEAD = (Text("客户", "customer"), Text("保存依据", "rule"), Text("起算", "counted from"), Text("年限", "years"),
        Text("到期", "until"), Text("记录数", "rows"), Text("状态", "state"))
NONE = Text("没有超过保存期限的记录。", "Nothing has passed its retention period.")
DRY = Text("试运行：以上 {n} 位客户的 {rows} 条记录将被清除，本次未作任何更改。",
           "Dry run: {rows} records of the {n} customers above would be purged; nothing was changed.")
DONE = Text("已清除 {n} 位客户的 {rows} 条记录，并留下删除标记（tombstone）。",
            "Purged {rows} records of {n} customers, leaving a tombstone for each.")
HELD = Text("暂缓（有投诉在案）", "held (complaint on file)")
DUE = Text("到期", "due")
PURGED = Text("已清除", "purged")
RESTRICTED = Text("已限制处理：{message}", "Processing restricted: {message}")
EXPORTED = Text("已写入加密文件 {path}（{count} 条记录）。打开密码（单独交给客户，不会再次显示）：{password}",
                "Encrypted file written to {path} ({count} records). Password to open it (give it to the customer "
                "separately; it is not shown again): {password}")


def cmd_retention_run(ctx, vault: Vault, us, _pw: str) -> int:
    today = date.fromisoformat(ctx.args.as_of) if ctx.args.as_of else None
    report = job.run(vault, us, dry_run=ctx.args.dry_run, today=today)
    if not report.candidates:
        ctx.say(NONE)
        return 0
    state = DUE if report.dry_run else PURGED
    common.table(ctx, HEAD, [[c.customer_id, c.basis.rule, c.basis.counted_from[:10], str(c.basis.years),
                              c.basis.until.isoformat(), str(c.total), ctx.t(HELD if c.held else state)]
                             for c in report.candidates])
    due = [c for c in report.candidates if c.held is None]
    ctx.say(DRY if report.dry_run else DONE, n=len(due), rows=sum(c.total for c in due))
    return 0


def cmd_restrict(ctx, vault: Vault, us, _pw: str) -> int:
    asked = datetime.fromisoformat(ctx.args.requested_at) if ctx.args.requested_at else None
    info = data_rights.restrict(vault, us, ctx.args.customer_id, ctx.args.reason, asked)
    ctx.say(RESTRICTED, message=ctx.t(info.message))
    return 0


def cmd_export(ctx, vault: Vault, us, _pw: str) -> int:
    password = export.new_password()
    info = export.export_encrypted(vault, us, ctx.args.customer_id, ctx.args.out, password, lang=ctx.lang)
    ctx.say(EXPORTED, path=str(info.path), count=sum(info.sections.values()), password=password)
    return 0


def add_commands(sub, leaf: Callable) -> None:
    """Add the `retention` and `privacy` groups (``leaf`` is cli.build_parser's helper)."""
    group = sub.add_parser("retention", help="保存期限 / retention").add_subparsers(
        dest="retention_command", required=True, metavar="ACTION")
    p = leaf(group, "run", "清除超过保存期限的记录 / purge what has passed its retention period",
             signed_in(cmd_retention_run))
    p.add_argument("--dry-run", action="store_true", help="list what is due without changing anything")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", default=None, help="the day to judge by (default: today)")
    group = sub.add_parser("privacy", help="个人信息权利 / data-rights requests").add_subparsers(
        dest="privacy_command", required=True, metavar="ACTION")
    p = leaf(group, "restrict", "登记保存期内的删除请求（限制处理）/ record a deletion request during a retention "
             "period (restrict processing)", signed_in(cmd_restrict))
    p.add_argument("customer_id")
    p.add_argument("--reason", choices=sorted(data_rights.REASONS), default=data_rights.DELETION_REQUEST)
    p.add_argument("--requested-at", metavar="ISO", default=None, help="when the customer asked (default: now)")
    p = leaf(group, "export", "导出客户个人信息（加密 PDF）/ export a customer's data (encrypted PDF)",
             signed_in(cmd_export))
    p.add_argument("customer_id")
    p.add_argument("--out", required=True, metavar="FILE")
