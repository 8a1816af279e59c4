"""Data rights in the core (个人信息保护法 Arts 44-47), on a real demo store: the access export (complete,
encrypted under its password, masked on paper, audited), the restriction after a deletion request
(every processing path refused with the Art 47 reason), the retention job (dry run changes nothing; a
run purges, leaves a tombstone and an audit entry, and verify still passes), and the sync of a
restriction and a tombstone to a second workstation."""
from __future__ import annotations

import io
import json
import os
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PasswordType, PdfReader
from sqlalchemy import func, select, text

from counterdesk.base.roles import PermissionDenied
from counterdesk.flow.actions import ChooseProduct, IssueConfirmation, Propose
from counterdesk.flow.counter_session import CounterSession
from counterdesk.hub.record_types import meta_keys_not_allowed
from counterdesk.services import verification
from counterdesk.services.assessment import repository as assessments
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import aml, counter_sessions, data_rights, repository
from counterdesk.services.customers.data_rights import CustomerRestricted
from counterdesk.services.privacy import export
from counterdesk.services.retention import job
from counterdesk.services.sanctions import screening
from counterdesk.services.sync import apply
from counterdesk.store import ledger
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.customers import Customer, CustomerVersion
from counterdesk.store.models.data_rights import CustomerRestriction, RetentionTombstone
from counterdesk.store.models.sync import Inbox, Outbox
from helpers.counter import MIDDLE, YOUNG, at_recommendation, choose, customer_signs, identify, kyc
from helpers.demo import PASSWORDS, totp_code
from helpers.insider import insider

ID_NUMBER = MIDDLE.id_number  # 110105198005050023
PASSWORD = "Kehu-Mima-2026"


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def user(vault, name):
    return vault.sign_in(name, PASSWORDS[name], totp_code(name))


def sold(vault) -> tuple[str, CounterSession]:
    """A customer with a completed, confirmed sale (below the due-diligence threshold)."""
    counter_session = at_recommendation(vault, option=3, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)
    proposal = counter_session.submit(Propose("20000", {"investable_assets": "5000000"})).value
    code = next(c for c, d in proposal.decisions.items() if d.outcome == "recommended")
    choose(counter_session, code, amount="20000")
    customer_signs(counter_session)
    assert counter_session.submit(IssueConfirmation()).value.status == "completed"
    return counter_session.state.customer_id, counter_session


def audit_of(vault, action: str) -> list[dict]:
    return vault.transact(lambda db: [json.loads(d) for d in db.scalars(
        select(AuditEntry.details).where(AuditEntry.action == action).order_by(AuditEntry.seq))])


def pdf_text(data: bytes, password: str | None = None) -> str:
    reader = PdfReader(io.BytesIO(data))
    if password is not None:
        assert reader.decrypt(password) != PasswordType.NOT_DECRYPTED
    return "".join(page.extract_text() for page in reader.pages)


# ---- access request ----------------------------------------------------------------------------------------

def test_the_access_export_is_complete_encrypted_under_its_password_and_masked_on_paper(vault, tmp_path):
    customer_id, _ = sold(vault)
    supervisor = user(vault, "supervisor")
    target = tmp_path / "export.pdf"
    info = export.export_encrypted(vault, supervisor, customer_id, target, PASSWORD, lang="zh")

    def held(db):
        one = {"versions": "customer_versions WHERE customer_id = :c", "consents": "consents WHERE customer_id = :c",
               "aml_ratings": "aml_ratings WHERE customer_id = :c", "screenings": "screenings WHERE subject_ref = :c",
               "assessments": "assessments WHERE customer_id = :c",
               "sale_decisions": "sale_decisions WHERE customer_id = :c", "signoffs": "signoffs WHERE customer_id = :c",
               "sessions": "counter_sessions WHERE customer_id = :c"}
        return {k: db.execute(text(f"SELECT COUNT(*) FROM {w}"), {"c": customer_id}).scalar() for k, w in one.items()}
    counts = vault.transact(held)
    assert all(n >= 1 for n in counts.values()), counts
    assert {k: info.sections[k] for k in counts} == counts  # every record of every kind is in the export
    assert info.sections["customer"] == 1 and info.sections["restriction"] == 0

    # The file: private, encrypted (AES-256), opens with the password only, holds the values in clear.
    data = target.read_bytes()
    assert data == info.pdf and os.stat(target).st_mode & 0o777 == 0o600
    reader = PdfReader(io.BytesIO(data))
    assert reader.is_encrypted
    assert reader.decrypt("wrong-password") == PasswordType.NOT_DECRYPTED
    assert b"/AESV3" in data and ID_NUMBER.encode() not in data
    clear = pdf_text(data, PASSWORD)
    assert ID_NUMBER in clear and "个人信息查阅副本" in clear
    for title in export.TITLES.values():
        assert title.zh in clear
    # Screenings: the outcome, never the lists' internals.
    labels = {label.en for row in vault.transact(
        lambda db: export.collect(db, customer_id, False).section("screenings").rows) for label, _v in row}
    assert labels == {"Time", "Outcome", "Reviewed", "Decision"}

    # The printout: identifiers masked.
    printed = export.printout(vault, supervisor, customer_id, lang="en")
    paper = pdf_text(printed.pdf)
    assert "Copy of your personal information" in paper and ID_NUMBER not in paper
    assert "110" in paper and "0023" in paper

    entries = audit_of(vault, "privacy.access_exported")
    assert [(e["format"], e["encrypted"]) for e in entries] == [("encrypted_pdf", True), ("printout", False)]
    assert all(ID_NUMBER not in json.dumps(e) for e in entries)
    with pytest.raises(export.ExportError):
        export.export_encrypted(vault, supervisor, customer_id, tmp_path / "short.pdf", "short")
    with pytest.raises(PermissionDenied):
        export.printout(vault, user(vault, "teller"), customer_id)


# ---- restriction -------------------------------------------------------------------------------------------

def test_a_restricted_customer_is_stored_but_every_processing_path_is_refused(vault):
    # A session at the recommendation step, then the customer asks for deletion.
    counter_session = at_recommendation(vault, option=3, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)
    customer_id = counter_session.state.customer_id
    teller, supervisor = counter_session.user, user(vault, "supervisor")
    with pytest.raises(PermissionDenied):
        data_rights.restrict(vault, teller, customer_id)
    asked = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    info = data_rights.restrict(vault, supervisor, customer_id, requested_at=asked)
    assert info.requested_at.startswith("2026-11-30") and info.recorded_by == supervisor.user_id
    # No sale yet: KYC, 10 years from the end of the relationship (today's session came after the request).
    until = data_rights.add_years(datetime.now(UTC).date(), 10).isoformat()
    assert info.basis == data_rights.KYC and info.retain_until == until
    assert "第四十七条" in info.message.zh and "PIPL Art 47" in info.message.en
    assert data_rights.restrict(vault, supervisor, customer_id).recorded_at == info.recorded_at  # kept once
    assert audit_of(vault, "customer.restricted") == [
        {"reason_code": "deletion_request", "basis": "kyc", "retain_until": until}]

    # Every screen's data says so.
    found = repository.find_by_document(vault, teller, "resident_id", ID_NUMBER)
    assert found is not None and found.restriction == info.message
    assert repository.get_customer(vault, teller, customer_id).restriction == info.message
    assert [s.restriction for s in repository.search_by_name(vault, teller, found.name[0])
            if s.customer_id == customer_id] == [info.message]

    def refused(call) -> None:
        with pytest.raises(CustomerRestricted) as caught:
            call()
        assert caught.value.code == "customer_restricted" and "Art 47" in caught.value.text.en

    # The sale in progress cannot be concluded.
    proposal = counter_session.submit(Propose("20000", {"investable_assets": "5000000"})).value
    code = next(c for c, d in proposal.decisions.items() if d.outcome == "recommended")
    refused(lambda: counter_session.submit(ChooseProduct(code, customer_initiated=False)))
    refused(lambda: assessments.start_assessment(vault, teller, customer_id, counter_session.session_id))
    refused(lambda: screening.screen(vault, teller, screening.ScreenedPerson(names=["王小明"]), customer_id))
    refused(lambda: aml.rate_customer(vault, teller, customer_id))
    refused(lambda: repository.update_customer(vault, teller, customer_id, {"phone": "13800000000"}, "changed"))
    session_id = counter_sessions.open_session(vault, teller)
    refused(lambda: counter_sessions.attach_customer(vault, teller, session_id, customer_id))
    # A new counter session stops at identification, with the reason.
    again = CounterSession(vault, teller)
    outcome = again.submit(MIDDLE)
    assert outcome.stop is not None and outcome.stop.code == "customer_restricted"
    assert outcome.stop.text == info.message
    assert counter_sessions.get_session(vault, teller, again.session_id).status == "stopped"
    # Storage goes on: the data is all still there.
    assert vault.transact(lambda db: db.scalar(select(func.count()).select_from(CustomerVersion)
                                               .where(CustomerVersion.customer_id == customer_id))) >= 1


# ---- the retention job ---------------------------------------------------------------------------------------

def _rows_of(vault, customer_id):
    return vault.transact(lambda db: job.rows_of(db.connection(), customer_id))


def test_retention_dry_run_lists_without_changing_and_a_run_purges_leaving_tombstones(vault):
    customer_id, _ = sold(vault)
    other = CounterSession(vault, user(vault, "teller"))  # another customer, not due
    identify(other, YOUNG, kyc("1990-01-01"))
    other_id = other.state.customer_id
    supervisor, admin = user(vault, "supervisor"), user(vault, "admin")
    data_rights.restrict(vault, supervisor, customer_id)
    before = _rows_of(vault, customer_id)
    assert {"customers", "customer_versions", "sale_decisions", "signoffs", "evidence_links",
            "screenings"} <= set(before)

    today = datetime.now(UTC).date()
    assert job.run(vault, admin, dry_run=True, today=today + timedelta(days=365 * 19)).candidates == []
    later = today + timedelta(days=365 * 21)  # past 20 years of suitability evidence
    dry = job.run(vault, admin, dry_run=True, today=later)
    assert [(c.customer_id, c.basis.rule, c.basis.years, c.held) for c in dry.candidates] == [
        (customer_id, data_rights.SUITABILITY, 20, None)]
    assert dry.candidates[0].rows == before and dry.tombstones == []
    assert _rows_of(vault, customer_id) == before  # nothing changed
    with pytest.raises(PermissionDenied):
        job.run(vault, supervisor, dry_run=True, today=later)

    report = job.run(vault, admin, dry_run=False, today=later)
    assert len(report.tombstones) == 1 and report.purged_rows == sum(before.values())
    assert _rows_of(vault, customer_id) == {}
    assert _rows_of(vault, other_id)  # the other customer is untouched

    def stored(db):
        stone = db.get(RetentionTombstone, report.tombstones[0])
        purges = db.execute(text("SELECT COUNT(*) FROM record_ledger WHERE op = 'purge'")).scalar()
        return stone, purges, db.get(Customer, customer_id), db.get(CustomerRestriction, customer_id)
    stone, purges, gone, restriction = vault.transact(stored)
    assert (stone.kind, stone.subject_id, stone.rule, stone.rows) == ("customer", customer_id, "suitability",
                                                                      sum(before.values()))
    assert purges == sum(n for t, n in before.items() if t in ledger.TABLES) and gone is None
    assert restriction is not None  # the restriction stays (ids only): the customer stays restricted
    purged = audit_of(vault, "retention.purged")
    assert purged == [{"tombstone_id": stone.id, "rule": "suitability", "count": stone.rows,
                       "retain_until": dry.candidates[0].basis.until.isoformat()}]
    assert [e["dry_run"] for e in audit_of(vault, "retention.run")] == [True, True, False]

    # verify stays green after the purge; a delete outside the job is still refused by the database.
    result = verification.verify(vault, user(vault, "auditor"))
    assert [c.name for c in result.failed] == [], [(c.name, c.result.problems) for c in result.failed]
    with pytest.raises(Exception, match="append-only"):
        vault.transact(lambda db: db.execute(text("DELETE FROM customer_versions WHERE customer_id = :c"),
                                             {"c": other_id}))
    with pytest.raises(Exception, match="append-only"):
        vault.transact(lambda db: db.execute(text("DELETE FROM retention_tombstones")))

    # Both the restriction and the tombstone go to the other workstations, with meta the hub accepts.
    queued = vault.transact(lambda db: [(r.type, json.loads(r.meta)) for r in db.scalars(
        select(Outbox).where(Outbox.type.in_(("customer.restriction", "retention.tombstone")))
        .order_by(Outbox.local_seq))])
    assert queued == [("customer.restriction", {"customer_id": customer_id}),
                      ("retention.tombstone", {"tombstone_id": stone.id, "kind": "customer",
                                               "subject_id": customer_id})]
    assert all(meta_keys_not_allowed(t, set(m)) == [] for t, m in queued)

    # A tombstone removed behind the application's back: the purge no longer checks.
    with insider(vault, "retention_tombstones") as conn:
        conn.exec_driver_sql("DELETE FROM retention_tombstones")
    broken = verification.verify(vault, user(vault, "auditor"))
    codes = {p.code for p in broken.check("records").result.problems}
    assert {"purge_without_tombstone", "record_removed"} <= codes


# ---- sync to a second workstation --------------------------------------------------------------------------

def _carry(source: Vault, target: Vault, types: tuple[str, ...] | None = None, after: int = 0) -> dict[str, str]:
    """Hand ``source``'s outbox records to ``target`` as if pulled from the hub; returns type -> outcome."""
    rows = source.transact(lambda db: [(r.local_seq, r.id, r.type, r.meta, r.body, r.created_at) for r in db.scalars(
        select(Outbox).where(Outbox.local_seq > after).order_by(Outbox.local_seq))])

    def work(db):
        seq = db.scalar(select(func.max(Inbox.seq))) or 0
        outcomes = {}
        for _local, rid, rtype, meta, body, created in rows:
            if types is not None and rtype not in types:
                continue
            seq += 1
            rec = Inbox(id=rid, seq=seq, type=rtype, workstation_id="ws-a", created_at=created, meta=meta,
                        body=body, received_at=created)
            db.add(rec)
            db.flush()
            outcomes[rtype] = apply.apply_one(db, rec, "ws-b")
        return outcomes
    return target.transact(work)


def test_a_restriction_and_a_purge_made_on_one_workstation_apply_on_another(vault, tmp_path, demo_lists_template):
    second_dir = tmp_path / "second"
    shutil.copytree(demo_lists_template, second_dir)
    other = Vault.open(second_dir)
    try:
        teller_b = user(other, "teller")  # the second workstation is open, signed in
        counter_session = CounterSession(vault, user(vault, "teller"))
        identify(counter_session, MIDDLE, kyc("1980-05-05"))
        customer_id = counter_session.state.customer_id
        carried = _carry(vault, other, ("customer.version",))
        assert carried == {"customer.version": apply.APPLIED}
        mark = vault.transact(lambda db: db.scalar(select(func.max(Outbox.local_seq))))
        data_rights.restrict(vault, user(vault, "supervisor"), customer_id)
        assert _carry(vault, other, ("customer.restriction",), after=mark) == {"customer.restriction": apply.APPLIED}

        assert data_rights.get_restriction(other, teller_b, customer_id) is not None
        stopped = CounterSession(other, teller_b).submit(MIDDLE)
        assert stopped.stop is not None and stopped.stop.code == "customer_restricted"

        mark = vault.transact(lambda db: db.scalar(select(func.max(Outbox.local_seq))))
        later = date.today() + timedelta(days=365 * 11)
        assert len(job.run(vault, user(vault, "admin"), dry_run=False, today=later).tombstones) == 1
        assert _carry(vault, other, ("retention.tombstone",), after=mark) == {"retention.tombstone": apply.APPLIED}
        assert other.transact(lambda db: (db.get(Customer, customer_id), job.rows_of(db.connection(), customer_id))) \
            == (None, {})
        assert [e["source"] for e in audit_of(other, "retention.purged")] == ["sync"]
        result = verification.verify(other, user(other, "auditor"))
        assert [c.name for c in result.failed] == []
    finally:
        other.close()


# ---- the command line ----------------------------------------------------------------------------------------

def test_the_retention_job_from_the_command_line_dry_run_then_run_then_verify(admin_cli, demo_dir, tmp_path):
    from counterdesk.flow.actions import DecideConsent, EnterProfile
    vault = Vault.open(demo_dir)
    try:
        counter_session = CounterSession(vault, user(vault, "teller"))
        for action in (MIDDLE, DecideConsent(True), EnterProfile(kyc("1980-05-05"))):
            assert counter_session.submit(action).stop is None
        customer_id = counter_session.state.customer_id
        counter_session.finish()
    finally:
        vault.close()
    code, out, _ = admin_cli("privacy", "restrict", customer_id, user="supervisor")
    assert code == 0 and "PIPL Art 47" in out
    code, out, _ = admin_cli("privacy", "export", customer_id, "--out", str(tmp_path / "c.pdf"), user="supervisor")
    password = out.strip().rsplit(": ", 1)[1]
    assert code == 0 and pdf_text((tmp_path / "c.pdf").read_bytes(), password).count(ID_NUMBER) >= 1

    code, out, _ = admin_cli("retention", "run", "--dry-run")
    assert code == 0 and "Nothing has passed its retention period" in out
    code, out, _ = admin_cli("retention", "run", "--dry-run", "--as-of", "2060-01-01")
    assert code == 0 and customer_id in out and "kyc" in out and "Dry run" in out and "nothing was changed" in out
    assert ID_NUMBER not in out
    code, out, _ = admin_cli("retention", "run", "--dry-run", "--as-of", "2060-01-01")
    assert customer_id in out  # still there
    code, out, _ = admin_cli("retention", "run", "--as-of", "2060-01-01")
    assert code == 0 and "Purged" in out and customer_id in out
    code, out, _ = admin_cli("retention", "run", "--as-of", "2060-01-01")
    assert "Nothing has passed" in out
    code, out, err = admin_cli("verify", user="auditor")
    assert code == 0, out + err
    code, _out, _err = admin_cli("retention", "run", "--dry-run", user="supervisor")
    assert code != 0  # an administrator's task
