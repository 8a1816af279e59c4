"""Fonts and translations: the bundled CJK font and Qt translators."""
from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator
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


def qt_translations_dir() -> str:
    """Where Qt's own translations (qtbase_zh_CN.qm: dialog buttons, the print and file dialogs) are."""
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def cjk_family() -> str:
    """The bundled CJK font's family, registered first if it is not yet (UI thread): text painted
    outside widgets, on a printer, needs it by name."""
    if FALLBACK_FAMILY not in QFontDatabase.families():
        font_id = QFontDatabase.addApplicationFont(str(font_path()))
        if font_id < 0:
            log.error("bundled CJK font could not be loaded")
    return FALLBACK_FAMILY


class Languages:
    """Switches the UI language at run time; widgets retranslate on QEvent.LanguageChange.

    Two translators per language: the application's own, and Qt's (qtbase), without which Qt's
    dialogs and standard buttons stay in English on a Chinese screen."""

    def __init__(self, app: QCoreApplication):
        self._app = app
        self._translator: QTranslator | None = None
        self._qt_translator: QTranslator | None = None
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
        # Qt's own first: installing the application's translator below sends the one LanguageChange.
        if self._qt_translator is not None:
            self._app.removeTranslator(self._qt_translator)
            self._qt_translator = None
        if code != "en":
            qt = QTranslator(self._app)
            if qt.load(f"qtbase_{code}", qt_translations_dir()):
                self._app.installTranslator(qt)
                self._qt_translator = qt
            else:
                log.error("Qt translation missing: qtbase_%s.qm", code)
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
