"""The branch signing certificate, kept inside the encrypted database (see migration 0008).

The PKCS#12 bundle (certificate + private key) is stored as a BLOB together with its random password:
both sit inside the SQLCipher database, so the key is as well protected as the customer data and no
separate key file can be copied off the data folder. One row is active at a time; older rows stay so
that earlier confirmations can be traced to the certificate that signed them.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Integer, LargeBinary, String
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
