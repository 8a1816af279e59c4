"""The pages of the identification step. Each copies widget values out (``collect``), shows what
it is given (``enter``) and marks the core's problems; the rules are in counterdesk.flow."""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.settings import DD_IMAGE_MAX_KIB, DD_THRESHOLD_CNY, DD_THRESHOLD_USD
from counterdesk.base.text import Problem, Result
from counterdesk.flow.actions import CaptureDocumentImage, EnterDocument, EnterProfile
from counterdesk.flow.state import CounterSessionState
from counterdesk.identity.documents import DocumentType
from counterdesk.identity.readers import SimulatorReader, WedgeParser, looks_like_scanner_burst
from counterdesk.services.customers.document_images import check_image
from counterdesk.services.customers.masking import mask_id_number
from counterdesk.ui import theme
from counterdesk.ui.widgets.common import MessageLabel
from counterdesk.ui.widgets.form_view import FormView
from counterdesk.ui.widgets.tasks import run_task


class _KeyTimes(QObject):
    """Remembers when keys arrived in a field, so a scanner's burst can be told from typing."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.times: list[float] = []

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.text():
            self.times.append(time.monotonic() * 1000)
        return False


def top_field(problem: Problem) -> str:
    """The form field a problem belongs to ("group[0].item" belongs to "group")."""
    return problem.field.split("[")[0].split(".")[0]


class StepWidget(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.message = MessageLabel()
        self.problems: list[Problem] = []  # shown until the teller changes the field they belong to

    def collect(self) -> object:
        """The action this page submits with Next (None: just go on)."""
        return None

    def first_field(self) -> QWidget | None:
        """Where the keyboard goes when the page opens (None: where it is)."""
        return None

    def show_problems(self, result: Result) -> None:
        self.problems = list(result.problems)
        self._show_problem_list()

    def _show_problem_list(self) -> None:
        problems, ctx = self.problems, self.ctx
        if problems:
            self.message.show_error(lambda: "\n".join(p.message(ctx.lang) for p in problems))
        else:
            self.message.clear_message()

    def field_changed(self, key: str) -> None:
        """The teller edited ``key``: its problems are answered (the next submission checks again)."""
        kept = [p for p in self.problems if top_field(p) != key]
        if len(kept) != len(self.problems):
            self.problems = kept
            self._show_problem_list()

    def retranslate(self) -> None:
        pass


class DocumentStep(StepWidget):
    """Type, number and dates of the identity document, typed, scanned or read from a reader."""

    read_done = Signal(dict)  # the reader's extra fields (name, address…) for the next pages

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.doc_type = QComboBox()
        self.doc_type.setObjectName("id_doc_type")
        for kind in DocumentType:
            self.doc_type.addItem("", kind.value)
        self.number = QLineEdit()
        self.number.setObjectName("id_number")
        self.keys = _KeyTimes(self)
        self.number.installEventFilter(self.keys)
        self.issue = QLineEdit()
        self.issue.setObjectName("id_issue_date")
        self.long_term = QCheckBox()
        self.long_term.setObjectName("id_long_term")
        self.expiry = QLineEdit()
        self.expiry.setObjectName("id_expiry_date")
        for w in (self.issue, self.expiry):
            w.setPlaceholderText("YYYY-MM-DD")
        self.mrz = QPlainTextEdit()
        self.mrz.setObjectName("mrz")
        self.mrz.setMaximumHeight(72)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.mrz.setFont(mono)
        self.labels = [QLabel() for _ in range(6)]
        for label, w in zip(self.labels, (self.doc_type, self.number, self.issue, self.long_term, self.expiry,
                                          self.mrz)):
            label.setBuddy(w)
            form.addRow(label, w)
        self.long_term.toggled.connect(self._long_term_toggled)
        self.number.returnPressed.connect(self._number_entered)
        for edit in (self.number, self.issue, self.expiry):
            edit.textEdited.connect(self._edited)
        self.mrz.textChanged.connect(self._edited)
        self.doc_type.activated.connect(self._edited)
        self.long_term.toggled.connect(self._expiry_edited)
        # Reader: the simulator is for the demo branch and tests, and says so on the screen.
        self.reader_box = QGroupBox()
        rlay = QHBoxLayout(self.reader_box)
        self.profile = QComboBox()
        self.profile.setObjectName("simulator_profile")
        for key, label in SimulatorReader.profiles().items():
            self.profile.addItem(label.get(ctx.lang), key)
        self.read_button = QPushButton()
        self.read_button.setObjectName("read_simulator")
        self.read_button.clicked.connect(self.read_simulator)
        rlay.addWidget(self.profile, 1)
        rlay.addWidget(self.read_button)
        # The copy of the document that due diligence keeps (Order 〔2025〕 No. 11): from the reader, from a
        # scanner's image file, or the customer's refusal. Only the core's small thumbnail is shown.
        self.copy: CaptureDocumentImage | None = None
        self.copy_state = "none"  # none, checking, ok, refused
        self._copy_source, self._copy_size = "", (0, 0)
        # Read once while signed in (a page is made per session; retranslate may run after sign-out).
        settings = ctx.vault.settings()
        self._settings = settings
        self._limits = (int(settings[DD_THRESHOLD_CNY]), int(settings[DD_THRESHOLD_USD]),
                        int(settings[DD_IMAGE_MAX_KIB]))
        self.copy_box = QGroupBox()
        clay = QHBoxLayout(self.copy_box)
        self.copy_thumbnail = QLabel()
        self.copy_thumbnail.setObjectName("document_copy_thumbnail")
        self.copy_thumbnail.setFixedSize(164, 114)
        self.copy_thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self.copy_thumbnail, "thumbnail")
        self.copy_status = QLabel()
        self.copy_status.setObjectName("document_copy_status")
        self.copy_status.setWordWrap(True)
        self.copy_reader = QPushButton()
        self.copy_reader.setObjectName("copy_from_reader")
        self.copy_reader.clicked.connect(self.copy_from_reader)
        self.copy_file = QPushButton()
        self.copy_file.setObjectName("copy_from_file")
        self.copy_file.clicked.connect(lambda: self.copy_from_file())
        self.copy_refused = QCheckBox()
        self.copy_refused.setObjectName("copy_refused")
        self.copy_refused.toggled.connect(self._copy_refused_toggled)
        cbuttons = QVBoxLayout()
        for w in (self.copy_reader, self.copy_file, self.copy_refused):
            cbuttons.addWidget(w)
        clay.addWidget(self.copy_thumbnail)
        clay.addWidget(self.copy_status, 1)
        clay.addLayout(cbuttons)
        lay.addLayout(form)
        lay.addWidget(self.reader_box)
        lay.addWidget(self.copy_box)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        for i, kind in enumerate(DocumentType):
            self.doc_type.setItemText(i, kind.label.get(self.ctx.lang))
        for label, text in zip(self.labels, (self.tr("Document &type"), self.tr("Document n&umber"),
                                             self.tr("&Issue date"), self.tr("&Long-term"),
                                             self.tr("E&xpiry date"), self.tr("&MRZ (passport lines)"))):
            label.setText(text)
        self.number.setPlaceholderText(self.tr("Type the number or scan the document into this field"))
        self.reader_box.setTitle(self.tr("Document reader: SIMULATOR (demo and tests only)"))
        self.read_button.setText(self.tr("&Read document"))
        self.copy_box.setTitle(self.tr("Copy of the document (customer due diligence)"))
        self.copy_reader.setText(self.tr("Image from rea&der"))
        self.copy_file.setText(self.tr("Ch&oose image file…"))
        self.copy_refused.setText(self.tr("Customer refuses a cop&y"))
        self._show_copy_state()

    def _show_copy_state(self) -> None:
        limits = self.tr("CNY {cny:,} or USD {usd:,} and more").format(cny=self._limits[0], usd=self._limits[1])
        rule = self.tr("Order 〔2025〕 No. 11")
        text = {
            "none": self.tr("No copy yet. Sales of {limits} need a copy of the identity document; without one "
                            "the sale stops ({rule}).").format(limits=limits, rule=rule),
            "checking": self.tr("Checking the image…"),
            "ok": self.tr("Copy taken ({source}, {width}×{height}); it is kept encrypted with the customer "
                          "record.").format(source=self._copy_source, width=self._copy_size[0],
                                            height=self._copy_size[1]),
            "refused": self.tr("The customer refuses a copy: a sale of {limits} will stop and be referred to "
                               "the AML officer ({rule}).").format(limits=limits, rule=rule),
        }[self.copy_state]
        self.copy_status.setText(text)
        self.copy_reader.setEnabled(self.copy_state != "refused")
        self.copy_file.setEnabled(self.copy_state != "refused")

    def copy_from_reader(self) -> None:
        """The reader images the card shown in the simulator's list (a real reader: the card on it)."""
        image = SimulatorReader().capture_image(self.profile.currentData())
        self._take_copy(image.data, "reader_simulator", self.tr("simulated reader"))

    def copy_from_file(self, path: str | None = None) -> None:
        """A scanner's image file (PNG or JPEG) chosen by the teller; tests pass ``path``."""
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, self.tr("Choose the scanned image of the document"),
                                                        "", self.tr("Images (*.png *.jpg *.jpeg)"))
            if not path:
                return
        limit_kib = self._limits[2]
        try:
            file = Path(path)
            # An oversized file is refused before it is read; the core checks the bytes again.
            if file.stat().st_size > limit_kib * 1024:
                self.message.show_error(lambda: self.tr("The image file is too large (at most {n} KiB).").format(
                    n=limit_kib))
                return
            data = file.read_bytes()
        except OSError:
            self.message.show_error(lambda: self.tr("The file cannot be read."))
            return
        self._take_copy(data, "file", self.tr("scanned file"))

    def _take_copy(self, data: bytes, source: str, label: str) -> None:
        self.copy_refused.setChecked(False)
        self.copy = CaptureDocumentImage(data, source)
        self.copy_state, self._copy_source = "checking", label
        self._show_copy_state()
        taken, settings = self.copy, self._settings
        run_task(self, lambda: check_image(data, source, settings), lambda found: self._copy_checked(taken, found))

    def _copy_checked(self, taken: CaptureDocumentImage, found: tuple[Result, object]) -> None:
        if taken is not self.copy:
            return  # a newer copy replaced it while it was checked
        res, image = found
        if image is None:
            self.copy, self.copy_state = None, "none"
            self.copy_thumbnail.clear()
            self.show_problems(res)
        else:
            pixmap = QPixmap()
            pixmap.loadFromData(image.thumbnail, "PNG")
            self.copy_thumbnail.setPixmap(pixmap)
            self.copy_state, self._copy_size = "ok", (image.width, image.height)
            self.field_changed("document_image")
        self._show_copy_state()

    def _copy_refused_toggled(self, on: bool) -> None:
        if on:
            self.copy = None
            self.copy_thumbnail.clear()
        self.copy_state = "refused" if on else ("ok" if self.copy is not None else "none")
        self._show_copy_state()

    def _long_term_toggled(self, on: bool) -> None:
        self.expiry.setEnabled(not on)

    def _expiry_edited(self) -> None:
        self.field_changed("expiry")

    def _number_entered(self) -> None:
        burst = looks_like_scanner_burst(self.keys.times[-64:])
        self.keys.times.clear()
        text = self.number.text()
        if burst or len(text) > 30:
            read = WedgeParser().parse(text)
            if read is not None:
                self.fill(read)
                return
        self.issue.setFocus()

    def read_simulator(self) -> None:
        read = SimulatorReader().read_profile(self.profile.currentData())
        self.fill(read)
        if not self.copy_refused.isChecked():
            self.copy_from_reader()  # the reader images the card as it reads it

    def fill(self, read) -> None:
        """A read fills the form; the teller checks it and goes on."""
        fields = dict(read.fields)
        idx = self.doc_type.findData(read.doc_type.value if read.doc_type else None)
        if idx >= 0:
            self.doc_type.setCurrentIndex(idx)
        self.number.setText(str(fields.get("number") or ""))
        issue = fields.get("issue_date")
        self.issue.setText(issue.isoformat() if hasattr(issue, "isoformat") else str(issue or ""))
        expiry = fields.get("expiry")
        long_term = isinstance(expiry, str) and expiry in ("长期", "long-term")
        self.long_term.setChecked(long_term)
        self.expiry.setText("" if long_term or expiry is None else (
            expiry.isoformat() if hasattr(expiry, "isoformat") else str(expiry)))
        self.mrz.setPlainText(str(fields.get("mrz") or ""))
        self.read_done.emit({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items()})

    def first_field(self) -> QWidget | None:
        return self.number

    def collect(self) -> EnterDocument:
        return EnterDocument(
            id_doc_type=self.doc_type.currentData(), id_number=self.number.text().strip(),
            id_issue_date=self.issue.text().strip() or None, id_long_term=self.long_term.isChecked(),
            id_expiry_date=None if self.long_term.isChecked() else (self.expiry.text().strip() or None),
            mrz=self.mrz.toPlainText().strip() or None, copy=self.copy, copy_refused=self.copy_refused.isChecked())

    def _field_widgets(self) -> dict[str, QWidget]:
        return {"number": self.number, "id_number": self.number, "issue_date": self.issue,
                "expiry": self.expiry, "mrz": self.mrz, "doc_type": self.doc_type}

    def _show_problem_list(self) -> None:
        super()._show_problem_list()
        bad = {top_field(p) for p in self.problems}
        for key, w in self._field_widgets().items():
            theme.set_state(w, "invalid" if key in bad else "")

    def _edited(self) -> None:
        widget = self.sender()
        for key, w in self._field_widgets().items():
            if w is widget:
                self.field_changed(key)


class ConsentStep(StepWidget):
    """The separate consent to process sensitive personal information (PIPL Arts 28-30)."""

    decided = Signal(bool)

    def __init__(self, ctx, consent_form, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.consent_form = consent_form
        lay = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setWordWrap(True)
        theme.set_role(self.title, "section")
        self.text = QTextBrowser()
        self.text.setObjectName("consent_text")
        self.agree = QPushButton()
        self.agree.setObjectName("consent_agree")
        self.refuse = QPushButton()
        self.refuse.setObjectName("consent_refuse")
        buttons = QHBoxLayout()
        buttons.addWidget(self.agree)
        buttons.addWidget(self.refuse)
        buttons.addStretch(1)
        lay.addWidget(self.title)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.agree.clicked.connect(self._agree)
        self.refuse.clicked.connect(self._refuse)
        self.retranslate()

    def first_field(self) -> QWidget | None:
        return self.agree

    def _agree(self) -> None:
        self.decided.emit(True)

    def _refuse(self) -> None:
        self.decided.emit(False)

    def retranslate(self) -> None:
        lang = self.ctx.lang
        self.title.setText(f"{self.consent_form.title.get(lang)}（v{self.consent_form.version}）" if lang == "zh"
                           else f"{self.consent_form.title.get(lang)} (v{self.consent_form.version})")
        paragraphs = [s.text.get(lang) for s in self.consent_form.sections if s.text is not None]
        self.text.setPlainText("\n\n".join(paragraphs))
        self.agree.setText(self.tr("Customer &agrees"))
        self.refuse.setText(self.tr("Customer &refuses"))


class ProfileStep(StepWidget):
    """The rest of the KYC form; a returning customer's current values show masked as hints."""

    def __init__(self, ctx, form, skip: set[str], parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self._form, self._skip = form, skip
        self._view: FormView | None = None
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        lay.addWidget(self.hint)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.message)
        self.returning = False
        # The KYC form is a session's largest page: built a moment later, once the document page is on
        # screen and input had its turn, so that starting a session does not hold the UI thread for both.
        QTimer.singleShot(10, self, self._build_view)

    @property
    def view(self) -> FormView:
        if self._view is None:
            self._build_view()
        assert self._view is not None
        return self._view

    def _build_view(self) -> None:
        if self._view is not None:
            return
        view = FormView(self._form, self.ctx.lang, skip=self._skip)
        view.field_changed.connect(self.field_changed)
        self.scroll.setWidget(view)
        self._view = view

    def prefill(self, values: dict, masked_hints: dict | None = None) -> None:
        self.view.set_values(values)
        self.returning = bool(masked_hints)
        for key, hint in (masked_hints or {}).items():
            editor = self.view.editors.get(key)
            if isinstance(editor, QLineEdit) and hint not in (None, ""):
                editor.setPlaceholderText(str(hint))
        self.retranslate()

    def retranslate(self) -> None:
        if self._view is not None:  # a view built later is labelled in the language of that moment
            self._view.relabel(self.ctx.lang)
        self.hint.setText(self.tr("Returning customer: current values are shown masked in grey. Type only what "
                                  "has changed; empty fields keep their current value.") if self.returning else
                          self.tr("New customer: complete the customer's data. Fields marked * are required."))

    def first_field(self) -> QWidget | None:
        return next((e for e in self.view.editors.values() if e.isVisibleTo(self) and e.isEnabled()), None)

    def collect(self) -> EnterProfile:
        return EnterProfile(self.view.values())

    def show_problems(self, result: Result) -> None:
        super().show_problems(result)
        self.view.focus_first_problem(result)

    def _show_problem_list(self) -> None:
        super()._show_problem_list()
        self.view.show_problems(Result(list(self.problems)), self.ctx.lang)


class ScreeningStep(StepWidget):
    recheck_requested = Signal()

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setObjectName("screening_status")
        self.status.setWordWrap(True)
        theme.set_role(self.status, "status")
        self.recheck = QPushButton()
        self.recheck.setObjectName("screening_recheck")
        self.recheck.clicked.connect(self.recheck_requested)
        self.recheck.hide()
        lay.addWidget(self.status)
        lay.addWidget(self.message)
        lay.addWidget(self.recheck, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.recheck.setText(self.tr("Check &again"))

    def first_field(self) -> QWidget | None:
        return self.recheck  # shown only while a hold waits for a supervisor

    def running(self) -> None:
        self.status.setText(self.tr("Screening the customer against the sanctions lists…"))
        theme.set_state(self.status, "")
        self.recheck.hide()

    def held(self, text: str) -> None:
        self.status.setText(text)
        theme.set_state(self.status, "warning")
        self.recheck.show()


class DoneStep(StepWidget):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("identification_summary")
        self.summary.setWordWrap(True)
        theme.set_role(self.summary, "status")
        lay.addWidget(self.summary)
        lay.addStretch(1)

    def enter(self, state: CounterSessionState) -> None:
        number = mask_id_number(state.document.number if state.document else "")
        kind = self.tr("Returning customer") if state.existing is not None else self.tr("New customer")
        screening = state.screening_status or ""
        status = {"clear": self.tr("no match on the loaded lists"),
                  "false_positive": self.tr("potential hit cleared by a supervisor as a false positive")}.get(
            screening, screening)
        text = self.tr("Identification complete.\n{kind}, document {number}.\nScreening: {status}.").format(
            kind=kind, number=number, status=status)
        signoff = state.signoff
        if signoff is not None and signoff.document_number:
            text = (self.tr("Sale complete: confirmation {doc} signed and printed.")
                    .format(doc=signoff.document_number) + "\n\n" + text)
        rating = state.aml
        if rating is not None:
            levels = {"low": self.tr("low"), "medium": self.tr("medium"), "high": self.tr("high")}
            reasons = "\n".join("· " + r.text.get(self.ctx.lang) for r in rating.reasons)
            text += "\n\n" + self.tr("AML risk rating: {level}").format(level=levels.get(rating.level, rating.level))
            text += ("\n" + reasons) if reasons else ""
        self.summary.setText(text)


class AssessmentStep(StepWidget):
    """The teller's view of the risk questionnaire: progress only; the customer answers on the
    customer window, and the teller cannot change an answer."""

    start_requested = Signal()
    use_current_requested = Signal()
    paper_requested = Signal(str)      # key in a completed paper form with this number
    print_blank_requested = Signal()

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setObjectName("assessment_status")
        self.status.setWordWrap(True)
        theme.set_role(self.status, "status")
        self.progress = QLabel()
        self.progress.setObjectName("assessment_progress")
        buttons = QHBoxLayout()
        self.use_current = QPushButton()
        self.use_current.setObjectName("assessment_use_current")
        self.start = QPushButton()
        self.start.setObjectName("assessment_start")
        buttons.addWidget(self.use_current)
        buttons.addWidget(self.start)
        buttons.addStretch(1)
        paper = QHBoxLayout()
        self.print_blank = QPushButton()
        self.print_blank.setObjectName("print_blank_questionnaire")
        self.paper_number = QLineEdit()
        self.paper_number.setObjectName("paper_form_number")
        self.paper_start = QPushButton()
        self.paper_start.setObjectName("paper_start")
        paper.addWidget(self.print_blank)
        paper.addWidget(self.paper_number, 1)
        paper.addWidget(self.paper_start)
        lay.addWidget(self.status)
        lay.addWidget(self.progress)
        lay.addLayout(buttons)
        lay.addLayout(paper)
        self.print_blank.clicked.connect(self.print_blank_requested)
        self.paper_start.clicked.connect(self._paper)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.use_current.clicked.connect(self.use_current_requested)
        self.start.clicked.connect(self.start_requested)
        self.use_current.hide()
        self.current = None
        self.retranslate()

    def retranslate(self) -> None:
        self.use_current.setText(self.tr("&Use the current assessment"))
        self.start.setText(self.tr("Start the &questionnaire on the customer screen"))
        self.print_blank.setText(self.tr("&Print a blank paper questionnaire…"))
        self.paper_number.setPlaceholderText(self.tr("Form number of a completed paper questionnaire (RQ-…)"))
        self.paper_start.setText(self.tr("&Key in the paper form"))

    def first_field(self) -> QWidget | None:
        return self.use_current if self.use_current.isVisibleTo(self) and self.use_current.isEnabled() else self.start

    def _paper(self) -> None:
        number = self.paper_number.text().strip()
        if number:
            self.paper_requested.emit(number)

    def show_current(self, current) -> None:
        self.current = current
        if current is None:
            self.status.setText(self.tr("The customer has no valid risk assessment. The customer answers the "
                                        "questionnaire personally on the customer screen."))
            self.use_current.hide()
        else:
            self.status.setText(self.tr("Valid assessment on file: {grade} {name}, valid until {until}. Use it, or "
                                        "start a new assessment if the customer's situation changed.").format(
                grade=current.grade, name=current.name.get(self.ctx.lang),
                until=current.last_valid_day.isoformat()))
            self.use_current.show()

    def answering(self, done: int, total: int, where: str) -> None:
        for w in (self.start, self.use_current, self.paper_start):
            w.setEnabled(False)
        texts = {"second_screen": self.tr("The customer is answering on the customer screen."),
                 "handover": self.tr("Hand the screen to the customer: they answer on the full-screen window."),
                 "paper": self.tr("Key in the answers exactly as the customer marked them on the paper form.")}
        self.status.setText(texts[where])
        self.progress.setText(self.tr("Answered {done} of {total}").format(done=done, total=total))

    def graded(self, result) -> None:
        self.status.setText(self.tr("Result shown to the customer: {grade} {name}. Waiting for the customer's "
                                    "confirmation.").format(grade=result.grade, name=result.name.get(self.ctx.lang)))

    def reset_buttons(self) -> None:
        for w in (self.start, self.use_current, self.paper_start, self.print_blank):
            w.setEnabled(True)
