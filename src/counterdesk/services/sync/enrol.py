"""Enrolling this workstation with the hub, and codes for further workstations of the branch.

The first workstation of a branch enrols with a code made on the hub and creates the branch key;
it tells the hub the key's id (never the key). Every further workstation enrols with a code that an
administrator on an enrolled workstation asked for (``make_enrol_code``): that workstation picks the
code, and sends the hub only SHA-256(code) and the branch key wrapped under HKDF-SHA256(code). The
new workstation unwraps the key with the code. Keys are stored in ``sync_keys`` inside the SQLCipher
database, in the same transaction as the rest of the enrolment state.

The code is taken as its 16 raw bytes (the 32 hex characters decoded) for both SHA-256 and HKDF.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import ssl
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.text import Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sync import envelope, state
from counterdesk.services.sync.client import HubRefused, HubUnreachable, SyncClient, SyncError, parse_hub_time
from counterdesk.store import audit
from counterdesk.store.models.sync import PENDING, Outbox
from counterdesk.store.outbox import backfill, rederive_pending_ids

ENROL_PERMISSION = "settings.manage"


@dataclass(frozen=True)
class Enrolment:
    device_id: str
    workstation_id: str
    branch_code: str
    first_in_branch: bool                 # this workstation created the branch key
    branch_key_id: str
    head_office_fingerprint: str | None   # for the administrator to compare with head office's


@dataclass(frozen=True)
class EnrolCode:
    code: str            # 32 hex characters, shown once to the administrator
    branch_code: str
    expires_at: str


def _normalise_code(code: str) -> str:
    text = "".join(ch for ch in str(code) if ch not in " -").lower()
    if len(text) != 32 or any(ch not in "0123456789abcdef" for ch in text):
        raise SyncError(Text("注册码须为 32 位十六进制字符。", "An enrolment code is 32 hexadecimal characters."),
                        code="enrol_code_format")
    return text


BAD_URL = Text("同步服务器地址须以 https:// 开头（测试环境可用 http://）。",
               "The hub address must start with https:// (http:// on a test bench only): {url}")


def checked_hub_url(hub_url: str) -> str:
    """The hub's address without surrounding blanks or a trailing slash; anything but an http(s)
    address is refused before a request is made (httpx would otherwise fail with an opaque error)."""
    hub = hub_url.strip().rstrip("/")
    if not hub.lower().startswith(("https://", "http://")):
        raise SyncError(BAD_URL.format(url=hub[:200]), code="bad_hub_url")
    return hub


def enrol(vault: Vault, us: SignedInUser, hub_url: str, code: str, name: str | None = None,
          branch_code: str | None = None, verify: str | bool = True, transport: httpx.BaseTransport | None = None,
          again: bool = False) -> Enrolment:
    """Enrol this workstation (an administrator's action); returns what to show them. An enrolled
    workstation enrols again (new device key, e.g. after it was revoked) only with ``again=True``."""
    require(us.role, ENROL_PERMISSION)
    if not again and vault.transact(state.enrolled):
        raise SyncError(Text("本工作站已加入同步。", "This workstation is already enrolled."), code="already_enrolled")

    hub = checked_hub_url(hub_url)
    code = _normalise_code(code)
    branch = (branch_code or vault.info.branch_code).strip()
    name = (name or vault.info.workstation or "workstation")[:100]
    device_key = Ed25519PrivateKey.generate()
    public = device_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    workstation_id = str(uuid.uuid4())
    candidate = envelope.new_branch_key()
    if again:
        # Enrolling again (e.g. after the device was revoked): offer the branch key this workstation
        # still holds, so a code made on the hub (which carries no key) re-enrols it for that key.
        def held_key(db: Session) -> bytes | None:
            row = state.get_key(db, state.BRANCH_KEY)
            return bytes(row.material) if row is not None else None
        candidate = vault.transact(held_key) or candidate
    body = {"branch_code": branch, "code": code, "workstation_id": workstation_id, "name": name,
            "sign_public_key": base64.b64encode(public).decode("ascii")}
    trust = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
    with httpx.Client(base_url=hub, verify=trust, transport=transport, timeout=30.0) as http:
        def post(payload):
            try:
                return http.post("/v1/enrol", json=payload)
            except httpx.HTTPError as exc:
                raise HubUnreachable(Text("无法连接同步服务器。", "The sync hub cannot be reached."),
                                     detail=f"{type(exc).__name__}: {exc}") from exc
        # Offer our key id first: it becomes the branch's key if we are its first workstation. If the
        # branch has a key already the hub says so without using the code, and we enrol for its key.
        resp = post({**body, "branch_key_id": envelope.key_id(candidate)})
        if resp.status_code == 409 and _code_of(resp) == "branch_key_mismatch":
            resp = post(body)
    if resp.status_code != 201:
        raise HubRefused(resp.status_code, _code_of(resp), _detail_of(resp))
    data = resp.json()
    wrapped = data.get("wrapped_branch_key")
    if wrapped:
        try:
            branch_key = envelope.unwrap_branch_key(code, base64.b64decode(wrapped))
        except (envelope.EnvelopeError, ValueError) as exc:
            raise SyncError(Text("无法用该注册码解开网点密钥。", "The branch key does not open with this code."),
                            code="branch_key_unwrap", detail=str(exc)) from exc
        first = False
    else:
        branch_key, first = candidate, True
    ho = data.get("head_office_public_key")
    ho_key = base64.b64decode(ho) if ho else None
    fingerprint = hashlib.sha256(ho_key).hexdigest() if ho_key else None
    key_id = envelope.key_id(branch_key)
    device_id = str(data["device_id"])
    server_time = data.get("server_time")
    offset = 0.0
    if server_time:
        offset = round(parse_hub_time(server_time) - time.time(), 3)
    private = device_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    # The hub's CA (a demo or private CA): kept with the sync state so the background sync trusts
    # exactly the certificate the administrator gave at enrolment.
    ca_pem = None
    if isinstance(verify, str) and verify:
        ca_pem = Path(verify).read_text(encoding="ascii")

    def write(db: Session) -> None:
        state.put_key(db, state.DEVICE_KEY, private, device_id)
        state.put_key(db, state.BRANCH_KEY, branch_key, key_id)
        if ho_key is not None:
            state.put_key(db, state.HEAD_OFFICE_KEY, ho_key, fingerprint)
        for key, value in ((state.WORKSTATION_ID, workstation_id), (state.DEVICE_ID, device_id),
                           (state.BRANCH_CODE, data.get("branch_code") or branch), (state.HUB_URL, hub),
                           (state.NAME, name), (state.CURSOR, 0), (state.CLOCK_OFFSET, offset),
                           (state.MASTER_SINCE, 0), (state.HUB_CA_PEM, ca_pem), (state.DEVICE_REFUSED, None)):
            state.put(db, key, value)
        db.flush()
        added = backfill(db)  # history from before this installation had sync
        # Records sealed for an earlier enrolment under another key are sealed again at the next push.
        for row in db.scalars(select(Outbox).where(Outbox.state == PENDING, Outbox.envelope.is_not(None),
                                                        Outbox.key_id != key_id)):
            row.envelope, row.key_id, row.workstation_id = None, None, None
        db.flush()
        rederive_pending_ids(db, workstation_id)
        audit.append(db, us.actor, "sync.enrolled", "device", device_id,
                     {"branch": branch, "key_id": key_id, "fingerprint": fingerprint, "records": added})
    vault.transact(write)
    return Enrolment(device_id, workstation_id, data.get("branch_code") or branch, first, key_id, fingerprint)


def _code_of(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("error") or f"http_{resp.status_code}")
    except ValueError:
        return f"http_{resp.status_code}"


def _detail_of(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("detail") or "")
    except ValueError:
        return resp.text[:200]


def make_enrol_code(vault: Vault, us: SignedInUser, client: SyncClient | None = None, expires_in_s: int = 24 * 3600,
                    verify: str | bool = True, transport: httpx.BaseTransport | None = None) -> EnrolCode:
    """An administrator on this (enrolled) workstation asks the hub for a code for a further workstation
    of the branch. Returns the code to pass on (once); the hub keeps only its hash and the wrapped key."""
    require(us.role, ENROL_PERMISSION)
    own = client is None
    client = client or SyncClient(vault, us, verify=verify, transport=transport)
    try:
        creds = client.credentials()
        code = secrets.token_bytes(16).hex()
        wrapped = envelope.wrap_branch_key(code, creds.branch_key)
        payload = {"code_sha256": hashlib.sha256(bytes.fromhex(code)).hexdigest(),
                   "wrapped_branch_key": base64.b64encode(wrapped).decode("ascii"), "expires_in_s": int(expires_in_s)}
        resp = client.signed("POST", "/v1/enrol-codes", payload=payload)
        if resp.status_code != 201:
            raise HubRefused(resp.status_code, _code_of(resp), _detail_of(resp))
        data = resp.json()
    finally:
        if own:
            client.close()
    vault.record(us, "sync.enrol_code_issued", "branch", creds.branch_code, {"branch": creds.branch_code})
    return EnrolCode(code, data.get("branch_code") or creds.branch_code, data.get("expires_at", ""))
