"""The codes of the follow-up list (counterdesk.services.followups) and their texts (zh/en), with the rules
they come from; here in base because the customer's access export shows them too."""
from __future__ import annotations

from counterdesk.base.text import CounterDeskError, Text

POST_SALE_CALL, ELDERLY_EXTRA, ASSESSMENT_EXPIRING, PRODUCT_MATURING = (
    "post_sale_call", "elderly_extra", "assessment_expiring", "product_maturing")
KINDS: dict[str, Text] = {
    POST_SALE_CALL: Text("售后回访", "Post-sale call"),
    ELDERLY_EXTRA: Text("老年客户额外回访", "Older customer: extra follow-up"),
    ASSESSMENT_EXPIRING: Text("风险评估即将到期", "Risk assessment expiring"),
    PRODUCT_MATURING: Text("产品即将到期", "Product maturing"),
}
# Where each kind comes from (shown with the item; the windows are settings with their own sources).
SOURCES: dict[str, Text] = {
    POST_SALE_CALL: Text("冷静期结束后由非销售人员回访（《私募投资基金募集行为管理办法》第三十二条；"
                         "《保险销售行为管理办法》第三十五条）",
                         "Follow-up by a non-sales employee after the cooling-off period (私募投资基金募集行为管理办法 "
                         "Art 32; 保险销售行为管理办法 art 35)"),
    ELDERLY_EXTRA: Text("65 岁及以上客户购买高风险产品：更多的回访（domain-rules §5；金融机构产品适当性管理办法 2025；"
                        "证券期货投资者适当性管理办法第二十条）",
                        "A customer of 65 or over who bought a high-risk product: more follow-up (domain-rules §5; "
                        "NFRA 2025 Measures; CSRC suitability measures Art 20)"),
    ASSESSMENT_EXPIRING: Text("风险承受能力评估有效期 12 个月，到期须重新评估"
                              "（金融机构产品适当性管理办法 2025 第二十九条）",
                              "A risk-tolerance assessment is valid 12 months, then the customer reassesses "
                              "(NFRA 2025 Art 29)"),
    PRODUCT_MATURING: Text("产品到期（销售完成日 + 产品期限）",
                           "The product matures (the sale's day + the product's term)"),
}
# Kinds that are a return visit of a sale: made by someone who did not sell it (Art 32).
VISITS = frozenset({POST_SALE_CALL, ELDERLY_EXTRA})
# Kinds that lapse when nobody answered them long enough after their due day (followups.lapse_days);
# a post-sale call is regulatory and stays until done.
LAPSING = frozenset({ELDERLY_EXTRA, ASSESSMENT_EXPIRING, PRODUCT_MATURING})

REACHED, NOT_REACHED, DECLINED, WRONG_CONTACT = "reached", "not_reached", "declined", "wrong_contact"
OUTCOMES: dict[str, Text] = {
    REACHED: Text("已联系上客户", "Reached the customer"),
    NOT_REACHED: Text("未联系上（稍后再联系）", "Not reached (try again later)"),
    DECLINED: Text("客户拒绝回访", "The customer declined"),
    WRONG_CONTACT: Text("联系方式有误", "Wrong contact details"),
}
# Every outcome but "not reached" closes the item; an unanswered attempt is kept and the item stays due.
CLOSING = frozenset({REACHED, DECLINED, WRONG_CONTACT})

CHANNELS: dict[str, Text] = {
    "phone": Text("电话", "Phone"),
    "branch_visit": Text("客户到网点", "At the branch"),
    "home_visit": Text("上门拜访", "Home visit"),
    "message": Text("短信或消息", "Text message"),
}
CALLS = frozenset({"phone"})  # a reached call of a sale's visit names its recording (art 35)

DUE, OVERDUE, DONE, LAPSED = "due", "overdue", "done", "lapsed"
STATES: dict[str, Text] = {DUE: Text("待办", "Due"), OVERDUE: Text("已逾期", "Overdue"), DONE: Text("已完成", "Done"),
                           LAPSED: Text("已失效", "Lapsed")}
OPEN = frozenset({DUE, OVERDUE})  # what the open list shows
DUE_SOON = Text("即将到期", "Due soon")
NOTE_MAX = 500
TITLE = Text("回访清单", "Follow-up list")


class FollowUpError(CounterDeskError):
    code = "follow_up_refused"


def refuse(code: str, zh: str, en: str, detail: str | None = None) -> FollowUpError:
    return FollowUpError(Text(zh, en), code=code, detail=detail)
