"""The figures as labelled tables: what the CSV, the XLSX and the PDF report show, in zh or en."""
from __future__ import annotations

from dataclasses import dataclass

from counterdesk.base.branchtime import format_time
from counterdesk.base.text import Text
from counterdesk.services.reports.common import Spread
from counterdesk.services.reports.figures import Figures

Cell = str | int | float | None

TITLES: dict[str, Text] = {
    "summary": Text("概要", "Summary"),
    "per_day": Text("每日服务量", "Sessions per day"),
    "per_teller": Text("各柜员服务量", "Sessions per teller"),
    "steps": Text("各环节用时（分钟）", "Time per step (minutes)"),
    "holds": Text("审批与筛查待处理", "Approvals and screening holds"),
    "complaints_due": Text("未办结投诉（按到期日）", "Open complaints by due date"),
    "evaluations": Text("客户评价（按日或按周）", "Customer evaluations (by day or week)"),
}
H = {
    "day": Text("日期", "Day"), "completed": Text("已完成", "Completed"), "stopped": Text("已终止", "Stopped"),
    "open": Text("进行中", "Open"), "total": Text("合计", "Total"), "teller": Text("柜员", "Teller"),
    "sessions": Text("服务量", "Sessions"), "step": Text("环节", "Step"), "count": Text("次数", "Count"),
    "median": Text("中位数", "Median"), "slowest": Text("最慢", "Slowest"), "item": Text("项目", "Item"),
    "value": Text("数值", "Value"), "due_on": Text("到期日", "Due on"),
    "from": Text("起始日", "From"), "ratings": Text("评价数", "Ratings"), "mean": Text("均分", "Mean score"),
    "nps": Text("NPS", "NPS"), "nps_count": Text("NPS 回答数", "NPS answers"),
    "shown": Text("显示", "Shown"), "withheld": Text("少于最低条数，不显示", "Below the minimum, withheld"),
}
SUMMARY: dict[str, Text] = {
    "period": Text("统计期间", "Period"),
    "scope": Text("范围", "Scope"),
    "branch": Text("全网点", "Whole branch"),
    "computed": Text("统计时间", "Computed at"),
    "sessions": Text("服务会话", "Counter sessions"),
    "approvals_waiting": Text("待审批（未超时）", "Approvals waiting"),
    "approvals_expired": Text("审批超时未处理", "Approvals expired unanswered"),
    "approvals_decided": Text("期间内已审批", "Approvals decided in the period"),
    "approval_median": Text("审批用时中位数（分钟）", "Approval turnaround, median (minutes)"),
    "approval_slowest": Text("审批最长用时（分钟）", "Approval turnaround, slowest (minutes)"),
    "overrides": Text("柜面现场审批", "Decided at the teller's workstation"),
    "holds": Text("筛查疑似命中", "Screening potential hits"),
    "holds_waiting": Text("筛查待处置", "Screening hits not yet disposed"),
    "hold_median": Text("筛查处置用时中位数（分钟）", "Screening disposition, median (minutes)"),
    "decisions": Text("适当性匹配结果", "Suitability decisions"),
    "customer_initiated": Text("客户主动要求购买", "Customer-initiated choices"),
    "mismatches": Text("客户主动购买超出风险等级的产品", "Customer-initiated beyond the risk level"),
    "cooling_sales": Text("有冷静期的销售", "Sales with a cooling-off period"),
    "cooling_cancelled": Text("冷静期内撤销", "Cancelled in the cooling-off period"),
    "complaints_received": Text("期间内收到投诉", "Complaints received in the period"),
    "complaints_open": Text("其中未办结", "Of those, still open"),
    "complaints_overdue": Text("未办结投诉：已超期", "Open complaints: overdue"),
    "complaints_due_soon": Text("未办结投诉：即将到期", "Open complaints: due soon"),
    "complaints_on_time": Text("未办结投诉：期限内", "Open complaints: on time"),
    "complaint_median": Text("投诉办结用时中位数（天）", "Complaint resolution, median (days)"),
    "ratings": Text("客户评价数", "Customer ratings"),
    "mean_score": Text("客户评价均分（1-5）", "Mean evaluation score (1-5)"),
    "nps": Text("净推荐值 NPS", "Net promoter score (NPS)"),
    "evaluations_through": Text("评价统计截至", "Evaluations counted up to"),
}


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Cell]]


def minutes(value: float | None) -> float | None:
    return None if value is None else round(value / 60.0, 1)


def _days(spread: Spread) -> float | None:
    return None if spread.median is None else round(spread.median / 86400.0, 1)


def summary(f: Figures, lang: str) -> list[tuple[str, Cell]]:
    s = {k: v.get(lang) for k, v in SUMMARY.items()}
    a, h, c, e = f.approvals, f.screening, f.complaints, f.evaluations.total
    decided = sum(n for k, n in a.by_status.items() if k in ("approved", "rejected"))
    return [
        (s["period"], f"{f.scope.period.first.isoformat()} – {f.scope.period.last.isoformat()}"),
        (s["scope"], f.teller_name or s["branch"]),
        (s["computed"], format_time(f.computed_at, lang)),
        (s["sessions"], f.sessions_total),
        (s["approvals_waiting"], a.waiting), (s["approvals_expired"], a.expired_unanswered),
        (s["approvals_decided"], decided), (s["approval_median"], minutes(a.turnaround.median)),
        (s["approval_slowest"], minutes(a.turnaround.slowest)), (s["overrides"], a.overrides),
        (s["holds"], h.held), (s["holds_waiting"], h.waiting), (s["hold_median"], minutes(h.disposition.median)),
        (s["decisions"], f.customer_initiated.decisions),
        (s["customer_initiated"], f.customer_initiated.customer_initiated),
        (s["mismatches"], f.customer_initiated.mismatches),
        (s["cooling_sales"], f.cooling_off.sales), (s["cooling_cancelled"], f.cooling_off.cancelled),
        (s["complaints_received"], c.received), (s["complaints_open"], c.by_status.get("open", 0)),
        (s["complaints_overdue"], c.marks.get("overdue", 0)), (s["complaints_due_soon"], c.marks.get("due_soon", 0)),
        (s["complaints_on_time"], c.marks.get("on_time", 0)), (s["complaint_median"], _days(c.resolution)),
        (s["ratings"], e.count), (s["mean_score"], e.mean), (s["nps"], e.nps),
        (s["evaluations_through"], f.evaluations.through.isoformat() if f.evaluations.through else None),
    ]


def tables(f: Figures, lang: str) -> list[Table]:
    h = {k: v.get(lang) for k, v in H.items()}
    t = {k: v.get(lang) for k, v in TITLES.items()}
    return [
        Table("summary", t["summary"], [h["item"], h["value"]], [list(row) for row in summary(f, lang)]),
        Table("per_day", t["per_day"], [h["day"], h["completed"], h["stopped"], h["open"], h["total"]],
              [[d.day.isoformat(), d.completed, d.stopped, d.open, d.total] for d in f.per_day]),
        Table("per_teller", t["per_teller"], [h["teller"], h["sessions"], h["completed"], h["stopped"]],
              [[x.name, x.sessions, x.completed, x.stopped] for x in f.per_teller]),
        Table("steps", t["steps"], [h["step"], h["count"], h["median"], h["slowest"]],
              [[s.label(lang), s.spread.count, minutes(s.spread.median), minutes(s.spread.slowest)] for s in f.steps]),
        Table("complaints_due", t["complaints_due"], [h["due_on"], h["open"]],
              [[d.due_on.isoformat(), d.open] for d in f.complaints.by_due_day]),
        # Scores only where the group reached the minimum (counterdesk.services.reports.scores).
        Table("evaluations", t["evaluations"], [h["from"], h["ratings"], h["mean"], h["nps"], h["nps_count"],
                                                h["shown"]],
              [[p.start.isoformat(), p.count, p.mean, p.nps, p.nps_count if p.shown else None,
                "" if p.shown else h["withheld"]] for p in f.evaluations.points]),
    ]
