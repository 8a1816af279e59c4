"""Rate limits kept in the hub's database (table ``rate_limits``, hub migration 0004), so that one limit
holds across every worker process and hub host: a fixed window per bucket, counted with one atomic
upsert (``INSERT … ON CONFLICT DO UPDATE``), read with one primary-key lookup."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, case, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from counterdesk.hub.models import RateLimit

_TABLE = cast(Table, RateLimit.__table__)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per ``window_s`` seconds in one bucket."""

    count: int
    window_s: float


def available(engine: Engine) -> bool:
    """Whether the database has the table (hub migration 0004 or later)."""
    with engine.connect() as conn:
        return inspect(conn).has_table(_TABLE.name)


def used(conn: Connection, bucket: str, limit: Limit, now: datetime) -> tuple[int, float]:
    """(events in the bucket's current window, seconds until that window ends)."""
    row = conn.execute(select(_TABLE.c.window_start, _TABLE.c.count).where(_TABLE.c.bucket == bucket)).first()
    if row is None:
        return 0, 0.0
    window_start, events = row  # by position: a Row's .count is tuple.count
    ends = window_start + timedelta(seconds=limit.window_s)
    if ends <= now:
        return 0, 0.0
    return int(events), (ends - now).total_seconds()


def count(conn: Connection, bucket: str, limit: Limit, now: datetime) -> int:
    """Add one event to the bucket (a new window once the old one ended); the window's count after it."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(_TABLE).values(bucket=bucket, window_start=now, count=1)
    expired = _TABLE.c.window_start <= now - timedelta(seconds=limit.window_s)
    upsert = stmt.on_conflict_do_update(index_elements=[_TABLE.c.bucket], set_={
        "window_start": case((expired, stmt.excluded.window_start), else_=_TABLE.c.window_start),
        "count": case((expired, 1), else_=_TABLE.c.count + 1)}).returning(_TABLE.c.count)
    return int(conn.execute(upsert).scalar_one())
