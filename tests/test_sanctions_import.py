"""Importing sanctions lists into the encrypted store: all-or-nothing, no-op, supersede, permissions."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from counterdesk.base.roles import PermissionDenied
from counterdesk.screening.records import ListFormatError
from counterdesk.services.sanctions import lists

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "sanctions"
BROKEN = Path(__file__).resolve().parent / "data" / "sanctions"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TABLES = ("sanctions_lists", "sanctions_entries")


def _counts(vault) -> dict[str, int]:
    def read(db):
        return {t: db.connection().exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in TABLES}
    return vault.transact(read)


def _audit(vault, action):
    from sqlalchemy import select

    from counterdesk.store.models.core import AuditEntry
    return vault.transact(lambda s: list(s.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()))


@pytest.fixture
def admin(sign_in):
    return sign_in("admin")


@pytest.mark.parametrize("files,fmt,published,source,count", [
    (["un_consolidated_sample.xml"], None, None, "UN", 40),
    (["ofac_sdn_sample.xml"], None, None, "OFAC-SDN", 27),
    (["ofac_sdn_sample.csv", "ofac_alt_sample.csv"], None, date(2026, 11, 21), "OFAC-SDN", 27),
    (["opensanctions_targets_sample.simple.csv"], None, None, "OpenSanctions", 34),
    (["opensanctions_sample.ftm.json"], "os-ftm", None, "OpenSanctions", 34),
])
def test_each_sample_imports(demo_vault, admin, files, fmt, published, source, count):
    result = lists.import_paths(demo_vault, admin, [SAMPLES / f for f in files], fmt=fmt, published=published, now=NOW)
    assert result.status == "loaded" and result.superseded is None
    info = result.list
    assert (info.source, info.entries, info.loaded_by, info.current) == (source, count, "admin", True)
    assert len(info.sha256) == 64
    assert _counts(demo_vault) == {"sanctions_lists": 1, "sanctions_entries": count}
    assert str(count) in result.message.en and str(count) in result.message.zh
    [entry] = _audit(demo_vault, "sanctions.list_imported")
    details = json.loads(entry.details)
    assert details["entries"] == count and details["sha256"] == info.sha256 and details["source"] == source
    assert [li.id for li in lists.list_lists(demo_vault, admin)] == [info.id]


def test_entries_are_stored_with_scripts_and_normalised_values(demo_vault, admin):
    lists.import_paths(demo_vault, admin, [SAMPLES / "un_consolidated_sample.xml"], now=NOW)

    def read(db):
        return db.connection().exec_driver_sql(
            "SELECT kind, names, birth_dates, nationalities, documents, programs FROM sanctions_entries "
            "WHERE ref = 'QDi.901'").one()
    kind, names, dobs, nats, docs, programs = demo_vault.transact(read)
    assert kind == "person"
    assert {"name": "王晓明", "type": "alias", "script": "han"} in json.loads(names)
    assert json.loads(dobs) == ["1968-03-15"] and json.loads(nats) == ["CN"]
    assert json.loads(docs)[0]["number"] == "E12345678" and "Al-Qaida" in programs


def test_same_file_again_is_a_no_op(demo_vault, admin):
    first = lists.import_paths(demo_vault, admin, [SAMPLES / "un_consolidated_sample.xml"], now=NOW)
    before = _counts(demo_vault)
    again = lists.import_paths(demo_vault, admin, [SAMPLES / "un_consolidated_sample.xml"], now=NOW)
    assert again.status == "unchanged" and again.list.id == first.list.id
    assert "already loaded" in again.message.en and "已导入过" in again.message.zh
    assert _counts(demo_vault) == before
    assert len(_audit(demo_vault, "sanctions.list_imported")) == 1


def _newer_un(tmp_path: Path, published: str, drop_first: bool = True) -> Path:
    text = (SAMPLES / "un_consolidated_sample.xml").read_text(encoding="utf-8")
    text = text.replace('dateGenerated="2026-11-20T17:00:00.000Z"', f'dateGenerated="{published}T17:00:00.000Z"')
    if drop_first:  # one person delisted in the newer file
        start = text.index("    <INDIVIDUAL>")
        text = text[:start] + text[text.index("    </INDIVIDUAL>\n") + len("    </INDIVIDUAL>\n"):]
    path = tmp_path / f"un-{published}.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_newer_file_supersedes_the_old_list(demo_vault, admin, tmp_path):
    old = lists.import_paths(demo_vault, admin, [SAMPLES / "un_consolidated_sample.xml"], now=NOW).list
    new = lists.import_paths(demo_vault, admin, [_newer_un(tmp_path, "2026-11-24")], now=NOW)
    assert new.status == "loaded" and new.superseded.id == old.id
    assert "replaces" in new.message.en and "替换" in new.message.zh
    assert new.list.entries == 39
    rows = {li.id: li for li in lists.list_lists(demo_vault, admin)}
    assert rows[old.id].superseded_by == new.list.id and not rows[old.id].current
    assert rows[old.id].entries == 40 and rows[old.id].sha256 == old.sha256  # metadata kept
    assert rows[new.list.id].current
    assert _counts(demo_vault) == {"sanctions_lists": 2, "sanctions_entries": 39}
    assert [li.id for li in lists.list_lists(demo_vault, admin, include_superseded=False)] == [new.list.id]
    details = json.loads(_audit(demo_vault, "sanctions.list_imported")[-1].details)
    assert details["superseded"] == [old.id]


def test_file_order_of_a_csv_set_does_not_matter(demo_vault, admin):
    pair = [SAMPLES / "ofac_sdn_sample.csv", SAMPLES / "ofac_alt_sample.csv"]
    first = lists.import_paths(demo_vault, admin, pair, published=date(2026, 11, 21), now=NOW)
    again = lists.import_paths(demo_vault, admin, pair[::-1], published=date(2026, 11, 21), now=NOW)
    assert (first.status, again.status) == ("loaded", "unchanged")


def test_an_older_file_does_not_replace_a_newer_list(demo_vault, admin, tmp_path):
    lists.import_paths(demo_vault, admin, [SAMPLES / "un_consolidated_sample.xml"], now=NOW)
    before = _counts(demo_vault)
    with pytest.raises(lists.ImportRefused) as err:
        lists.import_paths(demo_vault, admin, [_newer_un(tmp_path, "2026-11-10")], now=NOW)
    assert err.value.code == "older_than_loaded"
    assert _counts(demo_vault) == before


def test_other_sources_live_side_by_side(demo_vault, admin):
    lists.import_paths(demo_vault, admin, [SAMPLES / "un_consolidated_sample.xml"], now=NOW)
    lists.import_paths(demo_vault, admin, [SAMPLES / "ofac_sdn_sample.xml"], now=NOW)
    lists.import_paths(demo_vault, admin, [SAMPLES / "opensanctions_targets_sample.simple.csv"], source="OS-Sanctions",
                       now=NOW)
    current = lists.list_lists(demo_vault, admin, include_superseded=False)
    assert sorted(li.source for li in current) == ["OFAC-SDN", "OS-Sanctions", "UN"]


@pytest.mark.parametrize("files,code", [
    (["un_missing_first_name.xml"], "missing_field"),
    (["un_syntax_error.xml"], "xml_syntax"),
    (["un_doctype_entities.xml"], "xml_doctype"),
    (["ofac_xxe.xml"], "xml_doctype"),
    (["ofac_bad_uid.xml"], "bad_field"),
    (["ofac_sdn_bad_columns.csv"], "bad_columns"),
    (["os_missing_name.simple.csv"], "missing_field"),
    (["os_ftm_bad_json.ftm.json"], "json_syntax"),
])
def test_broken_file_stores_nothing(demo_vault, admin, files, code):
    lists.import_paths(demo_vault, admin, [SAMPLES / "ofac_sdn_sample.xml"], now=NOW)  # something already there
    before = _counts(demo_vault)
    with pytest.raises(ListFormatError) as err:
        lists.import_paths(demo_vault, admin, [BROKEN / f for f in files], published=date(2026, 11, 21), now=NOW)
    assert err.value.code == code
    assert _counts(demo_vault) == before
    [rejected] = _audit(demo_vault, "sanctions.import_rejected")
    details = json.loads(rejected.details)
    assert details["error"] == code and details["location"] == err.value.location[:120]


def test_a_failure_while_writing_rolls_everything_back(demo_vault, admin, monkeypatch):
    """All-or-nothing also when the database write fails half-way (after entries were inserted)."""
    from counterdesk.store import audit

    def boom(*a, **kw):
        raise RuntimeError("disk trouble")
    monkeypatch.setattr(audit, "append", boom)
    with pytest.raises(RuntimeError):
        lists.import_paths(demo_vault, admin, [SAMPLES / "un_consolidated_sample.xml"], now=NOW)
    monkeypatch.undo()
    assert _counts(demo_vault) == {"sanctions_lists": 0, "sanctions_entries": 0}


def test_publication_date_rules(demo_vault, admin):
    csv_file = [SAMPLES / "ofac_sdn_sample.csv"]
    with pytest.raises(lists.ImportRefused) as err:
        lists.import_paths(demo_vault, admin, csv_file, now=NOW)
    assert err.value.code == "published_missing" and "--published" in err.value.message("en")
    with pytest.raises(lists.ImportRefused) as err:
        lists.import_paths(demo_vault, admin, csv_file, published=date(2026, 12, 31), now=NOW)
    assert err.value.code == "published_future"
    with pytest.raises(lists.ImportRefused) as err:  # the UN file says 2026-11-20
        lists.import_paths(demo_vault, admin, [SAMPLES / "un_consolidated_sample.xml"], published=date(2026, 11, 22),
                           now=NOW)
    assert err.value.code == "published_mismatch"
    assert _counts(demo_vault) == {"sanctions_lists": 0, "sanctions_entries": 0}


@pytest.mark.parametrize("user", ["teller", "supervisor", "auditor"])
def test_only_admins_import(demo_vault, sign_in, user):
    us = sign_in(user)
    with pytest.raises(PermissionDenied):
        lists.import_paths(demo_vault, us, [SAMPLES / "un_consolidated_sample.xml"], now=NOW)
    assert _counts(demo_vault)["sanctions_lists"] == 0
    assert lists.list_lists(demo_vault, us) == []  # reading the list metadata is allowed


def test_unreadable_path(demo_vault, admin, tmp_path):
    with pytest.raises(lists.ImportRefused) as err:
        lists.import_paths(demo_vault, admin, [tmp_path / "missing.xml"], now=NOW)
    assert err.value.code == "unreadable_file"
