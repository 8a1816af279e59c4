"""Suspicious-transaction referrals (可疑交易报告线索): the AML officer's queue and closing a referral.

Thin: the queue, the checks and the closing are in counterdesk.services.customers.referral_queue; the
page reads and writes off the UI thread and shows the core's per-field problems beside their fields.
The customer's name is masked; the auditor reads the queue but cannot close (the core refuses too).
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.branchtime import format_time, zone_heading
from counterdesk.base.roles import can
from counterdesk.base.text import Text
from counterdesk.services.customers import referral_queue
from counterdesk.services.customers.referral_queue import OUTCOMES, QueueItem
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import LoadingPage, MessageLabel, error_text, page_title
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tables import fill_table, selected_rows, stretch_table
from counterdesk.ui.widgets.tasks import run_task

M: dict[str, Text] = {
    "title": Text("可疑交易报告线索", "Suspicious-transaction referrals"),
    "intro": Text("客户尽职调查无法完成或制裁名单确认命中时，系统向反洗钱岗位提交线索。逐条分析后记录处理结果和说明；"
                  "客户姓名已脱敏。",
                  "A referral is recorded when customer due diligence cannot be completed or a sanctions match is "
                  "confirmed. Analyse each one, then record the outcome and a note; customers' names are masked."),
    "show_closed": Text("显示已处理(&W)", "Sho&w closed"),
    "refresh": Text("刷新 (F5)", "Refresh (F5)"),
    "col_when": Text("提交时间", "Referred at"),
    "col_customer": Text("客户", "Customer"),
    "col_reason": Text("原因", "Reason"),
    "col_by": Text("提交人", "Referred by"),
    "col_state": Text("状态", "State"),
    "open": Text("待处理", "Open"),
    "closed": Text("已处理", "Closed"),
    "unknown_customer": Text("（未识别客户）", "(no customer)"),
    "empty": Text("没有待处理的线索。", "No referral is open."),
    "d_reason": Text("原因", "Reason"),
    "d_rule": Text("依据", "Rule"),
    "d_session": Text("会话", "Session"),
    "d_product": Text("产品及金额", "Product and amount"),
    "d_outcome": Text("处理结果", "Outcome"),
    "d_note": Text("分析说明", "Note"),
    "d_closed": Text("处理人及时间", "Closed by, at"),
    "outcome": Text("处理结果(&O)", "&Outcome"),
    "choose": Text("— 请选择 —", "— choose —"),
    "note": Text("分析说明(&N)", "&Note"),
    "close": Text("记录处理结果(&C)", "Record and &close"),
    "closed_done": Text("已记录处理结果。", "The referral is closed."),
    "read_only": Text("审计员只能查看线索。", "The auditor reads the queue only."),
}


def t(key: str, lang: str) -> str:
    return M[key].get(lang)


class AmlReferralsPage(LoadingPage):
    closed = Signal(str)  # the referral id just closed (tests wait on it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = ctx.user
        self.items: list[QueueItem] = []
        self.busy = False
        self.title = page_title()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.show_closed = QCheckBox()
        self.show_closed.setObjectName("referrals_show_closed")
        self.show_closed.toggled.connect(lambda _on: self.refresh())
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("referrals_refresh")
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(self.show_closed)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        self.table = stretch_table("referrals_table", 5, 2)
        self.table.itemSelectionChanged.connect(self._selected)
        self.details = QTextBrowser()
        self.details.setObjectName("referral_details")
        self.outcome = QComboBox()
        self.outcome.setObjectName("referral_outcome")
        self.outcome.currentIndexChanged.connect(lambda _i: self._clear_problem("outcome"))
        self.note = QPlainTextEdit()
        self.note.setObjectName("referral_note")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(90)
        self.note.textChanged.connect(lambda: self._clear_problem("note"))
        self.outcome_label, self.note_label = QLabel(), QLabel()
        self.outcome_label.setBuddy(self.outcome)
        self.note_label.setBuddy(self.note)
        self.problems: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label, editor in (("outcome", self.outcome_label, self.outcome),
                                   ("note", self.note_label, self.note)):
            problem = QLabel()
            problem.setObjectName(f"referral_{key}_problem")
            theme.set_role(problem, "error")
            problem.hide()
            self.problems[key] = problem
            column = QVBoxLayout()
            column.addWidget(editor)
            column.addWidget(problem)
            form.addRow(label, column)
        self.close_button = QPushButton()
        self.close_button.setObjectName("referral_close")
        self.close_button.clicked.connect(self.close_referral)
        actions = QHBoxLayout()
        actions.addWidget(self.close_button)
        actions.addStretch(1)
        self.message = MessageLabel()
        outer = QVBoxLayout(self)
        for w in (self.title, self.intro):
            outer.addWidget(w)
        outer.addLayout(bar)
        outer.addWidget(self.table, 1)
        outer.addWidget(self.details, 1)
        outer.addLayout(form)
        outer.addLayout(actions)
        outer.addWidget(self.message)
        shortcut = QShortcut(QKeySequence("F5"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        self.retranslate()

    @property
    def may_close(self) -> bool:
        return self.user is not None and can(self.user.role, "aml.referral.close")

    def retranslate(self) -> None:
        lang = self.ctx.lang
        self.title.setText(t("title", lang))
        self.intro.setText(t("intro", lang))
        self.show_closed.setText(t("show_closed", lang))
        self.refresh_button.setText(t("refresh", lang))
        self.table.setHorizontalHeaderLabels([zone_heading(t("col_when", lang), lang), t("col_customer", lang),
                                              t("col_reason", lang), t("col_by", lang), t("col_state", lang)])
        self.outcome_label.setText(t("outcome", lang))
        self.note_label.setText(t("note", lang))
        self.close_button.setText(t("close", lang))
        current = self.outcome.currentData()
        self.outcome.blockSignals(True)
        self.outcome.clear()
        self.outcome.addItem(t("choose", lang), None)  # nothing decided for the officer
        for code, text in OUTCOMES.items():
            self.outcome.addItem(text.get(lang), code)
        self.outcome.setCurrentIndex(max(self.outcome.findData(current), 0))
        self.outcome.blockSignals(False)
        if self.items:
            self.show_data(self.items)
        else:
            self._show_detail(None)

    # ---- reading -------------------------------------------------------------------------------------------
    def can_read(self) -> bool:
        return self.ctx.vault is not None and self.user is not None

    def read_job(self):
        vault, user, include_closed = self.ctx.vault, self.user, self.show_closed.isChecked()
        return lambda: referral_queue.queue(vault, user, include_closed=include_closed)

    def show_data(self, data) -> None:
        keep = self.current.referral.referral_id if self.current is not None else None
        self.items = list(data)
        lang = self.ctx.lang
        fill_table(self.table, [[(format_time(i.referral.created_at, lang, zone=False), ""),
                                 (i.customer_masked or t("unknown_customer", lang), ""),
                                 (i.referral.reason.get(lang), i.referral.reason.get(lang)),
                                 (i.created_by_name, ""), (t(i.status, lang), "")] for i in self.items])
        ids = [i.referral.referral_id for i in self.items]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        elif self.items:
            self.table.selectRow(0)
        self._selected()

    @property
    def current(self) -> QueueItem | None:
        rows = selected_rows(self.table)
        return self.items[rows[0]] if rows and rows[0] < len(self.items) else None

    def _selected(self) -> None:
        self._show_detail(self.current)

    def _show_detail(self, item: QueueItem | None) -> None:
        lang = self.ctx.lang
        if item is None:
            self.details.setPlainText(t("empty", lang))
        else:
            r = item.referral
            rows = [("d_reason", r.reason.get(lang)), ("d_rule", r.citation.get(lang)), ("d_session", r.session_id)]
            if r.product_code:
                rows.append(("d_product", " ".join(x for x in (r.product_code, r.currency or "", r.amount or "") if x)))
            if item.outcome_text is not None:
                rows += [("d_outcome", item.outcome_text.get(lang)), ("d_note", item.note or ""),
                         ("d_closed", f"{item.closed_by_name} · {format_time(item.closed_at or '', lang)}")]
            self.details.setHtml("<table>" + "".join(
                f"<tr><td><b>{escape(t(k, lang))}</b>&nbsp;&nbsp;</td><td>{escape(v)}</td></tr>" for k, v in rows)
                + "</table>")
        self._update_form(item)

    def _update_form(self, item: QueueItem | None) -> None:
        editable = self.may_close and item is not None and item.status == referral_queue.OPEN and not self.busy
        for w in (self.outcome, self.note, self.close_button):
            w.setEnabled(editable)
        self.close_button.setToolTip("" if self.may_close else t("read_only", self.ctx.lang))

    # ---- closing -------------------------------------------------------------------------------------------
    def _clear_problem(self, field: str) -> None:
        label = self.problems[field]
        label.clear()
        label.hide()

    def _show_problems(self, problems: list[tuple[str, Text]]) -> None:
        lang = self.ctx.lang
        for field, label in self.problems.items():
            found = [text.get(lang) for f, text in problems if f == field]
            label.setText("\n".join(found))
            label.setVisible(bool(found))
        first = next((f for f, _t in problems), None)
        if first is not None:
            (self.outcome if first == "outcome" else self.note).setFocus()

    def close_referral(self) -> None:
        item = self.current
        if item is None or self.busy:
            return
        outcome, note = self.outcome.currentData(), self.note.toPlainText()
        problems = referral_queue.check_close(outcome, note)  # pure: the same checks the core makes again
        self._show_problems(problems)
        if problems:
            return
        vault, user, referral_id = self.ctx.vault, self.user, item.referral.referral_id
        self.busy = True
        self._update_form(item)
        self.message.clear_message()
        self.changed_here()
        run_task(self, lambda: referral_queue.close(vault, user, referral_id, outcome, note), self._closed,
                 self._failed)

    def _closed(self, item: QueueItem) -> None:
        self.busy = False
        self.note.clear()
        self.outcome.setCurrentIndex(0)
        self._show_problems([])
        self.message.show_info(lambda: t("closed_done", self.ctx.lang))
        self.closed.emit(item.referral.referral_id)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self._update_form(self.current)
        self.message.show_error(lambda: error_text(exc, self.ctx.lang))
