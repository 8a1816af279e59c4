"""Every setting's source in both languages (counterdesk.base.setting_sources), each in its own language
only: the settings page's tooltips say where a number comes from without mixing languages."""
from __future__ import annotations

from counterdesk.base import settings
from counterdesk.base.setting_sources import SOURCES
from helpers.screens import HAN, LATIN_WORD, _zh_allowed


def test_every_setting_with_a_source_has_it_in_zh_and_en():
    declared = settings.declared()
    missing = [k for k, s in declared.items() if s.source and k not in SOURCES]
    assert missing == []
    assert set(SOURCES) <= set(declared)  # no text for a setting that is gone
    for key, text in SOURCES.items():
        assert text.zh and text.en, key
        assert HAN.findall(text.en) == [], key
        latin = [w for w in LATIN_WORD.findall(text.zh) if not _zh_allowed(w, set())]
        assert latin == [], (key, latin)
        assert declared[key].source_text is text
    assert settings.declared()["ui.language"].source_text.zh == ""  # no source: nothing said
