"""PAdES signing and verification of the confirmation PDF with the branch certificate (pyHanko).

Electronic signature law (电子签名法 Arts 13-14, domain-rules §7) asks that any later change to the
document be detectable and the signer identifiable. sign_pdf adds a PAdES signature (SHA-256) over
the whole file: baseline B-LT when a time-stamping authority answers (an RFC 3161 signature
timestamp plus the certificates in the document security store, DSS), baseline B otherwise (the
confirmation is then marked on paper and upgraded later, see timestamps.py). verify_pdf says, each in
one plain sentence, whether the file was changed after signing (only validation data and document
timestamps may follow the signature), whether the signer is one of the trusted certificates, whether
a trusted timestamp is present, and which evidence hash the file carries — never a traceback.

The branch certificate is a PKCS#12 bundle. It is kept inside the encrypted database (table
branch_certificates) with a random password, so the private key is only reachable after sign-in.
create_demo_certificate makes a self-signed certificate marked DEMO for training installations.
"""
from __future__ import annotations

import hashlib
import io
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference, TimestampDSSContentSettings
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import add_validation_info, validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from counterdesk.base.branchtime import format_time
from counterdesk.base.checks import CheckResult
from counterdesk.base.text import CounterDeskError, Result, Text
from counterdesk.services.confirmation.render import parse_payload

log = logging.getLogger("counterdesk.services.confirmation")
# pyHanko logs an expected outcome (a changed file, a self-signed certificate) as a WARNING with a
# traceback; without a handler Python's last resort would print that on the terminal. The outcome is
# reported to the user as bilingual problems instead; a configured log (logs.setup) still gets it
# (the command line keeps them out of its log too: cli/confirmation.py).
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
# One sentence for every way the signed content can differ from what was signed: a broken signature
# value, bytes appended or changed after it, or a later revision that changes more than validation data.
P_CHANGED = Text("文件在签名后被修改过：内容与签名时不一致，不能作为原件。",
                 "The file was changed after signing: its content is not what was signed; it is not the original.")
P_UNTRUSTED = Text("签名人不是受信任的网点证书：{subject}（SHA-256 指纹 {fp}）。",
                   "The signer is not a trusted branch certificate: {subject} (SHA-256 fingerprint {fp}).")
P_NO_TRUST = Text("签名人未知：{subject}（SHA-256 指纹 {fp}）。未提供受信任的网点证书：请用 --trust 指定网点证书文件，"
                  "或用 --user 登录本网点数据目录。",
                  "Unknown signer: {subject} (SHA-256 fingerprint {fp}). No trusted branch certificate was given: "
                  "pass --trust FILE with the branch's certificates, or sign in to the branch's data folder with "
                  "--user.")
P_NO_EVIDENCE = Text("PDF 中没有证据记录哈希。", "The PDF carries no evidence record hash.")
P_EVIDENCE = Text("证据记录哈希不一致：PDF 中为 {found}，应为 {expected}。",
                  "The evidence record hash differs: the PDF has {found}, expected {expected}.")
P_MANY = Text("PDF 含有 {n} 个签名，只应有 1 个。", "The PDF has {n} signatures; exactly 1 was expected.")
P_TS_BROKEN = Text("时间戳已损坏：时间戳令牌与签名不符。",
                   "The timestamp is broken: its token does not match the signature.")
P_TS_UNTRUSTED = Text("时间戳机构不受信任：{subject}（SHA-256 指纹 {fp}）。",
                      "The timestamp authority is not trusted: {subject} (SHA-256 fingerprint {fp}).")
P_TS_NONE = Text("未加盖可信时间戳：签名时间仅为签名设备自报的时间。",
                 "No trusted timestamp: the signing time is only what the signing workstation reported.")
TIMESTAMP_FAILED = Text("时间戳机构未应答，确认书未加时间戳。",
                        "The timestamp authority did not answer; the confirmation has no timestamp.")

C_INTEGRITY = Text("文件自签名后未被修改", "Unchanged since signing")
C_SIGNER = Text("签名人是受信任的网点证书", "Signed by a trusted branch certificate")
C_TIMESTAMP = Text("可信时间戳", "Trusted timestamp")
C_EVIDENCE = Text("证据记录哈希", "Evidence record hash")
N_LATER = Text("签名之后仅追加了验证数据和时间戳（长期验证）。",
               "Only validation data and timestamps were added after the signature (long-term validation).")
N_SIGNER = Text("签名人：{subject}（SHA-256 指纹 {fp}）", "Signer: {subject} (SHA-256 fingerprint {fp})")
N_TIMESTAMP = Text("时间：{when}；时间戳机构：{authority}（SHA-256 指纹 {fp}）",
                   "Time: {when}; authority: {authority} (SHA-256 fingerprint {fp})")
N_TS_LATER = Text("时间戳为签发后补加的文件时间戳：证明签名不晚于该时间。",
                  "A document timestamp added after issue: it proves the signature existed by that time.")
N_EVIDENCE = Text("PDF 中的证据记录 SHA-256：{h}", "Evidence record SHA-256 in the PDF: {h}")
N_EVIDENCE_MATCH = Text("与记录一致。", "It matches the record.")

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


@dataclass(frozen=True)
class TimestampInfo:
    """The trusted time of a signature: a signature timestamp (B-T) or a document timestamp added later."""

    at: datetime
    authority: str                 # the TSA certificate's subject
    fingerprint: str               # SHA-256 of the TSA certificate
    document_timestamp: bool       # True: added after issue as its own revision
    intact: bool                   # the token is cryptographically sound and covers the signature
    trusted: bool | None           # None: no TSA certificates were given


@dataclass
class VerifyResult:
    intact: bool                       # unchanged since signing (only validation data / timestamps after it)
    signed_by: str | None = None
    signed_at: datetime | None = None  # the signer's own clock
    evidence_hash: str | None = None
    document_number: str | None = None
    fingerprint: str | None = None     # SHA-256 of the signing certificate, to compare with `cert show`
    trusted: bool | None = None        # None: no trust anchors were given
    problems: list[Text] = field(default_factory=list)
    changed: bool = False              # the file was changed after signing (or is not a readable signed PDF)
    subject: str | None = None         # the signer's distinguished name (RFC 4514)
    timestamp: TimestampInfo | None = None
    lta_updates: bool = False          # validation data or document timestamps follow the signature
    evidence_checked: bool = False     # an expected evidence hash was compared
    found: list[tuple[str, Text]] = field(default_factory=list)  # (check name, problem), as in ``problems``

    cautions: list[tuple[str, Text]] = field(default_factory=list)  # (check name, warning): shown, not failing

    def add(self, check: str, problem: Text) -> None:
        self.problems.append(problem)
        self.found.append((check, problem))

    def warn(self, check: str, warning: Text) -> None:
        self.cautions.append((check, warning))

    @property
    def ok(self) -> bool:
        return self.intact and not self.problems

    def checks(self) -> list[CheckResult]:
        """The four answers as CheckResults (errors fail, warnings are shown): integrity, signer,
        timestamp and evidence hash; what the command line and verification print."""
        results = {name: Result() for name in ("integrity", "signer", "timestamp", "evidence")}
        for check, problem in self.found:
            results[check].add("pdf", check, problem)
        for check, warning in self.cautions:
            results[check].add("pdf", check, warning, severity="warning")
        integrity, signer, stamp, evidence = (results[n] for n in ("integrity", "signer", "timestamp", "evidence"))
        if self.timestamp is None and not self.changed and self.signed_by is not None:
            stamp.add("pdf", "no_timestamp", P_TS_NONE, severity="warning")
        notes_integrity = (N_LATER,) if self.lta_updates and self.intact else ()
        notes_signer = ((N_SIGNER.format(subject=self.subject or self.signed_by, fp=self.fingerprint),)
                        if self.fingerprint and signer.ok else ())  # a refusal names the signer itself
        ts = self.timestamp
        notes_ts: tuple[Text, ...] = ()
        if ts is not None:
            when = Text(format_time(ts.at, "zh", seconds=True), format_time(ts.at, "en", seconds=True))
            line = Text(N_TIMESTAMP.zh.format(when=when.zh, authority=ts.authority, fp=ts.fingerprint),
                        N_TIMESTAMP.en.format(when=when.en, authority=ts.authority, fp=ts.fingerprint))
            notes_ts = (line, N_TS_LATER) if ts.document_timestamp else (line,)
        notes_ev: tuple[Text, ...] = ()
        if self.evidence_hash:
            notes_ev = (N_EVIDENCE.format(h=self.evidence_hash),)
            if self.evidence_checked and evidence.ok:
                notes_ev += (N_EVIDENCE_MATCH,)
        return [CheckResult("integrity", C_INTEGRITY, integrity, notes_integrity),
                CheckResult("signer", C_SIGNER, signer, notes_signer),
                CheckResult("timestamp", C_TIMESTAMP, stamp, notes_ts),
                CheckResult("evidence", C_EVIDENCE, evidence, notes_ev)]


class TimestampUnavailable(CounterDeskError):
    """No timestamp could be had from the authority (unreachable, refused, or an invalid answer)."""

    code = "timestamp_unavailable"


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


def certificate_of(p12: bytes, password: str | None) -> x509.Certificate:
    """The certificate of a PKCS#12 bundle (its public part)."""
    return _load(p12, password)[1]


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
def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def is_tsa_certificate(cert: x509.Certificate) -> bool:
    """Whether ``cert`` is a time-stamping authority's (extended key usage timeStamping)."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.TIME_STAMPING in usage


def _context(roots: Iterable[x509.Certificate]) -> ValidationContext:
    # No fetching: a workstation may be offline and a self-managed branch CA publishes no OCSP
    # responder; what is known (the certificates) goes into the DSS, revocation "soft-fail".
    return ValidationContext(trust_roots=[asn1_cert(c) for c in roots], allow_fetching=False,
                             revocation_mode="soft-fail")


# The DSS in the signature's own revision (no VRI): the signature then still covers the whole file,
# which any PDF reader can check without incremental-update analysis.
_DSS_WITH_SIGNATURE = DSSContentSettings(placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE,
                                         include_vri=False)


def sign_pdf(pdf_bytes: bytes, signer: Signer, reason: str = "CounterDesk confirmation", *,
             timestamper: TimeStamper | None = None, tsa_certificates: Iterable[x509.Certificate] = ()) -> bytes:
    """The PDF with an invisible PAdES signature (SHA-256) appended as an incremental update.

    With ``timestamper``: baseline B-LT — a signature timestamp from that authority and the signer's
    and the authority's certificates (``tsa_certificates``: the ones it answered with) in the DSS.
    Raises TimestampUnavailable when the authority does not answer (nothing is signed then)."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        lt = timestamper is not None  # B-LT: validation data in the DSS, validated before signing
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME, md_algorithm="sha256", reason=reason, subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=lt, dss_settings=_DSS_WITH_SIGNATURE,
            validation_context=_context([signer.certificate, *tsa_certificates]) if lt else None)
        out = signers.PdfSigner(meta, signer=signer.pyhanko_signer, timestamper=timestamper,
                                new_field_spec=fields.SigFieldSpec(FIELD_NAME)).sign_pdf(writer, in_place=False)
        return out.getvalue()
    except (TimestampRequestError, OSError) as exc:
        log.info("timestamp authority did not answer: %s", type(exc).__name__)
        raise TimestampUnavailable(TIMESTAMP_FAILED, detail=type(exc).__name__) from None
    except Exception as exc:  # pyHanko raises many kinds; the caller gets one clear message
        log.exception("signing failed")
        raise CounterDeskError(SIGN_FAILED, code="sign_failed", detail=type(exc).__name__) from None


def add_document_timestamp(pdf_bytes: bytes, timestamper: TimeStamper, trust: Iterable[x509.Certificate]) -> bytes:
    """PAdES B-LT for an already signed file: the signature's validation data (DSS) and a document
    timestamp over everything, as incremental updates — the signed original stays unchanged at the
    start of the result and its signature stays valid. Raises TimestampUnavailable when the
    authority does not answer."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        context = _context(trust)
        with_dss = add_validation_info(reader.embedded_regular_signatures[0], context, in_place=False,
                                       add_vri_entry=False)
        stamper = signers.PdfTimeStamper(timestamper, field_name="CounterDeskTimestamp")
        writer = IncrementalPdfFileWriter(io.BytesIO(with_dss.getvalue()), strict=False)
        # The authority's certificates go in before the timestamp, so that it is the file's last revision.
        out = stamper.timestamp_pdf(writer, "sha256", validation_context=context, in_place=False,
                                    dss_settings=TimestampDSSContentSettings(update_before_ts=True, include_vri=False))
        return out.getvalue()
    except (TimestampRequestError, OSError) as exc:
        log.info("timestamp authority did not answer: %s", type(exc).__name__)
        raise TimestampUnavailable(TIMESTAMP_FAILED, detail=type(exc).__name__) from None


# ---- verification ----------------------------------------------------------------------------------
def _evidence_from(resolver) -> tuple[str | None, str | None]:
    try:
        trailer = resolver.trailer_view
        info = trailer["/Info"] if "/Info" in trailer else None  # dereferenced
        for key in ("/Keywords", "/Subject"):
            parsed = parse_payload(str(info[key])) if info is not None and key in info else None
            if parsed:
                return parsed
    except Exception:  # a damaged Info dictionary is reported as "no evidence hash", not a crash
        log.debug("no evidence payload", exc_info=True)
    return None, None


_LATER_ALLOWED = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


def _unchanged(status) -> bool:
    """Signature value sound, and nothing after it but validation data and timestamps."""
    if not (status.intact and status.valid):
        return False
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and status.modification_level in _LATER_ALLOWED)


def _timestamp_info(ts_status, document: bool, tsa_given: bool) -> TimestampInfo:
    cert = ts_status.signing_cert
    return TimestampInfo(at=ts_status.timestamp, authority=_rfc4514(cert) if cert else "?",
                         fingerprint=hashlib.sha256(cert.dump()).hexdigest() if cert else "",
                         document_timestamp=document, intact=bool(ts_status.intact and ts_status.valid),
                         trusted=bool(ts_status.trusted) if tsa_given else None)


def verify_pdf(pdf_bytes: bytes, trust: list[x509.Certificate] | None = None,
               expected_evidence_hash: str | None = None, *,
               tsa_trust: list[x509.Certificate] | None = None) -> VerifyResult:
    """Whether the PDF is unchanged since it was signed, by whom (trusted when ``trust`` is given; an
    empty list trusts nobody), when (a trusted timestamp when ``tsa_trust`` names its authority), and
    its evidence hash. ``trust=None`` skips the signer check (the caller decides trust itself)."""

    res = VerifyResult(intact=False)
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        sigs = reader.embedded_regular_signatures
        doc_stamps = reader.embedded_timestamp_signatures
    except Exception:
        log.info("unreadable PDF", exc_info=True)
        res.changed = True
        # A file that was signed (it still has a signature's byte range) but no longer parses was
        # changed after signing; anything else is simply not a readable PDF.
        signed_once = pdf_bytes.startswith(b"%PDF") and b"/ByteRange" in pdf_bytes
        res.add("integrity", P_CHANGED if signed_once else P_UNREADABLE)
        return res
    if not sigs:
        res.changed = True
        res.add("integrity", P_UNSIGNED)
        return res
    if len(sigs) > 1:
        res.add("integrity", P_MANY.format(n=len(sigs)))
    sig = sigs[0]
    tsa_roots = list(tsa_trust or [])
    try:
        status = validate_pdf_signature(sig, _context(trust or []), ts_validation_context=_context(tsa_roots))
    except Exception:
        log.info("signature validation failed", exc_info=True)
        res.changed = True
        res.add("integrity", P_CHANGED)
        return res
    cert = status.signing_cert
    res.signed_by = cert.subject.human_friendly if cert is not None else None
    res.subject = _rfc4514(cert) if cert is not None else None
    res.fingerprint = hashlib.sha256(cert.dump()).hexdigest() if cert is not None else None
    res.signed_at = status.signer_reported_dt
    res.intact = _unchanged(status)
    res.lta_updates = status.coverage != SignatureCoverageLevel.ENTIRE_FILE
    if not res.intact:
        # One answer for a changed file: who signed the original or when no longer matters.
        res.changed = True
        res.add("integrity", P_CHANGED)
        return res
    if status.timestamp_validity is not None:
        res.timestamp = _timestamp_info(status.timestamp_validity, False, tsa_trust is not None)
    elif later := [t for t in doc_stamps if t.signed_revision > sig.signed_revision]:
        # Only a document timestamp over the signature proves when the signature existed.
        res.timestamp = _document_timestamp(later[0], tsa_roots, tsa_trust is not None, res)
        if res.changed:
            return res
    if trust is not None:
        res.trusted = bool(status.trusted)
        if not status.trusted:
            res.add("signer", (P_UNTRUSTED if trust else P_NO_TRUST).format(subject=res.subject, fp=res.fingerprint))
    if res.timestamp is not None:
        if not res.timestamp.intact:
            res.add("timestamp", P_TS_BROKEN)
        elif res.timestamp.trusted is False:
            res.add("timestamp", P_TS_UNTRUSTED.format(subject=res.timestamp.authority,
                                                       fp=res.timestamp.fingerprint))
    # The evidence payload as it was when signed: a later revision cannot swap it unnoticed.
    res.document_number, res.evidence_hash = _evidence_from(reader.get_historical_resolver(sig.signed_revision))
    if expected_evidence_hash is not None:
        res.evidence_checked = True
        expected = expected_evidence_hash.strip().lower()
        if res.evidence_hash is None:
            res.add("evidence", P_NO_EVIDENCE)
        elif res.evidence_hash != expected:
            res.add("evidence", P_EVIDENCE.format(found=res.evidence_hash, expected=expected))
    return res


def _document_timestamp(stamp, roots: list[x509.Certificate], tsa_given: bool, res: VerifyResult) -> TimestampInfo:
    try:
        status = validate_pdf_timestamp(stamp, _context(roots))
    except Exception:
        log.info("document timestamp validation failed", exc_info=True)
        res.changed = True
        res.intact = False
        res.add("integrity", P_CHANGED)
        return TimestampInfo(datetime.fromtimestamp(0, UTC), "?", "", True, False, None)
    if not _unchanged(status):  # something other than validation data followed the timestamp
        res.changed = True
        res.intact = False
        res.add("integrity", P_CHANGED)
    return _timestamp_info(status, True, tsa_given)


def _rfc4514(cert: asn1_x509.Certificate) -> str:
    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()


def timestamp_of(pdf_bytes: bytes) -> TimestampInfo | None:
    """The timestamp a confirmation carries, read without checking trust (what a screen shows)."""
    res = verify_pdf(pdf_bytes)
    return res.timestamp if res.intact else None
