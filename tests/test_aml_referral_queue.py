"""The AML officer's referral queue (referral_queue.py): open referrals with the customer masked, closing
one with an outcome and a note (checked per field, audited with codes only, ledgered, written once), the
auditor reading but never closing, the CLI's open filter following the closing, and the retention job
taking the closing with the referral."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from counterdesk.base.roles import PermissionDenied
from counterdesk.flow.actions import ChooseProduct, Propose
from counterdesk.flow.counter_session import CounterSession
from counterdesk.services import verification
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import counter_sessions, data_rights
from counterdesk.services.customers import due_diligence as dd
from counterdesk.services.customers import referral_queue as rq
from counterdesk.services.retention import job
from counterdesk.store import ledger
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.due_diligence import AmlReferral, AmlReferralClosure
from helpers.counter import SPECIMEN, assess, identify, kyc, questionnaire_answers
from helpers.demo import sign_in


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def refer(vault) -> str:
    """A sale at the threshold without a copy of the document: the session stops with a referral."""
    session = CounterSession(vault, sign_in(vault, "teller"))
    identify(session, SPECIMEN, kyc(), copy=False)
    assess(session, questionnaire_answers(1, "age_65_up"))
    session.submit(Propose("50000", {"investable_assets": "5000000"}))
    session.submit(ChooseProduct("DM-DEP-1Y"))
    assert session.state.referral_id
    return session.state.referral_id


def test_queue_masks_the_customer_and_closing_is_checked_audited_and_written_once(vault):
    referral_id = refer(vault)
    supervisor = sign_in(vault, "supervisor")
    [item] = rq.queue(vault, supervisor)
    assert item.referral.referral_id == referral_id and item.status == rq.OPEN
    assert item.customer_masked.endswith("*") and "样例" not in item.customer_masked
    assert item.created_by_name  # the teller by display name
    assert "〔2025〕" in item.referral.citation.zh

    assert {f for f, _ in rq.check_close(None, "")} == {"outcome", "note"}
    assert [f for f, _ in rq.check_close(rq.REPORTED, "x" * (rq.NOTE_MAX + 1))] == ["note"]
    with pytest.raises(rq.ReferralError):
        rq.close(vault, supervisor, referral_id, "bogus", "note")
    with pytest.raises(PermissionDenied):
        rq.close(vault, sign_in(vault, "auditor"), referral_id, rq.REPORTED, "filed")
    rq.queue(vault, sign_in(vault, "auditor"))  # the auditor reads

    done = rq.close(vault, supervisor, referral_id, rq.REPORTED, "  报告已提交，编号 STR-1  ")
    assert done.status == rq.CLOSED and done.note == "报告已提交，编号 STR-1" and done.closed_by_name
    with pytest.raises(rq.ReferralError) as again:
        rq.close(vault, supervisor, referral_id, rq.NOT_SUSPICIOUS, "again")
    assert again.value.code == "referral_closed"
    assert rq.queue(vault, supervisor) == []
    [shown] = rq.queue(vault, supervisor, include_closed=True)
    assert shown.outcome == rq.REPORTED and shown.outcome_text is not None
    assert [r.status for r in dd.list_referrals(vault, supervisor)] == ["closed"]
    assert dd.list_referrals(vault, supervisor, status="open") == []

    def check(db):
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "aml.referral_closed")).one()
        assert entry.object_id == referral_id
        details = json.loads(entry.details)
        assert details["outcome"] == rq.REPORTED and "STR-1" not in entry.details  # never the note
        assert db.get(AmlReferral, referral_id).status == "open"  # the referral stays as recorded
        assert db.scalars(select(AmlReferralClosure)).one().referral_id == referral_id
        assert ledger.verify(db).result.ok
    vault.transact(check)


def test_the_retention_job_takes_a_closed_referral_with_its_customer(vault):
    referral_id = refer(vault)
    rq.close(vault, sign_in(vault, "supervisor"), referral_id, rq.DUPLICATE, "同一客户已另有线索")
    customer_id = vault.transact(lambda db: db.get(AmlReferral, referral_id).customer_id)
    assert vault.transact(lambda db: job.rows_of(db.connection(), customer_id))["aml_referral_closures"] == 1
    data_rights.restrict(vault, sign_in(vault, "supervisor"), customer_id)
    later = date.today() + timedelta(days=365 * 21)
    assert len(job.run(vault, sign_in(vault, "admin"), dry_run=False, today=later).tombstones) == 1
    assert vault.transact(lambda db: db.scalars(select(AmlReferralClosure)).all()) == []
    assert [c.name for c in verification.verify(vault, sign_in(vault, "auditor")).failed] == []


def test_the_admin_cli_closes_a_referral_for_compliance_only(admin_cli, demo_dir):
    vault = Vault.open(demo_dir)
    teller = sign_in(vault, "teller")
    session_id = counter_sessions.open_session(vault, teller)
    referral_id = dd.record_referral_and_stop(vault, teller, session_id, None, dd.NO_COPY, "DM-DEP-1Y",
                                              Decimal("60000"), "CNY")
    vault.close()
    code, _out, err = admin_cli("aml", "close", referral_id, "--outcome", "reported", "--note", "x", user="teller")
    assert code != 0 and "not allowed" in err
    code, _out, err = admin_cli("aml", "close", referral_id, "--outcome", "reported", "--note", " ", user="supervisor")
    assert code != 0 and "note" in err
    code, out, _err = admin_cli("aml", "close", referral_id, "--outcome", "reported", "--note", "STR-2026-7",
                                user="supervisor", lang="zh")
    assert code == 0 and "已提交可疑交易报告" in out
    code, out, _err = admin_cli("aml", "referrals", "--status", "open", user="supervisor")
    assert code == 0 and referral_id not in out
    code, out, _err = admin_cli("aml", "referrals", user="auditor")
    assert code == 0 and referral_id in out and "closed" in out
