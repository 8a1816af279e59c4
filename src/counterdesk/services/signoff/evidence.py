"""The evidence record of a sale: one hash chain per sign-off.

Links, in the order the sale produced them: document → screening → questionnaire → suitability →
disclosure → recording → signature → attestation → approval(s) → pdf. Each link stores a canonical
JSON payload (hashes and references, never personal data in clear) and
``hash = SHA-256(prev_hash | seq | kind | payload)``; the first link's ``prev_hash`` is derived from
the sign-off id, so a chain cannot be moved to another sale. The confirmation PDF prints the hash of
the link before ``pdf`` (the PDF cannot contain its own hash); the ``pdf`` link then records the
SHA-256 of the signed file, closing the chain.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from counterdesk.store.models.signoff import EvidenceLink, Signoff

ORDER = ("document", "screening", "questionnaire", "suitability", "disclosure", "recording", "signature",
         "attestation", "approval", "pdf")


def canonical(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def genesis(signoff_id: str) -> str:
    return sha256_hex(f"counterdesk-evidence-v1|{signoff_id}")


def link_hash(prev_hash: str, seq: int, kind: str, payload_json: str) -> str:
    return sha256_hex(f"{prev_hash}|{seq}|{kind}|{payload_json}")


def _links(db, signoff_id: str) -> list[EvidenceLink]:
    return list(db.scalars(select(EvidenceLink).where(EvidenceLink.signoff_id == signoff_id)
                                .order_by(EvidenceLink.seq)))


def head(db, signoff_id: str) -> tuple[int, str]:
    """(last seq, last hash) of the chain; (0, genesis) when it is empty."""
    last = db.scalars(select(EvidenceLink).where(EvidenceLink.signoff_id == signoff_id)
                           .order_by(EvidenceLink.seq.desc()).limit(1)).first()
    return (last.seq, last.hash) if last is not None else (0, genesis(signoff_id))


def append(db, signoff_id: str, kind: str, payload: Mapping[str, Any]) -> str:
    """Add one link inside the caller's transaction; returns its hash."""
    if kind not in ORDER:
        raise ValueError(f"unknown evidence link kind {kind}")
    seq, prev = head(db, signoff_id)
    body = canonical(payload)
    digest = link_hash(prev, seq + 1, kind, body)
    db.add(EvidenceLink(signoff_id=signoff_id, seq=seq + 1, kind=kind, payload=body, prev_hash=prev,
                             hash=digest, created_at=datetime.now(UTC).isoformat(timespec="seconds")))
    db.flush()
    return digest


def links(db, signoff_id: str) -> list[dict[str, Any]]:
    """The chain as plain dicts (for the supervisor's evidence view and auditors)."""
    return [{"seq": link.seq, "kind": link.kind, "payload": json.loads(link.payload), "hash": link.hash,
             "at": link.created_at} for link in _links(db, signoff_id)]


@dataclass
class EvidenceReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)  # "signoff <id> link <seq>: what is wrong"

    @property
    def ok(self) -> bool:
        return not self.problems


def check_signoff(db, row: Signoff) -> list[str]:
    """Problems of one sign-off's chain (empty when intact)."""
    out: list[str] = []
    prev, kinds = genesis(row.id), []
    chain = _links(db, row.id)
    for expected_seq, link in enumerate(chain, start=1):
        where = f"signoff {row.id} link {link.seq} ({link.kind})"
        if link.seq != expected_seq:
            out.append(f"{where}: sequence gap, expected {expected_seq}")
        if link.prev_hash != prev:
            out.append(f"{where}: does not follow the previous link")
        if link_hash(link.prev_hash, link.seq, link.kind, link.payload) != link.hash:
            out.append(f"{where}: content changed (hash mismatch)")
        prev = link.hash
        kinds.append(link.kind)
    # The stored figures must agree with the chain: the hash printed on the PDF is that of the link
    # before "pdf", and the "pdf" link names the file that was issued.
    if row.pdf is not None:
        pdf_links = [link for link in chain if link.kind == "pdf"]
        if not pdf_links:
            out.append(f"signoff {row.id}: confirmation issued but no pdf link")
        else:
            first = pdf_links[0]
            payload = json.loads(first.payload)
            before = next((link.hash for link in chain if link.seq == first.seq - 1), None)
            if row.evidence_hash != before or payload.get("evidence_hash") != before:
                out.append(f"signoff {row.id}: evidence hash on the confirmation does not match the chain")
            if sha256_hex(row.pdf) != payload.get("pdf_sha256") or row.pdf_sha256 != payload.get("pdf_sha256"):
                out.append(f"signoff {row.id}: stored confirmation PDF differs from the one recorded")
    return out


def verify_all(db) -> EvidenceReport:
    report = EvidenceReport()
    for row in db.scalars(select(Signoff).order_by(Signoff.created_at)):
        report.checked += 1
        report.problems += check_signoff(db, row)
    return report
