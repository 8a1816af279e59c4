"""Named crash points, for the kill tests of the key-slot protocol.

With ``COUNTERDESK_CRASH_AT=<name>`` in its environment, a process kills itself with SIGKILL (no
clean-up, no buffered writes, no ``finally``) the moment it reaches ``crash_point(<name>)``; a point
with a qualifier also answers to ``<name>:<qualifier>`` (``atomic.before_rename:keyslots.json``).
The variable is read once, at import: unset, a crash point costs one comparison with None.
"""
from __future__ import annotations

import os
import signal

ENV = "COUNTERDESK_CRASH_AT"
_TARGET: str | None = os.environ.get(ENV) or None


def crash_point(name: str, qualifier: str | None = None) -> None:
    """Die here, as a power cut or ``kill -9`` would, if this is the point the environment names."""
    if _TARGET is None:
        return
    if _TARGET == name or (qualifier is not None and _TARGET == f"{name}:{qualifier}"):
        os.kill(os.getpid(), signal.SIGKILL)
