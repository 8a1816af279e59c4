"""Tables of the sanctions feature, on the shared declarative Base (schema: revision 0004; the
entries' gender: 0015).

JSON columns are Text holding JSON, as elsewhere in the store. List entries are public data; the
screenings table links to a customer or counter session only by id (subject_ref) and stores the
list-side names of hits, never the screened person's names.
"""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class SanctionsList(Base):
    __tablename__ = "sanctions_lists"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    format: Mapped[str] = mapped_column(String(16), nullable=False)
    published: Mapped[str] = mapped_column(String(10), nullable=False)  # ISO date
    loaded_at: Mapped[str] = mapped_column(String(32), nullable=False)
    loaded_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    entries: Mapped[int] = mapped_column(Integer, nullable=False)
    superseded_by: Mapped[str | None] = mapped_column(String(36), ForeignKey("sanctions_lists.id"), nullable=True)


class SanctionsEntry(Base):
    __tablename__ = "sanctions_entries"
    __table_args__ = (UniqueConstraint("list_id", "ref", name="uq_sanctions_entries_list_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[str] = mapped_column(String(36), ForeignKey("sanctions_lists.id"), nullable=False, index=True)
    ref: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # person | entity
    names: Mapped[str] = mapped_column(Text, nullable=False)  # JSON [{"name", "type", "script"}]
    birth_dates: Mapped[str] = mapped_column(Text, nullable=False)  # JSON ["YYYY-MM-DD" | "YYYY" | "YYYY..YYYY"]
    nationalities: Mapped[str] = mapped_column(Text, nullable=False)  # JSON ["CN", ...] ISO alpha-2
    documents: Mapped[str] = mapped_column(Text, nullable=False)  # JSON [{"type", "number", "country"}]
    programs: Mapped[str] = mapped_column(Text, nullable=False)  # "; "-joined
    gender: Mapped[str | None] = mapped_column(String(8), nullable=True)  # male | female; NULL: not given


class Screening(Base):
    __tablename__ = "screenings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    created_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    subject_ref: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    threshold: Mapped[float] = mapped_column(Float, nullable=False)
    matcher_version: Mapped[str] = mapped_column(String(32), nullable=False)
    list_hashes: Mapped[str] = mapped_column(Text, nullable=False)  # JSON [sha256, ...]
    status: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    hits: Mapped[str] = mapped_column(Text, nullable=False)  # JSON, see screening.Hit.to_json
    disposition_by: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id"), nullable=True)
    disposition_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    disposition_reason_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    disposition_note: Mapped[str | None] = mapped_column(Text, nullable=True)
