"""What a window shows, read from its real widgets: the keyboard accelerators of the visible actions
(&-mnemonics of buttons, buddied labels, group boxes, tabs and the menu bar; QShortcut and QAction
key sequences) and the texts on screen, to find duplicate accelerators and text in the other language."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMenuBar,
    QPlainTextEdit,
    QTabBar,
    QTableWidget,
    QTextEdit,
    QWidget,
)

_MNEMONIC = re.compile(r"(?<!&)&([^&\s])")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.'’][A-Za-z0-9]+)*")

# Latin words a Chinese screen may show: proper names, codes, units and key names.
ZH_ALLOWED = {
    "CounterDesk", "DEMO", "PDF", "ID", "CNY", "MRZ", "ICAO", "AML", "PEP", "KYC", "QR", "TOTP", "TSA", "UTC",
    "Ctrl", "Alt", "Shift", "Enter", "Return", "Esc", "Tab", "Del", "Home", "End", "PgUp", "PgDn", "Insert",
    "English", "YYYY-MM-DD", "CSV", "JSON", "CA", "URL", "HTTPS", "GB", "GB/T", "ISO", "PIN",
    "teller", "supervisor", "admin", "auditor", "OK", "Ins", "RFC", "Excel",
}
# Addresses and file names are written as they are: https://hub.example:8443, a .pem file.
_VERBATIM = re.compile(r"https?://\S+|www\.[\w.-]+|(?<![A-Za-z])\.[a-z]{2,4}\b")
_ZH_ALLOWED_PATTERNS = (
    re.compile(r"^[A-Za-z]$"),                      # single letters: accelerators (&S), C/R grades
    re.compile(r"^[RC][1-5]$"),                     # risk levels and grades
    re.compile(r"^F\d{1,2}$"),                      # function keys
    re.compile(r"^[A-Z0-9]{2,}(?:-[A-Z0-9]+)+$"),   # product codes, recording references (DM-WM-F90)
    re.compile(r"^(?=[a-f]*\d)[0-9a-f]{6,}$"),      # hashes
    re.compile(r"^[A-Z]{2,}\d*$"),                  # upper-case codes (DM, CHN, R1)
    re.compile(r"^v\d+$"),                          # versions
    re.compile(r"^[a-z]+(?:-[a-z]+)*-\d{4}(?:\.\d+)+$"),  # rule set versions (suit-2026.1)
    re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$"),          # form identifiers (disclosure_structured_deposit@1)
)


def _plain(text: str) -> str:
    if "<" in text and ">" in text:
        return QTextDocumentFragment.fromHtml(text).toPlainText()
    return text


def mnemonic(text: str) -> str | None:
    found = _MNEMONIC.search(text.replace("&&", ""))
    return f"Alt+{found.group(1).upper()}" if found else None


def _shown(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisible() and widget.window() is window


def _widgets(window: QWidget) -> list[QWidget]:
    return [window, *window.findChildren(QWidget)]


def _keys(seq: QKeySequence) -> list[str]:
    return [QKeySequence(seq[i]).toString(QKeySequence.SequenceFormat.PortableText) for i in range(seq.count())]


def accelerators(window: QWidget) -> dict[str, list[str]]:
    """Every key that triggers a visible action of ``window``: key → the actions' descriptions."""
    found: dict[str, list[str]] = defaultdict(list)

    def add(key: str | None, what: str) -> None:
        if key:
            found[key].append(what)

    for w in _widgets(window):
        if not _shown(w, window):
            continue
        name = w.objectName() or type(w).__name__
        if isinstance(w, QAbstractButton):
            add(mnemonic(w.text()), f"button {name} {w.text()!r}")
        elif isinstance(w, QLabel) and w.buddy() is not None:
            add(mnemonic(w.text()), f"label {w.text()!r}")
        elif isinstance(w, QGroupBox):
            add(mnemonic(w.title()), f"group {w.title()!r}")
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                if w.isTabVisible(i):
                    add(mnemonic(w.tabText(i)), f"tab {w.tabText(i)!r}")
        elif isinstance(w, QMenuBar):
            for action in w.actions():
                if action.isVisible():
                    add(mnemonic(action.text()), f"menu {action.text()!r}")
    for shortcut in window.findChildren(QShortcut):
        parent = shortcut.parent()
        if shortcut.isEnabled() and isinstance(parent, QWidget) and _shown(parent, window):
            for key in _keys(shortcut.key()):
                add(key, f"shortcut of {parent.objectName() or type(parent).__name__}")
    for action in window.findChildren(QAction):
        if action.isVisible() and not action.shortcut().isEmpty():
            for key in _keys(action.shortcut()):
                add(key, f"action {action.text()!r}")
    return found


def menu_clashes(window: QWidget) -> list[str]:
    """Duplicate mnemonics among the items of each of the window's menus."""
    problems = []
    for menu in window.findChildren(QMenu):
        keys: dict[str, list[str]] = defaultdict(list)
        for action in menu.actions():
            if action.isVisible() and not action.isSeparator():
                key = mnemonic(action.text())
                if key:
                    keys[key].append(action.text())
        problems += [f"menu {menu.title()!r}: {k} for {v}" for k, v in keys.items() if len(v) > 1]
    return problems


def accelerator_clashes(window: QWidget) -> list[str]:
    """Keys that two visible actions of ``window`` share."""
    clashes = [f"{key}: {', '.join(whats)}" for key, whats in accelerators(window).items() if len(whats) > 1]
    return clashes + menu_clashes(window)


def _item_texts(view: QAbstractItemView) -> Iterable[str]:
    if isinstance(view, QListWidget):
        for r in range(min(view.count(), 50)):
            yield view.item(r).text()
        return
    model = view.model()
    if model is None:
        return
    root = QModelIndex()
    columns = model.columnCount(root)
    for c in range(columns):
        yield str(model.headerData(c, Qt.Orientation.Horizontal) or "")
    for r in range(min(model.rowCount(root), 50)):
        for c in range(columns):
            yield str(model.index(r, c, root).data() or "")


def texts(window: QWidget) -> list[tuple[str, str]]:
    """(where, text) of everything ``window`` shows in words; what someone typed into a field is data
    and left out (its placeholder is not)."""
    out: list[tuple[str, str]] = [("window title", window.windowTitle())]
    for w in _widgets(window):
        if not _shown(w, window):
            continue
        name = w.objectName() or type(w).__name__
        if w.toolTip():
            out.append((f"{name} tooltip", _plain(w.toolTip())))
        if isinstance(w, QLabel):
            out.append((name, _plain(w.text())))
        elif isinstance(w, QAbstractButton):
            out.append((name, w.text()))
        elif isinstance(w, QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, QLineEdit):
            out.append((f"{name} placeholder", w.placeholderText()))
        elif isinstance(w, QComboBox):
            out += [(f"{name} item", w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QTabBar):
            out += [(f"{name} tab", w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, (QTextEdit, QPlainTextEdit)):
            if w.isReadOnly():
                out.append((name, w.toPlainText()))
            out.append((f"{name} placeholder", w.placeholderText()))
        elif isinstance(w, (QTableWidget, QListWidget)) or type(w).__name__ == "QTableView":
            out += [(f"{name} cell", t) for t in _item_texts(w)]
        elif isinstance(w, QMenuBar):
            for action in w.actions():
                out.append((f"menu {name}", action.text()))
                menu = action.menu()
                if menu is not None:
                    out += [(f"menu item {action.text()}", a.text()) for a in menu.actions() if not a.isSeparator()]
    return [(where, t) for where, t in out if t and t.strip()]


def _zh_allowed(word: str, extra: set[str]) -> bool:
    return word in ZH_ALLOWED or word in extra or any(p.match(word) for p in _ZH_ALLOWED_PATTERNS)


def foreign_text(window: QWidget, lang: str, data: Iterable[str] = (), ignore: re.Pattern | None = None) -> list[str]:
    """Texts of ``window`` in the other language: Han characters on an English screen; Latin words on
    a Chinese screen beyond the allow-list. ``data``: proper names the screen may show (a customer's
    name, a product code), in either script; ``ignore``: parts of texts not to check (citations)."""
    extra = set(data)
    extra_words = {w for d in extra for w in LATIN_WORD.findall(d)}
    problems = []
    for where, text in texts(window):
        if ignore is not None:
            text = ignore.sub(" ", text)
        if where == "status_language":
            continue  # the switch names the other language in that language: 中文 / English
        if lang == "en":
            bad = [h for h in HAN.findall(text) if not any(h in d for d in extra)]
        else:
            bad = [w for w in LATIN_WORD.findall(_VERBATIM.sub(" ", text)) if not _zh_allowed(w, extra_words)]
        if bad:
            problems.append(f"{where}: {sorted(set(bad))[:6]} in {text[:120]!r}")
    return problems
