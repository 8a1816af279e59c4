"""The one visual theme of CounterDesk: colours, type sizes, spacing and widget states, as one Qt style
sheet applied to the whole application (the teller's, supervisor's and admin's windows and the customer
window alike).

Widgets never carry their own style sheet. They say what they are with a role (``set_role(label,
"title")``) or what state they are in (``set_state(editor, "invalid")``); this module decides how that
looks. Sizes are in points, so they scale with the screen's DPI.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
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
CUSTOMER_PT = 17    # everything on the customer window: read at arm's length, often by elderly customers
CUSTOMER_TEXT_PT = 20   # a customer window's one message on a page (thank you, hand the screen back)
CUSTOMER_TITLE_PT = 22  # a customer window's heading

# ---- spacing (pixels at 96 dpi; Qt scales them on high-DPI screens) ---------------------------------------
SPACING = 8
PADDING = 6

ROLES = ("title", "page-title", "section", "status", "hint", "info", "success", "warning", "error",
         "demo-banner", "placeholder", "card", "panel", "value", "thumbnail", "problem", "customer-sentence",
         "step-pending", "step-current", "step-done", "step-blocked", "customer-title", "customer-text",
         "step-skipped", "panel-label", "panel-value", "panel-ok")
STATES = ("", "invalid", "warning", "error")
SCREENS = ("customer",)  # a whole window's look, set on the window (set_screen), reaching all it holds

# The text colour comes from the palette (apply), not from a "QWidget { color }" rule: such a rule would
# also paint disabled widgets in the normal colour and override every palette set on a widget.
STYLE_SHEET = f"""
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
QLabel[role="step-skipped"] {{ color: {MUTED}; font-style: italic; padding: 3px 8px; }}
QLabel[role="panel-label"] {{ color: {MUTED}; font-size: 9pt; }}
QLabel[role="panel-value"] {{ font-weight: bold; }}
QLabel[role="panel-ok"] {{ font-weight: bold; color: {SUCCESS}; }}
QLabel[role="problem"] {{ color: {ERROR}; font-size: {SECTION_PT}pt; padding: 40px; }}
/* The customer window: every widget in it large (the window, its labels, options, fields, buttons). The
   screen prefix makes these rules outrank the plain role rules above. */
QWidget[screen="customer"], QWidget[screen="customer"] QWidget {{ font-size: {CUSTOMER_PT}pt; }}
QLabel[role="customer-title"],
QWidget[screen="customer"] QLabel[role="customer-title"] {{ font-size: {CUSTOMER_TITLE_PT}pt; font-weight: bold; }}
QLabel[role="customer-text"],
QWidget[screen="customer"] QLabel[role="customer-text"] {{ font-size: {CUSTOMER_TEXT_PT}pt; }}
QWidget[screen="customer"] QPushButton {{ padding: 6px 20px; }}
QLabel[role="customer-sentence"] {{ background: {PRIMARY_SOFT}; color: {PRIMARY_DARK}; font-weight: bold;
    border: 1px solid {BORDER}; border-radius: 6px; padding: 12px; }}
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
    # A widget not yet polished reads its role and state when it is (first shown): polishing it now would be
    # wasted, and costly, as it is usually not yet in its window.
    if not widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        return
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


def set_screen(window: QWidget, screen: str) -> None:
    """Give a whole window a look (``"customer"``: large text throughout). Set it before the window's
    children are built; it polishes the window, so its font metrics are the themed ones from here on."""
    if screen not in SCREENS:
        raise ValueError(f"unknown theme screen {screen!r}")
    window.setProperty("screen", screen)
    _repolish(window)
    window.ensurePolished()


def state_of(widget: QWidget) -> str:
    return str(widget.property("state") or "")


def role_of(widget: QWidget) -> str:
    return str(widget.property("role") or "")


def apply(app: QApplication) -> None:
    """Apply the theme to the whole application: palette and style sheet."""
    palette = app.palette()
    # Active and inactive only: disabled widgets keep the style's greyed-out text.
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Highlight, QColor(PRIMARY))
        palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("white"))
        palette.setColor(group, QPalette.ColorRole.Link, QColor(PRIMARY))
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
            palette.setColor(group, role, QColor(TEXT))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)
