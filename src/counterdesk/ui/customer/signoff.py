"""The customer-facing sign-off window: the customer reads the risk disclosure, consents to the
recording of the sale, types the confirmation sentence and signs.

Like the questionnaire window (customer_window.py) it is read at arm's length on a second screen or
on the teller's screen handed over; the teller's own window follows along through ``stage_changed``.
Pages, in order, those not required left out:

    reading    every notice in one scrolling text; "I have read" opens once the customer has scrolled
               to the end at least once and the minimum reading time has passed
    recording  consent to the audio and video recording of the sale (refusal ends the sign-off)
    sentence   the customer types the confirmation sentence
    signature  the customer signs on the pad
    thanks     hand the screen back (also after a refused recording, with its own text)

The window only collects; the teller's side stores what the signals report and, if storing fails,
calls ``show_error`` and ``back_to_signature``.
"""
from __future__ import annotations

import html
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from counterdesk.forms.definition import Form
from counterdesk.forms.disclosures import sentence_matches
from counterdesk.services.signoff.signature import check_signature
from counterdesk.ui import theme
from counterdesk.ui.customer.questionnaire import place_for_customer
from counterdesk.ui.widgets.fields import TypedOnlyLineEdit
from counterdesk.ui.widgets.signature_pad import SignaturePad

STAGES = ("reading", "recording", "sentence", "signature", "thanks")
SHORT_HASH = 12  # hex digits of the form hash shown under each title


class SignoffWindow(QWidget):
    read_confirmed = Signal(dict)      # {"seconds", "scrolled_to_end", "forms": [{"ref", "hash"}, ...]}
    recording_decided = Signal(bool)   # True: the customer agreed to the recording
    sentence_entered = Signal(str)     # the sentence exactly as typed
    signed = Signal(str, bytes)        # Signature.to_json(), PNG of the ink
    stage_changed = Signal(str)        # the page now shown (one of STAGES)
    closed = Signal()                  # the window was closed (by the customer, e.g. Alt+F4, or the teller)

    def __init__(self, forms: list[Form], lang: str, *, min_seconds: int, recording_required: bool,
                 sentence: str | None, clock: Callable[[], float] = time.monotonic,
                 facts: list[tuple[str, str]] | None = None, already_read: float = 0.0,
                 scrolled_to_end: bool = False, parent: QWidget | None = None):
        """``already_read`` seconds and ``scrolled_to_end``: what the customer read in an earlier window
        of the same sign-off (closed before the end), so the reading continues instead of restarting."""
        super().__init__(parent, Qt.WindowType.Window)
        if not forms:
            raise ValueError("a sign-off needs at least one disclosure form")
        self.setObjectName("signoff_window")
        self.forms = list(forms)
        self.lang = lang
        # The purchase the disclosure is about (product key facts, amount, the customer's grade and the
        # suitability result), already in the customer's language; shown above the texts.
        self.facts = list(facts or [])
        self.min_seconds = max(0, int(min_seconds))
        self.recording_required = recording_required
        self.sentence = sentence
        self._clock = clock
        self._started: float | None = None   # clock() when the window was first shown
        self._already_read = max(0.0, float(already_read))
        self._scrolled_to_end = scrolled_to_end  # sticky: once seen, the end stays seen
        self._recording_refused = False
        self.stages = [s for s in STAGES if (s != "recording" or recording_required)
                       and (s != "sentence" or sentence is not None)]
        theme.set_screen(self, "customer")  # large text throughout: read at arm's length, by people of every age

        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        outer.setSpacing(12)
        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("signoff_title")
        self.title.setWordWrap(True)
        theme.set_role(self.title, "customer-title")
        self.progress = QLabel()
        self.progress.setObjectName("signoff_progress")
        theme.set_role(self.progress, "hint")
        head.addWidget(self.title, 1)
        head.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        outer.addLayout(head)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.notice = QLabel()
        self.notice.setObjectName("signoff_notice")
        self.notice.setWordWrap(True)
        theme.set_role(self.notice, "error")
        # The notice's room is always kept (two lines), so a message appearing or going away never
        # moves the buttons under the customer's finger. The window's metrics: the notice is not polished yet.
        self.notice.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 4)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        outer.addWidget(self.notice)

        self.pages: dict[str, QWidget] = {}
        self.recording_text = self.recording_yes = self.recording_no = None
        self.sentence_intro = self.sentence_shown = self.sentence_edit = self.sentence_hint = None
        self.sentence_ok = None
        builders = {"reading": self._reading_page, "recording": self._recording_page,
                    "sentence": self._sentence_page, "signature": self._signature_page, "thanks": self._thanks_page}
        for stage in self.stages:
            page = builders[stage]()
            page.setObjectName(f"signoff_page_{stage}")
            self.pages[stage] = page
            self.stack.addWidget(page)

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.refresh_gate)
        self.retranslate()
        self.stack.setCurrentWidget(self.pages["reading"])
        self._update_head()

    # ---- pages ----------------------------------------------------------------------------------------------
    def _reading_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.text = QTextBrowser()
        self.text.setObjectName("signoff_text")
        self.text.setReadOnly(True)
        self.text.setOpenLinks(False)
        self.text.setTabChangesFocus(True)  # Tab leaves the text for the button, as everywhere else
        self.text.document().setDocumentMargin(16)
        bar = self.text.verticalScrollBar()
        bar.valueChanged.connect(self._scroll_changed)
        bar.rangeChanged.connect(self._scroll_changed)
        lay.addWidget(self.text, 1)
        row = QHBoxLayout()
        self.countdown = QLabel()
        self.countdown.setObjectName("signoff_countdown")
        self.countdown.setWordWrap(True)
        self.read_button = QPushButton()
        self.read_button.setObjectName("signoff_read")
        self._big(self.read_button)
        self.read_button.setEnabled(False)
        self.read_button.clicked.connect(self._confirm_read)
        row.addWidget(self.countdown, 1)
        row.addWidget(self.read_button, 0, Qt.AlignmentFlag.AlignRight)
        lay.addLayout(row)
        return page

    def _recording_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 8, 0, 0)
        self.recording_text = QLabel()
        self.recording_text.setObjectName("signoff_recording_text")
        self.recording_text.setWordWrap(True)
        # Focusable so the page opens on the explanation, not on a consent button a repeated Enter could hit.
        self.recording_text.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.recording_yes = QPushButton()
        self.recording_yes.setObjectName("signoff_recording_yes")
        self.recording_no = QPushButton()
        self.recording_no.setObjectName("signoff_recording_no")
        for b in (self.recording_yes, self.recording_no):
            self._big(b)
        self.recording_yes.clicked.connect(lambda: self._decide_recording(True))
        self.recording_no.clicked.connect(lambda: self._decide_recording(False))
        row = QHBoxLayout()
        row.addWidget(self.recording_yes)
        row.addSpacing(24)
        row.addWidget(self.recording_no)
        row.addStretch(1)
        lay.addWidget(self.recording_text)
        lay.addSpacing(16)
        lay.addLayout(row)
        lay.addStretch(1)
        return page

    def _sentence_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 8, 0, 0)
        self.sentence_intro = QLabel()
        self.sentence_intro.setWordWrap(True)
        self.sentence_shown = QLabel(self.sentence)
        self.sentence_shown.setObjectName("signoff_sentence_shown")
        self.sentence_shown.setWordWrap(True)
        theme.set_role(self.sentence_shown, "customer-sentence")
        # Typed by the customer personally (保险销售行为管理办法): pasting is refused, and said so.
        self.sentence_edit = TypedOnlyLineEdit()
        self.sentence_edit.setObjectName("signoff_sentence")
        self.sentence_edit.paste_refused.connect(self._paste_refused)
        self.sentence_edit.textChanged.connect(self._sentence_changed)
        self.sentence_edit.returnPressed.connect(self._submit_sentence)
        self.sentence_hint = QLabel()
        self.sentence_hint.setObjectName("signoff_sentence_hint")
        self.sentence_hint.setWordWrap(True)
        self.sentence_ok = QPushButton()
        self.sentence_ok.setObjectName("signoff_sentence_ok")
        self._big(self.sentence_ok)
        self.sentence_ok.setEnabled(False)
        self.sentence_ok.clicked.connect(self._submit_sentence)
        self.sentence_intro.setBuddy(self.sentence_edit)
        lay.addWidget(self.sentence_intro)
        lay.addWidget(self.sentence_shown)
        lay.addSpacing(12)
        lay.addWidget(self.sentence_edit)
        lay.addWidget(self.sentence_hint)
        lay.addWidget(self.sentence_ok, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addStretch(1)
        return page

    def _signature_page(self) -> QWidget:
        page = QWidget()
        self.signature_layout = lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 8, 0, 0)
        self.sign_intro = QLabel()
        self.sign_intro.setObjectName("signoff_sign_intro")
        self.sign_intro.setWordWrap(True)
        self.sign_intro.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.pad = self._make_pad()
        self.sign_button = QPushButton()
        self.sign_button.setObjectName("signoff_sign")
        self._big(self.sign_button)
        self.sign_button.clicked.connect(self._sign)
        lay.addWidget(self.sign_intro)
        lay.addWidget(self.pad, 1)
        lay.addWidget(self.sign_button, 0, Qt.AlignmentFlag.AlignRight)
        return page

    def _make_pad(self) -> SignaturePad:
        pad = SignaturePad()
        pad.setObjectName("signoff_pad")
        pad.setMinimumHeight(260)
        pad.changed.connect(self._pad_changed)
        return pad

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.thanks = QLabel()
        self.thanks.setObjectName("signoff_thanks")
        self.thanks.setWordWrap(True)
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thanks.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        theme.set_role(self.thanks, "customer-text")
        lay.addStretch(1)
        lay.addWidget(self.thanks)
        lay.addStretch(2)
        return page

    def _big(self, button: QPushButton) -> None:
        """A button easy to hit, which Enter clicks when it has the focus."""
        button.setAutoDefault(True)
        button.setMinimumHeight(round(self.fontMetrics().height() * 2))

    # ---- texts ----------------------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        bar = self.text.verticalScrollBar()
        position = bar.value()
        self.text.setHtml(self._disclosure_html())
        bar.setValue(position)
        self.text.setAccessibleName(self.tr("Risk disclosure text"))
        self.read_button.setText(self.tr("I have read and understood the risk disclosure"))
        if self.recording_text is not None:
            self.recording_text.setText(self.tr(
                "The sale of this product is recorded on audio and video in the bank's sales recording zone, "
                "as the regulation requires. The recording is kept as evidence of what you were told and what "
                "you decided.\n\nThe product cannot be sold to you without your consent to the recording."))
            self.recording_yes.setText(self.tr("I agree to the recording"))
            self.recording_no.setText(self.tr("I do not agree"))
        if self.sentence_edit is not None:
            self.sentence_intro.setText(self.tr("Please type the following sentence into the box below:"))
            self.sentence_edit.setAccessibleName(self.tr("Confirmation sentence"))
            self.sentence_ok.setText(self.tr("Confirm"))
            self._sentence_changed(self.sentence_edit.text())
        self.sign_intro.setText(self.tr("Please sign your full name in the box below, then press \"Sign\"."))
        self.sign_button.setText(self.tr("Sign"))
        if self._recording_refused:
            self.thanks.setText(self.tr("The product cannot be sold without the recording. "
                                        "Please hand the screen back to the teller."))
        else:
            self.thanks.setText(self.tr("Thank you. Please hand the screen back to the teller."))
        self.setWindowTitle(self.tr("Risk disclosure and confirmation"))
        self._update_head()
        self._update_countdown()

    def _stage_title(self, stage: str) -> str:
        return {
            "reading": self.tr("Please read the risk disclosure"),
            "recording": self.tr("Recording of the sale"),
            "sentence": self.tr("Your confirmation"),
            "signature": self.tr("Your signature"),
            "thanks": "",
        }[stage]

    def _update_head(self) -> None:
        stage = self.stage
        self.title.setText(self._stage_title(stage))
        steps = [s for s in self.stages if s != "thanks"]
        self.progress.setText("" if stage == "thanks" else self.tr("Step {n} of {total}").format(
            n=steps.index(stage) + 1, total=len(steps)))

    def _disclosure_html(self) -> str:
        parts = []
        if self.facts:
            heading = self.tr("About this purchase")  # not inside the f-string: lupdate would not find it
            parts.append(f"<h2>{html.escape(heading)}</h2><table cellpadding='4'>")
            for label, value in self.facts:
                parts.append(f"<tr><td><b>{html.escape(label)}</b></td><td>{html.escape(value)}</td></tr>")
            parts.append("</table>")
        for form in self.forms:
            version = self.tr("Version {ref} · {hash}").format(ref=form.ref, hash=form.hash[:SHORT_HASH])
            parts.append(f"<h2>{html.escape(form.title.get(self.lang))}</h2>")
            parts.append(f'<p style="color:#78909c; font-size:small;">{html.escape(version)}</p>')
            for section in form.sections:
                parts.append(f"<p><b>{html.escape(section.title.get(self.lang))}</b></p>")
                if section.text is not None:
                    parts.append(f"<p>{html.escape(section.text.get(self.lang))}</p>")
        return "".join(parts)

    # ---- stages ---------------------------------------------------------------------------------------------
    @property
    def stage(self) -> str:
        current = self.stack.currentWidget()
        return next(name for name, page in self.pages.items() if page is current)

    def _go(self, stage: str, *, clear_notice: bool = True) -> None:
        if clear_notice:
            self._set_notice("")
        if stage != "reading":
            self.timer.stop()
        self.stack.setCurrentWidget(self.pages[stage])
        self._update_head()
        focus = {"reading": self.text, "recording": self.recording_text, "sentence": self.sentence_edit,
                 "signature": self.sign_intro, "thanks": self.thanks}[stage]
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self.stage_changed.emit(stage)

    def _after(self, stage: str) -> str:
        return self.stages[self.stages.index(stage) + 1]

    def _set_notice(self, text: str) -> None:
        self.notice.setText(text)

    def show_error(self, text: str) -> None:
        """Show a message to the customer (e.g. when the core refused what was entered)."""
        self._set_notice(text)

    def back_to_signature(self) -> None:
        """Clear the pad and return to the signature page (storing the signature failed). A message
        shown with ``show_error`` before or after this call stays visible."""
        old = self.pad
        self.pad = self._make_pad()
        self.signature_layout.replaceWidget(old, self.pad)
        old.hide()
        old.deleteLater()
        # The new pad's buttons come before "Sign" in the Tab order, as the old ones did.
        QWidget.setTabOrder(self.pad.clear_button, self.sign_button)
        self._go("signature", clear_notice=False)

    def show_for_customer(self) -> str:
        """Full screen on a second screen if there is one, else on this one (handed over)."""
        return place_for_customer(self)

    # ---- reading --------------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._started is None:
            self._started = self._clock()
        if self.stage == "reading":
            self.timer.start()
            # Once the layout has settled: a short text may need no scrolling at all.
            QTimer.singleShot(0, self.refresh_gate)
        self.refresh_gate()

    def elapsed(self) -> float:
        """Seconds of reading: since the window was first shown, plus those of an earlier window."""
        shown = 0.0 if self._started is None else max(0.0, self._clock() - self._started)
        return self._already_read + shown

    @property
    def scrolled_to_end(self) -> bool:
        return self._scrolled_to_end

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

    def _scroll_changed(self, *_args) -> None:
        self.refresh_gate()

    def _at_end(self) -> bool:
        if self._started is None or not self.text.isVisible():
            return False  # nothing has been seen before the window is on screen
        bar = self.text.verticalScrollBar()
        if bar.maximum() > 0:
            return bar.value() >= bar.maximum()
        # No scrollbar: make sure it is because the text fits, not because it is not laid out yet.
        return self.text.document().size().height() <= self.text.viewport().height() + 1

    def refresh_gate(self) -> None:
        """Re-check whether the customer may confirm having read (scrolled to the end, time passed)."""
        if self.stage != "reading":
            return
        if not self._scrolled_to_end and self._at_end():
            self._scrolled_to_end = True
        self.read_button.setEnabled(self._gate_open())
        self._update_countdown()

    def _gate_open(self) -> bool:
        return self._started is not None and self._scrolled_to_end and self.elapsed() >= self.min_seconds

    def _update_countdown(self) -> None:
        remaining = self.min_seconds - self.elapsed()
        if remaining > 0:
            text = self.tr("Please read to the end. You can confirm in {s} s.").format(s=math.ceil(remaining))
        elif not self._scrolled_to_end:
            text = self.tr("Please scroll to the end of the text.")
        else:
            text = self.tr("You may now confirm.")
        self.countdown.setText(text)

    def _confirm_read(self) -> None:
        if self.stage != "reading":
            return
        self.refresh_gate()
        if not self._gate_open():
            return
        self.timer.stop()
        payload = {"seconds": int(self.elapsed()), "scrolled_to_end": True,
                   "forms": [{"ref": f.ref, "hash": f.hash} for f in self.forms]}
        self.read_confirmed.emit(payload)
        self._go(self._after("reading"))

    # ---- recording ------------------------------------------------------------------------------------------
    def _decide_recording(self, agreed: bool) -> None:
        if self.stage != "recording":
            return
        self.recording_decided.emit(agreed)
        if agreed:
            self._go(self._after("recording"))
        else:
            self._recording_refused = True
            self.retranslate()
            self._go("thanks")

    # ---- sentence -------------------------------------------------------------------------------------------
    def _sentence_changed(self, typed: str) -> None:
        matches = sentence_matches(typed, self.sentence)
        self.sentence_ok.setEnabled(matches)
        if matches:
            hint, role = self.tr("The sentence matches. Press Enter or \"Confirm\"."), "success"
        elif not typed.strip():
            hint, role = self.tr("Type the sentence shown above."), "hint"
        else:
            hint, role = self.tr("The text does not match the sentence yet."), "warning"  # still typing
        self.sentence_hint.setText(hint)
        theme.set_role(self.sentence_hint, role)

    def _paste_refused(self) -> None:
        self._set_notice(self.tr("Please type the sentence yourself: pasting is not accepted, because the "
                                 "confirmation must be typed by you personally."))

    def _submit_sentence(self) -> None:
        if self.stage != "sentence":
            return
        typed = self.sentence_edit.text()
        if not sentence_matches(typed, self.sentence):
            return
        self.sentence_entered.emit(typed)
        self._go(self._after("sentence"))

    # ---- signature ------------------------------------------------------------------------------------------
    def _pad_changed(self) -> None:
        if self.stage == "signature":
            self._set_notice("")

    def _sign(self) -> None:
        if self.stage != "signature":
            return
        signature = self.pad.signature()
        result = check_signature(signature)
        if not result.ok:
            self._set_notice("\n".join(p.message(self.lang) for p in result.errors()))
            return
        self.signed.emit(signature.to_json(), self.pad.render_png())
        self._go("thanks")
