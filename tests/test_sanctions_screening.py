"""Screening a subject: stored snapshot, stale lists refuse to clear, supervisor disposition rules."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from counterdesk.base.roles import PermissionDenied
from counterdesk.base.text import ValidationFailed
from counterdesk.screening.index import CACHE
from counterdesk.screening.matcher import MATCHER_VERSION
from counterdesk.services import accounts
from counterdesk.services.sanctions import disposition, lists, screening
from counterdesk.services.sanctions.disposition import FALSE_POSITIVE_REASONS, DispositionRefused
from counterdesk.services.sanctions.screening import ScreenedPerson
from helpers.demo import enrol_sign_in

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "sanctions"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
WANG = ScreenedPerson(["王晓明", "Wang Xiaoming"], date(1968, 3, 15), "CHN", ["E12345678"])
NOBODY = ScreenedPerson(["张三丰"], date(1990, 1, 1), "CN", ["G00000001"])
SECOND_PW = "Fuhe-Zhuguan-2026!"


@pytest.fixture
def loaded(demo_vault, sign_in):
    """The demo with the UN, OFAC and OpenSanctions samples loaded."""
    admin = sign_in("admin")
    for name in ("un_consolidated_sample.xml", "ofac_sdn_sample.xml", "opensanctions_targets_sample.simple.csv"):
        lists.import_paths(demo_vault, admin, [SAMPLES / name], now=NOW)
    return demo_vault


def _rows(vault, table="screenings"):
    return vault.transact(lambda s: [dict(r) for r in s.connection().exec_driver_sql(f"SELECT * FROM {table}").mappings()])


def _audit(vault, action):
    def read(db):
        return [dict(r) for r in db.connection().exec_driver_sql(
            "SELECT * FROM audit_log WHERE action = ? ORDER BY seq", (action,)).mappings()]
    return vault.transact(read)


def test_a_listed_person_is_a_potential_hit(loaded, sign_in):
    teller = sign_in("teller")
    result = screening.screen(loaded, teller, WANG, "customer-1", now=NOW)
    assert result.status == "potential_hit" and not result.cleared
    assert {(h.list_source, h.entry_ref) for h in result.hits} >= {("UN", "QDi.901"), ("OFAC-SDN", "36001")}
    top = result.hits[0]
    assert {a.code for a in top.adjustments} >= {"document_match", "dob_exact", "nationality_match"}
    assert result.matcher_version == MATCHER_VERSION and result.threshold == 0.85
    assert len(result.list_hashes) == 3
    assert "supervisor" in result.message.en and "主管" in result.message.zh
    [row] = _rows(loaded)
    assert row["id"] == result.screening_id and row["status"] == "potential_hit"
    assert row["created_by"] == teller.user_id and row["subject_ref"] == "customer-1"
    assert json.loads(row["list_hashes"]) == list(result.list_hashes)
    stored = json.loads(row["hits"])
    assert stored[0]["explanation"]["zh"] and stored[0]["adjustments"]
    # The subject's own data is not in the screening row (only the list side of each hit).
    blob = json.dumps(row, ensure_ascii=False)
    assert "E12345678" not in blob and "1968-03-15" not in blob and "CHN" not in blob


def test_clear_subject_and_audit_without_personal_data(loaded, sign_in):
    teller = sign_in("teller")
    result = screening.screen(loaded, teller, NOBODY, "session-42", now=NOW)
    assert result.status == "clear" and result.cleared and result.hits == ()
    assert "No match" in result.message.en and "未发现匹配" in result.message.zh
    [entry] = _audit(loaded, "sanctions.screened")
    details = json.loads(entry["details"])
    assert details == {"status": "clear", "hits": 0, "threshold": 0.85, "matcher_version": MATCHER_VERSION,
                       "lists": 3, "subject_ref": "session-42"}
    assert entry["object_id"] == result.screening_id
    assert "张三丰" not in entry["details"] and "1990" not in entry["details"]


def test_screening_refuses_with_no_list(demo_vault, sign_in):
    teller = sign_in("teller")
    result = screening.screen(demo_vault, teller, NOBODY, "customer-1", now=NOW)
    assert result.status == "refused_stale_lists" and not result.cleared
    assert "No sanctions list" in result.message.en and "尚未加载" in result.message.zh
    assert _rows(demo_vault)[0]["status"] == "refused_stale_lists"


def test_stale_list_refuses_to_clear_and_names_it(loaded, sign_in):
    teller = sign_in("teller")
    later = NOW + timedelta(days=5)  # UN sample (2026-11-20) is now 10 days old, OFAC 9, OpenSanctions 8
    result = screening.screen(loaded, teller, NOBODY, "customer-1", now=later)
    assert result.status == "refused_stale_lists" and result.hits == ()
    assert {s.source for s in result.stale_lists} == {"UN", "OFAC-SDN", "OpenSanctions"}
    assert "UN (published 2026-11-20)" in result.message.en and "7 days" in result.message.en
    assert "“UN”（发布于 2026-11-20）" in result.message.zh
    # Only the stale source is named when the others are fresh enough.
    admin = sign_in("admin")
    loaded.set_setting(admin, "sanctions.max_list_age_days", 9)
    result = screening.screen(loaded, teller, NOBODY, "customer-1", now=later)
    assert [s.source for s in result.stale_lists] == ["UN"]


def test_the_threshold_setting_is_used(loaded, sign_in):
    admin, teller = sign_in("admin"), sign_in("teller")
    near = ScreenedPerson(["Wang Xiaomimg"])
    assert screening.screen(loaded, teller, near, "c", now=NOW).status == "potential_hit"
    loaded.set_setting(admin, "sanctions.match_threshold", 0.99)
    result = screening.screen(loaded, teller, near, "c", now=NOW)
    assert result.status == "clear" and result.threshold == 0.99


def test_index_is_rebuilt_when_lists_change(loaded, sign_in, tmp_path):
    teller, admin = sign_in("teller"), sign_in("admin")
    assert screening.screen(loaded, teller, WANG, "c", now=NOW).status == "potential_hit"
    first = CACHE._index
    assert screening.screen(loaded, teller, NOBODY, "c", now=NOW).status == "clear"
    assert CACHE._index is first  # same lists: same index
    # A newer UN list without Wang Xiaoming, and OFAC/OpenSanctions entries gone the same way.
    text = (SAMPLES / "un_consolidated_sample.xml").read_text(encoding="utf-8")
    text = text.replace('dateGenerated="2026-11-20', 'dateGenerated="2026-11-24').replace("王晓明", "王晓光")
    path = tmp_path / "un.xml"
    path.write_text(text, encoding="utf-8")
    lists.import_paths(loaded, admin, [path], now=NOW)
    result = screening.screen(loaded, teller, ScreenedPerson(["王晓光"]), "c", now=NOW)
    assert CACHE._index is not first
    assert any(h.matched_name == "王晓光" for h in result.hits)


@pytest.mark.parametrize("subject,ref", [(ScreenedPerson([]), "c"), (ScreenedPerson(["  "]), "c"), (WANG, ""), (WANG, "x" * 65)])
def test_invalid_requests(loaded, sign_in, subject, ref):
    with pytest.raises(ValidationFailed):
        screening.screen(loaded, sign_in("teller"), subject, ref, now=NOW)


@pytest.mark.parametrize("user", ["admin", "auditor"])
def test_roles_without_screening(loaded, sign_in, user):
    with pytest.raises(PermissionDenied):
        screening.screen(loaded, sign_in(user), WANG, "c", now=NOW)


# ---- disposition ------------------------------------------------------------------------------------
@pytest.fixture
def second_supervisor(loaded, sign_in):
    admin = sign_in("admin")
    accounts.create_user(loaded, admin, "supervisor2", "复核主管 Second Supervisor", "supervisor", SECOND_PW)
    return enrol_sign_in(loaded, "supervisor2", SECOND_PW)


def test_teller_cannot_dispose(loaded, sign_in):
    teller = sign_in("teller")
    result = screening.screen(loaded, teller, WANG, "c", now=NOW)
    with pytest.raises(PermissionDenied):
        disposition.dispose(loaded, teller, result.screening_id, "false_positive", "different_dob")
    with pytest.raises(PermissionDenied):
        disposition.pending_hits(loaded, teller)


def test_maker_checker(loaded, sign_in, second_supervisor):
    supervisor = sign_in("supervisor")
    result = screening.screen(loaded, supervisor, WANG, "customer-7", now=NOW)
    # The supervisor who ran it sees it in the queue but may not decide it.
    [pending] = disposition.pending_hits(loaded, supervisor)
    assert pending.screening_id == result.screening_id and not pending.can_dispose(supervisor)
    assert pending.can_dispose(second_supervisor)
    with pytest.raises(DispositionRefused) as err:
        disposition.dispose(loaded, supervisor, result.screening_id, "confirmed_match", "identity_confirmed")
    assert err.value.code == "maker_checker"
    assert "another supervisor" in err.value.message("en")
    record = disposition.dispose(loaded, second_supervisor, result.screening_id, "confirmed_match",
                                 "identity_confirmed", "护照与名单一致")
    assert record.status == "confirmed_match" and record.disposition_by == "supervisor2"
    assert record.disposition_reason_code == "identity_confirmed" and record.disposition_note == "护照与名单一致"
    assert disposition.pending_hits(loaded, supervisor) == []
    [entry] = _audit(loaded, "sanctions.disposed")
    assert json.loads(entry["details"]) == {"decision": "confirmed_match", "reason_code": "identity_confirmed",
                                            "hits": len(result.hits)}
    assert entry["actor_name"] == "supervisor2" and "护照" not in entry["details"]
    # Decided once: no second decision.
    with pytest.raises(DispositionRefused) as err:
        disposition.dispose(loaded, second_supervisor, result.screening_id, "false_positive", "different_dob")
    assert err.value.code == "not_pending"


def test_teller_screening_disposed_by_supervisor_as_false_positive(loaded, sign_in):
    teller, supervisor = sign_in("teller"), sign_in("supervisor")
    result = screening.screen(loaded, teller, ScreenedPerson(["Wang Xiaoming"], date(1968, 7, 1)), "c", now=NOW)
    assert result.status == "potential_hit"
    [pending] = disposition.pending_hits(loaded, supervisor)
    assert pending.created_by == "teller" and pending.hits == result.hits
    record = disposition.dispose(loaded, supervisor, result.screening_id, "false_positive", "different_dob")
    assert record.status == "false_positive"
    assert _rows(loaded)[0]["disposition_by"] == supervisor.user_id


@pytest.mark.parametrize("decision,reason,note,field", [
    ("false_positive", "other", "", "note"),
    ("false_positive", "no_such_reason", "", "reason_code"),
    ("confirmed_match", "different_dob", "", "reason_code"),
    ("maybe", "other", "x", "decision"),
    ("false_positive", "partial_name", "x" * 501, "note"),
])
def test_disposition_input_is_validated(loaded, sign_in, decision, reason, note, field):
    result = screening.screen(loaded, sign_in("teller"), WANG, "c", now=NOW)
    with pytest.raises(ValidationFailed) as err:
        disposition.dispose(loaded, sign_in("supervisor"), result.screening_id, decision, reason, note)
    assert err.value.result.problems[0].field == field
    assert _rows(loaded)[0]["status"] == "potential_hit"


def test_other_reason_with_a_note_is_accepted(loaded, sign_in):
    result = screening.screen(loaded, sign_in("teller"), WANG, "c", now=NOW)
    record = disposition.dispose(loaded, sign_in("supervisor"), result.screening_id, "false_positive", "other",
                                 "客户为同名人员，已电话核实")
    assert record.disposition_reason_code == "other"


def test_only_potential_hits_can_be_disposed(loaded, sign_in):
    result = screening.screen(loaded, sign_in("teller"), NOBODY, "c", now=NOW)
    with pytest.raises(DispositionRefused) as err:
        disposition.dispose(loaded, sign_in("supervisor"), result.screening_id, "false_positive", "different_dob")
    assert err.value.code == "not_pending"
    with pytest.raises(DispositionRefused) as err:
        disposition.dispose(loaded, sign_in("supervisor"), "no-such-id", "false_positive", "different_dob")
    assert err.value.code == "screening_not_found"


def test_stored_screening_can_be_read_back(loaded, sign_in):
    result = screening.screen(loaded, sign_in("teller"), WANG, "customer-9", now=NOW)
    for user in ("teller", "supervisor", "auditor"):
        record = disposition.get_screening(loaded, sign_in(user), result.screening_id)
        assert record.hits == result.hits and record.list_hashes == result.list_hashes
        assert record.subject_ref == "customer-9" and record.created_by == "teller"
    assert disposition.get_screening(loaded, sign_in("auditor"), "missing") is None


def test_reason_codes_are_bilingual():
    assert set(FALSE_POSITIVE_REASONS) == {"different_dob", "different_nationality", "different_person_document",
                                           "partial_name", "other"}
    for text in FALSE_POSITIVE_REASONS.values():
        assert text.zh and text.en
