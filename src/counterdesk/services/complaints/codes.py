"""The codes a complaint is recorded with, each with its bilingual label (screens, the letter)."""
from __future__ import annotations

from counterdesk.base.text import Text

OPEN, RESOLVED = "open", "resolved"
SIMPLE, COMPLEX, ESPECIALLY_COMPLEX = "simple", "complex", "especially_complex"
REQUESTED, APPROVED, REFUSED, NOTIFIED = "requested", "approved", "refused", "notified"
ACCEPTED, DISAGREED = "accepted", "disagreed"

CHANNELS: dict[str, Text] = {
    "counter": Text("柜面", "At the counter"),
    "phone": Text("电话", "Phone"),
    "letter": Text("信函", "Letter"),
    "online": Text("网上（网站、手机银行、邮件）", "Online (website, app, e-mail)"),
    "regulator": Text("监管转办", "Referred by the regulator"),
    "other": Text("其他", "Other"),
}
CATEGORIES: dict[str, Text] = {
    "sale_suitability": Text("产品销售与适当性", "Product sale and suitability"),
    "disclosure": Text("信息披露与风险揭示", "Information and risk disclosure"),
    "fees": Text("收费与价格", "Fees and prices"),
    "transaction": Text("账户与交易", "Accounts and transactions"),
    "personal_information": Text("个人信息保护", "Personal information"),
    "service_quality": Text("服务态度与质量", "Service attitude and quality"),
    "other": Text("其他", "Other"),
}
COMPLEXITIES: dict[str, Text] = {
    SIMPLE: Text("事实清楚、争议简单", "Simple"),
    COMPLEX: Text("情况复杂", "Complex"),
    ESPECIALLY_COMPLEX: Text("情况特别复杂（经审批延期）", "Especially complex (extension approved)"),
}
STATUSES: dict[str, Text] = {OPEN: Text("处理中", "Open"), RESOLVED: Text("已办结", "Resolved")}
OUTCOMES: dict[str, Text] = {
    "upheld": Text("支持投诉请求", "Upheld"),
    "partly_upheld": Text("部分支持投诉请求", "Partly upheld"),
    "not_upheld": Text("不支持投诉请求", "Not upheld"),
    "withdrawn": Text("投诉人撤回投诉", "Withdrawn by the customer"),
}
RESPONSES: dict[str, Text] = {ACCEPTED: Text("投诉人接受", "Accepted by the customer"),
                              DISAGREED: Text("投诉人有异议", "The customer disagrees")}
NOTICE_METHODS: dict[str, Text] = {
    "phone": Text("电话", "Phone"), "letter": Text("信函", "Letter"), "sms": Text("短信", "Text message"),
    "in_person": Text("当面", "In person"), "online": Text("网上", "Online"),
}
REOPEN_REASONS: dict[str, Text] = {
    "review_request": Text("投诉人申请核查", "The customer asked for a review"),
    "new_information": Text("出现新情况或新证据", "New facts or evidence"),
    "correction": Text("内部复核发现处理有误", "Internal review found an error"),
}
EXTENSION_STATES: dict[str, Text] = {
    REQUESTED: Text("延期待审批", "Extension awaiting approval"),
    APPROVED: Text("延期已批准，待告知投诉人", "Extension approved, customer not yet told"),
    REFUSED: Text("延期未获批准", "Extension refused"),
    NOTIFIED: Text("已延期并告知投诉人", "Extended, customer told"),
}
EVENT_KINDS: dict[str, Text] = {
    "received": Text("受理", "Received"),
    "reclassified": Text("调整复杂程度", "Complexity changed"),
    "handed_over": Text("移交", "Handed over"),
    "extension_requested": Text("申请延期", "Extension requested"),
    "extension_approved": Text("批准延期", "Extension approved"),
    "extension_refused": Text("不批准延期", "Extension refused"),
    "notice_recorded": Text("已告知投诉人延期", "Customer told of the extension"),
    "resolved": Text("办结", "Resolved"),
    "response_recorded": Text("记录投诉人意见", "Customer's response recorded"),
    "reopened": Text("重新处理", "Re-opened"),
}
MARKS: dict[str, Text] = {"overdue": Text("已超期", "Overdue"), "due_soon": Text("即将到期", "Due soon"),
                          "on_time": Text("期限内", "On time"), "done": Text("已办结", "Resolved")}
