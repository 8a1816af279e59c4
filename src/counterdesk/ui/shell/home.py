"""The home screen of the signed-in role: a task list on the left, the task on the right.

Only the role's own tasks (counterdesk.base.roles.TASKS) are built at all; Ctrl+1..9 jump to a task.
Pages are built one at a time: the first task at once, the others when first shown or, one per idle
moment, after the home is on screen — building every page at sign-in held the UI thread for 0.3-0.6 s.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QStackedWidget, QVBoxLayout, QWidget

from counterdesk.base.follow_up_codes import TITLE as FOLLOW_UP_TITLE
from counterdesk.base.roles import ROLE_NAMES, TASKS, can
from counterdesk.ui import theme
from counterdesk.ui.admin.audit_page import AuditPage
from counterdesk.ui.admin.catalog_page import CatalogPage
from counterdesk.ui.admin.settings_page import SettingsPage
from counterdesk.ui.admin.sync_page import SyncPage
from counterdesk.ui.admin.users_page import UsersPage
from counterdesk.ui.counter.aftersale_page import AfterSalePage
from counterdesk.ui.counter.find_page import FindCustomerPage
from counterdesk.ui.counter.session_page import CounterSessionPage
from counterdesk.ui.service.complaints_page import ComplaintsPage
from counterdesk.ui.service.dashboard import DashboardPage
from counterdesk.ui.service.dashboard_text import t as dashboard_text
from counterdesk.ui.service.dashboard_today import TodayStrip
from counterdesk.ui.service.follow_ups_page import FollowUpsPage
from counterdesk.ui.service.messages import t as service_text
from counterdesk.ui.supervisor.aml_referrals import AmlReferralsPage
from counterdesk.ui.supervisor.aml_referrals import t as referral_text
from counterdesk.ui.supervisor.screening_reviews import ApprovalsPage
from counterdesk.ui.supervisor.signoff_approvals import SignoffApprovalsPage
from counterdesk.ui.widgets.common import Page, PlaceholderCard
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.shortcut_list import ShortcutDelegate

# The page of each task (counterdesk.base.roles.TASKS); settings and sync are wired up in _build.
PAGES: dict[str, Callable[[AppContext], QWidget]] = {
    "users.manage": UsersPage, "catalog.manage": CatalogPage, "audit.view": AuditPage,
    "customer.find": FindCustomerPage, "aftersale.manage": AfterSalePage, "session.start": CounterSessionPage,
    "approval.queue": ApprovalsPage, "approval.signoff": SignoffApprovalsPage,
    "complaint.handle": ComplaintsPage, "complaint.queue": ComplaintsPage, "report.dashboard": DashboardPage,
    "aml.referrals": AmlReferralsPage, "followup.list": FollowUpsPage,
}


# Pause between two pages built in the background, so typing and painting run in between.
BACKGROUND_BUILD_MS = 40


class _Pages(Mapping[str, QWidget]):
    """The home's task pages by task id; a page not built yet is built when asked for."""

    def __init__(self, home: HomePage):
        self._home = home

    def __getitem__(self, task: str) -> QWidget:
        if task not in self._home.task_ids:
            raise KeyError(task)
        return self._home.page(task)

    def __iter__(self) -> Iterator[str]:
        return iter(self._home.task_ids)

    def __len__(self) -> int:
        return len(self._home.task_ids)


class HomePage(Page):
    settings_saved = Signal(dict)
    sync_enrolled = Signal()  # the workstation was just enrolled: the window starts the background sync

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = ctx.user  # the home belongs to this user even while signing out
        self.role = self.user.role
        self.task_ids = TASKS[self.role]
        outer = QVBoxLayout(self)
        self.greeting = QLabel()
        theme.set_role(self.greeting, "page-title")
        outer.addWidget(self.greeting)
        # A teller's day at a glance (counterdesk.services.reports.today), read in a worker.
        self.today: TodayStrip | None = None
        if can(self.role, "report.own"):
            self.today = TodayStrip(ctx)
            self.today.task_requested.connect(self.show_task)
            outer.addWidget(self.today)
        body = QHBoxLayout()
        self.nav = QListWidget()
        self.nav.setObjectName("task_list")
        self.nav.setItemDelegate(ShortcutDelegate(self.nav))
        # As wide as its longest task in the current language (see _fit_nav): never a horizontal scroll bar.
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.stack = QStackedWidget()
        self.built: dict[str, QWidget] = {}
        self.pages = _Pages(self)
        for i in range(len(self.task_ids)):
            self.stack.addWidget(QWidget())  # stands in for the page until it is built
            self.nav.addItem("")
            if i < 9:
                shortcut = QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self)
                shortcut.setProperty("task_row", i)
                shortcut.activated.connect(self._jump)
        self.nav.currentRowChanged.connect(self._show)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.nav.setCurrentRow(0)
        self.retranslate()
        QTimer.singleShot(BACKGROUND_BUILD_MS, self._build_next)

    def page(self, task: str) -> QWidget:
        """The task's page, built now if it is not yet."""
        page = self.built.get(task)
        if page is None:
            page = self._build(task)
            self.built[task] = page
            row = self.task_ids.index(task)
            stand_in = self.stack.widget(row)
            current = self.stack.currentIndex()
            self.stack.insertWidget(row, page)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            self.stack.setCurrentIndex(current)
            if isinstance(page, PlaceholderCard):
                page.set_texts(self.task_title(task),
                               self.placeholder_text(task) + "\n\n" + self.tr("(Coming in a later release.)"))
        return page

    def _build_next(self) -> None:
        waiting = [task for task in self.task_ids if task not in self.built]
        if waiting:
            self.page(waiting[0])
            if len(waiting) > 1:
                QTimer.singleShot(BACKGROUND_BUILD_MS, self._build_next)

    def _build(self, task: str) -> QWidget:
        if task == "settings.manage":
            settings = SettingsPage(self.ctx)
            settings.saved.connect(self.settings_saved)
            return settings
        if task == "sync.manage":
            sync = SyncPage(self.ctx)
            sync.enrolled.connect(self._sync_enrolled)
            return sync
        page_class = PAGES.get(task)
        return page_class(self.ctx) if page_class is not None else PlaceholderCard("", "")

    def _sync_enrolled(self, _enrolment) -> None:
        self.sync_enrolled.emit()

    def open_counter_session(self):
        """The teller's unfinished counter session (core object), if any."""
        page = self.built.get("session.start")
        counter_session = getattr(page, "counter_session", None)
        if counter_session is None or counter_session.flow.stopped is not None or counter_session.flow.finished:
            return None
        return counter_session

    def customer_window_in_use(self) -> bool:
        """A customer window of the running counter session is open (questionnaire or sign-off)."""
        page = self.built.get("session.start")
        return bool(page is not None and page.customer_window_in_use())

    def _jump(self) -> None:
        self.nav.setCurrentRow(int(self.sender().property("task_row")))

    def _show(self, row: int) -> None:
        if row < 0:
            return
        self.page(self.task_ids[row])
        self.stack.setCurrentIndex(row)
        if self.today is not None:
            self.today.refresh()  # the work just done on another task may have changed what waits
        page = self.stack.currentWidget()
        for method in ("refresh", "load"):
            if hasattr(page, method):
                getattr(page, method)()
                break

    def show_task(self, task: str) -> None:
        self.nav.setCurrentRow(self.task_ids.index(task))

    def task_title(self, task: str) -> str:
        titles = {
            "session.start": self.tr("Start a counter session"),
            "customer.find": self.tr("Find a customer"),
            "approval.queue": self.tr("Screening reviews"),
            "approval.signoff": self.tr("Sign-off approvals"),
            "aftersale.manage": self.tr("Cooling-off and follow-ups"),
            "users.manage": self.tr("Users"),
            "catalog.manage": self.tr("Product catalog"),
            "settings.manage": self.tr("Settings"),
            "audit.view": self.tr("Audit log"),
            "sync.manage": self.tr("Sync with the hub"),
            "complaint.handle": service_text("title", self.ctx.lang),
            "complaint.queue": service_text("title", self.ctx.lang),
            "report.dashboard": dashboard_text("title" if can(self.role, "report.branch") else "title_own",
                                               self.ctx.lang),
            "aml.referrals": referral_text("title", self.ctx.lang),
            "followup.list": FOLLOW_UP_TITLE.get(self.ctx.lang),
        }
        return titles[task]

    def placeholder_text(self, task: str) -> str:
        """What a task that a later release fills in will do (none left today)."""
        return ""

    def retranslate(self) -> None:
        user = self.user
        self.greeting.setText(self.tr("Welcome, {name} ({role})").format(
            name=user.display_name, role=ROLE_NAMES[self.role].get(self.ctx.lang)))
        for i, task in enumerate(self.task_ids):
            item = self.nav.item(i)
            item.setText(f"{self.task_title(task)}\tCtrl+{i + 1}" if i < 9 else self.task_title(task))
            page = self.built.get(task)
            if isinstance(page, PlaceholderCard):
                page.set_texts(self.task_title(task),
                               self.placeholder_text(task) + "\n\n" + self.tr("(Coming in a later release.)"))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._fit_nav()

    def _fit_nav(self) -> None:
        # The widest item, the frame and room for a vertical scroll bar; capped so the task keeps the space.
        widest = self.nav.sizeHintForColumn(0)
        room = 2 * self.nav.frameWidth() + self.nav.style().pixelMetric(self.nav.style().PixelMetric.PM_ScrollBarExtent)
        self.nav.setFixedWidth(max(160, min(widest + room + 4, 300)))
