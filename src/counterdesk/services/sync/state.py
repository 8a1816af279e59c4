"""Sync state (key/value) and keys, both inside the encrypted database."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.store.models.sync import PENDING, QUARANTINED, Outbox, SyncKey, SyncState
from counterdesk.store.outbox import now_iso

# sync_state keys
WORKSTATION_ID, DEVICE_ID, BRANCH_CODE, HUB_URL, CURSOR, LAST_SYNC_AT, CLOCK_OFFSET, MASTER_SINCE, NAME = (
    "workstation_id", "device_id", "branch_code", "hub_url", "cursor", "last_sync_at", "clock_offset",
    "master_since", "name")
DEVICE_REFUSED = "device_refused"  # {"code": "device_revoked"|"device_unknown", "at": ISO} once the hub refused us
HUB_CA_PEM = "hub_ca_pem"  # PEM of the CA that signed the hub's certificate (None: the system's trust store)
# sync_keys names
DEVICE_KEY, BRANCH_KEY, HEAD_OFFICE_KEY = "device_signing", "branch", "head_office"


def get(db: Session, key: str, default: Any = None) -> Any:
    row = db.get(SyncState, key)
    return json.loads(row.value) if row is not None else default


def put(db: Session, key: str, value: Any) -> None:
    row = db.get(SyncState, key)
    if row is None:
        row = SyncState(key=key, value="null", updated_at=now_iso())
        db.add(row)
    row.value, row.updated_at = json.dumps(value), now_iso()


def all_state(db: Session) -> dict[str, Any]:
    return {r.key: json.loads(r.value) for r in db.scalars(select(SyncState))}


def get_key(db: Session, name: str) -> SyncKey | None:
    return db.get(SyncKey, name)


def put_key(db: Session, name: str, material: bytes, key_id: str | None = None) -> None:
    row = db.get(SyncKey, name)
    if row is None:
        row = SyncKey(name=name, material=b"", created_at=now_iso())
        db.add(row)
    row.material, row.key_id, row.created_at = material, key_id, now_iso()


def counts(db: Session) -> tuple[int, int]:
    """(pending, quarantined) outbox records."""
    rows = dict(db.execute(select(Outbox.state, func.count()).where(Outbox.state.in_((PENDING, QUARANTINED)))
                                .group_by(Outbox.state)).all())
    return rows.get(PENDING, 0), rows.get(QUARANTINED, 0)


def delivery(db: Session, key: str, value: str) -> tuple[int, int] | None:
    """(records about ``key`` = ``value`` not yet at the hub, records at the hub), or None when
    stand-alone: what a screen shows next to a sale (signoff_id), an approval request (request_id)
    or a customer (customer_id). ``key`` is one of the allow-listed meta keys."""
    if not enrolled(db):
        return None
    needle = f'%"{key}":"{value}"%'
    rows = dict(db.execute(select(Outbox.state, func.count()).where(Outbox.meta.like(needle))
                                .group_by(Outbox.state)).all())
    unsent = sum(n for st, n in rows.items() if st != "sent")
    return unsent, rows.get("sent", 0)


def delivery_of_signoff(db: Session, signoff_id: str) -> tuple[int, int] | None:
    return delivery(db, "signoff_id", signoff_id)


def enrolled(db: Session) -> bool:
    return get(db, DEVICE_ID) is not None and get_key(db, BRANCH_KEY) is not None
