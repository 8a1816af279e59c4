"""The complaints page: the queue by due date (overdue and due-soon marked), the selected complaint
with its history, and one button per step the core allows the signed-in user. Thin: every rule is in
counterdesk.services.complaints; the page copies values into a call and shows the outcome."""
from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QWidget,
)

from counterdesk.base.branchtime import format_time, zone_heading
from counterdesk.base.roles import can
from counterdesk.base.settings import COMPLAINT_COMPLEX_DAYS, COMPLAINT_MAX_DAYS
from counterdesk.services.complaints import handling, letter, queue
from counterdesk.services.complaints.codes import (
    APPROVED,
    CATEGORIES,
    CHANNELS,
    COMPLEX,
    COMPLEXITIES,
    EVENT_KINDS,
    EXTENSION_STATES,
    MARKS,
    NOTICE_METHODS,
    OPEN,
    OUTCOMES,
    REOPEN_REASONS,
    RESOLVED,
    RESPONSES,
    SIMPLE,
    STATUSES,
)
from counterdesk.services.complaints.records import ComplaintInfo
from counterdesk.services.customers.data_rights import RESTRICTED_MARK
from counterdesk.ui import theme
from counterdesk.ui.service.dialogs import RecordDialog, StepDialog
from counterdesk.ui.service.messages import t
from counterdesk.ui.widgets.common import DialogHostPage, LoadingPage, MessageLabel, error_text, queue_layout
from counterdesk.ui.widgets.confirmation_view import choose_printer, print_pdf
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tables import fill_table, selected_rows, stretch_table
from counterdesk.ui.widgets.tasks import run_task

_MARK_COLOURS = {"overdue": "#b00020", "due_soon": "#b26a00"}


class ComplaintsPage(LoadingPage, DialogHostPage):
    changed = Signal()  # a step was recorded (tests wait on it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = ctx.user
        self.items: list[ComplaintInfo] = []
        self.current: ComplaintInfo | None = None
        self.busy = False
        self.reading = 0
        self.last_letter: bytes | None = None
        self.choose_printer: Callable = choose_printer
        self.title = QLabel()
        theme.set_role(self.title, "page-title")
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.new_button = QPushButton()
        self.new_button.setObjectName("complaint_new")
        self.new_button.clicked.connect(self.new_complaint)
        self.show_resolved = QCheckBox()
        self.show_resolved.toggled.connect(lambda _on: self.refresh())
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        for w in (self.new_button, self.show_resolved):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        self.table = stretch_table("complaint_queue", 7, 4)
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QTextBrowser()
        self.detail.setObjectName("complaint_detail")
        self.detail.setOpenLinks(False)
        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, slot in (("hand_over", self.hand_over), ("reclassify", self.reclassify), ("extend", self.extend),
                          ("approve", self.approve), ("refuse", self.refuse), ("notice", self.notice),
                          ("resolve", self.resolve), ("response", self.response), ("reopen", self.reopen),
                          ("letter", self.print_letter)):
            button = QPushButton()
            button.setObjectName(f"complaint_{key}")
            button.clicked.connect(slot)
            button.setVisible(False)
            self.buttons[key] = button
            actions.addWidget(button)
        actions.addStretch(1)
        # Restricted processing (PIPL Art 47) of the complaint's customer, over the detail.
        self.restriction = QLabel()
        self.restriction.setObjectName("complaint_restriction")
        self.restriction.setWordWrap(True)
        theme.set_role(self.restriction, "error")
        self.restriction.hide()
        self.message = MessageLabel()
        queue_layout(self, (self.title, self.intro, bar, self.message), self.table, (self.restriction, self.detail),
                     actions)
        # Only now, inside the page: shown while parentless it would open as a window of its own.
        self.new_button.setVisible(bool(self.user) and can(self.user.role, "complaint.record"))
        for keys, slot in (("Ctrl+N", self.new_complaint), ("F5", self.refresh)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.retranslate()

    # ---- reading -----------------------------------------------------------------------------------------
    def can_read(self) -> bool:
        return self.ctx.vault is not None and self.user is not None

    def read_job(self):
        vault, user, resolved = self.ctx.vault, self.user, self.show_resolved.isChecked()
        return lambda: queue.queue(vault, user, include_resolved=resolved)

    def show_data(self, data) -> None:
        keep = self.current.complaint_id if self.current is not None else None
        self.items = list(data)
        lang = self.ctx.lang
        rows = []
        for c in self.items:
            left = (t("days_left", lang).format(n=c.days_left) if c.days_left >= 0
                    else t("days_over", lang).format(n=-c.days_left))
            mark = left if c.mark == "overdue" else MARKS[c.mark].get(lang) + (f" · {left}" if c.status == OPEN else "")
            state = STATUSES[c.status].get(lang)
            if c.status == OPEN and c.extension_state:
                state = EXTENSION_STATES[c.extension_state].get(lang)
            customer = (c.customer_masked or t("anonymous", lang), "")
            if c.restriction is not None:
                customer = (RESTRICTED_MARK.get(lang).format(name=c.customer_masked), c.restriction.get(lang))
            rows.append([(c.reference, ""), (c.due_on, ""), (mark, ""),
                         customer, (CATEGORIES[c.category].get(lang), ""),
                         (c.owner_name, ""), (state, "")])
        fill_table(self.table, rows)
        for r, c in enumerate(self.items):
            colour = _MARK_COLOURS.get(c.mark)
            if colour:
                for col in (1, 2):
                    item = self.table.item(r, col)
                    if item is not None:
                        item.setForeground(QColor(colour))
        ids = [c.complaint_id for c in self.items]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        elif self.current is not None:
            self._update_buttons()  # just resolved here: it stays on screen (its letter) until another is chosen
        elif self.items:
            self.table.selectRow(0)
        else:
            self._show_detail(None)

    def _selected(self) -> None:
        rows = selected_rows(self.table)
        if not rows or rows[0] >= len(self.items):
            return
        chosen = self.items[rows[0]]
        vault, user = self.ctx.vault, self.user
        self.reading += 1

        def shown(info: ComplaintInfo) -> None:
            self.reading -= 1
            self._show_detail(info)

        def failed(exc: BaseException) -> None:
            self.reading -= 1
            self._failed(exc)
        run_task(self, lambda: queue.get(vault, user, chosen.complaint_id), shown, failed)

    @property
    def idle(self) -> bool:
        """No read or step is running (tests wait for it before the page may go)."""
        return not (self.loading or self.busy or self.reading)

    def _show_detail(self, info: ComplaintInfo | None) -> None:
        self.current = info
        lang = self.ctx.lang
        restriction = info.restriction if info is not None else None
        self.restriction.setText(restriction.get(lang) if restriction is not None else "")
        self.restriction.setVisible(restriction is not None)
        if info is None:
            self.detail.setPlainText(t("empty", lang) if not self.items else t("select", lang))
        else:
            self.detail.setHtml(self._html(info, lang))
        self._update_buttons()

    def _html(self, c: ComplaintInfo, lang: str) -> str:
        def row(key: str, value: str) -> str:
            return f"<tr><td><b>{escape(t(key, lang))}</b></td><td>{escape(value)}</td></tr>"
        extension = t("none", lang)
        if c.extension_state:
            extension = t("d_extension_days", lang).format(state=EXTENSION_STATES[c.extension_state].get(lang),
                                                          days=c.extension_days, by=c.extension_requested_by_name)
        parts = [f"<h3>{escape(c.reference)} · {escape(STATUSES[c.status].get(lang))}</h3><table>",
                 row("d_received", format_time(c.received_at, lang)), row("d_by", c.received_by_name),
                 row("d_channel", CHANNELS[c.channel].get(lang)), row("d_category", CATEGORIES[c.category].get(lang)),
                 row("d_customer", c.customer_masked or t("anonymous", lang)),
                 row("d_sale", c.confirmation_number or t("none", lang)),
                 row("d_complexity", COMPLEXITIES[c.complexity].get(lang)), row("d_owner", c.owner_name),
                 row("d_due", f"{c.due_on} · {MARKS[c.mark].get(lang)}"), row("d_extension", extension)]
        if c.outcome:
            parts.append(row("d_outcome", OUTCOMES[c.outcome].get(lang)))
        if c.customer_response:
            parts.append(row("d_response", RESPONSES[c.customer_response].get(lang)))
        if c.reopen_count:
            parts.append(row("d_reopened", str(c.reopen_count)))
        parts.append("</table>")
        parts.append(f"<p><b>{escape(t('d_words', lang))}</b><br/>{escape(c.words or '')}</p>")
        if c.decision:
            parts.append(f"<p><b>{escape(t('d_decision', lang))}</b><br/>{escape(c.decision)}</p>")
        parts.append(f"<p><b>{escape(zone_heading(t('d_history', lang), lang))}</b></p><ol>")
        for e in c.events:
            extra = " → " + e.to_name if e.to_name else ""
            extra += f" · {e.due_on}" if e.due_on else ""
            note = f"<br/><i>{escape(e.note)}</i>" if e.note else ""
            parts.append(f"<li>{escape(format_time(e.at, lang, zone=False))} {escape(EVENT_KINDS[e.kind].get(lang))}"
                         f" · {escape(e.by_name)}{escape(extra)}{note}</li>")
        parts.append("</ol>")
        return "".join(parts)

    def _update_buttons(self) -> None:
        c, user = self.current, self.user
        role = user.role if user is not None else None
        show = dict.fromkeys(self.buttons, False)
        if c is not None and role is not None:
            owner_open = c.can_handle
            show["hand_over"] = c.status == OPEN and (owner_open or can(role, "complaint.queue")) \
                and can(role, "complaint.handle")
            show["reclassify"] = owner_open and c.complexity in (SIMPLE, COMPLEX) and not c.reopen_count \
                and c.extension_state not in ("requested", APPROVED)
            show["extend"] = owner_open and not c.reopen_count and c.extension_state in (None, "refused")
            show["approve"] = show["refuse"] = c.can_approve
            show["notice"] = owner_open and c.extension_state == APPROVED
            show["resolve"] = owner_open
            show["response"] = c.status == RESOLVED and c.owner_id == user.user_id
            show["reopen"] = c.status == RESOLVED and can(role, "complaint.handle")
            show["letter"] = c.status == RESOLVED
            if not c.here:  # a copy from another workstation: its supervisor here may only decide an extension
                for key in ("hand_over", "reclassify", "extend", "notice", "resolve", "response", "reopen"):
                    show[key] = False
        for key, button in self.buttons.items():
            button.setVisible(show[key])
            button.setEnabled(not self.busy)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.message.show_error(error_text(exc, self.ctx.lang))
        self._update_buttons()

    # ---- steps ------------------------------------------------------------------------------------------
    def _submit(self, dialog, call: Callable[[], ComplaintInfo]) -> None:
        """Run a core call in the background; close the dialog and show the result, or the refusal in it."""
        self.busy = True
        self._update_buttons()

        def ok(info: ComplaintInfo) -> None:
            self.busy = False
            if dialog is not None:
                dialog.accept()
            self.message.show_info(lambda: t("saved", self.ctx.lang))
            self.changed_here()
            self.current = info
            self._show_detail(info)
            self.refresh()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.busy = False
            self._update_buttons()
            if dialog is not None:
                dialog.show_error(exc)
            else:
                self.message.show_error(error_text(exc, self.ctx.lang))
        run_task(self, call, ok, failed)

    def new_complaint(self) -> None:
        if self.user is None or not can(self.user.role, "complaint.record") or self.dialog is not None:
            return
        dialog = RecordDialog(self.ctx, self)
        vault, user = self.ctx.vault, self.user
        dialog.submitted.connect(lambda new: self._submit(dialog, lambda: handling.record(vault, user, new)))
        self.open_dialog(dialog)

    def _step(self, name: str, title_key: str, submit: Callable[[dict], Callable[[], ComplaintInfo]],
              **fields) -> None:
        if self.current is None or self.dialog is not None:
            return
        dialog = StepDialog(self.ctx, name, t(title_key, self.ctx.lang).replace("&", "").rstrip("…"), **fields)
        dialog.submitted.connect(lambda values: self._submit(dialog, submit(values)))
        self.open_dialog(dialog)

    def hand_over(self) -> None:
        vault, user, cid = self.ctx.vault, self.user, self._cid()
        lang = self.ctx.lang

        def opened(people) -> None:
            choices = [(h.user_id, h.display_name) for h in people if h.user_id != self.current_owner()]
            self._step("complaint_handover_dialog", "hand_over",
                       lambda v: lambda: handling.hand_over(vault, user, cid, v["person"], v["text"]),
                       people=choices, text_label=t("s_reason", lang))
        run_task(self, lambda: queue.handlers(vault, user), opened, self._failed)

    def current_owner(self) -> str | None:
        return self.current.owner_id if self.current is not None else None

    def _cid(self) -> str:
        assert self.current is not None  # the buttons show only with a complaint selected
        return self.current.complaint_id

    def reclassify(self) -> None:
        vault, user, cid, lang = self.ctx.vault, self.user, self._cid(), self.ctx.lang
        choices = {k: COMPLEXITIES[k] for k in (SIMPLE, COMPLEX) if k != self.current.complexity}  # type: ignore[union-attr]
        self._step("complaint_reclassify_dialog", "reclassify",
                   lambda v: lambda: handling.reclassify(vault, user, cid, v["choice"], v["text"]),
                   choice=(t("s_complexity", lang), choices), text_label=t("s_reason", lang))

    def extend(self) -> None:
        vault, user, cid, lang = self.ctx.vault, self.user, self._cid(), self.ctx.lang
        values = vault.settings()  # type: ignore[union-attr]
        low, high = int(values[COMPLAINT_COMPLEX_DAYS]) + 1, int(values[COMPLAINT_MAX_DAYS])
        self._step("complaint_extension_dialog", "extend",
                   lambda v: lambda: handling.request_extension(vault, user, cid, v["days"], v["text"]),
                   days=(low, high + 30, high), text_label=t("s_reason", lang))  # over the limit: the core refuses

    def approve(self) -> None:
        vault, user, cid = self.ctx.vault, self.user, self._cid()
        self._submit(None, lambda: handling.decide_extension(vault, user, cid, True))

    def refuse(self) -> None:
        vault, user, cid, lang = self.ctx.vault, self.user, self._cid(), self.ctx.lang
        self._step("complaint_refuse_dialog", "refuse",
                   lambda v: lambda: handling.decide_extension(vault, user, cid, False, v["text"]),
                   text_label=t("s_reason", lang))

    def notice(self) -> None:
        vault, user, cid, lang = self.ctx.vault, self.user, self._cid(), self.ctx.lang
        self._step("complaint_notice_dialog", "notice",
                   lambda v: lambda: handling.record_notice(vault, user, cid, v["choice"], v["text"]),
                   choice=(t("s_method", lang), NOTICE_METHODS), text_label=t("s_note", lang))

    def resolve(self) -> None:
        vault, user, cid, lang = self.ctx.vault, self.user, self._cid(), self.ctx.lang
        self._step("complaint_resolve_dialog", "resolve",
                   lambda v: lambda: handling.resolve(vault, user, cid, v["choice"], v["text"]),
                   choice=(t("s_outcome", lang), OUTCOMES), text_label=t("s_decision", lang))

    def response(self) -> None:
        vault, user, cid, lang = self.ctx.vault, self.user, self._cid(), self.ctx.lang
        self._step("complaint_response_dialog", "response",
                   lambda v: lambda: handling.record_response(vault, user, cid, v["choice"], v["text"]),
                   choice=(t("s_response", lang), RESPONSES), text_label=t("s_note", lang))

    def reopen(self) -> None:
        vault, user, cid, lang = self.ctx.vault, self.user, self._cid(), self.ctx.lang
        self._step("complaint_reopen_dialog", "reopen",
                   lambda v: lambda: handling.reopen(vault, user, cid, v["choice"], v["text"]),
                   choice=(t("s_reopen_reason", lang), REOPEN_REASONS), text_label=t("s_reason", lang))

    def print_letter(self) -> None:
        """The letter in the interface's language, rendered by the core, then the print dialog."""
        vault, user, cid, lang = self.ctx.vault, self.user, self._cid(), self.ctx.lang
        self.busy = True
        self._update_buttons()

        def rendered(pdf: bytes) -> None:
            self.busy = False
            self._update_buttons()
            self.last_letter = pdf
            printer = self.choose_printer(self, t("print_title", self.ctx.lang))
            if printer is None:
                return
            print_pdf(pdf, printer)
            self.message.show_info(lambda: t("printed", self.ctx.lang))
            self.changed.emit()
        run_task(self, lambda: letter.letter_pdf(vault, user, cid, lang), rendered, self._failed)

    # ---- texts ------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        lang = self.ctx.lang
        self.title.setText(t("title", lang))
        self.intro.setText(t("intro", lang))
        self.new_button.setText(t("new", lang))
        self.show_resolved.setText(t("show_resolved", lang))
        self.refresh_button.setText(t("refresh", lang))
        self.table.setHorizontalHeaderLabels([
            t("col_reference", lang), zone_heading(t("col_due", lang), lang), t("col_mark", lang),
            t("col_customer", lang), t("col_category", lang), t("col_owner", lang), t("col_state", lang)])
        for key, button in self.buttons.items():
            button.setText(t(key, lang))
        if self.items:
            self.show_data(self.items)
        else:
            self._show_detail(self.current)

    def focus_after_dialog(self) -> QWidget:
        return self.table
