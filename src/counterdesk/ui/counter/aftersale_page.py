"""After the sale: cancellations within the cooling-off period (投资冷静期) and the follow-up visits
after it (domain-rules §5).

Two tabs. Sales still inside their cooling-off period can be cancelled for a full refund once the
customer asked for it and the refund's transaction reference is entered. Follow-up visits are due
once the period is over and are made by someone who did not sell the product (the core refuses the
seller; the page says so before anyone tries); each call is recorded with its result and the
reference of its recording (保险销售行为管理办法 art 35). The rules live in
counterdesk.services.signoff.cooling and .follow_up_calls.
"""
from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.branchtime import format_time, zone_heading
from counterdesk.services.catalog.versions import products_by_code
from counterdesk.services.customers.data_rights import RESTRICTED_MARK
from counterdesk.services.signoff import cooling
from counterdesk.services.signoff.cooling import cancel
from counterdesk.services.signoff.follow_up_calls import OUTCOMES, record_call
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import LoadingPage, MessageLabel, error_text, money, page_title
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tables import selected_rows, stretch_table
from counterdesk.ui.widgets.tasks import run_task


def load_aftersale(vault, user):
    """Worker side of a refresh: (sales in cooling-off, open follow-up tasks)."""

    return cooling.in_cooling_off(vault, user), cooling.follow_up_tasks(vault, user), products_by_code(vault, user)


def _restriction_label() -> QLabel:
    label = QLabel()
    label.setObjectName("aftersale_restriction")
    label.setWordWrap(True)
    theme.set_role(label, "error")
    label.hide()
    return label


def _overdue(ts: str) -> bool:
    try:
        return datetime.fromisoformat(ts) < datetime.now(UTC)
    except (TypeError, ValueError):
        return False


class AfterSalePage(LoadingPage):
    changed = Signal(str)  # "cancelled" or "follow_up_done"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.sales: list = []
        self.tasks: list = []
        self.products: dict = {}
        self.busy = False
        self._sale_id: str | None = None
        self._success_text = ""
        lay = QVBoxLayout(self)
        self.title = page_title()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("aftersale_tabs")

        # (a) sales in cooling-off
        cooling_tab = QWidget()
        col = QVBoxLayout(cooling_tab)
        self.cooling_table = stretch_table("cooling_table", 6, 2)
        self.cooling_table.itemSelectionChanged.connect(self._sale_changed)
        self.cooling_details = QLabel()
        self.cooling_details.setObjectName("cooling_details")
        self.cooling_details.setWordWrap(True)
        form = QFormLayout()
        self.refund_reference = QLineEdit()
        self.refund_reference.setObjectName("refund_reference")
        self.refund_reference.setMaxLength(64)
        self.refund_label = QLabel()
        self.refund_label.setBuddy(self.refund_reference)
        form.addRow(self.refund_label, self.refund_reference)
        self.cooling_confirm = QCheckBox()
        self.cooling_confirm.setObjectName("cooling_confirm")
        self.cooling_cancel = QPushButton()
        self.cooling_cancel.setObjectName("cooling_cancel")
        cancel_row = QHBoxLayout()
        cancel_row.addWidget(self.cooling_cancel)
        cancel_row.addStretch(1)
        # Restricted processing (PIPL Art 47), said over the selected sale's details in each tab.
        self.cooling_restriction, self.followup_restriction = _restriction_label(), _restriction_label()
        col.addWidget(self.cooling_table, 1)
        col.addWidget(self.cooling_restriction)
        col.addWidget(self.cooling_details)
        col.addLayout(form)
        col.addWidget(self.cooling_confirm)
        col.addLayout(cancel_row)

        # (b) follow-up visits
        followup_tab = QWidget()
        fol = QVBoxLayout(followup_tab)
        self.followup_table = stretch_table("followup_table", 5, 2)
        self.followup_table.itemSelectionChanged.connect(self._update)
        self.followup_details = QLabel()
        self.followup_details.setObjectName("followup_details")
        self.followup_details.setWordWrap(True)
        form2 = QFormLayout()
        # Each call is recorded with its result and the call recording (保险销售行为管理办法 art 35); no result
        # is chosen in advance.
        self.followup_result = QComboBox()
        self.followup_result.setObjectName("followup_result")
        self.followup_result.addItem("", None)
        for code in OUTCOMES:
            self.followup_result.addItem("", code)
        self.result_label = QLabel()
        self.result_label.setBuddy(self.followup_result)
        form2.addRow(self.result_label, self.followup_result)
        self.followup_recording = QLineEdit()
        self.followup_recording.setObjectName("followup_recording")
        self.followup_recording.setMaxLength(64)
        self.recording_label = QLabel()
        self.recording_label.setBuddy(self.followup_recording)
        form2.addRow(self.recording_label, self.followup_recording)
        self.followup_outcome = QLineEdit()
        self.followup_outcome.setObjectName("followup_outcome")
        self.followup_outcome.setMaxLength(500)
        self.outcome_label = QLabel()
        self.outcome_label.setBuddy(self.followup_outcome)
        form2.addRow(self.outcome_label, self.followup_outcome)
        self.followup_done = QPushButton()
        self.followup_done.setObjectName("followup_done")
        done_row = QHBoxLayout()
        done_row.addWidget(self.followup_done)
        done_row.addStretch(1)
        fol.addWidget(self.followup_table, 1)
        fol.addWidget(self.followup_restriction)
        fol.addWidget(self.followup_details)
        fol.addLayout(form2)
        fol.addLayout(done_row)

        self.tabs.addTab(cooling_tab, "")
        self.tabs.addTab(followup_tab, "")
        bottom = QHBoxLayout()
        self.message = MessageLabel()
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("aftersale_refresh")
        bottom.addStretch(1)
        bottom.addWidget(self.refresh_button)
        lay.addWidget(self.title)
        lay.addWidget(self.intro)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.message)
        lay.addLayout(bottom)
        self.cooling_cancel.clicked.connect(self.cancel_sale)
        self.followup_done.clicked.connect(self.complete_follow_up)
        self.refund_reference.returnPressed.connect(self.cancel_sale)
        self.followup_outcome.returnPressed.connect(self.complete_follow_up)
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self).activated.connect(self.refresh)
        self.retranslate()

    # ---- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Cooling-off and follow-ups"))
        self.intro.setText(self.tr(
            "During the cooling-off period the customer may cancel a sale for a full refund. Once the period is "
            "over, a member of staff who did not sell the product visits or calls the customer and records "
            "the outcome."))
        self.cooling_table.setHorizontalHeaderLabels([
            self.tr("Document number"), self.tr("Customer"), self.tr("Product"), self.tr("Amount"),
            zone_heading(self.tr("Cooling-off until"), self.ctx.lang), self.tr("Seller")])
        self.followup_table.setHorizontalHeaderLabels([
            self.tr("Document number"), self.tr("Customer"), self.tr("Product"), self.tr("Seller"),
            zone_heading(self.tr("Due"), self.ctx.lang)])
        self.refund_label.setText(self.tr("Refund &reference"))
        self.refund_reference.setPlaceholderText(self.tr("Transaction reference of the full refund"))
        self.cooling_confirm.setText(self.tr("The customer asked to cancel within the cooling-off period"))
        self.cooling_cancel.setText(self.tr("Record &cancellation with full refund"))
        self.outcome_label.setText(self.tr("&Outcome of the visit"))
        self.followup_outcome.setPlaceholderText(self.tr("What the customer said; whether they understand the risks"))
        self.followup_done.setText(self.tr("Record the &follow-up visit"))
        self.result_label.setText(self.tr("Call res&ult"))
        self.followup_result.setItemText(0, self.tr("Choose…"))
        for i, code in enumerate(OUTCOMES, start=1):
            self.followup_result.setItemText(i, OUTCOMES[code].get(self.ctx.lang))
        self.recording_label.setText(self.tr("Call recordin&g reference"))
        self.followup_recording.setPlaceholderText(self.tr("Reference of the recorded call, e.g. CALL-2026-000123"))
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self._fill()

    def _tab_titles(self) -> None:
        self.tabs.setTabText(0, self.tr("In cooling-off ({count})").format(count=len(self.sales)))
        self.tabs.setTabText(1, self.tr("Follow-up visits ({count})").format(count=len(self.tasks)))

    # ---- loading ----------------------------------------------------------------------------------
    def read_job(self):
        vault, user = self.ctx.vault, self.ctx.user
        return lambda: load_aftersale(vault, user)

    def show_data(self, data) -> None:
        sales, tasks, products = data
        self.sales, self.tasks, self.products = list(sales), list(tasks), products
        self._fill()

    def _fill(self) -> None:
        """Refill both tables, keeping the selected sale and task by id."""
        sale, task = self.current_sale(), self.current_task()
        sale_id = sale.signoff_id if sale is not None else None
        task_id = task.task_id if task is not None else None
        for table, rows, key, keep in (
                (self.cooling_table, [self._sale_cells(s) for s in self.sales], [s.signoff_id for s in self.sales],
                 sale_id),
                (self.followup_table, [self._task_cells(t) for t in self.tasks], [t.task_id for t in self.tasks],
                 task_id)):
            table.blockSignals(True)
            table.setRowCount(0)
            table.setRowCount(len(rows))
            for r, cells in enumerate(rows):
                for c, (text, align, tip, warn) in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if align:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if tip:
                        item.setToolTip(tip)
                    if warn:
                        item.setForeground(QBrush(QColor("#b00020")))
                    table.setItem(r, c, item)
            # Keep the selection; select the first row only when nothing was selected (a row that
            # vanished, e.g. cancelled at another desk, leaves nothing selected rather than another sale).
            row = key.index(keep) if keep in key else (0 if rows and keep is None else -1)
            if row >= 0:
                table.selectRow(row)
            table.blockSignals(False)
        self._tab_titles()
        self._sale_changed()

    def _customer_cell(self, item) -> tuple:
        if item.restriction is None:
            return item.customer_masked, False, "", False
        lang = self.ctx.lang
        return (RESTRICTED_MARK.get(lang).format(name=item.customer_masked), False, item.restriction.get(lang), True)

    def _sale_cells(self, s) -> list[tuple]:
        return [(s.document_number, False, "", False), self._customer_cell(s),
                (self._product(s.product_code), False, "", False), (money(s.amount), True, "", False),
                (format_time(s.cooling_off_until, self.ctx.lang, zone=False), False, "", False),
                (s.seller_name, False, "", False)]

    def _product(self, code: str) -> str:
        product = self.products.get(code)
        return f"{code} {product.name(self.ctx.lang)}" if product is not None else code

    def _task_cells(self, t) -> list[tuple]:
        late = _overdue(t.due_at)
        due = format_time(t.due_at, self.ctx.lang, zone=False)
        return [(t.document_number, False, "", False), self._customer_cell(t),
                (self._product(t.product_code), False, "", False), (t.seller_name, False, "", False),
                (self.tr("{due} (overdue)").format(due=due) if late else due, False, "", late)]

    # ---- selection --------------------------------------------------------------------------------
    def current_sale(self):
        row = next(iter(selected_rows(self.cooling_table)), -1)
        return self.sales[row] if 0 <= row < len(self.sales) else None

    def current_task(self):
        row = next(iter(selected_rows(self.followup_table)), -1)
        return self.tasks[row] if 0 <= row < len(self.tasks) else None

    def _sale_changed(self) -> None:
        """The customer's request and the refund belong to one sale: start over when another is chosen."""
        sale = self.current_sale()
        sale_id = sale.signoff_id if sale is not None else None
        if sale_id != self._sale_id:
            self._sale_id = sale_id
            self.refund_reference.clear()
            self.cooling_confirm.setChecked(False)
        self._update()

    def _update(self) -> None:
        sale, task = self.current_sale(), self.current_task()
        for label, item in ((self.cooling_restriction, sale), (self.followup_restriction, task)):
            restriction = item.restriction if item is not None else None
            label.setText(restriction.get(self.ctx.lang) if restriction is not None else "")
            label.setVisible(restriction is not None)
        if sale is None:
            self.cooling_details.setText(self.tr("No sale is in its cooling-off period.") if not self.sales
                                         else self.tr("Select a sale."))
        else:
            self.cooling_details.setText(self.tr(
                "Sale {document} ({product}, amount {amount}) was signed on {signed}. Until {until} the customer may "
                "cancel it for a full refund: make the refund first, then record it here with its reference.")
                .format(document=sale.document_number, product=sale.product_code, amount=money(sale.amount),
                        signed=format_time(sale.signed_at, self.ctx.lang),
                        until=format_time(sale.cooling_off_until, self.ctx.lang)))
        can_cancel = sale is not None and not self.busy
        for w in (self.refund_reference, self.cooling_confirm, self.cooling_cancel):
            w.setEnabled(can_cancel)

        if task is None:
            self.followup_details.setText(self.tr("No follow-up visit is due.") if not self.tasks
                                          else self.tr("Select a follow-up task."))
            theme.set_state(self.followup_details, "")
        elif not task.can_do:
            self.followup_details.setText(self.tr(
                "You sold this product ({document}): the follow-up visit must be made by a colleague who did not "
                "sell it.").format(document=task.document_number))
            theme.set_state(self.followup_details, "warning")
        else:
            self.followup_details.setText(self.tr(
                "Sale {document} ({product}) sold by {seller}: contact the customer, check that they understand "
                "the product and its risks, and record the outcome. Due by {due}.")
                .format(document=task.document_number, product=task.product_code, seller=task.seller_name,
                        due=format_time(task.due_at, self.ctx.lang)))
            theme.set_state(self.followup_details, "")
        can_do = task is not None and task.can_do and not self.busy
        for w in (self.followup_result, self.followup_recording, self.followup_outcome, self.followup_done):
            w.setEnabled(can_do)
        self.followup_done.setToolTip("" if task is None or task.can_do else self.followup_details.text())

    # ---- actions ----------------------------------------------------------------------------------
    def cancel_sale(self) -> None:

        sale = self.current_sale()
        if sale is None or self.busy:
            return
        if not self.cooling_confirm.isChecked():
            self.message.show_error(self.tr("Tick the box to confirm that the customer asked to cancel within the "
                                            "cooling-off period."))
            self.cooling_confirm.setFocus()
            return
        vault, user, ref = self.ctx.vault, self.ctx.user, self.refund_reference.text()
        self._start(self.tr("Cancellation of {document} recorded with refund {reference}.").format(
            document=sale.document_number, reference=ref.strip()))
        run_task(self, lambda: cancel(vault, user, sale.signoff_id, ref), self._cancelled, self._failed)

    def complete_follow_up(self) -> None:

        task = self.current_task()
        if task is None or not task.can_do or self.busy:
            return
        vault, user, notes = self.ctx.vault, self.ctx.user, self.followup_outcome.text()
        result, recording = self.followup_result.currentData(), self.followup_recording.text()
        self._start(self.tr("Follow-up visit for {document} recorded.").format(document=task.document_number))
        run_task(self, lambda: record_call(vault, user, task.signoff_id, result, recording, notes),
                 self._followed_up, self._failed)

    # Result slots are bound methods, never lambdas capturing self: a finished task would hold the
    # page's last reference and free it from inside the task's own destructor.
    def _start(self, success_text: str) -> None:
        self.busy = True
        self._success_text = success_text
        self.changed_here()
        self.message.clear_message()
        self._update()

    def _cancelled(self, _result) -> None:
        self.refund_reference.clear()
        self.cooling_confirm.setChecked(False)
        self._done("cancelled")

    def _followed_up(self, _result) -> None:
        self.followup_outcome.clear()
        self.followup_recording.clear()
        self.followup_result.setCurrentIndex(0)
        self._done("follow_up_done")

    def _done(self, what: str) -> None:
        self.busy = False
        self.message.show_info(self._success_text)
        self.changed.emit(what)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self._update()
        self.message.show_error(error_text(exc, self.ctx.lang))
        if getattr(exc, "code", "") in ("already_cancelled", "cooling_off_over", "task_done", "task_not_found"):
            self.refresh()
