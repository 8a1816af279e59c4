"""Screening reviews: potential sanctions hits waiting for a supervisor's decision. Maker ≠ checker
is enforced by the core. No reason is preselected: the supervisor picks one after reading the evidence."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.branchtime import format_time, zone_heading
from counterdesk.screening.explain import Breakdown, breakdown
from counterdesk.services.sanctions import disposition
from counterdesk.ui.widgets.common import MessageLabel, Page, error_text, page_title
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.tables import stretch_table
from counterdesk.ui.widgets.tasks import run_task


class ApprovalsPage(Page):
    loaded = Signal()
    decided = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.records: list = []
        self._shown: str | None = None
        lay = QVBoxLayout(self)
        self.title = page_title()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = stretch_table("approvals_table", 4, 3)  # the hits take the spare width
        self.table.itemSelectionChanged.connect(self._selected)
        self.details = QTextBrowser()
        self.details.setObjectName("approval_details")
        form = QFormLayout()
        self.reason = QComboBox()
        self.reason.setObjectName("disposition_reason")
        self.reason.currentIndexChanged.connect(self._update_buttons)
        self.note = QLineEdit()
        self.note.setObjectName("disposition_note")
        self.reason_label, self.note_label = QLabel(), QLabel()
        self.reason_label.setBuddy(self.reason)
        self.note_label.setBuddy(self.note)
        form.addRow(self.reason_label, self.reason)
        form.addRow(self.note_label, self.note)
        buttons = QHBoxLayout()
        self.false_positive = QPushButton()
        self.false_positive.setObjectName("dispose_false_positive")
        self.confirm = QPushButton()
        self.confirm.setObjectName("dispose_confirm")
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("approvals_refresh")
        buttons.addWidget(self.false_positive)
        buttons.addWidget(self.confirm)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        self.message = MessageLabel()
        for w in (self.title, self.intro, self.table):
            lay.addWidget(w)
        lay.addWidget(self.details, 1)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.message)
        self.false_positive.clicked.connect(self.clear_as_false_positive)
        self.confirm.clicked.connect(self.confirm_match)
        self.refresh_button.clicked.connect(self.refresh)
        self.decision = "false_positive"
        QShortcut(QKeySequence("F5"), self).activated.connect(self.refresh)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Screening reviews"))
        self.intro.setText(self.tr(
            "Potential sanctions hits wait here for a supervisor who did not run the screening. Review the "
            "evidence, then clear the hit as a false positive with the reason that the evidence shows, or confirm "
            "the match (the session stops and the escalation is recorded). Sales waiting for approval are on the "
            "Sign-off approvals page."))
        self.table.setHorizontalHeaderLabels([zone_heading(self.tr("Screened at"), self.ctx.lang), self.tr("Teller"),
                                              self.tr("Best score"), self.tr("Hits")])
        self.reason_label.setText(self.tr("&Reason"))
        self.note_label.setText(self.tr("&Note"))
        self.false_positive.setText(self.tr("Clear as &false positive"))
        self.confirm.setText(self.tr("Confirm &match"))
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self._fill_reasons()
        self._selected()

    def _fill_reasons(self) -> None:

        current = self.reason.currentData()
        self.reason.clear()
        self.reason.addItem(self.tr("— choose the reason the evidence shows —"), None)
        for code, text in disposition.FALSE_POSITIVE_REASONS.items():
            self.reason.addItem(text.get(self.ctx.lang), code)
        self.reason.setCurrentIndex(max(self.reason.findData(current), 0))

    def refresh(self) -> None:

        vault, user = self.ctx.vault, self.ctx.user
        run_task(self, lambda: disposition.pending_hits(vault, user), self._loaded, self._failed)

    def load(self) -> None:
        self.refresh()

    def _loaded(self, records) -> None:
        self.records = list(records)
        self.table.setRowCount(0)
        self.table.setRowCount(len(self.records))
        for r, rec in enumerate(self.records):
            best = max((h.score for h in rec.hits), default=0.0)
            for c, text in enumerate((format_time(rec.created_at, self.ctx.lang, zone=False), rec.created_by_name,
                                      f"{best:.2f}", str(len(rec.hits)))):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if self.records:
            self.table.selectRow(0)
        self._selected()
        self.loaded.emit()

    def current(self):
        row = self.table.currentRow()
        return self.records[row] if 0 <= row < len(self.records) else None

    def _selected(self) -> None:
        rec = self.current()
        shown = rec.screening_id if rec else None
        if shown != self._shown:  # a reason chosen for one hit never carries over to the next
            self._shown = shown
            self.reason.setCurrentIndex(0)
            self.note.clear()
        if rec is None:
            self.details.setPlainText(self.tr("Nothing is waiting for a decision."))
        else:
            blocks = [self._why(breakdown(h, rec.threshold)) for h in rec.hits]
            footer = [self.tr("Matcher {version}, threshold {threshold}, lists {lists}").format(
                version=rec.matcher_version, threshold=f"{rec.threshold:.2f}",
                lists=", ".join(h[:12] for h in rec.list_hashes))]
            if self.ctx.user is not None and not rec.can_dispose(self.ctx.user):
                footer.append(self.tr("You ran this screening: another supervisor must decide it."))
            self.details.setHtml("".join(blocks) + "".join(f"<p>{escape(t)}</p>" for t in footer))
        self._update_buttons()

    def _why(self, why: Breakdown) -> str:
        """One hit: the list name's parts as aligned, then each feature's contribution to the score."""
        lang = self.ctx.lang
        cell = '<td style="padding: 1px 8px">{}</td>'.format
        head = '<th align="left" style="padding: 1px 8px">{}</th>'.format
        out = [f"<h4>{escape(why.heading.get(lang))}</h4>"]
        if why.parts:
            out.append('<table cellspacing="0" border="1" style="border-color: #bbb">'
                       + "<tr>" + "".join(head(escape(t)) for t in (
                           self.tr("Part"), self.tr("List's word"), self.tr("Subject's word"),
                           self.tr("Similarity"))) + "</tr>")
            for p in why.parts:
                word = (self.tr("word {n}").format(n=p.subject_word) if p.subject_word
                        else self.tr("not in the subject's name"))
                out.append("<tr>" + cell(escape(p.role.get(lang))) + cell(escape(p.list_part)) + cell(escape(word))
                           + cell(f"{p.score:.2f}") + "</tr>")
            out.append("</table><br>")
        out.append('<table cellspacing="0" border="1" style="border-color: #bbb">'
                   + "<tr>" + head(escape(self.tr("Feature"))) + head(escape(self.tr("Contribution"))) + "</tr>")
        for i, c in enumerate(why.contributions):  # the first row is the name similarity itself
            delta = f"{c.delta:.2f}" if i == 0 else f"{c.delta:+.2f}"
            out.append("<tr>" + cell(escape(c.label.get(lang))) + cell(delta) + "</tr>")
        score = escape(self.tr("Score"))  # outside the f-string, where lupdate finds it
        out.append("<tr>" + cell(f"<b>{score}</b>") + cell(f"<b>{why.score:.2f}</b>") + "</tr>")
        out.append(f"</table><p>{escape(why.verdict.get(lang))}</p>")
        return "".join(out)

    def _update_buttons(self) -> None:
        rec = self.current()
        # Signed out (the page is re-texted at a language change while the window closes): nothing to allow.
        allowed = rec is not None and self.ctx.user is not None and rec.can_dispose(self.ctx.user)
        for w in (self.confirm, self.reason, self.note):
            w.setEnabled(allowed)
        self.false_positive.setEnabled(allowed and self.reason.currentData() is not None)

    def clear_as_false_positive(self) -> None:
        self._decide("false_positive", self.reason.currentData())

    def confirm_match(self) -> None:
        self._decide("confirmed_match", "identity_confirmed")

    def _decide(self, decision: str, reason_code: str) -> None:

        rec = self.current()
        if rec is None:
            return
        vault, user, note = self.ctx.vault, self.ctx.user, self.note.text().strip() or None
        self.decision = decision
        run_task(self, lambda: disposition.dispose(vault, user, rec.screening_id, decision, reason_code, note),
                 self._decided, self._failed)

    def _decided(self, record) -> None:
        self.note.clear()
        self.message.show_info(self.tr("Decision recorded.") if self.decision == "false_positive"
                               else self.tr("Match confirmed; the teller's session will stop."))
        self.decided.emit(record.status)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))
