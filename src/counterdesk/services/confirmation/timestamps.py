"""Trusted timestamps of the confirmations: the authority (RFC 3161), signing with or without one,
and upgrading the confirmations that were issued without.

The authority is the setting ``confirmation.tsa_url`` (the head-office hub's ``/v1/tsa``, or any
RFC 3161 service). A confirmation is signed with a signature timestamp when the authority answers
(PAdES B-LT). When it does not — no URL set, the network or the hub away, a refusal — the
confirmation is issued all the same, *without* a timestamp, with the line
"未加盖可信时间戳 / no trusted timestamp yet" printed on it, and a pending row in
``confirmation_timestamps``; the local clock never stands in for the authority. ``upgrade_pending``
(called by the sync loop and ``counterdesk-admin confirmations timestamp``) then adds the
validation data and a document timestamp to each pending file as an incremental update, so the
original signature stays valid and the signed original stays byte for byte at the start of the
upgraded file (``signoffs.pdf`` and the evidence chain's ``pdf_sha256`` stay as issued).

The authority's certificate is pinned at first use (``timestamp_authorities``, audited), so
``verify-pdf`` run with the store trusts the authority this branch actually used; an auditor from
outside gets the certificates with ``counterdesk-admin cert export``.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from asn1crypto import core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, extract_ts_certs, set_tsp_headers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import Actor, SignedInUser
from counterdesk.base.roles import can, require
from counterdesk.base.settings import TIMESTAMP_AUTHORITY_URL
from counterdesk.base.text import CounterDeskError
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation.certstore import branch_certificates
from counterdesk.services.confirmation.signing import (
    Signer,
    TimestampUnavailable,
    add_document_timestamp,
    sign_pdf,
    timestamp_of,
)
from counterdesk.store import audit
from counterdesk.store.models.confirmation import ConfirmationTimestamp, TimestampAuthority
from counterdesk.store.models.signoff import Signoff
from counterdesk.store.models.sync import SyncState

log = logging.getLogger("counterdesk.services.confirmation")

PENDING, STAMPED = "pending", "stamped"
TIMEOUT_S = 5.0  # issuing waits at most this long for the authority before marking the paper
# sync_state rows of the enrolled hub (services/sync/state.py): its URL and the CA pinned at enrolment.
_HUB_URL, _HUB_CA_PEM = "hub_url", "hub_ca_pem"


class HttpTimeStamper(TimeStamper):
    """RFC 3161 over HTTP(S) with httpx (``verify``: what TLS trusts, e.g. the hub's pinned CA)."""

    def __init__(self, url: str, verify: ssl.SSLContext | bool = True, timeout: float = TIMEOUT_S,
                 transport: httpx.BaseTransport | None = None):
        super().__init__()
        self.url, self.verify, self.timeout, self.transport = url, verify, timeout, transport

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        # pyHanko runs this inside its own event loop; a short synchronous request is simplest.
        try:
            with httpx.Client(verify=self.verify, timeout=self.timeout, transport=self.transport) as http:
                res = http.post(self.url, content=req.dump(), headers=set_tsp_headers({}))
        except httpx.HTTPError as exc:
            raise TimestampRequestError(f"timestamp authority unreachable ({type(exc).__name__})") from None
        if res.status_code != 200 or res.headers.get("content-type", "").split(";")[0] != "application/timestamp-reply":
            raise TimestampRequestError(f"timestamp authority answered HTTP {res.status_code}")
        status = reply_status(res.content)
        if status is None:
            raise TimestampRequestError("timestamp authority sent no TimeStampResp")
        if status["status"].native not in ("granted", "granted_with_mods"):
            raise TimestampRequestError(f"timestamp authority refused: {status['fail_info'].native}")
        return tsp.TimeStampResp.load(res.content)


def reply_status(reply: bytes) -> tsp.PKIStatusInfo | None:
    """The status of a TimeStampResp, also of a refusal (which carries no token: asn1crypto's
    TimeStampResp cannot parse that, so the first field is read on its own); None if unreadable."""
    try:
        outer = core.Sequence.load(reply)
        status = tsp.PKIStatusInfo.load(outer[0].dump())
        status.native  # parse now: asn1crypto parses lazily  # noqa: B018
        return status
    except (ValueError, TypeError, IndexError, KeyError):
        return None


@dataclass
class Authority:
    """An authority that answered a probe: its stamper and the certificate it signs with."""

    url: str
    stamper: TimeStamper
    certificates: list[x509.Certificate]

    @property
    def certificate(self) -> x509.Certificate:
        return self.certificates[0]

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


StamperFactory = Callable[[str, ssl.SSLContext | bool], TimeStamper]


def _tls_for(db: Session, url: str) -> ssl.SSLContext | bool:
    """The hub's CA pinned at enrolment for a URL on the enrolled hub; the system store otherwise."""
    rows = {r.key: json.loads(r.value) for r in db.scalars(select(SyncState).where(
        SyncState.key.in_((_HUB_URL, _HUB_CA_PEM))))}
    hub, pem = rows.get(_HUB_URL), rows.get(_HUB_CA_PEM)
    same = hub and urlsplit(hub)[:2] == urlsplit(url)[:2]
    return ssl.create_default_context(cadata=pem) if same and pem else True


def probe(vault: Vault, factory: StamperFactory | None = None) -> Authority | None:
    """The configured authority if it answers now (one dummy request, also pyHanko's size estimate),
    else None. Never raises for an unreachable or refusing authority."""
    url = vault.settings()[TIMESTAMP_AUTHORITY_URL]
    if not url:
        return None
    verify = vault.transact(lambda db: _tls_for(db, url))
    stamper = (factory or HttpTimeStamper)(url, verify)
    try:
        token = _run(stamper.async_dummy_response("sha256"))
        certs = [x509.load_der_x509_certificate(c.dump())
                 for c in extract_ts_certs(token, SimpleCertificateStore())]
    except Exception as exc:  # unreachable, refusing or answering nonsense: all mean "no timestamp now"
        log.info("timestamp authority unavailable: %s", type(exc).__name__)
        return None
    if not certs:
        log.info("timestamp authority sent no certificate")
        return None
    return Authority(url, stamper, certs)


def _run(coro):
    # pyHanko's API is async; these threads run no event loop of their own.
    return asyncio.run(coro)


@dataclass(frozen=True)
class SignedConfirmation:
    pdf: bytes
    timestamped: bool


def sign_confirmation(render: Callable[[bool], bytes], signer: Signer, authority: Authority | None
                      ) -> SignedConfirmation:
    """Sign ``render(no_timestamp_mark)``: with the authority's timestamp when it answers, else the
    version marked "no trusted timestamp yet", signed without one."""
    if authority is not None:
        try:
            return SignedConfirmation(sign_pdf(render(False), signer, timestamper=authority.stamper,
                                               tsa_certificates=authority.certificates), True)
        except CounterDeskError as exc:  # it answered the probe but not now, or its token did not validate
            log.info("signing with a timestamp failed (%s); issuing without one, marked", exc.code)
    return SignedConfirmation(sign_pdf(render(True), signer), False)


def record_issue(db: Session, actor: Actor, signoff_id: str, document_number: str, signed: SignedConfirmation,
                 authority: Authority | None, now: datetime) -> None:
    """In the issuing transaction: pin the authority that stamped it, or queue the upgrade."""
    if signed.timestamped and authority is not None:
        pin_authority(db, actor, authority, now)
        return
    db.add(ConfirmationTimestamp(signoff_id=signoff_id, document_number=document_number, status=PENDING,
                                 requested_at=_iso(now), attempts=0))
    audit.append(db, actor, "confirmation.timestamp_pending", "signoff", signoff_id,
                 {"document_number": document_number})


def pin_authority(db: Session, actor: Actor, authority: Authority, now: datetime) -> None:
    fp = authority.fingerprint
    if db.get(TimestampAuthority, fp) is not None:
        return
    cert = authority.certificate
    db.add(TimestampAuthority(sha256_fingerprint=fp, subject=cert.subject.rfc4514_string()[:400],
                              url=authority.url[:400], certificate=cert.public_bytes(Encoding.DER),
                              first_used_at=_iso(now)))
    audit.append(db, actor, "timestamp.authority_pinned", "timestamp_authority", fp,
                 {"fingerprint": fp, "hub": urlsplit(authority.url).netloc[:100]})


def latest_pdf(db: Session, signoff_id: str) -> bytes | None:
    """The upgraded confirmation (original + timestamp update) when there is one, else None."""
    row = db.get(ConfirmationTimestamp, signoff_id)
    return row.pdf if row is not None and row.status == STAMPED else None


def pending_count(vault: Vault) -> int:
    return vault.transact(lambda db: len(db.scalars(select(ConfirmationTimestamp.signoff_id).where(
        ConfirmationTimestamp.status == PENDING)).all()))


def status_of(vault: Vault, signoff_id: str) -> str | None:
    """"pending", "stamped" or None (timestamped at issue, or no such confirmation)."""
    return vault.transact(lambda db: getattr(db.get(ConfirmationTimestamp, signoff_id), "status", None))


def upgrade_pending(vault: Vault, us: SignedInUser | None = None, *, factory: StamperFactory | None = None,
                    now: datetime | None = None, limit: int = 50) -> int:
    """Add a trusted timestamp to the confirmations issued without one; returns how many were upgraded.

    Does nothing (returns 0) when no authority is set or it does not answer: the rows stay pending,
    with the attempt counted. ``us`` None: the sync loop acting as the system."""
    if us is not None and not can(us.role, "session.start"):
        require(us.role, "sync.manage")  # a teller's workstation, or an administrator by hand

    def pending(db: Session) -> list[tuple[str, bytes]]:
        rows = db.execute(select(ConfirmationTimestamp.signoff_id, Signoff.pdf)
                          .join(Signoff, Signoff.id == ConfirmationTimestamp.signoff_id)
                          .where(ConfirmationTimestamp.status == PENDING)
                          .order_by(ConfirmationTimestamp.requested_at).limit(limit)).all()
        return [(sid, pdf) for sid, pdf in rows if pdf is not None]
    todo = vault.transact(pending)
    if not todo:
        return 0
    actor = us.actor if us is not None else Actor(None, "timestamp", vault.info.workstation)
    moment = now or datetime.now(UTC)
    authority = probe(vault, factory)
    if authority is None:
        vault.transact(lambda db: _count_attempt(db, [sid for sid, _ in todo], moment, "tsa_unavailable"))
        return 0
    trust = [*branch_certificates(vault), *authority.certificates]
    done = 0
    for signoff_id, original in todo:
        try:
            upgraded = add_document_timestamp(original, authority.stamper, trust)
        except TimestampUnavailable:
            _record_attempt(vault, signoff_id, moment, "tsa_unavailable")
            break
        stamp = timestamp_of(upgraded)
        if stamp is None or not upgraded.startswith(original):  # never store a file that does not verify
            _record_attempt(vault, signoff_id, moment, "upgrade_invalid")
            continue

        def write(db: Session, sid=signoff_id, pdf=upgraded, at=stamp.at) -> None:
            row = db.get(ConfirmationTimestamp, sid)
            if row is None or row.status != PENDING:
                return  # another workstation process got there first
            pin_authority(db, actor, authority, moment)
            row.status, row.pdf, row.pdf_sha256 = STAMPED, pdf, hashlib.sha256(pdf).hexdigest()
            row.stamped_at, row.authority_fingerprint = _iso(at), authority.fingerprint
            row.attempts, row.last_attempt_at, row.last_error = row.attempts + 1, _iso(moment), None
            audit.append(db, actor, "confirmation.timestamp_added", "signoff", sid,
                         {"document_number": row.document_number, "fingerprint": authority.fingerprint,
                          "sha256": row.pdf_sha256})
        vault.transact(write)
        done += 1
    return done


def _record_attempt(vault: Vault, signoff_id: str, moment: datetime, error: str) -> None:
    def write(db: Session) -> None:
        _count_attempt(db, [signoff_id], moment, error)
    vault.transact(write)


def _count_attempt(db: Session, signoff_ids: list[str], moment: datetime, error: str) -> None:
    for sid in signoff_ids:
        row = db.get(ConfirmationTimestamp, sid)
        if row is not None and row.status == PENDING:
            row.attempts, row.last_attempt_at, row.last_error = row.attempts + 1, _iso(moment), error


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
