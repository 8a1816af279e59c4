"""Render every main screen to PNG, offscreen: `python -m counterdesk.ui.screenshots --out docs/screens`.

Builds a throw-away DEMO installation, drives the real main window through sign-in, each role's
home, the admin pages and the lock screen, and saves a picture of each.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ..demo import create_demo  # noqa: E402
from ..vault import DEMO_USERS  # noqa: E402
from .context import AppContext  # noqa: E402
from .main_window import MainWindow  # noqa: E402
from .resources import Languages, load_font  # noqa: E402


def _wait(predicate, timeout_ms: int = 20000) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(20)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    timer.timeout.connect(lambda: predicate() and loop.quit())
    timer.start()
    deadline.start(timeout_ms)
    loop.exec()
    timer.stop()
    if not predicate():
        raise RuntimeError("screen did not reach the expected state")


def _save(window: MainWindow, out: Path, name: str) -> None:
    QApplication.processEvents()
    window.grab().save(str(out / f"{name}.png"))
    print(out / f"{name}.png")


def _sign_in(window: MainWindow, username: str) -> None:
    password = next(u.password for u in DEMO_USERS if u.username == username)
    window.signin.username.setText(username)
    window.signin.password.setText(password)
    window.signin.attempt()
    _wait(lambda: window.state == "home")


def render(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    from .gc_guard import MainThreadGarbageCollector
    MainThreadGarbageCollector(app)
    load_font(app)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        create_demo(data)
        languages = Languages(app)
        ctx = AppContext(data_dir=data, demo=True, languages=languages)
        window = MainWindow(ctx)
        window.resize(1100, 720)
        window.start()
        window.show()
        _wait(lambda: window.state == "signin")
        _save(window, out, "01-sign-in-zh")

        _sign_in(window, "teller")
        _save(window, out, "02-teller-home")
        window.lock("manual")
        _save(window, out, "03-lock-screen")
        window.sign_out("user")
        _wait(lambda: window.state == "signin" and window.signin.submit.isEnabled())

        _sign_in(window, "supervisor")
        _save(window, out, "04-supervisor-home")
        window.sign_out("user")
        _wait(lambda: window.state == "signin" and window.signin.submit.isEnabled())

        _sign_in(window, "admin")
        window.home.show_task("users.manage")
        _wait(lambda: window.home.pages["users.manage"].table.rowCount() > 0)
        _save(window, out, "05-admin-users")
        window.home.show_task("settings.manage")
        _save(window, out, "06-admin-settings")
        window.home.show_task("audit.view")
        _wait(lambda: window.home.pages["audit.view"].table.rowCount() > 0)
        _save(window, out, "07-audit-log")
        window.sign_out("user")
        _wait(lambda: window.state == "signin" and window.signin.submit.isEnabled())

        window.set_language("en")
        _save(window, out, "08-sign-in-en")
        window.close()

        setup_ctx = AppContext(data_dir=Path(tmp) / "fresh", demo=False, languages=languages)
        languages.set("zh_CN")
        wizard = MainWindow(setup_ctx)
        wizard.resize(1100, 720)
        wizard.start()
        wizard.show()
        _save(wizard, out, "09-setup-wizard")
        wizard.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screens"))
    args = parser.parse_args(argv)
    render(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
