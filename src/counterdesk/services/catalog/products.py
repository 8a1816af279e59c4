"""Products: fields, code lists with zh/en labels, parsing of one row and the validation rules.

No database here. ``parse_product`` turns one row (CSV strings or JSON values) into a Product plus a
Result listing EVERY problem (field, stable code, zh/en text), so an import can name them all at once
and the GUI dialog can show the core's own messages. Regulatory anchors:

- private products need qualified investors and minimums per class: fixed income 300k, mixed 400k,
  equity/commodity/derivatives 1M CNY (资管新规 银发〔2018〕106号 Art 6);
- asset-management products must not promise principal protection (资管新规 Art 19), while a
  structured deposit is a deposit and keeps its principal (银保监办发〔2019〕204号);
- cooling-off of at least 24 hours for private WM products and private funds (domain-rules §5);
- dual recording (双录) of every WM / agency product sold to individuals (银监办发〔2017〕110号);
  structured deposits too (银保监办发〔2019〕204号 Art 17). Only plain deposits are exempt;
- two risk ratings, each with who rated it and when: the distributor's (this bank's, ``risk_level``) and
  the issuer's (``issuer_risk_level``); when they differ the higher applies (NFRA 金融机构产品适当性管理办法,
  Order 2025 No. 7) — ``applied_risk_level``;
- periodic-premium insurance carries its premium payment years (保监发〔2014〕3号: payment years + age;
  NFRA Order 2025 No. 7: instalments past age 75), and may carry its annual premium.
The file format is described in resources/catalog/FORMAT.md.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from counterdesk.base.text import Result, Text

# ---- code lists -------------------------------------------------------------------------------------
PRODUCT_TYPES: dict[str, Text] = {
    "deposit": Text("存款", "Deposit"),
    "structured_deposit": Text("结构性存款", "Structured deposit"),
    "public_wm": Text("公募理财", "Public wealth-management product"),
    "private_wm": Text("私募理财", "Private wealth-management product"),
    "public_fund": Text("公募基金", "Public fund"),
    "private_fund": Text("私募基金", "Private fund"),
    "bond": Text("债券", "Bond"),
    "insurance_guaranteed": Text("保险（保证利益）", "Insurance (guaranteed benefits)"),
    "insurance_non_guaranteed": Text("保险（非保证利益）", "Insurance (non-guaranteed benefits)"),
    "precious_metal": Text("贵金属", "Precious metal"),
}
PRIVATE_TYPES = frozenset({"private_wm", "private_fund"})
INSURANCE_TYPES = frozenset({"insurance_guaranteed", "insurance_non_guaranteed"})
# Asset-management products: 资管新规 forbids promising principal or returns for these.
ASSET_MANAGEMENT_TYPES = frozenset({"public_wm", "private_wm", "public_fund", "private_fund"})
# Everything but a plain deposit is a WM or agency product (or a structured deposit) -> 双录.
RECORDING_TYPES = frozenset(PRODUCT_TYPES) - {"deposit"}

RISK_LEVELS: dict[str, Text] = {
    "R1": Text("R1 谨慎型", "R1 cautious"),
    "R2": Text("R2 稳健型", "R2 conservative"),
    "R3": Text("R3 平衡型", "R3 balanced"),
    "R4": Text("R4 进取型", "R4 growth"),
    "R5": Text("R5 激进型", "R5 aggressive"),
}

LIQUIDITY: dict[str, Text] = {
    "daily": Text("每日开放", "Daily dealing"),
    "periodic_open": Text("定期开放", "Periodic open"),
    "closed_end": Text("封闭式", "Closed-end"),
    "at_maturity": Text("到期兑付", "Repaid at maturity"),
    "surrender": Text("退保（可能有损失）", "Surrender (may lose value)"),
}
TERM_NEEDED = frozenset({"closed_end", "at_maturity"})

PRIVATE_CLASSES: dict[str, Text] = {
    "fixed_income": Text("固定收益类", "Fixed income"),
    "mixed": Text("混合类", "Mixed"),
    "equity_commodity_derivatives": Text("权益类/商品及金融衍生品类", "Equity / commodity & derivatives"),
}
# 资管新规 Art 6: minimum per private product for a qualified investor, in CNY.
PRIVATE_MINIMUMS: dict[str, Decimal] = {
    "fixed_income": Decimal("300000"),
    "mixed": Decimal("400000"),
    "equity_commodity_derivatives": Decimal("1000000"),
}
MIN_PRIVATE_COOLING_OFF_HOURS = 24  # fixed by law; the setting only chooses the default above it


@dataclass(frozen=True)
class CatalogRules:
    """The numbers the rules use. Built from the settings by rules_from_settings(); a setting can make a
    rule stricter than the law, never looser (the statutory values are the floor)."""

    cooling_off_default: int = MIN_PRIVATE_COOLING_OFF_HOURS
    private_minimums: tuple[tuple[str, Decimal], ...] = tuple(PRIVATE_MINIMUMS.items())

    def minimum(self, private_class: str) -> Decimal:
        return max(dict(self.private_minimums).get(private_class, Decimal(0)), PRIVATE_MINIMUMS[private_class])


# The suitability engine declares these settings (one number, one place); read by key so the catalog
# does not depend on that module, falling back to the statutory values.
_SETTING_KEYS = {"cooling_off": "suitability.cooling_off_hours",
                 "fixed_income": "suitability.private_min_fixed_income",
                 "mixed": "suitability.private_min_mixed",
                 "equity_commodity_derivatives": "suitability.private_min_equity"}


def rules_from_settings(values: Any) -> CatalogRules:
    def get(key: str, default: Any) -> Any:
        try:
            return values[key]
        except KeyError:
            return default
    cooling = max(int(get(_SETTING_KEYS["cooling_off"], MIN_PRIVATE_COOLING_OFF_HOURS)), MIN_PRIVATE_COOLING_OFF_HOURS)
    mins = tuple((cls, max(Decimal(str(get(_SETTING_KEYS[cls], law))), law)) for cls, law in PRIVATE_MINIMUMS.items())
    return CatalogRules(cooling, mins)

STATUSES: dict[str, Text] = {
    "on_sale": Text("在售", "On sale"),
    "suspended": Text("暂停销售", "Suspended"),
    "withdrawn": Text("已下架", "Withdrawn"),
}

# Licence types (持证上岗). Labels name the qualification as the industry calls it.
LICENCE_TYPES: dict[str, Text] = {
    "fund_sales": Text("基金销售从业资格", "Fund sales qualification"),
    "insurance_agency": Text("保险代理人资格", "Insurance agent qualification"),
    "wealth_management": Text("理财从业资格", "Wealth-management qualification"),
    "precious_metals": Text("贵金属从业资格", "Precious-metals qualification"),
    "securities": Text("证券从业资格", "Securities qualification"),
}
# The licence a product type normally needs; a product without it gets a warning, not an error,
# because head office decides (e.g. bank-issued bonds sold without a separate qualification).
USUAL_LICENCE: dict[str, str] = {
    "public_wm": "wealth_management", "private_wm": "wealth_management",
    "public_fund": "fund_sales", "private_fund": "fund_sales",
    "insurance_guaranteed": "insurance_agency", "insurance_non_guaranteed": "insurance_agency",
    "precious_metal": "precious_metals",
}

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
MAX_TEXT = 100
MAX_TERM_DAYS = 36500
MAX_AMOUNT = Decimal("1000000000000")  # 1e12: anything above is a typing error
MAX_COOLING_OFF_HOURS = 720
CENT = Decimal("0.01")

# Column order of files and of the export; also the accepted CSV header / JSON keys.
FIELDS = ("code", "name_zh", "name_en", "type", "risk_level", "issuer", "term_days", "min_amount", "currency",
          "liquidity", "sale_start", "sale_end", "public", "private_class", "principal_protected",
          "cooling_off_hours", "recording_required", "licence_required", "periodic_premium", "status",
          # catalog 2026 (optional columns, so earlier files import unchanged)
          "premium_payment_years", "annual_premium", "distributor_rated_by", "distributor_rated_on",
          "issuer_risk_level", "issuer_rated_by", "issuer_rated_on")
MAX_PAYMENT_YEARS = 100
REQUIRED = ("code", "name_zh", "name_en", "type", "risk_level", "issuer", "min_amount", "currency", "liquidity",
            "sale_start")

FIELD_LABELS: dict[str, Text] = {
    "code": Text("产品代码", "Code"), "name_zh": Text("中文名称", "Chinese name"),
    "name_en": Text("英文名称", "English name"), "type": Text("产品类型", "Type"),
    "risk_level": Text("风险等级", "Risk level"), "issuer": Text("发行机构", "Issuer"),
    "term_days": Text("期限（天）", "Term (days)"), "min_amount": Text("起购金额", "Minimum amount"),
    "currency": Text("币种", "Currency"), "liquidity": Text("流动性", "Liquidity"),
    "sale_start": Text("销售起始日", "Sale start"), "sale_end": Text("销售截止日", "Sale end"),
    "public": Text("公募", "Public"), "private_class": Text("私募产品类别", "Private class"),
    "principal_protected": Text("保本", "Principal protected"),
    "cooling_off_hours": Text("冷静期（小时）", "Cooling-off (hours)"),
    "recording_required": Text("需双录", "Recording required"),
    "licence_required": Text("所需资格", "Licence required"),
    "periodic_premium": Text("期缴保费", "Periodic premium"), "status": Text("状态", "Status"),
    "premium_payment_years": Text("缴费年限（年）", "Premium payment years"),
    "annual_premium": Text("年缴保费", "Annual premium"),
    "distributor_rated_by": Text("本行评级人", "Distributor rating by"),
    "distributor_rated_on": Text("本行评级日期", "Distributor rating date"),
    "issuer_risk_level": Text("发行机构风险评级", "Issuer's risk rating"),
    "issuer_rated_by": Text("发行机构评级人", "Issuer rating by"),
    "issuer_rated_on": Text("发行机构评级日期", "Issuer rating date"),
}


@dataclass(frozen=True)
class Product:
    code: str
    name_zh: str
    name_en: str
    type: str
    risk_level: str
    issuer: str
    term_days: int | None
    min_amount: Decimal
    currency: str
    liquidity: str
    sale_start: date
    sale_end: date | None
    public: bool
    private_class: str | None
    principal_protected: bool
    cooling_off_hours: int
    recording_required: bool
    licence_required: str  # "" when no licence is needed
    periodic_premium: bool
    status: str
    premium_payment_years: int | None = None  # periodic-premium insurance; None otherwise
    annual_premium: Decimal | None = None     # insurance, optional
    distributor_rated_by: str = ""            # who rated ``risk_level`` for this bank (the distributor)
    distributor_rated_on: date | None = None
    issuer_risk_level: str | None = None      # the issuer's (manufacturer's) own rating, when it has one
    issuer_rated_by: str = ""
    issuer_rated_on: date | None = None

    def name(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh

    @property
    def risk_rank(self) -> int:
        """The rank of the rating that applies (``applied_risk_level``)."""
        return int(self.applied_risk_level[1:])

    @property
    def applied_risk_level(self) -> str:
        """The higher of the distributor's and the issuer's ratings (NFRA Order 2025 No. 7)."""
        if self.issuer_risk_level and self.issuer_risk_level in RISK_LEVELS and self.risk_level in RISK_LEVELS:
            return max(self.risk_level, self.issuer_risk_level, key=lambda r: int(r[1:]))
        return self.risk_level

    @property
    def ratings_differ(self) -> bool:
        return bool(self.issuer_risk_level) and self.issuer_risk_level != self.risk_level

    @property
    def private(self) -> bool:
        return self.type in PRIVATE_TYPES

    def on_sale(self, on: date) -> bool:
        """Status on_sale and ``on`` inside the sale window (both ends inclusive)."""
        return (self.status == "on_sale" and self.sale_start <= on
                and (self.sale_end is None or on <= self.sale_end))

    def to_row(self) -> dict[str, str]:
        """Plain strings in FIELDS order: what the CSV export writes and parse_product reads back."""
        out = {}
        for f in FIELDS:
            v = getattr(self, f)
            if isinstance(v, bool):
                out[f] = "true" if v else "false"
            elif v is None:
                out[f] = ""
            elif isinstance(v, Decimal):
                out[f] = f"{v.quantize(CENT)}"
            elif isinstance(v, date):
                out[f] = v.isoformat()
            else:
                out[f] = str(v)
        return out

    def to_json(self) -> dict[str, Any]:
        row = asdict(self)
        for f in ("min_amount", "annual_premium"):  # strings: JSON numbers are floats
            row[f] = f"{row[f].quantize(CENT)}" if row[f] is not None else None
        for f in ("sale_start", "sale_end", "distributor_rated_on", "issuer_rated_on"):
            row[f] = row[f].isoformat() if row[f] else None
        return {f: row[f] for f in FIELDS}


def type_label(code: str) -> Text:
    return PRODUCT_TYPES.get(code, Text(code, code))


def licence_label(code: str) -> Text:
    return LICENCE_TYPES.get(code, Text(code, code))


# ---- parsing one row ----------------------------------------------------------------------------------
_TRUE = {"true", "yes", "y", "1", "是", "t"}
_FALSE = {"false", "no", "n", "0", "否", "f"}


def _label(field: str) -> Text:
    return FIELD_LABELS.get(field, Text(field, field))


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _text(v: Any) -> str:
    return " ".join(str(v).split()) if v is not None else ""


class _RowReader:
    """Reads one raw row field by field; each failure is recorded and parsing goes on."""

    def __init__(self, raw: Mapping[str, Any], res: Result):
        self.raw, self.res = raw, res

    def bad(self, field: str, code: str, zh: str, en: str) -> None:
        lab = _label(field)
        self.res.add(field, code, Text(f"{lab.zh}：{zh}", f"{lab.en}: {en}"))

    def text(self, field: str) -> str:
        v = self.raw.get(field)
        if _blank(v):
            if field in REQUIRED:
                self.bad(field, "required", "必填", "is required")
            return ""
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            self.bad(field, "type", "应为文本", "must be text")
            return ""
        return _text(v)

    def choice(self, field: str, options: Mapping[str, Text], allow_blank: bool = False) -> str | None:
        value = self.text(field)
        if not value:
            return None
        if value not in options:
            if value.lower() in options:
                return value.lower()
            if value.upper() in options:
                return value.upper()
            allowed = ", ".join(options)
            self.bad(field, "unknown", f"未知取值“{value}”（可选：{allowed}）",
                     f"unknown value '{value}' (allowed: {allowed})")
            return None
        return value

    def integer(self, field: str) -> int | None:
        v = self.raw.get(field)
        if _blank(v):
            return None
        if isinstance(v, bool) or not isinstance(v, (int, str, float)):
            self.bad(field, "number", "应为整数", "must be a whole number")
            return None
        try:
            if isinstance(v, float):
                if not v.is_integer():
                    raise ValueError
                return int(v)
            return int(str(v).strip())
        except ValueError:
            self.bad(field, "number", f"“{v}”不是整数", f"'{v}' is not a whole number")
            return None

    def money(self, field: str, required: bool = True) -> Decimal | None:
        v = self.raw.get(field)
        if _blank(v):
            if required:
                self.bad(field, "required", "必填", "is required")
            return None
        if isinstance(v, bool) or not isinstance(v, (int, str, float)):
            self.bad(field, "number", "应为金额", "must be an amount")
            return None
        # JSON floats go through repr so 300000.1 stays 300000.1 (not 300000.099999...).
        s = repr(v) if isinstance(v, float) else str(v).strip().replace(",", "").replace("_", "")
        try:
            amount = Decimal(s)
        except InvalidOperation:
            self.bad(field, "number", f"“{v}”不是金额", f"'{v}' is not an amount")
            return None
        if not amount.is_finite():
            self.bad(field, "number", f"“{v}”不是金额", f"'{v}' is not an amount")
            return None
        if amount != amount.quantize(CENT):
            self.bad(field, "precision", "最多两位小数（精确到分）", "at most two decimals (cents)")
            return None
        return amount.quantize(CENT)

    def day(self, field: str) -> date | None:
        v = self.raw.get(field)
        if _blank(v):
            if field in REQUIRED:
                self.bad(field, "required", "必填", "is required")
            return None
        try:
            return date.fromisoformat(str(v).strip())
        except ValueError:
            self.bad(field, "date", f"“{v}”不是日期（YYYY-MM-DD）", f"'{v}' is not a date (YYYY-MM-DD)")
            return None

    def flag(self, field: str) -> bool | None:
        v = self.raw.get(field)
        if _blank(v):
            return None
        if isinstance(v, bool):
            return v
        s = str(v).strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        self.bad(field, "bool", f"“{v}”应为 true/false（是/否）", f"'{v}' must be true/false (yes/no)")
        return None


def parse_product(raw: Mapping[str, Any], rules: CatalogRules | None = None) -> tuple[Product | None, Result]:
    """One row -> (Product, Result). Blank optional fields take defaults derived from the type:
    public = not a private type, cooling-off = the setting's default for private products (else 0),
    recording required = true except for plain deposits, principal protected = structured deposits.
    The Product is None when any field could not be read or any rule is broken (errors only;
    warnings leave the product usable)."""
    rules = rules or CatalogRules()
    res = Result()
    p = _RowReader(raw, res)
    unknown = sorted(k for k in raw if k not in FIELDS)
    for key in unknown:
        res.add(str(key), "unknown_field", Text(f"未知字段“{key}”", f"unknown field '{key}'"))
    code = p.text("code")
    if code and not CODE_RE.fullmatch(code):
        p.bad("code", "format", "须为 1-32 位字母、数字、点、下划线或连字符，以字母或数字开头",
              "must be 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit")
    values: dict[str, Any] = {"code": code}
    for f in ("name_zh", "name_en", "issuer"):
        values[f] = p.text(f)
        if len(values[f]) > MAX_TEXT:
            p.bad(f, "too_long", f"不得超过 {MAX_TEXT} 个字符", f"must be at most {MAX_TEXT} characters")
    ptype = p.choice("type", PRODUCT_TYPES)
    values["type"] = ptype
    values["risk_level"] = p.choice("risk_level", RISK_LEVELS)
    values["term_days"] = p.integer("term_days")
    values["min_amount"] = p.money("min_amount")
    currency = p.text("currency").upper()
    if currency and not _is_currency(currency):
        p.bad("currency", "unknown", f"“{currency}”不是 ISO 4217 币种代码",
              f"'{currency}' is not an ISO 4217 currency code")
        currency = ""
    values["currency"] = currency
    values["liquidity"] = p.choice("liquidity", LIQUIDITY)
    values["sale_start"], values["sale_end"] = p.day("sale_start"), p.day("sale_end")
    public = p.flag("public")
    values["private_class"] = p.choice("private_class", PRIVATE_CLASSES)
    protected = p.flag("principal_protected")
    cooling = p.integer("cooling_off_hours")
    recording = p.flag("recording_required")
    values["licence_required"] = p.choice("licence_required", LICENCE_TYPES) or ""
    periodic = p.flag("periodic_premium")
    values["status"] = p.choice("status", STATUSES) or ("on_sale" if _blank(raw.get("status")) else None)
    values["premium_payment_years"] = p.integer("premium_payment_years")
    values["annual_premium"] = p.money("annual_premium", required=False)
    values["distributor_rated_by"] = p.text("distributor_rated_by")
    values["distributor_rated_on"] = p.day("distributor_rated_on")
    values["issuer_risk_level"] = p.choice("issuer_risk_level", RISK_LEVELS)
    # The issuer rates its own product unless the file names someone else.
    values["issuer_rated_by"] = p.text("issuer_rated_by") or (values["issuer"] if values["issuer_risk_level"] else "")
    values["issuer_rated_on"] = p.day("issuer_rated_on")
    for f in ("distributor_rated_by", "issuer_rated_by"):
        if len(values[f]) > MAX_TEXT:
            p.bad(f, "too_long", f"不得超过 {MAX_TEXT} 个字符", f"must be at most {MAX_TEXT} characters")

    private = ptype in PRIVATE_TYPES
    values["public"] = (not private) if public is None else public
    values["principal_protected"] = (ptype == "structured_deposit") if protected is None else protected
    values["cooling_off_hours"] = (rules.cooling_off_default if private else 0) if cooling is None else cooling
    values["recording_required"] = (ptype in RECORDING_TYPES) if recording is None else recording
    values["periodic_premium"] = bool(periodic)
    # Fields that failed to parse are replaced by placeholders and skipped by the rules, so the
    # remaining rules still run and the row's other problems are reported in the same pass.
    unreadable = frozenset(p.field for p in res.problems)
    substitutes = {"type": "", "risk_level": "", "min_amount": Decimal(1), "liquidity": "", "sale_start": date.min,
                   "status": "", "private_class": None}
    for f in ("type", "risk_level", "min_amount", "liquidity", "sale_start", "status"):
        if values[f] is None:
            values[f] = substitutes[f]
            unreadable |= {f}
    for f in ("code", "name_zh", "name_en", "issuer", "currency"):
        if f in unreadable:
            values[f] = values[f] or ""
    product = Product(**values)
    res.problems += validate_product(product, rules, unreadable).problems
    return (product if res.ok else None), res


def _is_currency(code: str) -> bool:
    if not re.fullmatch(r"[A-Z]{3}", code):
        return False
    import pycountry  # loaded on first use: its database costs ~50 ms
    return pycountry.currencies.get(alpha_3=code) is not None


# ---- rules on a whole product -------------------------------------------------------------------------
def validate_product(p: Product, rules: CatalogRules | None = None, unreadable: frozenset[str] = frozenset()
                     ) -> Result:
    """Range and consistency rules on a parsed product; every broken rule is listed. Rules that read a
    field in ``unreadable`` (it failed to parse and is already reported) are skipped, so one typo
    does not hide the other problems of the row, nor cause follow-on noise."""
    rules = rules or CatalogRules()
    res = Result()

    def bad(field: str, code: str, zh: str, en: str, severity: str = "error") -> None:
        lab = _label(field)
        res.add(field, code, Text(f"{lab.zh}：{zh}", f"{lab.en}: {en}"), severity)  # type: ignore[arg-type]

    def known(*names: str) -> bool:
        return not unreadable.intersection(names)

    if known("code") and not CODE_RE.fullmatch(p.code or ""):
        bad("code", "format", "格式不正确", "not in the expected format")
    for f in ("name_zh", "name_en", "issuer"):
        v = getattr(p, f)
        if not known(f):
            continue
        if not v.strip():
            bad(f, "required", "必填", "is required")
        elif len(v) > MAX_TEXT:
            bad(f, "too_long", f"不得超过 {MAX_TEXT} 个字符", f"must be at most {MAX_TEXT} characters")
    if known("type") and p.type not in PRODUCT_TYPES:
        bad("type", "unknown", "未知产品类型", "unknown product type")
    if known("risk_level"):
        if p.risk_level not in RISK_LEVELS:
            bad("risk_level", "unknown", "须为 R1-R5", "must be R1-R5")
        elif known("type") and p.type == "deposit" and p.risk_level != "R1":
            bad("risk_level", "deposit_r1", "存款受存款保险保障，风险等级应为 R1",
                "a deposit is covered by deposit insurance and must be rated R1")
    if known("liquidity") and p.liquidity not in LIQUIDITY:
        bad("liquidity", "unknown", "未知取值", "unknown value")
    if known("term_days"):
        if p.term_days is not None and not (1 <= p.term_days <= MAX_TERM_DAYS):
            bad("term_days", "range", f"须在 1-{MAX_TERM_DAYS} 之间（不定期请留空）",
                f"must be 1-{MAX_TERM_DAYS} (leave empty when open-ended)")
        if p.term_days is None and known("liquidity") and p.liquidity in TERM_NEEDED:
            bad("term_days", "required", "封闭式或到期兑付的产品须填写期限",
                "closed-end and held-to-maturity products need a term")
    amount_ok = known("min_amount")
    if amount_ok:
        if p.min_amount <= 0:
            bad("min_amount", "range", "须大于 0", "must be greater than 0")
            amount_ok = False
        elif p.min_amount > MAX_AMOUNT:
            bad("min_amount", "range", "金额过大", "is implausibly large")
            amount_ok = False
        elif p.min_amount != p.min_amount.quantize(CENT):
            bad("min_amount", "precision", "最多两位小数（精确到分）", "at most two decimals (cents)")
            amount_ok = False
    if known("currency") and not _is_currency(p.currency):
        bad("currency", "unknown", "不是 ISO 4217 币种代码", "is not an ISO 4217 currency code")
    if known("sale_start", "sale_end") and p.sale_end is not None and p.sale_end < p.sale_start:
        bad("sale_end", "before_start", f"不得早于销售起始日 {p.sale_start}",
            f"must not be before the sale start {p.sale_start}")
    if known("status") and p.status not in STATUSES:
        bad("status", "unknown", "未知状态", "unknown status")
    if known("licence_required"):
        if p.licence_required and p.licence_required not in LICENCE_TYPES:
            bad("licence_required", "unknown", "未知资格类型", "unknown licence type")
        usual = USUAL_LICENCE.get(p.type) if known("type") else None
        if usual and p.licence_required != usual:
            lab = LICENCE_TYPES[usual]
            bad("licence_required", "usual_licence", f"此类产品通常要求“{lab.zh}”，请确认",
                f"this product type usually requires '{lab.en}'; please confirm", "warning")
    if known("cooling_off_hours") and not (0 <= p.cooling_off_hours <= MAX_COOLING_OFF_HOURS):
        bad("cooling_off_hours", "range", f"须在 0-{MAX_COOLING_OFF_HOURS} 之间", f"must be 0-{MAX_COOLING_OFF_HOURS}")
    if not known("type"):
        return res  # every rule below depends on the product type

    private = p.type in PRIVATE_TYPES
    if private:
        if known("public") and p.public:
            bad("public", "private_not_public", "私募产品不能标记为公募", "a private product cannot be marked public")
        if not known("private_class"):
            pass
        elif p.private_class is None:
            bad("private_class", "required", "私募产品须填写类别（决定合格投资者起购金额）",
                "a private product needs its class (it sets the qualified-investor minimum)")
        elif p.private_class not in PRIVATE_CLASSES:
            bad("private_class", "unknown", "未知类别", "unknown class")
        elif not (amount_ok and known("currency")):
            pass
        elif p.currency == "CNY" and p.min_amount < rules.minimum(p.private_class):
            minimum = rules.minimum(p.private_class)
            cls = PRIVATE_CLASSES[p.private_class]
            bad("min_amount", "private_minimum",
                f"{cls.zh}私募产品起购金额不得低于 {minimum:,.2f} 元（资管新规）",
                f"a private {cls.en.lower()} product needs a minimum of at least CNY {minimum:,.2f} (资管新规)")
        elif p.currency != "CNY":
            bad("min_amount", "private_minimum_fx",
                "外币私募产品无法自动核对人民币起购标准，请人工确认折合金额",
                f"the CNY minimum cannot be checked for a {p.currency} product; confirm the equivalent by hand",
                "warning")
        if known("cooling_off_hours") and p.cooling_off_hours < MIN_PRIVATE_COOLING_OFF_HOURS:
            bad("cooling_off_hours", "private_cooling_off", "私募产品冷静期不得少于 24 小时",
                "a private product needs a cooling-off period of at least 24 hours")
    else:
        if known("public") and not p.public:
            bad("public", "public_type", "只有私募理财和私募基金可标记为非公募",
                "only private WM products and private funds can be non-public")
        if known("private_class") and p.private_class is not None:
            bad("private_class", "public_product", "公募产品不填写私募类别", "a public product has no private class")
    if known("principal_protected"):
        if p.type == "structured_deposit" and not p.principal_protected:
            bad("principal_protected", "structured_deposit", "结构性存款属于存款，须保本",
                "a structured deposit is a deposit and must protect the principal")
        if p.type in ASSET_MANAGEMENT_TYPES and p.principal_protected:
            bad("principal_protected", "no_guarantee", "资管产品不得承诺保本（资管新规）",
                "asset-management products must not promise principal protection (资管新规)")
    if known("recording_required") and p.type in RECORDING_TYPES and not p.recording_required:
        bad("recording_required", "dual_recording", "向个人销售理财和代销产品须双录",
            "WM and agency products sold to individuals must be recorded (双录)")
    if known("periodic_premium") and p.periodic_premium and p.type not in INSURANCE_TYPES:
        bad("periodic_premium", "not_insurance", "只有保险产品有期缴保费",
            "only insurance products have periodic premiums")
    _validate_2026(p, bad, known)
    return res


def _validate_2026(p: Product, bad: Any, known: Any) -> None:
    """Premium payment years, annual premium and the two risk ratings (catalog 2026)."""
    insurance = p.type in INSURANCE_TYPES
    if known("premium_payment_years"):
        years = p.premium_payment_years
        if years is not None and not insurance:
            bad("premium_payment_years", "not_insurance", "只有保险产品有缴费年限",
                "only insurance products have premium payment years")
        elif years is not None and not (1 <= years <= MAX_PAYMENT_YEARS):
            bad("premium_payment_years", "range", f"须在 1-{MAX_PAYMENT_YEARS} 之间",
                f"must be 1-{MAX_PAYMENT_YEARS}")
        elif years is not None and known("periodic_premium") and not p.periodic_premium:
            bad("premium_payment_years", "single_premium", "趸交产品不填写缴费年限",
                "a single-premium product has no payment years")
        elif years is None and insurance and known("periodic_premium") and p.periodic_premium:
            # Without it the "payment years + age" (保监发〔2014〕3号) and "instalments past 75"
            # (NFRA Order 2025 No. 7) checks cannot run.
            bad("premium_payment_years", "required", "期缴保险须填写缴费年限（用于缴费年限与年龄的检查）",
                "periodic-premium insurance needs its payment years (for the payment-years-and-age checks)")
    if known("annual_premium") and p.annual_premium is not None:
        if not insurance:
            bad("annual_premium", "not_insurance", "只有保险产品有年缴保费", "only insurance products have a premium")
        elif not (0 < p.annual_premium <= MAX_AMOUNT):
            bad("annual_premium", "range", "须大于 0", "must be greater than 0")
    if not known("issuer_risk_level") or p.issuer_risk_level is None:
        return
    if p.issuer_risk_level not in RISK_LEVELS:
        bad("issuer_risk_level", "unknown", "须为 R1-R5", "must be R1-R5")
        return
    if p.type == "deposit" and p.issuer_risk_level != "R1":
        bad("issuer_risk_level", "deposit_r1", "存款的风险等级应为 R1", "a deposit must be rated R1")
    # NFRA Order 2025 No. 7: both ratings are kept with their sources, so the higher can be shown and proven.
    for f in ("issuer_rated_on", "distributor_rated_on"):
        if known(f) and getattr(p, f) is None:
            bad(f, "rating_source", "填写发行机构评级时，两个评级均须注明评级日期"
                "（孰高原则，金融机构产品适当性管理办法）",
                "with an issuer's rating both ratings need their date (the higher applies, NFRA Order 2025 No. 7)")
    if known("distributor_rated_by") and not p.distributor_rated_by.strip():
        bad("distributor_rated_by", "rating_source", "填写发行机构评级时须注明本行评级人",
            "with an issuer's rating, name who rated the product for this bank")


PRODUCT_FIELD_NAMES = tuple(f.name for f in fields(Product))
assert PRODUCT_FIELD_NAMES == FIELDS, "FIELDS must list the Product fields in order"
