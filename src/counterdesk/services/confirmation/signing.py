"""PAdES signing and verification of the confirmation PDF with the branch certificate (pyHanko).

Electronic signature law (电子签名法 Arts 13-14, domain-rules §7) asks that any later change to the
document be detectable. sign_pdf adds a PAdES baseline-B signature (SHA-256) over the whole file;
verify_pdf checks that the signature is intact *and* covers the entire file, so an appended revision
or one flipped byte is reported in plain words — never a traceback.

The branch certificate is a PKCS#12 bundle. It is kept inside the encrypted database (table
branch_certificates) with a random password, so the private key is only reachable after sign-in.
create_demo_certificate makes a self-signed certificate marked DEMO for training installations.
"""
from __future__ import annotations

import hashlib
import io
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.confirmation.render import parse_payload

log = logging.getLogger("counterdesk.services.confirmation")
# pyHanko logs an expected outcome (a changed file, a self-signed certificate) as a WARNING with a
# traceback; without a handler Python's last resort would print that on the terminal. The outcome is
# reported to the user as bilingual problems instead; a configured log (logs.setup) still gets it.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

FIELD_NAME = "CounterDeskSignature"

BAD_P12 = Text("无法打开证书文件：文件已损坏或密码错误。",
               "Cannot open the certificate file: it is damaged or the password is wrong.")
NO_KEY = Text("证书文件中没有私钥。", "The certificate file does not contain a private key.")
NO_CERT = Text("尚未设置网点签名证书。请管理员运行 counterdesk-admin cert demo 或 cert import。",
               "No branch signing certificate is set up. An administrator must run "
               "counterdesk-admin cert demo or cert import.")
EXPIRED = Text("证书已过期或尚未生效（有效期 {start} 至 {end}）。",
               "The certificate is expired or not yet valid ({start} to {end}).")
SIGN_FAILED = Text("签名失败，文件未签名。", "Signing failed; the file was not signed.")
P_UNREADABLE = Text("无法读取该 PDF 文件（文件已损坏或不是 PDF）。",
                    "The PDF cannot be read (it is damaged or not a PDF).")
P_UNSIGNED = Text("该 PDF 没有签名。", "The PDF is not signed.")
P_CHANGED = Text("签名无效：文件在签名后被修改过。", "The signature is INVALID: the file was changed after signing.")
P_APPENDED = Text("签名后文件被追加修改：签名未覆盖整个文件。",
                  "The file was changed after signing: the signature does not cover the whole file.")
P_UNTRUSTED = Text("签名证书不在受信任列表中（签名本身完整）。",
                   "The signing certificate is not among the trusted ones (the signature itself is intact).")
P_NO_EVIDENCE = Text("PDF 中没有证据记录哈希。", "The PDF carries no evidence record hash.")
P_EVIDENCE = Text("证据记录哈希不一致：PDF 中为 {found}，应为 {expected}。",
                  "The evidence record hash differs: the PDF has {found}, expected {expected}.")
P_MANY = Text("PDF 含有 {n} 个签名，只应有 1 个。", "The PDF has {n} signatures; exactly 1 was expected.")


class CertificateError(CounterDeskError):
    code = "certificate"


@dataclass(frozen=True)
class Signer:
    """A loaded signing identity: pyHanko's signer plus what we show about the certificate."""

    pyhanko_signer: signers.Signer
    certificate: x509.Certificate

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


@dataclass
class VerifyResult:
    intact: bool                       # the signature is valid and covers the entire file
    signed_by: str | None = None
    signed_at: datetime | None = None
    evidence_hash: str | None = None
    document_number: str | None = None
    fingerprint: str | None = None     # SHA-256 of the signing certificate, to compare with `cert show`
    trusted: bool | None = None        # None: no trust anchors were given
    problems: list[Text] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and not self.problems


# ---- certificates ----------------------------------------------------------------------------------
def _random_password() -> str:
    return secrets.token_urlsafe(32)


def create_demo_certificate(common_name: str, org: str, days: int = 730) -> tuple[bytes, str]:
    """A self-signed EC P-256 certificate with DEMO in its subject, as (PKCS#12 bytes, password)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cn = common_name if "DEMO" in common_name.upper() else f"{common_name} (DEMO)"
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "DEMO - not for real customers"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    password = _random_password()
    p12 = pkcs12.serialize_key_and_certificates(b"counterdesk-branch", key, cert, None,
                                                serialization.BestAvailableEncryption(password.encode()))
    return p12, password


# The private keys a PKCS#12 bundle can be written back with (the others, e.g. X25519, cannot sign either).
_SIGNING_KEYS = (rsa.RSAPrivateKey, dsa.DSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey,
                 ed448.Ed448PrivateKey)


def _load(p12: bytes, password: str | None
          ) -> tuple[pkcs12.PKCS12PrivateKeyTypes, x509.Certificate, list[x509.Certificate]]:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(p12, password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        raise CertificateError(BAD_P12, detail=str(exc)) from None
    if key is None or cert is None:
        raise CertificateError(NO_KEY)
    if not isinstance(key, _SIGNING_KEYS):
        raise CertificateError(NO_KEY, detail=f"unsupported key type {type(key).__name__}")
    return key, cert, list(extra or [])


def load_signer(p12: bytes, password: str | None) -> Signer:
    """A Signer from PKCS#12 bytes; refuses a bundle without key or outside its validity period."""
    _, cert, _ = _load(p12, password)  # our own, bilingual errors first
    now = datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise CertificateError(EXPIRED.format(start=cert.not_valid_before_utc.date(),
                                              end=cert.not_valid_after_utc.date()))
    signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[],
                                                   passphrase=password.encode() if password else None)
    if signer is None:
        raise CertificateError(BAD_P12)
    return Signer(signer, cert)


def import_pkcs12(path: Path | str, password: str) -> tuple[bytes, x509.Certificate]:
    """Read and check a PKCS#12 file (key and certificate present, password right)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CertificateError(Text("无法读取文件：{p}", "Cannot read the file: {p}").format(p=path),
                               detail=str(exc)) from None
    _, cert, _ = _load(data, password)
    return data, cert


def reprotect(p12: bytes, password: str) -> tuple[bytes, str]:
    """Re-encrypt an imported bundle under a fresh random password (the admin's one is not kept)."""
    key, cert, extra = _load(p12, password)
    new_password = _random_password()
    return (pkcs12.serialize_key_and_certificates(b"counterdesk-branch", key, cert, extra or None,
                                                  serialization.BestAvailableEncryption(new_password.encode())),
            new_password)


# ---- signing ---------------------------------------------------------------------------------------
def sign_pdf(pdf_bytes: bytes, signer: Signer, reason: str = "CounterDesk confirmation") -> bytes:
    """The PDF with an invisible PAdES baseline-B signature (SHA-256) appended as an incremental update."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, md_algorithm="sha256", reason=reason,
                                            subfilter=fields.SigSeedSubFilter.PADES)
        out = signers.PdfSigner(meta, signer=signer.pyhanko_signer,
                                new_field_spec=fields.SigFieldSpec(FIELD_NAME)).sign_pdf(writer, in_place=False)
        return out.getvalue()
    except Exception as exc:  # pyHanko raises many kinds; the caller gets one clear message
        log.exception("signing failed")
        raise CounterDeskError(SIGN_FAILED, code="sign_failed", detail=type(exc).__name__) from None


# ---- verification ----------------------------------------------------------------------------------
def _evidence_from(reader) -> tuple[str | None, str | None]:
    try:
        info = reader.trailer_view["/Info"] if "/Info" in reader.trailer_view else None  # dereferenced
        for key in ("/Keywords", "/Subject"):
            parsed = parse_payload(str(info[key])) if info is not None and key in info else None
            if parsed:
                return parsed
    except Exception:  # a damaged Info dictionary is reported as "no evidence hash", not a crash
        log.debug("no evidence payload", exc_info=True)
    return None, None


def verify_pdf(pdf_bytes: bytes, trust: list[x509.Certificate] | None = None,
               expected_evidence_hash: str | None = None) -> VerifyResult:
    """Whether the PDF is unchanged since it was signed, by whom and when, and its evidence hash."""

    res = VerifyResult(intact=False)
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        sigs = reader.embedded_signatures
    except Exception:
        log.info("unreadable PDF", exc_info=True)
        res.problems.append(P_UNREADABLE)
        return res
    if not sigs:
        res.problems.append(P_UNSIGNED)
        return res
    if len(sigs) > 1:
        res.problems.append(P_MANY.format(n=len(sigs)))
    sig = sigs[0]
    try:
        roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in (trust or [])]
        vc = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(sig, vc)
    except Exception:
        log.info("signature validation failed", exc_info=True)
        res.problems.append(P_CHANGED)
        return res
    cert = status.signing_cert
    res.signed_by = cert.subject.human_friendly if cert is not None else None
    res.fingerprint = hashlib.sha256(cert.dump()).hexdigest() if cert is not None else None
    res.signed_at = status.signer_reported_dt
    entire = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    res.intact = bool(status.intact and status.valid and entire)
    if not (status.intact and status.valid):
        res.problems.append(P_CHANGED)
    elif not entire:
        res.problems.append(P_APPENDED)
    if trust is not None:
        res.trusted = bool(status.trusted)
        if not status.trusted:
            res.problems.append(P_UNTRUSTED)
    res.document_number, res.evidence_hash = _evidence_from(reader)
    if expected_evidence_hash is not None:
        expected = expected_evidence_hash.strip().lower()
        if res.evidence_hash is None:
            res.problems.append(P_NO_EVIDENCE)
        elif res.evidence_hash != expected:
            res.problems.append(P_EVIDENCE.format(found=res.evidence_hash, expected=expected))
    return res
