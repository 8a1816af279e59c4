"""The codes an evaluation is recorded with, each with its bilingual label (the customer window, reports)."""
from __future__ import annotations

from counterdesk.base.text import Text

CUSTOMER_SCREEN = "customer_screen"   # the only source accepted: the customer's own window
SUBMITTED, SKIPPED = "submitted", "skipped"
STARS = (1, 2, 3, 4, 5)
NPS_SCALE = tuple(range(11))          # 0-10
COMMENT_MAX = 300                     # characters; enough for a remark, too short for a letter
# A rating is taken right after the session, while the customer is still at the counter; later the
# customer has gone and only the teller could enter one.
WINDOW_MINUTES = 30

# What the customer may tick, in display order (no box is ticked to begin with).
REASONS: dict[str, Text] = {
    "waiting_time": Text("等候时间", "Waiting time"),
    "clear_explanation": Text("讲解清楚", "Clear explanation"),
    "attitude": Text("服务态度", "Attitude"),
    "efficiency": Text("办理效率", "Efficiency"),
    "environment": Text("网点环境", "The branch's premises"),
    "privacy": Text("隐私保护", "Privacy"),
}
STATUSES: dict[str, Text] = {SUBMITTED: Text("评价已提交", "Evaluation submitted"),
                             SKIPPED: Text("客户跳过", "The customer skipped")}
