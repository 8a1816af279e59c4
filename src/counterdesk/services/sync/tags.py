"""The customer tag: what lets a workstation ask the hub for one customer's records without telling it
who the customer is (docs/sync-protocol.md, "Customer records").

``tag = "ct1-" + first 32 hex of HMAC-SHA256(K, customer_id)`` with ``K = HKDF-SHA256(branch key,
info="counterdesk customer tag v1")``. Every workstation of the branch computes the same tag; the hub,
which never holds the branch key, can neither reverse it nor compute it for a customer id it knows,
and another branch's tag of the same customer differs. The tag goes into the meta of the records that
carry a customer's flags (consent, restriction, screening and its disposition, AML rating, retention
tombstone) when they are sealed, and the receiver checks it against the sealed body.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TAG_KEY = "customer_tag"
PREFIX = "ct1-"
TAG_INFO = b"counterdesk customer tag v1"
# The record types whose meta carries the tag (the hub's allow-list has it for these: hub.record_types).
TAGGED = ("consent", "customer.restriction", "screening", "aml.rating", "retention.tombstone")


def tag_key(branch_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=TAG_INFO).derive(branch_key)


def customer_tag(branch_key: bytes, customer_id: str) -> str:
    digest = hmac.new(tag_key(branch_key), customer_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]


def customer_of(record_type: str, body: Any) -> str | None:
    """The customer a record of a tagged type concerns, from its body (None: no customer, e.g. a
    consent not linked yet or a screening of another party)."""
    if record_type not in TAGGED or not isinstance(body, dict):
        return None
    row = body.get("row") or {}
    if record_type == "screening":
        value = body.get("customer_id")
    elif record_type == "retention.tombstone":
        value = row.get("subject_id") if row.get("kind") == "customer" else None
    else:
        value = row.get("customer_id")
    return value if isinstance(value, str) and value else None


def tagged_meta(branch_key: bytes, record_type: str, meta: dict[str, Any], body: Any) -> dict[str, Any]:
    """``meta`` with the customer tag of ``body`` added (unchanged for a record that names no customer)."""
    customer = customer_of(record_type, body)
    if customer is None:
        return meta
    return {**meta, TAG_KEY: customer_tag(branch_key, customer)}


def tag_matches(branch_key: bytes, record_type: str, meta: dict[str, Any], body: Any) -> bool:
    """A received record's tag, if it has one, is the tag of the customer its sealed body names."""
    if TAG_KEY not in meta:
        return True  # from a workstation before tags (or a record that names no customer)
    customer = customer_of(record_type, body)
    return customer is not None and hmac.compare_digest(str(meta[TAG_KEY]), customer_tag(branch_key, customer))
