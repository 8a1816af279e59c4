"""The sign-off headless: from the chosen product to the signed confirmation, approvals, the
evidence chain, prints and cooling-off, on the DEMO branch (real encrypted store, real signing)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from counterdesk.flow.actions import (
    Attest,
    CheckApproval,
    ChooseProduct,
    GetConfirmationPdf,
    IssueConfirmation,
    PreparePrint,
    Propose,
    RecordPrint,
    RecordReading,
    RecordRecording,
    RecordSignature,
)
from counterdesk.forms.disclosures import confirmation_sentence
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import approvals, cooling, document, evidence
from counterdesk.services.signoff.common import SignoffError
from counterdesk.services.signoff.signature import Signature, Stroke
from helpers.counter import MIDDLE, PNG, YOUNG, at_recommendation, choose, customer_signs, signature_json
from helpers.demo import PASSWORDS, totp_code


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def test_ordinary_sale_completes_without_approval_and_the_evidence_chain_verifies(vault):
    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    plan = counter_session.state.signoff.plan
    assert plan.recording_required and plan.sentence_required and not plan.needs_approval
    assert plan.forms[0].startswith("disclosure_wealth_management@")
    customer_signs(counter_session)
    assert counter_session.flow.current_id == "confirmation"
    state = counter_session.submit(IssueConfirmation()).value
    assert state.status == "completed" and state.document_number.startswith("DEMO-")
    blocked = counter_session.submit()
    assert {p.field for p in blocked.result.problems} == {"customer", "branch"}
    for copy in ("customer", "branch"):
        with pytest.raises(SignoffError) as refused:  # no COPY while an original is not out
            counter_session.submit(PreparePrint("reprint")).value
        assert refused.value.code == "originals_not_printed"
        job = counter_session.submit(PreparePrint(copy)).value
        assert job.copy == copy and job.pdf == counter_session.submit(GetConfirmationPdf()).value
        counter_session.submit(RecordPrint(job)).value
    assert counter_session.submit(PreparePrint("reprint")).value.copy == "reprint"
    reprint = counter_session.submit(PreparePrint("customer")).value
    assert reprint.copy == "reprint" and reprint.pdf != job.pdf
    assert counter_session.submit().result.ok and counter_session.flow.finished
    counter_session.finish()

    from counterdesk.services.confirmation.signing import verify_pdf
    check = verify_pdf(document.confirmation_pdf(vault, counter_session.user, state.signoff_id))  # the flow is done
    assert check.intact and check.evidence_hash == state.evidence_hash
    chain = vault.transact(lambda s: evidence.links(s, state.signoff_id))
    assert [link["kind"] for link in chain] == ["document", "screening", "questionnaire", "suitability", "disclosure",
                                                "recording", "signature", "attestation", "pdf"]
    assert "11010519491231002X" not in json.dumps(chain, ensure_ascii=False)  # hashes, not the ID number
    report = vault.transact(evidence.verify_all)
    assert report.ok and report.checked == 1


def test_a_changed_evidence_field_is_found_by_verify(vault):
    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    customer_signs(counter_session)
    counter_session.submit()
    sid = counter_session.submit(IssueConfirmation()).value.signoff_id

    def tamper(db):
        db.connection().exec_driver_sql("DROP TRIGGER evidence_links_no_update")
        db.connection().exec_driver_sql(
            "UPDATE evidence_links SET payload = replace(payload, '\"consent\":true', '\"consent\":false') "
            "WHERE signoff_id = ? AND kind = 'recording'", (sid,))
    vault.transact(tamper)
    report = vault.transact(evidence.verify_all)
    assert not report.ok and any("recording" in p and "content changed" in p for p in report.problems)


def test_customer_initiated_mismatch_needs_a_supervisor_who_is_not_the_maker(vault):
    counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
    choose(counter_session, "DM-WM-EQ", own=True)
    plan = counter_session.state.signoff.plan
    assert plan.customer_initiated and "warning_customer_initiated_mismatch@1" in plan.forms
    assert "customer_initiated" in {r.code for r in plan.approval_reasons}
    customer_signs(counter_session)
    assert counter_session.flow.current_id == "approval"
    held = counter_session.submit()
    assert held.hold is not None and counter_session.flow.current_id == "approval"

    supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    queue = approvals.pending_requests(vault, supervisor)
    assert len(queue) == 1 and queue[0].can_decide and queue[0].customer_masked == "张**"
    from counterdesk.services.signoff import process
    with pytest.raises(Exception) as refused:  # the checker cannot change the maker's evidence
        process.record_recording(vault, supervisor, queue[0].signoff_id, True, "REC-1234")
    assert getattr(refused.value, "code", "") == "permission_denied"
    info, chain = approvals.request_evidence(vault, supervisor, queue[0].request_id)
    assert [link["kind"] for link in chain][-1] == "attestation"
    approvals.decide(vault, supervisor, queue[0].request_id, approve=True, override=True)
    with pytest.raises(SignoffError) as again:
        approvals.decide(vault, supervisor, queue[0].request_id, approve=True)
    assert again.value.code == "request_decided"
    assert counter_session.submit().moved and counter_session.flow.current_id == "confirmation"
    state = counter_session.submit(IssueConfirmation()).value
    entries = vault.audit_entries(vault.sign_in("auditor", PASSWORDS["auditor"]), limit=50)
    assert any(e.action == "signoff.approved_override" for e in entries)
    assert vault.transact(evidence.verify_all).ok
    assert state.status == "completed"


def test_maker_cannot_approve_and_a_second_pending_request_is_refused(vault):
    counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
    choose(counter_session, "DM-WM-EQ", own=True)
    customer_signs(counter_session)
    counter_session.submit()
    req = counter_session.submit(CheckApproval()).value
    with pytest.raises(Exception) as denied:  # a teller has no approval permission at all
        approvals.decide(vault, counter_session.user, req.request_id, approve=True)
    assert getattr(denied.value, "code", "") == "permission_denied"
    with pytest.raises(SignoffError) as twice:
        counter_session.submit(CheckApproval(resubmit=True)).value
    assert twice.value.code == "request_pending"


def test_rejection_returns_the_session_to_the_teller_with_the_reason(vault):
    counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
    choose(counter_session, "DM-WM-EQ", own=True)
    customer_signs(counter_session)
    counter_session.submit()
    supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    req = approvals.pending_requests(vault, supervisor)[0]
    with pytest.raises(SignoffError) as no_reason:
        approvals.decide(vault, supervisor, req.request_id, approve=False, reason="  ")
    assert no_reason.value.code == "reason_required"
    approvals.decide(vault, supervisor, req.request_id, approve=False, reason="金额与客户资产不符")
    assert counter_session.submit().result.ok
    assert counter_session.flow.current_id == "signoff" and counter_session.state.rejection == "金额与客户资产不符"
    fresh = counter_session.state.signoff
    assert fresh.status == "collecting" and fresh.signoff_id != req.signoff_id and fresh.read is None
    assert counter_session.flow.can_go_back  # the teller may choose another product


def test_expired_request_cannot_be_decided_and_can_be_resubmitted(vault):
    counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=YOUNG)
    choose(counter_session, "DM-WM-EQ", own=True)
    customer_signs(counter_session)
    counter_session.submit()
    supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    req = counter_session.submit(CheckApproval()).value
    later = datetime.now(UTC) + timedelta(hours=2)
    with pytest.raises(SignoffError) as expired:
        approvals.decide(vault, supervisor, req.request_id, approve=True, now=later)
    assert expired.value.code == "request_expired"
    again = approvals.resubmit(vault, counter_session.user, req.signoff_id, now=later)
    assert again.status == "pending" and again.request_id != req.request_id


def test_refused_recording_stops_the_sale(vault):
    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    plan = counter_session.state.signoff.plan
    counter_session.submit(RecordReading({"seconds": plan.min_reading_seconds, "scrolled_to_end": True,
                          "forms": [{"ref": r, "hash": h} for r, h in zip(plan.forms, plan.form_hashes)]},
                         "customer_screen")).value
    outcome = counter_session.submit(RecordRecording(False))
    assert outcome.stop is not None and outcome.stop.code == "recording_refused"
    from counterdesk.services.customers import counter_sessions
    with pytest.raises(Exception):
        counter_sessions.set_step(vault, counter_session.user, counter_session.session_id, "x")  # the session is closed


def test_elderly_customer_high_risk_product_gets_care_notice_longer_reading_and_approval(vault):
    counter_session = at_recommendation(vault, option=3)
    choose(counter_session, "DM-WM-EQ")
    plan = counter_session.state.signoff.plan
    assert plan.elderly_care and "notice_elderly_care@1" in plan.forms
    assert plan.min_reading_seconds >= vault.settings()["suitability.elderly_reading_seconds"]
    assert "elderly_care" in {r.code for r in plan.approval_reasons}
    with pytest.raises(SignoffError) as fast:
        counter_session.submit(RecordReading({"seconds": plan.min_reading_seconds - 1, "scrolled_to_end": True,
                              "forms": [{"ref": r, "hash": h} for r, h in zip(plan.forms, plan.form_hashes)]},
                             "customer_screen")).value
    assert fast.value.code == "too_fast"


def test_core_refusals_reading_sentence_signature(vault):
    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    plan = counter_session.state.signoff.plan
    forms = [{"ref": r, "hash": h} for r, h in zip(plan.forms, plan.form_hashes)]
    for read, entered, code in (({"seconds": 999, "scrolled_to_end": True, "forms": forms}, "teller", "not_customer_screen"),
                                ({"seconds": 999, "scrolled_to_end": False, "forms": forms}, "customer_screen", "not_scrolled"),
                                ({"seconds": 999, "scrolled_to_end": True, "forms": forms[:0]}, "customer_screen",
                                 "disclosure_mismatch")):
        with pytest.raises(SignoffError) as exc:
            counter_session.submit(RecordReading(read, entered)).value
        assert exc.value.code == code
    counter_session.submit(RecordReading({"seconds": plan.min_reading_seconds, "scrolled_to_end": True, "forms": forms}, "customer_screen")).value
    with pytest.raises(SignoffError) as ref:
        counter_session.submit(RecordRecording(True, "x")).value
    assert ref.value.code == "recording_ref"
    counter_session.submit(RecordRecording(True)).value  # consent on the customer screen; the reference comes with the attestation
    with pytest.raises(SignoffError) as wrong:
        counter_session.submit(RecordSignature("本人已阅读", signature_json(), PNG, "customer_screen")).value
    assert wrong.value.code == "sentence_mismatch"
    tiny = Signature(strokes=(Stroke.of([(1, 1, 0.5, 0), (2, 2, 0.5, 10)]),), width=400, height=160).to_json()
    with pytest.raises(SignoffError) as trivial:
        counter_session.submit(RecordSignature(confirmation_sentence("zh"), tiny, PNG, "customer_screen")).value
    assert trivial.value.code == "signature_invalid"
    with pytest.raises(SignoffError) as unsigned:
        counter_session.submit(Attest(True, True)).value
    assert unsigned.value.code == "not_signed"
    counter_session.submit(RecordSignature("本人已阅读风险揭示，愿意承担投资风险。", signature_json(), PNG, "customer_screen")).value
    with pytest.raises(SignoffError) as half:
        counter_session.submit(Attest(True, False)).value
    assert half.value.code == "attestation_incomplete"
    with pytest.raises(SignoffError) as no_ref:
        counter_session.submit(Attest(True, True)).value
    assert no_ref.value.code == "recording_ref"
    state = counter_session.submit(Attest(True, True, "REC-0001")).value
    assert state.recording_ref == "REC-0001" and state.status == "approved"


def test_cooling_off_cancellation_and_follow_up_by_someone_else(vault):
    counter_session = at_recommendation(vault, option=3, age_answer="age_46_55", birth="1980-05-05", doc=MIDDLE)
    proposal = counter_session.submit(Propose("400000", {"investable_assets": "9000000",
                                               "household_financial_assets": "6000000"})).value
    private = [c for c, d in proposal.decisions.items() if proposal.products[c].type == "private_wm"
               and d.outcome != "prohibited"]
    assert private, {c: (d.outcome, d.rule_ids) for c, d in proposal.decisions.items() if "PWM" in c}
    code = private[0]
    assert counter_session.submit(ChooseProduct(code)).moved
    plan = counter_session.state.signoff.plan
    assert plan.cooling_off_hours >= 24 and "notice_cooling_off@1" in plan.forms
    customer_signs(counter_session)
    if counter_session.flow.current_id == "approval":
        supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
        approvals.decide(vault, supervisor, counter_session.submit(CheckApproval()).value.request_id, approve=True)
        counter_session.submit()
    state = counter_session.submit(IssueConfirmation()).value
    until = datetime.fromisoformat(state.cooling_off_until)
    items = cooling.in_cooling_off(vault, counter_session.user)
    assert [i.signoff_id for i in items] == [state.signoff_id]
    # after the period: a follow-up task the seller may not do
    later = until + timedelta(minutes=1)
    assert cooling.in_cooling_off(vault, counter_session.user, now=later) == []
    tasks = cooling.follow_up_tasks(vault, counter_session.user, now=later)
    assert len(tasks) == 1 and not tasks[0].can_do
    with pytest.raises(SignoffError) as seller:
        cooling.complete_follow_up(vault, counter_session.user, tasks[0].task_id, "客户确认知悉")
    assert seller.value.code == "seller_follow_up"
    supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    cooling.complete_follow_up(vault, supervisor, tasks[0].task_id, "客户确认知悉产品风险", now=later)
    assert cooling.follow_up_tasks(vault, supervisor, now=later) == []
    with pytest.raises(SignoffError) as over:
        cooling.cancel(vault, counter_session.user, state.signoff_id, "RF-000123", now=later)
    assert over.value.code == "cooling_off_over"
    cooling.cancel(vault, counter_session.user, state.signoff_id, "RF-000123", now=until - timedelta(hours=1))
    assert cooling.in_cooling_off(vault, counter_session.user, now=until - timedelta(hours=1)) == []


def test_admin_verify_checks_every_evidence_record(demo_lists_dir, capsys, monkeypatch, no_terminal):
    import io
    import sys

    from counterdesk.cli import admin as cli

    vault = Vault.open(demo_lists_dir)
    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    customer_signs(counter_session)
    counter_session.submit()
    sid = counter_session.submit(IssueConfirmation()).value.signoff_id
    vault.sign_out(counter_session.user)
    vault.close()

    def verify() -> tuple[int, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORDS["auditor"] + "\n"))
        code = cli.main(["--data-dir", str(demo_lists_dir), "--lang", "en", "--user", "auditor", "--password-stdin",
                         "verify"])
        return code, capsys.readouterr().out

    code, out = verify()
    assert code == 0 and "Sale evidence records checked: 1" in out
    vault = Vault.open(demo_lists_dir)
    admin = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))

    def swap_pdf(db):
        db.connection().exec_driver_sql("UPDATE signoffs SET pdf = ? WHERE id = ?", (b"%PDF-1.4 forged", sid))
    vault.transact(swap_pdf)
    vault.sign_out(admin)
    vault.close()
    code, out = verify()
    assert code == 2 and "stored confirmation PDF differs" in out


def test_the_issued_confirmation_reads_back_with_pypdf(vault):
    """The signed file of a real sale: pypdf extracts the Chinese text, the ID is masked, the
    signature validates and carries the evidence hash of the chain."""
    import io

    from pypdf import PdfReader

    from counterdesk.services.confirmation.signing import verify_pdf

    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    customer_signs(counter_session)
    counter_session.submit()
    state = counter_session.submit(IssueConfirmation()).value
    pdf = counter_session.submit(GetConfirmationPdf()).value
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "金融产品购买确认书" in text and state.document_number in text and "张**" in text
    assert "110***********002X" in text and "11010519491231002X" not in text
    assert confirmation_sentence("zh") in text.replace("\n", "")
    check = verify_pdf(pdf)
    assert check.intact and check.evidence_hash == state.evidence_hash


@pytest.mark.parametrize("code,risk,special_care", [("DM-FD-BAL", "R3", False), ("DM-WM-EQ", "R4", True)])
def test_older_customers_get_special_care_for_high_risk_products(vault, code, risk, special_care):
    """domain-rules §5 (NFRA 2025; CSRC Art 20): selling a *high-risk* product to a customer of 65 or
    over triggers the special duty of care. Which levels are high risk is the setting
    suitability.elderly_care_min_risk (R4 by default, with its source); below it, the ordinary rules."""
    from counterdesk.base.settings import DISCLOSURE_MIN_READING_SECONDS, SUIT_ELDERLY_MIN_RISK, SettingsValues

    defaults = SettingsValues()
    assert defaults[SUIT_ELDERLY_MIN_RISK] == 4 and "NFRA" in SUIT_ELDERLY_MIN_RISK.source
    counter_session = at_recommendation(vault, option=3)  # born 1949-12-31: 76 years old; graded C5
    choose(counter_session, code, amount="1000000")
    plan = counter_session.state.signoff.plan
    assert plan.risk_level == risk and plan.elderly_care is special_care
    reasons = [r.code for r in plan.approval_reasons]
    if special_care:
        assert plan.min_reading_seconds == 300 and "elderly_care" in reasons and plan.sentence_required
        assert any(f.startswith("notice_elderly_care@") for f in plan.forms)
    else:
        assert plan.min_reading_seconds == defaults[DISCLOSURE_MIN_READING_SECONDS[risk]] == 60
        assert "elderly_care" not in reasons
        assert not any(f.startswith("notice_elderly_care@") for f in plan.forms)
