"""The tamper-evident audit log, read-only for everyone, with a button to verify the hash chain.

"Whole branch" adds the entries of the branch's other workstations (counterdesk.services.sync.remote_audit):
each is shown with its workstation, and each other workstation's chain is verified on its own."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.branchtime import format_time, zone_heading
from counterdesk.services import verification
from counterdesk.services.sync import remote_audit
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import MessageLabel, Page, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tasks import run_task

RECENT_LIMIT = 500
MAX_PROBLEMS = 5  # per check on screen; the command line lists them all


@dataclass(frozen=True)
class AuditRow:
    """A plain copy of one entry, taken inside the transaction (no ORM object leaves the writer)."""
    seq: int
    ts: str
    actor_name: str
    workstation: str
    action: str
    object_type: str | None
    object_id: str | None
    details: str
    origin: str = ""   # another workstation's id (its entry, from sync_remote_audit); "" for this one's


def load_recent(vault, user, limit: int = RECENT_LIMIT) -> list[AuditRow]:
    return [AuditRow(e.seq, e.ts, e.actor_name, e.workstation, e.action, e.object_type, e.object_id, e.details)
            for e in vault.audit_entries(user, limit)]


def _remote_row(e) -> AuditRow:
    return AuditRow(e.seq, e.ts, e.actor_name, e.workstation, e.action, e.object_type, e.object_id, e.details,
                    e.workstation_id)


def load_branch(vault, user, limit: int = RECENT_LIMIT) -> tuple[list[AuditRow], remote_audit.RemoteAuditReport]:
    """This workstation's newest entries and the other workstations', newest first by time, with the
    verification of each other workstation's chain."""
    remote, report = remote_audit.read_branch(vault, user, limit, _remote_row)
    rows = sorted([*load_recent(vault, user, limit), *remote], key=lambda e: e.ts, reverse=True)
    return rows[:limit], report


def _load_branch_of(gen: int, vault, user) -> tuple[int, list[AuditRow], remote_audit.RemoteAuditReport]:
    rows, report = load_branch(vault, user)
    return gen, rows, report


def short_id(object_id: str | None) -> str:
    """UUIDs are shortened to their first 8 hex digits (the full id is in the tooltip)."""
    if object_id and len(object_id) == 36 and object_id.count("-") == 4:
        return object_id[:8] + "…"
    return object_id or ""


def compact_details(raw: str) -> str:
    """`{"role":"admin","username":"x"}` → `role=admin, username=x`; raw text if it is not a JSON object."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return raw or ""
    if not isinstance(data, dict):
        return raw
    parts = []
    for key, value in data.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        parts.append(f"{key}={text}")
    return ", ".join(parts)


class AuditPage(Page):
    loaded = Signal()
    verified = Signal(object)  # counterdesk.services.verification.VerifyReport

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[AuditRow] = []
        self.report = None
        self._verifying = False
        self._generation = 0
        self._select_seq: int | None = None

        self.title = QLabel()
        theme.set_role(self.title, "page-title")
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        theme.set_role(self.intro, "hint")
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("audit_table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)

        self.verify_button = QPushButton()
        self.verify_button.setObjectName("verify_audit")
        self.verify_button.clicked.connect(self.verify)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("refresh_audit")
        self.refresh_button.clicked.connect(self.refresh)
        self.branch_box = QCheckBox()
        self.branch_box.setObjectName("audit_whole_branch")
        self.branch_box.toggled.connect(self._branch_toggled)
        self.branch_report: remote_audit.RemoteAuditReport | None = None
        self.chains = QLabel()
        self.chains.setObjectName("audit_chains")
        self.chains.setWordWrap(True)
        self.chains.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.branch_box)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        self.message = MessageLabel()
        self.message.setObjectName("audit_message")

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.intro)
        lay.addLayout(buttons)
        lay.addWidget(self.message)
        lay.addWidget(self.chains)
        lay.addWidget(self.table, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Audit log"))
        self.intro.setText(self.tr("Every change is recorded here and linked to the entry before it, so later "
                                   "edits can be detected. Newest first; the latest {count} entries are shown.")
                           .format(count=RECENT_LIMIT))
        self.table.setHorizontalHeaderLabels([self.tr("Seq"), zone_heading(self.tr("Time"), self.ctx.lang),
                                              self.tr("User"), self.tr("Workstation"), self.tr("Action"),
                                              self.tr("Object"), self.tr("Details")])
        self.verify_button.setText(self.tr("Verifying…") if self._verifying else self.tr("Verify records"))
        self.verify_button.setToolTip(self.tr("Check the database file, the audit chain, the records, the sale "
                                              "evidence, the anchors at the hub and the key slots (Ctrl+Shift+V)"))
        self.branch_box.setText(self.tr("Whole branch (the other workstations' entries too)"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Reload the log (F5)"))
        # setText() replaces a button's shortcut with the text's mnemonic: set shortcuts after texts.
        self.verify_button.setShortcut(QKeySequence("Ctrl+Shift+V"))
        self.refresh_button.setShortcut(QKeySequence(Qt.Key.Key_F5))
        if self.report is not None:
            self._show_report(self.report)
        self._show_chains()

    # ---- loading ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._generation += 1
        gen, vault, user = self._generation, self.ctx.vault, self.ctx.user
        if self.branch_box.isChecked():
            # A bound method as the slot, the generation in the result (see SyncRunner.run on lambdas).
            run_task(self, partial(_load_branch_of, gen, vault, user), self._loaded_branch, self._show_error)
            return
        self.branch_report = None
        self._show_chains()
        run_task(self, lambda: load_recent(vault, user), lambda rows: self._loaded(gen, rows), self._show_error)

    def _branch_toggled(self, _checked: bool) -> None:
        self.refresh()

    def _loaded_branch(self, got) -> None:
        gen, rows, report = got
        if gen != self._generation:
            return
        self.branch_report = report
        self._show_chains()
        self._loaded(gen, rows)

    def _show_chains(self) -> None:
        """One line per other workstation: how many of its entries are here, and whether they verify."""
        report = self.branch_report
        self.chains.setVisible(report is not None)
        if report is None:
            return
        if not report.chains:
            self.chains.setText(self.tr("No entries of other workstations have arrived yet."))
            theme.set_state(self.chains, "")
            return
        lines = []
        for c in report.chains:
            name = c.name or short_id(c.workstation_id)
            if not c.ok:
                lines.append(self.tr("✗ {name}: its chain breaks at entry #{seq} ({reason})").format(
                    name=name, seq=c.broken_at, reason=c.reason or ""))
                continue
            text = self.tr("✓ {name}: entries #{first}–#{last} verify ({count} here)").format(
                name=name, first=c.first_seq, last=c.last_seq, count=c.entries)
            if c.missing:
                text += " · " + self.tr("{n} not arrived yet").format(n=c.missing)
            if c.continues:
                text += " · " + self.tr("continues the chain it had before it was enrolled again")
            elif c.starts_late:
                text += " · " + self.tr("earlier entries not arrived yet")
            lines.append(text)
        self.chains.setText("\n".join(lines))
        theme.set_state(self.chains, "" if report.ok else "error")

    def _loaded(self, gen: int, rows: list[AuditRow]) -> None:
        if gen != self._generation:
            return
        self.rows = list(rows)
        self.table.setUpdatesEnabled(False)
        # Start from an empty table: replacing items in place makes the resize-to-contents header
        # re-measure every row on each replacement (quadratic; a refill of 500 rows took ~50 s).
        self.table.setRowCount(0)
        self.table.setRowCount(len(self.rows))
        for r, e in enumerate(self.rows):
            obj = " ".join(x for x in (e.object_type, short_id(e.object_id)) if x)
            cells = [str(e.seq), format_time(e.ts, self.ctx.lang, seconds=True, zone=False), e.actor_name,
                     e.workstation, e.action, obj, compact_details(e.details)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 3 and e.origin:
                    item.setToolTip(self.tr("Another workstation's entry (workstation id {id})").format(id=e.origin))
                if c in (1, 5, 6):  # full UTC stamp / full object id / long details
                    item.setToolTip({1: e.ts, 5: " ".join(x for x in (e.object_type, e.object_id) if x)}.get(c, text))
                self.table.setItem(r, c, item)
        self.table.setUpdatesEnabled(True)
        row = self.row_of_seq(self._select_seq) if self._select_seq is not None else -1
        if row >= 0:  # point at the first broken entry
            self.table.selectRow(row)
            self.table.scrollToItem(self.table.item(row, 0))
        self.loaded.emit()

    def row_of_seq(self, seq: int) -> int:
        return next((i for i, e in enumerate(self.rows) if e.seq == seq and not e.origin), -1)

    # ---- verification ----------------------------------------------------------------------------
    def verify(self) -> None:
        if self._verifying:
            return
        self._verifying = True
        self.verify_button.setEnabled(False)
        self.retranslate()
        self.message.clear_message()
        vault, actor = self.ctx.vault, self.ctx.user
        run_task(self, lambda: verification.verify(vault, actor), self._verified, self._verify_failed)

    def _verify_done(self) -> None:
        self._verifying = False
        self.verify_button.setEnabled(True)
        self.retranslate()

    def _verified(self, report) -> None:
        self.report = report
        self._verify_done()  # also shows the report (retranslate)
        self.verified.emit(report)
        self._select_seq = None if report.ok else report.chain.first_broken
        self.refresh()  # the check itself is logged: show that entry

    def _verify_failed(self, exc: BaseException) -> None:
        self.report = None
        self._verify_done()
        self._show_error(exc)

    def _show_report(self, report) -> None:
        """Every check in order: its title with ✓ or ✗, then its errors, warnings and notes."""
        lang = self.ctx.lang
        if report.ok:
            lines = [self.tr("Verification passed: all {count} checks are ok").format(count=len(report.checks))]
        else:
            lines = [self.tr("VERIFICATION FAILED: {failed} of {count} checks found problems")
                     .format(failed=len(report.failed), count=len(report.checks))]
        for check in report.checks:
            lines.append(f"{'✓' if check.ok else '✗'} {check.title.get(lang)}")
            lines += [f"    ✗ {p.message(lang)}" for p in check.errors[:MAX_PROBLEMS]]
            lines += [f"    ! {p.message(lang)}" for p in check.warnings[:MAX_PROBLEMS]]
            lines += [f"    · {note.get(lang)}" for note in check.notes]
        text = "\n".join(lines)
        if report.ok:
            self.message.show_info(text)
        else:
            self.message.show_error(text)

    def _show_error(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))
