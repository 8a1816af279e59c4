"""Shared helpers for the PDFs CounterDesk writes with reportlab: the embedded CJK font and A4 page.

The bundled WenQuanYi Micro Hei (TrueType outlines) is registered once per process under one name and
embedded as a subset. reportlab's built-in STSong-Light is never used: it is not embedded, and poppler
without poppler-data drops every Chinese glyph of a non-embedded font — an archived or signed PDF must
render the same everywhere.
"""
from __future__ import annotations

import threading

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from counterdesk.base.paths import font_path

FONT = "CounterDeskCJK"
PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
_font_lock = threading.Lock()


def register_font() -> str:
    """Register the bundled CJK font (first face of the .ttc) once; returns its reportlab name."""
    with _font_lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT, str(font_path()), subfontIndex=0))
    return FONT


def wrap(text: str, size: float, width: float, font: str = FONT) -> list[str]:
    """Break by width, character by character for CJK, at spaces for Latin words."""
    lines, line = [], ""
    for token in tokens(text):
        trial = line + token
        if pdfmetrics.stringWidth(trial, font, size) <= width or not line:
            line = trial
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
    if line:
        lines.append(line.rstrip())
    return lines


def tokens(text: str) -> list[str]:
    out, word = [], ""
    for ch in text:
        if ord(ch) > 0x2E7F:  # CJK: any character may start a new line
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        elif ch == " ":
            out.append(word + " ")
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out
