"""Tables of customer due diligence and the follow-up call (migration 0017).

``customer_document_images``: the copy of the identity document kept for due diligence (金融机构客户
尽职调查和客户身份资料及交易记录保存管理办法, Order 〔2025〕 No. 11). The image lives only inside the
SQLCipher database, like every other personal datum; rows are written once (the ledger holds only
inserts for them) and a newer capture of the same document supersedes an older one by being newer.

``aml_referrals``: a suspicious-transaction referral (可疑交易报告 referral) for the AML officer when due
diligence could not be completed; ids and codes only.

``aml_referral_closures``: how the AML officer closed a referral (outcome code and note), written once;
the referral row itself stays as recorded (append-only).

``follow_up_calls``: every follow-up call (回访) with its outcome, time, caller and recording reference
(保险销售行为管理办法 art 35), written once.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class CustomerDocumentImage(Base):
    __tablename__ = "customer_document_images"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36), ForeignKey("customers.id"), nullable=False, index=True)
    session_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("counter_sessions.id"), nullable=True)
    doc_type: Mapped[str] = mapped_column(String(32), nullable=False)
    number_norm: Mapped[str] = mapped_column(String(40), nullable=False)
    source: Mapped[str] = mapped_column(String(24), nullable=False)      # reader, reader_simulator, file, camera
    media_type: Mapped[str] = mapped_column(String(16), nullable=False)  # image/png, image/jpeg
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    byte_size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    image: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # small PNG, the only view tellers get
    retention_class: Mapped[str] = mapped_column(String(32), nullable=False)
    retention_years: Mapped[int] = mapped_column(Integer, nullable=False)
    captured_at: Mapped[str] = mapped_column(String(32), nullable=False)
    captured_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)


class AmlReferral(Base):
    __tablename__ = "aml_referrals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("customers.id"), nullable=True,
                                                    index=True)
    session_id: Mapped[str] = mapped_column(String(36), ForeignKey("counter_sessions.id"), nullable=False)
    reason_code: Mapped[str] = mapped_column(String(40), nullable=False)
    rule: Mapped[str] = mapped_column(String(40), nullable=False)          # which rule asked for it
    product_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    amount: Mapped[str | None] = mapped_column(String(24), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)        # open (for the AML officer)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    created_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)


class AmlReferralClosure(Base):
    __tablename__ = "aml_referral_closures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    referral_id: Mapped[str] = mapped_column(String(36), ForeignKey("aml_referrals.id"), nullable=False,
                                             unique=True)
    outcome: Mapped[str] = mapped_column(String(32), nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False)
    closed_at: Mapped[str] = mapped_column(String(32), nullable=False)
    closed_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)


class FollowUpCall(Base):
    __tablename__ = "follow_up_calls"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    signoff_id: Mapped[str] = mapped_column(String(36), ForeignKey("signoffs.id"), nullable=False, index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("follow_up_tasks.id"), nullable=True)
    called_at: Mapped[str] = mapped_column(String(32), nullable=False)
    called_by: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False)
    outcome: Mapped[str] = mapped_column(String(24), nullable=False)
    recording_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    notes: Mapped[str | None] = mapped_column(String(500), nullable=True)
