"""counterdesk-admin catalog: import, export and inspect the versioned product catalog
(registered by cli.build_parser).

    counterdesk-admin --user admin catalog import FILE [--format csv|json] [--merge] [--note TEXT]
    counterdesk-admin --user admin catalog export FILE [--format csv|json] [--version N]
    counterdesk-admin --user admin catalog versions
    counterdesk-admin --user admin catalog list [--version N]

Same core as the GUI (counterdesk.services.catalog.versions): permission checks, the all-or-nothing import
with every faulty row and field named, and the audit entries are identical. Never import PySide6 here.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

from counterdesk.base.text import Text
from counterdesk.cli import common
from counterdesk.cli.common import signed_in
from counterdesk.services.auth.vault import Vault
from counterdesk.services.catalog import versions
from counterdesk.services.catalog.products import STATUSES, type_label

HEAD_VERSIONS = (Text("版本", "version"), Text("创建时间", "created at"), Text("创建人", "created by"),
                 Text("来源", "source"), Text("产品数", "products"), Text("文件", "file"), Text("备注", "note"))
HEAD_PRODUCTS = (Text("代码", "code"), Text("名称", "name"), Text("类型", "type"), Text("风险", "risk"),
                 Text("起购金额", "minimum"), Text("销售期", "sale window"), Text("状态", "status"))
NO_CATALOG = Text("尚未导入产品目录。", "No product catalog has been imported.")
WARNING = Text("提示：", "Warning: ")
SHA = Text("SHA-256：{sha}", "SHA-256: {sha}")
SOURCES = {"import": Text("导入", "import"), "gui": Text("界面编辑", "GUI edit")}


def cmd_import(ctx, vault: Vault, us, _pw: str) -> int:
    a = ctx.args
    result = versions.import_file(vault, us, a.file, fmt=a.format, note=a.note or "", merge=a.merge)
    for w in result.warnings:
        print(ctx.t(WARNING) + w.message(ctx.lang), file=sys.stderr)
    ctx.say(result.message)
    if result.version and result.version.sha256:
        ctx.say(SHA, sha=result.version.sha256)
    return 0


def cmd_export(ctx, vault: Vault, us, _pw: str) -> int:
    a = ctx.args
    result = versions.export_file(vault, us, a.file, fmt=a.format, number=a.version)
    ctx.say(result.message)
    return 0


def cmd_versions(ctx, vault: Vault, us, _pw: str) -> int:
    rows = versions.list_versions(vault, us)
    if not rows:
        ctx.say(NO_CATALOG)
        return 0
    common.table(ctx, HEAD_VERSIONS, [[str(v.number), v.created_at[:16].replace("T", " "), v.created_by,
                                     ctx.t(SOURCES.get(v.source, Text(v.source, v.source))), str(v.products),
                                     v.file_name or "", v.note] for v in rows])
    return 0


def cmd_list(ctx, vault: Vault, us, _pw: str) -> int:
    cat = versions.catalog_at(vault, us, ctx.args.version) if ctx.args.version else versions.current_catalog(vault, us)
    if cat.version is None:
        ctx.say(NO_CATALOG)
        return 0
    common.table(ctx, HEAD_PRODUCTS, [[p.code, p.name(ctx.lang), ctx.t(type_label(p.type)), p.risk_level,
                                     f"{p.min_amount:,.2f} {p.currency}",
                                     f"{p.sale_start} – {p.sale_end or '…'}", ctx.t(STATUSES[p.status])]
                                    for p in cat.products])
    return 0


def add_commands(sub, leaf: Callable) -> None:
    """Add the `catalog` group to the top-level subparsers (``leaf`` is cli.build_parser's helper)."""
    group = sub.add_parser("catalog", help="产品目录 / product catalog").add_subparsers(
        dest="catalog_command", required=True, metavar="ACTION")
    p = leaf(group, "import", "导入产品目录（CSV 或 JSON，整体校验，全部成功才生效）/ import a catalog file "
             "(CSV or JSON; all rows valid or nothing is stored)", signed_in(cmd_import))
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("csv", "json"), default=None, help="default: from the file name/content")
    p.add_argument("--merge", action="store_true",
                   help="add/update the file's products and keep the others (default: the file replaces the catalog)")
    p.add_argument("--note", metavar="TEXT", default="", help="note stored with the new version")
    p = leaf(group, "export", "导出产品目录 / export the catalog", signed_in(cmd_export))
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("csv", "json"), default=None, help="default: from the file suffix (csv)")
    p.add_argument("--version", type=int, default=None, metavar="N", help="an earlier version (default: current)")
    leaf(group, "versions", "列出目录版本 / list catalog versions", signed_in(cmd_versions))
    p = leaf(group, "list", "列出产品 / list the products", signed_in(cmd_list))
    p.add_argument("--version", type=int, default=None, metavar="N", help="an earlier version (default: current)")
