"""counterdesk-admin aml: the AML officer's queue of suspicious-transaction referrals (registered by
cli.build_parser).

    counterdesk-admin --user supervisor aml referrals [--status open]

Referrals are recorded by the counter session when customer due diligence cannot be completed for a
sale at or above the threshold (Order 〔2025〕 No. 11). Same core as the GUI
(counterdesk.services.customers.due_diligence): only supervisors and the auditor may read it. The
listing shows ids and codes, never personal data. Never import PySide6 here.
"""
from __future__ import annotations

from collections.abc import Callable

from counterdesk.base.text import Text
from counterdesk.cli import common
from counterdesk.cli.common import signed_in
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import due_diligence

HEAD = (Text("时间", "time"), Text("线索编号", "referral"), Text("会话", "session"), Text("客户", "customer"),
        Text("产品", "product"), Text("金额", "amount"), Text("原因", "reason"), Text("状态", "status"),
        Text("记录人", "by"))
NONE = Text("没有可疑交易报告线索。", "No suspicious-transaction referrals.")
RULE = Text("依据：{citation}", "Rule: {citation}")


def cmd_referrals(ctx, vault: Vault, us, _pw: str) -> int:
    rows = due_diligence.list_referrals(vault, us, status=ctx.args.status)
    if not rows:
        ctx.say(NONE)
        return 0
    common.table(ctx, HEAD, [[r.created_at[:19].replace("T", " "), r.referral_id, r.session_id, r.customer_id or "-",
                              r.product_code or "-", f"{r.amount} {r.currency}" if r.amount else "-",
                              f"{r.reason_code}: {ctx.t(r.reason)}", r.status, r.created_by_name or r.created_by]
                             for r in rows])
    for citation in dict.fromkeys(ctx.t(r.citation) for r in rows):
        ctx.say(RULE, citation=citation)
    return 0


def add_commands(sub, leaf: Callable) -> None:
    """Add the `aml` group to the top-level subparsers (``leaf`` is cli.build_parser's helper)."""
    group = sub.add_parser("aml", help="反洗钱 / anti-money laundering").add_subparsers(
        dest="aml_command", required=True, metavar="ACTION")
    p = leaf(group, "referrals", "列出可疑交易报告线索 / list suspicious-transaction referrals",
             signed_in(cmd_referrals))
    p.add_argument("--status", choices=("open",), default=None, help="only referrals in this state")
