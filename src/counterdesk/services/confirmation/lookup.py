"""What the store recorded about an issued confirmation, for checking a PDF against it
(``counterdesk-admin verify-pdf`` signed in): the evidence hash of the sale's chain, the original
file's SHA-256 and whether a timestamp is pending. Auditors and administrators (audit.verify)."""
from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from sqlalchemy import select

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation.certstore import branch_certificates
from counterdesk.store.models.confirmation import ConfirmationTimestamp, TimestampAuthority
from counterdesk.store.models.signoff import Signoff


@dataclass(frozen=True)
class Recorded:
    signoff_id: str
    evidence_hash: str | None
    pdf_sha256: str | None
    timestamp_status: str | None  # "pending", "stamped" or None (stamped at issue)


@dataclass(frozen=True)
class StoreTrust:
    signers: list[x509.Certificate]      # every branch certificate this installation has had
    authorities: list[x509.Certificate]  # the timestamp authorities it has used


def store_trust(vault: Vault, us: SignedInUser) -> StoreTrust:
    require(us.role, "audit.verify")
    tsa = vault.transact(lambda db: [r.certificate for r in db.scalars(select(TimestampAuthority))])
    return StoreTrust(branch_certificates(vault), [x509.load_der_x509_certificate(der) for der in tsa])


def recorded(vault: Vault, us: SignedInUser, document_number: str) -> Recorded | None:
    """The sign-off that issued ``document_number``, or None when this store issued no such document."""
    require(us.role, "audit.verify")

    def read(db) -> Recorded | None:
        row = db.scalars(select(Signoff).where(Signoff.document_number == document_number)).first()
        if row is None:
            return None
        ts = db.get(ConfirmationTimestamp, row.id)
        return Recorded(row.id, row.evidence_hash, row.pdf_sha256, ts.status if ts is not None else None)
    return vault.transact(read)
