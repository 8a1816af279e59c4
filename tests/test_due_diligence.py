"""Customer due diligence for sales at or above CNY 50,000 / USD 10,000 (Order 〔2025〕 No. 11): the
threshold with its FX basis, the kept copy of the identity document (encrypted in the store, a thumbnail
for tellers), the stop and the AML referral (audited, ledgered, in the outbox, listed for the officer)."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select

from counterdesk.base.roles import PermissionDenied
from counterdesk.base.settings import SettingsValues
from counterdesk.flow.actions import CaptureDocumentImage, ChooseProduct, Propose, RefuseDocumentCopy
from counterdesk.flow.counter_session import CounterSession
from counterdesk.identity.readers import SimulatorReader
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import counter_sessions, document_images
from counterdesk.services.customers import due_diligence as dd
from counterdesk.store import ledger
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.customers import Customer, CustomerVersion
from counterdesk.store.models.due_diligence import AmlReferral, CustomerDocumentImage
from counterdesk.store.models.ledger import LedgerEntry
from counterdesk.store.models.sync import Outbox
from helpers.counter import SPECIMEN, YOUNG, assess, identify, kyc, questionnaire_answers, reader_copy
from helpers.demo import PASSWORDS, totp_code


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def _teller_session(vault, doc=SPECIMEN, copy=True, answers=None) -> CounterSession:
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    session = CounterSession(vault, teller)
    identify(session, doc, answers if answers is not None else kyc(), copy=copy)
    age = "age_31_45" if doc.id_number == YOUNG.id_number else "age_65_up"
    assess(session, questionnaire_answers(1, age))
    return session


def _choose(session: CounterSession, amount: str, code: str = "DM-DEP-1Y"):
    proposal = session.submit(Propose(amount, {"investable_assets": "5000000"}))
    assert proposal.value is not None, proposal.result.problems
    return proposal, session.submit(ChooseProduct(code))


def _png(size=(640, 400), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def _jpeg(size=(640, 400)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


# ---- the threshold (pure) ----------------------------------------------------------------------------
@pytest.mark.parametrize(("amount", "currency", "required"), [
    ("49999.99", "CNY", False), ("50000", "CNY", True), ("50000.01", "CNY", True),
    ("9999.99", "USD", False), ("10000", "USD", True),
    ("78000", "HKD", False),   # 78,000 × 0.91 / 7.10 = USD 9,997.18
    ("78100", "HKD", True),    # USD 10,010.0
    ("1", "CHF", True),        # no rate: never skipped for want of one
])
def test_threshold_at_above_and_below_with_the_fx_basis(amount, currency, required):
    check = dd.threshold_check(Decimal(amount), currency, SettingsValues())
    assert check.required is required
    if currency == "HKD":
        assert check.code == "fx" and check.threshold_currency == "USD" and "USD" in check.basis.en
    if currency == "CHF":
        assert check.code == "fx_rate_missing" and check.compared is None


def test_thresholds_and_rates_are_settings():
    settings = SettingsValues({"due_diligence.threshold_cny": 30000, "due_diligence.fx_cny_per_unit": "USD:7,EUR:8"})
    assert dd.threshold_check(Decimal("30000"), "CNY", settings).required
    assert not dd.threshold_check(Decimal("8749"), "EUR", settings).required  # 8749 × 8 / 7 = 9998.86
    assert dd.threshold_check(Decimal("8750"), "EUR", settings).required
    assert dd.fx_rates("USD:7.1, hkd:0.9,XX:1,EUR:-1,GBP:abc") == {"USD": Decimal("7.1"), "HKD": Decimal("0.9")}
    # the Order's numbers are the ceiling: a bank may be stricter, never looser
    assert SettingsValues({"due_diligence.threshold_cny": 60000})["due_diligence.threshold_cny"] == 50000


def test_missing_identity_data_names_what_the_order_asks_for():
    complete = {**kyc(), "id_doc_type": "resident_id", "id_number": "11010519491231002X", "id_long_term": True}
    assert dd.missing_identity(complete) == []
    gaps = dd.missing_identity({**complete, "id_long_term": False, "address": "", "name_zh": None})
    assert [k for k, _label in gaps] == ["name", "address", "id_validity"]
    assert dd.missing_identity({**complete, "name_zh": None, "name_latin": "ZHANG XIAOMEI"}) == []


# ---- the image check (pure) ------------------------------------------------------------------------------
def test_image_check_accepts_png_and_jpeg_and_makes_a_small_thumbnail():
    for data, media in ((_png(), "image/png"), (_jpeg(), "image/jpeg"),
                        (SimulatorReader().capture_image().data, "image/png")):
        res, image = document_images.check_image(data, "file")
        assert res.ok and image is not None and image.media_type == media
        with Image.open(io.BytesIO(image.thumbnail)) as thumb:
            assert thumb.format == "PNG" and thumb.width <= 160 and thumb.height <= 110


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"),
    (b"GIF89a" + b"\0" * 100, "format"),
    (_png()[:200], "unreadable"),                      # truncated
    (b"\xff\xd8\xff" + _png()[3:], "unreadable"),      # a PNG dressed up as a JPEG
    (_png((120, 80)), "dimensions"),
])
def test_image_check_refuses_what_is_not_a_usable_document_image(data, code):
    res, image = document_images.check_image(data, "file")
    assert image is None and [p.code for p in res.problems] == [code]
    assert all(p.text.zh and p.text.en for p in res.problems)


def test_image_size_limit_is_a_setting():
    data = _jpeg((1600, 1000))
    res, image = document_images.check_image(data, "file", SettingsValues({"due_diligence.image_max_kib": 64}))
    assert len(data) > 64 * 1024 and image is None and res.problems[0].code == "too_large"
    assert document_images.check_image(data, "scanner")[0].problems[0].code == "source"


# ---- the counter session ------------------------------------------------------------------------------------
def test_sale_at_the_threshold_with_the_readers_copy_goes_on_and_the_copy_is_kept(vault):
    session = _teller_session(vault)
    _proposal, outcome = _choose(session, "50000")
    assert outcome.moved and session.flow.current_id == "signoff"
    info = document_images.current_image(vault, session.user, session.state.customer_id, "resident_id",
                                         "11010519491231002X")
    assert info is not None and info.source == "reader_simulator" and info.media_type == "image/png"
    assert info.retention_class == document_images.RETENTION_CLASS and info.retention_years == 10
    assert info.thumbnail.startswith(b"\x89PNG")


def test_below_the_threshold_no_copy_is_needed(vault):
    session = _teller_session(vault, copy=False)
    proposal, outcome = _choose(session, "49999.99")
    notices = [p for p in proposal.result.problems if p.code == "due_diligence_copy_needed"]
    assert outcome.moved and not [p for p in notices if "products in CNY" in p.text.en]
    assert [p for p in notices if "products in USD" in p.text.en]  # 49,999.99 USD would need it


def test_missing_copy_stops_the_sale_with_the_order_and_records_a_referral(vault):
    session = _teller_session(vault, copy=False)
    proposal, outcome = _choose(session, "50000")
    warning = next(p for p in proposal.result.problems if p.code == "due_diligence_copy_needed" and
                   "CNY" in p.text.en)
    assert warning.severity == "warning" and "〔2025〕第11号" in warning.text.zh and "No. 11" in warning.text.en
    assert outcome.stop is not None and outcome.stop.code == dd.NO_COPY
    assert "〔2025〕第11号" in outcome.stop.text.zh and "Order 〔2025〕 No. 11" in outcome.stop.text.en
    assert "可疑交易报告" in outcome.stop.text.zh and "suspicious-transaction referral" in outcome.stop.text.en
    assert session.state.sale_decision_id is None  # nothing was sold
    info = counter_sessions.get_session(vault, session.user, session.session_id)
    assert info.status == "stopped" and info.stop_reason_code == dd.NO_COPY
    referral_id = session.state.referral_id

    def check(db):
        row = db.get(AmlReferral, referral_id)
        assert (row.customer_id, row.session_id, row.reason_code, row.rule, row.product_code, row.amount,
                row.currency, row.status, row.created_by) == (
            session.state.customer_id, session.session_id, dd.NO_COPY, dd.RULE, "DM-DEP-1Y", "50000.00", "CNY",
            "open", session.user.user_id)
        assert row.created_at
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "aml.referral_recorded")).one()
        assert entry.object_id == referral_id
        assert json.loads(entry.details) == {"reason_code": dd.NO_COPY, "session_id": session.session_id,
                                             "customer_id": session.state.customer_id, "product_code": "DM-DEP-1Y"}
        assert ledger.verify(db).result.ok
        assert any(e.table_name == "aml_referrals" and e.row_key == referral_id
                   for e in db.scalars(select(LedgerEntry)))
        sent = db.scalars(select(Outbox).where(Outbox.type == "aml.referral")).one()
        assert json.loads(sent.meta) == {"referral_id": referral_id, "session_id": session.session_id,
                                         "reason_code": dd.NO_COPY}
    vault.transact(check)


def test_customer_refusing_a_copy_stops_a_sale_at_the_threshold(vault):
    session = _teller_session(vault, doc=replace(YOUNG, copy_refused=True), copy=False,
                              answers=kyc("1990-01-01"))
    _proposal, outcome = _choose(session, "80000")
    assert outcome.stop is not None and outcome.stop.code == dd.REFUSED
    assert "拒绝" in outcome.stop.text.zh and "refused" in outcome.stop.text.en
    supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    listed = dd.list_referrals(vault, supervisor, status="open")
    assert [(r.referral_id, r.reason_code) for r in listed] == [(session.state.referral_id, dd.REFUSED)]
    with pytest.raises(PermissionDenied):
        dd.list_referrals(vault, session.user)


def test_refusal_on_a_later_step_and_a_copy_after_it(vault):
    session = _teller_session(vault, copy=False)
    assert session.submit(RefuseDocumentCopy()).stay and session.state.document_copy_refused
    # The customer changes their mind: the copy taken on the recommendation step is kept at once.
    outcome = session.submit(reader_copy())
    assert outcome.stay and outcome.value.startswith(b"\x89PNG") and session.state.document_copy_id
    assert not session.state.document_copy_refused
    _proposal, chosen = _choose(session, "50000")
    assert chosen.moved


def test_incomplete_identity_data_stops_the_sale(vault):
    session = _teller_session(vault)
    customer_id = session.state.customer_id

    def older_record(db):
        # A record kept before today's KYC form (which cannot be submitted incomplete): no occupation.
        customer = db.get(Customer, customer_id)
        last = db.get(CustomerVersion, (customer_id, customer.current_version))
        data = {k: v for k, v in json.loads(last.data).items() if k != "occupation"}
        db.add(CustomerVersion(customer_id=customer_id, version=last.version + 1, form_id=last.form_id,
                               form_version=last.form_version, form_hash=last.form_hash, data=json.dumps(data),
                               created_at=last.created_at, created_by=last.created_by, reason="migrated"))
        customer.current_version = last.version + 1
    vault.transact(older_record)
    _proposal, outcome = _choose(session, "50000")
    assert outcome.stop is not None and outcome.stop.code == dd.INCOMPLETE
    assert "职业" in outcome.stop.text.zh and "occupation" in outcome.stop.text.en


def test_a_usd_sale_is_checked_against_usd_10000(vault):
    session = _teller_session(vault, copy=False)
    _proposal, outcome = _choose(session, "10000", "DM-DEP-USD")
    assert outcome.stop is not None and outcome.stop.code == dd.NO_COPY
    session = _teller_session(vault, copy=False)
    _proposal, outcome = _choose(session, "9999", "DM-DEP-USD")
    assert outcome.moved


def test_a_bad_image_is_a_problem_on_the_document_step(vault):
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    session = CounterSession(vault, teller)
    outcome = session.submit(replace(SPECIMEN, copy=CaptureDocumentImage(b"not an image", "file")))
    assert not outcome.result.ok and session.flow.current_id == "document"
    assert outcome.result.problems[0].field == "document_image"


def test_a_refused_consent_keeps_no_copy(vault):
    from counterdesk.flow.actions import DecideConsent
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    session = CounterSession(vault, teller)
    assert session.submit(replace(SPECIMEN, copy=reader_copy())).moved
    assert session.submit(DecideConsent(False)).stop is not None
    assert vault.transact(lambda db: db.scalars(select(CustomerDocumentImage)).all()) == []


def test_the_copy_is_encrypted_at_rest_and_no_file_stays_behind(vault, demo_lists_dir):
    before = {p for p in demo_lists_dir.rglob("*")}
    session = _teller_session(vault)
    image, thumbnail = vault.transact(lambda db: next(
        (r.image, r.thumbnail) for r in db.scalars(select(CustomerDocumentImage))))
    vault.close()  # everything written out (WAL checkpointed)
    for path in demo_lists_dir.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            for needle in (image[:64], image[len(image) // 2:len(image) // 2 + 64], thumbnail[16:80],
                           b"SIMULATED SPECIMEN"):
                assert needle not in raw, path
    created = {p for p in demo_lists_dir.rglob("*")} - before
    assert not [p for p in created if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".tmp")], created
    assert session.state.document_copy_id


def test_tellers_see_the_thumbnail_supervisors_the_copy_and_the_audit_has_no_personal_data(vault):
    session = _teller_session(vault)
    image_id = session.state.document_copy_id
    with pytest.raises(PermissionDenied):
        document_images.full_image(vault, session.user, image_id)
    supervisor = vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    media, data = document_images.full_image(vault, supervisor, image_id)
    assert media == "image/png" and data == reader_copy().data
    entries = vault.transact(lambda db: db.scalars(select(AuditEntry).where(
        AuditEntry.action.like("customer.document_image%")).order_by(AuditEntry.seq)).all())
    assert [e.action for e in entries] == ["customer.document_image_stored", "customer.document_image_viewed"]
    text = " ".join(e.details for e in entries)
    for personal in ("11010519491231002X", "张晓梅", "北京", "1949"):
        assert personal not in text
    assert set(json.loads(entries[0].details)) == {"customer_id", "session_id", "source", "format", "doc_type"}


def test_admin_cli_lists_referrals_for_compliance_only(admin_cli, demo_dir):
    vault = Vault.open(demo_dir)
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    session_id = counter_sessions.open_session(vault, teller)
    referral_id = dd.record_referral_and_stop(vault, teller, session_id, None, dd.NO_COPY, "DM-DEP-1Y",
                                              Decimal("60000"), "CNY")
    vault.sign_out(teller)
    vault.close()
    code, out, _err = admin_cli("aml", "referrals", user="supervisor")
    assert code == 0 and referral_id in out and session_id in out and dd.NO_COPY in out and "No. 11" in out
    assert "teller" in out and "60000 CNY" in out
    code, out, _err = admin_cli("aml", "referrals", "--status", "open", user="supervisor", lang="zh")
    assert code == 0 and "未留存客户身份证件影印件" in out and "第11号" in out
    code, _out, err = admin_cli("aml", "referrals", user="teller")
    assert code != 0 and "not allowed" in err
