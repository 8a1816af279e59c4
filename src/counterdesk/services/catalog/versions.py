"""The versioned catalog in the store: read any version, import (all-or-nothing), export, GUI edits.

Every import or GUI edit writes a new catalog version: a catalog_versions row plus a full copy of the
products, in ONE transaction with its audit entry. An import is parsed and validated completely
before the database is touched, and every problem of every row is reported with its line (CSV) or
position (JSON) and field, so head office can fix the whole file in one pass. Nothing is stored
unless the whole file is valid. Old versions are never altered: a sale refers to the version it
was made under, and that version stays readable as evidence.

By default an import replaces the catalog with the file's products (the file is the catalog, as
head office publishes it, and export -> import round-trips); ``merge=True`` adds and updates the
file's products and keeps the rest. An import that would change nothing creates no version.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.atomicfile import write_bytes_atomic
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Result, Text, ValidationFailed
from counterdesk.services.auth.vault import Vault
from counterdesk.services.catalog import fileio
from counterdesk.services.catalog.fileio import FileProblem, Location
from counterdesk.services.catalog.products import FIELDS, CatalogRules, Product, parse_product, rules_from_settings
from counterdesk.store import audit
from counterdesk.store.models.catalog import CatalogProduct, CatalogVersion
from counterdesk.store.models.core import User

MAX_NOTE = 200
MAX_LISTED_PROBLEMS = 200  # the exception text lists this many; .problems keeps them all


class CatalogError(CounterDeskError):
    code = "catalog"


class ImportRejected(CounterDeskError):
    """The file was refused; ``problems`` lists every problem with its line/position and field."""

    code = "catalog_import"

    def __init__(self, problems: list[FileProblem], file_name: str = ""):
        self.problems = problems
        head = Text(f"产品目录文件 {file_name} 未导入（未做任何更改），共 {len(problems)} 个问题：",
                    f"The catalog file {file_name} was not imported (nothing changed); {len(problems)} problem(s):")
        shown = problems[:MAX_LISTED_PROBLEMS]
        zh = "\n".join([head.zh] + [p.message("zh") for p in shown])
        en = "\n".join([head.en] + [p.message("en") for p in shown])
        if len(problems) > len(shown):
            more = len(problems) - len(shown)
            zh, en = zh + f"\n……另有 {more} 个问题", en + f"\n... and {more} more"
        super().__init__(Text(zh, en))


@dataclass(frozen=True)
class CatalogVersionInfo:
    number: int
    created_at: str
    created_by: str  # username
    source: str      # import | gui
    sha256: str | None
    file_name: str | None
    note: str
    products: int


@dataclass(frozen=True)
class Catalog:
    version: CatalogVersionInfo | None  # None: no catalog has been loaded yet
    products: tuple[Product, ...]

    @property
    def number(self) -> int | None:
        return self.version.number if self.version else None

    def get(self, code: str) -> Product | None:
        return next((p for p in self.products if p.code == code), None)

    def on_sale(self, on: date) -> list[Product]:
        return [p for p in self.products if p.on_sale(on)]


_NO_MESSAGE = Text("", "")  # Text is frozen, so one shared default is safe


@dataclass(frozen=True)
class CatalogImport:
    status: str  # "imported" | "unchanged"
    version: CatalogVersionInfo | None
    added: int
    changed: int
    removed: int
    warnings: list[FileProblem] = field(default_factory=list)
    message: Text = _NO_MESSAGE


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    version: int | None
    products: int
    message: Text


# ---- reading ----------------------------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(UTC)


def _require_signed_in(us: SignedInUser | None) -> None:
    # The catalog is not personal data: every signed-in role reads it (tellers sell from it,
    # supervisors approve against it, auditors check it). Only catalog.manage changes it.
    if us is None:
        raise CatalogError(Text("请先登录。", "Sign in first."), code="not_signed_in")


def _product(row: CatalogProduct) -> Product:
    return Product(
        code=row.code, name_zh=row.name_zh, name_en=row.name_en, type=row.type, risk_level=row.risk_level,
        issuer=row.issuer, term_days=row.term_days,
        min_amount=(Decimal(row.min_amount_cents) / 100).quantize(Decimal("0.01")),
        currency=row.currency, liquidity=row.liquidity, sale_start=date.fromisoformat(row.sale_start),
        sale_end=date.fromisoformat(row.sale_end) if row.sale_end else None, public=row.public,
        private_class=row.private_class, principal_protected=row.principal_protected,
        cooling_off_hours=row.cooling_off_hours, recording_required=row.recording_required,
        licence_required=row.licence_required or "", periodic_premium=row.periodic_premium, status=row.status,
        premium_payment_years=row.premium_payment_years,
        annual_premium=(Decimal(row.annual_premium_cents) / 100).quantize(Decimal("0.01"))
        if row.annual_premium_cents is not None else None,
        distributor_rated_by=row.distributor_rated_by or "",
        distributor_rated_on=date.fromisoformat(row.distributor_rated_on) if row.distributor_rated_on else None,
        issuer_risk_level=row.issuer_risk_level or None, issuer_rated_by=row.issuer_rated_by or "",
        issuer_rated_on=date.fromisoformat(row.issuer_rated_on) if row.issuer_rated_on else None)


def _row(version: int, p: Product) -> dict[str, Any]:
    return {"version": version, "code": p.code, "name_zh": p.name_zh, "name_en": p.name_en, "type": p.type,
            "risk_level": p.risk_level, "issuer": p.issuer, "term_days": p.term_days,
            "min_amount_cents": int(p.min_amount * 100), "currency": p.currency, "liquidity": p.liquidity,
            "sale_start": p.sale_start.isoformat(), "sale_end": p.sale_end.isoformat() if p.sale_end else None,
            "public": p.public, "private_class": p.private_class, "principal_protected": p.principal_protected,
            "cooling_off_hours": p.cooling_off_hours, "recording_required": p.recording_required,
            "licence_required": p.licence_required, "periodic_premium": p.periodic_premium, "status": p.status,
            "premium_payment_years": p.premium_payment_years,
            "annual_premium_cents": int(p.annual_premium * 100) if p.annual_premium is not None else None,
            "distributor_rated_by": p.distributor_rated_by or None,
            "distributor_rated_on": p.distributor_rated_on.isoformat() if p.distributor_rated_on else None,
            "issuer_risk_level": p.issuer_risk_level, "issuer_rated_by": p.issuer_rated_by or None,
            "issuer_rated_on": p.issuer_rated_on.isoformat() if p.issuer_rated_on else None}


def _usernames(db) -> dict[str, str]:
    return {uid: name for uid, name in db.execute(select(User.id, User.username))}


def _info(row: CatalogVersion, names: dict[str, str]) -> CatalogVersionInfo:
    return CatalogVersionInfo(row.number, row.created_at, names.get(row.created_by, row.created_by), row.source,
                              row.sha256, row.file_name, row.note, row.products)


def current_number(db) -> int | None:
    return db.execute(select(func.max(CatalogVersion.number))).scalar()


def products_in(db, number: int) -> list[Product]:
    rows = db.execute(select(CatalogProduct).where(CatalogProduct.version == number)
                           .order_by(CatalogProduct.code)).scalars()
    return [_product(r) for r in rows]


def catalog_in(db, number: int | None = None) -> Catalog:
    """The catalog at ``number`` (default: the current one) inside the caller's transaction;
    for other features (suitability, counter session) that already hold a session."""
    number = current_number(db) if number is None else number
    if number is None:
        return Catalog(None, ())
    row = db.get(CatalogVersion, number)
    if row is None:
        raise CatalogError(Text(f"没有第 {number} 版产品目录。", f"There is no catalog version {number}."),
                           code="no_version")
    return Catalog(_info(row, _usernames(db)), tuple(products_in(db, number)))


def current_catalog(vault: Vault, us: SignedInUser) -> Catalog:
    _require_signed_in(us)
    return vault.transact(lambda s: catalog_in(s))


def catalog_at(vault: Vault, us: SignedInUser, number: int) -> Catalog:
    _require_signed_in(us)
    return vault.transact(lambda s: catalog_in(s, number))


def list_versions(vault: Vault, us: SignedInUser) -> list[CatalogVersionInfo]:
    """All versions, newest first."""
    _require_signed_in(us)

    def read(db: Session) -> list[CatalogVersionInfo]:
        names = _usernames(db)
        rows = db.execute(select(CatalogVersion).order_by(CatalogVersion.number.desc())).scalars()
        return [_info(r, names) for r in rows]
    return vault.transact(read)


# ---- writing ----------------------------------------------------------------------------------------
def _check_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        res = Result()
        res.add("note", "too_long", Text(f"备注不得超过 {MAX_NOTE} 个字符",
                                         f"The note must be at most {MAX_NOTE} characters"))
        raise ValidationFailed(res)
    return note


def _write_version(db, us: SignedInUser, products: list[Product], source: str, note: str, now: datetime,
                   sha: str | None = None, file_name: str | None = None) -> CatalogVersion:
    number = (current_number(db) or 0) + 1
    row = CatalogVersion(number=number, created_at=now.isoformat(timespec="seconds"), created_by=us.user_id,
                         source=source, sha256=sha, file_name=file_name, note=note, products=len(products))
    db.add(row)
    db.flush()
    if products:
        db.execute(insert(CatalogProduct), [_row(number, p) for p in sorted(products, key=lambda p: p.code)])
    return row


def _diff(old: dict[str, Product], new: dict[str, Product]) -> tuple[int, int, int]:
    added = sum(1 for c in new if c not in old)
    changed = sum(1 for c in new if c in old and old[c] != new[c])
    removed = sum(1 for c in old if c not in new)
    return added, changed, removed


def validate_rows(rows: list[fileio.RawRow],
                  rules: CatalogRules | None = None) -> tuple[list[Product], list[FileProblem]]:
    """Parse and check every row; problems (errors and warnings) carry the row's location."""
    products, problems = [], []
    first_seen: dict[str, Location] = {}
    for raw in rows:
        product, res = parse_product(raw.values, rules)
        for p in res.problems:
            problems.append(FileProblem(raw.location, p.field, p.code, p.text, p.severity))
        code = " ".join(str(raw.values.get("code") or "").split())
        if code:
            if code in first_seen:
                where = first_seen[code].text()
                problems.append(FileProblem(raw.location, "code", "duplicate", Text(
                    f"产品代码：“{code}”重复（首次出现于{where.zh}）",
                    f"Code: '{code}' appears twice (first at {where.en})")))
                continue
            first_seen[code] = raw.location
        if product is not None:
            products.append(product)
    return products, problems


def import_bytes(vault: Vault, us: SignedInUser, name: str, data: bytes, fmt: str | None = None, note: str = "",
                 merge: bool = False, now: datetime | None = None) -> CatalogImport:
    """Validate the whole file, then store it as a new version in one transaction; raises
    ImportRejected (every problem, with line/position and field) with nothing stored."""
    require(us.role, "catalog.manage")
    if fmt is not None and fmt not in fileio.FORMATS:
        raise CatalogError(Text(f"不支持的格式：{fmt}", f"Unsupported format: {fmt}"), code="bad_format")
    note = _check_note(note)
    now = now or _now()
    sha = hashlib.sha256(data).hexdigest()
    fmt = fmt or fileio.detect_format(name, data)
    base = Path(name).name[:255]
    rows, problems = fileio.read_rows(name, data, fmt)
    if not rows and not problems:
        problems = [FileProblem(Location(), "", "empty", Text("文件中没有产品", "the file holds no products"))]
    products, row_problems = validate_rows(rows, rules_from_settings(vault.settings()))
    problems += row_problems
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if errors:
        vault.record(us, "catalog.import_rejected", "catalog", None,
                     {"file": base, "format": fmt, "sha256": sha, "count": len(errors), "error": errors[0].code})
        raise ImportRejected(errors, base)

    def write(db: Session) -> CatalogImport:
        current = current_number(db)
        old = {p.code: p for p in products_in(db, current)} if current else {}
        new = dict(old) if merge else {}
        new.update({p.code: p for p in products})
        added, changed, removed = _diff(old, new)
        if current is not None and not (added or changed or removed):
            version = db.get(CatalogVersion, current)
            assert version is not None  # ``current`` is the highest stored version number
            info = _info(version, _usernames(db))
            return CatalogImport("unchanged", info, 0, 0, 0, warnings, Text(
                f"文件内容与当前第 {current} 版产品目录相同，未创建新版本。",
                f"The file matches the current catalog version {current}; no new version was created."))
        row = _write_version(db, us, list(new.values()), "import", note, now, sha, base)
        audit.append(db, us.actor, "catalog.imported", "catalog", str(row.number), {
            "catalog_version": row.number, "file": base, "format": fmt, "sha256": sha, "products": len(new),
            "added": added, "changed": changed, "removed": removed, "mode": "merge" if merge else "replace",
            "warnings": len(warnings)})
        info = _info(row, _usernames(db))
        return CatalogImport("imported", info, added, changed, removed, warnings, Text(
            f"已导入为第 {row.number} 版产品目录：共 {len(new)} 个产品（新增 {added}，"
            f"修改 {changed}，删除 {removed}）。",
            f"Imported as catalog version {row.number}: {len(new)} products ({added} added, {changed} changed, "
            f"{removed} removed)."))
    return vault.transact(write)


def import_file(vault: Vault, us: SignedInUser, path: Path | str, fmt: str | None = None, note: str = "",
                merge: bool = False, now: datetime | None = None) -> CatalogImport:
    require(us.role, "catalog.manage")  # before reading the file
    path = Path(path)
    try:
        if path.stat().st_size > fileio.MAX_FILE_BYTES:
            raise CatalogError(Text(f"文件过大：{path.name}", f"The file is too large: {path.name}"), code="too_large")
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(Text(f"无法读取文件 {path}：{exc.strerror}", f"Cannot read the file {path}: {exc.strerror}"),
                           code="unreadable_file") from None
    return import_bytes(vault, us, path.name, data, fmt=fmt, note=note, merge=merge, now=now)


def export_bytes(vault: Vault, us: SignedInUser, fmt: str = "csv", number: int | None = None,
                 now: datetime | None = None) -> tuple[bytes, Catalog]:
    require(us.role, "catalog.manage")
    if fmt not in fileio.FORMATS:
        raise CatalogError(Text(f"不支持的格式：{fmt}", f"Unsupported format: {fmt}"), code="bad_format")
    cat = vault.transact(lambda s: catalog_in(s, number))
    products = list(cat.products)
    data = fileio.write_csv(products) if fmt == "csv" else fileio.write_json(products, cat.number, now or _now())
    return data, cat


def export_file(vault: Vault, us: SignedInUser, path: Path | str, fmt: str | None = None, number: int | None = None
                ) -> ExportResult:
    """Write the current (or the given) version to ``path``; the format follows the suffix unless given."""
    path = Path(path)
    fmt = fmt or ("json" if path.suffix.lower() == ".json" else "csv")
    data, cat = export_bytes(vault, us, fmt, number)
    try:
        write_bytes_atomic(path, data, mode=0o644)
    except OSError as exc:
        raise CatalogError(Text(f"无法写入文件 {path}：{exc.strerror}",
                                f"Cannot write the file {path}: {exc.strerror}"),
                           code="unwritable_file") from None
    vault.record(us, "catalog.exported", "catalog", str(cat.number) if cat.number else None,
                 {"catalog_version": cat.number, "format": fmt, "products": len(cat.products), "file": path.name})
    return ExportResult(path, fmt, cat.number, len(cat.products), Text(
        f"已将第 {cat.number or 0} 版产品目录（{len(cat.products)} 个产品）导出到 {path}。",
        f"Exported catalog version {cat.number or 0} ({len(cat.products)} products) to {path}."))


def save_product(vault: Vault, us: SignedInUser, values: Mapping[str, Any] | Product, editing: str | None = None,
                 note: str = "", now: datetime | None = None) -> tuple[CatalogVersionInfo, Result]:
    """Add a product (``editing`` None) or replace the product with code ``editing`` (GUI edit); the
    result is a new catalog version. Raises ValidationFailed with every problem; returns the new
    version and the warnings."""
    require(us.role, "catalog.manage")
    note = _check_note(note)
    raw = values.to_row() if isinstance(values, Product) else {k: v for k, v in values.items() if k in FIELDS}
    if editing is not None and set(FIELDS) - set(raw):
        # Fields the caller does not edit (the GUI dialog shows the columns of before 2026) keep their
        # stored values: an edit must not drop the payment years or the issuer's rating.
        def stored(db: Session) -> Product | None:
            number = current_number(db)
            return next((p for p in products_in(db, number) if p.code == editing), None) if number else None
        old = vault.transact(stored)
        if old is not None:
            kept = old.to_row()
            raw = {**{k: kept[k] for k in FIELDS if k not in raw}, **raw}
    product, res = parse_product(raw, rules_from_settings(vault.settings()))
    if product is None:
        raise ValidationFailed(res)
    if editing is not None and product.code != editing:
        bad = Result()
        bad.add("code", "immutable", Text("产品代码：不能修改已有产品的代码（请新增产品并下架旧产品）",
                                          "Code: an existing product's code cannot change (add a new product and "
                                          "withdraw the old one)"))
        raise ValidationFailed(bad)
    now = now or _now()

    def write(db: Session) -> CatalogVersionInfo:
        current = current_number(db)
        products = {p.code: p for p in products_in(db, current)} if current else {}
        if editing is None and product.code in products:
            bad = Result()
            bad.add("code", "duplicate", Text(f"产品代码：“{product.code}”已存在",
                                              f"Code: '{product.code}' already exists"))
            raise ValidationFailed(bad)
        if editing is not None and editing not in products:
            raise CatalogError(Text(f"当前目录中没有产品 {editing}。",
                                    f"There is no product {editing} in the current catalog."),
                               code="no_product")
        if editing is not None and products[editing] == product:
            version = db.get(CatalogVersion, current)
            assert version is not None  # editing a product of the current version: there is one
            return _info(version, _usernames(db))
        products[product.code] = product
        row = _write_version(db, us, list(products.values()), "gui", note, now)
        audit.append(db, us.actor, "catalog.product_saved", "catalog_product", product.code, {
            "catalog_version": row.number, "code": product.code, "mode": "edit" if editing else "add",
            "products": len(products)})
        return _info(row, _usernames(db))
    info = vault.transact(write)
    warnings = Result([p for p in res.problems if p.severity != "error"])
    return info, warnings


def products_by_code(vault: Vault, us: SignedInUser) -> dict[str, Product]:
    """{code: Product} of the current catalog (names in either language for pages and lists)."""
    return {p.code: p for p in current_catalog(vault, us).products}
