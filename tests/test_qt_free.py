"""The core never imports Qt: only counterdesk.ui and counterdesk.app may."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import counterdesk
from helpers.demo import OTHER_SECRET

PACKAGE = Path(counterdesk.__file__).resolve().parent
QT_PACKAGES = ("PySide6", "shiboken6", "PySide2", "PyQt5", "PyQt6")


def _is_gui(path: Path) -> bool:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] == "ui" or rel.as_posix() == "app.py"


def core_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not _is_gui(p) and "__pycache__" not in p.parts)


def core_modules() -> list[str]:
    """Importable core modules (migration scripts run only inside Alembic, so they are scanned, not imported)."""
    names = []
    for path in core_files():
        rel = path.relative_to(PACKAGE)
        if "migrations" in rel.parts:
            continue
        parts = ["counterdesk", *rel.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def test_the_lists_are_not_empty():
    mods = core_modules()
    for expected in ("counterdesk.services.auth.vault", "counterdesk.services.accounts", "counterdesk.store.engine",
                     "counterdesk.store.audit", "counterdesk.services.auth.keyslots", "counterdesk.base.logs"):
        assert expected in mods
    assert not any(m.startswith("counterdesk.ui") or m == "counterdesk.app" for m in mods)
    assert any("migrations" in str(p) for p in core_files())


def test_importing_the_whole_core_loads_no_qt():
    script = (
        "import importlib, json, sys\n"
        f"mods = {core_modules()!r}\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        f"qt = sorted(k for k in sys.modules if k.split('.')[0] in {QT_PACKAGES!r})\n"
        "print(json.dumps({'qt': qt, 'loaded': [m for m in mods if m in sys.modules]}))\n"
    )
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["qt"] == [], f"the core pulled in Qt: {out['qt']}"
    assert sorted(out["loaded"]) == sorted(core_modules())


def test_a_core_workflow_loads_no_qt(tmp_path):
    """Not just imports: creating, opening and verifying an installation stays Qt-free."""
    script = (
        "import sys\n"
        "from counterdesk.services.auth.vault import Vault, NewUser\n"
        "from counterdesk.base.roles import Role\n"
        "from counterdesk.base import logs\n"
        "from counterdesk.services import accounts, verification\n"
        f"logs.setup(None)\n"
        f"v, rk = Vault.initialise({str(tmp_path / 'd')!r}, 'B1', 'Branch', "
        "NewUser('chief', 'Chief', Role.ADMIN, 'Haupt-Chef-2027!'))\n"
        "import pyotp\n"
        f"secret = {OTHER_SECRET!r}\n"  # the first administrator enrols an authenticator at the first sign-in
        "us = v.sign_in('chief', 'Haupt-Chef-2027!', pyotp.TOTP(secret).now(), new_secret=secret)\n"
        "assert verification.verify(v, us).ok\n"
        "accounts.list_users(v, us)\n"
        "v.sign_out(us)\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in ('PySide6', 'shiboken6')))\n"
    )
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"


def _qt_imports(path: Path, base: Path = PACKAGE) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call):
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if fname in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                names = [str(node.args[0].value)]
        for name in names:
            if name.split(".")[0] in QT_PACKAGES:
                found.append(f"{path.relative_to(base)}:{node.lineno}: {name}")
    return found


def test_no_core_file_imports_qt():
    files = core_files()
    assert len(files) >= 15
    offenders = [hit for path in files for hit in _qt_imports(path)]
    assert offenders == []


def test_the_scanner_sees_qt_imports(tmp_path):
    """Positive control for the AST scan, including imports hidden in functions."""
    sample = tmp_path / "probe.py"
    sample.write_text("def f():\n    from PySide6.QtCore import QObject\n"
                      "import importlib\nimportlib.import_module('shiboken6')\nimport json\n", encoding="utf-8")
    hits = _qt_imports(sample, tmp_path)
    assert hits == ["probe.py:2: PySide6.QtCore", "probe.py:4: shiboken6"]
