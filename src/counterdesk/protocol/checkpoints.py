"""Chain checkpoints: what a workstation signs about its hash chains and the hub keeps append-only.

A checkpoint names one chain of one installation (the audit log, the records ledger), the range of
entries it covers (``from_seq`` exclusive to ``seq`` inclusive), the hash of the entry at
``from_seq`` it continues from (``prev_head``, empty for the first), every entry hash of the range
(so a later check can name the first entry that differs or is missing) and the evidence heads of
the sales completed since the previous checkpoint. The device signs
``CDCP1\\n`` + SHA-256(canonical JSON) with its Ed25519 key; the hub checks the signature with the
device's registered key and that the checkpoint continues the history it already holds.

Pure functions only (shared by the hub and the workstations): no database, no HTTP.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from counterdesk.protocol.signing import verify_signature

VERSION = 1
CHAINS = ("audit", "records")
MAX_ENTRIES = 2000       # per checkpoint; a longer backlog goes in several checkpoints
MAX_EVIDENCE = 500
FIELDS = ("v", "branch", "installation_id", "device_id", "chain", "from_seq", "prev_head", "seq", "head",
          "entries", "evidence", "created_at")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SIGNOFF_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def canonical(body: Mapping[str, Any]) -> bytes:
    """The checkpoint's fields (and only those) as compact, key-sorted JSON."""
    return json.dumps({k: body[k] for k in FIELDS}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def signing_string(body: Mapping[str, Any]) -> bytes:
    return b"CDCP1\n" + hashlib.sha256(canonical(body)).hexdigest().encode("ascii")


def sign_checkpoint(private_key: Ed25519PrivateKey, body: Mapping[str, Any]) -> bytes:
    return private_key.sign(signing_string(body))


def verify_checkpoint(public_key: bytes, body: Mapping[str, Any], signature: bytes) -> bool:
    try:
        message = signing_string(body)
    except (KeyError, TypeError, ValueError):
        return False
    return verify_signature(public_key, signature, message)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 63


def structure_problem(body: Mapping[str, Any]) -> str | None:
    """Why ``body`` is not a well-formed checkpoint (None when it is): the range, the hashes, the links."""
    missing = [k for k in FIELDS if k not in body]
    if missing:
        return f"missing fields: {', '.join(missing)}"
    if body["v"] != VERSION:
        return f"unknown checkpoint version {body['v']!r}"
    if body["chain"] not in CHAINS:
        return f"unknown chain {body['chain']!r}"
    if not (isinstance(body["installation_id"], str) and UUID.match(body["installation_id"])
            and isinstance(body["device_id"], str) and UUID.match(body["device_id"])):
        return "installation_id and device_id must be lowercase UUIDs"
    start, seq, prev, head = body["from_seq"], body["seq"], body["prev_head"], body["head"]
    if not (_int(start) and _int(seq) and start <= seq):
        return "from_seq and seq must be integers with 0 <= from_seq <= seq"
    if not isinstance(prev, str) or (prev != "" if start == 0 else not HEX64.match(prev)):
        return "prev_head must be empty for from_seq 0 and a SHA-256 hex digest otherwise"
    entries, evidence = body["entries"], body["evidence"]
    if not isinstance(entries, list) or len(entries) != seq - start or len(entries) > MAX_ENTRIES:
        return f"entries must list every entry from {start + 1} to {seq} (at most {MAX_ENTRIES})"
    for offset, entry in enumerate(entries, start=1):
        if not (isinstance(entry, list) and len(entry) == 2 and entry[0] == start + offset
                and isinstance(entry[1], str) and HEX64.match(entry[1])):
            return f"entry {start + offset} must be [seq, sha256 hex]"
    if head != (entries[-1][1] if entries else prev):
        return "head must be the hash of the last entry"
    if not isinstance(evidence, list) or len(evidence) > MAX_EVIDENCE:
        return f"evidence must be a list of at most {MAX_EVIDENCE} items"
    seen: set[str] = set()
    for item in evidence:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str) and SIGNOFF_ID.match(item[0])
                and _int(item[1]) and item[1] >= 1 and isinstance(item[2], str) and HEX64.match(item[2])):
            return "evidence items must be [signoff id, seq, sha256 hex]"
        if item[0] in seen:
            return f"evidence of sign-off {item[0]} listed twice"
        seen.add(item[0])
    if not entries and not evidence:
        return "a checkpoint covers at least one entry or one evidence head"
    if not isinstance(body["created_at"], str) or not 10 <= len(body["created_at"]) <= 40:
        return "created_at must be an ISO 8601 time"
    return None
