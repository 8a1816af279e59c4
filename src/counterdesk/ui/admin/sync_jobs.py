"""The worker side of the sync page (Qt-free): what its parts run off the UI thread. Every rule is in
counterdesk.services.sync; these only gather what the page shows and pass the user's input on."""
from __future__ import annotations

from dataclasses import dataclass, field

from counterdesk.base.roles import can
from counterdesk.services.sync import state
from counterdesk.services.sync.admin import check_ca as checked
from counterdesk.services.sync.admin import conflicts_without_content, requeue
from counterdesk.services.sync.client import SyncClient, quarantined, status, tls_verify
from counterdesk.services.sync.conflicts import list_conflicts, resolve
from counterdesk.services.sync.enrol import enrol, make_enrol_code


@dataclass(frozen=True)
class SyncView:
    """What the page shows, read in one go on a worker thread."""
    enrolled: bool
    hub_url: str = ""
    branch_code: str = ""
    name: str = ""
    device_id: str = ""
    fingerprint: str | None = None      # SHA-256 of the pinned head-office key, None: none pinned
    ca_pinned: bool = False             # a CA certificate was given at enrolment
    last_sync_at: str | None = None
    pending: int = 0
    quarantined: list = field(default_factory=list)   # counterdesk.services.sync.client.quarantined() rows
    conflicts: list = field(default_factory=list)     # counterdesk.services.sync.conflicts.ConflictInfo
    conflict_content: bool = False      # changed fields shown (the user may view customers)
    revoked: str | None = None          # the hub refused this device at its last signed request (its code)
    revoked_at: str | None = None


def load_sync(vault, user) -> SyncView:

    def read(db):
        values = state.all_state(db)
        key = state.get_key(db, state.HEAD_OFFICE_KEY)
        return state.enrolled(db), values, (key.key_id if key is not None else None)
    enrolled, values, fingerprint = vault.transact(read)
    current = status(vault)
    rows = quarantined(vault)
    content = can(user.role, "customer.view")
    if content:
        found = list_conflicts(vault, user)
    else:
        found = open_conflicts_without_content(vault)
    return SyncView(enrolled, str(values.get(state.HUB_URL) or ""), str(values.get(state.BRANCH_CODE) or ""),
                    str(values.get(state.NAME) or ""), str(values.get(state.DEVICE_ID) or ""), fingerprint,
                    bool(values.get(state.HUB_CA_PEM)), current.last_sync_at, current.pending_count, rows, found,
                    content, current.revoked, current.revoked_at)


def open_conflicts_without_content(vault) -> list:
    """Open conflicts for a user who may not view customers (see counterdesk.services.sync.admin)."""
    return conflicts_without_content(vault)


def check_ca(path: str) -> str:
    return checked(path)


def enrol_workstation(vault, user, hub: str, code: str, ca: str, name: str, branch: str):
    verify = check_ca(ca.strip()) if ca.strip() else True
    return enrol(vault, user, hub, code, name=name.strip() or None, branch_code=branch.strip() or None,
                 verify=verify)


def sync_now(vault, user):
    """One full sync: push, pull, then head-office master data (applied with an administrator)."""

    client = SyncClient(vault, user, verify=tls_verify(vault))
    try:
        pushed, pulled = client.sync_once()
        master = client.pull_master()
    finally:
        client.close()
    return pushed, pulled, master


def next_code(vault, user, hours: int):

    return make_enrol_code(vault, user, verify=tls_verify(vault), expires_in_s=int(hours) * 3600)


def send_again(vault, user, record_ids: list[str] | None) -> int:
    """Quarantined records back to pending (all of them with None), audited (counterdesk.services.sync.admin)."""
    return requeue(vault, user, record_ids, {r["id"]: r["error"] for r in quarantined(vault)})


def resolve_conflict(vault, user, conflict_id: str, keep: str):

    return resolve(vault, user, conflict_id, keep)
