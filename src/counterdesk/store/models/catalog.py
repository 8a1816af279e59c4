"""Tables of the catalog feature, on the shared declarative Base (schema: revisions 0006 and 0016).

The catalog is versioned by full snapshots: every import or GUI edit writes a catalog_versions row
and a copy of every product under that number. Catalogs are small (tens to a few hundred rows), so
a snapshot costs little and makes "what exactly was on offer on that day" a single query; old
versions are never changed or deleted (evidence for past sales).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class CatalogVersion(Base):
    __tablename__ = "catalog_versions"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    created_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # import | gui
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # of the imported file
    file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    products: Mapped[int] = mapped_column(Integer, nullable=False)


class CatalogProduct(Base):
    __tablename__ = "catalog_products"

    version: Mapped[int] = mapped_column(Integer, ForeignKey("catalog_versions.number"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False)
    name_en: Mapped[str] = mapped_column(String(100), nullable=False)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    risk_level: Mapped[str] = mapped_column(String(2), nullable=False)
    issuer: Mapped[str] = mapped_column(String(100), nullable=False)
    term_days: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: open-ended
    min_amount_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)  # exact, no float
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    liquidity: Mapped[str] = mapped_column(String(16), nullable=False)
    sale_start: Mapped[str] = mapped_column(String(10), nullable=False)  # ISO date
    sale_end: Mapped[str | None] = mapped_column(String(10), nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False)
    private_class: Mapped[str | None] = mapped_column(String(32), nullable=True)
    principal_protected: Mapped[bool] = mapped_column(Boolean, nullable=False)
    cooling_off_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    recording_required: Mapped[bool] = mapped_column(Boolean, nullable=False)
    licence_required: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    periodic_premium: Mapped[bool] = mapped_column(Boolean, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    # revision 0016 (catalog 2026): insurance payment years and premium; both risk ratings with their sources
    premium_payment_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    annual_premium_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    distributor_rated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    distributor_rated_on: Mapped[str | None] = mapped_column(String(10), nullable=True)  # ISO date
    issuer_risk_level: Mapped[str | None] = mapped_column(String(2), nullable=True)
    issuer_rated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    issuer_rated_on: Mapped[str | None] = mapped_column(String(10), nullable=True)


class UserLicence(Base):
    __tablename__ = "user_licences"
    __table_args__ = (UniqueConstraint("user_id", "licence_type", name="uq_user_licences_user_type"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    licence_type: Mapped[str] = mapped_column(String(32), nullable=False)
    number: Mapped[str] = mapped_column(String(64), nullable=False)
    issued: Mapped[str] = mapped_column(String(10), nullable=False)  # ISO date
    expires: Mapped[str | None] = mapped_column(String(10), nullable=True)  # None: no expiry date
    updated_at: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
