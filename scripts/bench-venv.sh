#!/usr/bin/env bash
# Creates or reuses .bench-venv: a benchmark-only virtual environment holding OpenSanctions'
# nomenklatura (the peer matcher, logic-v2) for `benches/run.py screening-quality`. It is never a
# dependency of the product: nothing under src/ imports it and requirements.lock does not list it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
NOMENKLATURA="${NOMENKLATURA_VERSION:-4.17.4}"
PY="${PYTHON:-python3}"
if [ ! -x .bench-venv/bin/python ]; then
  "$PY" -m venv .bench-venv
  echo "*" > .bench-venv/.gitignore  # never committed
fi
if ! .bench-venv/bin/python -c "import nomenklatura.matching" 2>/dev/null; then
  # PyICU (needed by rigour, which nomenklatura uses for names) builds against the system ICU.
  if ! pkg-config --exists icu-uc 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
    sudo_="" ; [ "$(id -u)" = 0 ] || sudo_="sudo"
    $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libicu-dev pkg-config build-essential python3-dev >/dev/null
  fi
  .bench-venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .bench-venv/bin/python -m pip install -q --disable-pip-version-check "nomenklatura==${NOMENKLATURA}"
fi
.bench-venv/bin/python -c "import nomenklatura, importlib.metadata as m; print('nomenklatura', m.version('nomenklatura'))"
