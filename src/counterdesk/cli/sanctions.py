"""counterdesk-admin sanctions: import and list the sanctions lists (registered by cli.build_parser).

    counterdesk-admin --user admin sanctions import FILE [ALT_FILE] [--format F] [--source NAME] [--published DATE]
    counterdesk-admin --user admin sanctions list

Same core as the GUI (counterdesk.services.sanctions.lists): permission checks, all-or-nothing import and
audit entries are identical. Never import PySide6 here.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from counterdesk.base.text import CounterDeskError, Text
from counterdesk.cli import common
from counterdesk.cli.common import signed_in
from counterdesk.screening.records import FORMATS
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sanctions import lists

HEAD_LISTS = (Text("来源", "source"), Text("格式", "format"), Text("发布日期", "published"),
              Text("导入时间", "loaded at"), Text("导入人", "loaded by"), Text("条目数", "entries"),
              Text("状态", "status"), Text("SHA-256", "SHA-256"))
CURRENT, SUPERSEDED = Text("当前", "current"), Text("已被替换", "superseded")
NO_LISTS = Text("尚未导入任何制裁名单。", "No sanctions list has been imported.")
BAD_DATE = Text("日期格式应为 YYYY-MM-DD：{raw}", "The date must be YYYY-MM-DD: {raw}")
TOO_MANY = Text("最多两个文件（OFAC 的 sdn.csv 与 alt.csv）。", "At most two files (OFAC sdn.csv and alt.csv).")
SHA = Text("SHA-256：{sha}", "SHA-256: {sha}")


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(BAD_DATE.format(raw=raw).en) from None


def cmd_import(ctx, vault: Vault, us, _pw: str) -> int:
    a = ctx.args
    if len(a.files) > 2:
        raise CounterDeskError(TOO_MANY, code="too_many_files")
    result = lists.import_paths(vault, us, a.files, fmt=a.format, source=a.source, published=a.published)
    ctx.say(result.message)
    ctx.say(SHA, sha=result.list.sha256)
    return 0


def cmd_list(ctx, vault: Vault, us, _pw: str) -> int:
    rows = lists.list_lists(vault, us)
    if not rows:
        ctx.say(NO_LISTS)
        return 0
    common.table(ctx, HEAD_LISTS, [[li.source, li.format, li.published.isoformat(), li.loaded_at[:16].replace("T", " "),
                                  li.loaded_by, str(li.entries), ctx.t(CURRENT if li.current else SUPERSEDED),
                                  li.sha256]
                                 for li in rows])
    return 0


def add_commands(sub, leaf: Callable) -> None:
    """Add the `sanctions` group to the top-level subparsers (``leaf`` is cli.build_parser's helper)."""
    group = sub.add_parser("sanctions", help="制裁名单 / sanctions lists").add_subparsers(
        dest="sanctions_command", required=True, metavar="ACTION")
    p = leaf(group, "import", "导入制裁名单文件（格式可自动识别）/ import a sanctions list file (format detected)",
             signed_in(cmd_import))
    p.add_argument("files", nargs="+", metavar="FILE", help="list file; for OFAC CSV also alt.csv, or one zip")
    p.add_argument("--format", choices=FORMATS, default=None)
    p.add_argument("--source", metavar="NAME", default=None, help="list source (default: UN, OFAC-SDN, OpenSanctions)")
    p.add_argument("--published", metavar="YYYY-MM-DD", type=_date, default=None,
                   help="publication date, for files that carry none (OFAC CSV)")
    leaf(group, "list", "列出已导入的名单 / list the loaded lists", signed_in(cmd_list))
