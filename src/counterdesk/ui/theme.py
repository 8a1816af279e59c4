"""The one visual theme of CounterDesk: colours, type sizes, spacing and widget states, as one Qt style
sheet applied to the whole application (the teller's, supervisor's and admin's windows and the customer
window alike).

Widgets never carry their own style sheet. They say what they are with a role (``set_role(label,
"title")``) or what state they are in (``set_state(editor, "invalid")``); this module decides how that
looks. Sizes are in points, so they scale with the screen's DPI.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# ---- colours ---------------------------------------------------------------------------------------------
PRIMARY = "#1556a8"          # the bank's blue: current step, primary buttons, focus
PRIMARY_DARK = "#0d3f7f"
PRIMARY_SOFT = "#e3edf9"
TEXT = "#1f2933"
MUTED = "#52606d"
SURFACE = "#f5f7fa"          # panels and cards
BORDER = "#cbd2d9"
SUCCESS = "#1b6e32"
SUCCESS_SOFT = "#e6f4ea"
WARNING = "#8a4b00"
WARNING_SOFT = "#fff4e0"
ERROR = "#b00020"
ERROR_SOFT = "#fdecee"
DEMO = "#ff8f00"

# ---- type sizes (points) -----------------------------------------------------------------------------------
BASE_PT = 10.5
TITLE_PT = 20      # a window's heading (sign-in, the customer window)
PAGE_TITLE_PT = 15  # the heading of a work page
SECTION_PT = 13     # a section or a step's status line
VALUE_PT = 18       # a dashboard figure
CUSTOMER_PT = 14    # body text on the customer window: read at arm's length, often by elderly customers

# ---- spacing (pixels at 96 dpi; Qt scales them on high-DPI screens) ---------------------------------------
SPACING = 8
PADDING = 6

ROLES = ("title", "page-title", "section", "status", "hint", "info", "success", "warning", "error",
         "demo-banner", "placeholder", "card", "panel", "value", "thumbnail",
         "step-pending", "step-current", "step-done", "step-blocked", "customer-title", "customer-text")
STATES = ("", "invalid", "warning", "error")

STYLE_SHEET = f"""
QWidget {{ color: {TEXT}; }}
QLabel[role="title"] {{ font-size: {TITLE_PT}pt; font-weight: bold; }}
QLabel[role="page-title"] {{ font-size: {PAGE_TITLE_PT}pt; font-weight: bold; }}
QLabel[role="section"] {{ font-size: {SECTION_PT}pt; font-weight: bold; }}
QLabel[role="status"] {{ font-size: {SECTION_PT}pt; }}
QLabel[role="value"] {{ font-size: {VALUE_PT}pt; font-weight: bold; color: {PRIMARY_DARK}; }}
QLabel[role="hint"] {{ color: {MUTED}; }}
QLabel[role="info"], QLabel[role="success"] {{ color: {SUCCESS}; }}
QLabel[role="warning"] {{ color: {WARNING}; }}
QLabel[role="error"] {{ color: {ERROR}; font-weight: bold; }}
QLabel[role="status"][state="warning"] {{ color: {WARNING}; }}
QLabel[role="status"][state="error"] {{ color: {ERROR}; }}
QLabel[role="demo-banner"] {{ background: {DEMO}; color: black; font-weight: bold; padding: {PADDING}px; }}
QLabel[role="thumbnail"] {{ border: 1px solid {BORDER}; }}
QFrame[role="placeholder"] {{ background: {SURFACE}; border: 1px dashed {BORDER}; border-radius: 6px; }}
QFrame[role="card"], QLabel[role="card"] {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px;
    padding: {PADDING + 4}px; }}
QFrame[role="panel"] {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px; }}
QLabel[role="step-pending"] {{ color: {MUTED}; padding: 3px 8px; }}
QLabel[role="step-current"] {{ color: white; background: {PRIMARY}; font-weight: bold; padding: 3px 8px;
    border-radius: 4px; }}
QLabel[role="step-done"] {{ color: {SUCCESS}; padding: 3px 8px; }}
QLabel[role="step-blocked"] {{ color: {ERROR}; background: {ERROR_SOFT}; font-weight: bold; padding: 3px 8px;
    border-radius: 4px; }}
QLabel[role="customer-title"] {{ font-size: {TITLE_PT}pt; font-weight: bold; }}
QLabel[role="customer-text"] {{ font-size: {CUSTOMER_PT}pt; }}
QWidget[state="invalid"] {{ border: 2px solid {ERROR}; }}
QLabel[state="warning"] {{ color: {WARNING}; }}
QLabel[state="error"] {{ color: {ERROR}; font-weight: bold; }}
QPushButton {{ padding: 4px 12px; }}
QPushButton:default {{ font-weight: bold; }}
QTableView {{ gridline-color: {BORDER}; selection-background-color: {PRIMARY_SOFT}; selection-color: {TEXT}; }}
QHeaderView::section {{ background: {SURFACE}; padding: 4px; border: none; border-bottom: 1px solid {BORDER};
    font-weight: bold; }}
"""


def _repolish(widget: QWidget) -> None:
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def set_role(widget: QWidget, role: str) -> QWidget:
    """Say what a widget is; the theme decides how it looks. Returns the widget, for chaining."""
    if role not in ROLES:
        raise ValueError(f"unknown theme role {role!r}")
    if widget.property("role") != role:
        widget.setProperty("role", role)
        _repolish(widget)
    return widget


def set_state(widget: QWidget, state: str) -> None:
    """Mark a widget's state ("" for normal, "invalid", "warning", "error"); the theme shows it."""
    if state not in STATES:
        raise ValueError(f"unknown theme state {state!r}")
    if (widget.property("state") or "") != state:
        widget.setProperty("state", state)
        _repolish(widget)


def state_of(widget: QWidget) -> str:
    return str(widget.property("state") or "")


def role_of(widget: QWidget) -> str:
    return str(widget.property("role") or "")


def apply(app: QApplication) -> None:
    """Apply the theme to the whole application: palette and style sheet."""
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor(PRIMARY))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
    palette.setColor(QPalette.ColorRole.Link, QColor(PRIMARY))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.Text, QColor(TEXT))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)
