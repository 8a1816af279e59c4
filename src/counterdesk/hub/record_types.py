"""The record types the hub accepts, each with the ``meta`` keys it may carry.

Meta is what the hub may see in clear to route and report: ids, statuses, sequence numbers and times.
A key that is not listed for the type makes the hub reject the record (``meta_not_allowed``).
"""
from __future__ import annotations

RECORD_TYPES: dict[str, frozenset[str]] = {
    "customer.version": frozenset({"customer_id", "version"}),
    "counter_session": frozenset({"session_id", "status"}),
    "signoff": frozenset({"signoff_id", "session_id", "status"}),
    "signoff.approval_request": frozenset({"request_id", "signoff_id", "session_id", "status"}),
    "signoff.approval_decision": frozenset({"request_id", "signoff_id", "session_id", "status"}),
    "evidence.link": frozenset({"signoff_id", "seq", "kind"}),
    "audit.entry": frozenset({"seq", "action"}),
    "assessment": frozenset({"assessment_id", "customer_id"}),
    "sale_decision": frozenset({"decision_id", "session_id"}),
}


def meta_keys_not_allowed(record_type: str, meta_keys: set[str] | frozenset[str]) -> list[str]:
    """The keys of ``meta`` outside the allow-list of ``record_type`` (a known type), sorted."""
    return sorted(set(meta_keys) - RECORD_TYPES[record_type])
