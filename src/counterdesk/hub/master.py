"""Master data from head office: its public key, and signed catalog, questionnaire and sanctions items."""
from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.hub.clock import iso_utc, utcnow
from counterdesk.hub.errors import HubError
from counterdesk.hub.models import HeadOfficeKey, MasterItem
from counterdesk.hub.schemas import MAX_MASTER_ITEMS
from counterdesk.protocol.signing import (
    MASTER_KINDS,
    master_signing_string,
    public_key_fingerprint,
    sha256_hex,
    verify_signature,
)


def head_office_key(db: Session) -> HeadOfficeKey | None:
    return db.get(HeadOfficeKey, 1)


def register_head_office_key(db: Session, public_key: bytes) -> tuple[HeadOfficeKey, bool]:
    """Register the key (32 raw bytes); (row, True) when new. A different key is refused: workstations
    have pinned the registered one."""
    if len(public_key) != 32:
        raise HubError(400, "key_invalid", "an Ed25519 public key is 32 bytes")
    row = head_office_key(db)
    if row is not None:
        if row.public_key != public_key:
            raise HubError(409, "key_registered", f"another head-office key is registered (fingerprint "
                                                  f"{row.fingerprint}); workstations have pinned it")
        return row, False
    row = HeadOfficeKey(id=1, public_key=public_key, fingerprint=public_key_fingerprint(public_key),
                        registered_at=utcnow())
    db.add(row)
    return row, True


def publish(db: Session, kind: str, version: int, payload: bytes, signature: bytes) -> MasterItem:
    """Store one item after checking its signature against the registered head-office key."""
    if kind not in MASTER_KINDS:
        raise HubError(400, "kind_invalid", f"kind must be one of {', '.join(MASTER_KINDS)}")
    if not 1 <= version < 2 ** 31:
        raise HubError(400, "version_invalid", "version must be a positive integer")
    ho = head_office_key(db)
    if ho is None:
        raise HubError(409, "no_head_office_key", "register the head-office public key first")
    digest = sha256_hex(payload)
    if not verify_signature(ho.public_key, signature, master_signing_string(kind, version, digest)):
        raise HubError(400, "bad_signature", "the signature does not verify with the registered head-office key")
    if db.execute(select(MasterItem.seq).where(MasterItem.kind == kind, MasterItem.version == version)).first():
        raise HubError(409, "version_exists", f"{kind} version {version} is already published")
    item = MasterItem(kind=kind, version=version, sha256=digest, payload=payload, signature=signature,
                      published_at=utcnow())
    db.add(item)
    db.flush()
    return item


def items_since(db: Session, since: int, limit: int = MAX_MASTER_ITEMS) -> dict[str, Any]:
    rows = db.execute(select(MasterItem).where(MasterItem.seq > since).order_by(MasterItem.seq)
                           .limit(limit + 1)).scalars().all()
    return {"items": [item_out(r) for r in rows[:limit]], "more": len(rows) > limit}


def item_out(row: MasterItem) -> dict[str, Any]:
    return {"seq": row.seq, "kind": row.kind, "version": row.version, "sha256": row.sha256,
            "payload": base64.b64encode(row.payload).decode("ascii"),
            "signature": base64.b64encode(row.signature).decode("ascii"), "published_at": iso_utc(row.published_at)}
