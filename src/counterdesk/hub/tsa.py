"""The hub as the head office's RFC 3161 time-stamping authority (TSA) for its branches.

Workstations send the hash of a confirmation's signature (``POST /v1/tsa``, body an RFC 3161
TimeStampReq, ``application/timestamp-query``) and get back a TimeStampResp
(``application/timestamp-reply``) signed with the TSA key: proof, from a clock that the branch does
not control, that the signature existed at that time. The request carries only a hash, so the
endpoint needs no device signature: anyone may ask, nothing is learnt.

``counterdesk-hub tsa-init --out DIR`` writes the TSA's key (0600) and certificate (critical
extended key usage timeStamping, as RFC 3161 §2.3 asks); ``counterdesk-hub serve --tsa-dir DIR``
loads them. Without them the endpoint answers 503 ``tsa_unavailable``, so a workstation issues the
confirmation without a timestamp and marked so, never with its own clock.
"""
from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fastapi import APIRouter, FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from counterdesk.base.atomicfile import write_bytes_atomic
from counterdesk.hub.errors import HubError

CERT_FILE, KEY_FILE = "tsa-cert.pem", "tsa-key.pem"
QUERY_TYPE, REPLY_TYPE = "application/timestamp-query", "application/timestamp-reply"
PATH = "/v1/tsa"
# The hashes a request may use for its message imprint (RFC 3161 §2.4.1: the TSA refuses others).
DIGESTS = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}
MAX_QUERY_BYTES = 4096  # a TimeStampReq is about 60 bytes; anything larger is not one


@dataclass(frozen=True)
class TsaFiles:
    cert_path: Path
    key_path: Path
    fingerprint: str
    policy: str
    not_after: dt.datetime


class TsaResponder:
    """Answers TimeStampReq DER with TimeStampResp DER; ``clock`` gives the time it attests (UTC)."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)):
        self.key, self.certificate, self.clock = key, certificate, clock
        self.cert_asn1 = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
        self.policy = _policy_of(certificate)

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def respond(self, body: bytes) -> bytes:
        try:
            req = tsp.TimeStampReq.load(body)
            req.native  # parse everything now: asn1crypto parses lazily  # noqa: B018
            imprint = req["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
        except (ValueError, TypeError, KeyError):
            return _rejection("bad_data_format", "the request is not a DER TimeStampReq")
        if req["version"].native != "v1":
            return _rejection("bad_request", "only version 1 requests are accepted")
        if algorithm not in DIGESTS or len(digest) != DIGEST_SIZES[algorithm]:
            return _rejection("bad_alg", "message imprint must be SHA-256, SHA-384 or SHA-512")
        if req["req_policy"].native is not None and req["req_policy"].dotted != self.policy:
            return _rejection("unaccepted_policy", f"this TSA issues under policy {self.policy} only")
        if req["extensions"].native:
            return _rejection("unaccepted_extensions", "no request extensions are supported")
        token = self._token(imprint, req["nonce"].native, bool(req["cert_req"].native))
        return tsp.TimeStampResp({"status": tsp.PKIStatusInfo({"status": "granted"}),
                                  "time_stamp_token": token}).dump()

    def _token(self, imprint: tsp.MessageImprint, nonce: int | None, cert_req: bool) -> cms.ContentInfo:
        now = self.clock().astimezone(dt.UTC).replace(microsecond=0)
        info = {"version": "v1", "policy": self.policy, "message_imprint": imprint,
                "serial_number": int.from_bytes(secrets.token_bytes(16), "big") >> 1,  # unique, positive
                "gen_time": now, "accuracy": {"seconds": 1},
                "tsa": asn1_x509.GeneralName(name="directory_name", value=self.cert_asn1.subject)}
        if nonce is not None:
            info["nonce"] = nonce
        content = tsp.TSTInfo(info).dump()
        cert_id = tsp.ESSCertIDv2({"hash_algorithm": {"algorithm": "sha256"},
                                   "cert_hash": hashes_of(self.cert_asn1.dump())})
        signed_attrs = cms.CMSAttributes([
            _attr("content_type", "tst_info"),
            _attr("signing_time", cms.Time({"utc_time": core.UTCTime(now)})),
            _attr("message_digest", hashes_of(content)),
            _attr("signing_certificate_v2", tsp.SigningCertificateV2({"certs": [cert_id]})),
        ])
        signature = self.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
                {"issuer": self.cert_asn1.issuer, "serial_number": self.cert_asn1.serial_number})}),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature})
        signed_data = {"version": "v3", "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                       "encap_content_info": {"content_type": "tst_info",
                                              "content": cms.ParsableOctetString(content)},
                       "signer_infos": [signer]}
        if cert_req:  # RFC 3161 §2.4.1: the certificate only when the requester asks for it
            signed_data["certificates"] = [self.cert_asn1]
        return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed_data)})


def hashes_of(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SHA256())
    h.update(data)
    return h.finalize()


def _attr(kind: str, value) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": kind, "values": (value,)})


def _rejection(fail: str, text: str) -> bytes:
    status = tsp.PKIStatusInfo({"status": "rejection", "status_string": [text], "fail_info": {fail}}).dump()
    # TimeStampResp ::= SEQUENCE { status, timeStampToken OPTIONAL } — asn1crypto insists on the token,
    # so the one-field SEQUENCE is written by hand (DER: tag 0x30, definite length).
    size = len(status)
    length = bytes([size]) if size < 0x80 else bytes([0x80 | 2]) + size.to_bytes(2, "big")
    return b"\x30" + length + status


def _policy_of(cert: x509.Certificate) -> str:
    try:
        policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
        return policies[0].policy_identifier.dotted_string
    except x509.ExtensionNotFound:
        raise ValueError("the TSA certificate names no policy (certificatePolicies)") from None


# ---- key and certificate ---------------------------------------------------------------------------

def create_tsa(out: Path, name: str = "CounterDesk head-office TSA", days: int = 3650,
               overwrite: bool = False) -> TsaFiles:
    """Write ``tsa-key.pem`` (0600) and a self-signed ``tsa-cert.pem`` (0644) into ``out``.

    The policy OID is a fresh one under the UUID arc 2.25 (ITU-T X.667: unique without registration);
    it is written into the certificate and every token names it."""
    out.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = out / CERT_FILE, out / KEY_FILE
    if not overwrite and (cert_path.exists() or key_path.exists()):
        raise FileExistsError(f"{cert_path} or {key_path} already exists (use --force to replace them)")
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CounterDesk head office"),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    policy = f"2.25.{uuid.uuid4().int}"
    now = dt.datetime.now(dt.UTC)
    not_after = now + dt.timedelta(days=days)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(policy), None)]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    write_bytes_atomic(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()), mode=0o600)
    write_bytes_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return TsaFiles(cert_path, key_path, cert.fingerprint(hashes.SHA256()).hex(), policy, not_after)


def load_tsa(directory: Path) -> TsaResponder:
    """The TSA from ``tsa-key.pem`` and ``tsa-cert.pem`` in ``directory`` (ValueError when unusable)."""
    key = serialization.load_pem_private_key((directory / KEY_FILE).read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate((directory / CERT_FILE).read_bytes())
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        raise ValueError(f"{directory / KEY_FILE} is not the EC key of {directory / CERT_FILE}")
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    if not eku.critical or list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise ValueError(f"{directory / CERT_FILE} is not a time-stamping certificate")
    return TsaResponder(key, cert)


# ---- HTTP ------------------------------------------------------------------------------------------

router = APIRouter()
_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.post(PATH, response_class=Response, summary="RFC 3161 time-stamp request",
             description="The head office's time-stamping authority: an RFC 3161 TimeStampReq in, a "
                         "TimeStampResp out (a refused request is a TimeStampResp with status rejection).",
             openapi_extra={"requestBody": {"required": True, "content": {QUERY_TYPE: _BINARY}}},
             responses={200: {"description": "TimeStampResp (DER)", "content": {REPLY_TYPE: _BINARY}},
                        415: {"description": "unsupported_media_type: not application/timestamp-query"},
                        503: {"description": "tsa_unavailable: this hub has no TSA key"}})
async def timestamp(request: Request) -> Response:
    authority: TsaResponder | None = getattr(request.app.state, "tsa", None)
    if authority is None:
        raise HubError(503, "tsa_unavailable", "this hub serves no time-stamping authority")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != QUERY_TYPE:
        raise HubError(415, "unsupported_media_type", f"send {QUERY_TYPE}")
    body = await request.body()
    if len(body) > MAX_QUERY_BYTES:
        raise HubError(413, "too_large", f"a time-stamp query is at most {MAX_QUERY_BYTES} bytes")
    reply = await run_in_threadpool(authority.respond, body)
    return Response(reply, media_type=REPLY_TYPE)


def register(app: FastAPI) -> None:
    """Add the TSA endpoint to the hub (``configure`` gives it its key; until then it answers 503)."""
    app.state.tsa = None
    app.include_router(router)


def configure(app: FastAPI, authority: TsaResponder | None) -> None:
    app.state.tsa = authority
