"""The sync page's conflicts tab has a label, in zh and en, for every kind of conflict the apply step makes
and for every record type that syncs: a kind or type added later without one fails here."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
from pathlib import Path

import pytest

from counterdesk.hub.record_types import RECORD_TYPES
from counterdesk.services.sync import apply
from counterdesk.store.outbox import META_KEYS
from counterdesk.ui.admin.sync_conflicts import SyncConflictsTab
from counterdesk.ui.admin.sync_runner import SyncRunner
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages


def test_every_conflict_the_apply_step_makes_is_a_registered_kind():
    source = Path(apply.__file__).read_text(encoding="utf-8")
    made = set(re.findall(r'_conflict\(db, inbox, "([a-z_]+)"', source))
    assert made and made == set(apply.CONFLICT_KINDS)


@pytest.fixture
def tab(qapp, qtbot, tmp_path):
    languages = Languages(qapp)
    ctx = AppContext(tmp_path, demo=True, languages=languages)
    widget = SyncConflictsTab(ctx, SyncRunner(ctx))
    qtbot.addWidget(widget)
    yield widget, languages
    languages.set("en")


def test_every_conflict_kind_and_record_type_has_a_label_in_both_languages(tab):
    widget, languages = tab
    kinds, types = list(apply.CONFLICT_KINDS), sorted(set(META_KEYS) | set(RECORD_TYPES))
    languages.set("en")
    en_kinds = {k: widget.kind_text(k) for k in kinds}
    en_types = {t: widget.record_type_text(t) for t in types}
    assert [k for k, text in en_kinds.items() if text == k] == []
    assert [t for t, text in en_types.items() if text == t] == []
    languages.set("zh_CN")
    zh_kinds = {k: widget.kind_text(k) for k in kinds}
    zh_types = {t: widget.record_type_text(t) for t in types}
    untranslated = [k for k in kinds if zh_kinds[k] == en_kinds[k]] + [t for t in types if zh_types[t] == en_types[t]]
    assert untranslated == []
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in [*zh_kinds.values(), *zh_types.values()])
    assert zh_kinds["screening_disposition"] and zh_types["complaint"] == "客户投诉" and zh_types["evaluation"] == "客户评价"
