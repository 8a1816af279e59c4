"""Long-poll wake-ups: one asyncio.Condition per branch (and event loop), bumped after each push.

On PostgreSQL every hub process LISTENs on ``cd_records``: the trigger of hub migration 0004 sends the
branch code when a push inserts records, at commit, whichever process (or host) handled it. So a
parked ``/v1/wait`` wakes within milliseconds of a push anywhere, with no memory shared between
processes. The listener connection is opened on first use, one per event loop (one per worker), and
reopened after a failure; while it is down, and on SQLite (the one-process demo hub), waiters re-read
the database every ``recheck_s`` seconds. While it is up they still re-read now and then
(``LISTENING_RECHECK_S``) as a safety net, which costs one query per waiter per interval.
"""
from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import psycopg

CHANNEL = "cd_records"  # the channel of hub migration 0004's trigger
LISTENING_RECHECK_S = 15.0
RECONNECT_S = 2.0

log = logging.getLogger(__name__)


@dataclass
class _Loop:
    """What one event loop holds: per branch [condition, generation], and its listener."""

    branches: dict[str, list] = field(default_factory=dict)
    listener: asyncio.Task | None = None
    listening: bool = False


class BranchNotifier:
    def __init__(self, listen_conninfo: str | None = None) -> None:
        """``listen_conninfo``: a libpq connection string of the hub's PostgreSQL database, or None
        (SQLite, or no LISTEN wanted): wake-ups then come only from this process's own pushes."""
        self.listen_conninfo = listen_conninfo
        # Keyed by event loop, so an app object can serve several loops (as test clients do).
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Loop] = weakref.WeakKeyDictionary()

    def _state(self) -> _Loop:
        return self._per_loop.setdefault(asyncio.get_running_loop(), _Loop())

    def _slot(self, state: _Loop, branch: str) -> list:
        if branch not in state.branches:
            state.branches[branch] = [asyncio.Condition(), 0]
        return state.branches[branch]

    @property
    def listening(self) -> bool:
        """Whether this loop's listener is connected and LISTENing (for tests and the health view)."""
        return self._state().listening

    async def notify(self, branch: str) -> None:
        await self._bump(self._state(), branch)

    async def _bump(self, state: _Loop, branch: str) -> None:
        slot = state.branches.get(branch)
        if slot is None:
            return  # nobody in this loop ever waited for this branch
        async with slot[0]:
            slot[1] += 1
            slot[0].notify_all()

    def _start_listener(self, state: _Loop) -> None:
        if self.listen_conninfo is not None and (state.listener is None or state.listener.done()):
            state.listener = asyncio.get_running_loop().create_task(self._listen(state), name="hub-listen")

    async def _listen(self, state: _Loop) -> None:
        assert self.listen_conninfo is not None
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self.listen_conninfo, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    state.listening = True
                    # Anything pushed while nobody listened: every waiter re-reads once.
                    for branch in list(state.branches):
                        await self._bump(state, branch)
                    async for note in conn.notifies():
                        await self._bump(state, note.payload)
            except (psycopg.Error, OSError) as exc:
                log.warning("hub: LISTEN %s connection failed (%s); long polls re-check every few seconds",
                            CHANNEL, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
            finally:
                state.listening = False
            await asyncio.sleep(RECONNECT_S)

    async def close(self) -> None:
        """Stop this loop's listener (at the app's shutdown)."""
        state = self._per_loop.get(asyncio.get_running_loop())
        if state is not None and state.listener is not None:
            state.listener.cancel()
            try:
                await state.listener
            except asyncio.CancelledError:
                pass
            state.listener = None

    async def wait_for_news(self, branch: str, newest: Callable[[], Awaitable[int]], cursor: int,
                            timeout: float, recheck_s: float) -> int | None:
        """The branch's newest seq once it exceeds ``cursor``, or None after ``timeout`` seconds."""
        state = self._state()
        self._start_listener(state)
        slot = self._slot(state, branch)
        deadline = time.monotonic() + timeout
        while True:
            seen = slot[1]  # read before the check: a push after it bumps the generation
            latest = await newest()
            if latest > cursor:
                return latest
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            interval = max(recheck_s, LISTENING_RECHECK_S) if state.listening else recheck_s
            async with slot[0]:
                if slot[1] == seen:
                    try:
                        await asyncio.wait_for(slot[0].wait(), min(remaining, interval))
                    except TimeoutError:
                        pass
