"""Branches: created by the hub admin; the branch key id is learnt from the workstations."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from counterdesk.hub.clock import utcnow
from counterdesk.hub.errors import HubError
from counterdesk.hub.models import Branch, Device

BRANCH_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(frozen=True)
class BranchInfo:
    code: str
    name: str
    key_id: str | None
    created_at: datetime
    devices: int


def add_branch(db: Session, code: str, name: str) -> Branch:
    if not BRANCH_CODE.match(code):
        raise HubError(400, "branch_code_invalid", "a branch code is 1-32 letters, digits, '_' or '-'")
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise HubError(400, "branch_name_invalid", "a branch name is 1-200 characters")
    if db.get(Branch, code) is not None:
        raise HubError(409, "branch_exists", f"branch {code} already exists")
    # The columns every schema revision has (a hub on an older schema, as the upgrade tests run it, adds
    # branches too); the ORM would name the later ones (rekey, hub migration 0006) as well.
    db.execute(insert(Branch).values(code=code, name=name, key_id=None, created_at=utcnow()))
    branch = db.get(Branch, code)
    assert branch is not None  # inserted just now
    return branch


def get_branch(db: Session, code: str) -> Branch:
    branch = db.get(Branch, code)
    if branch is None:
        raise HubError(404, "branch_unknown", f"no branch {code}")
    return branch


def list_branches(db: Session) -> list[BranchInfo]:
    active = (select(Device.branch, func.count().label("n")).where(Device.revoked_at.is_(None))
              .group_by(Device.branch).subquery())
    rows = db.execute(select(Branch, active.c.n).outerjoin(active, active.c.branch == Branch.code)
                           .order_by(Branch.code)).all()
    return [BranchInfo(b.code, b.name, b.key_id, b.created_at, n or 0) for b, n in rows]
