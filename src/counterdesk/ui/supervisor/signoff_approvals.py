"""The supervisor's queue of sign-offs waiting for approval (maker-checker).

A teller's sign-off that needs approval appears here within two seconds (the page polls while it is
visible). The supervisor reads the reasons and the evidence chain collected so far (hashes,
references and facts; personal data never appears in clear) and approves, or rejects with a reason,
which returns the sign-off to the teller. Maker ≠ checker, expiry and the other refusals are the
core's (counterdesk.services.signoff.approvals); this page only shows them.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.assessment_validity import stored_last_valid_day
from counterdesk.base.branchtime import format_time, zone_heading
from counterdesk.base.text import Text
from counterdesk.forms.documents import DOCUMENT_TYPES
from counterdesk.services.catalog.versions import products_by_code
from counterdesk.services.customers.repository import reveal
from counterdesk.services.sanctions.disposition import CONFIRM_REASONS, FALSE_POSITIVE_REASONS
from counterdesk.services.signoff import approvals
from counterdesk.services.signoff.approvals import decide
from counterdesk.services.signoff.common import SignoffError
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import LoadingPage, MessageLabel, error_text, money, page_title
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tables import stretch_table
from counterdesk.ui.widgets.tasks import run_task

POLL_MS = 1000
HASH_CHARS = 12

RULES_HEADING = Text("适用的适当性规则", "Suitability rules applied")


def short_hash(value) -> str:
    return str(value)[:HASH_CHARS] if value else "—"


def load_queue(vault, user, known: frozenset[str]):
    """Worker side of a refresh: the pending requests, the evidence chain of every request the
    page has not seen yet (a pending request's chain does not change until it is decided), and the
    catalog's products when a new request needs a name."""

    requests = approvals.pending_requests(vault, user)
    chains: dict[str, list[dict]] = {}
    for req in requests:
        if req.request_id in known:
            continue
        try:
            chains[req.request_id] = approvals.request_evidence(vault, user, req.request_id)[1]
        except SignoffError:  # decided or withdrawn between the two reads: the next poll drops it
            continue
    return requests, chains, (products_by_code(vault, user) if chains else None)


class SignoffApprovalsPage(LoadingPage):
    decided = Signal(str)  # "approved" or "rejected"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.requests: list = []
        self.chains: dict[str, list[dict]] = {}
        self.products: dict = {}
        self.deciding = False
        self._selected_id: str | None = None
        self._load_error = False
        lay = QVBoxLayout(self)
        self.title = page_title()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = stretch_table("signoff_requests", 7, 3)  # the reasons take the spare width
        self.table.itemSelectionChanged.connect(self._selected)
        self.details = QTextBrowser()
        self.details.setObjectName("signoff_evidence")
        self.details.setOpenLinks(False)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([150, 450])  # a few rows; the evidence needs the room
        form = QFormLayout()
        self.reason = QLineEdit()
        self.reason.setObjectName("signoff_decision_reason")
        self.reason.setMaxLength(500)
        self.reason_label = QLabel()
        self.reason_label.setBuddy(self.reason)
        form.addRow(self.reason_label, self.reason)
        self.explanation = QLabel()
        self.explanation.setObjectName("signoff_explanation")
        self.explanation.setWordWrap(True)
        theme.set_role(self.explanation, "warning")
        buttons = QHBoxLayout()
        self.approve = QPushButton()
        self.approve.setObjectName("signoff_approve")
        self.reject = QPushButton()
        self.reject.setObjectName("signoff_reject")
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("signoff_refresh")
        self.reveal_button = QPushButton()
        self.reveal_button.setObjectName("signoff_reveal")
        buttons.addWidget(self.approve)
        buttons.addWidget(self.reject)
        buttons.addWidget(self.reveal_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        self.message = MessageLabel()
        lay.addWidget(self.title)
        lay.addWidget(self.intro)
        lay.addWidget(splitter, 1)
        lay.addLayout(form)
        lay.addWidget(self.explanation)
        lay.addLayout(buttons)
        lay.addWidget(self.message)
        # Slots are bound methods, not lambdas capturing self (see AfterSalePage._start).
        self.approve.clicked.connect(self.approve_request)
        self.reject.clicked.connect(self.reject_request)
        self.refresh_button.clicked.connect(self.refresh)
        self.reveal_button.clicked.connect(self.reveal_customer)
        QShortcut(QKeySequence("F5"), self).activated.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.retranslate()

    # ---- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Sign-off approvals"))
        self.intro.setText(self.tr(
            "Sales that need a supervisor's approval wait here. Read the reasons and the evidence collected at "
            "the counter, then approve, or reject with a reason (the sale goes back to the teller). You cannot "
            "decide a sale you made or asked for. The list updates by itself every second."))
        self.table.setHorizontalHeaderLabels([
            self.tr("Customer"), self.tr("Product (risk)"), self.tr("Amount"), self.tr("Reasons"), self.tr("Teller"),
            zone_heading(self.tr("Requested at"), self.ctx.lang), zone_heading(self.tr("Expires at"), self.ctx.lang)])
        self.reason_label.setText(self.tr("&Reason (required to reject)"))
        self.reveal_button.setText(self.tr("Show the customer's &name (recorded)"))
        self.reason.setPlaceholderText(self.tr("Why you reject the sale, or a note on the approval"))
        self.approve.setText(self.tr("&Approve"))
        self.reject.setText(self.tr("Re&ject and return to the teller"))
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self._fill_table()
        self._select(self._selected_id, first=True)

    def kind_text(self, kind: str) -> str:
        return {
            "document": self.tr("Identity document"),
            "screening": self.tr("Sanctions screening"),
            "questionnaire": self.tr("Risk questionnaire"),
            "suitability": self.tr("Suitability check"),
            "disclosure": self.tr("Risk disclosure read"),
            "recording": self.tr("Sale recording"),
            "signature": self.tr("Customer signature"),
            "attestation": self.tr("Teller attestation"),
            "approval": self.tr("Supervisor decision"),
            "pdf": self.tr("Signed confirmation"),
        }.get(kind, kind)

    def _yes_no(self, value) -> str:
        return self.tr("yes") if value else self.tr("no")

    def _screening_status(self, status: str) -> str:
        return {
            "clear": self.tr("no hit"),
            "potential_hit": self.tr("potential hit"),
            "false_positive": self.tr("hit cleared as a false positive"),
            "confirmed_match": self.tr("confirmed match"),
            "refused_stale_lists": self.tr("refused: lists out of date"),
        }.get(status, status or "—")

    def _outcome(self, outcome: str | None) -> str:
        return {
            "recommended": self.tr("suitable, may be recommended"),
            "eligible": self.tr("suitable"),
            "eligible_with_conditions": self.tr("suitable with conditions"),
            "customer_initiated_only": self.tr("only at the customer's own request"),
            "prohibited": self.tr("may not be sold"),
        }.get(outcome or "", outcome or "—")

    def link_facts(self, kind: str, p: dict) -> str:
        """The key facts of one evidence link, in words (the payloads hold no personal data)."""
        lang = self.ctx.lang
        if kind == "document":
            doc = DOCUMENT_TYPES.get(p.get("doc_type") or "")
            return self.tr("{doc_type}; document fingerprint {digest}; customer record version {version}").format(
                doc_type=doc.get(lang) if doc else (p.get("doc_type") or "—"),
                digest=short_hash(p.get("document_sha256")), version=p.get("customer_version", "—"))
        if kind == "screening":
            if not p:
                return self.tr("No screening recorded for this sale")
            text = self.tr("Result: {status}; threshold {threshold}; {lists} list(s)").format(
                status=self._screening_status(p.get("status")), threshold=p.get("threshold", "—"),
                lists=len(p.get("lists") or []))
            if p.get("hits"):
                text += "; " + self.tr("{hits} hit(s)").format(hits=p["hits"])
            if p.get("disposition"):
                reason = FALSE_POSITIVE_REASONS.get(p["disposition"]) or CONFIRM_REASONS.get(p["disposition"])
                text += "; " + self.tr("decision: {reason}").format(
                    reason=reason.get(lang) if reason else p["disposition"])
            return text
        if kind == "questionnaire":
            if not p:
                return self.tr("No risk assessment recorded")
            return self.tr("Grade {grade}, score {score}; form {form}; valid until {until}").format(
                grade=p.get("grade") or "—", score=p.get("score", "—"), form=p.get("questionnaire") or "—",
                until=stored_last_valid_day(p.get("completed_at"), p.get("valid_until")) or "—")
        if kind == "suitability":
            text = self.tr("{product} ({risk}), amount {amount}: {outcome}; rules {rules}").format(
                product=p.get("product_code") or "—", risk=p.get("product_risk") or "—",
                amount=money(p.get("amount")), outcome=self._outcome(p.get("outcome")),
                rules=p.get("rules_version") or "—")
            if p.get("customer_initiated") and p.get("outcome") != "customer_initiated_only":
                text += "; " + self.tr("at the customer's own request")
            if p.get("conditions"):
                text += "; " + self.tr("{count} condition(s) of sale").format(count=len(p["conditions"]))
            return text
        if kind == "disclosure":
            return self.tr("{forms} text(s) shown on the customer screen for {seconds} s; read to the end: "
                           "{scrolled}").format(forms=len(p.get("forms") or []), seconds=p.get("seconds", "—"),
                                                scrolled=self._yes_no(p.get("scrolled_to_end")))
        if kind == "recording":
            if not p.get("consent"):
                return self.tr("The customer refused the recording")
            return self.tr("The customer consented; recording reference {reference}").format(
                reference=p.get("reference") or self.tr("(given with the attestation)"))
        if kind == "signature":
            return self.tr("{points} points in {seconds} s on the customer screen; confirmation sentence typed: "
                           "{sentence}; image {digest}").format(
                points=p.get("points", "—"), seconds=f"{(p.get('duration_ms') or 0) / 1000:.1f}",
                sentence=self._yes_no(p.get("sentence")), digest=short_hash(p.get("png_sha256")))
        if kind == "attestation":
            return self.tr("Identity verified: {identity}; disclosure explained: {explained}; at {at}").format(
                identity=self._yes_no(p.get("identity_verified")),
                explained=self._yes_no(p.get("disclosure_explained")), at=format_time(p.get("at"), self.ctx.lang))
        if kind == "approval":
            text = self.tr("Approved") if p.get("decision") == "approved" else self.tr("Rejected")
            if p.get("override"):
                text += " " + self.tr("(at the teller's workstation)")
            if p.get("reason"):
                text += ": " + str(p["reason"])
            return text
        if kind == "pdf":
            return self.tr("Document {number}; file {digest}").format(
                number=p.get("document_number") or "—", digest=short_hash(p.get("pdf_sha256")))
        return ""

    # ---- loading ----------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.timer.isActive():
            self.timer.start()
        self._poll()

    def hideEvent(self, event) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def _poll(self) -> None:
        if not self.loading and not self.deciding:
            self.refresh()

    def read_job(self):
        vault, user, known = self.ctx.vault, self.ctx.user, frozenset(self.chains)
        return lambda: load_queue(vault, user, known)

    def show_data(self, data) -> None:
        requests, chains, products = data
        self.chains.update(chains)
        if products is not None:
            self.products = products
        listed = {r.request_id for r in requests}
        self.chains = {k: v for k, v in self.chains.items() if k in listed}
        if self._load_error:
            self._load_error = False
            self.message.clear_message()
        requests = [r for r in requests if r.request_id in self.chains]
        if requests != self.requests:
            vanished = self._selected_id is not None and self._selected_id not in listed
            self.requests = list(requests)
            self._fill_table()
            if vanished:
                self._selected_id = None
                self.message.show_info(self.tr("The request you had selected is no longer waiting (decided "
                                               "elsewhere, expired or withdrawn)."))
            # Never move the selection to another sale by itself: only when nothing was selected
            # (first load, or after this page's own decision) is the oldest request selected.
            self._select(self._selected_id, first=not vanished)

    def read_failed(self, exc: BaseException) -> None:
        self._load_error = True
        self.message.show_error(error_text(exc, self.ctx.lang))

    def _fill_table(self) -> None:
        lang = self.ctx.lang
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.setRowCount(len(self.requests))
        for r, req in enumerate(self.requests):
            reasons = [x.text(lang) for x in req.reasons]
            cells = (req.customer_masked, f"{req.product_code} ({req.risk_level})", money(req.amount),
                     "; ".join(reasons), req.teller_name, format_time(req.requested_at, self.ctx.lang, zone=False),
                     format_time(req.expires_at, self.ctx.lang, zone=False))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 1 and req.product_code in self.products:
                    item.setToolTip(self.products[req.product_code].name(lang))
                if c == 3:
                    item.setToolTip("\n".join(reasons))
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)

    def _select(self, request_id: str | None, first: bool = False) -> None:
        """Select the request with this id; with no id and ``first``, the oldest one (the queue is
        oldest first); else nothing."""
        row = next((i for i, r in enumerate(self.requests) if r.request_id == request_id), -1)
        if request_id is None and first and self.requests:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.table.clearSelection()
            self.table.setCurrentCell(-1, -1)
        self._selected()

    # ---- selection and details --------------------------------------------------------------------
    def current(self):
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        row = rows[0].row() if rows else -1
        return self.requests[row] if 0 <= row < len(self.requests) else None

    def _selected(self) -> None:
        req = self.current()
        self._selected_id = req.request_id if req is not None else None
        self._show_details(req)
        self._update_buttons()

    def _show_details(self, req) -> None:
        if req is None:
            text = self.tr("No sale is waiting for approval.") if not self.requests else \
                self.tr("Select a request to see its reasons and evidence.")
            self.details.setHtml(f"<p>{html.escape(text)}</p>")
            return
        lang, e = self.ctx.lang, html.escape
        product = self.products.get(req.product_code)
        name = f"{req.product_code} {product.name(lang)}" if product is not None else req.product_code
        heading = self.tr("{product} ({risk}), amount {amount}").format(
            product=name, risk=req.risk_level, amount=money(req.amount))
        summary = self.tr("Customer {customer}; teller {teller}; requested {requested}; expires {expires}.").format(
            customer=req.customer_masked, teller=req.teller_name,
            requested=format_time(req.requested_at, self.ctx.lang), expires=format_time(req.expires_at, self.ctx.lang))
        why = self.tr("Why a supervisor must approve")
        parts = [f"<h3>{e(heading)}</h3>", f"<p>{e(summary)}</p>", f"<p><b>{e(why)}</b></p><ul>"]
        parts += [f"<li>{e(r.text(lang))}</li>" for r in req.reasons]
        parts.append("</ul>")
        if req.rule_reasons:  # the suitability rules behind the sale, with the sources they cite
            # Core wording (zh/en) rather than a new tr() string: the rule texts themselves come from the core.
            parts.append(f"<p><b>{e(RULES_HEADING.get(lang))}</b></p><ul>")
            parts += [f"<li>[{e(rule)}] {e(en if lang.startswith('en') else zh)}</li>"
                      for rule, zh, en in req.rule_reasons]
            parts.append("</ul>")
        chain_title = self.tr("Evidence recorded at the counter")
        parts.append(f"<p><b>{e(chain_title)}</b></p>")
        chain = self.chains.get(req.request_id, [])
        rows = []
        for link in chain:
            rows.append(
                "<tr>"
                f"<td valign='top'>{e(str(link.get('seq')))}.</td>"
                f"<td valign='top'><b>{e(self.kind_text(link.get('kind', '')))}</b></td>"
                f"<td valign='top'>{e(self.link_facts(link.get('kind', ''), link.get('payload') or {}))}</td>"
                "<td valign='top' style='white-space: nowrap'>"
                f"{e(format_time(link.get('at'), self.ctx.lang, seconds=True))}</td>"
                f"<td valign='top'><tt>{e(short_hash(link.get('hash')))}</tt></td>"
                "</tr>")
        if rows:
            head = "".join(f"<th align='left'>{e(t)}</th>" for t in (
                "#", self.tr("Step"), self.tr("What was recorded"), self.tr("Time"), self.tr("Link hash")))
            parts.append(f"<table cellspacing='0' cellpadding='3' width='100%'><tr>{head}</tr>{''.join(rows)}</table>")
            parts.append("<p>" + e(self.tr("{count} links; the chain ends in {digest}.").format(
                count=len(chain), digest=short_hash(chain[-1].get("hash")))) + "</p>")
        else:
            parts.append("<p>" + e(self.tr("No evidence recorded.")) + "</p>")
        self.details.setHtml("".join(parts))

    def _explanation(self, req) -> str:
        if req is None or req.can_decide:
            return ""
        return self.tr("You made or asked for this sale: another supervisor must decide it.")

    def _update_buttons(self) -> None:
        req = self.current()
        allowed = req is not None and req.can_decide and not self.deciding
        for w in (self.approve, self.reject, self.reason):
            w.setEnabled(allowed)
        why = self._explanation(req)
        self.explanation.setText(why)
        self.explanation.setVisible(bool(why))
        for w in (self.approve, self.reject):
            w.setToolTip(why)
        self.reveal_button.setEnabled(req is not None and bool(req.customer_id))

    # ---- revealing -------------------------------------------------------------------------------
    def reveal_customer(self) -> None:
        """The customer's name in clear, for this supervisor only; the reveal is audited by the core."""

        req = self.current()
        if req is None or not req.customer_id:
            return
        vault, user, cid = self.ctx.vault, self.ctx.user, req.customer_id
        run_task(self, lambda: reveal(vault, user, cid, "name_zh"), self._revealed, self._reveal_failed)

    def _revealed(self, name) -> None:
        self.message.show_info(self.tr("Customer's name: {name}").format(name=name))

    def _reveal_failed(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))

    # ---- deciding ---------------------------------------------------------------------------------
    def approve_request(self) -> None:
        self._decide(True)

    def reject_request(self) -> None:
        self._decide(False)

    def _decide(self, approve: bool) -> None:

        req = self.current()
        if req is None or self.deciding:
            return
        vault, user, reason = self.ctx.vault, self.ctx.user, self.reason.text()
        self.deciding = True
        self.changed_here()
        self._update_buttons()
        self.message.clear_message()
        run_task(self, lambda: decide(vault, user, req.request_id, approve, reason), self._decided, self._failed)

    def _decided(self, info) -> None:
        self.deciding = False
        self.reason.clear()
        self._selected_id = None  # the next load selects the oldest request left
        self.message.show_info(
            self.tr("Approved: the teller can now issue the confirmation.") if info.status == "approved" else
             self.tr("Rejected: the sale is back with the teller, with your reason."))
        self.decided.emit(info.status)
        self.requests = [r for r in self.requests if r.request_id != info.request_id]
        self.chains.pop(info.request_id, None)
        self._fill_table()
        self._select(None, first=True)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.deciding = False
        self._update_buttons()
        self.message.show_error(error_text(exc, self.ctx.lang))
        code = getattr(exc, "code", "")
        if code in ("request_expired", "request_decided", "session_closed", "request_not_found"):
            self.refresh()
