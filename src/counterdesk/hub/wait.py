"""Long-poll wake-ups: one asyncio.Condition per branch (and event loop), notified after each push.

Pushes handled by another hub process are not seen here; ``/v1/wait`` therefore also re-checks the
database every ``recheck_s`` seconds.
"""
from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable


class BranchNotifier:
    def __init__(self) -> None:
        # Keyed by event loop, so an app object can serve several loops (as test clients do).
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, list]] = (
            weakref.WeakKeyDictionary())

    def _slot(self, branch: str) -> list:
        """[condition, generation] of ``branch`` on the running loop."""
        branches = self._per_loop.setdefault(asyncio.get_running_loop(), {})
        if branch not in branches:
            branches[branch] = [asyncio.Condition(), 0]
        return branches[branch]

    async def notify(self, branch: str) -> None:
        slot = self._slot(branch)
        async with slot[0]:
            slot[1] += 1
            slot[0].notify_all()

    async def wait_for_news(self, branch: str, newest: Callable[[], Awaitable[int]], cursor: int,
                            timeout: float, recheck_s: float) -> int | None:
        """The branch's newest seq once it exceeds ``cursor``, or None after ``timeout`` seconds."""
        slot = self._slot(branch)
        deadline = time.monotonic() + timeout
        while True:
            seen = slot[1]  # read before the check: a push after it bumps the generation
            latest = await newest()
            if latest > cursor:
                return latest
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            async with slot[0]:
                if slot[1] == seen:
                    try:
                        await asyncio.wait_for(slot[0].wait(), min(remaining, recheck_s))
                    except TimeoutError:
                        pass
