"""counterdesk-admin aml: the AML officer's queue of suspicious-transaction referrals (registered by
cli.build_parser).

    counterdesk-admin --user supervisor aml referrals [--status open]
    counterdesk-admin --user supervisor aml close REFERRAL --outcome reported|not_suspicious|duplicate --note TEXT

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
from counterdesk.services.customers import due_diligence, referral_queue

HEAD = (Text("时间", "time"), Text("线索编号", "referral"), Text("会话", "session"), Text("客户", "customer"),
        Text("产品", "product"), Text("金额", "amount"), Text("原因", "reason"), Text("状态", "status"),
        Text("记录人", "by"))
NONE = Text("没有可疑交易报告线索。", "No suspicious-transaction referrals.")
RULE = Text("依据：{citation}", "Rule: {citation}")
CLOSED = Text("线索 {referral} 已处理：{outcome}。", "Referral {referral} closed: {outcome}.")


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


def cmd_close(ctx, vault: Vault, us, _pw: str) -> int:
    a = ctx.args
    item = referral_queue.close(vault, us, a.referral, a.outcome, a.note)
    outcome = item.outcome_text
    ctx.say(CLOSED, referral=item.referral.referral_id, outcome=ctx.t(outcome) if outcome else a.outcome)
    return 0


def add_commands(sub, leaf: Callable) -> None:
    """Add the `aml` group to the top-level subparsers (``leaf`` is cli.build_parser's helper)."""
    group = sub.add_parser("aml", help="反洗钱 / anti-money laundering").add_subparsers(
        dest="aml_command", required=True, metavar="ACTION")
    p = leaf(group, "referrals", "列出可疑交易报告线索 / list suspicious-transaction referrals",
             signed_in(cmd_referrals))
    p.add_argument("--status", choices=("open",), default=None, help="only referrals in this state")
    p = leaf(group, "close", "记录线索处理结果 / close a referral with its outcome", signed_in(cmd_close))
    p.add_argument("referral", help="the referral's id (from `aml referrals`)")
    p.add_argument("--outcome", required=True, choices=tuple(referral_queue.OUTCOMES), help="the outcome")
    p.add_argument("--note", required=True, help="the analysis note (kept in the encrypted store, never logged)")
