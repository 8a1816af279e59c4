"""Every setting declared once: key, type, default, bounds, bilingual description, source.

Values live in the encrypted database (authoritative). Settings needed before anyone signs in
(language, lockout, idle lock) are also mirrored to install.json, which holds no personal data.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from counterdesk.base.setting_sources import SOURCES
from counterdesk.base.text import Result, Text


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    description: Text
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    pattern: str | None = None  # str settings: the whole value must match this regular expression
    pre_auth: bool = False  # mirrored to install.json so the sign-in screen can use it
    source: str = ""  # the reference as declared; screens show ``source_text``

    @property
    def source_text(self) -> Text:
        """The source in each screen's own language (counterdesk.base.setting_sources)."""
        return SOURCES.get(self.key) or Text(self.source, self.source)

    def validate(self, value: Any) -> Result:
        res = Result()
        if self.type is bool:
            ok_type = isinstance(value, bool)
        elif self.type is int:
            ok_type = isinstance(value, int) and not isinstance(value, bool)
        elif self.type is float:
            # NaN passes every bound check (all comparisons are false), so non-finite values are refused here.
            ok_type = (isinstance(value, (int, float)) and not isinstance(value, bool)
                       and (isinstance(value, int) or math.isfinite(value)))
        else:
            ok_type = isinstance(value, self.type)
        if not ok_type:
            res.add(self.key, "type", Text(f"应为 {self.type.__name__} 类型", f"must be of type {self.type.__name__}"))
            return res
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            res.add(self.key, "format", Text("格式不正确", "not in the expected format"))
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            res.add(self.key, "choice", Text(f"取值须为：{allowed}", f"must be one of: {allowed}"))
        if self.minimum is not None and value < self.minimum:
            res.add(self.key, "min", Text(f"不得小于 {self.minimum:g}", f"must be at least {self.minimum:g}"))
        if self.maximum is not None and value > self.maximum:
            res.add(self.key, "max", Text(f"不得大于 {self.maximum:g}", f"must be at most {self.maximum:g}"))
        return res

    def parse(self, raw: str) -> Any:
        """Parse a command-line string into this setting's type (ValueError when it cannot)."""
        if self.type is bool:
            low = raw.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        return self.type(raw.strip())


_DECLARED: dict[str, Setting] = {}


def declare(setting: Setting) -> Setting:
    if setting.key in _DECLARED:
        raise ValueError(f"setting declared twice: {setting.key}")
    if not setting.validate(setting.default).ok:
        raise ValueError(f"default of {setting.key} violates its own bounds")
    _DECLARED[setting.key] = setting
    return setting


def declared() -> dict[str, Setting]:
    return dict(_DECLARED)


UI_LANGUAGE = declare(Setting(
    "ui.language", str, "zh_CN", Text("界面语言", "Interface language"),
    choices=("zh_CN", "en"), pre_auth=True))
PASSWORD_MIN_LENGTH = declare(Setting(
    "auth.password_min_length", int, 12, Text("密码最短长度", "Minimum password length"),
    minimum=8, maximum=128, source="JR/T 0171-2020; bank practice"))
MAX_FAILED_ATTEMPTS = declare(Setting(
    "auth.max_failed_attempts", int, 5, Text("连续登录失败锁定次数", "Failed sign-ins before the account locks"),
    minimum=1, maximum=20, pre_auth=True, source="bank practice"))
LOCKOUT_MINUTES = declare(Setting(
    "auth.lockout_minutes", int, 15, Text("账户锁定时长（分钟）", "Account lock duration (minutes)"),
    minimum=1, maximum=1440, pre_auth=True, source="bank practice"))
IDLE_LOCK_SECONDS = declare(Setting(
    "auth.idle_lock_seconds", int, 300, Text("无操作自动锁屏（秒）", "Lock the screen after inactivity (seconds)"),
    minimum=1, maximum=3600, pre_auth=True, source="bank practice"))
MFA_TELLERS = declare(Setting(
    "mfa.tellers", bool, False,
    Text("柜员登录也须第二因素（动态口令）；主管和管理员始终须要",
         "Tellers also sign in with a second factor (authenticator code); supervisors and administrators always do"),
    source="seed 003 §5 (RBAC plus multi-factor authentication); GB/T 22239-2019 8.1.4.1 d) (two or more "
           "authentication techniques); for tellers: bank policy"))
SANCTIONS_MAX_LIST_AGE_DAYS = declare(Setting(
    "sanctions.max_list_age_days", int, 7,
    Text("制裁名单最长有效天数（超过则筛查不能放行）",
         "Maximum age of a sanctions list in days (older: screening cannot clear)"),
    minimum=1, maximum=90, source="bank practice (FATF R.6: screen against current lists)"))
SANCTIONS_MATCH_THRESHOLD = declare(Setting(
    "sanctions.match_threshold", float, 0.85,
    Text("制裁筛查疑似命中阈值（0.5-0.99）", "Sanctions screening threshold for a potential hit (0.5-0.99)"),
    minimum=0.5, maximum=0.99, source="bank practice"))

# AML customer risk rating (counterdesk.services.customers.aml): ISO 3166-1 alpha-3 codes, comma-separated.
AML_HIGH_RISK_COUNTRIES = declare(Setting(
    "aml.high_risk_countries", str, "PRK,IRN,MMR",
    Text("高风险国家或地区（ISO 三位字母代码，逗号分隔；客户国籍或税收居民国在列则评为高风险）",
         "High-risk jurisdictions (ISO alpha-3 codes, comma-separated; nationality or tax residence there rates high)"),
    pattern=r"([A-Z]{3}(,[A-Z]{3})*)?", source="FATF high-risk jurisdictions subject to a call for action"))
AML_MONITORED_COUNTRIES = declare(Setting(
    "aml.monitored_countries", str, "",
    Text("需加强监测的国家或地区（ISO 三位字母代码，逗号分隔；评为中风险）",
         "Jurisdictions under increased monitoring (ISO alpha-3 codes, comma-separated; rates medium)"),
    pattern=r"([A-Z]{3}(,[A-Z]{3})*)?",
    source="FATF jurisdictions under increased monitoring (fill in the current list)"))

# Customer due diligence (counterdesk.services.customers.due_diligence, issue 13).
_CDD_SOURCE = ("金融机构客户尽职调查和客户身份资料及交易记录保存管理办法 (PBOC/NFRA/CSRC Order 〔2025〕 No. 11, "
               "in force 2026-01-01)")
DD_THRESHOLD_CNY = declare(Setting(
    "due_diligence.threshold_cny", int, 50_000,
    Text("销售金融产品金额达到该数（人民币元）须开展客户尽职调查并留存身份证件影印件",
         "Selling a financial product of at least this amount (CNY) requires due diligence and a kept copy of the "
         "identity document"),
    minimum=0, maximum=50_000, source=f"{_CDD_SOURCE}: one-off services incl. selling financial products, "
                                      "CNY 50,000 or more"))
DD_THRESHOLD_USD = declare(Setting(
    "due_diligence.threshold_usd", int, 10_000,
    Text("外币销售折合该数美元及以上须开展客户尽职调查",
         "A foreign-currency sale worth at least this many USD requires due diligence"),
    minimum=0, maximum=10_000, source=f"{_CDD_SOURCE}: foreign currency equivalent to USD 10,000 or more"))
DD_FX_RATES = declare(Setting(
    "due_diligence.fx_cny_per_unit", str, "USD:7.10,EUR:7.80,GBP:9.10,HKD:0.91,JPY:0.048",
    Text("折算美元等值所用汇率（每单位外币折合人民币，如 USD:7.10,HKD:0.91；请按当日人民币汇率中间价更新；"
         "无汇率的币种一律视为达到门槛）",
         "Rates for the USD equivalent (CNY per unit of currency, e.g. USD:7.10,HKD:0.91; keep them at the day's "
         "central parity; a currency without a rate is treated as at the threshold)"),
    pattern=r"([A-Z]{3}:\d{1,6}(\.\d{1,6})?(,[A-Z]{3}:\d{1,6}(\.\d{1,6})?)*)?",
    source="CFETS 人民币汇率中间价 (central parity), entered by the branch; cross rate via CNY: bank policy"))
DD_IMAGE_MAX_KIB = declare(Setting(
    "due_diligence.image_max_kib", int, 8192,
    Text("证件影印件图像文件的最大大小（千字节）", "Largest identity-document image accepted (KiB)"),
    minimum=64, maximum=20_480, source="bank policy (a 300 dpi colour scan of a card is well under 8 MiB)"))
DD_RETENTION_YEARS = declare(Setting(
    "due_diligence.retention_years", int, 10,
    Text("客户身份资料（含证件影印件）自业务关系结束后的保存年限",
         "Years identity records (with the document copy) are kept after the relationship ends"),
    minimum=10, maximum=100, source="反洗钱法 (2024) Art 34; " + _CDD_SOURCE + " (at least 10 years); domain-rules §6"))


# Suitability engine (counterdesk.suitability): the regulatory numbers behind each SUIT-* rule.
SUIT_MAX_AMOUNT_SHARE = declare(Setting(
    "suitability.max_amount_share", float, 0.5,
    Text("单笔金额超过申报可投资资产的该比例视为与支付能力不相符（需书面确认）",
         "An amount above this share of the declared investable assets is out of line with ability to pay "
         "(needs a written acknowledgement)"),
    minimum=0.01, maximum=1.0, source="NFRA 金融机构产品适当性管理办法 2025 Art 12 (threshold: practice)"))
SUIT_LIMITED_CAPACITY_MAX_RISK = declare(Setting(
    "suitability.limited_capacity_max_risk", int, 2,
    Text("限制民事行为能力客户可购买的最高产品风险等级（R1-R5）",
         "Highest product risk level (R1-R5) for a customer with limited civil capacity"),
    minimum=1, maximum=5, source="NFRA 2025 Measures Art 19 (\"low risk\" = R1-R2: practice)"))
SUIT_ELDERLY_AGE = declare(Setting(
    "suitability.elderly_care_age", int, 65,
    Text("高风险产品特别关照的客户年龄（周岁，含）",
         "Age (inclusive) from which selling high-risk products needs special care"),
    minimum=50, maximum=90, source="NFRA 2025 Measures; CSRC 适当性办法 Art 20"))
SUIT_ELDERLY_MIN_RISK = declare(Setting(
    "suitability.elderly_care_min_risk", int, 4,
    Text("老年客户特别关照适用的最低产品风险等级",
         "Lowest product risk level that triggers the special care for older customers"),
    minimum=1, maximum=5,
    source="NFRA 2025 Measures (65+ high-risk purchases); CSRC Art 20 (\"high risk\" = R4 中高 and R5 高: practice)"))
SUIT_ELDERLY_READING_SECONDS = declare(Setting(
    "suitability.elderly_reading_seconds", int, 300,
    Text("老年客户阅读风险揭示的最短时间（秒）",
         "Minimum reading time of the risk disclosure for older customers (seconds)"),
    minimum=30, maximum=3600, source="NFRA 2025 Measures (more time to consider; number: practice, unconfirmed)"))
SUIT_QUALIFIED_MIN_EXPERIENCE = declare(Setting(
    "suitability.qualified_min_experience_years", int, 2,
    Text("合格投资者最少投资经历（年）", "Qualified investor: minimum investment experience (years)"),
    minimum=0, maximum=20, source="资管新规 (银发〔2018〕106号) Art 5"))
SUIT_QUALIFIED_NET_FIN_ASSETS = declare(Setting(
    "suitability.qualified_net_financial_assets", int, 3_000_000,
    Text("合格投资者：家庭金融净资产不低于（元）", "Qualified investor: household net financial assets at least (RMB)"),
    minimum=0, source="资管新规 Art 5"))
SUIT_QUALIFIED_FIN_ASSETS = declare(Setting(
    "suitability.qualified_financial_assets", int, 5_000_000,
    Text("合格投资者：家庭金融资产不低于（元）", "Qualified investor: household financial assets at least (RMB)"),
    minimum=0, source="资管新规 Art 5"))
SUIT_QUALIFIED_AVG_INCOME = declare(Setting(
    "suitability.qualified_avg_income", int, 400_000,
    Text("合格投资者：近3年本人年均收入不低于（元）",
         "Qualified investor: average personal income over 3 years at least (RMB)"),
    minimum=0, source="资管新规 Art 5"))
SUIT_PRIVATE_MIN_FIXED_INCOME = declare(Setting(
    "suitability.private_min_fixed_income", int, 300_000,
    Text("私募固定收益类产品单笔最低金额（元）", "Private fixed-income product: minimum amount (RMB)"),
    minimum=0, source="资管新规 Art 5"))
SUIT_PRIVATE_MIN_MIXED = declare(Setting(
    "suitability.private_min_mixed", int, 400_000,
    Text("私募混合类产品单笔最低金额（元）", "Private mixed product: minimum amount (RMB)"),
    minimum=0, source="资管新规 Art 5"))
SUIT_PRIVATE_MIN_EQUITY = declare(Setting(
    "suitability.private_min_equity", int, 1_000_000,
    Text("私募权益类、商品及金融衍生品类产品单笔最低金额（元）",
         "Private equity / commodity / derivatives product: minimum amount (RMB)"),
    minimum=0, source="资管新规 Art 5"))
SUIT_COOLING_OFF_HOURS = declare(Setting(
    "suitability.cooling_off_hours", int, 24,
    Text("私募产品投资冷静期（小时，自签约起）", "Cooling-off period of private products (hours from signing)"),
    minimum=24, maximum=720, source="私募投资基金募集行为管理办法 Art 31; 理财业务监督管理办法 2018 (≥ 24 h)"))
SUIT_INSURANCE_MAX_AGE = declare(Setting(
    "suitability.insurance_max_age", int, 65,
    Text("银保渠道：投保人超过该年龄只可购买保障/固定收益类产品",
         "Bank-channel insurance: above this age, fixed-benefit products only"),
    minimum=50, maximum=90, source="保监发〔2014〕3号"))
SUIT_INSURANCE_MAX_AGE_PERIODIC = declare(Setting(
    "suitability.insurance_max_age_periodic", int, 60,
    Text("银保渠道期交产品：投保人超过该年龄只可购买固定收益类产品",
         "Bank-channel periodic-premium insurance: above this age, fixed-benefit products only"),
    minimum=50, maximum=90, source="保监发〔2014〕3号"))
SUIT_INSURANCE_LOW_INCOME = declare(Setting(
    "suitability.insurance_low_income", int, 50_000,
    Text("银保渠道低收入标准：家庭年收入低于该金额（元）只可购买固定收益类产品",
         "Bank-channel insurance low income: household annual income below this (RMB) → fixed-benefit products only"),
    minimum=0, source="保监发〔2014〕3号 (number unconfirmed: local per-capita disposable income)"))
SUIT_INSURANCE_SINGLE_MULTIPLE = declare(Setting(
    "suitability.insurance_single_premium_income_multiple", int, 4,
    Text("非保证收益保险：趸交保费超过家庭年收入的该倍数须签署投保声明",
         "Non-guaranteed insurance: single premium above this multiple of household income needs a signed declaration"),
    minimum=1, maximum=20, source="保监发〔2014〕3号"))
SUIT_INSURANCE_PERIODIC_PERCENT = declare(Setting(
    "suitability.insurance_periodic_premium_income_percent", int, 20,
    Text("非保证收益保险：期交年保费超过家庭年收入的该百分比须签署投保声明",
         "Non-guaranteed insurance: annual periodic premium above this percent of household "
         "income needs a signed declaration"),
    minimum=1, maximum=100, source="保监发〔2014〕3号"))
SUIT_INSURANCE_YEARS_PLUS_AGE = declare(Setting(
    "suitability.insurance_years_plus_age", int, 60,
    Text("非保证收益保险：缴费年限与投保人年龄之和达到该数须签署投保声明",
         "Non-guaranteed insurance: payment years + policyholder age reaching this needs a signed declaration"),
    minimum=1, maximum=150, source="保监发〔2014〕3号"))

# 2026 rules (issue 13): insurance informed consent and the bank-channel free-look period.
SUIT_INSURANCE_CONSENT_PREMIUM_PERCENT = declare(Setting(
    "suitability.insurance_consent_premium_income_percent", int, 20,
    Text("保险：年缴保费超过家庭年收入的该百分比须签署知情同意书",
         "Insurance: an annual premium above this percent of household income needs a signed informed-consent "
         "declaration"),
    minimum=1, maximum=100,
    source="NFRA 金融机构产品适当性管理办法 (Order 2025 No. 7), insurance: premium high relative to household income "
           "(ratio: bank policy, unconfirmed)"))
SUIT_INSURANCE_INSTALMENT_END_AGE = declare(Setting(
    "suitability.insurance_instalment_end_age", int, 75,
    Text("保险：缴费期满时投保人年龄超过该岁数须签署知情同意书",
         "Insurance: premium instalments running past this age of the policyholder need a signed informed-consent "
         "declaration"),
    minimum=50, maximum=100,
    source="NFRA 金融机构产品适当性管理办法 (Order 2025 No. 7), insurance: instalments past age 75"))
SUIT_INSURANCE_FREE_LOOK_DAYS = declare(Setting(
    "suitability.insurance_free_look_days", int, 15,
    Text("银保渠道保险犹豫期（天，自签收保险合同起）",
         "Free-look period of bank-channel insurance (days from receiving the policy)"),
    minimum=15, maximum=60,
    source="保险销售行为管理办法 (NFRA Order 2023 No. 2, in force 2024-03-01); bank-channel 犹豫期 15 days "
           "(商业银行代理保险业务管理办法 银保监办发〔2019〕179号; domain-rules §5, unconfirmed)"))


class SettingsValues:
    """A typed snapshot of all settings: declared defaults overlaid with stored values."""

    def __init__(self, stored: dict[str, Any] | None = None):
        self._values = {k: s.default for k, s in _DECLARED.items()}
        for key, value in (stored or {}).items():
            setting = _DECLARED.get(key)
            # Unknown or invalid stored values fall back to the default instead of breaking start-up.
            if setting is not None and setting.validate(value).ok:
                self._values[key] = value

    def __getitem__(self, setting: Setting | str) -> Any:
        key = setting.key if isinstance(setting, Setting) else setting
        return self._values[key]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def pre_auth(self) -> dict[str, Any]:
        return {k: v for k, v in self._values.items() if _DECLARED[k].pre_auth}

# Risk-tolerance assessment (counterdesk.services.assessment). The maxima are the legal limits: a bank may be
# stricter, never looser.
ASSESSMENT_VALIDITY_MONTHS = declare(Setting(
    "assessment.validity_months", int, 12,
    Text("风险承受能力评估有效期（月）", "Validity of a risk-tolerance assessment (months)"),
    minimum=1, maximum=12, source="NFRA 2025 Art 29"))
ASSESSMENT_MAX_PER_DAY = declare(Setting(
    "assessment.max_per_day", int, 2,
    Text("每位客户每日最多评估次数", "Most assessments per customer per day"),
    minimum=1, maximum=2, source="NFRA 2025 Art 29"))
ASSESSMENT_MAX_PER_YEAR = declare(Setting(
    "assessment.max_per_year", int, 8,
    Text("每位客户连续 12 个月内最多评估次数", "Most assessments per customer in any rolling 12 months"),
    minimum=1, maximum=8, source="NFRA 2025 Art 29"))

# Risk disclosure (counterdesk.forms.disclosures): the shortest time the disclosure stays on screen
# before the customer may confirm, by the product's risk level. Riskier products get longer; the
# older-customer minimum (suitability.elderly_reading_seconds) applies on top.
DISCLOSURE_MIN_READING_SECONDS = {
    level: declare(Setting(
        f"disclosure.min_reading_seconds_{level.lower()}", int, default,
        Text(f"{level} 产品风险揭示最短阅读时间（秒）",
             f"Minimum reading time of the risk disclosure for {level} products (seconds)"),
        minimum=0, maximum=3600, source="NFRA 2025 (sufficient time to read; numbers are bank policy)"))
    for level, default in (("R1", 30), ("R2", 45), ("R3", 60), ("R4", 90), ("R5", 120))
}

# Disclosure sign-off (counterdesk.services.signoff).
SIGNOFF_APPROVAL_AMOUNT = declare(Setting(
    "signoff.approval_amount", int, 1_000_000,
    Text("单笔金额超过该数（元）的销售须经主管审批", "Sales above this amount (RMB) need supervisor approval"),
    minimum=0, source="bank policy (maker-checker threshold)"))
SIGNOFF_APPROVAL_EXPIRY_MINUTES = declare(Setting(
    "signoff.approval_expiry_minutes", int, 30,
    Text("审批请求的有效时间（分钟），过期后须重新提交",
         "Minutes an approval request stays open before it must be resubmitted"),
    minimum=5, maximum=1440, source="bank policy"))
SIGNOFF_SENTENCE_MIN_RISK = declare(Setting(
    "signoff.sentence_min_risk", int, 2,
    Text("从该产品风险等级起客户须抄录确认语句（R1-R5；特别警示和老年客户始终须抄录）",
         "From this product risk level the customer types the confirmation sentence (R1-R5; always for special "
         "warnings and older customers)"),
    minimum=1, maximum=5, source="CSRC 适当性办法 Art 19-20; bank policy"))
SIGNOFF_FOLLOWUP_DAYS = declare(Setting(
    "signoff.followup_due_days", int, 5,
    Text("冷静期结束后回访任务的完成期限（天）",
         "Days after the cooling-off period ends within which the follow-up visit is due"),
    minimum=1, maximum=30, source="domain-rules §5 (follow-up by a non-sales employee; deadline: bank policy)"))

# Confirmation timestamps (counterdesk.services.confirmation.timestamps).
TIMESTAMP_AUTHORITY_URL = declare(Setting(
    "confirmation.tsa_url", str, "",
    Text("可信时间戳服务（RFC 3161）地址，例如总行中心的 https://中心地址/v1/tsa；为空则确认书不加时间戳并标注，"
         "待设置后补加",
         "Trusted timestamp authority (RFC 3161) URL, e.g. the head-office hub's https://HUB/v1/tsa; empty: "
         "confirmations are issued without a timestamp, marked so, and get one once it is set"),
    pattern=r"(https?://[^\s]{1,390})?",
    source="电子签名法 Arts 13-14 (time of signing provable); ETSI EN 319 142-1 PAdES B-T/B-LT"))

# Anchors at the hub (counterdesk.services.anchoring).
ANCHOR_INTERVAL_SECONDS = declare(Setting(
    "anchoring.interval_seconds", int, 60,
    Text("后台同步向中心提交链检查点的最短间隔（秒）；立即同步时总会提交",
         "Least time between two checkpoints of the chains that background sync sends to the hub (seconds); "
         "sync now always sends one"),
    minimum=0, maximum=3600, source="bank policy (how far back an insider's rewrite can go unanchored)"))

# Sync housekeeping (counterdesk.services.sync.prune): how long a workstation keeps what it sent and applied.
SYNC_RETENTION_DAYS = declare(Setting(
    "sync.retention_days", int, 30,
    Text("已发送的外发记录与已应用的接收记录在本机保留的天数；之后清理（中心保留全部记录）",
         "Days a workstation keeps the records it sent (their content) and the records it applied before "
         "they are pruned (the hub keeps every record)"),
    minimum=1, maximum=3650,
    source="bank practice (data minimisation, PIPL Art 19; the hub's copy is the record of what was synced)"))

# Complaints (counterdesk.services.complaints). Days are calendar days counted from the day after receipt
# (民法典 Art 201: the first day is not counted), in the branch's time zone; the maxima are the legal limits.
_COMPLAINT_SOURCE = "银行业保险业消费投诉处理管理办法 (CBIRC Order 2020 No. 3, in force 2020-03-01)"
COMPLAINT_SIMPLE_DAYS = declare(Setting(
    "complaints.simple_days", int, 15,
    Text("事实清楚、争议简单的投诉的处理期限（日，自收到投诉之日起）",
         "Deadline of a simple complaint (days from receipt)"),
    minimum=1, maximum=15, source=f"{_COMPLAINT_SOURCE} Art 19 (15 days)"))
COMPLAINT_COMPLEX_DAYS = declare(Setting(
    "complaints.complex_days", int, 30,
    Text("情况复杂的投诉的处理期限（日，自收到投诉之日起）", "Deadline of a complex complaint (days from receipt)"),
    minimum=1, maximum=30, source=f"{_COMPLAINT_SOURCE} Art 19 (may be extended to 30 days)"))
COMPLAINT_MAX_DAYS = declare(Setting(
    "complaints.max_days", int, 60,
    Text("情况特别复杂的投诉经审批并告知投诉人后的最长处理期限（日）",
         "Longest deadline of an especially complex complaint, with approval and notice to the customer (days)"),
    minimum=30, maximum=60,
    source=f"{_COMPLAINT_SOURCE} Art 19 (a further 30 days with senior approval and notice to the complainant)"))
COMPLAINT_REVIEW_DAYS = declare(Setting(
    "complaints.review_days", int, 30,
    Text("重新处理（投诉人申请核查或有新情况）的期限（日，自重新受理之日起）",
         "Deadline of a re-opened complaint (customer's review request or new facts; days from re-opening)"),
    minimum=1, maximum=30,
    source=f"{_COMPLAINT_SOURCE} Art 22 (review decided within 30 days of the request; article number unconfirmed)"))
COMPLAINT_DUE_SOON_DAYS = declare(Setting(
    "complaints.due_soon_days", int, 3,
    Text("投诉队列中标为“即将到期”的剩余天数",
         "Days before the deadline from which the queue marks a complaint due soon"),
    minimum=0, maximum=15, source="bank policy"))

# The customer's evaluation at the counter (counterdesk.services.evaluations).
EVALUATION_NPS_EVERY = declare(Setting(
    "evaluation.nps_every", int, 10,
    Text("每隔多少笔柜面服务向客户询问一次推荐意愿（NPS，0-10 分）",
         "Ask the customer how likely they are to recommend the bank (NPS, 0-10) every N-th counter session"),
    minimum=1, maximum=1000,
    source="bank policy; NPS question as defined by Reichheld, \"The One Number You Need to Grow\" (HBR, 2003); "
           "asked in a sample of sessions so that a regular customer is not asked at every visit"))
EVALUATION_MIN_COUNT = declare(Setting(
    "evaluation.min_count", int, 5,
    Text("评价统计中每组（期间、柜员）至少多少条评价才显示，以免识别出单个客户的评价",
         "Fewest evaluations a group (period, teller) needs before its figures are shown, so that no single "
         "rating can be identified"),
    minimum=3, maximum=100,
    source="bank policy (small-cell suppression, as in statistical disclosure control; 个人信息保护法 Art 51)"))

# Data rights and retention (counterdesk.services.customers.data_rights, counterdesk.services.retention).
# KYC data uses due_diligence.retention_years (10 years after the relationship ends); a customer's
# relationship counts as ended at their deletion request (个人信息保护法 Art 47) or at their last activity.
RETENTION_TRANSACTION_YEARS = declare(Setting(
    "retention.transaction_years", int, 10,
    Text("交易记录自交易之日起的保存年限", "Years transaction records are kept after the transaction"),
    minimum=10, maximum=100, source="反洗钱法 (2024) Art 34 (at least 10 years); domain-rules §6"))
RETENTION_SUITABILITY_YEARS = declare(Setting(
    "retention.suitability_years", int, 20,
    Text("适当性材料（匹配、警示、确认、录音录像索引）自销售之日起的保存年限",
         "Years suitability evidence (matching, warnings, confirmations, recordings) is kept after the sale"),
    minimum=20, maximum=100, source="CSRC 证券期货投资者适当性管理办法 Art 32 (20 years, used as default); "
                                    "domain-rules §6"))

# The follow-up list (counterdesk.services.followups): when each kind of follow-up joins the list. The
# elderly customer's extra follow-up applies to the sales that got the special care (suitability.elderly_*).
FOLLOWUP_ELDERLY_DAYS = declare(Setting(
    "followups.elderly_extra_days", int, 7,
    Text("老年客户购买高风险产品后额外回访的期限（天，自销售完成或冷静期结束起）",
         "Days after the sale (or the end of its cooling-off period) within which an older customer who bought "
         "a high-risk product gets the extra follow-up"),
    minimum=1, maximum=60,
    source="domain-rules §5: 65+ high-risk purchases need more follow-up (NFRA 2025 Measures; CSRC 适当性办法 Art 20); "
           "the number of days: bank policy"))
FOLLOWUP_ASSESSMENT_WINDOW_DAYS = declare(Setting(
    "followups.assessment_window_days", int, 30,
    Text("风险承受能力评估到期前多少天列入回访清单（提醒客户重新评估）",
         "Days before a risk-tolerance assessment expires from which the customer is on the follow-up list "
         "(to reassess)"),
    minimum=1, maximum=180, source="NFRA 2025 Art 29 (valid 12 months, then reassess); the window: bank policy"))
FOLLOWUP_MATURITY_WINDOW_DAYS = declare(Setting(
    "followups.maturity_window_days", int, 14,
    Text("产品到期前多少天列入回访清单（到期日 = 销售完成日 + 产品期限）",
         "Days before a product matures from which the sale is on the follow-up list (maturity = the sale's day + "
         "the product's term)"),
    minimum=1, maximum=90, source="bank policy (service before maturity; the term from the product catalog)"))
FOLLOWUP_DUE_SOON_DAYS = declare(Setting(
    "followups.due_soon_days", int, 3,
    Text("回访清单中标为“即将到期”的剩余天数",
         "Days before the due date from which the follow-up list marks an item due soon"),
    minimum=0, maximum=30, source="bank policy"))
FOLLOWUP_LAPSE_DAYS = declare(Setting(
    "followups.lapse_days", int, 30,
    Text("到期、评估到期、老年客户额外回访逾期多少天仍未完成即移出待办（标为“已失效”；售后回访完成前一直保留）",
         "Days past its due day after which an unanswered maturity, assessment-expiry or older-customer follow-up "
         "leaves the open list (shown as lapsed; post-sale calls stay until done)"),
    minimum=1, maximum=365, source="bank policy (post-sale calls are regulatory: kept until done)"))
