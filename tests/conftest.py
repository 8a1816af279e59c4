"""Shared fixtures: demo installations, the admin command line in-process, the real main window signed
in; the hub's fixtures are in helpers.hub (a plugin). Garbage collection runs on the main thread only
(see counterdesk.ui.widgets.gc_guard): automatic collection on a worker thread would destroy Qt objects
on the wrong thread."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt loads: the tests run without a screen

import gc
import io
import shutil
import sys
from pathlib import Path

import pytest

from counterdesk.cli import admin as cli
from counterdesk.cli import common
from counterdesk.services.auth import totp
from counterdesk.services.auth.vault import Vault, preload_reference_data
from counterdesk.services.demo import create_demo
from counterdesk.ui import theme
from counterdesk.ui.shell.main_window import MainWindow
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages
from helpers.demo import AUTH_CLOCK, PASSWORDS, totp_code
from helpers.demo import sign_in as demo_sign_in
from helpers.gui import sign_in_window

pytest_plugins = ["helpers.hub"]


def pytest_configure(config):
    gc.disable()
    # Load the big read-only tables once (pinyin dictionaries, GB/T 2260, reference lists) and move
    # them out of the collector's sight: a full collection after each test then only walks what
    # the tests themselves made.
    preload_reference_data()
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config, items):
    # The markers follow from the fixtures a test uses, so they cannot be forgotten:
    # ``-m "not gui"`` runs the core alone, ``-m "not hub"`` runs without PostgreSQL.
    # Slow soak tests run only when the -m expression names them (``./test -m slow``), whatever else it says.
    if "slow" not in (config.option.markexpr or ""):
        slow = [item for item in items if item.get_closest_marker("slow")]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [item for item in items if not item.get_closest_marker("slow")]
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "qtbot" in names or "qapp" in names:
            item.add_marker(pytest.mark.gui)
        if "hub_url" in names or getattr(item.module, "pg_database", None) is not None:
            item.add_marker(pytest.mark.hub)


@pytest.fixture(autouse=True)
def _authenticator_clock(monkeypatch):
    """Second-factor codes are checked against the test authenticator's clock (helpers.demo)."""
    monkeypatch.setattr(totp, "clock", AUTH_CLOCK)


@pytest.fixture(autouse=True)
def _collect_on_main_thread():
    yield
    gc.collect()


# ---- core (Qt-free) fixtures: one demo installation per session, copied per test --------------
@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """(path, recovery_key) of a demo installation created once per session. Never modify it."""
    root = tmp_path_factory.mktemp("demo-template") / "data"
    vault, recovery_key = Vault.create_demo(root)
    vault.close()
    return root, recovery_key


@pytest.fixture
def demo_dir(tmp_path, demo_template) -> Path:
    """A fresh copy of the demo installation's data folder."""
    target = tmp_path / "data"
    shutil.copytree(demo_template[0], target)
    return target


@pytest.fixture
def demo_recovery_key(demo_template) -> str:
    return demo_template[1]


@pytest.fixture
def demo_vault(demo_dir):
    """A Vault opened on a fresh demo copy; closed (database and key forgotten) afterwards."""
    vault = Vault.open(demo_dir)
    yield vault
    vault.close()


@pytest.fixture
def sign_in(demo_vault):
    """sign_in("teller") -> SignedInUser, with the demo password (and authenticator code) of that user."""
    def _sign_in(username: str = "admin"):
        return demo_sign_in(demo_vault, username)
    return _sign_in


# ---- the DEMO branch as ./run creates it (with the bundled sanctions sample loaded) ---------------------
@pytest.fixture(scope="session")
def demo_lists_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo-lists-template") / "data"
    vault, _key = create_demo(root)
    vault.close()
    return root


@pytest.fixture
def demo_lists_dir(tmp_path, demo_lists_template) -> Path:
    target = tmp_path / "data"
    shutil.copytree(demo_lists_template, target)
    return target


# ---- the admin command line, run in-process --------------------------------------------------------------
@pytest.fixture
def no_terminal(monkeypatch):
    """No CLI test may fall through to a real terminal prompt; the password env var is opt-in."""
    def refuse(prompt=""):
        raise AssertionError(f"unexpected terminal prompt: {prompt}")
    monkeypatch.setattr(common.getpass, "getpass", refuse)
    monkeypatch.delenv(common.PASSWORD_ENV, raising=False)


@pytest.fixture
def admin_cli(capsys, monkeypatch, demo_dir, no_terminal):
    """run(*argv, user="admin", lang="en") -> (exit status, stdout, stderr) on a fresh demo copy."""
    def _run(*argv, user="admin", lang="en"):
        capsys.readouterr()
        factor = totp_code(user)  # the authenticator code follows the password when the user has one
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORDS[user] + "\n" + (factor + "\n" if factor else "")))
        code = cli.main(["--data-dir", str(demo_dir), "--lang", lang, "--user", user, "--password-stdin", *argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err
    return _run


# ---- the application's look: every GUI test sees the real theme ----------------------------------------------
@pytest.fixture(scope="session")
def qapp(qapp):
    """pytest-qt's application, with the app's theme applied as counterdesk.app does."""
    theme.apply(qapp)
    return qapp


# ---- the real main window, signed in ----------------------------------------------------------------------
@pytest.fixture
def open_window(qtbot, qapp):
    """open_window(data_dir, username) -> a MainWindow on ``data_dir`` with ``username`` signed in (zh)."""
    made = []

    def make(data_dir, username):
        languages = Languages(qapp)
        languages.set("zh_CN")
        ctx = AppContext(data_dir=data_dir, demo=True, languages=languages)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.start()
        window.show()
        sign_in_window(qtbot, window, username)
        made.append((window, languages))
        return window

    yield make
    for window, languages in made:
        window.close()
        languages.set("en")
