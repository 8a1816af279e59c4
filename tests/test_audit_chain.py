"""The hash-chained, append-only audit log, on a real SQLCipher database."""
from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError as SADatabaseError

from counterdesk.base.actors import Actor
from counterdesk.services import verification
from counterdesk.services.auth.vault import Vault
from counterdesk.store import audit, triggers
from counterdesk.store.engine import make_engine
from counterdesk.store.models.core import AuditEntry
from helpers.demo import PASSWORDS, totp_code

ACTOR = Actor("u-1", "probe", "ws-test")


def _add_entries(vault: Vault, us, n: int = 5) -> None:
    def write(db):
        for i in range(n):
            audit.append(db, us.actor, "probe.event", "thing", f"obj-{i}", {"count": i, "result": "ok"})
    vault.transact(write)


@pytest.fixture
def chain_db(demo_dir):
    """(vault, key, db path) with a few extra entries written, vault signed out and closed."""
    vault = Vault.open(demo_dir)
    us = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    key = vault._key
    _add_entries(vault, us, 6)
    vault.sign_out(us)
    return vault, key, demo_dir / "counterdesk.db"


def _verify(path, key) -> audit.ChainReport:
    engine = make_engine(path, key)
    try:
        with engine.connect() as conn:
            from sqlalchemy.orm import Session
            with Session(bind=conn) as session:
                return audit.verify(session)
    finally:
        engine.dispose()


def _raw(path, key, *statements: str) -> None:
    engine = make_engine(path, key)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def test_appended_entries_verify(chain_db):
    vault, key, path = chain_db
    report = _verify(path, key)
    assert report.ok
    assert report.first_broken is None and report.reason is None
    assert report.append_only_enforced
    # install.created + 4 user.created + 2 DEMO factors enrolled + sign-in + 6 probes + sign-out
    assert report.entries == 1 + 4 + 2 + 1 + 6 + 1
    assert len(report.head_hash) == 64


def test_entries_link_to_each_other(demo_vault, sign_in):
    us = sign_in("admin")
    _add_entries(demo_vault, us, 3)
    rows = demo_vault.transact(lambda s: list(reversed(audit.recent(s, 1000))))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
        assert audit.compute_hash(before.hash, after) == after.hash
    report = verification.verify(demo_vault, us)
    assert report.ok and report.check("database").ok and report.check("audit").ok
    last = demo_vault.transact(lambda s: audit.recent(s, 1)[0])
    assert last.action == "audit.verified"


def test_modified_row_is_named_as_first_broken(chain_db):
    vault, key, path = chain_db
    _raw(path, key, "DROP TRIGGER audit_log_no_update",
         "UPDATE audit_log SET details = '{\"count\":99,\"result\":\"ok\"}' WHERE seq = 8")
    report = _verify(path, key)
    assert not report.ok
    assert report.first_broken == 8
    assert "hash" in report.reason
    assert report.append_only_enforced is False

    # The vault's own verify (what the UI and CLI run) reports the same seq.
    us = vault.sign_in("auditor", PASSWORDS["auditor"])
    result = verification.verify(vault, us)
    assert not result.ok
    assert result.chain.first_broken == 8
    # One result per check, in order; the audit chain and the missing trigger each fail their own.
    # (anchors: a warning only, this workstation is not enrolled)
    assert [c.name for c in result.checks] == ["database", "audit", "triggers", "records", "evidence",
                                               "remote_audit", "anchors", "key_slots"]
    assert [c.name for c in result.failed] == ["audit", "triggers", "records"]  # the ledger binds audit rows too
    assert [p.text.en for p in result.check("audit").errors] == [
        "first broken entry: #8 (entry content does not match its hash (changed after writing))"]
    assert [p.code for p in result.check("triggers").errors] == ["trigger_missing"]
    logged = vault.transact(lambda s: audit.recent(s, 1)[0])
    assert logged.action == "audit.verified"
    assert json.loads(logged.details)["checks"] == ["audit", "triggers", "records"]
    vault.sign_out(us)


def test_rehashed_row_breaks_the_next_link(chain_db):
    """An attacker who recomputes the changed row's own hash is caught at the following row."""
    vault, key, path = chain_db
    engine = make_engine(path, key)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            row = dict(conn.exec_driver_sql("SELECT * FROM audit_log WHERE seq = 5").mappings().one())
            row["actor_name"] = "mallory"
            new_hash = audit.compute_hash(row["prev_hash"], row)
            conn.execute(text("UPDATE audit_log SET actor_name='mallory', hash=:h WHERE seq=5"), {"h": new_hash})
    finally:
        engine.dispose()
    report = _verify(path, key)
    assert report.first_broken == 6
    assert "previous-hash" in report.reason


def test_deleted_middle_row_is_reported_as_gap(chain_db):
    vault, key, path = chain_db
    _raw(path, key, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 7")
    report = _verify(path, key)
    assert not report.ok
    assert report.first_broken == 8
    assert "sequence gap" in report.reason and "expected 7" in report.reason


def test_deleted_last_rows_leave_a_valid_prefix_but_triggers_missing(chain_db):
    vault, key, path = chain_db
    _raw(path, key, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq >= 10")
    report = _verify(path, key)
    assert report.first_broken is None
    assert report.entries == 9
    assert not report.ok and not report.append_only_enforced


# ---- finding 1, the local half: the records ledger binds every audit row -----------------------------------

def _count(path, key) -> int:
    engine = make_engine(path, key)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT max(seq) FROM audit_log").scalar()
    finally:
        engine.dispose()


def _auditor_verify(vault: Vault) -> verification.VerifyReport:
    us = vault.sign_in("auditor", PASSWORDS["auditor"])
    try:
        return verification.verify(vault, us)
    finally:
        vault.sign_out(us)


def test_deleted_tail_with_triggers_re_created_is_found_by_the_ledger(chain_db):
    """Deleting the last audit rows and putting the trigger back leaves a valid chain prefix: the audit
    check alone cannot see it (finding 1); the ledger entries of the removed rows remain."""
    vault, key, path = chain_db
    last = _count(path, key)
    delete_trigger = next(sql for name, _t, sql in triggers.EXPECTED if name == "audit_log_no_delete")
    _raw(path, key, "DROP TRIGGER audit_log_no_delete", f"DELETE FROM audit_log WHERE seq >= {last - 1}",
         delete_trigger)
    assert _verify(path, key).ok  # the chain that is left is consistent
    report = _auditor_verify(vault)
    assert report.check("audit").ok and report.check("triggers").ok
    # The auditor's own sign-in wrote a new entry at seq ``last - 1``; the one the ledger bound there is gone.
    reused, removed = [p.text.en for p in report.check("records").errors]
    assert reused.startswith(f"Row {last - 1} of the append-only table audit_log was changed or removed")
    assert removed.startswith(f"Row {last} of audit_log (ledger entry ")
    assert removed.endswith("is missing (deleted outside the application)")


def test_rewritten_and_re_hashed_audit_chain_is_found_by_the_ledger(chain_db):
    """Change entry 5 and re-hash every entry after it: the audit chain is consistent again, the
    ledger still holds the rows as they were written."""
    vault, key, path = chain_db
    engine = make_engine(path, key)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            rows = [dict(r) for r in conn.exec_driver_sql("SELECT * FROM audit_log ORDER BY seq").mappings()]
            prev = audit.GENESIS
            for row in rows:
                if row["seq"] == 5:
                    row["actor_name"] = "mallory"
                row["prev_hash"] = prev
                row["hash"] = audit.compute_hash(prev, row)
                prev = row["hash"]
                conn.exec_driver_sql("UPDATE audit_log SET actor_name = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                                     (row["actor_name"], row["prev_hash"], row["hash"], row["seq"]))
            conn.exec_driver_sql(next(sql for name, _t, sql in triggers.EXPECTED if name == "audit_log_no_update"))
    finally:
        engine.dispose()
    assert _verify(path, key).ok
    report = _auditor_verify(vault)
    assert report.check("audit").ok and report.check("triggers").ok
    (found,) = [p.text.en for p in report.check("records").errors]
    assert found.startswith("Row 5 of audit_log does not match ledger entry ")
    assert found.endswith(f"(changed outside the application); {len(rows) - 5} more")


def test_triggers_refuse_update_and_delete(chain_db):
    vault, key, path = chain_db
    engine = make_engine(path, key)
    try:
        for sql in ("UPDATE audit_log SET actor_name = 'x' WHERE seq = 2",
                    "DELETE FROM audit_log WHERE seq = 2",
                    "DELETE FROM audit_log"):
            with pytest.raises(SADatabaseError, match="append-only"):
                with engine.begin() as conn:
                    conn.exec_driver_sql(sql)
    finally:
        engine.dispose()
    assert _verify(path, key).ok


def test_update_through_the_orm_is_refused(demo_vault, sign_in):
    us = sign_in("admin")

    def tamper(db):
        row = db.get(AuditEntry, 1)
        row.action = "nothing.happened"
    with pytest.raises(SADatabaseError, match="append-only"):
        demo_vault.transact(tamper)
    assert verification.verify(demo_vault, us).ok


@pytest.mark.parametrize("trigger", ["audit_log_no_update", "audit_log_no_delete"])
def test_removing_a_trigger_alone_is_reported(chain_db, trigger):
    vault, key, path = chain_db
    _raw(path, key, f"DROP TRIGGER {trigger}")
    report = _verify(path, key)
    assert report.first_broken is None
    assert report.append_only_enforced is False
    assert not report.ok
    assert "trigger" in report.reason


def test_details_keys_outside_the_allow_list_are_refused(demo_vault, sign_in):
    us = sign_in("admin")
    count = demo_vault.transact(lambda s: s.query(AuditEntry).count())
    for bad in ({"id_number": "110***002X"}, {"phone": "138****5678"}, {"count": 1, "name": "x"}):
        with pytest.raises(ValueError, match="allow-list"):
            demo_vault.record(us, "probe", None, None, bad)
    # Nothing was written, and the chain still verifies.
    assert demo_vault.transact(lambda s: s.query(AuditEntry).count()) == count
    demo_vault.record(us, "probe", None, None, {"count": 1, "masked": "110***002X"})
    assert demo_vault.transact(lambda s: s.query(AuditEntry).count()) == count + 1


def test_rolled_back_transaction_leaves_no_entry(demo_vault, sign_in):
    us = sign_in("admin")
    count = demo_vault.transact(lambda s: s.query(AuditEntry).count())

    def fail(db):
        audit.append(db, us.actor, "probe.should_vanish")
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        demo_vault.transact(fail)
    assert demo_vault.transact(lambda s: s.query(AuditEntry).count()) == count
    assert verification.verify(demo_vault, us).ok


# ---- property: verify_rows finds the first modified entry of any chain ---------------------------

_FIELDS = ("seq", "ts", "actor_id", "actor_name", "workstation", "action", "object_type", "object_id",
           "details", "prev_hash", "hash")

_entry = st.fixed_dictionaries({
    "actor_id": st.one_of(st.none(), st.uuids().map(str)),
    "actor_name": st.text(min_size=1, max_size=12),
    "workstation": st.text(min_size=1, max_size=8),
    "action": st.sampled_from(["auth.signed_in", "user.created", "settings.changed", "probe"]),
    "object_type": st.one_of(st.none(), st.sampled_from(["user", "setting"])),
    "object_id": st.one_of(st.none(), st.text(max_size=10)),
    "details": st.dictionaries(st.sampled_from(sorted(audit.SAFE_DETAIL_KEYS)),
                               st.one_of(st.integers(), st.text(max_size=8)), max_size=3),
})


def _build_chain(entries: list[dict]) -> list[AuditEntry]:
    rows, prev = [], audit.GENESIS
    for i, e in enumerate(entries, start=1):
        row = AuditEntry(seq=i, ts=f"2026-01-01T00:00:{i:02d}.000000+00:00", actor_id=e["actor_id"],
                         actor_name=e["actor_name"], workstation=e["workstation"], action=e["action"],
                         object_type=e["object_type"], object_id=e["object_id"],
                         details=audit._details_json(e["details"]), prev_hash=prev)
        row.hash = audit.compute_hash(prev, row)
        prev = row.hash
        rows.append(row)
    return rows


def _changed(value, field: str, draw):
    if field == "seq":
        return value + draw(st.sampled_from([1, 2, -1, 100]))
    if value is None:
        return draw(st.text(max_size=5))
    new = draw(st.text(min_size=1, max_size=8))
    return value + new if draw(st.booleans()) else new + value


@settings(max_examples=150, deadline=None)
@given(st.lists(_entry, min_size=1, max_size=25), st.data())
def test_verify_rows_finds_the_first_modified_entry(entries, data):
    rows = _build_chain(entries)
    count, broken, reason, head = audit.verify_rows(rows)
    assert (count, broken, reason, head) == (len(rows), None, None, rows[-1].hash)

    victim = data.draw(st.integers(min_value=0, max_value=len(rows) - 1), label="victim")
    field = data.draw(st.sampled_from(_FIELDS), label="field")
    old = getattr(rows[victim], field)
    new = _changed(old, field, data.draw)
    if field == "seq" and new == old:
        new = old + 1
    setattr(rows[victim], field, new)
    # Sometimes the attacker also changes later rows: the report still names the first.
    if data.draw(st.booleans(), label="more") and victim + 1 < len(rows):
        later = data.draw(st.integers(min_value=victim + 1, max_value=len(rows) - 1))
        rows[later].actor_name = rows[later].actor_name + "!"
    count, broken, reason, _ = audit.verify_rows(rows)
    if field == "seq":
        assert broken == new  # the sequence check fires first and reports the seq it found
    else:
        assert broken == victim + 1
    assert reason
    assert count == victim + 1


@settings(max_examples=60, deadline=None)
@given(st.lists(_entry, min_size=3, max_size=15), st.data())
def test_verify_rows_finds_a_removed_entry(entries, data):
    rows = _build_chain(entries)
    gone = data.draw(st.integers(min_value=0, max_value=len(rows) - 2))
    del rows[gone]
    _, broken, reason, _ = audit.verify_rows(rows)
    assert broken == gone + 2
    assert "sequence gap" in reason
