#!/usr/bin/env bash
# Creates or reuses .venv, installs the locked dependencies and the project, builds translations.
# Safe to run repeatedly: the pip step is skipped while requirements.lock and pyproject.toml are unchanged.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

pick_python() {
  for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$py" ] || continue
    command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "CounterDesk needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

PY="$(pick_python)"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv 2>/dev/null || { apt_install python3-venv && "$PY" -m venv .venv; }
fi
VPY="$root/.venv/bin/python"

stamp=".venv/.counterdesk-stamp"
want="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$VPY" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  "$VPY" -m pip install -q --disable-pip-version-check -r requirements.lock
  "$VPY" -m pip install -q --disable-pip-version-check --no-deps -e .
  # Remove what the lock no longer lists (a replaced wheel would otherwise shadow its successor's files).
  stale="$("$VPY" - <<'PY'
import re
from importlib.metadata import distributions
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
locked = {norm(line.split("==")[0]) for line in open("requirements.lock") if "==" in line}
keep = locked | {"pip", "setuptools", "wheel", "counterdesk"}
print(" ".join(sorted({d.metadata["Name"] for d in distributions() if norm(d.metadata["Name"]) not in keep})))
PY
)"
  if [ -n "$stale" ]; then
    # shellcheck disable=SC2086
    "$VPY" -m pip uninstall -q -y $stale
    "$VPY" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps -r requirements.lock
  fi
  echo "$want" > "$stamp"
fi

# Qt needs a few system libraries that minimal images lack; install them once if missing.
if ! QT_QPA_PLATFORM=offscreen "$VPY" -c 'from PySide6 import QtWidgets, QtPdf' 2>/dev/null; then
  echo "Installing the system libraries Qt needs (libegl1, libgl1, libxkbcommon0, fontconfig, dbus)..." >&2
  apt_install libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 \
    libglib2.0-0 || apt_install libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
    libxcb-cursor0 libglib2.0-0t64 || true
  QT_QPA_PLATFORM=offscreen "$VPY" -c 'from PySide6 import QtWidgets, QtPdf' || {
    echo "Qt cannot load; install libegl1 libgl1 libxkbcommon0 libfontconfig1 with your package manager." >&2
    exit 1
  }
fi

# PDF checks in the tests read the confirmation PDFs back with poppler's pdftotext/pdffonts.
if ! command -v pdftotext >/dev/null 2>&1; then
  apt_install poppler-utils || echo "poppler-utils not installed: PDF text checks will be skipped" >&2
fi

# A real window (not offscreen) goes through Qt's xcb plugin, which needs more X libraries.
if [ "${QT_QPA_PLATFORM:-}" != "offscreen" ] && [ -n "${DISPLAY:-}" ]; then
  xcb_plugin="$("$VPY" -c 'import PySide6, os; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt/plugins/platforms/libqxcb.so"))')"
  if ldd "$xcb_plugin" 2>/dev/null | grep -q "not found"; then
    echo "Installing the X11 libraries Qt's window plugin needs..." >&2
    apt_install libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
      libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1 || true
  fi
fi

"$VPY" -m counterdesk.ui.i18n_build --quiet
