"""Translations: complete, placeholders intact, up to date with the sources; the CJK font renders."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from counterdesk.base.paths import font_path
from counterdesk.ui import i18n_build

PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}|%\d+|%n")


def messages(ts_file):
    root = ET.parse(ts_file).getroot()
    for ctx in root.iter("context"):
        name = ctx.find("name").text
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            yield name, msg.find("source").text, tr.text or "", tr.get("type")


@pytest.mark.parametrize("lang", i18n_build.LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(lang):
    found = list(messages(i18n_build.ts_path(lang)))
    assert len(found) > 100
    for context, source, translation, kind in found:
        assert kind not in ("unfinished", "vanished", "obsolete"), f"{context}: {source!r} is not translated"
        assert translation.strip(), f"{context}: {source!r} has an empty translation"
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(translation)), \
            f"{context}: placeholders differ in {source!r} -> {translation!r}"
        # Accelerators: a source with &X keeps one in the translation so Alt-keys keep working.
        if re.search(r"&[A-Za-z]", source):
            assert re.search(r"&[A-Za-z]", translation), f"{context}: accelerator lost in {translation!r}"


def test_translation_sources_are_up_to_date(tmp_path):
    """Every tr() string in the UI code is in the .ts file (lupdate finds nothing new)."""
    fresh = tmp_path / "fresh.ts"
    shutil.copy(i18n_build.ts_path("zh_CN"), fresh)
    sources = [str(p) for p in i18n_build.ui_sources()]
    subprocess.run([i18n_build._tool("lupdate"), "-no-obsolete", "-locations", "none", *sources, "-ts", str(fresh)],
                   check=True, capture_output=True)
    stale = [(c, s) for c, s, _t, kind in messages(fresh) if kind == "unfinished"]
    assert not stale, f"run `python -m counterdesk.ui.i18n_build --update` and translate: {stale[:5]}"


def test_qm_builds_and_loads(qapp, tmp_path):
    from PySide6.QtCore import QTranslator

    qm = tmp_path / "zh.qm"
    subprocess.run([i18n_build._tool("lrelease"), str(i18n_build.ts_path("zh_CN")), "-qm", str(qm)],
                   check=True, capture_output=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    assert translator.translate("SignInPage", "Sign in") == "登录"


def test_bundled_cjk_font_is_truetype_and_has_the_glyphs(qapp):
    from PySide6.QtGui import QFont, QFontMetrics

    from counterdesk.ui.widgets.resources import load_font

    data = font_path().read_bytes()
    assert data[:4] == b"ttcf"  # TrueType collection (glyf outlines), which reportlab can embed too
    assert (font_path().parent / "wqy-microhei.LICENSE.txt").exists()
    family = load_font(qapp)
    assert family == "WenQuanYi Micro Hei"
    metrics = QFontMetrics(QFont(family))
    for ch in "柜面通登录审计锁定风险揭示确认书":
        assert metrics.inFontUcs4(ord(ch)), ch
