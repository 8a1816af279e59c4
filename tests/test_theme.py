"""The one theme (counterdesk.ui.theme): no widget carries its own style sheet, every role and state the
widgets use exists, and what the theme says is what is drawn, at 1x and on a high-DPI screen (2x)."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from counterdesk.ui import theme
from counterdesk.ui.widgets.common import MessageLabel

UI = Path(theme.__file__).parent
SOURCES = sorted(p for p in UI.rglob("*.py") if "__pycache__" not in p.parts)


def _calls(name: str):
    """(file, line, call) for every call of ``*.name(...)`` or ``name(...)`` under ui/."""
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if called == name:
                    yield path, node.lineno, node


def test_no_widget_sets_its_own_style_sheet():
    offenders = [f"{path.relative_to(UI)}:{line}" for path, line, _ in _calls("setStyleSheet")
                 if path != UI / "theme.py"]
    assert not offenders, "style through counterdesk.ui.theme (set_role / set_state), not: " + ", ".join(offenders)


@pytest.mark.parametrize(("function", "known"), [("set_role", theme.ROLES), ("set_state", theme.STATES),
                                                  ("set_screen", theme.SCREENS)])
def test_every_role_and_state_used_exists(function, known):
    used: dict[str, str] = {}
    for path, line, call in _calls(function):
        if path == UI / "theme.py" or len(call.args) < 2:
            continue
        # A literal, or the literals of a conditional ("invalid" if bad else "").
        for node in ast.walk(call.args[1]):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                used.setdefault(node.value, f"{path.relative_to(UI)}:{line}")
    assert used, f"no {function} calls found"
    unknown = {value: where for value, where in used.items() if value not in known}
    assert not unknown, f"not in theme: {unknown}"


def test_apply_installs_the_sheet_and_palette(qapp):
    # The tests' application is themed by conftest exactly as counterdesk.app themes the real one.
    assert qapp.styleSheet() == theme.STYLE_SHEET
    palette = qapp.palette()
    assert palette.color(QPalette.ColorRole.Highlight) == QColor(theme.PRIMARY)
    assert palette.color(QPalette.ColorRole.WindowText) == QColor(theme.TEXT)
    # Disabled widgets still look disabled.
    assert palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText) != QColor(theme.TEXT)


def test_unknown_roles_and_states_are_refused(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    with pytest.raises(ValueError):
        theme.set_role(label, "fancy")
    with pytest.raises(ValueError):
        theme.set_state(label, "angry")


def _image(qtbot, widget: QWidget) -> QImage:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget.grab().toImage()


def _close(color: QColor, hex_color: str, tolerance: int = 40) -> bool:
    want = QColor(hex_color)
    return all(abs(a - b) <= tolerance for a, b in ((color.red(), want.red()), (color.green(), want.green()),
                                                     (color.blue(), want.blue())))


def _pixels(image: QImage):
    return (image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height()))


def test_an_error_message_is_drawn_red(qtbot):
    message = MessageLabel()
    message.show_error("Wrong password ████")
    assert theme.role_of(message) == "error"
    image = _image(qtbot, message)
    assert any(_close(c, theme.ERROR, 30) for c in _pixels(image))
    assert not any(c.red() < 60 and c.green() < 60 and c.blue() < 60 for c in _pixels(image))  # no black text
    message.show_info("Saved ████")
    assert theme.role_of(message) == "info"
    image = message.grab().toImage()
    assert any(_close(c, theme.SUCCESS, 30) for c in _pixels(image))
    assert not any(_close(c, theme.ERROR, 30) for c in _pixels(image))


def test_an_invalid_field_has_a_red_border_that_goes_again(qtbot):
    editor = QLineEdit("1986-06-15")
    editor.resize(200, editor.sizeHint().height())
    theme.set_state(editor, "invalid")
    image = _image(qtbot, editor)
    middle = image.height() // 2
    assert _close(image.pixelColor(0, middle), theme.ERROR, 10) and _close(image.pixelColor(1, middle), theme.ERROR, 10)
    assert _close(image.pixelColor(image.width() // 2, 0), theme.ERROR, 10)
    theme.set_state(editor, "")
    image = editor.grab().toImage()
    assert not any(_close(image.pixelColor(x, middle), theme.ERROR, 30) for x in range(3))


def test_the_current_step_is_drawn_on_the_primary_colour(qtbot):
    box = QWidget()
    lay = QVBoxLayout(box)
    current = theme.set_role(QLabel("3 适当性评估"), "step-current")
    pending = theme.set_role(QLabel("4 产品推荐"), "step-pending")
    lay.addWidget(current)
    lay.addWidget(pending)
    _image(qtbot, box)
    image = current.grab().toImage()
    inside = image.pixelColor(4, image.height() // 2)  # in the left padding, clear of the rounded corners
    assert _close(inside, theme.PRIMARY, 4), inside.name()
    assert any(c.red() > 240 and c.green() > 240 and c.blue() > 240 for c in _pixels(image))  # white text
    image = pending.grab().toImage()
    assert not any(_close(c, theme.PRIMARY, 10) for c in _pixels(image))


def test_the_customer_window_is_large_throughout(qtbot):
    window = QWidget()
    theme.set_screen(window, "customer")
    lay = QVBoxLayout(window)
    title = theme.set_role(QLabel("请您亲自作答"), "customer-title")
    body = QLabel("您的投资经验")
    error = theme.set_role(QLabel("请勾选"), "error")
    lay.addWidget(title)
    lay.addWidget(body)
    lay.addWidget(error)
    _image(qtbot, window)
    assert body.font().pointSizeF() == theme.CUSTOMER_PT and error.font().pointSizeF() == theme.CUSTOMER_PT
    assert error.font().bold()
    assert title.font().pointSizeF() == theme.CUSTOMER_TITLE_PT and title.font().bold()
    outside = MessageLabel()
    outside.show_error("x")
    qtbot.addWidget(outside)
    outside.ensurePolished()
    assert outside.font().pointSizeF() < theme.CUSTOMER_PT


# A themed page rendered in a fresh process at a given QT_SCALE_FACTOR: the grab's device pixel ratio,
# and the ink of a title and of a wrapped message in device pixels, both inside their image.
_PAGE = textwrap.dedent("""
    import json, os
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
    from counterdesk.ui import theme
    from counterdesk.ui.widgets.common import MessageLabel, PlaceholderCard, page_title
    from counterdesk.ui.widgets.resources import load_font

    app = QApplication([])
    load_font(app)
    theme.apply(app)
    page = QWidget()
    lay = QVBoxLayout(page)
    title = page_title()
    title.setText("客户查询 Find a customer")
    message = MessageLabel()
    message.show_error("证件号码校验位不正确 The ID number's check digit is wrong")
    lay.addWidget(title)
    lay.addWidget(message)
    lay.addWidget(PlaceholderCard("待办", "Later"))
    page.resize(page.sizeHint())
    page.show()
    app.processEvents()

    def ink(widget):
        image = widget.grab().toImage()
        background = image.pixelColor(0, 0)
        xs, ys = [], []
        for y in range(image.height()):
            for x in range(image.width()):
                c = image.pixelColor(x, y)
                if abs(c.red() - background.red()) + abs(c.green() - background.green()) > 150:
                    xs.append(x)
                    ys.append(y)
        return {"size": [image.width(), image.height()], "dpr": image.devicePixelRatio(),
                "box": [min(xs), min(ys), max(xs), max(ys)]}

    print(json.dumps({"title": ink(title), "message": ink(message), "page": ink(page),
                      "hint": [title.sizeHint().width(), title.sizeHint().height()]}))
""")


def _render(scale: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=scale)
    done = subprocess.run([sys.executable, "-c", _PAGE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_high_dpi_doubles_the_pixels_and_clips_no_text():
    normal, double = _render("1"), _render("2")
    assert normal["title"]["dpr"] == 1 and double["title"]["dpr"] == 2 and double["page"]["dpr"] == 2
    for name in ("title", "message"):
        (w1, h1), (w2, h2) = normal[name]["size"], double[name]["size"]
        assert abs(w2 - 2 * w1) <= 2 and abs(h2 - 2 * h1) <= 2, name
        x0, y0, x1, y1 = double[name]["box"]
        assert 0 < x0 and 0 < y0 and x1 < w2 - 1 and y1 < h2 - 1, f"{name}: ink touches the edge, clipped"
        a0, b0, a1, b1 = normal[name]["box"]
        ratio = (x1 - x0) / (a1 - a0)
        assert 1.8 < ratio < 2.2, f"{name}: text {ratio:.2f}x as wide in device pixels"
    assert normal["hint"] == double["hint"]  # the same layout in logical pixels
