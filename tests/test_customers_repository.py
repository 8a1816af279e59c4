"""The customer API on a real (SQLCipher) demo installation: create, find, search, change, reveal,
consent, counter sessions, permissions and what the audit log may hold."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from counterdesk.base.roles import PermissionDenied
from counterdesk.base.text import ValidationFailed
from counterdesk.forms import load_form
from counterdesk.services import verification
from counterdesk.services.customers import aml
from counterdesk.services.customers import repository as repo
from counterdesk.services.customers.common import CustomerError
from counterdesk.store.models.customers import CounterSessionRecord

NAME, ID_NUMBER, PHONE, ADDRESS = "张三丰", "11010519491231002X", "13812345678", "北京市朝阳区建国路88号院3号楼"
ANSWERS = {
    "id_doc_type": "resident_id", "id_number": ID_NUMBER, "id_issue_date": "2015-06-01", "id_long_term": True,
    "name_zh": NAME, "sex": "female", "birth_date": "1949-12-31", "nationality": "CHN", "phone": PHONE,
    "address": ADDRESS, "occupation": "retired", "civil_capacity": "full", "tax_residency": "cn_only",
    "pep_status": "none", "customer_tier": "wealth",
}
CUSTOMER_TABLES = ("customers", "customer_versions", "customer_documents", "customer_names", "consents",
                   "aml_ratings")


@pytest.fixture
def teller(sign_in):
    return sign_in("teller")


def _as_document_says(answers: dict) -> dict:
    """Birth date and sex as the resident ID number encodes them (the store refuses contradictions)."""
    number = answers["id_number"]
    if answers["id_doc_type"] == "resident_id" and len(number) == 18:
        answers = {**answers, "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                   "sex": "male" if int(number[16]) % 2 else "female"}
    return answers


def _create(vault, us, **changes) -> tuple[str, str]:
    """(customer id, counter session id) of a new customer, through session and consent."""
    sid = repo.open_session(vault, us)
    consent = repo.record_consent(vault, us, sid, True, 1)
    answers = {**ANSWERS, **changes}
    if "id_number" in changes and "birth_date" not in changes:
        answers = _as_document_says(answers)
    cid = repo.create_customer(vault, us, answers, load_form("kyc"), consent, sid)
    return cid, sid


def _rows(vault, sql: str, **params) -> list[tuple]:
    return vault.transact(lambda s: [tuple(r) for r in s.execute(text(sql), params).all()])


def _count(vault, table: str) -> int:
    return _rows(vault, f"SELECT count(*) FROM {table}")[0][0]


def _audit(vault, action: str) -> list[dict]:
    return [{"object_id": r[0], "details": json.loads(r[1])}
            for r in _rows(vault, "SELECT object_id, details FROM audit_log WHERE action = :a ORDER BY seq", a=action)]


def _all_text(vault) -> str:
    """Every value of every table, as one string (the database is decrypted by the open engine)."""
    tables = [r[0] for r in _rows(vault, "SELECT name FROM sqlite_master WHERE type='table'")]
    return "\n".join(repr(_rows(vault, f'SELECT * FROM "{t}"')) for t in tables)


# ---- create, find, search -----------------------------------------------------------------------------

def test_create_then_find_by_document(demo_vault, teller):
    cid, sid = _create(demo_vault, teller)
    found = repo.find_by_document(demo_vault, teller, "resident_id", "110105 19491231 002x")
    assert found is not None and found.customer_id == cid
    assert found.name == "张**" and found.id_number == "110***********002X"
    assert found.birth_date == "1949-**-**" and found.customer_tier == "wealth" and found.matched_by == "document"
    assert repo.find_by_document(demo_vault, teller, None, ID_NUMBER).customer_id == cid  # any type
    assert repo.find_by_document(demo_vault, teller, "passport", ID_NUMBER) is None
    assert repo.find_by_document(demo_vault, teller, "resident_id", "110105194912310000") is None
    # The counter session now points at the customer, the consent too.
    assert repo.get_session(demo_vault, teller, sid).customer_id == cid
    assert _rows(demo_vault, "SELECT customer_id FROM consents") == [(cid,)]
    # The exact form wording is archived under its hash.
    kyc = load_form("kyc")
    assert _rows(demo_vault, "SELECT form_id, version, body FROM form_definitions WHERE hash = :h", h=kyc.hash) == [
        ("kyc", 2, kyc.canonical)]
    searches = _audit(demo_vault, "customer.searched")
    assert searches[0]["details"]["masked"] == "110***********002X"
    assert searches[-1]["details"] == {"by": "document", "count": 0, "doc_type": "resident_id",
                                       "masked": "110***********0000"}


def test_document_lookup_uses_the_index(demo_vault, teller):
    plan = _rows(demo_vault, "EXPLAIN QUERY PLAN SELECT customer_id FROM customer_documents "
                             "WHERE number_norm = 'X' AND doc_type = 'resident_id'")
    assert "ux_customer_documents_number" in repr(plan)
    plan = _rows(demo_vault, "EXPLAIN QUERY PLAN SELECT customer_id FROM customer_names "
                             "WHERE pinyin_norm >= 'zh' AND pinyin_norm < 'zh\U0010ffff'")
    assert "ix_customer_names_pinyin" in repr(plan)


SEARCHES = [
    ("张三丰", "name"), ("张三", "name"), ("张", "name"),
    ("zhangsanfeng", "pinyin"), ("ZhangSanFeng", "pinyin"), ("Zhang San Feng", "pinyin"), ("zhangs", "pinyin"),
    ("zsf", "initials"), ("Z S F", "initials"), ("ZSF", "initials"),
    ("三丰", "given_name"), ("sanfeng", "given_name"), ("SF", "given_name"),
]


def test_search_by_name_in_characters_pinyin_and_initials(demo_vault, teller):
    cid, _ = _create(demo_vault, teller)
    other, _ = _create(demo_vault, teller, id_number="110105198001010016", name_zh="李四", phone="13912345678")
    for query, matched_by in SEARCHES:
        hits = repo.search_by_name(demo_vault, teller, query)
        assert [h.customer_id for h in hits] == [cid], query
        assert hits[0].matched_by == matched_by, query
        assert hits[0].name == "张**" and NAME not in repr(hits)
    assert [h.customer_id for h in repo.search_by_name(demo_vault, teller, "lisi")] == [other]
    assert repo.search_by_name(demo_vault, teller, "wangwu") == []
    assert repo.search_by_name(demo_vault, teller, "   ") == []
    logged = [e["details"] for e in _audit(demo_vault, "customer.searched")]
    assert logged[0] == {"by": "name", "count": 1, "masked": "张**"}
    assert all(NAME not in json.dumps(d, ensure_ascii=False) for d in logged)


def test_search_ranks_exact_before_prefix_and_uses_surname_readings(demo_vault, teller):
    shan, _ = _create(demo_vault, teller, name_zh="单田芳", id_number="110105198001010016", phone="13912345678")
    dan, _ = _create(demo_vault, teller, name_zh="单田", id_number="110105198001010024", phone="13912345679")
    assert [h.customer_id for h in repo.search_by_name(demo_vault, teller, "单田")] == [dan, shan]
    # 单 as a surname is Shàn; the common reading Dān finds the customer too.
    assert shan in [h.customer_id for h in repo.search_by_name(demo_vault, teller, "shantianfang")]
    assert shan in [h.customer_id for h in repo.search_by_name(demo_vault, teller, "dantianfang")]
    assert [h.customer_id for h in repo.search_by_name(demo_vault, teller, "stf", limit=1)] == [shan]


def test_customer_with_a_latin_name_only(demo_vault, teller):
    cid, _ = _create(demo_vault, teller, name_zh=None, name_latin="John Michael Smith", id_doc_type="passport",
                     id_number="L898902C3", nationality="GBR", phone="+44 20 7946 0958")
    for query in ("John Smith"[:4], "johnmichaelsmith", "JOHN MICHAEL", "Smith", "jms"):
        assert [h.customer_id for h in repo.search_by_name(demo_vault, teller, query)] == [cid], query
    found = repo.find_by_document(demo_vault, teller, "passport", "l898902c3")
    assert found.customer_id == cid and found.name == "J*" and found.id_number == "L*****2C3"
    record = repo.get_customer(demo_vault, teller, cid)
    assert record.fields["phone"] == "+44 20****0958" and "name_pinyin" not in record.fields


def test_get_customer_is_masked_and_audited(demo_vault, teller):
    cid, _ = _create(demo_vault, teller)
    record = repo.get_customer(demo_vault, teller, cid)
    assert record.version == record.current_version == 1 and record.form_id == "kyc"
    f = record.fields
    assert f["name_zh"] == "张**" and f["name_pinyin"] == "Z*" and f["id_number"] == "110***********002X"
    assert f["phone"] == "+86 138****5678" and f["address"] == "北京市朝阳区****"
    assert f["birth_date"] == "1949-**-**" and f["sex"] == "female" and f["customer_tier"] == "wealth"
    for clear in (NAME, ID_NUMBER, PHONE, ADDRESS, "1949-12-31"):
        assert clear not in repr(record)
    assert _audit(demo_vault, "customer.viewed") == [{"object_id": cid, "details": {"version": 1}}]


# ---- changes and history -----------------------------------------------------------------------------------

def test_update_adds_a_version_and_keeps_the_old_one(demo_vault, teller):
    cid, _ = _create(demo_vault, teller)
    v2 = repo.update_customer(demo_vault, teller, cid, {"phone": "+852 9123 4567", "customer_tier": "private_banking"},
                              "客户更换手机号 / new phone")
    assert v2 == 2
    assert repo.reveal(demo_vault, teller, cid, "phone") == "+85291234567"
    assert repo.reveal(demo_vault, teller, cid, "phone", version=1) == "+8613812345678"
    history = repo.versions(demo_vault, teller, cid)
    assert [v.version for v in history] == [1, 2]
    assert history[1].changed_fields == ("customer_tier", "phone") and history[1].reason.startswith("客户")
    assert "phone" in history[0].changed_fields
    changed = _audit(demo_vault, "customer.changed")
    assert changed == [{"object_id": cid, "details": {"fields": ["customer_tier", "phone"], "form": "kyc@2",
                                                      "version": 2}}]
    # No change: no new version. Old versions cannot be edited, even in SQL.
    assert repo.update_customer(demo_vault, teller, cid, {"phone": "+85291234567"}, "again") == 2
    assert _count(demo_vault, "customer_versions") == 2
    with pytest.raises(Exception, match="append-only"):
        _rows(demo_vault, "UPDATE customer_versions SET data = '{}' WHERE version = 1")
    with pytest.raises(Exception, match="append-only"):
        _rows(demo_vault, "DELETE FROM customer_versions")


def test_update_with_a_new_document_keeps_the_old_number_findable(demo_vault, teller):
    cid, _ = _create(demo_vault, teller)
    repo.update_customer(demo_vault, teller, cid, {"id_doc_type": "passport", "id_number": "E12345678",
                                                   "id_long_term": False, "id_expiry_date": "2035-01-01"},
                         "passport added as main document")
    assert repo.find_by_document(demo_vault, teller, "passport", "E12345678").customer_id == cid
    assert repo.find_by_document(demo_vault, teller, "resident_id", ID_NUMBER).customer_id == cid
    docs = _rows(demo_vault, "SELECT doc_type, current, expiry_date FROM customer_documents ORDER BY id")
    assert docs == [("resident_id", 0, None), ("passport", 1, "2035-01-01")]
    # A changed name re-indexes the search keys.
    repo.update_customer(demo_vault, teller, cid, {"name_zh": "张君宝"}, "name corrected")
    assert repo.search_by_name(demo_vault, teller, "zhangsanfeng") == []
    assert [h.customer_id for h in repo.search_by_name(demo_vault, teller, "zjb")] == [cid]


def test_update_is_validated_and_needs_a_reason(demo_vault, teller):
    cid, _ = _create(demo_vault, teller)
    with pytest.raises(ValidationFailed) as err:
        repo.update_customer(demo_vault, teller, cid, {"phone": "12345"}, "typo")
    assert [(p.field, p.code) for p in err.value.result.problems] == [("phone", "phone_invalid")]
    with pytest.raises(ValidationFailed) as err:
        repo.update_customer(demo_vault, teller, cid, {"phone": "13912345678"}, "  ")
    assert err.value.result.problems[0].field == "reason"
    with pytest.raises(CustomerError) as err:
        repo.update_customer(demo_vault, teller, "no-such-id", {"phone": "13912345678"}, "x")
    assert err.value.code == "customer_not_found"
    assert _count(demo_vault, "customer_versions") == 1


def test_reveal_returns_the_clear_value_and_is_audited(demo_vault, teller):
    cid, _ = _create(demo_vault, teller, tax_residency="cn_and_other",
                     tax_jurisdictions=[{"country": "USA", "tin": "123-45-6789"}])
    assert repo.reveal(demo_vault, teller, cid, "id_number") == ID_NUMBER
    assert repo.reveal(demo_vault, teller, cid, "tax_jurisdictions[0].tin") == "123-45-6789"
    assert repo.get_customer(demo_vault, teller, cid).fields["tax_jurisdictions"] == [
        {"country": "USA", "tin": "12******789"}]
    revealed = _audit(demo_vault, "customer.revealed")
    assert revealed == [{"object_id": cid, "details": {"field": "id_number", "version": 1}},
                        {"object_id": cid, "details": {"field": "tax_jurisdictions[0].tin", "version": 1}}]
    for bad in ("employer", "tax_jurisdictions[5].tin", "no_such_field", "tax_jurisdictions[x].tin"):
        with pytest.raises(CustomerError) as err:
            repo.reveal(demo_vault, teller, cid, bad)
        assert err.value.code == "field_not_found"
    assert len(_audit(demo_vault, "customer.revealed")) == 2  # refused reveals log nothing revealed


# ---- refusals ---------------------------------------------------------------------------------------------------

def test_consent_refusal_stores_nothing_personal(demo_vault, teller):
    sid = repo.open_session(demo_vault, teller)
    assert repo.record_consent(demo_vault, teller, sid, False, 1) is None
    session = repo.get_session(demo_vault, teller, sid)
    assert session.status == "stopped" and session.stop_reason_code == "consent_refused"
    # The flow cannot go on with this session: nothing gets in afterwards either.
    with pytest.raises(CustomerError) as err:
        repo.create_customer(demo_vault, teller, ANSWERS, None, "made-up-consent", sid)
    assert err.value.code == "session_closed"
    for table in CUSTOMER_TABLES:
        assert _count(demo_vault, table) == 0, table
    dump = _all_text(demo_vault)
    for clear in (NAME, ID_NUMBER, PHONE, ADDRESS, "zhangsanfeng", "1949-12-31"):
        assert clear not in dump
    assert _audit(demo_vault, "customer.consent_refused") == [{"object_id": sid, "details": {"text_version": 1}}]


def test_create_needs_a_granted_unused_consent_from_the_same_session(demo_vault, teller):
    sid = repo.open_session(demo_vault, teller)
    other = repo.open_session(demo_vault, teller)
    foreign = repo.record_consent(demo_vault, teller, other, True, 1)
    for consent in (None, "no-such-consent", foreign):
        with pytest.raises(CustomerError) as err:
            repo.create_customer(demo_vault, teller, ANSWERS, None, consent, sid)
        assert err.value.code == "consent_required"
    consent = repo.record_consent(demo_vault, teller, sid, True, 1)
    repo.create_customer(demo_vault, teller, ANSWERS, None, consent, sid)
    with pytest.raises(CustomerError) as err:  # a consent covers one customer
        repo.create_customer(demo_vault, teller, _as_document_says({**ANSWERS, "id_number": "110105198001010016"}), None, consent, sid)
    assert err.value.code == "consent_required"
    assert _count(demo_vault, "customers") == 1


def test_no_civil_capacity_stops_the_session_and_stores_nothing(demo_vault, teller):
    sid = repo.open_session(demo_vault, teller)
    consent = repo.record_consent(demo_vault, teller, sid, True, 1)
    with pytest.raises(repo.SessionStopped) as err:
        repo.create_customer(demo_vault, teller, {**ANSWERS, "civil_capacity": "none"}, None, consent, sid)
    assert err.value.code == "no_civil_capacity"
    assert "no_civil_capacity" in {p.code for p in err.value.result.problems}
    session = repo.get_session(demo_vault, teller, sid)
    assert (session.status, session.stop_reason_code) == ("stopped", "no_civil_capacity")
    assert _count(demo_vault, "customers") == 0 and _count(demo_vault, "customer_versions") == 0
    assert _audit(demo_vault, "session.stopped")[0]["details"] == {"reason": "no_civil_capacity"}


def test_invalid_answers_and_duplicate_documents_are_refused(demo_vault, teller):
    sid = repo.open_session(demo_vault, teller)
    consent = repo.record_consent(demo_vault, teller, sid, True, 1)
    with pytest.raises(ValidationFailed) as err:
        repo.create_customer(demo_vault, teller, {**ANSWERS, "phone": "12345", "sex": None}, None, consent, sid)
    assert {(p.field, p.code) for p in err.value.result.problems} == {("phone", "phone_invalid"), ("sex", "required")}
    assert _count(demo_vault, "customers") == 0
    repo.create_customer(demo_vault, teller, ANSWERS, None, consent, sid)
    with pytest.raises(ValidationFailed) as err:
        _create(demo_vault, teller, id_number="11010519491231002x", name_zh="王五")
    assert err.value.result.problems[0].code == "document_exists"
    assert _count(demo_vault, "customers") == 1


def test_permissions(demo_vault, sign_in):
    teller = sign_in("teller")
    cid, sid = _create(demo_vault, teller)
    auditor, supervisor, admin = sign_in("auditor"), sign_in("supervisor"), sign_in("admin")
    for us in (auditor, supervisor, admin):
        with pytest.raises(PermissionDenied):
            repo.update_customer(demo_vault, us, cid, {"phone": "13912345678"}, "x")
        with pytest.raises(PermissionDenied):
            repo.create_customer(demo_vault, us, ANSWERS, None, "c", sid)
        with pytest.raises(PermissionDenied):
            repo.record_consent(demo_vault, us, sid, True, 1)
        with pytest.raises(PermissionDenied):
            repo.open_session(demo_vault, us)
    for us in (auditor, admin):
        with pytest.raises(PermissionDenied):
            repo.find_by_document(demo_vault, us, "resident_id", ID_NUMBER)
        with pytest.raises(PermissionDenied):
            repo.search_by_name(demo_vault, us, "zsf")
        with pytest.raises(PermissionDenied):
            repo.get_customer(demo_vault, us, cid)
        with pytest.raises(PermissionDenied):
            repo.reveal(demo_vault, us, cid, "phone")
    # The supervisor may look customers up and reveal (audited), not change them.
    assert repo.find_by_document(demo_vault, supervisor, "resident_id", ID_NUMBER).customer_id == cid
    assert repo.reveal(demo_vault, supervisor, cid, "phone") == "+8613812345678"
    assert _count(demo_vault, "customer_versions") == 1


# ---- counter sessions -------------------------------------------------------------------------------------------

def test_counter_session_life_cycle(demo_vault, sign_in):
    teller = sign_in("teller")
    cid, _ = _create(demo_vault, teller)
    sid = repo.open_session(demo_vault, teller)
    info = repo.get_session(demo_vault, teller, sid)
    assert (info.status, info.step, info.customer_id) == ("open", "identify", None)
    repo.set_step(demo_vault, teller, sid, "screening")
    repo.attach_customer(demo_vault, teller, sid, cid)
    info = repo.get_session(demo_vault, teller, sid)
    assert (info.step, info.customer_id) == ("screening", cid)
    with pytest.raises(CustomerError) as err:
        repo.attach_customer(demo_vault, teller, sid, "no-such-customer")
    assert err.value.code == "customer_not_found"
    repo.complete_session(demo_vault, teller, sid)
    assert repo.get_session(demo_vault, teller, sid).status == "completed"
    for call in (lambda: repo.stop_session(demo_vault, teller, sid, "late"),
                 lambda: repo.set_step(demo_vault, teller, sid, "x"),
                 lambda: repo.complete_session(demo_vault, teller, sid)):
        with pytest.raises(CustomerError) as err:
            call()
        assert err.value.code == "session_closed"
    with pytest.raises(CustomerError):
        repo.stop_session(demo_vault, teller, repo.open_session(demo_vault, teller), " ")
    actions = [r[0] for r in _rows(demo_vault, "SELECT action FROM audit_log WHERE object_type = 'counter_session'")]
    assert "session.customer_attached" in actions and "session.completed" in actions


def test_another_tellers_session_cannot_be_used(demo_vault, sign_in):
    teller, admin = sign_in("teller"), sign_in("admin")

    def foreign(db):
        db.add(CounterSessionRecord(id="s-foreign", teller_id=admin.user_id, status="open", step="identify",
                                   created_at="t", updated_at="t"))
    demo_vault.transact(foreign)
    for call in (lambda: repo.record_consent(demo_vault, teller, "s-foreign", True, 1),
                 lambda: repo.stop_session(demo_vault, teller, "s-foreign", "x")):
        with pytest.raises(CustomerError) as err:
            call()
        assert err.value.code == "session_not_yours"
    with pytest.raises(CustomerError) as err:
        repo.get_session(demo_vault, teller, "s-foreign")
    assert err.value.code == "session_not_found"


# ---- AML rating and the audit log as a whole ---------------------------------------------------------------------

def test_aml_rating_is_stored_and_explained(demo_vault, teller):
    cid, _ = _create(demo_vault, teller, occupation="precious_metals_dealer", employer="金店")
    rating = aml.rate_customer(demo_vault, teller, cid, aml.ScreeningHistory(cleared_false_positive=True))
    assert rating.level == "high" and {r.rule for r in rating.reasons} == {"occupation", "screening.cleared"}
    stored, rated_at = aml.latest_rating(demo_vault, teller, cid)
    assert stored == rating and rated_at
    assert _rows(demo_vault, "SELECT level, rules_version FROM aml_ratings") == [("high", aml.RULES_VERSION)]
    assert _audit(demo_vault, "customer.rated")[0]["details"] == {"count": 2, "level": "high",
                                                                  "rules_version": aml.RULES_VERSION}
    assert aml.latest_rating(demo_vault, teller, "nobody") is None


def test_audit_log_holds_no_clear_personal_data_and_still_verifies(demo_vault, sign_in):
    teller = sign_in("teller")
    cid, _ = _create(demo_vault, teller)
    repo.find_by_document(demo_vault, teller, "resident_id", ID_NUMBER)
    repo.search_by_name(demo_vault, teller, NAME)
    repo.search_by_name(demo_vault, teller, "zhangsanfeng")
    repo.get_customer(demo_vault, teller, cid)
    repo.update_customer(demo_vault, teller, cid, {"address": "上海市浦东新区世纪大道100号"}, "moved")
    repo.reveal(demo_vault, teller, cid, "address")
    details = "\n".join(r[0] for r in _rows(demo_vault, "SELECT details FROM audit_log"))
    for clear in (NAME, ID_NUMBER, PHONE, ADDRESS, "世纪大道", "zhangsanfeng", "1949-12-31"):
        assert clear not in details, clear
    created = _audit(demo_vault, "customer.created")[0]["details"]
    assert created["masked"] == {"id_number": "110***********002X", "name": "张**", "phone": "+86 138****5678"}
    assert verification.verify(demo_vault, sign_in("auditor")).ok


def test_update_reports_unknown_keys_and_clears_with_none(demo_vault, teller):
    cid, _ = _create(demo_vault, teller, occupation="gbt6565_2", employer="北京华信科技有限公司")
    with pytest.raises(ValidationFailed) as err:
        repo.update_customer(demo_vault, teller, cid, {"phnoe": "13912345678"}, "typo in the key")
    assert [(p.field, p.code) for p in err.value.result.problems] == [("phnoe", "unknown_field")]
    # Retired: the employer is no longer asked, so it is dropped from the new version.
    assert repo.update_customer(demo_vault, teller, cid, {"occupation": "retired", "employer": None}, "retired") == 2
    assert repo.versions(demo_vault, teller, cid)[1].changed_fields == ("employer", "occupation")
