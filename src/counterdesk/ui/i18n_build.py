"""Build Qt translations: .ts sources in resources/i18n/ → .qm files next to them.

`python -m counterdesk.ui.i18n_build` compiles stale .qm files (run by the project's bootstrap);
`--update` re-extracts the strings from the UI sources into the .ts files, keeping translations.
Runs Qt's own lupdate/lrelease tools from the installed PySide6 wheel as subprocesses. The GUI
imports this module at start-up for the paths only, so the tool imports wait until they are used.
"""
from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from counterdesk.base.paths import PACKAGE_DIR, resources_dir

LANGUAGES = ("zh_CN",)


def _tool(name: str) -> str:

    spec = importlib.util.find_spec("PySide6")
    if spec and spec.submodule_search_locations:
        for base in spec.submodule_search_locations:
            candidate = Path(base) / name
            if candidate.exists():
                return str(candidate)
    found = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if not found:
        raise SystemExit(f"Qt tool '{name}' not found; is PySide6 installed?")
    return found


def ts_path(lang: str) -> Path:
    return resources_dir() / "i18n" / f"counterdesk_{lang}.ts"


def qm_path(lang: str) -> Path:
    return ts_path(lang).with_suffix(".qm")


def ui_sources() -> list[Path]:
    return [*sorted((PACKAGE_DIR / "ui").rglob("*.py")), PACKAGE_DIR / "app.py"]


def update() -> None:

    sources = [str(p) for p in ui_sources()]
    for lang in LANGUAGES:
        subprocess.run([_tool("lupdate"), "-no-obsolete", "-locations", "none", *sources, "-ts", str(ts_path(lang))],
                       check=True)


def build(quiet: bool = False) -> None:

    for lang in LANGUAGES:
        ts, qm = ts_path(lang), qm_path(lang)
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        out = subprocess.run([_tool("lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True, text=True)
        if not quiet:
            print(out.stdout.strip())


def main(argv: list[str] | None = None) -> int:

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="re-extract strings into the .ts files")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.update:
        update()
    build(args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
