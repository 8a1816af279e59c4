"""Alembic migrations on real SQLCipher files: every earlier revision upgrades to head with its data."""
from __future__ import annotations

import itertools
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

import counterdesk.store.models.assessment
import counterdesk.store.models.catalog
import counterdesk.store.models.customers
import counterdesk.store.models.sales
import counterdesk.store.models.sanctions  # noqa: F401  (sanctions tables on Base.metadata)
from counterdesk.base.actors import Actor
from counterdesk.services.auth.vault import Vault
from counterdesk.store import audit, ledger, migrate, triggers
from counterdesk.store import users as users_repo
from counterdesk.store.engine import make_engine
from counterdesk.store.migrate import SchemaError
from counterdesk.store.models.core import Base
from counterdesk.store.models.ledger import LedgerEntry
from helpers.demo import PASSWORDS, totp_code


@pytest.fixture
def key() -> bytes:
    return os.urandom(32)


@pytest.fixture
def new_engine(tmp_path, key):
    engines = []

    def make(name: str = "m.db"):
        engine = make_engine(tmp_path / name, key)
        engines.append(engine)
        return engine
    yield make
    for engine in engines:
        engine.dispose()


def _tables(engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}


def _schema(engine) -> dict:
    """Tables with their columns, plus indexes and triggers: what an upgrade must reproduce."""
    out: dict = {}
    with engine.connect() as conn:
        for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"):
            cols = conn.exec_driver_sql(f"PRAGMA table_info('{name}')").fetchall()
            out[name] = sorted((c[1], c[2].upper(), c[3], (c[4] or "").strip("'").lower(), c[5]) for c in cols)
        out["__indexes__"] = sorted(
            (r[0], r[1]) for r in conn.exec_driver_sql(
                "SELECT name, tbl_name FROM sqlite_master WHERE type='index' AND name NOT LIKE 'sqlite_%'"))
        out["__triggers__"] = sorted(
            r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'"))
    return out


# ---- representative rows, as raw SQL valid at each revision ---------------------------------------
# When a new revision is added, the previous head becomes an "earlier revision" and needs an entry.

ADMIN_ID, TELLER_ID = str(uuid.uuid4()), str(uuid.uuid4())


def _audit_rows(n: int) -> list[dict]:
    rows, prev = [], audit.GENESIS
    for seq in range(1, n + 1):
        row = {"seq": seq, "ts": f"2026-01-0{seq}T08:00:00.000000+00:00", "actor_id": ADMIN_ID,
               "actor_name": "admin", "workstation": "ws-1", "action": "user.created", "object_type": "user",
               "object_id": TELLER_ID, "details": '{"role":"teller","username":"teller"}', "prev_hash": prev}
        row["hash"] = audit.compute_hash(prev, row)
        prev = row["hash"]
        rows.append(row)
    return rows


def _seed_0001(conn) -> dict[str, list[tuple]]:
    conn.exec_driver_sql(
        "INSERT INTO users (id, username, display_name, role, active, created_at, created_by, password_changed_at) "
        "VALUES (?, 'admin', '管理员 Admin', 'admin', 1, '2026-01-01T08:00:00+00:00', NULL, "
        "'2026-01-01T08:00:00+00:00')", (ADMIN_ID,))
    conn.exec_driver_sql(
        "INSERT INTO users (id, username, display_name, role, active, created_at, created_by, password_changed_at) "
        "VALUES (?, 'teller', '柜员 Teller', 'teller', 0, '2026-01-02T08:00:00+00:00', ?, "
        "'2026-01-03T08:00:00+00:00')", (TELLER_ID, ADMIN_ID))
    for row in _audit_rows(3):
        conn.exec_driver_sql(
            "INSERT INTO audit_log (seq, ts, actor_id, actor_name, workstation, action, object_type, object_id, "
            "details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            tuple(row[k] for k in ("seq", "ts", "actor_id", "actor_name", "workstation", "action", "object_type",
                                   "object_id", "details", "prev_hash", "hash")))
    return {"users": 2, "audit_log": 3}


def _seed_0002(conn) -> dict[str, int]:
    counts = _seed_0001(conn)
    conn.exec_driver_sql("UPDATE users SET must_change_password = 1 WHERE id = ?", (TELLER_ID,))
    conn.exec_driver_sql(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES "
        "('auth.lockout_minutes', '30', '2026-01-04T08:00:00+00:00', ?), "
        "('ui.language', '\"en\"', '2026-01-04T08:00:00+00:00', ?)", (ADMIN_ID, ADMIN_ID))
    counts["settings"] = 2
    return counts


CUSTOMER_ID, COUNTER_SESSION_ID, CONSENT_ID = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
FORM_HASH = "ab" * 32


def _seed_0003(conn) -> dict[str, int]:
    counts = _seed_0002(conn)
    ts = "2026-02-01T08:00:00+00:00"
    conn.exec_driver_sql("INSERT INTO form_definitions (hash, form_id, version, body, stored_at) "
                         "VALUES (?, 'kyc', 1, '{\"id\":\"kyc\"}', ?)", (FORM_HASH, ts))
    conn.exec_driver_sql("INSERT INTO customers (id, created_at, created_by, current_version, status) "
                         "VALUES (?, ?, ?, 2, 'active')", (CUSTOMER_ID, ts, TELLER_ID))
    for version, phone in ((1, "+8613812345678"), (2, "+8613912345678")):
        conn.exec_driver_sql(
            "INSERT INTO customer_versions (customer_id, version, form_id, form_version, form_hash, data, "
            "created_at, created_by, reason) VALUES (?, ?, 'kyc', 1, ?, ?, ?, ?, ?)",
            (CUSTOMER_ID, version, FORM_HASH, f'{{"name_zh":"张三丰","phone":"{phone}"}}', ts, TELLER_ID,
             None if version == 1 else "phone changed"))
    conn.exec_driver_sql(
        "INSERT INTO customer_documents (id, customer_id, doc_type, number_norm, issue_date, expiry_date, long_term, "
        "current, added_at, added_in_version) VALUES (1, ?, 'resident_id', '11010519491231002X', '2010-01-01', "
        "NULL, 1, 1, ?, 1)", (CUSTOMER_ID, ts))
    conn.exec_driver_sql(
        "INSERT INTO customer_names (id, customer_id, name_norm, pinyin_norm, pinyin_initials, kind) "
        "VALUES (1, ?, '张三丰', 'zhangsanfeng', 'zsf', 'full'), (2, ?, '三丰', 'sanfeng', 'sf', 'given')",
        (CUSTOMER_ID, CUSTOMER_ID))
    conn.exec_driver_sql(
        "INSERT INTO counter_sessions (id, teller_id, customer_id, status, step, stop_reason_code, created_at, "
        "updated_at) VALUES (?, ?, ?, 'completed', 'identify', NULL, ?, ?)",
        (COUNTER_SESSION_ID, TELLER_ID, CUSTOMER_ID, ts, ts))
    conn.exec_driver_sql(
        "INSERT INTO consents (id, customer_id, consent_type, text_version, text_hash, granted, recorded_at, "
        "recorded_by, session_id) VALUES (?, ?, 'sensitive_pi', 1, ?, 1, ?, ?, ?)",
        (CONSENT_ID, CUSTOMER_ID, "cd" * 32, ts, TELLER_ID, COUNTER_SESSION_ID))
    conn.exec_driver_sql(
        "INSERT INTO aml_ratings (id, customer_id, level, reasons, rated_at, rated_by, rules_version) "
        "VALUES (1, ?, 'low', '[]', ?, ?, 'aml-2026.1')", (CUSTOMER_ID, ts, TELLER_ID))
    counts.update({"form_definitions": 1, "customers": 1, "customer_versions": 2, "customer_documents": 1,
                   "customer_names": 2, "counter_sessions": 1, "consents": 1, "aml_ratings": 1})
    return counts


LIST_OLD_ID, LIST_NEW_ID, SCREENING_ID = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def _seed_0004(conn) -> dict[str, int]:
    counts = _seed_0003(conn)
    ts = "2026-03-01T08:00:00+00:00"
    for list_id, sha, published, superseded in ((LIST_NEW_ID, "11" * 32, "2026-02-28", None),
                                                (LIST_OLD_ID, "22" * 32, "2026-02-20", LIST_NEW_ID)):
        conn.exec_driver_sql(
            "INSERT INTO sanctions_lists (id, source, format, published, loaded_at, loaded_by, sha256, entries, "
            "superseded_by) VALUES (?, 'UN', 'un', ?, ?, ?, ?, ?, ?)",
            (list_id, published, ts, ADMIN_ID, sha, 1 if superseded is None else 2, superseded))
    conn.exec_driver_sql(
        "INSERT INTO sanctions_entries (id, list_id, ref, kind, names, birth_dates, nationalities, documents, programs) "
        "VALUES (1, ?, 'QDi.901', 'person', ?, '[\"1968-03-15\"]', '[\"CN\"]', "
        "'[{\"type\":\"Passport\",\"number\":\"E12345678\",\"country\":\"CN\"}]', 'Al-Qaida')",
        (LIST_NEW_ID, '[{"name":"WANG XIAOMING","type":"primary","script":"latin"},'
                      '{"name":"王晓明","type":"alias","script":"han"}]'))
    conn.exec_driver_sql(
        "INSERT INTO screenings (id, created_at, created_by, subject_ref, threshold, matcher_version, list_hashes, "
        "status, hits, disposition_by, disposition_at, disposition_reason_code, disposition_note) "
        "VALUES (?, ?, ?, ?, 0.85, 'cd-match-2026.1', ?, 'false_positive', '[]', ?, ?, 'different_dob', NULL)",
        (SCREENING_ID, ts, TELLER_ID, CUSTOMER_ID, '["' + "11" * 32 + '"]', ADMIN_ID, ts))
    counts.update({"sanctions_lists": 2, "sanctions_entries": 1, "screenings": 1})
    return counts


ASSESSMENT_IDS, RQ_HASH, PAPER_NO = (str(uuid.uuid4()), str(uuid.uuid4())), "ef" * 32, "RQ-DEMO-20260401-0001"


def _seed_0005(conn) -> dict[str, int]:
    counts = _seed_0004(conn)
    ts = "2026-04-01T02:00:00.000000+00:00"
    conn.exec_driver_sql("INSERT INTO form_definitions (hash, form_id, version, body, stored_at) "
                         "VALUES (?, 'risk_questionnaire', 1, '{\"id\":\"risk_questionnaire\"}', ?)", (RQ_HASH, ts))
    conn.exec_driver_sql(
        "INSERT INTO paper_forms (form_number, form_id, form_version, form_hash, language, issued_at, issued_by) "
        "VALUES (?, 'risk_questionnaire', 1, ?, 'zh', ?, ?)", (PAPER_NO, RQ_HASH, ts, TELLER_ID))
    answers = f'{{"age":{{"at":"{ts}","entered_at":"paper_form","option":"age_65_up"}}}}'
    # One confirmed paper assessment, one still in progress on the customer screen.
    conn.exec_driver_sql(
        "INSERT INTO assessments (id, customer_id, session_id, questionnaire_id, questionnaire_version, "
        "questionnaire_hash, answers, paper_form_number, score, grade, lowest_category, contradictions, status, "
        "created_at, created_by, completed_at, valid_until, confirmed_at, confirmed_by, previous_grade, "
        "regrade_confirmed) VALUES (?, ?, ?, 'risk_questionnaire', 1, ?, ?, ?, 29, 'C3', 0, '[]', 'completed', "
        "?, ?, ?, '2027-04-01T02:00:00.000000+00:00', ?, 'customer', 'C2', 1)",
        (ASSESSMENT_IDS[0], CUSTOMER_ID, COUNTER_SESSION_ID, RQ_HASH, answers, PAPER_NO, ts, TELLER_ID, ts, ts))
    conn.exec_driver_sql(
        "INSERT INTO assessments (id, customer_id, session_id, questionnaire_id, questionnaire_version, "
        "questionnaire_hash, answers, paper_form_number, score, grade, lowest_category, contradictions, status, "
        "created_at, created_by, completed_at, valid_until, confirmed_at, confirmed_by, previous_grade, "
        "regrade_confirmed) VALUES (?, ?, ?, 'risk_questionnaire', 1, ?, '{}', NULL, NULL, NULL, 0, "
        "'[{\"code\":\"no_loss_but_high_return\"}]', 'in_progress', ?, ?, NULL, NULL, NULL, NULL, NULL, NULL)",
        (ASSESSMENT_IDS[1], CUSTOMER_ID, COUNTER_SESSION_ID, RQ_HASH, ts, TELLER_ID))
    counts.update({"form_definitions": 2, "paper_forms": 1, "assessments": 2})
    return counts


def _seed_0006(conn) -> dict[str, int]:
    counts = _seed_0005(conn)
    ts = "2026-12-01T08:00:00+00:00"
    for number, sha in ((1, "33" * 32), (2, None)):
        conn.exec_driver_sql(
            "INSERT INTO catalog_versions (number, created_at, created_by, source, sha256, file_name, note, products) "
            "VALUES (?, ?, ?, ?, ?, ?, '', 1)",
            (number, ts, ADMIN_ID, "import" if sha else "gui", sha, "catalog.csv" if sha else None))
        conn.exec_driver_sql(
            "INSERT INTO catalog_products (version, code, name_zh, name_en, type, risk_level, issuer, term_days, "
            "min_amount_cents, currency, liquidity, sale_start, sale_end, public, private_class, principal_protected, "
            "cooling_off_hours, recording_required, licence_required, periodic_premium, status) VALUES "
            "(?, 'PWM-FI', '尊享固收私募理财', 'Private FI WM', 'private_wm', 'R3', 'Demo WM', 365, 30000000, 'CNY', "
            "'closed_end', '2026-01-01', NULL, 0, 'fixed_income', 0, 24, 1, 'wealth_management', 0, ?)",
            (number, "on_sale" if number == 1 else "suspended"))
    conn.exec_driver_sql(
        "INSERT INTO user_licences (id, user_id, licence_type, number, issued, expires, updated_at, updated_by) "
        "VALUES (?, ?, 'fund_sales', 'F-2026-0001', '2026-01-01', '2028-12-31', ?, ?)",
        (str(uuid.uuid4()), TELLER_ID, ts, ADMIN_ID))
    counts.update({"catalog_versions": 2, "catalog_products": 2, "user_licences": 1})
    return counts


def _seed_0007(conn) -> dict[str, int]:
    counts = _seed_0006(conn)
    conn.exec_driver_sql(
        "INSERT INTO sale_decisions (id, session_id, customer_id, assessment_id, catalog_version, product_code, amount, "
        "customer_initiated, outcome, rules_version, findings, conditions, declared, decided_at, decided_by) "
        "VALUES (?, ?, ?, NULL, 1, 'PWM-FI', '300000.00', 0, 'allowed', 'r1', '[]', '[]', '{}', ?, ?)",
        (str(uuid.uuid4()), COUNTER_SESSION_ID, CUSTOMER_ID, "2026-12-02T08:00:00+00:00", TELLER_ID))
    counts["sale_decisions"] = 1
    return counts


def _seed_0008(conn) -> dict[str, int]:
    counts = _seed_0007(conn)
    conn.exec_driver_sql(
        "INSERT INTO branch_certificates (subject, not_after, sha256_fingerprint, p12, p12_password, created_at, "
        "created_by, active) VALUES ('CN=Demo', '2028-01-01T00:00:00+00:00', ?, ?, 'pw', ?, ?, 1)",
        ("cd" * 32, b"\x30\x82", "2026-12-03T08:00:00+00:00", ADMIN_ID))
    counts["branch_certificates"] = 1
    return counts


SIGNOFF_ID, REQUEST_ID = str(uuid.uuid4()), str(uuid.uuid4())


def _seed_0009(conn) -> dict[str, int]:
    counts = _seed_0008(conn)
    ts = "2026-12-04T08:00:00+00:00"
    decision_id = conn.exec_driver_sql("SELECT id FROM sale_decisions").scalar()
    conn.exec_driver_sql(
        "INSERT INTO signoffs (id, session_id, sale_decision_id, customer_id, teller_id, status, plan, lang, read, "
        "recording_consent, recording_ref, typed_sentence, signature_json, signature_png, signed_at, attested_at, "
        "document_number, pdf, pdf_sha256, evidence_hash, completed_at, cooling_off_until, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 'pending_approval', '{}', 'zh', '{\"seconds\":60}', 1, 'REC-0001', NULL, '{}', ?, "
        "?, ?, NULL, NULL, NULL, NULL, NULL, NULL, ?, ?)",
        (SIGNOFF_ID, COUNTER_SESSION_ID, decision_id, CUSTOMER_ID, TELLER_ID, b"\x89PNG", ts, ts, ts, ts))
    conn.exec_driver_sql(
        "INSERT INTO evidence_links (id, signoff_id, seq, kind, payload, prev_hash, hash, created_at) "
        "VALUES (1, ?, 1, 'document', '{}', ?, ?, ?)", (SIGNOFF_ID, "00" * 32, "aa" * 32, ts))
    conn.exec_driver_sql(
        "INSERT INTO approval_requests (id, signoff_id, session_id, reasons, requested_by, requested_at, expires_at, "
        "status, decided_by, decided_at, decision_reason, override) VALUES (?, ?, ?, '[]', ?, ?, ?, 'pending', NULL, "
        "NULL, NULL, 0)", (REQUEST_ID, SIGNOFF_ID, COUNTER_SESSION_ID, TELLER_ID, ts, "2026-12-04T09:00:00+00:00"))
    conn.exec_driver_sql(
        "INSERT INTO confirmation_prints (id, signoff_id, copy, pdf_sha256, printed_by, printed_at) "
        "VALUES (1, ?, 'customer', ?, ?, ?)", (SIGNOFF_ID, "bb" * 32, TELLER_ID, ts))
    conn.exec_driver_sql(
        "INSERT INTO follow_up_tasks (id, signoff_id, seller_id, created_at, due_at, status, done_by, done_at, outcome) "
        "VALUES (?, ?, ?, ?, '2026-12-11T08:00:00+00:00', 'open', NULL, NULL, NULL)",
        (str(uuid.uuid4()), SIGNOFF_ID, TELLER_ID, ts))
    counts.update({"signoffs": 1, "evidence_links": 1, "approval_requests": 1, "confirmation_prints": 1,
                   "follow_up_tasks": 1})
    return counts


WORKSTATION_ID, INBOX_ID = str(uuid.uuid4()), str(uuid.uuid4())


def _seed_0010(conn) -> dict[str, int]:
    counts = _seed_0009(conn)
    ts = "2026-12-05T08:00:00.000000+00:00"
    conn.exec_driver_sql(
        "INSERT INTO outbox (local_seq, id, id_basis, type, created_at, body, meta, state, attempts, last_error, "
        "server_seq, sent_at, workstation_id, key_id, envelope) VALUES "
        "(1, ?, NULL, 'counter_session', ?, '{\"v\":1}', ?, 'sent', 1, NULL, 7, ?, ?, 'k-2026', ?), "
        "(2, ?, 'customer.version|c|2', 'customer.version', ?, '{\"v\":1}', '{}', 'pending', 0, NULL, NULL, NULL, "
        "NULL, NULL, NULL)",
        (COUNTER_SESSION_ID, ts, f'{{"session_id":"{COUNTER_SESSION_ID}","status":"completed"}}', ts, WORKSTATION_ID,
         b"\x01sealed", str(uuid.uuid4()), ts))
    conn.exec_driver_sql(
        "INSERT INTO inbox (id, seq, type, workstation_id, created_at, meta, body, received_at, applied_at, outcome, "
        "apply_error) VALUES (?, 8, 'customer.version', ?, ?, '{}', '{\"v\":1}', ?, NULL, 'conflict', NULL)",
        (INBOX_ID, str(uuid.uuid4()), ts, ts))
    conn.exec_driver_sql(
        "INSERT INTO sync_state (key, value, updated_at) VALUES ('workstation_id', ?, ?), ('cursor', '8', ?)",
        (f'"{WORKSTATION_ID}"', ts, ts))
    conn.exec_driver_sql("INSERT INTO sync_keys (name, key_id, material, created_at) VALUES "
                         "('device_signing', NULL, ?, ?), ('branch', 'k-2026', ?, ?)", (b"\x02" * 32, ts, b"\x03" * 32, ts))
    conn.exec_driver_sql(
        "INSERT INTO sync_conflicts (id, kind, object_id, base_version, local_version, remote_record_id, "
        "remote_workstation_id, detail, detected_at, resolved_by, resolved_at, resolution) "
        "VALUES (?, 'customer_version', ?, 1, 2, ?, ?, NULL, ?, NULL, NULL, NULL)",
        (str(uuid.uuid4()), CUSTOMER_ID, INBOX_ID, str(uuid.uuid4()), ts))
    conn.exec_driver_sql("INSERT INTO sync_origins (table_name, row_id, workstation_id, created_at) "
                         "VALUES ('counter_sessions', ?, ?, ?)", (COUNTER_SESSION_ID, WORKSTATION_ID, ts))
    conn.exec_driver_sql(
        "INSERT INTO sync_master (seq, kind, version, sha256, payload, signature, received_at, status, error, "
        "applied_at) VALUES (1, 'catalog', 3, ?, ?, ?, ?, 'applied', NULL, ?)",
        ("44" * 32, b'{"products":[]}', b"\x05" * 64, ts, ts))
    counts.update({"outbox": 2, "inbox": 1, "sync_state": 2, "sync_keys": 2, "sync_conflicts": 1, "sync_origins": 1,
                   "sync_master": 1})
    return counts


def _seed_0011(conn) -> dict[str, int]:
    counts = _seed_0010(conn)
    # What the application writes with every record: its ledger entry (here for all rows at once).
    counts["record_ledger"] = ledger.backfill(conn)
    return counts


CHECKPOINT_ID = str(uuid.uuid4())


def _seed_0012(conn) -> dict[str, int]:
    counts = _seed_0011(conn)
    ts = "2026-12-06T08:00:00+00:00"
    body = '{"chain":"audit","entries":[[1,"' + "aa" * 32 + '"]],"evidence":[]}'
    conn.exec_driver_sql(
        "INSERT INTO anchor_checkpoints (id, device_id, chain, from_seq, seq, head, created_at, body, signature, state, "
        "hub_id, answered_at, error) VALUES (?, ?, 'audit', 0, 1, ?, ?, ?, ?, 'acknowledged', 3, ?, NULL), "
        "(?, ?, 'records', 0, 2, ?, ?, '{}', ?, 'pending', NULL, NULL, 'hub_unreachable')",
        (CHECKPOINT_ID, WORKSTATION_ID, "aa" * 32, ts, body, b"\x07" * 64, ts,
         str(uuid.uuid4()), WORKSTATION_ID, "bb" * 32, ts, b"\x08" * 64))
    conn.exec_driver_sql("INSERT INTO anchor_evidence (signoff_id, seq, hash, checkpoint_id) VALUES (?, 1, ?, ?)",
                         (SIGNOFF_ID, "aa" * 32, CHECKPOINT_ID))
    counts.update({"anchor_checkpoints": 2, "anchor_evidence": 1})
    return counts


def _seed_0013(conn) -> dict[str, int]:
    for earlier in ("0012", "0011", "0010"):  # the newest earlier revision whose rows are filled in
        counts = SEEDS[earlier](conn)
        if counts:
            break
    else:
        counts = _seed_0009(conn)
    conn.exec_driver_sql(
        "INSERT INTO mfa_factors (user_id, secret, enrolled_at, last_used_step) VALUES (?, ?, ?, ?)",
        (ADMIN_ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "2026-12-05T08:00:00+00:00", 59_000_000))
    for n, used in ((1, None), (2, "2026-12-06T08:00:00+00:00")):
        conn.exec_driver_sql(
            "INSERT INTO mfa_recovery_codes (id, user_id, salt, code_hash, created_at, used_at) VALUES (?, ?, ?, ?, ?, ?)",
            (n, ADMIN_ID, f"{n:02d}" * 16, f"{n:x}" * 64, "2026-12-05T08:00:00+00:00", used))
    counts.update({"mfa_factors": 1, "mfa_recovery_codes": 2})
    return counts


SEEDS = {"0001": _seed_0001, "0002": _seed_0002, "0003": _seed_0003, "0004": _seed_0004, "0005": _seed_0005,
         "0006": _seed_0006, "0007": _seed_0007, "0008": _seed_0008,
         "0009": _seed_0009,
         # PLACEHOLDERS until the revisions are filled in:
         "0010": _seed_0010, "0011": _seed_0011, "0012": _seed_0012,
         "0013": _seed_0013, "0014": _seed_0013, "0015": _seed_0013, "0016": _seed_0013, "0017": _seed_0013, "0018": _seed_0013, "0019": _seed_0013, "0020": _seed_0013, "0021": _seed_0013, "0022": _seed_0013, "0023": _seed_0013, "0024": _seed_0013, "0025": _seed_0013,
         "0026": _seed_0013}


def _dump(engine, tables) -> dict[str, list[dict]]:
    out = {}
    with engine.connect() as conn:
        for table in tables:
            pk = {"audit_log": "seq", "settings": "key", "form_definitions": "hash", "paper_forms": "form_number",
                  "customer_versions": "customer_id, version", "catalog_versions": "number",
                  "catalog_products": "version, code", "mfa_factors": "user_id", "record_ledger": "seq",
                  "outbox": "local_seq", "sync_state": "key", "sync_keys": "name",
                  "sync_origins": "table_name, row_id", "sync_master": "seq",
                  "anchor_evidence": "signoff_id"}.get(table, "id")
            out[table] = [dict(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY {pk}").mappings()]
    return out


# ---- tests ----------------------------------------------------------------------------------------

def test_all_revisions_form_one_ordered_line():
    revs = migrate.all_revisions()
    assert revs, "no migrations found"
    assert revs[-1] == migrate.head_revision()
    assert len(set(revs)) == len(revs)
    script = ScriptDirectory.from_config(migrate._config())
    assert script.get_base() == revs[0]
    for older, newer in itertools.pairwise(revs):
        assert script.get_revision(newer).down_revision == older


def test_empty_database_upgrades_to_head_with_all_tables(new_engine):
    engine = new_engine()
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = _tables(engine)
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    schema = _schema(engine)
    assert {"audit_log_no_update", "audit_log_no_delete"} <= set(schema["__triggers__"])
    # Every model column exists in the migrated schema.
    for table in Base.metadata.sorted_tables:
        have = {c[0] for c in schema[table.name]}
        assert {c.name for c in table.columns} <= have, table.name


def test_models_match_the_migrated_schema(new_engine):
    """Alembic autogenerate finds nothing to do: models and migrations agree."""
    engine = new_engine()
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_upgrade_at_head_is_a_no_op(new_engine, tmp_path):
    engine = new_engine()
    migrate.upgrade(engine)
    before = _schema(engine)
    migrate.upgrade(engine)
    assert _schema(engine) == before
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_every_earlier_revision_has_representative_rows():
    earlier = migrate.all_revisions()[:-1]
    missing = [r for r in earlier if r not in SEEDS]
    assert not missing, f"add representative rows for revision(s) {missing} to tests/test_migrations.py"


@pytest.mark.parametrize("revision", [r for r in migrate.all_revisions()[:-1]] or [None])
def test_earlier_revision_upgrades_with_data_intact(revision, new_engine):
    if revision is None:
        pytest.skip("only one revision so far")
    engine = new_engine("old.db")
    migrate.upgrade(engine, revision)
    assert migrate.current_revision(engine) == revision
    tables_before = _tables(engine)
    with engine.begin() as conn:
        counts = SEEDS[revision](conn)
    before = _dump(engine, counts)

    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    after = _dump(engine, counts)
    head_schema = _schema(engine)

    for table, rows in before.items():
        assert len(after[table]) == counts[table] == len(rows), table
        for old, new in zip(rows, after[table]):
            # Old columns unchanged ...
            assert {k: new[k] for k in old} == old, table
            # ... and new columns hold their declared defaults.
            for col, _ctype, notnull, default, _pk in head_schema[table]:
                if col in old:
                    continue
                assert default != "" or not notnull, f"{table}.{col} is NOT NULL without a default"
                expected = {"0": 0, "1": 1, "false": 0, "true": 1}.get(default, default or None)
                assert new[col] == expected, f"{table}.{col}"

    # Tables that appeared after this revision exist and are empty (but the ledger: 0011 binds the rows there).
    for table in set(Base.metadata.tables) - tables_before - {"record_ledger"}:
        with engine.connect() as conn:
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() == 0

    # Upgraded data is usable through the current models and the audit chain still verifies.
    from sqlalchemy.orm import Session
    with Session(engine) as session:
        users = {u.username: u for u in users_repo.all_users(session)}
        assert set(users) == {"admin", "teller"}
        assert users["admin"].active is True and users["teller"].active is False
        if revision == "0001":
            assert users["teller"].must_change_password is False  # the new column's default
        assert audit.verify(session).ok
        assert triggers.verify(session).ok
        if revision < "0011":  # the upgrade ledgered every existing record
            records = ledger.verify(session)
            assert records.ok, [p.text.en for p in records.result.problems]
            assert session.execute(select(LedgerEntry.seq)).first() is not None
        audit.append(session, Actor(ADMIN_ID, "admin", "ws-1"), "probe.after_upgrade")
        session.commit()
        assert audit.verify(session).ok

    # Same schema as a database created at head directly.
    fresh = new_engine("fresh.db")
    migrate.upgrade(fresh)
    assert _schema(engine) == _schema(fresh)


def test_upgrade_step_by_step_equals_direct(new_engine):
    stepped = new_engine("stepped.db")
    for revision in migrate.all_revisions():
        migrate.upgrade(stepped, revision)
        assert migrate.current_revision(stepped) == revision
    direct = new_engine("direct.db")
    migrate.upgrade(direct)
    assert _schema(stepped) == _schema(direct)


def test_database_from_a_newer_version_is_refused_and_untouched(new_engine, tmp_path, key):
    engine = new_engine("newer.db")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    path = tmp_path / "newer.db"
    before = path.read_bytes()
    assert not (tmp_path / "newer.db-wal").exists()

    again = new_engine("newer.db")
    with pytest.raises(SchemaError) as err:
        migrate.upgrade(again)
    assert err.value.code == "schema_newer"
    assert err.value.detail == "9999"
    assert "9999" in err.value.message("en") and "9999" in err.value.message("zh")
    again.dispose()
    assert path.read_bytes() == before


def test_sign_in_refuses_a_newer_database_and_leaves_it_alone(demo_dir):
    vault = Vault.open(demo_dir)
    key = vault.load_slots().unlock_with_password("admin", PASSWORDS["admin"])[1]
    engine = make_engine(demo_dir / "counterdesk.db", key)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    before = (demo_dir / "counterdesk.db").read_bytes()
    with pytest.raises(SchemaError) as err:
        vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert err.value.code == "schema_newer"
    assert not vault.unlocked
    assert (demo_dir / "counterdesk.db").read_bytes() == before
    assert not (demo_dir / "counterdesk.db-wal").exists()


def test_an_installation_at_0010_with_a_sale_upgrades_with_its_records_bound(demo_lists_dir):
    """A branch that sold before the records ledger existed: the upgrade ledgers every record, and
    verify (evidence against the signed confirmation included) passes, then catches a change."""
    from alembic import command

    from counterdesk.flow.actions import IssueConfirmation
    from counterdesk.services import verification
    from helpers.counter import at_recommendation, choose, customer_signs
    from helpers.demo import sign_in

    vault = Vault.open(demo_lists_dir)
    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    customer_signs(counter_session)
    counter_session.submit()
    counter_session.submit(IssueConfirmation())
    customer_id = counter_session.state.customer_id
    vault.sign_out(counter_session.user)
    vault.close()
    key = Vault.open(demo_lists_dir).load_slots().unlock_with_password("admin", PASSWORDS["admin"])[1]
    engine = make_engine(demo_lists_dir / "counterdesk.db", key)
    try:
        with engine.begin() as conn:  # back to the schema of an installation before the ledger
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0010")
        assert migrate.current_revision(engine) == "0010"
        assert "record_ledger" not in _tables(engine)
    finally:
        engine.dispose()

    vault = Vault.open(demo_lists_dir)
    us = sign_in(vault, "auditor")  # signing in upgrades the schema
    report = verification.verify(vault, us)
    assert report.ok, [(c.name, [p.text.en for p in c.result.problems]) for c in report.checks]
    assert vault.transact(lambda db: db.scalar(select(LedgerEntry.seq).where(
        LedgerEntry.table_name == "customers", LedgerEntry.row_key == customer_id))) is not None
    vault.close()
    engine = make_engine(demo_lists_dir / "counterdesk.db", key)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE customers SET status = 'closed' WHERE id = ?", (customer_id,))
    finally:
        engine.dispose()
    vault = Vault.open(demo_lists_dir)
    report = verification.verify(vault, sign_in(vault, "auditor"))
    assert not report.ok and "of customers does not match ledger entry" in report.check("records").errors[0].text.en
    vault.close()


def test_demo_installation_is_at_head(demo_dir):
    vault = Vault.open(demo_dir)
    key = vault.load_slots().unlock_with_password("admin", PASSWORDS["admin"])[1]
    engine = make_engine(demo_dir / "counterdesk.db", key)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced_again_after_an_upgrade(new_engine):
    engine = new_engine()
    migrate.upgrade(engine, migrate.all_revisions()[0])
    with engine.begin() as conn:
        SEEDS[migrate.all_revisions()[0]](conn)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO users (id, username, display_name, role, active, must_change_password, created_at, "
                "created_by, password_changed_at) VALUES ('x', 'ghost', 'G', 'teller', 1, 0, 't', 'no-such-user', 't')")


def test_upgrade_with_dangling_reference_is_undone(new_engine, tmp_path):
    """A reference that no longer resolves is found before commit; the file stays at its revision."""
    first = migrate.all_revisions()[0]
    if len(migrate.all_revisions()) < 2:
        pytest.skip("only one revision so far")
    engine = new_engine("dangling.db")
    migrate.upgrade(engine, first)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("INSERT INTO users (id, username, display_name, role, active, created_at, created_by, "
                    "password_changed_at) VALUES ('u1', 'orphan', 'O', 'teller', 1, 't', 'missing', 't')")
        raw.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(SchemaError) as err:
        migrate.upgrade(engine)
    assert err.value.code == "schema_fk"
    assert migrate.current_revision(engine) == first
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT username FROM users").scalars().all() == ["orphan"]
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
