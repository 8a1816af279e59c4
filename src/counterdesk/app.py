"""GUI entry point: `counterdesk [--demo] [--data-dir DIR] [--lang zh_CN|en]`."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from counterdesk import __version__
from counterdesk.base import logs
from counterdesk.base.paths import default_data_dir
from counterdesk.ui import theme
from counterdesk.ui.i18n_build import build as build_translations
from counterdesk.ui.i18n_build import qm_path
from counterdesk.ui.shell.main_window import MainWindow
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.gc_guard import MainThreadGarbageCollector
from counterdesk.ui.widgets.resources import Languages, load_font

_T0 = time.perf_counter()


def parse_args(argv: list[str]) -> argparse.Namespace:

    parser = argparse.ArgumentParser(prog="counterdesk", description="CounterDesk branch counter application")
    parser.add_argument("--demo", action="store_true",
                        help="use (and on first start create) the DEMO branch with demo users")
    parser.add_argument("--data-dir", type=Path, default=None, help=f"data folder (default {default_data_dir()})")
    parser.add_argument("--lang", choices=("zh_CN", "en"), default=None, help="interface language for this run")
    parser.add_argument("--version", action="version", version=f"CounterDesk {__version__}")
    args, _qt_args = parser.parse_known_args(argv)
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.umask(0o077)  # every file this process creates (database, WAL, logs) is private to the user

    args.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    logs.setup(args.data_dir / "logs", catch_uncaught=True)



    app = QApplication.instance() or QApplication(sys.argv[:1])

    collector = MainThreadGarbageCollector(app)  # noqa: F841 - lives as long as the app
    app.setApplicationName("CounterDesk")
    app.setOrganizationName("CounterDesk")
    load_font(app)
    theme.apply(app)
    if not qm_path("zh_CN").exists():
        try:
            build_translations(quiet=True)
        except Exception:
            pass
    languages = Languages(app)
    languages.set(args.lang or "zh_CN")
    ctx = AppContext(data_dir=args.data_dir, demo=args.demo, languages=languages)
    window = MainWindow(ctx)
    window.start()
    if args.lang:
        languages.set(args.lang)
    if os.environ.get("COUNTERDESK_STARTUP_PROBE") == "1":
        # Benchmark hook: report the time to the first shown frame, then leave.
        def probe() -> None:
            print(f"STARTUP-SHOWN {time.perf_counter() - _T0:.3f}", flush=True)
            app.quit()
        window.first_shown.connect(probe)
    window.show()
    status = app.exec()
    # Free the window before the QApplication goes away, never after it (a crash at exit otherwise).
    window.deleteLater()
    del window
    return status


if __name__ == "__main__":
    sys.exit(main())
