"""Every setting declared once: key, type, default, bounds, bilingual description, source.

Values live in the encrypted database (authoritative). Settings needed before anyone signs in
(language, lockout, idle lock) are also mirrored to install.json, which holds no personal data.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

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
    source: str = ""

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
