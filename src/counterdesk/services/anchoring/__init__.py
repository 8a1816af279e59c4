"""Anchors outside the workstation (issue 11): the heads of the audit log and the records ledger, and
each completed sale's evidence head, checkpointed, signed with the device key and kept by the hub
append-only; ``verify`` compares the local chains with the hub's checkpoints, or with a printed
end-of-day journal where there is no hub. Qt-free.

Modules: ``chains`` (the chains anchored, behind one small interface), ``link`` (what anchoring needs
of the hub connection: the sync client provides it), ``checkpoints`` (issuing and sending
checkpoints, after each sync), ``check`` (comparing with the hub's checkpoints), ``daycode`` (the short
code printed on the journal), ``journal`` (the end-of-day journal PDF and checking a printed code).
"""
