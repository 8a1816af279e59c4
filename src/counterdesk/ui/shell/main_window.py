"""The main window: one QStackedWidget of screens, the status bar, the idle lock and shortcuts.

Screens: preparing (demo set-up), problem (cannot open the installation), set-up wizard, sign-in,
home (built per signed-in role) and the lock screen.
"""
from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from types import ModuleType

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStackedWidget, QWidget

from counterdesk.base.paths import DataDir
from counterdesk.base.settings import IDLE_LOCK_SECONDS, UI_LANGUAGE
from counterdesk.base.text import CounterDeskError
from counterdesk.services.auth import installation
from counterdesk.services.auth.vault import WARM_UP_LOCK, Vault
from counterdesk.ui import theme
from counterdesk.ui.shell.lock_page import LockPage
from counterdesk.ui.shell.setup_page import SetupPage
from counterdesk.ui.shell.signin_page import SignInPage
from counterdesk.ui.shell.status_bar import StatusBar
from counterdesk.ui.widgets.common import error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import preload_in_background, run_task

log = logging.getLogger("counterdesk.ui")

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
             QEvent.Type.TabletPress, QEvent.Type.TouchBegin}


def workplace() -> ModuleType:
    """The signed-in part of the application (counterdesk.ui.shell.workplace), imported on first use.

    Measured (benches/bench_startup.py): the store, the services and every page take about a second
    to import, the sign-in window about 0.2 s; so the first frame does not wait for them. The lock
    keeps this import and the background warm-up from importing the same packages in two threads
    at once (a cross-thread import cycle hands one thread a half-initialised module)."""
    with WARM_UP_LOCK:
        from counterdesk.ui.shell import workplace as module
    return module


def _preload_and_freeze() -> None:
    """Import the signed-in part and load the reference tables before the first sign-in needs them,
    then freeze them out of garbage collection (collections run on the UI thread; see gc_guard)."""
    workplace().preload_reference_data()
    gc.freeze()


class IdleWatcher(QObject):
    """Restarts the idle timer on any keyboard, mouse, pen or touch input anywhere in the app, and
    remembers when the last key was pressed (the lock screen tells typing that began before it)."""

    def __init__(self, timer: QTimer, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = timer
        self.last_key_at = float("-inf")  # time.monotonic()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _ACTIVITY:
            if kind == QEvent.Type.KeyPress:
                self.last_key_at = time.monotonic()
            if self.timer.isActive():
                self.timer.start()
        return False


class MainWindow(QMainWindow):
    state_changed = Signal(str)  # "setup", "signin", "home", "locked", "preparing", "problem"
    first_shown = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.state = ""
        self._shown_once = False
        self.home: QWidget | None = None
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.status = StatusBar(ctx)
        self.setStatusBar(self.status)
        self.sync = None  # the background sync (SyncController), from the first sign-in on
        self.status.lock_requested.connect(self.lock_manually)
        self.status.language_toggled.connect(self.toggle_language)

        self.preparing = QLabel()
        self.preparing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self.problem, "problem")
        self.signin = SignInPage(ctx)
        self.signin.signed_in.connect(self._signed_in)
        self.signin.language_requested.connect(self.set_language)
        self.lock_page = LockPage(ctx)
        self.lock_page.resumed.connect(self._resumed)
        self.lock_page.switch_user_requested.connect(self.switch_user)
        self.lock_page.forced_out.connect(self._forced_out)
        self.setup: SetupPage | None = None
        for w in (self.preparing, self.problem, self.signin, self.lock_page):
            self.stack.addWidget(w)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.lock_when_idle)
        self.idle_watcher = IdleWatcher(self.idle_timer, self)
        QApplication.instance().installEventFilter(self.idle_watcher)
        self._build_actions()
        # Fits a branch PC's 1366×768 screen with its title and task bars; larger screens maximise it.
        self.resize(1340, 720)
        self.retranslate()

    # ---- actions and language --------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.session_menu = self.menuBar().addMenu("")
        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_manually)
        self.password_action = QAction(self)
        self.password_action.triggered.connect(self.change_own_password)
        self.signout_action = QAction(self)
        self.signout_action.setShortcut(QKeySequence("Ctrl+Shift+Q"))
        self.signout_action.triggered.connect(self.sign_out_user)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        for action in (self.lock_action, self.password_action, self.signout_action):
            self.session_menu.addAction(action)
        self.session_menu.addSeparator()
        self.session_menu.addAction(self.quit_action)
        self.addAction(self.lock_action)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("CounterDesk") + (self.tr(" — DEMO") if self._is_demo() else ""))
        self.session_menu.setTitle(self.tr("&Session"))
        self.lock_action.setText(self.tr("&Lock screen"))
        self.password_action.setText(self.tr("&Change password…"))
        self.signout_action.setText(self.tr("Sign &out"))
        self.quit_action.setText(self.tr("&Quit"))
        self.preparing.setText(self.tr("Preparing the DEMO branch (creating the encrypted database and demo users)…"))
        self.status.refresh()
        self._update_actions()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _is_demo(self) -> bool:
        return bool(self.ctx.vault.info.demo) if self.ctx.vault else self.ctx.demo

    def set_language(self, code: str) -> None:
        self.ctx.languages.set(code)  # installs the translator: every widget gets LanguageChange

    def toggle_language(self) -> None:
        self.set_language("en" if self.ctx.lang == "zh" else "zh_CN")

    def _update_actions(self) -> None:
        signed_in = self.ctx.user is not None and self.state == "home"
        for action in (self.lock_action, self.password_action, self.signout_action):
            action.setEnabled(signed_in)

    def _set_state(self, state: str, widget: QWidget) -> None:
        self.state = state
        self.stack.setCurrentWidget(widget)
        self.status.can_lock = state == "home"
        self.status.refresh()
        self._update_actions()
        self.state_changed.emit(state)

    # ---- start-up ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Decide the first screen: demo preparation, set-up wizard, sign-in or a problem."""

        data = DataDir(self.ctx.data_dir)
        if not installation.exists(data):
            if self.ctx.demo:
                self._set_state("preparing", self.preparing)
                root = self.ctx.data_dir
                run_task(self, lambda: workplace().create_demo(root)[0], self._vault_ready, self._show_problem)
                return
            self.setup = SetupPage(self.ctx)
            self.setup.finished.connect(self._vault_ready)
            self.stack.addWidget(self.setup)
            self._set_state("setup", self.setup)
            self.setup.branch_code.setFocus()
            return
        try:
            self._vault_ready(Vault.open(self.ctx.data_dir))
        except CounterDeskError as exc:
            self._show_problem(exc)

    def _vault_ready(self, vault) -> None:
        self.ctx.vault = vault
        self.set_language(vault.pre_auth_settings()[UI_LANGUAGE])
        self.retranslate()
        self.show_signin()

    def _show_problem(self, exc: BaseException) -> None:
        log.error("cannot open the installation: %s", getattr(exc, "code", type(exc).__name__))
        self.problem.setText(error_text(exc, self.ctx.lang))
        self._set_state("problem", self.problem)

    def show_signin(self, username: str = "", message: str | Callable[[], str] = "") -> None:
        self.signin.reset(username)
        if message:
            self.signin.message.show_error(message)
        self._set_state("signin", self.signin)

    # ---- signed in -----------------------------------------------------------------------------------
    def _signed_in(self, user_session) -> None:
        self.ctx.user = user_session
        if user_session.must_change_password:
            self.change_password(forced=True)
            return
        self._enter_home()

    def _enter_home(self) -> None:

        if self.home is not None:
            self.stack.removeWidget(self.home)
            self.home.deleteLater()
        parts = workplace()
        if self.sync is None:
            self.sync = parts.SyncController(self)
            self.sync.changed.connect(self.status.show_sync)
        self.home = parts.HomePage(self.ctx)
        self.home.settings_saved.connect(self._settings_saved)
        self.home.sync_enrolled.connect(self._start_sync)
        self.stack.addWidget(self.home)
        self._set_state("home", self.home)
        self.home.nav.setFocus()
        self._restart_idle_timer()
        self.sync.start(self.ctx.vault, self.ctx.user)

    def _start_sync(self) -> None:
        if self.ctx.user is not None:
            self.sync.start(self.ctx.vault, self.ctx.user)

    def _restart_idle_timer(self) -> None:
        seconds = self.ctx.vault.settings()[IDLE_LOCK_SECONDS]
        self.idle_timer.start(seconds * 1000)

    def _settings_saved(self, changed: dict) -> None:
        if UI_LANGUAGE.key in changed:
            self.set_language(changed[UI_LANGUAGE.key])
        if IDLE_LOCK_SECONDS.key in changed and self.state == "home":
            self._restart_idle_timer()

    def change_password(self, forced: bool) -> None:

        dialog_class = workplace().ChangePasswordDialog
        dialog = dialog_class(self.ctx, forced, self)
        self.password_dialog = dialog

        def done(result: int) -> None:
            if forced and result != dialog_class.DialogCode.Accepted:
                self.sign_out("password_change_declined")
            elif forced:
                self._enter_home()
            dialog.deleteLater()
        dialog.finished.connect(done)
        dialog.open()

    # ---- lock, resume, sign out ---------------------------------------------------------------------
    # Slots are bound methods, not lambdas: a lambda capturing self forms a reference cycle that
    # lets Python free the window after the QApplication at exit, which crashes the process.
    def lock_manually(self) -> None:
        self.lock("manual")

    def lock_when_idle(self) -> None:
        if self.home is not None and self.home.customer_window_in_use():
            # The customer is reading or signing on the customer window (an older customer's minimum
            # reading time alone can be as long as the idle limit): the counter is not unattended.
            self._restart_idle_timer()
            return
        self.lock("idle")

    def switch_user(self) -> None:
        self.sign_out("switch_user")

    def sign_out_user(self) -> None:
        self.sign_out("user")

    def change_own_password(self) -> None:
        self.change_password(forced=False)

    def lock(self, reason: str) -> None:
        if self.state != "home" or self.ctx.user is None:
            return
        self.idle_timer.stop()
        vault, user = self.ctx.vault, self.ctx.user
        run_task(self, lambda: vault.record(user, "auth.session_locked", "user", user.user_id, {"reason": reason}))
        # A manual lock is the teller's own keystroke; after an automatic one, keys of a burst that was
        # already under way are someone's typing meant for the form, never a password.
        self.lock_page.prepare(typing_since=None if reason == "manual" else self.idle_watcher.last_key_at)
        self._set_state("locked", self.lock_page)

    def _resumed(self) -> None:
        vault, user = self.ctx.vault, self.ctx.user
        run_task(self, lambda: vault.record(user, "auth.session_resumed", "user", user.user_id))
        self._set_state("home", self.home)
        self._restart_idle_timer()

    def _forced_out(self, exc: BaseException) -> None:
        ctx = self.ctx  # not self: a closure holding the window would keep it alive past the QApplication
        self.sign_out("account_locked", lambda: error_text(exc, ctx.lang))

    def sign_out(self, reason: str, message: str | Callable[[], str] = "") -> None:
        user, vault = self.ctx.user, self.ctx.vault
        if user is None:
            return
        self.idle_timer.stop()
        self.ctx.user = None
        open_session = None
        if self.home is not None:
            open_session = self.home.open_counter_session()
            self.stack.removeWidget(self.home)
            self.home.deleteLater()
            self.home = None
        self.show_signin("" if reason == "switch_user" else user.username, message)
        self.signin.set_busy(True)

        sync = self.sync

        def end() -> None:
            if open_session is not None:
                open_session.cancel()  # an unfinished counter session ends with its teller
            if sync is not None:
                sync.stop()  # before the database closes with the last sign-out
            vault.sign_out(user, reason)
        run_task(self, end, self._signed_out, self._sign_out_failed)

    def _signed_out(self, _result) -> None:
        self.signin.set_busy(False)
        self.status.show_sync(None)

    def _sign_out_failed(self, exc: BaseException) -> None:
        self.signin.set_busy(False)
        ctx = self.ctx
        self.signin.message.show_error(lambda: error_text(exc, ctx.lang))

    # ---- window events --------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(0, self._after_first_frame)

    def _after_first_frame(self) -> None:
        self.first_shown.emit()
        # Only now, so the import does not compete with the first frame for the interpreter.
        preload_in_background(_preload_and_freeze)

    def closeEvent(self, event) -> None:
        user, vault = self.ctx.user, self.ctx.vault
        if user is not None and vault is not None:
            try:  # a short, final write on the way out: the sign-out belongs in the audit log
                open_session = self.home.open_counter_session() if self.home is not None else None
                if open_session is not None:
                    open_session.cancel()
                if self.sync is not None:
                    self.sync.stop()
                vault.sign_out(user, "quit")
            except Exception as exc:
                log.error("sign-out on quit failed: %s", type(exc).__name__)
            self.ctx.user = None
        elif vault is not None:
            vault.close()
        QApplication.instance().removeEventFilter(self.idle_watcher)
        super().closeEvent(event)
