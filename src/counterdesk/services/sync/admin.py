"""Administrator actions on a workstation's sync shared by the command line and the sync page:
checking the hub's CA file, sending refused records again (audited), and listing conflicts for a
role that may not see customer data."""
from __future__ import annotations

from pathlib import Path

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sync.client import SyncClient, tls_verify
from counterdesk.services.sync.conflicts import ConflictInfo
from counterdesk.store import audit
from counterdesk.store.models.sync import Inbox, SyncConflict

BAD_CA = Text("无法读取 CA 证书文件（须为 PEM 格式）：{path}",
              "Cannot read the CA certificate file (PEM expected): {path}")


def check_ca(path: str | Path) -> str:
    """The CA file as ``enrol`` takes it, after checking that it holds a PEM certificate."""
    try:
        data = Path(path).read_bytes()
        if not x509.load_pem_x509_certificates(data):
            raise ValueError("no certificate")
        data.decode("ascii")
    except (OSError, ValueError):
        raise CounterDeskError(BAD_CA.format(path=path), code="bad_ca") from None
    return str(path)


def requeue(vault: Vault, us, record_ids: list[str] | None, errors: dict[str, str | None]) -> int:
    """Quarantined records (``errors``: id → the hub's refusal) back to pending, all of them with
    None; each requeue is audited."""

    ids = [i for i in (record_ids if record_ids is not None else list(errors)) if i in errors]
    if not ids:
        return 0
    client = SyncClient(vault, us, verify=tls_verify(vault))
    try:
        n = client.requeue_quarantined(ids)
    finally:
        client.close()

    def audited(db: Session) -> None:
        for record_id in ids:
            audit.append(db, us.actor, "sync.requeued", "sync_record", record_id,
                         {"error": errors.get(record_id)})
    vault.transact(audited)
    return n


def conflicts_without_content(vault: Vault, include_resolved: bool = False) -> list[ConflictInfo]:
    """Conflicts for a user who may not view customers: which records, never what differs."""
    def read(db: Session) -> list[ConflictInfo]:
        q = select(SyncConflict).order_by(SyncConflict.detected_at)
        if not include_resolved:
            q = q.where(SyncConflict.resolved_at.is_(None))
        return [ConflictInfo(r.id, r.kind, r.object_id, r.base_version, r.local_version, None,
                             r.remote_workstation_id, (), r.detail, r.detected_at, r.resolved_at, r.resolution,
                             db.scalar(select(Inbox.type).where(Inbox.id == r.remote_record_id)) or "")
                for r in db.scalars(q)]
    return vault.transact(read)
