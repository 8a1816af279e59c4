"""The branch signing certificate, kept inside the encrypted database (see migration 0008), and the
trusted timestamps of the confirmations (migration 0014).

The PKCS#12 bundle (certificate + private key) is stored as a BLOB together with its random password:
both sit inside the SQLCipher database, so the key is as well protected as the customer data and no
separate key file can be copied off the data folder. One row is active at a time; older rows stay so
that earlier confirmations can be traced to the certificate that signed them.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class BranchCertificate(Base):
    __tablename__ = "branch_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(400), nullable=False)
    not_after: Mapped[str] = mapped_column(String(32), nullable=False)
    sha256_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    p12: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    p12_password: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class ConfirmationTimestamp(Base):
    """A confirmation issued without a trusted timestamp (no authority answered), until one is added.

    ``pdf`` is the upgraded file: the signed original (``signoffs.pdf``, whose SHA-256 the evidence
    chain holds) followed by an incremental update with the validation data and a document timestamp,
    so the original stays byte for byte at its start."""

    __tablename__ = "confirmation_timestamps"

    signoff_id: Mapped[str] = mapped_column(String(36), ForeignKey("signoffs.id"), primary_key=True)
    document_number: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # pending → stamped
    requested_at: Mapped[str] = mapped_column(String(32), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_attempt_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a code, never personal data
    stamped_at: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the time the authority attests
    authority_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class TimestampAuthority(Base):
    """A time-stamping authority this branch received a timestamp from (its certificate, pinned at
    first use and audited), so that verify-pdf run with the store can trust its tokens."""

    __tablename__ = "timestamp_authorities"

    sha256_fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(400), nullable=False)
    url: Mapped[str] = mapped_column(String(400), nullable=False)
    certificate: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # DER
    first_used_at: Mapped[str] = mapped_column(String(32), nullable=False)
