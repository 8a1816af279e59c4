"""Key slots (LUKS-style): the random database key, wrapped once per user and once for recovery.

Each password slot stores the database key encrypted with AES-256-GCM under a key derived from the
user's password with Argon2id. The GCM tag doubles as the password verifier, so there is exactly
one memory-hard computation per sign-in. The slot id, user id and username are bound into the
associated data, so a slot copied to another account or installation no longer opens.

The file is replaced atomically; after set-up only under keyslots.lock by ``Vault.transact_with_slots``,
which journals each change (slot_journal.py) so that a kill at any point leaves the slots and the
database in agreement once reconciled. While a change commits, the file may hold a user's old and
new slot side by side (same slot id): unlocking tries every slot of the name.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from counterdesk.base.actors import normalise_username
from counterdesk.base.atomicfile import write_json_atomic
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.auth.kdf import Argon2Params, hkdf

FORMAT = "counterdesk-keyslots/1"
RECOVERY_SLOT = "recovery"
KEY_BYTES = 32


class KeySlotError(CounterDeskError):
    code = "keyslots"


class WrongSecret(Exception):
    """The password or recovery key does not open this slot."""


def new_database_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# ---- recovery key: 32 random bytes + 2 check bytes, base32 in groups of five -------------------

def new_recovery_secret() -> bytes:
    return os.urandom(KEY_BYTES)


def format_recovery_key(secret: bytes) -> str:
    body = base64.b32encode(secret + hashlib.sha256(secret).digest()[:2]).decode("ascii").rstrip("=")
    return "-".join(body[i:i + 5] for i in range(0, len(body), 5))


def parse_recovery_key(text: str) -> bytes | None:
    """The secret inside a typed recovery key, or None when it is malformed or mistyped."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (ValueError, binascii.Error):
        return None
    if len(raw) != KEY_BYTES + 2:
        return None
    secret, check = raw[:KEY_BYTES], raw[KEY_BYTES:]
    return secret if hashlib.sha256(secret).digest()[:2] == check else None


@dataclass
class Slot:
    slot_id: str
    kind: str  # "password" or "recovery"
    user_id: str | None
    username: str | None
    kdf: dict
    nonce: bytes
    wrapped: bytes
    created_at: str

    def to_json(self) -> dict:
        return {"slot_id": self.slot_id, "kind": self.kind, "user_id": self.user_id, "username": self.username,
                "kdf": self.kdf, "nonce": _b64(self.nonce), "wrapped": _b64(self.wrapped),
                "created_at": self.created_at}

    @classmethod
    def from_json(cls, raw: dict) -> Slot:
        return cls(slot_id=raw["slot_id"], kind=raw["kind"], user_id=raw.get("user_id"),
                   username=raw.get("username"), kdf=dict(raw["kdf"]), nonce=_unb64(raw["nonce"]),
                   wrapped=_unb64(raw["wrapped"]), created_at=raw["created_at"])


def _aad(installation_id: str, slot: Slot) -> bytes:
    return f"{FORMAT}|{installation_id}|{slot.slot_id}|{slot.user_id or ''}|{slot.username or ''}".encode()


# The cryptography imports wait until first use: the GUI reads this module before its first frame.
def _aesgcm(key: bytes):
    return AESGCM(key)


# Two Argon2id derivations at the same time in one process hang for ever (cryptography 50 on OpenSSL
# 4.0, with these parameters): a sign-in on a worker thread while the database writer wraps a new
# slot would freeze the application. Every derivation here takes this lock first.
_ARGON2_LOCK = threading.Lock()


def _argon2(params: Argon2Params, password: str) -> bytes:
    with _ARGON2_LOCK:
        return params.derive(password)


def _password_kek(kdf: dict, password: str) -> bytes:

    if kdf.get("name") != "argon2id":
        raise KeySlotError(Text("密钥槽使用了不支持的算法。", "A key slot uses an unsupported algorithm."),
                           code="slot_kdf")
    params = Argon2Params(salt=_unb64(kdf["salt"]), memory_kib=int(kdf["memory_kib"]),
                          iterations=int(kdf["iterations"]), lanes=int(kdf["lanes"]))
    return _argon2(params, password)


def _recovery_kek(kdf: dict, secret: bytes) -> bytes:
    return hkdf(secret, _unb64(kdf["salt"]), b"counterdesk recovery slot")


class KeySlots:
    """The key-slot file of one installation. Every change is written with an atomic replace."""

    def __init__(self, path: Path, installation_id: str, slots: list[Slot]):
        self.path = path
        self.installation_id = installation_id
        self.slots = slots
        # Set by Vault.transact_with_slots: the change's id, which its audit entry carries as "slot_op".
        self.op_id: str | None = None

    # -- file ---------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, installation_id: str) -> KeySlots:
        return cls(path, installation_id, [])

    @classmethod
    def load(cls, path: Path, installation_id: str) -> KeySlots:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeySlotError(Text(
                "找不到密钥槽文件 keyslots.json，数据库无法解锁。请从备份恢复该文件；未做任何更改。",
                "The key-slot file keyslots.json is missing, so the database cannot be unlocked. "
                "Restore it from a backup; nothing was changed."), code="keyslots_missing",
                detail=str(path)) from None
        except (OSError, ValueError) as exc:
            raise KeySlotError(Text("密钥槽文件已损坏。请从备份恢复；未做任何更改。",
                                    "The key-slot file is damaged. Restore it from a backup; nothing was changed."),
                               code="keyslots_damaged", detail=str(exc)) from exc
        try:
            if raw.get("format") != FORMAT or raw.get("installation_id") != installation_id:
                raise ValueError("format or installation mismatch")
            slots = [Slot.from_json(s) for s in raw["slots"]]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise KeySlotError(Text("密钥槽文件与本安装不匹配或已损坏。",
                                    "The key-slot file does not belong to this installation or is damaged."),
                               code="keyslots_damaged", detail=str(exc)) from exc
        return cls(path, installation_id, slots)

    def save(self) -> None:
        write_json_atomic(self.path, {"format": FORMAT, "installation_id": self.installation_id,
                                      "slots": self.snapshot()})

    def snapshot(self) -> list[dict]:
        """The slots as stored (for the change journal and for comparing before and after)."""
        return [s.to_json() for s in self.slots]

    def with_slots(self, raw: list[dict]) -> KeySlots:
        """The same file holding the given stored slots instead."""
        return KeySlots(self.path, self.installation_id, [Slot.from_json(s) for s in raw])

    # -- lookup -------------------------------------------------------------------------------
    def for_username(self, username: str) -> Slot | None:
        name = normalise_username(username)
        return next((s for s in self.slots if s.kind == "password" and s.username == name), None)

    def for_user_id(self, user_id: str) -> Slot | None:
        return next((s for s in self.slots if s.kind == "password" and s.user_id == user_id), None)

    def has_recovery(self) -> bool:
        return any(s.kind == "recovery" for s in self.slots)

    # -- wrap / unwrap ------------------------------------------------------------------------
    def _wrap(self, slot_id: str, kind: str, user_id: str | None, username: str | None, kdf: dict,
              kek: bytes, db_key: bytes) -> Slot:
        slot = Slot(slot_id, kind, user_id, username, kdf, os.urandom(12), b"",
                    datetime.now(UTC).isoformat(timespec="seconds"))
        slot.wrapped = _aesgcm(kek).encrypt(slot.nonce, db_key, _aad(self.installation_id, slot))
        return slot

    def _unwrap(self, slot: Slot, kek: bytes) -> bytes:
        try:
            return _aesgcm(kek).decrypt(slot.nonce, slot.wrapped, _aad(self.installation_id, slot))
        except InvalidTag:
            raise WrongSecret() from None

    def set_password_slot(self, user_id: str, username: str, password: str, db_key: bytes) -> None:
        """Add or replace one user's slot (a password change re-wraps only this slot)."""
        params = Argon2Params.fresh()
        kdf = {"name": "argon2id", "salt": _b64(params.salt), "memory_kib": params.memory_kib,
               "iterations": params.iterations, "lanes": params.lanes}
        slot = self._wrap(f"user:{user_id}", "password", user_id, normalise_username(username), kdf,
                          _argon2(params, password), db_key)
        self.slots = [s for s in self.slots if s.user_id != user_id] + [slot]

    def remove_user(self, user_id: str) -> None:
        self.slots = [s for s in self.slots if s.user_id != user_id]

    def unlock_with_password(self, username: str, password: str) -> tuple[Slot, bytes]:
        name = normalise_username(username)
        candidates = [s for s in self.slots if s.kind == "password" and s.username == name]
        for slot in candidates:  # more than one only while a password change commits
            try:
                return slot, self._unwrap(slot, _password_kek(slot.kdf, password))
            except WrongSecret:
                continue
        raise WrongSecret()

    def set_recovery_slot(self, secret: bytes, db_key: bytes) -> None:
        salt = os.urandom(16)
        slot = self._wrap(RECOVERY_SLOT, "recovery", None, None, {"name": "hkdf-sha256", "salt": _b64(salt)},
                          hkdf(secret, salt, b"counterdesk recovery slot"), db_key)
        self.slots = [s for s in self.slots if s.kind != "recovery"] + [slot]

    def unlock_with_recovery(self, secret: bytes) -> bytes:
        for slot in (s for s in self.slots if s.kind == "recovery"):  # two only while a recovery commits
            try:
                return self._unwrap(slot, _recovery_kek(slot.kdf, secret))
            except WrongSecret:
                continue
        raise WrongSecret()


def dummy_password_work(password: str) -> None:
    """Spend the same time as a real unwrap, so an unknown username is not told apart by timing."""
    _argon2(Argon2Params(salt=b"counterdesk-none"), password)
