"""The sync hub: relays and keeps the branches' encrypted records (docs/sync-protocol.md).

Qt-free. Only ``app`` and ``middleware`` need FastAPI/Starlette; ``signing``, which the workstations
import too, needs nothing but ``cryptography``.
"""
