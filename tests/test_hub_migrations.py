"""The hub's Alembic migrations on real PostgreSQL, and a smoke run of the hub on its SQLite default."""
from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from counterdesk.hub import migrate
from counterdesk.hub.db import make_engine
from counterdesk.hub.models import Base
from helpers.hub import Hub, pg_database

TABLES = {"branches", "devices", "enrol_codes", "nonces", "records", "master_items", "head_office_key",
          "checkpoints", "anchored_entries", "anchored_evidence", "rate_limits"}


@pytest.fixture(scope="module")
def empty_pg():
    with pg_database("cdhubmig") as url:
        yield url


def _diff(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": migrate.VERSION_TABLE,
                                                         "compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_on_an_empty_postgresql_database(empty_pg):
    engine = make_engine(empty_pg)
    try:
        assert migrate.current_revision(engine) is None
        with pytest.raises(migrate.SchemaError, match="upgrade"):
            migrate.require_head(engine)
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision() == migrate.all_revisions()[-1]
        migrate.require_head(engine)
        names = set(inspect(engine).get_table_names())
        assert TABLES | {migrate.VERSION_TABLE} == names  # its own version table, not alembic_version
        indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("records")}
        assert indexes["ix_records_branch_seq"] == ["branch", "seq"]
        assert _diff(engine) == []  # models and migrations agree
        migrate.upgrade(engine)  # at head: nothing to do
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_a_database_from_a_newer_hub_is_refused(empty_pg):
    engine = make_engine(empty_pg)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE {migrate.VERSION_TABLE} SET version_num = '9999'")
        with pytest.raises(migrate.SchemaError, match="newer"):
            migrate.upgrade(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE {migrate.VERSION_TABLE} SET version_num = '{migrate.head_revision()}'")
    finally:
        engine.dispose()


def test_sqlite_smoke(tmp_path):
    """The embedded demo database: migrate, enrol, push twice, pull, wait, in one go."""
    url = f"sqlite:///{tmp_path / 'hub' / 'hub.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    assert _diff(engine) == []
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()
    with Hub.started(url) as hub:
        assert hub.request("GET", "/v1/health").json()["status"] == "ok"
        branch, device = hub.new_branch_with_device()
        other = hub.enrol(branch)
        records = [device.record() for _ in range(3)]
        first = hub.push(device, records).json()["receipts"]
        assert [r["status"] for r in first] == ["accepted"] * 3
        assert [r["seq"] for r in first] == sorted(r["seq"] for r in first)
        again = hub.push(device, records).json()["receipts"]
        assert [r["seq"] for r in again] == [r["seq"] for r in first]
        assert {r["status"] for r in again} == {"duplicate"}
        pulled = hub.pull(other).json()
        assert [r["id"] for r in pulled["records"]] == [r["id"] for r in records]
        assert pulled["records"][0]["created_at"] == \
            hub.pull(other).json()["records"][0]["created_at"]
        # Concurrent pushes queue for SQLite's write lock instead of failing.
        results = []
        threads = [threading.Thread(target=lambda: results.append(hub.push(device, [device.record()])))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert [r.status_code for r in results] == [200] * 4
        res = hub.signed(other, "GET", "/v1/wait", {"cursor": 0, "timeout": 1})
        assert res.status_code == 200 and res.json()["cursor"] == max(
            r.json()["receipts"][0]["seq"] for r in results)
