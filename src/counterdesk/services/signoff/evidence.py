"""The evidence record of a sale: one hash chain per sign-off.

Links, in the order the sale produced them: document → screening → questionnaire → suitability →
disclosure → recording → signature → attestation → approval(s) → pdf. Each link stores a canonical
JSON payload (hashes and references, never personal data in clear) and
``hash = SHA-256(prev_hash | seq | kind | payload)``; the first link's ``prev_hash`` is derived from
the sign-off id, so a chain cannot be moved to another sale. The confirmation PDF prints the hash of
the link before ``pdf`` (the PDF cannot contain its own hash); the ``pdf`` link then records the
SHA-256 of the signed file, closing the chain. ``verify_all`` also checks the signed PDF itself:
re-hashing a chain and the stored figures does not change the hash printed and signed on paper.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from sqlalchemy import select

from counterdesk.base.text import CounterDeskError, Problem, Text
from counterdesk.services.confirmation.signing import load_signer, verify_pdf
from counterdesk.store.models.confirmation import BranchCertificate
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
    findings: list[Problem] = field(default_factory=list)  # field: the sign-off id

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def problems(self) -> list[str]:
        """The findings in English ("sale <number> link <seq> (<kind>): what is wrong")."""
        return [p.text.en for p in self.findings]


def _branch_certificates(db) -> list[x509.Certificate]:
    """Every certificate the branch has signed with (older ones stay for earlier confirmations)."""
    certs = []
    for row in db.scalars(select(BranchCertificate).order_by(BranchCertificate.id)):
        try:
            certs.append(load_signer(row.p12, row.p12_password).certificate)
        except CounterDeskError:
            continue  # an unreadable bundle trusts nothing; its confirmations then fail the trust check
    return certs


class _Findings:
    def __init__(self, row: Signoff, out: list[Problem]):
        self.id, self.out = row.id, out
        self.name = row.document_number or row.id

    def add(self, code: str, zh: str, en: str) -> None:
        self.out.append(Problem(self.id, code, Text(f"销售 {self.name}：{zh}", f"sale {self.name}: {en}")))


def _check_chain(f: _Findings, row: Signoff, chain: list[EvidenceLink]) -> str | None:
    """The chain's links; returns the hash the confirmation must carry (the link before "pdf")."""
    prev = genesis(row.id)
    for expected_seq, link in enumerate(chain, start=1):
        where_zh, where_en = f"证据第 {link.seq} 环（{link.kind}）", f"link {link.seq} ({link.kind})"
        if link.seq != expected_seq:
            f.add("evidence_gap", f"{where_zh}序号不连续，应为 {expected_seq}",
                  f"{where_en}: sequence gap, expected {expected_seq}")
        if link.prev_hash != prev:
            f.add("evidence_link", f"{where_zh}与前一环不相接", f"{where_en}: does not follow the previous link")
        if link_hash(link.prev_hash, link.seq, link.kind, link.payload) != link.hash:
            f.add("evidence_changed", f"{where_zh}内容被修改（哈希不符）",
                  f"{where_en}: content changed (hash mismatch)")
        prev = link.hash
    pdf_link = next((link for link in chain if link.kind == "pdf"), None)
    if pdf_link is None:
        return None
    return next((link.hash for link in chain if link.seq == pdf_link.seq - 1), None)


def _check_stored(f: _Findings, row: Signoff, chain: list[EvidenceLink], head: str | None) -> None:
    """The stored figures agree with the chain: the hash printed on the PDF is that of the link before
    "pdf", and the "pdf" link names the file that was issued."""
    pdf_link = next((link for link in chain if link.kind == "pdf"), None)
    if pdf_link is None:
        f.add("evidence_no_pdf_link", "已出具确认书，但证据链中没有 pdf 环", "confirmation issued but no pdf link")
        return
    payload = json.loads(pdf_link.payload)
    if row.evidence_hash != head or payload.get("evidence_hash") != head:
        f.add("evidence_hash", "确认书记录的证据哈希与证据链不符",
              "evidence hash on the confirmation does not match the chain")
    if row.pdf is not None and (sha256_hex(row.pdf) != payload.get("pdf_sha256")
                                or row.pdf_sha256 != payload.get("pdf_sha256")):
        f.add("evidence_pdf", "存储的确认书 PDF 与记录的不同", "stored confirmation PDF differs from the one recorded")


def _check_paper(f: _Findings, row: Signoff, head: str | None, trust: list[x509.Certificate]) -> None:
    """The signed PDF itself: its signature intact and the branch's, and the evidence hash and number
    inside it those of the recomputed chain and of the sign-off."""
    assert row.pdf is not None
    res = verify_pdf(row.pdf, trust=trust)
    if not res.intact:
        f.add("paper_signature", "存储的确认书 PDF 签名无效（签名后被修改或无法读取）",
              "the signature of the stored confirmation PDF is not intact (changed after signing, or unreadable)")
        return
    if res.trusted is False:
        f.add("paper_signer", "确认书 PDF 不是由本网点的证书签名的",
              "the confirmation PDF was not signed with one of the branch's certificates")
    found = res.evidence_hash
    if found is None:
        f.add("paper_no_evidence", "签名的确认书 PDF 中没有证据哈希",
              "the signed confirmation PDF carries no evidence hash")
        return
    if found != head:
        recomputed = (head or "-")[:16]
        f.add("paper_evidence", f"签名的确认书 PDF 中的证据哈希 {found[:16]}… 与重新计算的证据链 {recomputed}… 不符",
              f"the evidence hash inside the signed PDF ({found[:16]}…) differs from the recomputed evidence chain "
              f"({recomputed}…)")
    if found != row.evidence_hash:
        f.add("paper_evidence_stored", "签名的确认书 PDF 中的证据哈希与签署记录（signoffs.evidence_hash）不符",
              "the evidence hash inside the signed PDF differs from the sign-off's record (signoffs.evidence_hash)")
    if res.document_number != row.document_number:
        f.add("paper_number", "签名的确认书 PDF 中的编号与签署记录不符",
              "the document number inside the signed PDF differs from the sign-off's record")


def verify_all(db, paper: bool = True) -> EvidenceReport:
    """Every sale's evidence chain, the figures stored with it and (``paper``) the signed PDF: one
    query for the links, one for the sign-offs."""
    report = EvidenceReport()
    chains: dict[str, list[EvidenceLink]] = {}
    for link in db.scalars(select(EvidenceLink).order_by(EvidenceLink.signoff_id, EvidenceLink.seq)):
        chains.setdefault(link.signoff_id, []).append(link)
    trust = _branch_certificates(db) if paper else []
    # Streamed: each row carries its signed PDF (some 70 kB), so a branch's years of sales are not held at once.
    for row in db.scalars(select(Signoff).order_by(Signoff.created_at).execution_options(yield_per=100)):
        report.checked += 1
        f = _Findings(row, report.findings)
        chain = chains.get(row.id, [])
        head = _check_chain(f, row, chain)
        if row.pdf is not None:
            _check_stored(f, row, chain, head)
            if paper:
                _check_paper(f, row, head, trust)
        elif row.status == "completed" or any(link.kind == "pdf" for link in chain):
            f.add("evidence_pdf_missing", "已完成的销售没有存储的确认书 PDF",
                  "the sale is completed but its confirmation PDF is not stored")
    return report
