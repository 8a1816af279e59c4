"""Checkpoints of the workstations' hash chains, kept append-only (protocol.checkpoints, hub migration 0003).

A device posts a signed checkpoint of one chain of its installation; the hub checks the signature
with the device's registered key and that the checkpoint continues the history it holds for that
installation and chain: the entry it continues from and every entry it repeats must be the ones
anchored before, and a sale's evidence head never changes once anchored. A contradicting
checkpoint is refused with 409 and kept as a flagged row (``status = 'refused'``): an insider who
re-hashes the chain on the workstation cannot replace what was anchored, and the attempt stays
visible to head office. Workstations read their installation's checkpoints back for ``verify``.

The history is the installation's (its ``installation_id``), not one device's: a workstation
enrolled again gets a new device but continues, and is checked against, the same history.
"""
from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, insert, select
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from counterdesk.hub.auth import SignedDevice
from counterdesk.hub.clock import iso_utc, now_text, parse_iso, utcnow
from counterdesk.hub.dependencies import SIGNED, SignedBy
from counterdesk.hub.errors import HubError
from counterdesk.hub.models import AnchoredEntry, AnchoredEvidence, Branch, Checkpoint, Device
from counterdesk.hub.schemas import (
    MAX_ANCHORED_ENTRIES,
    MAX_CHECKPOINTS,
    AnchoredEntriesOut,
    AnchorHeadsOut,
    CheckpointIn,
    CheckpointOut,
    CheckpointsOut,
    ErrorOut,
)
from counterdesk.protocol.checkpoints import CHAINS, canonical, structure_problem, verify_checkpoint

ACCEPTED, DUPLICATE, REFUSED = "accepted", "duplicate", "refused"
MAX_SEQ = 2 ** 63 - 1
UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE
T = TypeVar("T")
SIGNED_HERE: dict[int | str, dict[str, Any]] = {
    **SIGNED, 503: {"model": ErrorOut, "description": "unavailable"}}


async def _run(work: Callable[..., T], *args: Any) -> T:
    """``work`` in the thread pool; a database without the checkpoint tables (a hub served before
    ``counterdesk-hub upgrade``) answers 503 like a database that is down, not a 500."""
    try:
        return await run_in_threadpool(work, *args)
    except ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) != UNDEFINED_TABLE:
            raise
        raise HubError(503, "unavailable", "the hub's database has no checkpoint tables yet: "
                                           "run counterdesk-hub upgrade") from None


Installation = Annotated[uuid.UUID, Query(description="the workstation installation whose history is asked for")]
router = APIRouter()


@router.post("/v1/checkpoints", status_code=201, response_model=CheckpointOut,
             responses={**SIGNED_HERE,
                        400: {"model": ErrorOut, "description": "checkpoint_invalid, bad_signature"},
                        403: {"model": ErrorOut, "description": "checkpoint_not_yours"},
                        409: {"model": ErrorOut, "description": "checkpoint_contradiction (kept, flagged), "
                                                                "checkpoint_gap"}})
async def post_checkpoint(body: CheckpointIn, request: Request, device: SignedBy) -> dict:
    return await _run(store, request.app.state.sessions, device, body)


@router.get("/v1/checkpoints/heads", response_model=AnchorHeadsOut, responses=SIGNED_HERE)
async def get_heads(request: Request, device: SignedBy, installation_id: Installation) -> dict:
    return await _run(heads, request.app.state.sessions, device.branch, installation_id)


@router.get("/v1/checkpoints", response_model=CheckpointsOut, responses=SIGNED_HERE)
async def get_checkpoints(request: Request, device: SignedBy, installation_id: Installation,
                          after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
                          limit: Annotated[int, Query(ge=1, le=MAX_CHECKPOINTS)] = MAX_CHECKPOINTS) -> dict:
    return await _run(listing, request.app.state.sessions, device.branch, installation_id, after, limit)


@router.get("/v1/checkpoints/entries", response_model=AnchoredEntriesOut, responses=SIGNED_HERE)
async def get_entries(request: Request, device: SignedBy, installation_id: Installation,
                      chain: Annotated[Literal["audit", "records"], Query()],
                      after_seq: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
                      to_seq: Annotated[int, Query(ge=0, le=MAX_SEQ)] = MAX_SEQ,
                      limit: Annotated[int, Query(ge=1, le=MAX_ANCHORED_ENTRIES)] = MAX_ANCHORED_ENTRIES) -> dict:
    return await _run(entries, request.app.state.sessions, device.branch, installation_id, chain, after_seq, to_seq,
                      limit)


# ---- storing ---------------------------------------------------------------------------------------

@dataclass
class _Verdict:
    contradiction: str | None = None
    new_entries: list[list[Any]] = field(default_factory=list)
    new_evidence: list[list[Any]] = field(default_factory=list)


def store(sessions: sessionmaker[Session], device: SignedDevice, body: CheckpointIn) -> dict[str, Any]:
    """Accept, acknowledge as a duplicate, or refuse (409, kept flagged) one checkpoint."""
    cp = body.checkpoint.model_dump(mode="json")
    signature = base64.b64decode(body.signature)
    if cp["device_id"] != str(device.id) or cp["branch"] != device.branch:
        raise HubError(403, "checkpoint_not_yours", "a device sends only its own checkpoints, for its own branch")
    problem = structure_problem(cp)
    if problem is not None:
        raise HubError(400, "checkpoint_invalid", problem)
    try:
        created_at = parse_iso(cp["created_at"])
    except ValueError:
        raise HubError(400, "checkpoint_invalid", "created_at is not an ISO 8601 time with its offset") from None
    installation = uuid.UUID(cp["installation_id"])
    refusal: tuple[int, str] | None = None
    with sessions.begin() as session:
        registered = session.get(Device, device.id)
        assert registered is not None  # the request was just verified for this device
        if not verify_checkpoint(registered.sign_public_key, cp, signature):
            raise HubError(400, "bad_signature", "the checkpoint's signature does not verify with the device's key")
        # The branch row lock serialises the branch's checkpoints: two of one chain never both extend it.
        session.execute(select(Branch).where(Branch.code == device.branch).with_for_update()).scalar_one()
        verdict = _judge(session, device.branch, installation, cp)
        if verdict.contradiction is None and not verdict.new_entries and not verdict.new_evidence:
            return {"id": None, "status": DUPLICATE, "chain": cp["chain"], "seq": cp["seq"], "server_time": now_text()}
        row = Checkpoint(branch=device.branch, installation_id=installation, device_id=device.id, chain=cp["chain"],
                         from_seq=cp["from_seq"], seq=cp["seq"], prev_head=cp["prev_head"], head=cp["head"],
                         created_at=created_at, received_at=utcnow(), body=canonical(cp).decode("utf-8"),
                         signature=signature, evidence=verdict.new_evidence,
                         status=ACCEPTED if verdict.contradiction is None else REFUSED,
                         reason=None if verdict.contradiction is None else verdict.contradiction[:300])
        session.add(row)
        session.flush()
        if verdict.contradiction is not None:
            refusal = (row.id, verdict.contradiction)
            row.evidence = []
        else:
            if verdict.new_entries:
                session.execute(insert(AnchoredEntry), [
                    {"branch": device.branch, "installation_id": installation, "chain": cp["chain"], "seq": s,
                     "hash": h, "checkpoint_id": row.id} for s, h in verdict.new_entries])
            if verdict.new_evidence:
                session.execute(insert(AnchoredEvidence), [
                    {"branch": device.branch, "installation_id": installation, "signoff_id": sid, "seq": s,
                     "hash": h, "checkpoint_id": row.id} for sid, s, h in verdict.new_evidence])
            result = {"id": row.id, "status": ACCEPTED, "chain": cp["chain"], "seq": cp["seq"],
                      "server_time": now_text()}
    if refusal is not None:
        raise HubError(409, "checkpoint_contradiction",
                       f"{refusal[1]}; the attempt is kept as flagged checkpoint #{refusal[0]}")
    return result


def _judge(session: Session, branch: str, installation: uuid.UUID, cp: dict[str, Any]) -> _Verdict:
    chain, start, end = cp["chain"], cp["from_seq"], cp["seq"]
    scope = (AnchoredEntry.branch == branch, AnchoredEntry.installation_id == installation,
             AnchoredEntry.chain == chain)
    anchored_to = session.scalar(select(func.max(AnchoredEntry.seq)).where(*scope)) or 0
    if start > anchored_to:
        raise HubError(409, "checkpoint_gap", f"the hub holds {chain} entries up to {anchored_to}; a checkpoint "
                                              f"must continue from there, this one starts after {start}")
    known = {seq: (digest, cid) for seq, digest, cid in session.execute(
        select(AnchoredEntry.seq, AnchoredEntry.hash, AnchoredEntry.checkpoint_id)
        .where(*scope, AnchoredEntry.seq >= max(start, 1), AnchoredEntry.seq <= min(end, anchored_to)))}
    verdict = _Verdict()
    if start > 0 and known[start][0] != cp["prev_head"]:
        verdict.contradiction = (f"{chain} entry {start}, which this checkpoint continues from, differs from the one "
                                 f"anchored {_when(session, known[start][1])}")
        return verdict
    for seq, digest in cp["entries"]:
        if seq > anchored_to:
            verdict.new_entries.append([seq, digest])
        elif known[seq][0] != digest:
            verdict.contradiction = (f"{chain} entry {seq} differs from the one anchored "
                                     f"{_when(session, known[seq][1])}")
            return verdict
    ids = [item[0] for item in cp["evidence"]]
    held = {row.signoff_id: row for row in session.scalars(select(AnchoredEvidence).where(
        AnchoredEvidence.branch == branch, AnchoredEvidence.installation_id == installation,
        AnchoredEvidence.signoff_id.in_(ids)))} if ids else {}
    for signoff_id, seq, digest in cp["evidence"]:
        old = held.get(signoff_id)
        if old is None:
            verdict.new_evidence.append([signoff_id, seq, digest])
        elif (old.seq, old.hash) != (seq, digest):
            verdict.contradiction = (f"the evidence of sign-off {signoff_id} (link {seq}) differs from its head "
                                     f"anchored {_when(session, old.checkpoint_id)} (link {old.seq})")
            return verdict
    return verdict


def _when(session: Session, checkpoint_id: int) -> str:
    received = session.scalar(select(Checkpoint.received_at).where(Checkpoint.id == checkpoint_id))
    return f"by checkpoint #{checkpoint_id} of {iso_utc(received)}" if received else f"by checkpoint #{checkpoint_id}"


# ---- reading back ----------------------------------------------------------------------------------

def heads(sessions: sessionmaker[Session], branch: str, installation: uuid.UUID) -> dict[str, Any]:
    """Per chain: the last anchored entry (seq, hash) and when it was anchored."""
    out = []
    with sessions() as session:
        for chain in CHAINS:
            row = session.execute(
                select(AnchoredEntry.seq, AnchoredEntry.hash, Checkpoint.received_at)
                .join(Checkpoint, Checkpoint.id == AnchoredEntry.checkpoint_id)
                .where(AnchoredEntry.branch == branch, AnchoredEntry.installation_id == installation,
                       AnchoredEntry.chain == chain)
                .order_by(AnchoredEntry.seq.desc()).limit(1)).first()
            if row is not None:
                out.append({"chain": chain, "seq": row.seq, "head": row.hash, "anchored_at": iso_utc(row.received_at)})
    return {"heads": out, "server_time": now_text()}


def listing(sessions: sessionmaker[Session], branch: str, installation: uuid.UUID, after: int,
            limit: int) -> dict[str, Any]:
    """The installation's checkpoints (accepted and refused) after id ``after``, oldest first."""
    with sessions() as session:
        rows = session.scalars(select(Checkpoint).where(
            Checkpoint.branch == branch, Checkpoint.installation_id == installation, Checkpoint.id > after)
            .order_by(Checkpoint.id).limit(limit + 1)).all()
    return {"checkpoints": [summary(r) for r in rows[:limit]], "more": len(rows) > limit}


def summary(row: Checkpoint) -> dict[str, Any]:
    return {"id": row.id, "device_id": str(row.device_id), "chain": row.chain, "from_seq": row.from_seq,
            "prev_head": row.prev_head, "seq": row.seq, "head": row.head, "created_at": iso_utc(row.created_at),
            "received_at": iso_utc(row.received_at), "status": row.status, "reason": row.reason,
            "evidence": [list(item) for item in row.evidence]}


def entries(sessions: sessionmaker[Session], branch: str, installation: uuid.UUID, chain: str, after_seq: int,
            to_seq: int, limit: int) -> dict[str, Any]:
    """Anchored entry hashes of one chain in (after_seq, to_seq], in order."""
    with sessions() as session:
        rows = session.execute(select(AnchoredEntry.seq, AnchoredEntry.hash).where(
            AnchoredEntry.branch == branch, AnchoredEntry.installation_id == installation,
            AnchoredEntry.chain == chain, AnchoredEntry.seq > after_seq, AnchoredEntry.seq <= to_seq)
            .order_by(AnchoredEntry.seq).limit(limit + 1)).all()
    return {"entries": [[seq, digest] for seq, digest in rows[:limit]], "more": len(rows) > limit}
