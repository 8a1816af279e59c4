"""Tables of the risk-tolerance assessment (revision 0005)."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class PaperForm(Base):
    """A blank paper questionnaire handed out: its number ties the answers keyed in later to it."""

    __tablename__ = "paper_forms"

    form_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64), nullable=False)
    form_version: Mapped[int] = mapped_column(Integer, nullable=False)
    form_hash: Mapped[str] = mapped_column(String(64), ForeignKey("form_definitions.hash"), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    issued_at: Mapped[str] = mapped_column(String(32), nullable=False)
    issued_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)

    __table_args__ = (Index("ix_paper_forms_issued_at", "issued_at"),)


class Assessment(Base):
    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36), ForeignKey("customers.id"), nullable=False)
    session_id: Mapped[str] = mapped_column(String(36), ForeignKey("counter_sessions.id"), nullable=False)
    questionnaire_id: Mapped[str] = mapped_column(String(64), nullable=False)
    questionnaire_version: Mapped[int] = mapped_column(Integer, nullable=False)
    questionnaire_hash: Mapped[str] = mapped_column(String(64), ForeignKey("form_definitions.hash"), nullable=False)
    # JSON {question: {"option": value, "entered_at": "customer_screen" | "paper_form", "at": iso}}
    answers: Mapped[str] = mapped_column(Text, nullable=False)
    paper_form_number: Mapped[str | None] = mapped_column(String(64), ForeignKey("paper_forms.form_number"),
                                                          nullable=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    grade: Mapped[str | None] = mapped_column(String(4), nullable=True)
    lowest_category: Mapped[bool] = mapped_column(Boolean, nullable=False)
    contradictions: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of {code, questions, zh, en}
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # in_progress / completed / superseded
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    created_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    completed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    valid_until: Mapped[str | None] = mapped_column(String(32), nullable=True)
    confirmed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    previous_grade: Mapped[str | None] = mapped_column(String(4), nullable=True)
    regrade_confirmed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    __table_args__ = (
        Index("ix_assessments_customer", "customer_id"),
        Index("ix_assessments_completed_at", "completed_at"),
        Index("ux_assessments_paper_form", "paper_form_number", unique=True),
    )
