"""Issuing checkpoints and sending them to the hub, after each sync (``anchor``).

For each chain the hub is asked how far it holds this installation's history; the entries after
that are sent in checkpoints of at most ``MAX_ENTRIES`` that continue from the hub's last anchored
entry, signed with the device key. The audit log's checkpoint also carries the evidence heads of
the sales completed on this workstation since they were last anchored. A chain rewritten here no
longer continues what the hub holds: the hub refuses the checkpoint (409) and keeps it flagged; the
refusal is recorded here once in the audit log. Routine checkpoints write no audit entry (one would
leave the audit log forever one entry ahead of its anchor).
"""
from __future__ import annotations

import base64
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import Actor
from counterdesk.protocol.checkpoints import FIELDS, MAX_ENTRIES, MAX_EVIDENCE, VERSION, canonical, sign_checkpoint
from counterdesk.services.anchoring.chains import CHAINS, Chain
from counterdesk.services.anchoring.link import AnchorError, HubLink, error_of, get_json
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import evidence
from counterdesk.store import audit
from counterdesk.store.models.anchoring import ACKNOWLEDGED, PENDING, REFUSED, AnchorCheckpoint, AnchorEvidence
from counterdesk.store.models.signoff import Signoff
from counterdesk.store.models.sync import SyncOrigin

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChainAnchored:
    chain: str
    anchored_to: int             # the hub holds this chain up to this entry after the round
    local_to: int                # this workstation's last entry
    sent: int = 0                # checkpoints the hub accepted in this round
    refused: str | None = None   # the hub's reason when it refused one (a contradiction)

    @property
    def behind(self) -> bool:
        """The hub holds more of the chain than is here (entries were removed here)."""
        return self.local_to < self.anchored_to


@dataclass(frozen=True)
class AnchorResult:
    chains: tuple[ChainAnchored, ...]

    @property
    def refused(self) -> list[ChainAnchored]:
        return [c for c in self.chains if c.refused]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def hub_heads(link: HubLink, installation_id: str) -> dict[str, tuple[int, str, str]]:
    """{chain: (seq, head, anchored_at)} as the hub holds this installation's history."""
    data = get_json(link, "/v1/checkpoints/heads", f"installation_id={installation_id}")
    try:
        return {str(h["chain"]): (int(h["seq"]), str(h["head"]), str(h["anchored_at"])) for h in data["heads"]}
    except (KeyError, TypeError, ValueError):
        raise AnchorError("malformed", "the hub's list of anchored heads is malformed") from None


def anchor(vault: Vault, link: HubLink) -> AnchorResult:
    """Send what the hub does not hold yet of every chain. Raises a CounterDeskError when the hub
    cannot be reached or answers with an unexpected error; a contradiction is a result, not an error."""
    installation = vault.info.installation_id
    held = hub_heads(link, installation)
    out = []
    for chain in CHAINS:
        seq, head, _at = held.get(chain.name, (0, "", ""))
        out.append(_anchor_chain(vault, link, chain, installation, seq, head))
    return AnchorResult(tuple(out))


def _unanchored_evidence(db: Session) -> list[list[Any]]:
    """[signoff id, seq, head] of the sales completed here whose evidence head is not anchored yet.
    Sales replicated from other workstations are theirs to anchor."""
    anchored = select(AnchorEvidence.signoff_id)
    foreign = select(SyncOrigin.row_id).where(SyncOrigin.table_name == "signoffs")
    ids = db.scalars(select(Signoff.id).where(Signoff.completed_at.is_not(None), Signoff.id.not_in(anchored),
                                              Signoff.id.not_in(foreign)).order_by(Signoff.completed_at)).all()
    return [[sid, *evidence.head(db, sid)] for sid in ids]


def _anchor_chain(vault: Vault, link: HubLink, chain: Chain, installation: str, hub_seq: int,
                  hub_head: str) -> ChainAnchored:
    def read(db: Session) -> tuple[list[tuple[int, str]], list[list[Any]], int]:
        carried = _unanchored_evidence(db) if chain.name == "audit" else []
        return chain.hashes(db, max(hub_seq - 1, 0)), carried, chain.head(db)[0]
    local, carried, local_to = vault.transact(read)
    if hub_seq:
        if not local or local[0][0] != hub_seq:
            # Entries the hub holds are gone here: nothing can continue the anchored history (verify says so).
            return ChainAnchored(chain.name, hub_seq, local_to)
        prev, new = local[0][1], local[1:]
    else:
        prev, new = "", local
    repeated = vault.transact(lambda db: _same_refusal(db, chain.name, hub_seq, prev))
    if repeated is not None:
        # The hub refused exactly this continuation before: sending it again would only add flagged rows.
        return ChainAnchored(chain.name, hub_seq, local_to, 0, repeated)
    creds = link.credentials()
    start, sent = hub_seq, 0
    while new or carried:
        part, new = new[:MAX_ENTRIES], new[MAX_ENTRIES:]
        items, carried = carried[:MAX_EVIDENCE], carried[MAX_EVIDENCE:]
        end, head = (part[-1][0], part[-1][1]) if part else (start, prev)
        body: dict[str, Any] = {
            "v": VERSION, "branch": creds.branch_code, "installation_id": installation, "device_id": creds.device_id,
            "chain": chain.name, "from_seq": start, "prev_head": prev, "seq": end, "head": head,
            "entries": [[s, h] for s, h in part], "evidence": items, "created_at": _now()}
        refused = _send(vault, link, creds.signing_key, body)
        if refused is not None:
            return ChainAnchored(chain.name, start, local_to, sent, refused)
        sent += 1
        start, prev = end, head
    return ChainAnchored(chain.name, start, local_to, sent)


def _same_refusal(db: Session, chain: str, from_seq: int, prev_head: str) -> str | None:
    last = db.scalars(select(AnchorCheckpoint).where(AnchorCheckpoint.chain == chain, AnchorCheckpoint.state != PENDING)
                      .order_by(AnchorCheckpoint.answered_at.desc()).limit(1)).first()
    if last is None or last.state != REFUSED or last.from_seq != from_seq:
        return None
    return last.error if json.loads(last.body).get("prev_head") == prev_head else None


def _send(vault: Vault, link: HubLink, key: Any, body: dict[str, Any]) -> str | None:
    """Record, sign and send one checkpoint; the hub's reason when it refused it as a contradiction."""
    signature = sign_checkpoint(key, body)
    row_id = str(uuid.uuid4())

    def record(db: Session) -> None:
        db.add(AnchorCheckpoint(id=row_id, device_id=body["device_id"], chain=body["chain"],
                                from_seq=body["from_seq"], seq=body["seq"], head=body["head"],
                                created_at=body["created_at"], body=canonical(body).decode("utf-8"),
                                signature=signature, state=PENDING))
    vault.transact(record)
    payload = {"checkpoint": {k: body[k] for k in FIELDS}, "signature": base64.b64encode(signature).decode("ascii")}
    try:
        resp = link.signed("POST", "/v1/checkpoints", payload=payload)
    except Exception as exc:
        failure = str(getattr(exc, "code", type(exc).__name__))
        vault.transact(lambda db: _answer(db, row_id, PENDING, error=failure))
        raise
    if resp.status_code == 201:
        data = resp.json()
        vault.transact(lambda db: _acknowledge(db, row_id, data.get("id"), body["evidence"]))
        return None
    code, detail = error_of(resp)
    if resp.status_code == 409 and code == "checkpoint_contradiction":
        actor = Actor(None, "sync", vault.info.workstation)
        vault.transact(lambda db: _refused(db, row_id, body, detail, actor))
        log.warning("anchoring: the hub refused a %s checkpoint as contradicting the anchored history",
                    body["chain"])
        return detail
    vault.transact(lambda db: _answer(db, row_id, PENDING, error=code))
    raise AnchorError(code, detail, resp.status_code)


def _answer(db: Session, row_id: str, state: str, hub_id: int | None = None, error: str | None = None) -> None:
    row = db.get(AnchorCheckpoint, row_id)
    assert row is not None  # written by _send just before
    row.state, row.hub_id, row.error = state, hub_id, error[:300] if error else None
    row.answered_at = datetime.now(UTC).isoformat(timespec="microseconds")


def _acknowledge(db: Session, row_id: str, hub_id: Any, items: list[list[Any]]) -> None:
    _answer(db, row_id, ACKNOWLEDGED, hub_id=int(hub_id) if isinstance(hub_id, int) else None)
    for signoff_id, seq, digest in items:
        if db.get(AnchorEvidence, signoff_id) is None:
            db.add(AnchorEvidence(signoff_id=signoff_id, seq=seq, hash=digest, checkpoint_id=row_id))


def _refused(db: Session, row_id: str, body: dict[str, Any], reason: str, actor: Actor) -> None:
    """Mark the checkpoint refused; audit the first refusal of a chain (not every retry of it)."""
    last = db.scalars(select(AnchorCheckpoint).where(AnchorCheckpoint.chain == body["chain"],
                                                     AnchorCheckpoint.id != row_id, AnchorCheckpoint.state != PENDING)
                      .order_by(AnchorCheckpoint.answered_at.desc()).limit(1)).first()
    _answer(db, row_id, REFUSED, error=reason)
    if last is None or last.state != REFUSED:
        audit.append(db, actor, "anchor.refused", "chain", body["chain"],
                     {"seq": body["seq"], "error": "checkpoint_contradiction"})


def issued(vault: Vault, limit: int = 50) -> list[dict[str, Any]]:
    """The checkpoints issued here, newest first (what was sent and what the hub answered)."""
    def read(db: Session) -> list[dict[str, Any]]:
        return [{"chain": r.chain, "from_seq": r.from_seq, "seq": r.seq, "created_at": r.created_at,
                 "state": r.state, "error": r.error, "evidence": len(json.loads(r.body).get("evidence", []))}
                for r in db.scalars(select(AnchorCheckpoint).order_by(AnchorCheckpoint.created_at.desc()).limit(limit))]
    return vault.transact(read)
