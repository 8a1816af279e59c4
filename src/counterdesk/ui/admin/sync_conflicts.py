"""The sync page's tab of the conflicts found while applying other workstations' records (e.g. two
workstations changed one customer profile from the same version): keep this one's or the other's."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counterdesk.base.branchtime import format_time, zone_heading
from counterdesk.base.roles import can
from counterdesk.ui.admin.audit_page import short_id
from counterdesk.ui.admin.sync_jobs import resolve_conflict
from counterdesk.ui.admin.sync_runner import SyncRunner
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tables import fill_table, selected_rows, stretch_table


class SyncConflictsTab(QWidget):

    def __init__(self, ctx: AppContext, runner: SyncRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.conflicts: list | None = None  # counterdesk.services.sync.conflicts.ConflictInfo; None: not read yet
        self.content = False                # changed fields shown (the user may view customers)
        self._conflict_id: str | None = None  # the conflict selected, kept across reloads
        lay = QVBoxLayout(self)
        self.c_intro = QLabel()
        self.c_intro.setWordWrap(True)
        self.c_table = stretch_table("sync_conflicts", 6, 3)
        self.c_table.itemSelectionChanged.connect(self._conflict_changed)
        self.c_note = QLabel()
        self.c_note.setObjectName("sync_conflict_note")
        self.c_note.setWordWrap(True)
        buttons = QHBoxLayout()
        self.keep_local = QPushButton()
        self.keep_local.setObjectName("sync_keep_local")
        self.keep_remote = QPushButton()
        self.keep_remote.setObjectName("sync_keep_remote")
        buttons.addWidget(self.keep_local)
        buttons.addWidget(self.keep_remote)
        buttons.addStretch(1)
        lay.addWidget(self.c_intro)
        lay.addWidget(self.c_table, 1)
        lay.addWidget(self.c_note)
        lay.addLayout(buttons)

        self.keep_local.clicked.connect(self.keep_this_version)
        self.keep_remote.clicked.connect(self.keep_other_version)

    def retranslate(self) -> None:
        self.c_intro.setText(self.tr(
            "Records changed here and on another workstation of the branch from the same starting point. Both "
            "versions are kept until someone chooses which one stays current; nothing is lost either way."))
        self.c_table.setHorizontalHeaderLabels([self.tr("What"), self.tr("Record"),
                                                self.tr("Versions (start / here / other)"), self.tr("Changed fields"),
                                                self.tr("Other workstation"),
                                                zone_heading(self.tr("Found at"), self.ctx.lang)])
        self.keep_local.setText(self.tr("Keep this workstation's &version"))
        self.keep_remote.setText(self.tr("Keep the &other's version"))

    def kind_text(self, kind: str) -> str:
        """The label of a conflict kind (counterdesk.services.sync.apply.CONFLICT_KINDS: each has one)."""
        return {
            "customer_version": self.tr("Customer profile changed on two workstations"),
            "customer_document": self.tr("Identity document already used by another customer"),
            "signoff_decision": self.tr("Sale decided on two workstations"),
            "approval_decision": self.tr("Approval decided on two workstations"),
            "evidence_fork": self.tr("Evidence recorded differently on two workstations"),
            "consent_customer": self.tr("Consent linked to different customers on two workstations"),
            "screening_disposition": self.tr("Sanctions hit decided differently on two workstations"),
            "follow_up_task": self.tr("Follow-up task done or made on two workstations"),
            "audit_fork": self.tr("Another workstation's audit entry does not fit its chain"),
            "aml_referral_closure": self.tr("AML referral closed on two workstations"),
        }.get(kind, kind)

    def record_type_text(self, record_type: str) -> str:
        """The label of a sync record type (counterdesk.store.outbox.META_KEYS: each has one)."""
        return {
            "customer.version": self.tr("customer profile"),
            "counter_session": self.tr("counter session"),
            "assessment": self.tr("risk assessment"),
            "sale_decision": self.tr("suitability decision"),
            "signoff": self.tr("sale sign-off"),
            "signoff.approval_request": self.tr("approval request"),
            "signoff.approval_decision": self.tr("approval decision"),
            "evidence.link": self.tr("sale evidence"),
            "audit.entry": self.tr("audit entry"),
            "complaint": self.tr("customer complaint"),
            "complaint.event": self.tr("complaint step"),
            "aml.referral": self.tr("AML referral"),
            "aml.referral_closure": self.tr("AML referral closure"),
            "customer.restriction": self.tr("restriction of processing"),
            "retention.tombstone": self.tr("retention purge"),
            "consent": self.tr("separate consent"),
            "aml.rating": self.tr("AML risk rating"),
            "screening": self.tr("sanctions screening"),
            "signoff.cooling_off": self.tr("cooling-off cancellation"),
            "follow_up.task": self.tr("follow-up task"),
            "follow_up.call": self.tr("follow-up call"),
            "follow_up.outcome": self.tr("follow-up outcome"),
            "signoff.print": self.tr("confirmation print"),
            "evaluation": self.tr("customer evaluation"),
        }.get(record_type, record_type)

    def show_conflicts(self, conflicts: list, content: bool) -> None:
        """The conflicts listed, keeping the selection by id (else the first one)."""
        self.conflicts, self.content = conflicts, content
        fill_table(self.c_table, [self._cells(c) for c in conflicts])
        ids = [c.id for c in conflicts]
        row = ids.index(self._conflict_id) if self._conflict_id in ids else (0 if ids else -1)
        if row >= 0:
            self.c_table.selectRow(row)
        self._conflict_changed()

    def _cells(self, c) -> list[tuple[str, str]]:
        versions = " / ".join("—" if v is None else str(v) for v in (c.base_version, c.local_version,
                                                                       c.remote_version))
        fields = (", ".join(c.changed_fields) or "—") if self.content else self.tr("(not shown to your role)")
        what = self.kind_text(c.kind)
        tip = " · ".join(x for x in (self.record_type_text(c.record_type) if c.record_type else "", c.detail or "")
                         if x)
        return [(what, tip), (short_id(c.object_id), c.object_id), (versions, ""),
                (fields, fields), (short_id(c.remote_workstation_id), c.remote_workstation_id),
                (format_time(c.detected_at, self.ctx.lang, zone=False), "")]

    def current_conflict(self):
        conflicts = self.conflicts or []
        rows = selected_rows(self.c_table)
        return conflicts[rows[0]] if rows and rows[0] < len(conflicts) else None

    def _conflict_changed(self) -> None:
        c = self.current_conflict()
        if c is not None:
            self._conflict_id = c.id
        self.update_state()

    def update_state(self) -> None:
        idle = not self.runner.busy
        c = self.current_conflict()
        may_resolve = self.ctx.user is not None and can(self.ctx.user.role, "customer.edit")
        self.keep_local.setEnabled(idle and may_resolve and c is not None)
        self.keep_remote.setEnabled(idle and may_resolve and c is not None and c.kind == "customer_version")
        if self.conflicts and not may_resolve:
            note = self.tr("Only a user who may edit customers can choose which version to keep; your role sees "
                           "which records are in conflict, not what differs.")
        elif c is not None and c.kind != "customer_version":
            note = self.tr("This kind of conflict is kept for the record: this workstation's version stays. "
                           "Closing it marks it as seen.")
        elif c is not None:
            note = self.tr("Keeping the other's version adds it as a new version of the customer profile; the "
                           "history keeps all versions.")
        elif self.conflicts is not None and not self.conflicts:
            note = self.tr("No open conflicts.")
        else:
            note = ""
        self.c_note.setText(note)
        self.c_note.setVisible(bool(note))

    def keep_this_version(self) -> None:
        self.resolve("local")

    def keep_other_version(self) -> None:
        self.resolve("remote")

    def resolve(self, keep: str) -> None:
        c = self.current_conflict()
        if c is None or self.runner.busy:
            return
        vault, user, conflict_id = self.ctx.vault, self.ctx.user, c.id
        self.runner.run(self, lambda: resolve_conflict(vault, user, conflict_id, keep), self._resolved,
                        self.runner.call_failed)

    def _resolved(self, info) -> None:
        self._conflict_id = None
        self.runner.done("resolved", self.tr("The other workstation's version is now the current one; the conflict "
                                             "is closed.")
                         if info.resolution == "remote" else
                         self.tr("This workstation's version stays; the conflict is closed."))
