"""Workstation side of sync with the hub (docs/sync-protocol.md). Qt-free.

Modules: ``envelope`` (AES-256-GCM with the branch key), ``state`` (sync state and keys in the
encrypted database), ``enrol`` (enrolment and codes for further workstations), ``client`` (push,
pull, long poll, master data, backoff, the background worker), ``apply`` (records from other
workstations into the local tables), ``remote_audit`` (other workstations' audit entries, verified per
origin), ``prune`` (sent and applied rows after the retention window), ``conflicts``, ``admin``. The
outbox that every change writes in its own transaction is part of the store (counterdesk.store.outbox).
"""
