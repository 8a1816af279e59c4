"""Replacing a branch's key when every workstation of the branch is lost (docs/branch-key-replacement.md).

The branch key exists only on the branch's workstations; the hub holds the records sealed under it and
never the key. When every workstation is gone, nobody can make an enrolment code that carries the key,
and a code made on the hub only re-enrols a workstation that still holds it. ``rekey_branch`` lets the
branch start again under a new key, in one transaction:

* every device of the branch is revoked (a lost workstation's signed requests are refused from now on);
* every enrolment code of the branch not used yet is voided (a code made by a lost workstation carries
  the old key);
* the branch's key id becomes ``PENDING`` until a first workstation enrols and creates a new key (a push
  under the old key is refused ``wrong_key`` meanwhile, even one that was in flight);
* the records under the old key stay as they are (the hub cannot re-encrypt what it cannot read), but
  ``key_floor_seq`` keeps pulls from ever returning them to the new workstations.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from counterdesk.hub.clock import utcnow
from counterdesk.hub.errors import HubError
from counterdesk.hub.models import Branch, Checkpoint, Device, EnrolCode, Record

# The branch key id between a rekey and the next first enrolment (never a real id: those are bk1-…).
PENDING = "rekey-pending"


@dataclass(frozen=True)
class Rekeyed:
    branch: str
    retired_key_id: str | None
    devices_revoked: list[tuple[str, str]]   # (device id, name)
    codes_voided: int
    floor_seq: int                          # records of the branch up to this seq stay sealed, never pulled
    records_sealed: int                     # records at the hub under a key no workstation holds
    checkpoints: int                        # chain checkpoints of the lost workstations (hashes, no content)
    at: datetime


def current_key(branch: Branch) -> str | None:
    """The branch's key id as enrolment and pushes see it (None while a rekey waits for a workstation)."""
    return None if branch.key_id == PENDING else branch.key_id


def rekey_branch(db: Session, code: str) -> Rekeyed:
    branch = db.execute(select(Branch).where(Branch.code == code).with_for_update()).scalar_one_or_none()
    if branch is None:
        raise HubError(404, "branch_unknown", f"no branch {code}")
    if branch.key_id is None or branch.key_id == PENDING:
        raise HubError(409, "branch_has_no_key", f"branch {code} has no branch key to replace; enrol its first "
                                                 "workstation with `counterdesk-hub enrol-code`")
    now = utcnow()
    devices = list(db.scalars(select(Device).where(Device.branch == code, Device.revoked_at.is_(None))
                              .order_by(Device.enrolled_at)))
    for device in devices:
        device.revoked_at = now
    # Session.execute is typed as returning a Result; an UPDATE without RETURNING gives a CursorResult.
    voided = cast(CursorResult[Any], db.execute(
        update(EnrolCode).where(EnrolCode.branch == code, EnrolCode.used_at.is_(None), EnrolCode.expires_at > now)
        .values(expires_at=now))).rowcount
    floor = db.scalar(select(func.max(Record.seq)).where(Record.branch == code)) or 0
    sealed = db.scalar(select(func.count()).select_from(Record).where(Record.branch == code)) or 0
    checkpoints = db.scalar(select(func.count()).select_from(Checkpoint).where(Checkpoint.branch == code)) or 0
    retired = branch.key_id
    branch.retired_key_id, branch.rekeyed_at, branch.key_id = retired, now, PENDING
    branch.key_floor_seq = max(floor, branch.key_floor_seq or 0)
    db.flush()
    return Rekeyed(code, retired, [(str(d.id), d.name) for d in devices], int(voided or 0), int(branch.key_floor_seq),
                   int(sealed), int(checkpoints), now)
