"""The second sign-in factor: each user's TOTP secret and one-time recovery codes. The secret lives
only here, in the encrypted database; recovery codes are kept as salted hashes."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from counterdesk.store.models.core import Base


class MfaFactor(Base):
    """An active TOTP factor (one per user). A factor is stored only once its first code confirmed it."""
    __tablename__ = "mfa_factors"

    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64), nullable=False)  # base32 (RFC 4648), as shown at enrolment
    enrolled_at: Mapped[str] = mapped_column(String(32), nullable=False)
    # The time step of the last accepted code: a code of that step or an earlier one is a replay.
    last_used_step: Mapped[int | None] = mapped_column(Integer, nullable=True)


class MfaRecoveryCode(Base):
    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    salt: Mapped[str] = mapped_column(String(32), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)  # SHA-256(salt || code), hex
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    used_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
