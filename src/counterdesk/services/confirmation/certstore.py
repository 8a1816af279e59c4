"""The branch signing certificate in the encrypted database: install (demo or imported), show, load.

Installing a certificate deactivates the previous one (kept, so older confirmations stay traceable)
and writes an audit entry with the certificate's fingerprint, in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation.signing import (
    NO_CERT,
    Signer,
    certificate_of,
    create_demo_certificate,
    import_pkcs12,
    load_signer,
    reprotect,
)
from counterdesk.store import audit
from counterdesk.store.models.confirmation import BranchCertificate


@dataclass(frozen=True)
class CertificateInfo:
    id: int
    subject: str
    not_after: str
    fingerprint: str
    created_at: str
    active: bool
    demo: bool


def _info(row: BranchCertificate) -> CertificateInfo:
    return CertificateInfo(row.id, row.subject, row.not_after, row.sha256_fingerprint, row.created_at, row.active,
                           "DEMO" in row.subject.upper())


def _install(vault: Vault, us: SignedInUser, p12: bytes, password: str, source: str) -> CertificateInfo:
    signer = load_signer(p12, password)  # refuses a broken, key-less or expired bundle before storing
    cert: x509.Certificate = signer.certificate
    now = datetime.now(UTC).isoformat(timespec="seconds")

    def write(db: Session) -> CertificateInfo:
        db.execute(update(BranchCertificate).where(BranchCertificate.active.is_(True)).values(active=False))
        row = BranchCertificate(subject=cert.subject.rfc4514_string(), not_after=cert.not_valid_after_utc.isoformat(),
                                sha256_fingerprint=cert.fingerprint(hashes.SHA256()).hex(), p12=p12,
                                p12_password=password, created_at=now, created_by=us.user_id, active=True)
        db.add(row)
        db.flush()
        audit.append(db, us.actor, "certificate.installed", "branch_certificate", str(row.id),
                     {"source": source, "fingerprint": row.sha256_fingerprint, "not_after": row.not_after})
        return _info(row)
    return vault.transact(write)


def install_demo_certificate(vault: Vault, us: SignedInUser, days: int = 730) -> CertificateInfo:
    """Create and activate a self-signed DEMO certificate for this branch (administrators)."""
    require(us.role, "settings.manage")
    info = vault.info
    p12, password = create_demo_certificate(f"{info.branch_name} {info.branch_code}", "CounterDesk DEMO", days)
    return _install(vault, us, p12, password, "demo")


def install_pkcs12(vault: Vault, us: SignedInUser, path, password: str) -> CertificateInfo:
    """Import a PKCS#12 file; it is stored re-encrypted under a new random password."""
    require(us.role, "settings.manage")
    data, _ = import_pkcs12(path, password)
    p12, new_password = reprotect(data, password)
    return _install(vault, us, p12, new_password, "import")


def list_certificates(vault: Vault, us: SignedInUser) -> list[CertificateInfo]:
    require(us.role, "settings.manage")
    return vault.transact(lambda s: [_info(r) for r in s.scalars(
        select(BranchCertificate).order_by(BranchCertificate.id.desc()))])


def branch_signer(vault: Vault, us: SignedInUser) -> Signer:
    """The active branch certificate as a Signer (any signed-in user: the teller signs confirmations)."""
    row = vault.transact(lambda s: s.scalars(select(BranchCertificate).where(BranchCertificate.active.is_(True))
                                             .order_by(BranchCertificate.id.desc()).limit(1)).first())
    if row is None:
        raise CounterDeskError(NO_CERT, code="no_certificate")
    return load_signer(row.p12, row.p12_password)


def branch_certificates(vault: Vault) -> list[x509.Certificate]:
    """Every branch signing certificate this installation has had, active or not (older confirmations
    were signed by older ones): the signers ``verify-pdf`` trusts when run with the store. Only the
    public certificates leave the store."""
    rows = vault.transact(lambda s: [(r.p12, r.p12_password) for r in s.scalars(select(BranchCertificate))])
    return [certificate_of(p12, password) for p12, password in rows]
