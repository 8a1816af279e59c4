"""Fonts and translations: the bundled CJK font and Qt translators."""
from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from counterdesk.base.paths import font_path
from counterdesk.ui.i18n_build import qm_path

log = logging.getLogger("counterdesk.ui")

FALLBACK_FAMILY = "WenQuanYi Micro Hei"


def load_font(app: QApplication) -> str:
    """Load the bundled CJK TrueType font and make it the application font, so Chinese never
    renders as boxes on machines without CJK fonts."""
    font_id = QFontDatabase.addApplicationFont(str(font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.error("bundled CJK font could not be loaded")
        return app.font().family()
    family = families[0]
    font = QFont(family)
    font.setPointSizeF(max(app.font().pointSizeF(), 10.5))
    app.setFont(font)
    return family


class Languages:
    """Switches the UI language at run time; widgets retranslate on QEvent.LanguageChange."""

    def __init__(self, app: QCoreApplication):
        self._app = app
        self._translator: QTranslator | None = None
        self.code = "en"

    @property
    def lang(self) -> str:
        """The core's language key for Text: 'zh' or 'en'."""
        return "zh" if self.code.startswith("zh") else "en"

    def set(self, code: str) -> None:
        if code == self.code and (self._translator is not None or code == "en"):
            return
        # The code first: widgets read ``lang`` while they handle the LanguageChange that follows.
        self.code = code
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        if code != "en":
            translator = QTranslator(self._app)
            if translator.load(str(qm_path(code))):
                self._app.installTranslator(translator)
                self._translator = translator
            else:
                log.error("translation file missing: %s", qm_path(code).name)
