"""Every setting declared once: key, type, default, bounds, bilingual description, source.

Values live in the encrypted database (authoritative). Settings needed before anyone signs in
(language, lockout, idle lock) are also mirrored to install.json, which holds no personal data.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .text import Result, Text


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
SANCTIONS_MAX_LIST_AGE_DAYS = declare(Setting(
    "sanctions.max_list_age_days", int, 7,
    Text("制裁名单最长有效天数（超过则筛查不能放行）", "Maximum age of a sanctions list in days (older: screening cannot clear)"),
    minimum=1, maximum=90, source="bank practice (FATF R.6: screen against current lists)"))
SANCTIONS_MATCH_THRESHOLD = declare(Setting(
    "sanctions.match_threshold", float, 0.85,
    Text("制裁筛查疑似命中阈值（0.5-0.99）", "Sanctions screening threshold for a potential hit (0.5-0.99)"),
    minimum=0.5, maximum=0.99, source="bank practice"))

# AML customer risk rating (counterdesk.customers.aml): ISO 3166-1 alpha-3 codes, comma-separated.
AML_HIGH_RISK_COUNTRIES = declare(Setting(
    "aml.high_risk_countries", str, "PRK,IRN,MMR",
    Text("高风险国家或地区（ISO 三位字母代码，逗号分隔；客户国籍或税收居民国在列则评为高风险）",
         "High-risk jurisdictions (ISO alpha-3 codes, comma-separated; nationality or tax residence there rates high)"),
    pattern=r"([A-Z]{3}(,[A-Z]{3})*)?", source="FATF high-risk jurisdictions subject to a call for action"))
AML_MONITORED_COUNTRIES = declare(Setting(
    "aml.monitored_countries", str, "",
    Text("需加强监测的国家或地区（ISO 三位字母代码，逗号分隔；评为中风险）",
         "Jurisdictions under increased monitoring (ISO alpha-3 codes, comma-separated; rates medium)"),
    pattern=r"([A-Z]{3}(,[A-Z]{3})*)?", source="FATF jurisdictions under increased monitoring (fill in the current list)"))


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
