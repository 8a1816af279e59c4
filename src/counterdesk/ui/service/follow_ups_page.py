"""The follow-up list: post-sale calls, an older customer's extra follow-up, expiring risk assessments
and maturing products, by due day with overdue and due-soon marks, filtered by kind; the outcome of a
contact is recorded in a small dialog. Thin: the list and every refusal (no contact during a cooling-off
period, not the seller, not another branch's item, not a restricted customer) come from
counterdesk.services.followups; every read and write runs off the UI thread."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.branchtime import format_time
from counterdesk.base.follow_up_codes import (
    CHANNELS,
    DUE_SOON,
    KINDS,
    NOTE_MAX,
    OUTCOMES,
    SOURCES,
    STATES,
    TITLE,
)
from counterdesk.base.roles import can
from counterdesk.services.customers.data_rights import RESTRICTED_MARK
from counterdesk.services.followups import queue
from counterdesk.services.followups.items import COOLING_OFF, OTHER_BRANCH, RESTRICTED, SELLER, FollowUpItem
from counterdesk.services.followups.outcomes import record_outcome
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import (
    DialogHostPage,
    LoadingPage,
    MessageLabel,
    error_text,
    page_title,
    queue_layout,
)
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tables import fill_table, selected_rows, stretch_table
from counterdesk.ui.widgets.tasks import run_task

_MARK_COLOURS = {"overdue": theme.ERROR, "due_soon": theme.WARNING, "lapsed": theme.MUTED}


class OutcomeDialog(QDialog):
    """The outcome, the channel, the recording of a call and a note; it only collects the values, the
    page submits them to the core and closes it once the core accepted them."""

    submitted = Signal()

    def __init__(self, ctx: AppContext, item: FollowUpItem, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.item = item
        lang = ctx.lang
        self.setObjectName("follow_up_outcome_dialog")
        self.setWindowTitle(self.tr("Record the outcome"))
        self.setMinimumWidth(520)
        self.about = QLabel(f"{KINDS[item.kind].get(lang)} · {item.customer_masked} · {item.due_on}")
        self.about.setWordWrap(True)
        self.outcome, self.channel = QComboBox(), QComboBox()
        self.outcome.setObjectName("follow_up_outcome")
        self.channel.setObjectName("follow_up_channel")
        for code, label in OUTCOMES.items():
            self.outcome.addItem(label.get(lang), code)
        for code, label in CHANNELS.items():
            self.channel.addItem(label.get(lang), code)
        self.recording = QLineEdit()
        self.recording.setObjectName("follow_up_recording")
        self.recording.setMaxLength(64)
        self.recording.setPlaceholderText(self.tr("Required for a call that reached the customer"))
        self.note = QPlainTextEdit()
        self.note.setObjectName("follow_up_note")
        self.note.setTabChangesFocus(True)
        self.note.setMinimumHeight(90)
        form = QFormLayout()
        for text, field in ((self.tr("&Outcome"), self.outcome), (self.tr("C&hannel"), self.channel),
                            (self.tr("Call &recording"), self.recording), (self.tr("&Note"), self.note)):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        self.hint = QLabel(self.tr("Every outcome but \"not reached\" closes the follow-up. "
                                   "The note is kept in the encrypted store, never in the audit log "
                                   "(at most {n} characters).").format(n=NOTE_MAX))
        self.hint.setWordWrap(True)
        theme.set_role(self.hint, "hint")
        self.message = MessageLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Record"))
        self.ok_button.setObjectName("follow_up_record_ok")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.submitted)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addWidget(self.about)
        outer.addLayout(form)
        outer.addWidget(self.hint)
        outer.addWidget(self.message)
        outer.addWidget(buttons)
        self.outcome.setFocus()

    def values(self) -> tuple[str, str, str, str | None]:
        return (self.outcome.currentData(), self.channel.currentData(), self.note.toPlainText(),
                self.recording.text().strip() or None)


class FollowUpsPage(LoadingPage, DialogHostPage):
    changed = Signal()  # an outcome was recorded (tests wait on it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = ctx.user
        self.items: list[FollowUpItem] = []
        self.current: FollowUpItem | None = None
        self.busy = False
        self.reading = 0
        self.title = page_title()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.kind = QComboBox()
        self.kind.setObjectName("follow_up_kind_filter")
        self.kind_label = QLabel()
        self.kind_label.setBuddy(self.kind)
        self.kind.currentIndexChanged.connect(lambda _i: self.refresh())
        self.mine = QCheckBox()
        self.mine.setObjectName("follow_up_mine")
        self.mine.toggled.connect(lambda _on: self.refresh())
        self.show_done = QCheckBox()
        self.show_done.setObjectName("follow_up_show_done")
        self.show_done.toggled.connect(lambda _on: self.refresh())
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        for w in (self.kind_label, self.kind, self.mine, self.show_done):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        self.table = stretch_table("follow_up_queue", 6, 5)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.activated.connect(lambda _index: self.record())  # Enter on a row records its outcome
        self.detail = QTextBrowser()
        self.detail.setObjectName("follow_up_detail")
        self.record_button = QPushButton()
        self.record_button.setObjectName("follow_up_record")
        self.record_button.clicked.connect(self.record)
        self.blocked = QLabel()
        self.blocked.setObjectName("follow_up_blocked")
        self.blocked.setWordWrap(True)
        theme.set_role(self.blocked, "warning")
        actions = QHBoxLayout()
        actions.addWidget(self.record_button)
        actions.addWidget(self.blocked, 1)
        self.message = MessageLabel()
        queue_layout(self, (self.title, self.intro, bar, self.message), self.table, (self.detail,), actions)
        for keys, slot in (("F5", self.refresh),):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.retranslate()

    # ---- reading -----------------------------------------------------------------------------------------
    def can_read(self) -> bool:
        return self.ctx.vault is not None and self.user is not None

    def read_job(self):
        vault, user = self.ctx.vault, self.user
        kind, done = self.kind.currentData() or None, self.show_done.isChecked()
        teller = user.user_id if self.mine.isChecked() else None
        return lambda: queue.follow_ups(vault, user, teller_id=teller, kind=kind, include_done=done)

    def _mark(self, item: FollowUpItem) -> tuple[str, str]:
        lang = self.ctx.lang
        if item.state == "overdue":
            return "overdue", STATES["overdue"].get(lang)
        if item.due_soon:
            return "due_soon", DUE_SOON.get(lang)
        return item.state, STATES[item.state].get(lang)

    def _customer(self, item: FollowUpItem) -> str:
        if item.blocked == RESTRICTED:
            return RESTRICTED_MARK.get(self.ctx.lang).format(name=item.customer_masked)
        return item.customer_masked

    def show_data(self, data) -> None:
        keep = self.current.key if self.current is not None else None
        self.items = list(data)
        lang = self.ctx.lang
        rows = []
        for i in self.items:
            _code, mark = self._mark(i)
            rows.append([(i.due_on, ""), (mark, ""), (KINDS[i.kind].get(lang), SOURCES[i.kind].get(lang)),
                         (self._customer(i), ""), (i.reference or i.product_code or "", ""),
                         (self._state_text(i), "")])
        fill_table(self.table, rows)
        for r, i in enumerate(self.items):
            colour = _MARK_COLOURS.get(self._mark(i)[0])
            if colour:
                for col in (0, 1):
                    cell = self.table.item(r, col)
                    if cell is not None:
                        cell.setForeground(QColor(colour))
        keys = [i.key for i in self.items]
        if keep in keys:
            self.table.selectRow(keys.index(keep))
        elif self.items:
            self.table.selectRow(0)
        else:
            self._show(None, [])

    def _selected(self) -> None:
        rows = selected_rows(self.table)
        if not rows or rows[0] >= len(self.items):
            return
        chosen = self.items[rows[0]]
        vault, user = self.ctx.vault, self.user
        self.reading += 1

        def shown(history) -> None:
            self.reading -= 1
            self._show(chosen, history)

        def failed(exc: BaseException) -> None:
            self.reading -= 1
            self.message.show_error(lambda: error_text(exc, self.ctx.lang))
        run_task(self, lambda: queue.outcomes(vault, user, chosen.kind, chosen.source_id), shown, failed)

    @property
    def idle(self) -> bool:
        """No read or write is running (tests wait for it before the page may go)."""
        return not (self.loading or self.busy or self.reading)

    def _state_text(self, item: FollowUpItem) -> str:
        """The note column: a done item's outcome, a lapsed item's state, else what blocks the item."""
        if item.state == "done":
            return OUTCOMES.get(item.outcome or "", STATES["done"]).get(self.ctx.lang)
        blocked = self._blocked_text(item)
        if item.state == "lapsed":
            lapsed = self.tr("Lapsed: nobody followed up in time after the due day; a late contact may still be "
                             "recorded")
            return f"{lapsed} · {blocked}" if blocked else lapsed
        return blocked

    def _blocked_text(self, item: FollowUpItem) -> str:
        lang = self.ctx.lang
        if item.blocked == COOLING_OFF:
            until = format_time(item.blocked_until, lang)
            return self.tr("Cooling-off period until {time}: no contact with the customer").format(time=until)
        if item.blocked == SELLER:
            return self.tr("Your own sale: a colleague makes this follow-up")
        if item.blocked == OTHER_BRANCH:
            return self.tr("Belongs to branch {branch}").format(branch=item.branch)
        if item.blocked == RESTRICTED:
            return self.tr("Restricted processing: no follow-up")
        return ""

    def _show(self, item: FollowUpItem | None, history) -> None:
        self.current = item
        lang = self.ctx.lang
        if item is None:
            self.detail.setPlainText(self.tr("Nothing is due.") if not self.items else "")
        else:
            def row(label: str, value: str) -> str:
                return f"<tr><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>"
            parts = [f"<h3>{escape(KINDS[item.kind].get(lang))} · {escape(self._mark(item)[1])}</h3><table>",
                     row(self.tr("Customer"), self._customer(item)), row(self.tr("Due"), item.due_on),
                     row(self.tr("Sale"), item.reference or "—"), row(self.tr("Product"), item.product_code or "—"),
                     row(self.tr("Why"), SOURCES[item.kind].get(lang)), "</table>"]
            if history:
                heading = self.tr("Contacts so far")
                parts.append(f"<p><b>{escape(heading)}</b></p><ol>")
                for h in history:
                    note = f"<br/><i>{escape(h.note)}</i>" if h.note else ""
                    ref = f" · {escape(h.recording_ref)}" if h.recording_ref else ""
                    parts.append(f"<li>{escape(format_time(h.recorded_at, lang))} · "
                                 f"{escape(OUTCOMES[h.outcome].get(lang))} · {escape(CHANNELS[h.channel].get(lang))}"
                                 f" · {escape(h.recorded_by_name)}{ref}{note}</li>")
                parts.append("</ol>")
            self.detail.setHtml("".join(parts))
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.current
        allowed = bool(self.user) and can(self.user.role, "aftersale.manage")
        self.record_button.setEnabled(bool(item and item.can_record and allowed and not self.busy))
        text = self._blocked_text(item) if item is not None and item.state != "done" else ""
        self.blocked.setText(text)
        self.blocked.setVisible(bool(text))

    # ---- recording ---------------------------------------------------------------------------------------
    def record(self) -> None:
        item = self.current
        if item is None or not self.record_button.isEnabled() or self.dialog is not None:
            return
        dialog = OutcomeDialog(self.ctx, item, self)
        dialog.submitted.connect(self._submit)
        self.open_dialog(dialog)

    def _submit(self) -> None:
        dialog = self.dialog
        if not isinstance(dialog, OutcomeDialog) or self.busy:
            return
        item, (outcome, channel, note, ref) = dialog.item, dialog.values()
        vault, user = self.ctx.vault, self.user
        self.busy = True
        dialog.ok_button.setEnabled(False)

        def done(_outcome_id) -> None:
            self.busy = False
            self.changed_here()
            dialog.accept()
            self.message.show_info(lambda: self.tr("Outcome recorded."))
            self.refresh()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.busy = False
            dialog.ok_button.setEnabled(True)
            dialog.message.show_error(lambda: error_text(exc, self.ctx.lang))
        run_task(self, lambda: record_outcome(vault, user, item.kind, item.source_id, outcome, channel, note, ref),
                 done, failed)

    def focus_after_dialog(self) -> QWidget:
        return self.table

    def retranslate(self) -> None:
        lang = self.ctx.lang
        self.title.setText(TITLE.get(lang))
        self.intro.setText(self.tr("Post-sale calls, an older customer's extra follow-up after a high-risk sale, "
                                   "expiring risk assessments and maturing products, soonest first. Select one and "
                                   "press Enter to record the outcome of the contact."))
        self.kind_label.setText(self.tr("&Kind"))
        current = self.kind.currentData()
        self.kind.blockSignals(True)
        self.kind.clear()
        self.kind.addItem(self.tr("All kinds"), "")
        for code, label in KINDS.items():
            self.kind.addItem(label.get(lang), code)
        self.kind.setCurrentIndex(max(0, self.kind.findData(current or "")))
        self.kind.blockSignals(False)
        self.mine.setText(self.tr("&My customers only"))
        self.show_done.setText(self.tr("Show &done and lapsed"))
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self.record_button.setText(self.tr("&Record outcome…"))
        self.table.setHorizontalHeaderLabels([self.tr("Due"), self.tr("State"), self.tr("Kind"), self.tr("Customer"),
                                              self.tr("Sale"), self.tr("Note")])
        if self.items:
            self.show_data(self.items)
        else:
            self._update_buttons()
