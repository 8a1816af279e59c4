"""The administrator's page for syncing this workstation with the branch's hub.

Not enrolled: a form (hub address, the one-time code, the hub's CA certificate when it is not in the
system's trust store, this workstation's name and the branch code) enrols the workstation and shows
the head-office key fingerprint to compare with the one the hub administrator gives. Enrolled: where
the workstation syncs to and how far it is, "Sync now", and a one-time code for the next workstation
of the branch. Two tabs list the records the hub refused (quarantined: type, error and time, never
their content; they can be sent again) and the conflicts found while applying other workstations'
records (two workstations changed one customer profile from the same version: keep this one's or
the other's). Everything runs in counterdesk.services.sync; this page only shows it, off the UI thread.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from counterdesk.base.branchtime import format_time, zone_heading
from counterdesk.base.roles import can
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.ui.admin.audit_page import short_id
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task
from counterdesk.ui.widgets.common import LoadingPage, MessageLabel, error_text
from counterdesk.services.sync import state
from counterdesk.services.sync.client import quarantined, status
from counterdesk.services.sync.admin import conflicts_without_content
from counterdesk.services.sync.admin import check_ca as checked
from counterdesk.services.sync.enrol import enrol
from counterdesk.services.sync.client import SyncClient, tls_verify
from counterdesk.services.sync.enrol import make_enrol_code
from counterdesk.services.sync.admin import requeue
from counterdesk.services.sync.conflicts import resolve
from counterdesk.services.sync.conflicts import list_conflicts

CODE_HOURS_DEFAULT, CODE_HOURS_MAX = 24, 168


# ---- worker side (Qt-free) ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SyncView:
    """What the page shows, read in one go on a worker thread."""
    enrolled: bool
    hub_url: str = ""
    branch_code: str = ""
    name: str = ""
    device_id: str = ""
    fingerprint: str | None = None      # SHA-256 of the pinned head-office key, None: none pinned
    ca_pinned: bool = False             # a CA certificate was given at enrolment
    last_sync_at: str | None = None
    pending: int = 0
    quarantined: list = field(default_factory=list)   # counterdesk.services.sync.client.quarantined() rows
    conflicts: list = field(default_factory=list)     # counterdesk.services.sync.conflicts.ConflictInfo
    conflict_content: bool = False      # changed fields shown (the user may view customers)


def load_sync(vault, user) -> SyncView:

    def read(session):
        values = state.all_state(session)
        key = state.get_key(session, state.HEAD_OFFICE_KEY)
        return state.enrolled(session), values, (key.key_id if key is not None else None)
    enrolled, values, fingerprint = vault.transact(read)
    current = status(vault)
    rows = quarantined(vault)
    content = can(user.role, "customer.view")
    if content:
        found = list_conflicts(vault, user)
    else:
        found = open_conflicts_without_content(vault)
    return SyncView(enrolled, str(values.get(state.HUB_URL) or ""), str(values.get(state.BRANCH_CODE) or ""),
                    str(values.get(state.NAME) or ""), str(values.get(state.DEVICE_ID) or ""), fingerprint,
                    bool(values.get(state.HUB_CA_PEM)), current.last_sync_at, current.pending_count, rows, found,
                    content)


def open_conflicts_without_content(vault) -> list:
    """Open conflicts for a user who may not view customers (see counterdesk.services.sync.admin)."""
    return conflicts_without_content(vault)


BAD_URL = Text("同步服务器地址须以 https:// 开头（测试环境可用 http://）。",
               "The hub address must start with https:// (http:// on a test bench only).")
def check_ca(path: str) -> str:
    return checked(path)


def enrol_workstation(vault, user, hub: str, code: str, ca: str, name: str, branch: str):

    hub = hub.strip().rstrip("/")
    if not hub.lower().startswith(("https://", "http://")):
        raise CounterDeskError(BAD_URL, code="bad_hub_url")
    verify = check_ca(ca.strip()) if ca.strip() else True
    return enrol(vault, user, hub, code, name=name.strip() or None, branch_code=branch.strip() or None,
                 verify=verify)


def sync_now(vault, user):
    """One full sync: push, pull, then head-office master data (applied with an administrator)."""

    client = SyncClient(vault, user, verify=tls_verify(vault))
    try:
        pushed, pulled = client.sync_once()
        master = client.pull_master()
    finally:
        client.close()
    return pushed, pulled, master


def next_code(vault, user, hours: int):

    return make_enrol_code(vault, user, verify=tls_verify(vault), expires_in_s=int(hours) * 3600)


def send_again(vault, user, record_ids: list[str] | None) -> int:
    """Quarantined records back to pending (all of them with None), audited (counterdesk.services.sync.admin)."""
    return requeue(vault, user, record_ids, {r["id"]: r["error"] for r in quarantined(vault)})


def resolve_conflict(vault, user, conflict_id: str, keep: str):

    return resolve(vault, user, conflict_id, keep)


# ---- the page -------------------------------------------------------------------------------------------------

def _table(name: str, columns: int, stretch: int, multi: bool = False) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi else
                           QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    for col in range(columns):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _selected_rows(table: QTableWidget) -> list[int]:
    model = table.selectionModel()
    return sorted(i.row() for i in model.selectedRows()) if model is not None else []


def _value_label(name: str, mono: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if mono:
        label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return label


def grouped(code: str) -> str:
    """"0123456789abcdef…" → "0123 4567 89ab cdef …": easier to read out; spaces do not matter."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


class SyncPage(LoadingPage):
    enrolled = Signal(object)   # counterdesk.services.sync.enrol.Enrolment: the window may start the background sync
    changed = Signal(str)       # "synced", "code", "requeued", "resolved"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.view: SyncView | None = None
        self.busy = False
        self._success_text = ""
        self._conflict_id: str | None = None
        self._record_ids: set[str] = set()  # the quarantined records selected, kept across reloads
        self.last_code = None  # the EnrolCode made here (shown once; kept until the page is left)
        lay = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.intro = QLabel()
        self.intro.setWordWrap(True)

        # (a) not enrolled: the enrolment form
        self.enrol_box = QGroupBox()
        self.enrol_box.setObjectName("sync_enrol_box")
        form = QFormLayout(self.enrol_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.hub_url = QLineEdit()
        self.hub_url.setObjectName("sync_hub_url")
        self.hub_url.setMaxLength(300)
        self.code = QLineEdit()
        self.code.setObjectName("sync_code")
        self.code.setMaxLength(48)  # 32 hex digits, perhaps grouped with spaces or dashes
        self.ca_path = QLineEdit()
        self.ca_path.setObjectName("sync_ca_path")
        self.ca_browse = QPushButton()
        self.ca_browse.setObjectName("sync_ca_browse")
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_path, 1)
        ca_row.addWidget(self.ca_browse)
        self.ws_name = QLineEdit()
        self.ws_name.setObjectName("sync_ws_name")
        self.ws_name.setMaxLength(100)
        self.branch = QLineEdit()
        self.branch.setObjectName("sync_branch")
        self.branch.setMaxLength(16)
        info = getattr(ctx.vault, "info", None)
        if info is not None:
            self.ws_name.setText(getattr(info, "workstation", "") or "")
            self.branch.setText(getattr(info, "branch_code", "") or "")
        self.hub_label, self.code_label, self.ca_label, self.name_label, self.branch_label = (
            QLabel() for _ in range(5))
        for label, buddy in ((self.hub_label, self.hub_url), (self.code_label, self.code),
                             (self.ca_label, self.ca_path), (self.name_label, self.ws_name),
                             (self.branch_label, self.branch)):
            label.setBuddy(buddy)
        form.addRow(self.hub_label, self.hub_url)
        form.addRow(self.code_label, self.code)
        form.addRow(self.ca_label, ca_row)
        form.addRow(self.name_label, self.ws_name)
        form.addRow(self.branch_label, self.branch)
        self.enrol_button = QPushButton()
        self.enrol_button.setObjectName("sync_enrol")
        enrol_row = QHBoxLayout()
        enrol_row.addWidget(self.enrol_button)
        enrol_row.addStretch(1)
        form.addRow(enrol_row)

        # (b) enrolled: where this workstation syncs to, and what waits
        self.status_box = QGroupBox()
        self.status_box.setObjectName("sync_status_box")
        box = QVBoxLayout(self.status_box)
        columns = QHBoxLayout()
        left, right = QFormLayout(), QFormLayout()
        self.v_hub, self.v_branch, self.v_name = (_value_label(n) for n in ("sync_v_hub", "sync_v_branch",
                                                                             "sync_v_name"))
        self.v_device = _value_label("sync_v_device", mono=True)
        self.v_last, self.v_pending, self.v_quarantined, self.v_conflicts = (
            _value_label(n) for n in ("sync_v_last", "sync_v_pending", "sync_v_quarantined", "sync_v_conflicts"))
        self.l_hub, self.l_branch, self.l_name, self.l_device, self.l_last, self.l_pending, self.l_quarantined, \
            self.l_conflicts = (QLabel() for _ in range(8))
        for form_, rows in ((left, ((self.l_hub, self.v_hub), (self.l_branch, self.v_branch),
                                    (self.l_name, self.v_name), (self.l_device, self.v_device))),
                            (right, ((self.l_last, self.v_last), (self.l_pending, self.v_pending),
                                     (self.l_quarantined, self.v_quarantined), (self.l_conflicts, self.v_conflicts)))):
            for label, value in rows:
                form_.addRow(label, value)
        columns.addLayout(left, 3)
        columns.addSpacing(24)
        columns.addLayout(right, 2)
        box.addLayout(columns)
        fp_row = QHBoxLayout()
        self.l_fingerprint = QLabel()
        self.v_fingerprint = _value_label("sync_v_fingerprint", mono=True)
        fp_row.addWidget(self.l_fingerprint)
        fp_row.addWidget(self.v_fingerprint, 1)
        box.addLayout(fp_row)
        self.fingerprint_note = QLabel()
        self.fingerprint_note.setObjectName("sync_fingerprint_note")
        self.fingerprint_note.setWordWrap(True)
        self.fingerprint_note.setStyleSheet("color: #8a4b00;")
        box.addWidget(self.fingerprint_note)
        actions = QHBoxLayout()
        self.sync_button = QPushButton()
        self.sync_button.setObjectName("sync_now")
        self.code_button = QPushButton()
        self.code_button.setObjectName("sync_make_code")
        self.hours = QSpinBox()
        self.hours.setObjectName("sync_code_hours")
        self.hours.setRange(1, CODE_HOURS_MAX)
        self.hours.setValue(CODE_HOURS_DEFAULT)
        self.hours_label = QLabel()
        self.hours_label.setBuddy(self.hours)
        actions.addWidget(self.sync_button)
        actions.addSpacing(16)
        actions.addWidget(self.code_button)
        actions.addWidget(self.hours_label)
        actions.addWidget(self.hours)
        actions.addStretch(1)
        box.addLayout(actions)
        code_row = QHBoxLayout()
        self.next_code = QLineEdit()
        self.next_code.setObjectName("sync_next_code")
        self.next_code.setReadOnly(True)
        code_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        code_font.setPointSizeF(max(code_font.pointSizeF(), 10) * 1.3)
        code_font.setBold(True)
        self.next_code.setFont(code_font)
        self.next_code.setMinimumWidth(self.next_code.fontMetrics().horizontalAdvance("0" * 40) + 16)
        self.code_note = QLabel()
        self.code_note.setObjectName("sync_code_note")
        self.code_note.setWordWrap(True)
        code_row.addWidget(self.next_code)
        code_row.addWidget(self.code_note, 1)
        box.addLayout(code_row)
        self.next_code.hide()
        self.code_note.hide()

        # (c) quarantined records and conflicts
        self.tabs = QTabWidget()
        self.tabs.setObjectName("sync_tabs")
        q_tab = QWidget()
        q_lay = QVBoxLayout(q_tab)
        self.q_intro = QLabel()
        self.q_intro.setWordWrap(True)
        self.q_table = _table("sync_quarantine", 4, 1, multi=True)
        self.q_table.itemSelectionChanged.connect(self._records_changed)
        q_buttons = QHBoxLayout()
        self.q_send_selected = QPushButton()
        self.q_send_selected.setObjectName("sync_send_selected")
        self.q_send_all = QPushButton()
        self.q_send_all.setObjectName("sync_send_all")
        q_buttons.addWidget(self.q_send_selected)
        q_buttons.addWidget(self.q_send_all)
        q_buttons.addStretch(1)
        q_lay.addWidget(self.q_intro)
        q_lay.addWidget(self.q_table, 1)
        self.q_note = QLabel()
        self.q_note.setObjectName("sync_quarantine_note")
        self.q_note.setWordWrap(True)
        q_lay.addWidget(self.q_note)
        q_lay.addLayout(q_buttons)
        c_tab = QWidget()
        c_lay = QVBoxLayout(c_tab)
        self.c_intro = QLabel()
        self.c_intro.setWordWrap(True)
        self.c_table = _table("sync_conflicts", 6, 3)
        self.c_table.itemSelectionChanged.connect(self._conflict_changed)
        self.c_note = QLabel()
        self.c_note.setObjectName("sync_conflict_note")
        self.c_note.setWordWrap(True)
        c_buttons = QHBoxLayout()
        self.keep_local = QPushButton()
        self.keep_local.setObjectName("sync_keep_local")
        self.keep_remote = QPushButton()
        self.keep_remote.setObjectName("sync_keep_remote")
        c_buttons.addWidget(self.keep_local)
        c_buttons.addWidget(self.keep_remote)
        c_buttons.addStretch(1)
        c_lay.addWidget(self.c_intro)
        c_lay.addWidget(self.c_table, 1)
        c_lay.addWidget(self.c_note)
        c_lay.addLayout(c_buttons)
        self.tabs.addTab(q_tab, "")
        self.tabs.addTab(c_tab, "")

        bottom = QHBoxLayout()
        self.message = MessageLabel()
        self.message.setObjectName("sync_message")
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("sync_refresh")
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        lay.addWidget(self.title)
        lay.addWidget(self.intro)
        lay.addWidget(self.enrol_box)
        lay.addWidget(self.status_box)
        lay.addWidget(self.tabs, 1)
        self.filler = QWidget()  # takes the room of the tabs while the workstation is not enrolled
        lay.addWidget(self.filler, 1)
        lay.addLayout(bottom)
        self.status_box.hide()
        self.tabs.hide()

        # Slots are bound methods, not lambdas capturing self (see AfterSalePage._start).
        self.enrol_button.clicked.connect(self.enrol)
        self.code.returnPressed.connect(self.enrol)
        self.ca_browse.clicked.connect(self.choose_ca)
        self.sync_button.clicked.connect(self.sync_now)
        self.code_button.clicked.connect(self.make_code)
        self.q_send_selected.clicked.connect(self.send_selected_again)
        self.q_send_all.clicked.connect(self.send_all_again)
        self.keep_local.clicked.connect(self.keep_this_version)
        self.keep_remote.clicked.connect(self.keep_other_version)
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self).activated.connect(self.refresh)
        self.retranslate()

    # ---- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Sync with the hub"))
        self.intro.setText(self.tr(
            "An enrolled workstation sends its records to the branch's hub and receives those of the other "
            "workstations of the branch, encrypted with the branch key. Sync runs by itself while someone is "
            "signed in; this page shows how far it is."))
        self.enrol_box.setTitle(self.tr("Enrol this workstation"))
        self.hub_label.setText(self.tr("&Hub address"))
        self.hub_url.setPlaceholderText(self.tr("e.g. {example}").format(example="https://hub.example:8443"))
        self.code_label.setText(self.tr("One-time &code"))
        self.code.setPlaceholderText(self.tr("32 characters from the hub administrator or another workstation"))
        self.ca_label.setText(self.tr("Hub's CA &certificate"))
        self.ca_path.setPlaceholderText(self.tr("Only when the hub's certificate is not from a CA this computer "
                                                "trusts (a .pem file)"))
        self.ca_browse.setText(self.tr("Choose &file…"))
        self.name_label.setText(self.tr("&Workstation name"))
        self.ws_name.setPlaceholderText(self.tr("How the hub lists this workstation, e.g. Counter 2"))
        self.branch_label.setText(self.tr("&Branch code"))
        self.enrol_button.setText(self.tr("&Enrol this workstation"))
        self.status_box.setTitle(self.tr("This workstation"))
        self.l_hub.setText(self.tr("Hub:"))
        self.l_branch.setText(self.tr("Branch:"))
        self.l_name.setText(self.tr("Workstation name:"))
        self.l_device.setText(self.tr("Device id:"))
        self.l_last.setText(self.tr("Last sync:"))
        self.l_pending.setText(self.tr("Waiting to be sent:"))
        self.l_quarantined.setText(self.tr("Refused by the hub:"))
        self.l_conflicts.setText(self.tr("Open conflicts:"))
        self.l_fingerprint.setText(self.tr("Head-office key fingerprint:"))
        self.sync_button.setText(self.tr("&Sync now"))
        self.code_button.setText(self.tr("Code for the &next workstation"))
        self.hours_label.setText(self.tr("valid for"))
        self.hours.setSuffix(self.tr(" h"))
        self.q_intro.setText(self.tr(
            "Records the hub refused. Their content stays on this workstation and is never shown here. Once "
            "the cause is fixed (for example the hub was updated), send them again."))
        self.q_table.setHorizontalHeaderLabels([self.tr("Type"), self.tr("Error"), zone_heading(self.tr("Created at"), self.ctx.lang),
                                                self.tr("Record id")])
        self.q_send_selected.setText(self.tr("Send the selected a&gain"))
        self.q_send_all.setText(self.tr("Send &all again"))
        self.c_intro.setText(self.tr(
            "Records changed here and on another workstation of the branch from the same starting point. Both "
            "versions are kept until someone chooses which one stays current; nothing is lost either way."))
        self.c_table.setHorizontalHeaderLabels([self.tr("What"), self.tr("Record"), self.tr("Versions (start / "
                                                "here / other)"), self.tr("Changed fields"), self.tr("Other workstation"),
                                                zone_heading(self.tr("Found at"), self.ctx.lang)])
        self.keep_local.setText(self.tr("Keep this workstation's &version"))
        self.keep_remote.setText(self.tr("Keep the &other's version"))
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self._show_code()
        self._fill()

    def kind_text(self, kind: str) -> str:
        return {
            "customer_version": self.tr("Customer profile changed on two workstations"),
            "customer_document": self.tr("Identity document already used by another customer"),
            "signoff_decision": self.tr("Sale decided on two workstations"),
            "approval_decision": self.tr("Approval decided on two workstations"),
            "evidence_fork": self.tr("Evidence recorded differently on two workstations"),
        }.get(kind, kind)

    # ---- loading ----------------------------------------------------------------------------------
    def can_read(self) -> bool:
        return self.ctx.vault is not None and self.ctx.user is not None

    def read_job(self):
        vault, user = self.ctx.vault, self.ctx.user
        return lambda: load_sync(vault, user)

    def show_data(self, data) -> None:
        self.view = data
        self._fill()

    def _fill(self) -> None:
        view = self.view
        enrolled = view is not None and view.enrolled
        self.enrol_box.setVisible(view is not None and not enrolled)
        self.status_box.setVisible(enrolled)
        self.tabs.setVisible(enrolled)
        self.filler.setVisible(not enrolled)
        if not enrolled:
            self._update()
            return
        self.v_hub.setText(view.hub_url + ("  " + self.tr("(trusting the CA certificate given at enrolment)")
                                           if view.ca_pinned else ""))
        self.v_branch.setText(view.branch_code)
        self.v_name.setText(view.name)
        self.v_device.setText(view.device_id)
        self.v_last.setText(format_time(view.last_sync_at, self.ctx.lang) if view.last_sync_at else self.tr("never"))
        self.v_pending.setText(str(view.pending))
        self.v_quarantined.setText(str(len(view.quarantined)))
        self.v_conflicts.setText(str(len(view.conflicts)))
        for label, warn in ((self.v_quarantined, bool(view.quarantined)), (self.v_conflicts, bool(view.conflicts))):
            label.setStyleSheet("color: #b00020; font-weight: bold;" if warn else "")
        if view.fingerprint:
            self.v_fingerprint.setText(view.fingerprint)
            self.fingerprint_note.setText(self.tr(
                "Compare it character by character with the one the hub administrator gives you. If they differ, "
                "do not use this connection and call head office."))
        else:
            self.v_fingerprint.setText(self.tr("none"))
            self.fingerprint_note.setText(self.tr(
                "The hub had no head-office key when this workstation enrolled: head-office catalogs and lists "
                "cannot be verified until it is enrolled again."))

        # quarantined records, keeping the selection by id
        self._fill_table(self.q_table, [
            [(row["type"], ""), (row["error"] or "", row["error"] or ""), (format_time(row["created_at"], self.ctx.lang, zone=False), ""),
             (short_id(row["id"]), row["id"])] for row in view.quarantined])
        self.q_table.blockSignals(True)
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r, row in enumerate(view.quarantined):
            if row["id"] in self._record_ids:
                self.q_table.selectionModel().select(self.q_table.model().index(r, 0), flags)
        self.q_table.blockSignals(False)
        self._record_ids = {r["id"] for r in self.selected_records()}

        # conflicts, keeping the selection by id
        self._fill_table(self.c_table, [self._conflict_cells(c) for c in view.conflicts])
        ids = [c.id for c in view.conflicts]
        row = ids.index(self._conflict_id) if self._conflict_id in ids else (0 if ids else -1)
        if row >= 0:
            self.c_table.selectRow(row)
        self.tabs.setTabText(0, self.tr("Refused by the hub ({count})").format(count=len(view.quarantined)))
        self.tabs.setTabText(1, self.tr("Conflicts ({count})").format(count=len(view.conflicts)))
        self._conflict_changed()

    def _conflict_cells(self, c) -> list[tuple[str, str]]:
        versions = " / ".join("—" if v is None else str(v) for v in (c.base_version, c.local_version,
                                                                       c.remote_version))
        if self.view is not None and self.view.conflict_content:
            fields = ", ".join(c.changed_fields) or "—"
        else:
            fields = self.tr("(not shown to your role)")
        return [(self.kind_text(c.kind), c.detail or ""), (short_id(c.object_id), c.object_id), (versions, ""),
                (fields, fields), (short_id(c.remote_workstation_id), c.remote_workstation_id),
                (format_time(c.detected_at, self.ctx.lang, zone=False), "")]

    @staticmethod
    def _fill_table(table: QTableWidget, rows: list[list[tuple[str, str]]]) -> None:
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(0)
        table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, (text, tip) in enumerate(cells):
                item = QTableWidgetItem(text)
                if tip:
                    item.setToolTip(tip)
                table.setItem(r, c, item)
        table.blockSignals(False)

    # ---- selection and buttons --------------------------------------------------------------------
    def selected_records(self) -> list[dict]:
        rows = self.view.quarantined if self.view is not None else []
        return [rows[r] for r in _selected_rows(self.q_table) if r < len(rows)]

    def current_conflict(self):
        conflicts = self.view.conflicts if self.view is not None else []
        rows = _selected_rows(self.c_table)
        return conflicts[rows[0]] if rows and rows[0] < len(conflicts) else None

    def _records_changed(self) -> None:
        self._record_ids = {r["id"] for r in self.selected_records()}
        self._update()

    def _conflict_changed(self) -> None:
        c = self.current_conflict()
        if c is not None:
            self._conflict_id = c.id
        self._update()

    def _update(self) -> None:
        idle = not self.busy
        for w in (self.hub_url, self.code, self.ca_path, self.ca_browse, self.ws_name, self.branch,
                  self.enrol_button, self.sync_button, self.code_button, self.hours):
            w.setEnabled(idle)
        view = self.view
        quarantined = view.quarantined if view is not None else []
        self.q_send_selected.setEnabled(idle and bool(self.selected_records()))
        self.q_send_all.setEnabled(idle and bool(quarantined))
        self.q_note.setText("" if quarantined else self.tr("The hub has refused no record of this workstation."))
        self.q_note.setVisible(not quarantined)
        c = self.current_conflict()
        may_resolve = self.ctx.user is not None and can(self.ctx.user.role, "customer.edit")
        self.keep_local.setEnabled(idle and may_resolve and c is not None)
        self.keep_remote.setEnabled(idle and may_resolve and c is not None and c.kind == "customer_version")
        if view is not None and view.conflicts and not may_resolve:
            note = self.tr("Only a user who may edit customers can choose which version to keep; your role sees "
                           "which records are in conflict, not what differs.")
        elif c is not None and c.kind != "customer_version":
            note = self.tr("This kind of conflict is kept for the record: this workstation's version stays. "
                           "Closing it marks it as seen.")
        elif c is not None:
            note = self.tr("Keeping the other's version adds it as a new version of the customer profile; the "
                           "history keeps all versions.")
        elif view is not None and not view.conflicts:
            note = self.tr("No open conflicts.")
        else:
            note = ""
        self.c_note.setText(note)
        self.c_note.setVisible(bool(note))

    # ---- enrolment --------------------------------------------------------------------------------
    def choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("The hub's CA certificate"), self.ca_path.text(),
                                              self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"))
        if path:
            self.ca_path.setText(path)

    def enrol(self) -> None:
        if self.busy:
            return
        if not self.hub_url.text().strip():
            self.message.show_error(self.tr("Enter the hub's address, e.g. {example}.").format(
                example="https://hub.example:8443"))
            self.hub_url.setFocus()
            return
        if not self.code.text().strip():
            self.message.show_error(self.tr("Enter the one-time code."))
            self.code.setFocus()
            return
        vault, user = self.ctx.vault, self.ctx.user
        hub, code, ca, name, branch = (self.hub_url.text(), self.code.text(), self.ca_path.text(),
                                       self.ws_name.text(), self.branch.text())
        self._start("")
        run_task(self, lambda: enrol_workstation(vault, user, hub, code, ca, name, branch), self._enrolled,
                 self._enrol_failed)

    def _enrolled(self, done) -> None:
        self.code.clear()
        self._success_text = self.tr(
            "This workstation is enrolled in branch {branch} (device {device}). Compare the head-office key "
            "fingerprint below with the one the hub administrator gives you.").format(
            branch=done.branch_code, device=done.device_id) if done.head_office_fingerprint else self.tr(
            "This workstation is enrolled in branch {branch} (device {device}).").format(
            branch=done.branch_code, device=done.device_id)
        self.enrolled.emit(done)
        self._done("enrolled")

    def _enrol_failed(self, exc: BaseException) -> None:
        code = getattr(exc, "code", "")
        branch = self.branch.text().strip() or getattr(getattr(self.ctx.vault, "info", None), "branch_code", "")
        if code == "enrol_code_invalid":
            text = self.tr("The hub refused the code: it is unknown, already used, expired or for another branch "
                           "than {branch}. Nothing was changed on this workstation.").format(branch=branch)
        elif code == "branch_key_mismatch":
            text = self.tr("Branch {branch} already has a branch key and this code carries none: ask for the code "
                           "on an enrolled workstation of the branch (\"Code for the next workstation\"). Nothing "
                           "was changed on this workstation.").format(branch=branch)
        elif code == "branch_unknown":
            text = self.tr("The hub does not know branch {branch}. Check the branch code with the hub "
                           "administrator.").format(branch=branch)
        else:
            text = self._error(exc)
        self._failed_with(text)
        self.code.setFocus()

    # ---- sync, codes ------------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self.busy:
            return
        vault, user = self.ctx.vault, self.ctx.user
        self._start("")
        run_task(self, lambda: sync_now(vault, user), self._synced, self._sync_failed)

    def _synced(self, result) -> None:
        pushed, pulled, master = result
        text = self.tr("Sync done. Sent {sent} ({duplicate} already at the hub), refused {rejected}, still waiting "
                       "{pending}. Received {received}: applied {applied}, conflicts {conflicts}.").format(
            sent=pushed.sent, duplicate=pushed.duplicate, rejected=pushed.rejected, pending=pushed.pending,
            received=pulled.received, applied=pulled.applied, conflicts=pulled.conflicts)
        if master.applied or master.refused:
            text += " " + self.tr("Head-office data: applied {applied}, refused {refused}.").format(
                applied=len(master.applied), refused=len(master.refused))
        self._success_text = text
        self._done("synced")

    def _sync_failed(self, exc: BaseException) -> None:
        text = self._error(exc)
        if getattr(exc, "code", "") == "hub_unreachable" or getattr(exc, "status", 0) >= 500:
            text += " " + self.tr("Nothing is lost: the records wait on this workstation and are sent at the next "
                                  "sync.")
        self._failed_with(text)
        self.refresh()

    def make_code(self) -> None:
        if self.busy:
            return
        vault, user, hours = self.ctx.vault, self.ctx.user, self.hours.value()
        self.last_code = None
        self._show_code()
        self._start("")
        run_task(self, lambda: next_code(vault, user, hours), self._code_made, self._failed)

    def _code_made(self, made) -> None:
        self.last_code = made
        self._show_code()
        self._success_text = ""
        self._done("code")
        self.next_code.setFocus()
        self.next_code.selectAll()

    def _show_code(self) -> None:
        made = self.last_code
        self.next_code.setVisible(made is not None)
        self.code_note.setVisible(made is not None)
        if made is None:
            self.next_code.clear()
            self.code_note.clear()
            return
        self.next_code.setText(grouped(made.code))
        hub = self.view.hub_url if self.view is not None else ""
        self.code_note.setText(self.tr(
            "One-time code for the next workstation of branch {branch}, valid until {until}; it works once and "
            "is not shown again. Enter it there with the hub address {hub}.").format(
            branch=made.branch_code, until=format_time(made.expires_at, self.ctx.lang), hub=hub))

    # ---- quarantined records ----------------------------------------------------------------------
    def send_selected_again(self) -> None:
        ids = [r["id"] for r in self.selected_records()]
        if ids:
            self._send_again(ids)

    def send_all_again(self) -> None:
        if self.view is not None and self.view.quarantined:
            self._send_again(None)

    def _send_again(self, ids: list[str] | None) -> None:
        if self.busy:
            return
        vault, user = self.ctx.vault, self.ctx.user
        self._start("")
        run_task(self, lambda: send_again(vault, user, ids), self._sent_again, self._failed)

    def _sent_again(self, n: int) -> None:
        self._success_text = self.tr("{count} record(s) will be sent again at the next sync.").format(count=n)
        self._done("requeued")

    # ---- conflicts --------------------------------------------------------------------------------
    def keep_this_version(self) -> None:
        self.resolve("local")

    def keep_other_version(self) -> None:
        self.resolve("remote")

    def resolve(self, keep: str) -> None:
        c = self.current_conflict()
        if c is None or self.busy:
            return
        vault, user, conflict_id = self.ctx.vault, self.ctx.user, c.id
        self._start("")
        run_task(self, lambda: resolve_conflict(vault, user, conflict_id, keep), self._resolved, self._failed)

    def _resolved(self, info) -> None:
        self._conflict_id = None
        self._success_text = (self.tr("The other workstation's version is now the current one; the conflict is "
                                      "closed.")
                              if info.resolution == "remote" else
                              self.tr("This workstation's version stays; the conflict is closed."))
        self._done("resolved")

    # ---- common -----------------------------------------------------------------------------------
    # Result slots are bound methods, never lambdas capturing self: a finished task would hold the
    # page's last reference and free it from inside the task's own destructor.
    def _start(self, success_text: str) -> None:
        self.busy = True
        self._success_text = success_text
        self.changed_here()
        self.message.clear_message()
        self._update()

    def _done(self, what: str) -> None:
        self.busy = False
        self._update()
        if self._success_text:
            self.message.show_info(self._success_text)
        self.changed.emit(what)
        self.refresh()

    def _error(self, exc: BaseException) -> str:
        text = error_text(exc, self.ctx.lang)
        detail = str(getattr(exc, "detail", "") or "")
        if "CERTIFICATE_VERIFY_FAILED" in detail or "certificate verify failed" in detail.lower():
            text += " " + self.tr("The hub's certificate is not trusted: give the CA certificate that signed it.")
        return text

    def _failed_with(self, text: str) -> None:
        self.busy = False
        self._update()
        self.message.show_error(text)

    def _failed(self, exc: BaseException) -> None:
        self._failed_with(self._error(exc))
        if getattr(exc, "code", "") in ("conflict_resolved", "conflict_not_found"):
            self.refresh()
