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
    "complaint": frozenset({"complaint_id", "status", "due_on"}),
    "complaint.event": frozenset({"complaint_id", "seq", "kind"}),
    "aml.referral": frozenset({"referral_id", "session_id", "reason_code"}),
    "aml.referral_closure": frozenset({"closure_id", "referral_id"}),  # never the outcome or the note
    "customer.restriction": frozenset({"customer_id", "customer_tag"}),
    "retention.tombstone": frozenset({"tombstone_id", "kind", "subject_id", "customer_tag"}),
    "consent": frozenset({"consent_id", "session_id", "customer_tag"}),
    "aml.rating": frozenset({"customer_id", "rated_at", "customer_tag"}),
    "screening": frozenset({"screening_id", "status", "customer_tag"}),
    "signoff.cooling_off": frozenset({"signoff_id"}),
    "follow_up.task": frozenset({"task_id", "signoff_id", "status"}),
    "follow_up.call": frozenset({"call_id", "signoff_id"}),
    "signoff.print": frozenset({"signoff_id", "copy", "printed_at"}),
    "evaluation": frozenset({"evaluation_id", "session_id", "status"}),
    "follow_up.outcome": frozenset({"outcome_id", "kind", "outcome"}),
}

# A record's ``customer_tag`` (counterdesk.services.sync.tags) is a keyed hash of the customer id under a
# secret of the branch: the hub matches it (GET /v1/customer-records) but can neither reverse nor compute it.
CUSTOMER_TAG = "customer_tag"
# A retention tombstone's ``purges`` may delete the branch's records of every type but these: what the
# purge keeps (the restriction, the tombstones, the audit trail, complaints held apart from the purge).
KEPT_BY_PURGE = frozenset({"retention.tombstone", "customer.restriction", "audit.entry", "complaint",
                           "complaint.event"})
PURGEABLE = frozenset(set(RECORD_TYPES) - KEPT_BY_PURGE)


def meta_keys_not_allowed(record_type: str, meta_keys: set[str] | frozenset[str]) -> list[str]:
    """The keys of ``meta`` outside the allow-list of ``record_type`` (a known type), sorted."""
    return sorted(set(meta_keys) - RECORD_TYPES[record_type])
