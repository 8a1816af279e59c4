"""The recommendation page of a counter session: products the customer may buy, best fit first,
each with its reason; the customer's own request for another product is a separate, deliberate
action. The decisions come from counterdesk.suitability; this page only shows and chooses."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from counterdesk.suitability import explain
from counterdesk.ui.counter.session_steps import StepWidget

HORIZONS = ("within_1y", "from_1y_to_3y", "from_3y_to_5y", "above_5y")
EXTRA_DECLARED = ("household_net_financial_assets", "household_financial_assets", "avg_income_3y",
                  "household_annual_income")


class RecommendationStep(StepWidget):
    propose_requested = Signal(dict)
    request_checked = Signal(str, dict)  # product code, the inputs on screen (as for propose_requested)
    choose_requested = Signal(str, bool)  # product code, customer-initiated

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.proposal = None
        self.own_request = None  # (code, Decision) of the customer's own request
        # The inputs asked for last, and those the proposal shown was made for: a product is chosen
        # only for the amount on screen, never for one typed before.
        self._asked_for: dict | None = None
        self._shown_for: dict | None = None
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.amount = QLineEdit()
        self.amount.setObjectName("sale_amount")
        self.assets = QLineEdit()
        self.assets.setObjectName("investable_assets")
        self.horizon = QComboBox()
        self.horizon.setObjectName("sale_horizon")
        for value in HORIZONS:
            self.horizon.addItem("", value)
        self.labels = [QLabel() for _ in range(3)]
        for label, w in zip(self.labels, (self.amount, self.assets, self.horizon)):
            label.setBuddy(w)
            form.addRow(label, w)
        # What private products (qualified investor) and bank-channel insurance need the customer to
        # declare; optional: without them those products are refused with the reason shown.
        self.extra = QGroupBox()
        self.extra.setCheckable(True)
        self.extra.setChecked(False)
        self.extra.setObjectName("declared_finances")
        extra_form = QFormLayout(self.extra)
        self.extra_form = extra_form
        self.extra_fields = {}
        for key in EXTRA_DECLARED:
            edit = QLineEdit()
            edit.setObjectName(key)
            label = QLabel()
            label.setBuddy(edit)
            self.extra_fields[key] = (label, edit)
            extra_form.addRow(label, edit)
        self.propose = QPushButton()
        self.propose.setObjectName("propose")
        self.filter = QLineEdit()
        self.filter.setObjectName("product_filter")
        top = QHBoxLayout()
        top.addWidget(self.propose)
        top.addStretch(1)
        top.addWidget(self.filter)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("ranked_products")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        # The product's name and "Why" share the width that is left (shortened with …, the full text in the
        # cell's tooltip and the reasons in the details beside it): never a horizontal scroll bar.
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().hide()  # the "#" column numbers the rows already
        self.details = QTextBrowser()
        self.details.setObjectName("decision_details")
        own = QHBoxLayout()
        self.own_code = QLineEdit()
        self.own_code.setObjectName("own_request_code")
        self.own_check = QPushButton()
        self.own_check.setObjectName("own_request_check")
        self.own_choose = QPushButton()
        self.own_choose.setObjectName("own_request_choose")
        self.own_choose.setEnabled(False)
        own.addWidget(self.own_code, 1)
        own.addWidget(self.own_check)
        own.addWidget(self.own_choose)
        self.choose = QPushButton()
        self.choose.setObjectName("choose_product")
        self.choose.setEnabled(False)
        self.own_label = QLabel()
        self.own_label.setWordWrap(True)
        lay.addLayout(form)
        lay.addWidget(self.extra)
        lay.addLayout(top)
        # The selected product's decision beside the list, so the list keeps its height on a 1366×768 screen.
        products = QHBoxLayout()
        products.addWidget(self.table, 2)
        products.addWidget(self.details, 1)
        lay.addLayout(products, 1)
        lay.addWidget(self.choose)
        lay.addWidget(self.own_label)
        lay.addLayout(own)
        lay.addWidget(self.message)
        self.propose.clicked.connect(self._propose)
        for edit in (self.amount, self.assets, *(e for _label, e in self.extra_fields.values())):
            edit.textEdited.connect(self._inputs_edited)
        self.horizon.currentIndexChanged.connect(self._inputs_edited)
        self.extra.toggled.connect(self._inputs_edited)
        # Folded while unused, so the products table keeps its rows on a 1366×768 screen.
        self.extra.toggled.connect(self._show_extra)
        self._show_extra(False)
        self.amount.returnPressed.connect(self.assets.setFocus)
        self.assets.returnPressed.connect(self._propose)
        self.filter.textChanged.connect(self._apply_filter)
        self.table.itemSelectionChanged.connect(self._selected)
        self.choose.clicked.connect(self._choose_ranked)
        self.own_check.clicked.connect(self._check_own)
        self.own_choose.clicked.connect(self._choose_own)
        self.own_label.setBuddy(self.own_code)  # its accelerator goes to the code field
        self.own_code.returnPressed.connect(self._check_own)
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.ctx.lang
        for label, text in zip(self.labels, (self.tr("&Amount to invest (CNY)"),
                                             self.tr("&Investable assets declared by the customer (CNY)"),
                                             self.tr("Money may be &needed"))):
            label.setText(text)
        horizons = {"within_1y": self.tr("within 1 year"), "from_1y_to_3y": self.tr("in 1 to 3 years"),
                    "from_3y_to_5y": self.tr("in 3 to 5 years"), "above_5y": self.tr("after 5 years")}
        for i, value in enumerate(HORIZONS):
            self.horizon.setItemText(i, horizons[value])
        self.propose.setText(self.tr("Sh&ow suitable products"))
        self.extra.setTitle(self.tr("Declared finances for private products and insurance (optional)"))
        extra_labels = {"household_net_financial_assets": self.tr("Household net financial assets (CNY)"),
                        "household_financial_assets": self.tr("Household financial assets (CNY)"),
                        "avg_income_3y": self.tr("Average personal income, last 3 years (CNY)"),
                        "household_annual_income": self.tr("Household annual income (CNY)")}
        for key, (label, _edit) in self.extra_fields.items():
            label.setText(extra_labels[key])
        self.filter.setPlaceholderText(self.tr("Filter by code or name"))
        self.table.setHorizontalHeaderLabels([self.tr("#"), self.tr("Code"), self.tr("Product"), self.tr("Risk"),
                                              self.tr("Why")])
        self.choose.setText(self.tr("C&hoose the selected product"))
        self.own_label.setText(self.tr("The customer as&ks for a product by name (customer-initiated; never a "
                                       "suggestion of the bank):"))
        self.own_code.setPlaceholderText(self.tr("Product code"))
        self.own_check.setText(self.tr("Check the customer's &request"))
        self.own_choose.setText(self.tr("&Proceed at the customer's request"))
        if self.proposal is not None:
            self.show_proposal(self.proposal)
        del lang

    def first_field(self) -> QWidget | None:
        return self.amount

    def _show_extra(self, on: bool) -> None:
        for row in range(self.extra_form.rowCount()):
            self.extra_form.setRowVisible(row, on)
        self.extra.setFlat(not on)

    def inputs(self) -> dict:
        """The amount, declared finances and horizon as on screen now."""
        inputs = {"amount": self.amount.text(), "investable_assets": self.assets.text(),
                  "horizon": self.horizon.currentData()}
        if self.extra.isChecked():
            inputs.update({key: edit.text() for key, (_label, edit) in self.extra_fields.items()})
        return inputs

    def _propose(self) -> None:
        self._asked_for = self.inputs()
        self.propose_requested.emit(self._asked_for)

    def stale(self) -> bool:
        """The amount, finances or horizon on screen differ from those of the products shown."""
        return self.proposal is not None and self.inputs() != self._shown_for

    def _inputs_edited(self, *_args) -> None:
        stale = self.stale()
        self.choose.setEnabled(not stale and self.selected_code() is not None)
        own = self.own_request
        self.own_choose.setEnabled(not stale and own is not None and own[1] is not None
                                   and own[1].outcome != "prohibited")
        if stale:
            self.message.show_info(self.tr("The amount or the customer's finances changed: show the suitable "
                                           "products again, or check the customer's request, for the new values."))
        else:
            self.message.clear_message()

    def show_proposal(self, proposal) -> None:
        if proposal is not self.proposal:
            self._shown_for = self._asked_for
        self.proposal = proposal
        lang = self.ctx.lang
        self.table.setRowCount(0)
        self.table.setRowCount(len(proposal.ranked))
        for r, ranked in enumerate(proposal.ranked):
            p = ranked.product
            name = p.name_zh if lang == "zh" else (p.name_en or p.name_zh)
            for c, text in enumerate((str(ranked.rank), p.code, name, f"R{p.risk_level}", ranked.reason.get(lang))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        if proposal.ranked:
            self.table.selectRow(0)
        else:
            self.message.show_info(self.tr("No product in the catalog suits this customer and amount."))
        self._apply_filter(self.filter.text())

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for r in range(self.table.rowCount()):
            row_text = " ".join(self.table.item(r, c).text().lower() for c in (1, 2))
            self.table.setRowHidden(r, bool(needle) and needle not in row_text)

    def selected_code(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 1) if row >= 0 else None
        return item.text() if item is not None else None

    def _selected(self) -> None:
        code = self.selected_code()
        self.choose.setEnabled(code is not None and not self.stale())
        if code is not None and self.proposal is not None:
            self._explain(self.proposal.decisions[code])

    def _explain(self, decision) -> None:
        self.details.setPlainText("\n".join(explain(decision, self.ctx.lang)))

    def _choose_ranked(self) -> None:
        code = self.selected_code()
        if code is not None:
            self.choose_requested.emit(code, False)

    def _check_own(self) -> None:
        code = self.own_code.text().strip()
        if code:
            # Decided for the amount on screen, which may have changed since "Show suitable products".
            self.own_choose.setEnabled(False)
            self._asked_for = self.inputs()
            self.request_checked.emit(code, self._asked_for)

    def show_own_request(self, code: str, decision, proposal=None) -> None:
        """``proposal``: the products proposed again for the inputs the request was checked with."""
        if proposal is not None and proposal is not self.proposal:
            self.show_proposal(proposal)
        self.own_request = (code, decision)
        if decision is None:
            self.details.setPlainText(self.tr("No product with this code in the catalog."))
            self.own_choose.setEnabled(False)
            return
        self._explain(decision)
        self.own_choose.setEnabled(decision.outcome != "prohibited" and not self.stale())

    def _choose_own(self) -> None:
        if self.own_request is not None and self.own_request[1] is not None:
            self.choose_requested.emit(self.own_request[0], True)
