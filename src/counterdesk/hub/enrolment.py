"""Enrolment codes and devices: the first workstation's code from the hub admin, later ones from an
enrolled workstation; enrolling a device with a code; listing and revoking devices."""
from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from counterdesk.hub.auth import SignedDevice
from counterdesk.hub.branches import get_branch
from counterdesk.hub.clock import utcnow
from counterdesk.hub.errors import ENROL_CODE_INVALID, HubError
from counterdesk.hub.models import Branch, Device, EnrolCode, HeadOfficeKey
from counterdesk.hub.rekey import PENDING, current_key
from counterdesk.hub.schemas import EnrolCodeIn, EnrolIn
from counterdesk.protocol.signing import code_sha256


@dataclass(frozen=True)
class Enrolled:
    device_id: uuid.UUID
    branch_code: str
    wrapped_branch_key: bytes | None
    head_office_public_key: bytes | None


def new_first_code(db: Session, branch_code: str, hours: float = 24) -> tuple[str, datetime]:
    """A one-time code (32 hex) for a branch's first workstation, made on the hub; only its hash is kept."""
    get_branch(db, branch_code)
    if not 0 < hours <= 24 * 30:
        raise HubError(400, "expiry_invalid", "a code is valid for more than 0 and at most 720 hours")
    code = secrets.token_bytes(16).hex()
    now = utcnow()
    expires_at = now + timedelta(hours=hours)
    db.add(EnrolCode(code_sha256=code_sha256(code), branch=branch_code, wrapped_branch_key=None,
                          created_at=now, created_by_device=None, expires_at=expires_at))
    return code, expires_at


def register_code(db: Session, device: SignedDevice, body: EnrolCodeIn) -> datetime:
    """Store a code an enrolled workstation picked for a further workstation of its branch."""
    if db.get(EnrolCode, body.code_sha256) is not None:
        raise HubError(409, "conflict", "this code is already registered; pick another")
    now = utcnow()
    expires_at = now + timedelta(seconds=body.expires_in_s)
    db.add(EnrolCode(code_sha256=body.code_sha256, branch=device.branch,
                          wrapped_branch_key=base64.b64decode(body.wrapped_branch_key), created_at=now,
                          created_by_device=device.id, expires_at=expires_at))
    return expires_at


def enrol(db: Session, body: EnrolIn) -> Enrolled:
    """Use a code once and enrol a device; unknown, used, expired or other-branch codes look the same."""
    now = utcnow()
    digest = code_sha256(body.code)
    code = db.get(EnrolCode, digest)
    if code is None or code.branch != body.branch_code or code.used_at is not None or code.expires_at <= now:
        raise HubError(403, "enrol_code_invalid", ENROL_CODE_INVALID)
    branch = db.execute(select(Branch).where(Branch.code == code.branch).with_for_update()).scalar_one()
    # A code without a wrapped key hands over no branch key: once the branch has one, such a code
    # only serves a workstation that already holds that key (and says so).
    keyless_code = code.wrapped_branch_key is None
    key_id = current_key(branch)  # None as well after `branch rekey`, until the next first workstation
    if key_id is not None and (body.branch_key_id is not None or keyless_code) and body.branch_key_id != key_id:
        raise HubError(409, "branch_key_mismatch",
                       "the branch already has another branch key; ask an enrolled workstation of the "
                       "branch for an enrolment code instead (the code was not used)")
    if branch.key_id != key_id and body.branch_key_id is None:
        raise HubError(409, "branch_key_mismatch",
                       "the branch's key was replaced (`counterdesk-hub branch rekey`): the workstation enrols "
                       "with a new branch key id (the code was not used)")
    if key_id is None and body.branch_key_id is not None:
        if branch.key_id == PENDING and body.branch_key_id == branch.retired_key_id:
            raise HubError(409, "branch_key_retired",
                           "this branch key was retired (`counterdesk-hub branch rekey`); the workstation must "
                           "create a new one (the code was not used)")
        branch.key_id = body.branch_key_id
    device = Device(id=uuid.uuid4(), branch=branch.code, workstation_id=body.workstation_id, name=body.name,
                    sign_public_key=base64.b64decode(body.sign_public_key), enrolled_at=now)
    db.add(device)
    db.flush()
    # Session.execute is typed as returning a Result; an UPDATE without RETURNING gives a CursorResult.
    used = cast(CursorResult[Any], db.execute(
        update(EnrolCode).where(EnrolCode.code_sha256 == digest, EnrolCode.used_at.is_(None))
        .values(used_at=now, used_by_device=device.id)))
    if used.rowcount != 1:  # another enrolment used it a moment ago
        raise HubError(403, "enrol_code_invalid", ENROL_CODE_INVALID)
    ho = db.get(HeadOfficeKey, 1)
    return Enrolled(device.id, branch.code, code.wrapped_branch_key, ho.public_key if ho else None)


def list_devices(db: Session, branch_code: str) -> list[Device]:
    get_branch(db, branch_code)
    return list(db.execute(select(Device).where(Device.branch == branch_code)
                                .order_by(Device.enrolled_at)).scalars())


def revoke_device(db: Session, device_id: str) -> Device:
    try:
        key = uuid.UUID(device_id)
    except ValueError:
        raise HubError(400, "device_id_invalid", f"not a device id: {device_id}") from None
    device = db.get(Device, key)
    if device is None:
        raise HubError(404, "device_unknown", f"no device {device_id}")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    return device
