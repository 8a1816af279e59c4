"""Customer tables, on the same declarative Base as the rest of the store (one metadata, one schema).

Personal data lives only inside the SQLCipher database. Plain indexed columns (document numbers,
normalised names) are therefore fine: they make look-ups O(log n) without decrypting anything
field by field, and the page encryption covers the indexes too.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class FormDefinitionRecord(Base):
    """The exact form (wording included) that answers were given against, keyed by its content hash,
    so a record stays provable even after the application stops shipping that form version."""

    __tablename__ = "form_definitions"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON
    stored_at: Mapped[str] = mapped_column(String(32), nullable=False)

    # One wording per (id, version): a form edited without a version bump cannot be stored.
    __table_args__ = (Index("ux_form_definitions_id_version", "form_id", "version", unique=True),)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    created_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    current_version: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # active / closed


class CustomerVersion(Base):
    """Append-only (database triggers refuse UPDATE and DELETE): a change adds a version."""

    __tablename__ = "customer_versions"

    customer_id: Mapped[str] = mapped_column(String(36), ForeignKey("customers.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    form_id: Mapped[str] = mapped_column(String(64), nullable=False)
    form_version: Mapped[int] = mapped_column(Integer, nullable=False)
    form_hash: Mapped[str] = mapped_column(String(64), ForeignKey("form_definitions.hash"), nullable=False)
    data: Mapped[str] = mapped_column(Text, nullable=False)  # JSON of all answers
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    created_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class CustomerDocument(Base):
    """Identity documents for look-up. A replaced document stays (current = false) so the customer is
    still found by an old number; (doc_type, number_norm) is unique across all customers."""

    __tablename__ = "customer_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(36), ForeignKey("customers.id"), nullable=False)
    doc_type: Mapped[str] = mapped_column(String(32), nullable=False)
    number_norm: Mapped[str] = mapped_column(String(64), nullable=False)
    issue_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    expiry_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    long_term: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    added_at: Mapped[str] = mapped_column(String(32), nullable=False)
    added_in_version: Mapped[int] = mapped_column(Integer, nullable=False)

    # Number first: the same unique index serves "this number, any type" and "this number and type".
    __table_args__ = (
        Index("ux_customer_documents_number", "number_norm", "doc_type", unique=True),
        Index("ix_customer_documents_customer", "customer_id"),
    )


class CustomerName(Base):
    """Search keys derived from the current name (rebuilt on every change; history is in the versions).
    One row per spelling variant (a surname's surname reading besides its common reading), plus rows
    for the given name alone, so every supported search is an index range scan."""

    __tablename__ = "customer_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(36), ForeignKey("customers.id"), nullable=False)
    name_norm: Mapped[str] = mapped_column(String(100), nullable=False)
    pinyin_norm: Mapped[str] = mapped_column(String(200), nullable=False)
    pinyin_initials: Mapped[str] = mapped_column(String(50), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # full / given (the name after the surname)

    __table_args__ = (
        Index("ix_customer_names_name", "name_norm"),
        Index("ix_customer_names_pinyin", "pinyin_norm"),
        Index("ix_customer_names_initials", "pinyin_initials"),
        Index("ix_customer_names_customer", "customer_id"),
    )


class CounterSessionRecord(Base):
    __tablename__ = "counter_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    teller_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    customer_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("customers.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # open / stopped / completed
    step: Mapped[str | None] = mapped_column(String(32), nullable=True)
    stop_reason_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_at: Mapped[str] = mapped_column(String(32), nullable=False)

    __table_args__ = (Index("ix_counter_sessions_customer", "customer_id"),)


class Consent(Base):
    """A granted consent (PIPL Arts 28-30: separate consent for sensitive personal information).
    A refusal leaves no row here, only an audit entry naming the counter session."""

    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("customers.id"), nullable=True)
    consent_type: Mapped[str] = mapped_column(String(32), nullable=False)
    text_version: Mapped[int] = mapped_column(Integer, nullable=False)
    text_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    recorded_at: Mapped[str] = mapped_column(String(32), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    session_id: Mapped[str] = mapped_column(String(36), ForeignKey("counter_sessions.id"), nullable=False)

    __table_args__ = (
        Index("ix_consents_customer", "customer_id"),
        Index("ix_consents_session", "session_id"),
    )


class AmlRating(Base):
    __tablename__ = "aml_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(36), ForeignKey("customers.id"), nullable=False)
    level: Mapped[str] = mapped_column(String(8), nullable=False)  # low / medium / high
    reasons: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of {rule, level, zh, en}
    rated_at: Mapped[str] = mapped_column(String(32), nullable=False)
    rated_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    rules_version: Mapped[str] = mapped_column(String(32), nullable=False)

    __table_args__ = (Index("ix_aml_ratings_customer", "customer_id"),)
