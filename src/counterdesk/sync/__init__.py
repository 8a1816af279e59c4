"""Workstation side of sync with the hub (docs/sync-protocol.md). Qt-free.

Importing the package registers the outbox listener (counterdesk.sync.outbox): the store's migration
environment imports ``counterdesk.sync.models``, so every opened vault has it.

Modules: ``outbox`` (records written with each change), ``envelope`` (AES-256-GCM with the branch
key), ``state`` (sync state and keys in the encrypted database), ``enrol`` (enrolment and codes for
further workstations), ``client`` (push, pull, long poll, master data, backoff, the background
worker), ``apply`` (records from other workstations into the local tables), ``conflicts``.
"""
from counterdesk.sync.outbox import install as _install

_install()
