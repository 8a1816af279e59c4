"""Talking to the hub: push the outbox, pull and apply the branch's records, long-poll, master data.

``SyncClient`` does one step per call and never sleeps; ``SyncWorker`` runs the loop (push, pull,
wait) in a background thread with exponential backoff on network errors. Every request is signed
(docs/sync-protocol.md, "Signed requests"); a ``401 clock_skew`` sets the clock offset from
``X-CD-Server-Time`` and the request is signed again once. The database work runs through
``vault.transact`` (the single writer thread); HTTP runs on the caller's thread.
"""
from __future__ import annotations

import base64
import json
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import Actor, SignedInUser
from counterdesk.base.checks import CheckResult
from counterdesk.base.roles import can
from counterdesk.base.settings import ANCHOR_INTERVAL_SECONDS
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.protocol.signing import sign_request, verify_master_item
from counterdesk.services.anchoring import check, checkpoints
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation import timestamps
from counterdesk.services.sync import apply, envelope, prune, state, tags
from counterdesk.services.sync.apply import meta_matches
from counterdesk.store import audit, outbox
from counterdesk.store.models.sync import PENDING, QUARANTINED, SENT, Inbox, Outbox, SyncMaster
from counterdesk.store.outbox import now_iso

log = logging.getLogger(__name__)

MAX_BATCH = 500
PRUNE_BATCHES_PER_ROUND = 4
MAX_PULL = 500
MAX_WAIT_S = 30
MAX_ENVELOPE_BYTES = 256 * 1024        # the hub's limit per record
MAX_BATCH_BYTES = 12 * 1024 * 1024     # below the hub's 16 MiB request limit
H_SERVER_TIME = "X-CD-Server-Time"
REVOKED_CODES = ("device_revoked", "device_unknown")


class SyncError(CounterDeskError):
    code = "sync"


class HubUnreachable(SyncError):
    """The hub could not be reached (network, TLS, timeout): try again later."""

    code = "hub_unreachable"


class HubRefused(SyncError):
    """The hub answered with an error (``code`` is its error code, ``status`` the HTTP status)."""

    def __init__(self, status: int, code: str, detail: str = ""):
        super().__init__(Text(f"同步服务器拒绝了请求（{code}）。", f"The sync hub refused the request ({code})."),
                         code=code, detail=detail)
        self.status = status


NOT_ENROLLED = Text("本工作站尚未加入同步。", "This workstation is not enrolled for sync.")


# ---- results ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PushResult:
    sent: int = 0            # accepted now
    duplicate: int = 0       # the hub had them already (a re-sent batch)
    rejected: int = 0        # quarantined here
    pending: int = 0         # still waiting after this batch


@dataclass(frozen=True)
class PullResult:
    received: int = 0
    applied: int = 0
    conflicts: int = 0
    failed: int = 0          # kept in the inbox, retried on the next pull
    cursor: int = 0
    more: bool = False


@dataclass(frozen=True)
class MasterResult:
    applied: list[tuple[str, int]] = field(default_factory=list)   # (kind, version)
    stored: list[tuple[str, int]] = field(default_factory=list)    # verified, not applied (questionnaire, no admin)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, version, why)


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    last_sync_at: str | None
    pending_count: int
    quarantined_count: int
    # The hub refused this device (``device_revoked`` or ``device_unknown``) at its last signed request:
    # nothing syncs until it is enrolled again. Never "online" then.
    revoked: str | None = None
    revoked_at: str | None = None


# ---- backoff --------------------------------------------------------------------------------------------------

class Backoff:
    """Exponential backoff with jitter: attempt n waits a random time in [d·(1-jitter), d] with
    d = min(cap, base·factor^n). ``sleep`` and ``rng`` are injectable (tests do not sleep)."""

    def __init__(self, base: float = 1.0, cap: float = 300.0, factor: float = 2.0, jitter: float = 0.5,
                 rng: random.Random | None = None, sleep: Callable[[float], Any] = time.sleep):
        if not (base > 0 and cap >= base and factor >= 1 and 0 <= jitter <= 1):
            raise ValueError("invalid backoff parameters")
        self.base, self.cap, self.factor, self.jitter = base, cap, factor, jitter
        self.rng = rng or random.Random()
        self.sleep = sleep
        self.attempts = 0

    def ceiling(self, attempt: int) -> float:
        return min(self.cap, self.base * self.factor ** min(attempt, 64))

    def next_delay(self) -> float:
        top = self.ceiling(self.attempts)
        self.attempts += 1
        return top * (1 - self.jitter * self.rng.random())

    def wait(self) -> float:
        delay = self.next_delay()
        self.sleep(delay)
        return delay

    def reset(self) -> None:
        self.attempts = 0


# ---- the client ----------------------------------------------------------------------------------------------

@dataclass
class Credentials:
    """What this enrolled workstation signs and seals with, read once from the store."""
    device_id: str
    workstation_id: str
    branch_code: str
    signing_key: Any        # Ed25519PrivateKey
    branch_key: bytes
    branch_key_id: str
    head_office_key: bytes | None


def parse_hub_time(text: str) -> float:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _error_code(resp: httpx.Response) -> tuple[str, str]:
    try:
        data = resp.json()
        return str(data.get("error") or f"http_{resp.status_code}"), str(data.get("detail") or "")
    except ValueError:
        return f"http_{resp.status_code}", resp.text[:200]


class SyncClient:
    """One workstation's connection to the hub.

    ``us`` is the signed-in user on whose behalf sync runs (None: the system). Master data is applied
    only when that user may manage it (an administrator); otherwise it is verified and kept for later.
    ``verify`` is the hub's CA bundle path, an SSL context (``tls_verify``) or True; ``transport`` replaces
    the network (tests); ``clock`` is this workstation's clock in unix seconds. With ``anchoring`` each
    successful push is followed by checkpoints of the chains (services.anchoring), at most every
    ``anchoring.interval_seconds``; ``anchor()`` sends them at once.
    """

    def __init__(self, vault: Vault, us: SignedInUser | None = None, hub_url: str | None = None,
                 verify: ssl.SSLContext | str | bool = True, transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.time, timeout: float = 30.0, anchoring: bool = True):
        self.vault = vault
        self.anchoring = anchoring
        self._anchored_at: float | None = None
        self.last_anchor: checkpoints.AnchorResult | None = None
        self.us = us
        self.clock = clock
        self._offset: float | None = None
        self._creds: Credentials | None = None
        self._online = False
        self._standing: dict | None = None   # the stored DEVICE_REFUSED value once read ({}: none)
        self._lock = threading.Lock()
        self._push_lock = threading.Lock()
        stored_url = vault.transact(lambda s: state.get(s, state.HUB_URL))
        self.hub_url = (hub_url or stored_url or "").rstrip("/")
        if not self.hub_url:
            raise SyncError(Text("未设置同步服务器地址。", "No sync hub address is set."), code="no_hub_url")
        self.timeout = timeout
        self.http = httpx.Client(base_url=self.hub_url, verify=verify, transport=transport, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    @property
    def online(self) -> bool:
        """Whether the last request reached the hub (no I/O: safe to ask from the UI thread)."""
        return self._online

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- actor for audit entries --
    @property
    def actor(self) -> Actor:
        return self.us.actor if self.us else Actor(None, "sync", self.vault.info.workstation)

    # -- credentials --
    def credentials(self) -> Credentials:
        if self._creds is not None:
            return self._creds

        def read(db: Session):
            values = state.all_state(db)
            keys = {n: state.get_key(db, n) for n in (state.DEVICE_KEY, state.BRANCH_KEY, state.HEAD_OFFICE_KEY)}
            return values, {n: (k.material, k.key_id) if k else None for n, k in keys.items()}
        values, keys = self.vault.transact(read)
        if not values.get(state.DEVICE_ID) or keys[state.DEVICE_KEY] is None or keys[state.BRANCH_KEY] is None:
            raise SyncError(NOT_ENROLLED, code="not_enrolled")
        branch_key, branch_key_id = keys[state.BRANCH_KEY]
        self._offset = float(values.get(state.CLOCK_OFFSET) or 0.0) if self._offset is None else self._offset
        self._creds = Credentials(values[state.DEVICE_ID], values[state.WORKSTATION_ID], values[state.BRANCH_CODE],
                             Ed25519PrivateKey.from_private_bytes(keys[state.DEVICE_KEY][0]), branch_key,
                             branch_key_id or envelope.key_id(branch_key),
                             keys[state.HEAD_OFFICE_KEY][0] if keys[state.HEAD_OFFICE_KEY] else None)
        return self._creds

    @property
    def clock_offset(self) -> float:
        return self._offset or 0.0

    def hub_now(self) -> float:
        return self.clock() + self.clock_offset

    # -- HTTP --
    def _send(self, method: str, path: str, query: str = "", body: bytes = b"", headers: dict | None = None,
              timeout: float | None = None) -> httpx.Response:
        target = f"{path}?{query}" if query else path
        try:
            resp = self.http.request(method, target, content=body or None, headers=headers or {},
                                     timeout=timeout or self.timeout)
        except httpx.HTTPError as exc:  # transport errors, timeouts, TLS
            self._online = False
            raise HubUnreachable(Text("无法连接同步服务器，稍后自动重试。", "The sync hub cannot be reached; "
                                      "sync will retry."), detail=f"{type(exc).__name__}: {exc}") from exc
        self._online = True
        return resp

    def signed(self, method: str, path: str, query: str = "", payload: Any = None,
               timeout: float | None = None) -> httpx.Response:
        """A signed request; on ``clock_skew`` the offset is corrected and the request signed again once."""
        creds = self.credentials()
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        for attempt in (0, 1):
            headers = sign_request(creds.signing_key, method, path, query, body, now=self.hub_now(),
                                   device_id=creds.device_id)
            if body:
                headers["Content-Type"] = "application/json"
            resp = self._send(method, path, query, body, headers, timeout)
            code = _error_code(resp)[0] if resp.status_code == 401 else None
            if code == "clock_skew" and attempt == 0:
                server = resp.headers.get(H_SERVER_TIME)
                if server:
                    self._set_offset(parse_hub_time(server) - self.clock())
                    continue
            self._note_standing(code if code in REVOKED_CODES else None, resp.status_code)
            return resp
        return resp  # pragma: no cover

    def _note_standing(self, refused: str | None, status_code: int) -> None:
        """Remember (in the store, for every status reader) that the hub refused this device, and
        forget it once a signed request passes again. Written only when it changes."""
        if refused is None and not 200 <= status_code < 300:
            return  # another refusal (signature, nonce, 5xx) says nothing about the device's standing
        if self._standing is None:
            self._standing = self.vault.transact(lambda s: state.get(s, state.DEVICE_REFUSED)) or {}
        if (self._standing or {}).get("code") == refused or (refused is None and not self._standing):
            return
        value = {"code": refused, "at": now_iso()} if refused else None
        self.vault.transact(lambda s: state.put(s, state.DEVICE_REFUSED, value))
        self._standing = value or {}
        if refused:
            log.warning("sync: the hub refuses this device (%s); enrol it again", refused)

    @property
    def revoked(self) -> bool:
        """Whether the hub refused this device at its last signed request (no I/O once known)."""
        return bool(self._standing and self._standing.get("code"))

    def check_device(self) -> str | None:
        """Ask the hub whether it still accepts this device (a signed long poll that returns at once):
        None when it does, else the refusal (``device_revoked``, ``device_unknown``). Raises
        HubUnreachable when the hub cannot be reached and HubRefused for any other refusal."""
        resp = self.signed("GET", "/v1/wait", f"cursor={self.cursor()}&timeout=0")
        if resp.status_code in (200, 204):
            return None
        code, detail = _error_code(resp)
        if code in REVOKED_CODES:
            return code
        raise HubRefused(resp.status_code, code, detail)

    def _set_offset(self, offset: float) -> None:
        self._offset = offset
        log.info("sync: clock offset to the hub set to %.1f s", offset)
        self.vault.transact(lambda s: state.put(s, state.CLOCK_OFFSET, round(offset, 3)))

    def _check(self, resp: httpx.Response, *ok: int) -> httpx.Response:
        if resp.status_code not in (ok or (200,)):
            code, detail = _error_code(resp)
            raise HubRefused(resp.status_code, code, detail)
        return resp

    # -- push --
    def _prepare_batch(self, db) -> list[dict]:
        creds = self._creds
        assert creds is not None  # push_once loads the credentials before it prepares a batch
        rows = db.scalars(select(Outbox).where(Outbox.state == PENDING).order_by(Outbox.local_seq)
                               .limit(MAX_BATCH)).all()
        out: list[dict] = []
        total = 0
        for row in rows:
            if row.envelope is None:
                row.workstation_id = creds.workstation_id
                row.key_id = creds.branch_key_id
                row.envelope = envelope.seal(creds.branch_key, row.id, row.type, creds.branch_code,
                                             row.body.encode("utf-8"))
                if row.type in tags.TAGGED:  # tagged once, when sealed: a re-sent record stays the same
                    row.meta = json.dumps(tags.tagged_meta(creds.branch_key, row.type, json.loads(row.meta),
                                                           json.loads(row.body)), sort_keys=True,
                                          separators=(",", ":"), ensure_ascii=False)
            if len(row.envelope) > MAX_ENVELOPE_BYTES:
                row.state, row.last_error = QUARANTINED, "too_large"
                continue
            record = {"id": row.id, "type": row.type, "workstation_id": row.workstation_id,
                      "created_at": row.created_at, "key_id": row.key_id,
                      "envelope": base64.b64encode(row.envelope).decode("ascii"), "meta": json.loads(row.meta)}
            purges = json.loads(row.body).get("purges") if row.type == "retention.tombstone" else None
            if purges:  # the hub deletes these records of the branch (retention purge)
                record["purges"] = purges
            size = len(record["envelope"]) + 512 + 40 * len(purges or ())
            if out and total + size > MAX_BATCH_BYTES:
                break
            total += size
            out.append(record)
        return out

    def push_once(self) -> PushResult:
        """Send up to 500 pending records; mark each by its receipt."""
        self.credentials()
        batch = self.vault.transact(self._prepare_batch)
        if not batch:
            pending = self.vault.transact(lambda s: state.counts(s)[0])
            return PushResult(pending=pending)
        resp = self._check(self.signed("POST", "/v1/push", payload={"records": batch}))
        receipts = {r.get("id"): r for r in resp.json().get("receipts", []) if isinstance(r, dict)}

        def mark(db: Session) -> PushResult:
            sent = dup = rejected = 0
            quarantined = []
            for rec in batch:
                row = db.scalar(select(Outbox).where(Outbox.id == rec["id"]))
                assert row is not None  # the batch was read from the outbox, whose rows are never deleted
                receipt = receipts.get(rec["id"])
                row.attempts += 1
                if receipt is None:
                    row.last_error = "no_receipt"
                    continue
                status = receipt.get("status")
                if status in ("accepted", "duplicate"):
                    row.state, row.server_seq, row.sent_at, row.last_error = SENT, receipt.get("seq"), now_iso(), None
                    sent += status == "accepted"
                    dup += status == "duplicate"
                else:
                    row.state, row.last_error = QUARANTINED, str(receipt.get("error") or "rejected")[:200]
                    rejected += 1
                    quarantined.append(row)
            state.put(db, state.LAST_SYNC_AT, now_iso())
            for row in quarantined:
                audit.append(db, self.actor, "sync.quarantined", "sync_record", row.id,
                             {"record_type": row.type, "error": row.last_error})
            return PushResult(sent, dup, rejected, state.counts(db)[0])
        return self.vault.transact(mark)

    def push_all(self, max_batches: int = 1000) -> PushResult:
        # One pusher at a time: the worker's push loop and its round may both want to push.
        with self._push_lock:
            total = PushResult()
            for _ in range(max_batches):
                res = self.push_once()
                total = PushResult(total.sent + res.sent, total.duplicate + res.duplicate,
                                   total.rejected + res.rejected, res.pending)
                if res.sent + res.duplicate + res.rejected == 0 or res.pending == 0:
                    break
            self._anchor_after_push()
            return total

    # -- anchors (services.anchoring) --
    def anchor(self) -> checkpoints.AnchorResult:
        """Checkpoints of the chains to the hub now (raises SyncError / HubUnreachable on failure)."""
        result = checkpoints.anchor(self.vault, self)
        self._anchored_at, self.last_anchor = time.monotonic(), result
        return result

    def _anchor_after_push(self) -> None:
        # A failed anchoring never fails the push: the records are at the hub; the next push tries again.
        if not self.anchoring:
            return
        try:
            interval = self.vault.settings()[ANCHOR_INTERVAL_SECONDS]
            if self._anchored_at is not None and time.monotonic() - self._anchored_at < interval:
                return
            self.anchor()
        except CounterDeskError as exc:
            log.warning("sync: anchoring failed (%s)", exc.code)

    def requeue_quarantined(self, record_ids: list[str] | None = None) -> int:
        """Admin action: send quarantined records again (e.g. after the hub was fixed)."""
        def work(db: Session) -> int:
            q = select(Outbox).where(Outbox.state == QUARANTINED)
            if record_ids is not None:
                q = q.where(Outbox.id.in_(record_ids))
            rows = db.scalars(q).all()
            for row in rows:
                row.state, row.last_error = PENDING, None
            return len(rows)
        return self.vault.transact(work)

    # -- pull --
    def cursor(self) -> int:
        return int(self.vault.transact(lambda s: state.get(s, state.CURSOR, 0)) or 0)

    def pull_once(self, limit: int = MAX_PULL) -> PullResult:
        """Fetch the next page after the cursor; store every record in the inbox and apply it, and
        move the cursor, all in one transaction."""
        creds = self.credentials()
        cursor = self.cursor()
        resp = self._check(self.signed("GET", "/v1/pull", f"cursor={cursor}&limit={int(limit)}"))
        data = resp.json()
        records = data.get("records") or []
        new_cursor = int(data.get("cursor", cursor))
        opened = [self._open(creds, rec) for rec in records]

        def store(db: Session) -> PullResult:
            received, applied, conflicts, failed = self._store_opened(db, creds, opened)
            state.put(db, state.CURSOR, max(new_cursor, cursor))
            state.put(db, state.LAST_SYNC_AT, now_iso())
            return PullResult(received, applied, conflicts, failed, max(new_cursor, cursor), bool(data.get("more")))
        return self.vault.transact(store)

    def _store_opened(self, db: Session, creds: Credentials, opened: list) -> tuple[int, int, int, int]:
        """Keep every record not received before in the inbox and apply it, then retry the waiting ones:
        (received, applied, conflicts, failed)."""
        received = applied = conflicts = failed = 0
        for rec, body, error in opened:
            if db.get(Inbox, str(rec["id"])) is not None:
                continue
            received += 1
            row = Inbox(id=str(rec["id"]), seq=int(rec["seq"]), type=str(rec["type"]),
                        workstation_id=str(rec["workstation_id"]), created_at=str(rec["created_at"]),
                        meta=json.dumps(rec.get("meta") or {}, sort_keys=True), body=body,
                        received_at=now_iso(), apply_error=error)
            db.add(row)
            db.flush()
            if error is not None:
                row.outcome = "unreadable"
                failed += 1
                audit.append(db, self.actor, "sync.record_refused", "sync_record", row.id,
                             {"record_type": row.type[:64], "error": error})
                continue
            outcome = apply.apply_one(db, row, creds.workstation_id, self.actor)
            applied += outcome == "applied"
            conflicts += outcome == "conflict"
            failed += outcome == "failed"
        retried = apply.retry_unapplied(db, creds.workstation_id,
                                        exclude={str(r["id"]) for r, _, _ in opened}, actor=self.actor)
        applied += retried
        return received, applied, conflicts, failed

    def customer_records(self, tag: str, timeout: float | None = None) -> list[dict]:
        """The branch's records carrying a customer's tag that this workstation has not pulled yet
        (after its cursor), every page; HTTP only (``store_records`` applies them)."""
        cursor, out = self.cursor(), list[dict]()
        for _ in range(100):
            query = f"tag={tag}&cursor={cursor}&limit={MAX_PULL}"
            data = self._check(self.signed("GET", "/v1/customer-records", query, timeout=timeout)).json()
            out += data.get("records") or []
            cursor = int(data.get("cursor", cursor))
            if not data.get("more"):
                break
        return out

    def store_records(self, records: list[dict]) -> PullResult:
        """Open, keep and apply records fetched outside the pull (the pull's cursor does not move: it
        skips them later as received)."""
        creds = self.credentials()
        opened = [self._open(creds, rec) for rec in records]

        def store(db: Session) -> PullResult:
            received, applied, conflicts, failed = self._store_opened(db, creds, opened)
            return PullResult(received, applied, conflicts, failed, int(state.get(db, state.CURSOR, 0) or 0))
        return self.vault.transact(store)

    def _open(self, creds: Credentials, rec: dict) -> tuple[dict, str | None, str | None]:
        """(record, body JSON or None, error or None): decrypt and check it against its meta."""
        try:
            if rec.get("key_id") != creds.branch_key_id:
                return rec, None, "wrong_key"
            raw = base64.b64decode(rec["envelope"], validate=True)
            plain = envelope.open_(creds.branch_key, str(rec["id"]), str(rec["type"]), creds.branch_code, raw)
            body = json.loads(plain.decode("utf-8"))
        except envelope.EnvelopeError:
            return rec, None, "does_not_open"
        except (KeyError, ValueError, TypeError):
            return rec, None, "malformed"
        meta = dict(rec.get("meta") or {})
        if not tags.tag_matches(creds.branch_key, str(rec.get("type")), meta, body):
            return rec, None, "meta_mismatch"
        meta.pop(tags.TAG_KEY, None)
        if not meta_matches(str(rec.get("type")), meta, body):
            return rec, None, "meta_mismatch"
        return rec, json.dumps(body, ensure_ascii=False, sort_keys=True), None

    def pull_all(self, max_pages: int = 1000) -> PullResult:
        total = PullResult(cursor=self.cursor())
        for _ in range(max_pages):
            res = self.pull_once()
            total = PullResult(total.received + res.received, total.applied + res.applied,
                               total.conflicts + res.conflicts, total.failed + res.failed, res.cursor, res.more)
            if not res.more:
                break
        return total

    def wait_once(self, timeout: int = 25) -> bool:
        """Long poll: True as soon as the branch has records after the cursor, False at the timeout."""
        timeout = max(0, min(int(timeout), MAX_WAIT_S))
        resp = self.signed("GET", "/v1/wait", f"cursor={self.cursor()}&timeout={timeout}", timeout=timeout + 15)
        if resp.status_code == 204:
            return False
        self._check(resp)
        return True

    def sync_once(self) -> tuple[PushResult, PullResult]:
        return self.push_all(), self.pull_all()

    # -- master data --
    def pull_master(self) -> MasterResult:
        """Fetch new master-data items; each is verified with the pinned head-office key before it is
        applied (catalog, sanctions list) or stored (questionnaire). A tampered item is refused,
        recorded and reported; nothing of it is applied."""
        creds = self.credentials()
        applied: list = []
        stored: list = []
        refused: list = []
        since = int(self.vault.transact(lambda s: state.get(s, state.MASTER_SINCE, 0)) or 0)
        while True:
            data = self._check(self.signed("GET", "/v1/master", f"since={since}")).json()
            items = data.get("items") or []
            if not items:
                break
            for item in items:
                kind, version, seq = str(item.get("kind")), int(item.get("version", 0)), int(item["seq"])
                ok = creds.head_office_key is not None and verify_master_item(creds.head_office_key, item)
                why = None if ok else ("no_head_office_key" if creds.head_office_key is None else "bad_signature")
                self._store_master(item, None if ok else why)
                if not ok:
                    refused.append((kind, version, why))
                since = max(since, seq)
            self.vault.transact(partial(state.put, key=state.MASTER_SINCE, value=since))
            if not data.get("more"):
                break
        done = self.apply_master()
        applied += done.applied
        stored += done.stored
        refused += done.refused
        return MasterResult(applied, stored, refused)

    def _store_master(self, item: dict, refusal: str | None) -> None:
        def write(db: Session) -> None:
            seq = int(item["seq"])
            if db.get(SyncMaster, seq) is not None:
                return
            refusal_: str | None
            try:
                payload = base64.b64decode(item.get("payload") or "", validate=True)
                signature = base64.b64decode(item.get("signature") or "", validate=True)
            except ValueError:
                payload, signature, refusal_ = b"", b"", "malformed"
            else:
                refusal_ = refusal
            db.add(SyncMaster(seq=seq, kind=str(item.get("kind"))[:16], version=int(item.get("version", 0)),
                                   sha256=str(item.get("sha256", ""))[:64], payload=payload, signature=signature,
                                   received_at=now_iso(), status="refused" if refusal_ else "verified",
                                   error=refusal_))
            if refusal_:
                audit.append(db, self.actor, "sync.master_refused", "master_item", str(seq),
                             {"kind": str(item.get("kind"))[:16], "version": int(item.get("version", 0)),
                              "error": refusal_})
        self.vault.transact(write)

    def apply_master(self) -> MasterResult:
        """Apply verified items: catalog and sanctions need an administrator (``us``); questionnaires
        are stored only. Items are verified again right before they are applied."""
        creds = self.credentials()
        items = self.vault.transact(lambda s: [(m.seq, m.kind, m.version, m.sha256, m.payload, m.signature)
                                               for m in s.scalars(select(SyncMaster).where(
                                                   SyncMaster.status == "verified").order_by(SyncMaster.seq))])
        applied, stored, refused = [], [], []
        for seq, kind, version, sha, payload, signature in items:
            item = {"kind": kind, "version": version, "sha256": sha,
                    "payload": base64.b64encode(payload).decode(), "signature": base64.b64encode(signature).decode()}
            if creds.head_office_key is None or not verify_master_item(creds.head_office_key, item):
                self._set_master(seq, "refused", "bad_signature")
                refused.append((kind, version, "bad_signature"))
                continue
            if kind == "questionnaire":
                self._set_master(seq, "stored", None)
                stored.append((kind, version))
                continue
            need = {"catalog": "catalog.manage", "sanctions": "sanctions.manage"}.get(kind)
            if need is None:
                self._set_master(seq, "refused", "unknown_kind")
                refused.append((kind, version, "unknown_kind"))
                continue
            if self.us is None or not can(self.us.role, need):
                stored.append((kind, version))  # stays "verified": applied when an administrator syncs
                continue
            try:
                if kind == "catalog":
                    from counterdesk.services.catalog.versions import import_bytes
                    import_bytes(self.vault, self.us, f"master-catalog-{version}", payload,
                                 note=f"head office catalog v{version}")
                else:
                    from counterdesk.services.sanctions.lists import import_files
                    import_files(self.vault, self.us, [(f"master-sanctions-{version}", payload)])
            except CounterDeskError as exc:
                self._set_master(seq, "failed", exc.code)
                refused.append((kind, version, exc.code))
                continue
            self._set_master(seq, "applied", None)
            applied.append((kind, version))
        return MasterResult(applied, stored, refused)

    def _set_master(self, seq: int, status: str, error: str | None) -> None:
        def write(db: Session) -> None:
            row = db.get(SyncMaster, seq)
            assert row is not None  # ``seq`` was read from the stored items, which are never deleted
            row.status, row.error = status, error
            if status in ("applied", "stored"):
                row.applied_at = now_iso()
        self.vault.transact(write)

    # -- status --
    def status(self) -> SyncStatus:
        return status(self.vault, self._online)


def check_anchors(vault: Vault) -> CheckResult:
    """``verify``'s comparison of the local chains with the hub's checkpoints (a warning when this
    workstation is not enrolled or the hub cannot be reached)."""
    if not vault.transact(state.enrolled):
        return check.check_anchors(vault, None)
    try:
        client = SyncClient(vault, verify=tls_verify(vault), anchoring=False)
    except SyncError:
        return check.check_anchors(vault, None)
    with client:
        return check.check_anchors(vault, client)


def tls_verify(vault: Vault) -> ssl.SSLContext | bool:
    """What the client should trust for the hub: the CA given at enrolment, else the system store."""
    pem = vault.transact(lambda s: state.get(s, state.HUB_CA_PEM))
    return ssl.create_default_context(cadata=pem) if pem else True


def status(vault: Vault, online: bool = False) -> SyncStatus:
    """The status without a client (e.g. for the status bar before the first connection). A device the
    hub refused is never shown online, whatever ``online`` says."""
    def read(db: Session):
        pending, quarantined = state.counts(db)
        return state.get(db, state.LAST_SYNC_AT), pending, quarantined, state.get(db, state.DEVICE_REFUSED)
    last, pending, quarantined, refused = vault.transact(read)
    code = (refused or {}).get("code")
    return SyncStatus(online and not code, last, pending, quarantined, code, (refused or {}).get("at"))


def quarantined(vault: Vault) -> list[dict[str, Any]]:
    """Quarantined outbox records for the administrator (id, type, error, meta; never the body)."""
    def read(db: Session) -> list[dict[str, Any]]:
        return [{"id": r.id, "type": r.type, "created_at": r.created_at, "error": r.last_error,
                 "meta": json.loads(r.meta)}
                for r in db.scalars(select(Outbox).where(Outbox.state == QUARANTINED).order_by(Outbox.local_seq))]
    return vault.transact(read)


# ---- the background loop ---------------------------------------------------------------------------------------

class SyncWorker:
    """push → pull → long poll, forever, on a daemon thread; network errors back off with jitter.

    ``on_change(status)`` (optional) is called after each round; the GUI may turn it into a signal.
    """

    def __init__(self, client: SyncClient, backoff: Backoff | None = None, wait_timeout: int = 25,
                 on_change: Callable[[SyncStatus], None] | None = None, master_every_s: float = 3600.0,
                 timestamp_every_s: float = 300.0, prune_every_s: float = 3600.0):
        self.client = client
        self._stop = threading.Event()
        self.backoff = backoff or Backoff(sleep=self._stop.wait)
        self.wait_timeout = wait_timeout
        self.on_change = on_change
        self.master_every_s = master_every_s
        self._master_at = 0.0
        # Confirmations issued while no timestamp authority answered get their timestamp here.
        self.timestamp_every_s = timestamp_every_s
        self._timestamp_at = 0.0
        self._thread: threading.Thread | None = None
        self._pusher: threading.Thread | None = None
        self._dirty = threading.Event()
        self.push_every_s = 5.0
        # Pruning (services.sync.prune): checked at most this often, a few batches per round.
        self.prune_every_s = prune_every_s
        self._prune_at: float | None = None
        self.last_error: Exception | None = None
        self.rounds = 0

    def start(self) -> SyncWorker:
        if self._thread is None:
            outbox.on_commit(self.kick)
            self._thread = threading.Thread(target=self._run, name="counterdesk-sync", daemon=True)
            self._pusher = threading.Thread(target=self._push_loop, name="counterdesk-sync-push", daemon=True)
            self._thread.start()
            self._pusher.start()
        return self

    def kick(self) -> None:
        """New outbox rows were committed: push them now (the pull loop may be in a long poll)."""
        self._dirty.set()

    def _push_loop(self) -> None:
        backoff = Backoff(sleep=self._stop.wait)
        while not self._stop.is_set():
            self._dirty.wait(self.push_every_s)
            if self._stop.is_set():
                break
            self._dirty.clear()
            try:
                self.client.push_all()
                backoff.reset()
                self._notify()
            except (HubUnreachable, HubRefused) as exc:
                self.last_error = exc
                self._notify()
                backoff.wait()
            except Exception:
                log.exception("sync: unexpected error while pushing")
                backoff.wait()

    def stop(self, timeout: float | None = None) -> None:
        outbox.remove_on_commit(self.kick)
        self._stop.set()
        self._dirty.set()
        for thread in (self._thread, self._pusher):
            if thread is not None:
                thread.join(timeout if timeout is not None else self.wait_timeout + 20)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def round(self) -> None:
        """One pass: push everything, pull everything, master data when due."""
        self.client.push_all()
        self.client.pull_all()
        if self.master_every_s and time.monotonic() - self._master_at >= self.master_every_s:
            self.client.pull_master()
            self._master_at = time.monotonic()
        if self.timestamp_every_s and time.monotonic() - self._timestamp_at >= self.timestamp_every_s:
            self._timestamp_at = time.monotonic()
            try:
                timestamps.upgrade_pending(self.client.vault)
            except CounterDeskError as exc:  # never stops the sync; the rows stay pending, the try counted
                log.warning("timestamps: %s", exc.code)
        self._prune_when_due()
        self.rounds += 1

    def _prune_when_due(self) -> None:
        """Sent and applied rows past the retention window, a few batches per round (cheap when nothing
        is due: two indexed look-ups); again at the next round while a backlog remains."""
        if not self.prune_every_s or (self._prune_at is not None
                                      and time.monotonic() - self._prune_at < self.prune_every_s):
            return
        try:
            done = prune.run(self.client.vault, max_batches=PRUNE_BATCHES_PER_ROUND)
        except CounterDeskError as exc:  # never stops the sync; tried again at the next interval
            log.warning("sync: pruning failed (%s)", exc.code)
            self._prune_at = time.monotonic()
            return
        self._prune_at = None if done.more else time.monotonic()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.round()
                self._notify()
                self.backoff.reset()
                if self._stop.is_set():
                    break
                # Local changes are pushed at least every wait_timeout seconds; remote ones arrive as
                # soon as the hub has them.
                self.client.wait_once(self.wait_timeout)
            except (HubUnreachable, HubRefused) as exc:
                self.last_error = exc
                log.warning("sync: %s (%s)", exc.code, getattr(exc, "detail", ""))
                self._notify()
                self.backoff.wait()
            except Exception as exc:
                self.last_error = exc
                log.exception("sync: unexpected error")
                self._notify()
                self.backoff.wait()

    def _notify(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change(self.client.status())
            except Exception:
                log.exception("sync: status callback failed")
