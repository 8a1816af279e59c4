"""Admin user management: list users, add, reset password, change role, disable/enable, unlock, reset
a lost second factor.

Permissions and validation live in counterdesk.services.accounts (the second factor's reset in
counterdesk.services.auth.mfa); this page only collects input and shows what the core answered.
Every core call runs off the UI thread through run_task.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.roles import ROLE_NAMES, Role
from counterdesk.services import accounts
from counterdesk.services.auth import mfa
from counterdesk.ui import theme
from counterdesk.ui.admin.licences_dialog import LicencesDialog
from counterdesk.ui.widgets.common import DialogHostPage, MessageLabel, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.core_dialog import CoreDialog
from counterdesk.ui.widgets.tasks import run_task


def _role_combo(lang: str, name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for role in Role:
        combo.addItem(ROLE_NAMES[role].get(lang), role.value)
    return combo


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field




class AddUserDialog(CoreDialog):
    """Create an account with a temporary password; submit() is the one entry point."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "add_user_dialog", parent)
        self.username, self.display_name = QLineEdit(), QLineEdit()
        self.username.setObjectName("new_username")
        self.display_name.setObjectName("new_display_name")
        self.role = _role_combo(ctx.lang, "new_role")
        self.password, self.confirm = _password_field("new_password"), _password_field("new_confirm")
        self.problem_fields = {"username": self.username, "display_name": self.display_name, "role": self.role,
                               "password": self.password}
        self.labels = self.add_fields([self.username, self.display_name, self.role, self.password, self.confirm])
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        theme.set_role(self.hint, "hint")
        self.body.addWidget(self.hint)
        self.finish_layout()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Add user"))
        for label, text in zip(self.labels, (self.tr("&Username"), self.tr("&Display name"), self.tr("&Role"),
                                             self.tr("&Temporary password"), self.tr("C&onfirm password"))):
            label.setText(text)
        self.hint.setText(self.tr("The new user must replace the temporary password at first sign-in."))
        self.set_button_texts(self.tr("Create user"), self.tr("Cancel"))

    def submit(self) -> None:
        if self.passwords_differ(self.password, self.confirm, self.tr("The two passwords do not match.")):
            return
        vault, actor = self.ctx.vault, self.ctx.user
        username, display = self.username.text().strip(), self.display_name.text().strip()
        role, password = self.role.currentData(), self.password.text()
        self.run(lambda: accounts.create_user(vault, actor, username, display, role, password), username,
                 self.tr("User {name} created. They must choose their own password at first sign-in.")
                 .format(name=username))


class TemporaryPasswordDialog(CoreDialog):
    """Set a temporary password: admin reset, or re-enabling a disabled user (mode 'reset'/'enable')."""

    def __init__(self, ctx: AppContext, user: accounts.UserInfo, mode: str, parent: QWidget | None = None):
        super().__init__(ctx, "password_dialog", parent)
        self.user, self.mode = user, mode
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.password, self.confirm = _password_field("temp_password"), _password_field("temp_confirm")
        self.problem_fields = {"password": self.password}
        self.body.addWidget(self.intro)
        self.password_label, self.confirm_label = self.add_fields([self.password, self.confirm])
        self.finish_layout()
        self.retranslate()

    def retranslate(self) -> None:
        name = self.user.username
        if self.mode == "enable":
            self.setWindowTitle(self.tr("Enable user"))
            self.intro.setText(self.tr("Enable {name} again with a temporary password. They must change it "
                                       "at their next sign-in.").format(name=name))
            ok = self.tr("Enable user")
        else:
            self.setWindowTitle(self.tr("Reset password"))
            self.intro.setText(self.tr("Set a temporary password for {name}. They must change it at their "
                                       "next sign-in.").format(name=name))
            ok = self.tr("Set password")
        self.password_label.setText(self.tr("&Temporary password"))
        self.confirm_label.setText(self.tr("C&onfirm password"))
        self.set_button_texts(ok, self.tr("Cancel"))

    def submit(self) -> None:
        if self.passwords_differ(self.password, self.confirm, self.tr("The two passwords do not match.")):
            return
        vault, actor, uid, pw = self.ctx.vault, self.ctx.user, self.user.user_id, self.password.text()
        if self.mode == "enable":
            call, text = accounts.enable_user, self.tr("{name} is enabled again with a temporary password.")
        else:
            call = accounts.reset_password
            text = self.tr("Temporary password set for {name}; they must change it at next sign-in.")
        self.run(lambda: call(vault, actor, uid, pw), self.user.username, text.format(name=self.user.username))


class ChangeRoleDialog(CoreDialog):
    def __init__(self, ctx: AppContext, user: accounts.UserInfo, parent: QWidget | None = None):
        super().__init__(ctx, "role_dialog", parent)
        self.user = user
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.role = _role_combo(ctx.lang, "role_choice")
        self.role.setCurrentIndex(max(0, self.role.findData(user.role.value)))
        self.body.addWidget(self.intro)
        self.labels = self.add_fields([self.role])
        self.finish_layout()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Change role"))
        self.intro.setText(self.tr("Choose the new role for {name}.").format(name=self.user.username))
        self.labels[0].setText(self.tr("&Role"))
        self.set_button_texts(self.tr("Change role"), self.tr("Cancel"))

    def submit(self) -> None:
        vault, actor, uid, role = self.ctx.vault, self.ctx.user, self.user.user_id, self.role.currentData()
        text = self.tr("{name} now has the role {role}.").format(name=self.user.username,
                                                                  role=ROLE_NAMES[Role(role)].get(self.ctx.lang))
        self.run(lambda: accounts.set_role(vault, actor, uid, role), self.user.username, text)


class ResetFactorDialog(CoreDialog):
    """Remove a user's second factor (a lost phone); they enrol a new one at the next sign-in."""

    def __init__(self, ctx: AppContext, user: accounts.UserInfo, parent: QWidget | None = None):
        super().__init__(ctx, "mfa_reset_dialog", parent)
        self.user = user
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.body.addWidget(self.intro)
        self.finish_layout()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Reset second factor"))
        self.intro.setText(self.tr("Remove the authenticator app and the recovery codes of {name}? Do this when "
                                   "the phone is lost. {name} sets up a new one at the next sign-in; until then "
                                   "the password alone does not sign them in.").format(name=self.user.username))
        self.set_button_texts(self.tr("Reset second factor"), self.tr("Cancel"))

    def submit(self) -> None:
        vault, actor, uid = self.ctx.vault, self.ctx.user, self.user.user_id
        self.run(lambda: mfa.reset(vault, actor, uid), self.user.username,
                 self.tr("The second factor of {name} is reset.").format(name=self.user.username))


class UsersPage(DialogHostPage):
    changed = Signal()  # after every successful change
    loaded = Signal()   # the table has been (re)filled

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.users: list[accounts.UserInfo] = []
        self.factors: dict[str, mfa.FactorStatus] = {}  # by user id
        self.dialog: QDialog | None = None  # the open dialog, for tests and focus handling
        self._busy = False
        self._generation = 0  # only the newest refresh may fill the table
        self._select_after: str | None = None
        self._pending: tuple[str, str] = ("", "")

        self.title = QLabel()
        theme.set_role(self.title, "page-title")
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("users_table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_actions)

        def button(name: str) -> QPushButton:
            b = QPushButton()
            b.setObjectName(name)
            return b
        self.add_button, self.reset_button = button("add_user"), button("reset_password")
        self.role_button, self.disable_button = button("change_role"), button("disable_user")
        self.enable_button, self.unlock_button = button("enable_user"), button("unlock_user")
        self.refresh_button = button("refresh")
        self.mfa_reset_button = button("mfa_reset")
        self.mfa_reset_button.clicked.connect(self.open_mfa_reset)
        self.licences_button = button("user_licences")
        self.licences_button.clicked.connect(self.open_licences)
        self.add_button.clicked.connect(self.open_add_user)
        # Bound methods, not lambdas: a lambda capturing self keeps the page in a reference cycle.
        self.reset_button.clicked.connect(self.open_reset_password)
        self.enable_button.clicked.connect(self.open_enable)
        self.role_button.clicked.connect(self.open_change_role)
        self.disable_button.clicked.connect(self.disable_selected)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.refresh_button.clicked.connect(self._manual_refresh)
        self.action_buttons = [self.add_button, self.reset_button, self.role_button, self.disable_button,
                               self.enable_button, self.unlock_button, self.mfa_reset_button]
        buttons = QHBoxLayout()
        for b in self.action_buttons:
            buttons.addWidget(b)
        buttons.addWidget(self.licences_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)

        self.message = MessageLabel()
        self.message.setObjectName("users_message")
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(buttons)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.message)
        self.retranslate()
        self._update_actions()

    # ---- texts -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Users"))
        self.table.setHorizontalHeaderLabels([self.tr("Username"), self.tr("Display name"), self.tr("Role"),
                                              self.tr("Status"), self.tr("Must change password"),
                                              self.tr("Locked out"), self.tr("Second factor")])
        self.add_button.setText(self.tr("Add user…"))
        self.add_button.setToolTip(self.tr("Add a user (Ins)"))
        self.reset_button.setText(self.tr("Reset password…"))
        self.role_button.setText(self.tr("Change role…"))
        self.disable_button.setText(self.tr("Disable"))
        self.enable_button.setText(self.tr("Enable…"))
        self.unlock_button.setText(self.tr("Unlock"))
        self.unlock_button.setToolTip(self.tr("Lift a lockout after too many failed sign-ins"))
        self.mfa_reset_button.setText(self.tr("Reset second factor…"))
        self.mfa_reset_button.setToolTip(self.tr("Remove a lost authenticator app; the user sets up a new one"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.licences_button.setText(self.tr("Licences…"))
        self.licences_button.setToolTip(self.tr("Staff licences of the selected user"))
        self.refresh_button.setToolTip(self.tr("Reload the list (F5)"))
        # setText() replaces a button's shortcut with the text's mnemonic: set shortcuts after texts.
        self.add_button.setShortcut(QKeySequence(Qt.Key.Key_Insert))
        self.refresh_button.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self._fill(self.users)  # role names and yes/no cells follow the language too

    # ---- table -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._generation += 1
        gen, vault, actor = self._generation, self.ctx.vault, self.ctx.user
        run_task(self, lambda: (accounts.list_users(vault, actor), mfa.statuses(vault, actor)),
                 lambda result: self._loaded(gen, *result), self._show_error)

    def _manual_refresh(self) -> None:
        self.message.clear_message()
        self.refresh()

    def _loaded(self, gen: int, users: list, factors: dict) -> None:
        if gen != self._generation:
            return
        self.users, self.factors = list(users), dict(factors)
        self._fill(self.users)
        if self._select_after:
            self.select_username(self._select_after)
            self._select_after = None
        self.loaded.emit()

    def _fill(self, users: list[accounts.UserInfo]) -> None:
        keep = self.selected_user()
        lang = self.ctx.lang
        yes, no = self.tr("Yes"), self.tr("No")
        self.table.setRowCount(0)  # refill from empty: replacing items in place re-measures every row
        self.table.setRowCount(len(users))
        for row, u in enumerate(users):
            cells = [u.username, u.display_name, ROLE_NAMES[u.role].get(lang),
                     self.tr("Active") if u.active else self.tr("Disabled"),
                     yes if u.must_change_password else no, self.tr("Locked") if u.locked else "",
                     self._factor_text(self.factors.get(u.user_id))]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, u.user_id)
                if not u.active:
                    item.setForeground(QColor("#78909c"))
                if col == 5 and u.locked:
                    item.setForeground(QColor("#b00020"))
                self.table.setItem(row, col, item)
        if keep is not None:
            self.select_username(keep.username)
        self._update_actions()

    def _factor_text(self, factor: mfa.FactorStatus | None) -> str:
        if factor is None or not (factor.enrolled or factor.required):
            return ""
        if not factor.enrolled:
            return self.tr("Set up at next sign-in")
        return self.tr("Set up ({n} recovery codes left)").format(n=factor.recovery_left)

    def selected_user(self) -> accounts.UserInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        uid = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next((u for u in self.users if u.user_id == uid), None)

    def select_username(self, username: str) -> bool:
        for row, u in enumerate(self.users):
            if u.username == username:
                self.table.selectRow(row)
                return True
        return False

    def _update_actions(self) -> None:
        # Enabled states only mirror the selected row; the core still checks every operation.
        sel = self.selected_user()
        idle = not self._busy
        self.add_button.setEnabled(idle)
        self.reset_button.setEnabled(idle and sel is not None and sel.active)
        self.role_button.setEnabled(idle and sel is not None)
        self.disable_button.setEnabled(idle and sel is not None and sel.active)
        self.enable_button.setEnabled(idle and sel is not None and not sel.active)
        self.unlock_button.setEnabled(idle and sel is not None and sel.locked)
        factor = self.factors.get(sel.user_id) if sel is not None else None
        self.mfa_reset_button.setEnabled(idle and sel is not None and factor is not None and factor.enrolled
                                         and sel.user_id != self.ctx.user.user_id)

    # ---- actions ---------------------------------------------------------------------------------
    def _open(self, dialog: CoreDialog) -> CoreDialog:
        # Bound methods only: a lambda capturing self would tie the page into a reference cycle.
        dialog.succeeded.connect(self._succeeded)
        return self.open_dialog(dialog)

    def focus_after_dialog(self) -> QWidget:
        return self.table

    def open_add_user(self) -> AddUserDialog:
        return self._open(AddUserDialog(self.ctx, self))

    def open_reset_password(self) -> TemporaryPasswordDialog | None:
        return self.open_password_dialog("reset")

    def open_enable(self) -> TemporaryPasswordDialog | None:
        return self.open_password_dialog("enable")

    def open_password_dialog(self, mode: str) -> TemporaryPasswordDialog | None:
        user = self.selected_user()
        return self._open(TemporaryPasswordDialog(self.ctx, user, mode, self)) if user else None

    def open_change_role(self) -> ChangeRoleDialog | None:
        user = self.selected_user()
        return self._open(ChangeRoleDialog(self.ctx, user, self)) if user else None

    def open_mfa_reset(self) -> ResetFactorDialog | None:
        user = self.selected_user()
        return self._open(ResetFactorDialog(self.ctx, user, self)) if user else None

    def open_licences(self) -> QDialog:
        user = self.selected_user()
        self.dialog = LicencesDialog(self.ctx, user.user_id if user else None, self)
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.finished.connect(self._dialog_finished)
        self.dialog.open()
        return self.dialog

    def disable_selected(self) -> None:
        user = self.selected_user()
        if user is None or self._busy:
            return
        vault, actor = self.ctx.vault, self.ctx.user
        text = self.tr("{name} is disabled; their password no longer opens CounterDesk.")
        self._run(lambda: accounts.disable_user(vault, actor, user.user_id), user.username,
                  text.format(name=user.username))

    def unlock_selected(self) -> None:
        user = self.selected_user()
        if user is None or self._busy:
            return
        vault, actor = self.ctx.vault, self.ctx.user
        self._run(lambda: accounts.unlock_account(vault, actor, user.username), user.username,
                  self.tr("{name} is unlocked and may sign in again.").format(name=user.username))

    def _run(self, fn: Callable[[], Any], username: str, success_text: str) -> None:
        self._set_busy(True)
        self.message.clear_message()
        self._pending = (success_text, username)
        run_task(self, fn, self._action_ok, self._action_failed)

    def _action_ok(self, _result) -> None:
        self._set_busy(False)
        self._succeeded(*self._pending)

    def _action_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_error(exc)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_actions()

    def _succeeded(self, text: str, select: str = "") -> None:
        self.message.show_info(text)
        self._select_after = select  # picked once the table has been refilled
        self.refresh()
        self.changed.emit()

    def _show_error(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))
