"""An insider with the database key against the stored records (issue 11, findings 2 and 3).

Each attack opens the real SQLCipher file with the real key, as someone holding the branch
administrator's password could, changes what is stored behind the application's back (dropping and
re-creating triggers where the database refuses), and then runs ``verify``: through the core and, for
several, through ``counterdesk-admin verify`` itself, which must exit 2 and say what differs without
printing the personal data it found.
"""
from __future__ import annotations

import io
import json
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from counterdesk.cli import admin as cli
from counterdesk.flow.actions import IssueConfirmation
from counterdesk.services import verification
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import evidence
from counterdesk.store import ledger, outbox, triggers
from counterdesk.store.engine import make_engine
from counterdesk.store.models.core import SettingValue
from counterdesk.store.models.customers import Customer, CustomerVersion
from counterdesk.store.models.ledger import LedgerEntry
from helpers.counter import at_recommendation, choose, customer_signs
from helpers.demo import PASSWORDS, sign_in, totp_code

PHONE = "13812345678"  # the demo customer's phone (helpers.counter.kyc)


@dataclass(frozen=True)
class Sale:
    data: Path
    signoff_id: str
    document_number: str
    customer_id: str
    key: bytes  # the database key, as the insider has it


_KEYS: dict[Path, bytes] = {}  # data folder -> database key (one Argon2 derivation per copy, not per statement)


@pytest.fixture(scope="module")
def sale_template(tmp_path_factory, demo_lists_template) -> Sale:
    """The DEMO branch after one completed sale with its signed confirmation (made once, copied per test)."""
    root = tmp_path_factory.mktemp("sale-template") / "data"
    shutil.copytree(demo_lists_template, root)
    vault = Vault.open(root)
    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    customer_signs(counter_session)
    counter_session.submit()
    state = counter_session.submit(IssueConfirmation()).value
    customer_id = counter_session.state.customer_id
    vault.sign_out(counter_session.user)
    vault.close()
    key = Vault.open(root).load_slots().unlock_with_password("admin", PASSWORDS["admin"])[1]
    return Sale(root, state.signoff_id, state.document_number, customer_id, key)


@pytest.fixture
def sale(tmp_path, sale_template) -> Iterator[Sale]:
    target = tmp_path / "data"
    shutil.copytree(sale_template.data, target)
    _KEYS[target] = sale_template.key
    yield Sale(target, sale_template.signoff_id, sale_template.document_number, sale_template.customer_id,
               sale_template.key)
    _KEYS.pop(target, None)


# ---- the insider and the verifier -------------------------------------------------------------------------

def insider(data: Path, *statements: str | tuple[str, tuple]) -> None:
    """Run raw SQL on the database file with the real key, in one transaction, outside the application."""
    engine = make_engine(data / "counterdesk.db", _KEYS[data])
    try:
        with engine.begin() as conn:
            for statement in statements:
                sql, params = statement if isinstance(statement, tuple) else (statement, ())
                conn.exec_driver_sql(sql, params)
    finally:
        engine.dispose()


def raw_query(data: Path, sql: str, params: tuple = ()) -> list[tuple]:
    engine = make_engine(data / "counterdesk.db", _KEYS[data])
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql, params)]
    finally:
        engine.dispose()


def without_triggers(table: str, *statements: str | tuple[str, tuple]) -> tuple:
    """The statements wrapped in dropping the table's append-only triggers and re-creating them word for word."""
    expected = [(name, sql) for name, t, sql in triggers.EXPECTED if t == table]
    return (*(f"DROP TRIGGER {name}" for name, _sql in expected), *statements, *(sql for _name, sql in expected))


def latest_seq(data: Path, table: str, key: str) -> int:
    return raw_query(data, "SELECT max(seq) FROM record_ledger WHERE table_name = ? AND row_key = ?", (table, key))[0][0]


def verify(data: Path) -> verification.VerifyReport:
    vault = Vault.open(data)
    try:
        us = sign_in(vault, "auditor")
        return verification.verify(vault, us)
    finally:
        vault.close()


def run_verify(data: Path, capsys, monkeypatch, lang: str = "en") -> tuple[int, str]:
    """``counterdesk-admin verify`` through its real entry point, as the auditor."""
    capsys.readouterr()
    factor = totp_code("auditor")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORDS["auditor"] + "\n" + (factor + "\n" if factor else "")))
    code = cli.main(["--data-dir", str(data), "--lang", lang, "--user", "auditor", "--password-stdin", "verify"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def errors(report: verification.VerifyReport, name: str) -> list[str]:
    return [p.text.en for p in report.check(name).errors]


# ---- the untouched installation --------------------------------------------------------------------------

def test_a_real_sale_is_bound_into_the_ledger_and_verifies(sale, capsys, monkeypatch, no_terminal):
    rows = raw_query(sale.data, "SELECT table_name, op, count(*) FROM record_ledger GROUP BY table_name, op")
    tables = {t for t, _op, _n in rows}
    for table in ("customers", "customer_versions", "consents", "screenings", "assessments", "sale_decisions",
                  "signoffs", "evidence_links", "counter_sessions", "catalog_products", "branch_certificates"):
        assert table in tables, table  # catalog_products and the certificate come from bulk statements
    assert ("signoffs", "update") in {(t, op) for t, op, _n in rows}  # every state of the sign-off
    report = verify(sale.data)
    assert report.ok, [(c.name, errors(report, c.name)) for c in report.checks]
    assert [c.name for c in report.checks] == ["database", "audit", "triggers", "records", "evidence",
                                               "remote_audit", "anchors", "key_slots"]
    code, out = run_verify(sale.data, capsys, monkeypatch)
    assert code == 0 and out.splitlines()[-1] == "Verification passed. All 8 checks are ok; warnings above: 1."
    assert "✓ Records ledger" in out and "Sale evidence records checked: 1" in out


def test_a_rolled_back_write_leaves_no_ledger_entry_and_records_from_the_hub_are_ledgered(sale):
    vault = Vault.open(sale.data)
    us = sign_in(vault, "admin")
    before = vault.transact(ledger.head)

    def fail(db):
        db.add(SettingValue(key="probe.rolled_back", value="1", updated_at="2026-12-03T08:00:00+00:00"))
        db.flush()
        raise RuntimeError("rolled back")
    with pytest.raises(RuntimeError):
        vault.transact(fail)
    assert vault.transact(ledger.head) == before

    def pulled(db):  # what sync's apply does with a record from another workstation
        with outbox.applying(db):
            db.add(SettingValue(key="probe.from_hub", value="2", updated_at="2026-12-03T08:00:00+00:00"))
            db.flush()
    vault.transact(pulled)
    seq, head = vault.transact(ledger.head)
    assert seq == before[0] + 1 and vault.transact(lambda db: ledger.hashes(db, before[0])) == [(seq, head)]
    added = vault.transact(lambda db: ledger.entry(db, seq))
    assert (added.table_name, added.row_key, added.op) == ("settings", "probe.from_hub", "insert")
    assert vault.transact(ledger.verify).ok
    vault.sign_out(us)
    vault.close()


# ---- finding 3: customer records ---------------------------------------------------------------------------

def test_a_changed_phone_number_in_a_customer_version_is_found(sale, capsys, monkeypatch, no_terminal):
    key = f"{sale.customer_id}|1"
    seq = latest_seq(sale.data, "customer_versions", key)
    insider(sale.data, *without_triggers("customer_versions", (
        "UPDATE customer_versions SET data = replace(data, ?, '13900000000') WHERE customer_id = ?",
        (PHONE, sale.customer_id))))
    report = verify(sale.data)
    assert report.check("triggers").ok  # re-created word for word: only the ledger can tell
    assert errors(report, "records") == [
        f"Row {key} of customer_versions does not match ledger entry {seq} (changed outside the application)"]
    code, out = run_verify(sale.data, capsys, monkeypatch)
    assert code == 2 and "✗ Records ledger" in out and f"ledger entry {seq}" in out
    assert PHONE not in out and "13900000000" not in out  # never the personal data itself
    code, out = run_verify(sale.data, capsys, monkeypatch, lang="zh")
    assert code == 2 and f"表 customer_versions 的记录 {key} 与台账第 {seq} 条不符" in out
    assert out.splitlines()[-1].startswith("校验失败：1 项检查（共 8 项）发现问题（records）")


def test_a_changed_customer_status_is_found(sale, capsys, monkeypatch, no_terminal):
    seq = latest_seq(sale.data, "customers", sale.customer_id)
    insider(sale.data, ("UPDATE customers SET status = 'closed' WHERE id = ?", (sale.customer_id,)))
    assert errors(verify(sale.data), "records") == [
        f"Row {sale.customer_id} of customers does not match ledger entry {seq} (changed outside the application)"]
    code, out = run_verify(sale.data, capsys, monkeypatch)
    assert code == 2 and f"Row {sale.customer_id} of customers does not match ledger entry {seq}" in out


def test_a_changed_assessment_grade_is_found(sale):
    (assessment_id,) = raw_query(sale.data, "SELECT id FROM assessments WHERE grade IS NOT NULL")[0]
    seq = latest_seq(sale.data, "assessments", assessment_id)
    insider(sale.data, ("UPDATE assessments SET grade = 'C5' WHERE id = ?", (assessment_id,)))
    assert errors(verify(sale.data), "records") == [
        f"Row {assessment_id} of assessments does not match ledger entry {seq} (changed outside the application)"]


def test_a_changed_sale_decision_is_found(sale, capsys, monkeypatch, no_terminal):
    (decision_id,) = raw_query(sale.data, "SELECT id FROM sale_decisions")[0]
    seq = latest_seq(sale.data, "sale_decisions", decision_id)
    insider(sale.data, *without_triggers("sale_decisions", "UPDATE sale_decisions SET amount = '5000000.00'"))
    assert errors(verify(sale.data), "records") == [
        f"Row {decision_id} of sale_decisions does not match ledger entry {seq} (changed outside the application)"]
    code, _out = run_verify(sale.data, capsys, monkeypatch)
    assert code == 2


def test_two_rows_with_their_contents_swapped_are_both_found(sale):
    """The high-risk and the low-risk product trade places (every column but the key)."""
    rows = raw_query(sale.data, "SELECT version, code, risk_level FROM catalog_products ORDER BY risk_level")
    (version, low, low_risk), (_v, high, high_risk) = rows[0], rows[-1]
    assert low_risk != high_risk
    cols = [c for (c,) in raw_query(sale.data, "SELECT name FROM pragma_table_info('catalog_products')")
            if c not in ("version", "code")]

    def take(source: str, target: str) -> tuple[str, tuple]:
        assign = ", ".join(f"{c} = (SELECT {c} FROM t WHERE version = ? AND code = ?)" for c in cols)
        return (f"UPDATE catalog_products SET {assign} WHERE version = ? AND code = ?",
                (version, source) * len(cols) + (version, target))
    insider(sale.data, "CREATE TEMP TABLE t AS SELECT * FROM catalog_products", take(high, low), take(low, high))
    assert raw_query(sale.data, "SELECT risk_level FROM catalog_products WHERE version = ? AND code = ?",
                     (version, low))[0][0] == high_risk
    found = errors(verify(sale.data), "records")
    assert len(found) == 1 and found[0].endswith("(changed outside the application); 1 more")
    assert found[0].startswith((f"Row {version}|{low} of catalog_products does not match ledger entry",
                                f"Row {version}|{high} of catalog_products does not match ledger entry"))


def test_a_deleted_record_row_is_found(sale, capsys, monkeypatch, no_terminal):
    (consent_id,) = raw_query(sale.data, "SELECT id FROM consents")[0]
    seq = latest_seq(sale.data, "consents", consent_id)
    insider(sale.data, ("DELETE FROM consents WHERE id = ?", (consent_id,)))
    assert errors(verify(sale.data), "records") == [
        f"Row {consent_id} of consents (ledger entry {seq}) is missing (deleted outside the application)"]
    code, out = run_verify(sale.data, capsys, monkeypatch)
    assert code == 2 and "is missing (deleted outside the application)" in out


def test_a_row_written_outside_the_application_is_found(sale):
    insider(sale.data, *without_triggers("customer_versions", (
        "INSERT INTO customer_versions (customer_id, version, form_id, form_version, form_hash, data, created_at, "
        "created_by, reason) SELECT customer_id, 2, form_id, form_version, form_hash, data, created_at, created_by, "
        "'moved' FROM customer_versions WHERE customer_id = ? AND version = 1", (sale.customer_id,))))
    assert errors(verify(sale.data), "records") == [
        f"Row {sale.customer_id}|2 of customer_versions is not in the ledger (written outside the application)"]


# ---- the triggers of every table ----------------------------------------------------------------------------

@pytest.mark.parametrize("table", ["customer_versions", "sale_decisions", "evidence_links", "approval_requests",
                                   "record_ledger"])
def test_dropped_triggers_of_any_table_are_found(sale, table):
    names = [name for name, t, _sql in triggers.EXPECTED if t == table]
    insider(sale.data, *(f"DROP TRIGGER {name}" for name in names))
    report = verify(sale.data)
    assert not report.ok and report.check("records").ok
    assert errors(report, "triggers") == [
        f"The append-only trigger {name} of {table} is missing (append-only triggers were removed)" for name in names]


def test_a_trigger_re_created_to_do_nothing_is_found(sale, capsys, monkeypatch, no_terminal):
    insider(sale.data, "DROP TRIGGER evidence_links_no_update",
            "CREATE TRIGGER evidence_links_no_update BEFORE UPDATE ON evidence_links BEGIN SELECT 1; END")
    assert errors(verify(sale.data), "triggers") == [
        "The trigger evidence_links_no_update of evidence_links was rewritten: it is not the protection the "
        "migration created"]
    code, out = run_verify(sale.data, capsys, monkeypatch)
    assert code == 2 and "✗ Append-only protection (database triggers)" in out


# ---- finding 2: the evidence chain against the signed paper ------------------------------------------------

def _rehash_evidence(sale: Sale) -> None:
    """Turn the recording consent into a refusal, re-hash the chain from there (the pdf link's
    payload included) and store the new head as signoffs.evidence_hash: every local figure agrees."""
    links = raw_query(sale.data, "SELECT id, seq, kind, payload FROM evidence_links WHERE signoff_id = ? ORDER BY seq",
                      (sale.signoff_id,))
    prev, statements, head = evidence.genesis(sale.signoff_id), [], None
    for link_id, seq, kind, payload in links:
        body = json.loads(payload)
        if kind == "recording":
            body["consent"] = False
        if kind == "pdf":
            head = prev
            body["evidence_hash"] = prev
        text = evidence.canonical(body)
        digest = evidence.link_hash(prev, seq, kind, text)
        statements.append(("UPDATE evidence_links SET payload = ?, prev_hash = ?, hash = ? WHERE id = ?",
                           (text, prev, digest, link_id)))
        prev = digest
    assert head is not None
    insider(sale.data, *without_triggers("evidence_links", *statements),
            ("UPDATE signoffs SET evidence_hash = ? WHERE id = ?", (head, sale.signoff_id)))


def test_a_rehashed_evidence_chain_is_caught_by_the_signed_confirmation(sale, capsys, monkeypatch, no_terminal):
    _rehash_evidence(sale)
    vault = Vault.open(sale.data)
    sign_in(vault, "auditor")
    # What verify checked before: the chain and the stored figures agree with each other ...
    assert vault.transact(lambda db: evidence.verify_all(db, paper=False)).ok
    # ... but not with the evidence hash inside the signed PDF.
    found = vault.transact(evidence.verify_all).problems
    vault.close()
    number = sale.document_number
    assert f"sale {number}: the evidence hash inside the signed PDF" in found[0]
    assert "differs from the recomputed evidence chain" in found[0]
    assert found[1] == (f"sale {number}: the evidence hash inside the signed PDF differs from the sign-off's record "
                        "(signoffs.evidence_hash)")
    report = verify(sale.data)
    assert not report.check("evidence").ok and not report.check("records").ok  # the ledger sees it too
    code, out = run_verify(sale.data, capsys, monkeypatch)
    assert code == 2 and "✗ Sale evidence and signed confirmations" in out and number in out
    code, out = run_verify(sale.data, capsys, monkeypatch, lang="zh")
    assert code == 2 and f"销售 {number}：签名的确认书 PDF 中的证据哈希" in out


def test_a_removed_confirmation_pdf_is_found(sale):
    insider(sale.data, ("UPDATE signoffs SET pdf = NULL, pdf_sha256 = NULL WHERE id = ?", (sale.signoff_id,)))
    found = [p.text.en for p in verify(sale.data).check("evidence").errors]
    assert found == [f"sale {sale.document_number}: the sale is completed but its confirmation PDF is not stored"]


# ---- re-hashing the ledger itself ---------------------------------------------------------------------------

def _forge_entry(data: Path, table: str, cols: tuple[str, ...], key: str, op: str = "update") -> None:
    """Append a ledger entry for the row as it is stored now, correctly chained after the head."""
    where = " AND ".join(f"{c} = ?" for c in cols)
    names = [n for (n,) in raw_query(data, f"SELECT name FROM pragma_table_info('{table}')")]
    values = raw_query(data, f"SELECT * FROM {table} WHERE {where}", tuple(key.split("|")))[0]
    sha = ledger.row_sha256(dict(zip(names, values, strict=True)))
    seq, prev = raw_query(data, "SELECT seq, hash FROM record_ledger ORDER BY seq DESC LIMIT 1")[0]
    ts = "2026-12-03T09:00:00.000000+00:00"
    digest = ledger.entry_hash(prev, seq + 1, ts, table, key, op, sha)
    insider(data, ("INSERT INTO record_ledger (seq, ts, table_name, row_key, op, row_sha256, prev_hash, hash) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (seq + 1, ts, table, key, op, sha, prev, digest)))


def test_a_forged_ledger_entry_for_an_append_only_record_is_found(sale):
    key = f"{sale.customer_id}|1"
    insider(sale.data, *without_triggers("customer_versions", (
        "UPDATE customer_versions SET data = replace(data, ?, '13900000000') WHERE customer_id = ?",
        (PHONE, sale.customer_id))))
    _forge_entry(sale.data, "customer_versions", ("customer_id", "version"), key)
    seq = latest_seq(sale.data, "customer_versions", key)
    assert errors(verify(sale.data), "records") == [
        f"Row {key} of the append-only table customer_versions was changed or removed (ledger entry {seq})"]


def test_a_ledger_entry_changed_without_re_hashing_is_found(sale):
    seq = latest_seq(sale.data, "customers", sale.customer_id)
    insider(sale.data, ("UPDATE customers SET status = 'closed' WHERE id = ?", (sale.customer_id,)),
            "DROP TRIGGER record_ledger_no_update",
            ("UPDATE record_ledger SET row_sha256 = ? WHERE seq = ?", ("0" * 64, seq)),
            next(sql for name, _t, sql in triggers.EXPECTED if name == "record_ledger_no_update"))
    found = errors(verify(sale.data), "records")
    assert found[0] == (f"The records ledger is broken at entry {seq}: entry content does not match its hash "
                        "(changed after writing)")


def test_rewriting_a_row_and_re_hashing_the_ledger_passes_the_local_checks(sale):
    """The limit of any local check: whoever holds the key changes customers.status and then rewrites
    the ledger from that row's entry on, re-hashing every later entry. Locally the chain is consistent
    again; only a copy of the head kept elsewhere can tell: the hub's checkpoints
    (tests/test_anchoring.py::test_a_rewritten_records_ledger_is_named) and the printed end-of-day
    journal (tests/test_journal.py). The local checks are shown to pass so that nobody mistakes them
    for more than they are. An appended forged entry for a changeable table (``_forge_entry``) is the
    same case: indistinguishable from a legitimate write until the head is anchored."""
    seq = latest_seq(sale.data, "customers", sale.customer_id)
    before = raw_query(sale.data, "SELECT hash FROM record_ledger WHERE seq = ?", (seq,))[0][0]
    insider(sale.data, ("UPDATE customers SET status = 'closed' WHERE id = ?", (sale.customer_id,)))
    names = [n for (n,) in raw_query(sale.data, "SELECT name FROM pragma_table_info('customers')")]
    row = dict(zip(names, raw_query(sale.data, "SELECT * FROM customers WHERE id = ?", (sale.customer_id,))[0],
                   strict=True))
    entries = raw_query(sale.data, "SELECT seq, ts, table_name, row_key, op, row_sha256, prev_hash FROM record_ledger "
                                   "WHERE seq >= ? ORDER BY seq", (seq,))
    statements: list = ["DROP TRIGGER record_ledger_no_update"]
    prev = entries[0][6]
    for e_seq, ts, table, key, op, sha, _prev in entries:
        if e_seq == seq:
            sha = ledger.row_sha256(row)
        digest = ledger.entry_hash(prev, e_seq, ts, table, key, op, sha)
        statements.append(("UPDATE record_ledger SET row_sha256 = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                           (sha, prev, digest, e_seq)))
        prev = digest
    statements.append(next(sql for name, _t, sql in triggers.EXPECTED if name == "record_ledger_no_update"))
    insider(sale.data, *statements)
    report = verify(sale.data)
    assert report.check("records").ok and report.check("triggers").ok  # locally undetectable ...
    vault = Vault.open(sale.data)
    sign_in(vault, "auditor")
    rewritten = dict(vault.transact(ledger.hashes))[seq]
    vault.close()
    assert rewritten != before  # ... but the anchored hash of entry ``seq`` no longer matches


# ---- speed ---------------------------------------------------------------------------------------------------

def test_verify_of_twenty_thousand_records_takes_seconds(sale):
    vault = Vault.open(sale.data)
    us = sign_in(vault, "admin")
    (form_hash,) = vault.transact(lambda db: db.execute(
        select(CustomerVersion.form_hash).limit(1)).first())
    ts = "2026-12-03T08:00:00+00:00"

    def add(db):
        ids = [str(uuid.uuid4()) for _ in range(10_000)]
        db.execute(insert(Customer), [{"id": i, "created_at": ts, "created_by": us.user_id, "current_version": 1,
                                       "status": "active"} for i in ids])
        db.execute(insert(CustomerVersion), [
            {"customer_id": i, "version": 1, "form_id": "kyc", "form_version": 1, "form_hash": form_hash,
             "data": json.dumps({"name_zh": "测试", "phone": f"139{n:08d}"}), "created_at": ts,
             "created_by": us.user_id} for n, i in enumerate(ids)])
    vault.transact(add)
    assert vault.transact(lambda db: db.query(LedgerEntry).count()) > 20_000
    started = time.monotonic()
    check = vault.transact(ledger.verify)
    elapsed = time.monotonic() - started
    assert check.ok
    assert elapsed < 10, elapsed  # one pass per table; about a second on a laptop
    vault.sign_out(us)
    vault.close()
