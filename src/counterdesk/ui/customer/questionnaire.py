"""The customer-facing window: the customer answers the risk questionnaire personally.

It opens full screen on a second screen when one is attached; otherwise full screen on the
teller's screen, which the teller hands over. The teller's own window only shows progress. Every
answer is reported with where it was entered ("customer_screen"), and the core refuses any other
source for a customer's answers.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counterdesk.ui import theme

ENTERED_AT = "customer_screen"


class CustomerWindow(QWidget):
    answered = Signal(str, str)          # question key, option value
    submitted = Signal(dict)             # all answers
    confirmed = Signal(bool)             # regrade confirmed (True when a changed grade was re-confirmed)
    closed = Signal()                    # the window was closed (by the customer, e.g. Alt+F4, or the teller)

    def __init__(self, questionnaire, lang: str, parent: QWidget | None = None, paper_form: str | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        # Keying in a completed paper form is the teller's work on the teller's screen; the answers are
        # the customer's, from the signed paper, and are stored as entered from that form.
        self.paper_form = paper_form
        self.entered_at = "paper_form" if paper_form else ENTERED_AT
        self.setObjectName("customer_window")
        self.q = questionnaire
        self.lang = lang
        self.answers: dict[str, str] = {}
        self.index = 0
        self.submitting = False
        theme.set_screen(self, "customer")  # large text throughout: read at arm's length, by people of every age
        outer = QVBoxLayout(self)
        self.title = QLabel()
        theme.set_role(self.title, "customer-title")
        self.progress = QLabel()
        self.progress.setObjectName("customer_progress")
        self.stack = QStackedWidget()
        outer.addWidget(self.title)
        outer.addWidget(self.progress)
        outer.addWidget(self.stack, 1)
        self.notice = QLabel()
        self.notice.setObjectName("customer_notice")
        self.notice.setWordWrap(True)
        theme.set_role(self.notice, "error")
        outer.addWidget(self.notice)
        buttons = QHBoxLayout()
        self.back = QPushButton()
        self.back.setObjectName("customer_back")
        self.forward = QPushButton()
        self.forward.setObjectName("customer_next")
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.forward)
        outer.addLayout(buttons)
        self.back.clicked.connect(self.previous_question)
        self.forward.clicked.connect(self.next_question)
        self.groups: list[QButtonGroup] = []
        for q in self.q.questions:
            self.stack.addWidget(self._question_page(q))
        self.result_page = self._result_page()
        self.stack.addWidget(self.result_page)
        for n in range(1, 10):
            QShortcut(QKeySequence(str(n)), self).activated.connect(self._pick_by_number)
        self.retranslate()
        self._show(0)

    # ---- pages ----------------------------------------------------------------------------------------------
    def _question_page(self, q) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        label = QLabel()
        label.setWordWrap(True)
        label.setObjectName(f"q_{q.key}")
        lay.addWidget(label)
        group = QButtonGroup(page)
        group.setExclusive(True)
        field = self.q.form.field(q.key)
        for i, option in enumerate(field.options):
            radio = QRadioButton()
            radio.setObjectName(f"{q.key}={option.value}")
            radio.setProperty("value", option.value)
            group.addButton(radio, i)
            lay.addWidget(radio)
        lay.addStretch(1)
        group.buttonClicked.connect(self._clicked)
        self.groups.append(group)
        page.setProperty("label", label)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.result_text = QLabel()
        self.result_text.setObjectName("customer_result")
        self.result_text.setWordWrap(True)
        # Focusable so the result opens on its text, not on a button a repeated Enter could hit.
        self.result_text.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.reconfirm = QCheckBox()
        self.reconfirm.setObjectName("customer_reconfirm")
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("customer_confirm")
        self.confirm_button.clicked.connect(self._confirm)
        self.confirm_button.setAutoDefault(True)  # Enter presses it once the customer tabbed to it
        lay.addWidget(self.result_text)
        lay.addWidget(self.reconfirm)
        lay.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addStretch(1)
        return page

    def retranslate(self) -> None:
        title = self.q.form.title.get(self.lang)
        if self.paper_form:
            title = self.tr("{title} — keying in paper form {number}").format(title=title, number=self.paper_form)
        self.title.setText(title)
        for i, q in enumerate(self.q.questions):
            page = self.stack.widget(i)
            page.property("label").setText(f"{i + 1}. {q.label.get(self.lang)}")
            field = self.q.form.field(q.key)
            for button, option in zip(self.groups[i].buttons(), field.options):
                button.setText(option.label.get(self.lang))
        self.back.setText(self.tr("← Previous"))
        self.reconfirm.setText(self.tr("I understand that my risk grade has changed and I confirm the new grade"))
        self.confirm_button.setText(self.tr("I confirm this result"))
        self._update_nav()

    # ---- answering ------------------------------------------------------------------------------------------
    def _clicked(self, button) -> None:
        key = self.q.questions[self.index].key
        self.answers[key] = button.property("value")
        self.answered.emit(key, self.answers[key])
        self._update_nav()

    def _pick_by_number(self) -> None:
        if self.index >= len(self.q.questions):
            return
        n = int(self.sender().key().toString()) - 1
        buttons = self.groups[self.index].buttons()
        if 0 <= n < len(buttons):
            buttons[n].click()
            buttons[n].setFocus(Qt.FocusReason.ShortcutFocusReason)  # the arrows go on from the answer

    def choose(self, key: str, value: str) -> None:
        """Select an answer as the customer would by clicking it (tests and accessibility tools)."""
        i = [q.key for q in self.q.questions].index(key)
        self._show(i)
        for button in self.groups[i].buttons():
            if button.property("value") == value:
                button.click()
                return
        raise KeyError(value)

    def _show(self, index: int) -> None:
        self.index = index
        self.stack.setCurrentIndex(index)
        self._update_nav()
        if index < len(self.groups):  # the keyboard on this question's answer (or its first option)
            group = self.groups[index]
            button = group.checkedButton() or group.buttons()[0]
            button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_nav(self) -> None:
        total = len(self.q.questions)
        on_result = self.index >= total
        self.progress.setText("" if on_result else self.tr("Question {n} of {total} · answered {done}").format(
            n=self.index + 1, total=total, done=len(self.answers)))
        self.back.setVisible(not on_result)
        self.forward.setVisible(not on_result)
        self.back.setEnabled(self.index > 0)
        last = self.index == total - 1
        self.forward.setText(self.tr("Submit answers") if last else self.tr("Next →"))
        current = None if on_result else self.q.questions[self.index].key
        self.forward.setEnabled(not on_result and current in self.answers and not self.submitting)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter on an answered question goes on, as "Next" would (a radio button leaves Enter unused).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.forward.isVisible() \
                and self.forward.isEnabled():
            self.next_question()
            return
        super().keyPressEvent(event)

    def previous_question(self) -> None:
        if self.index > 0:
            self._show(self.index - 1)

    def next_question(self) -> None:
        if self.index < len(self.q.questions) - 1:
            self._show(self.index + 1)
        elif len(self.answers) == len(self.q.questions) and not self.submitting:
            # One submission at a time: a double click must not send the answers twice.
            self.submitting = True
            self.forward.setEnabled(False)
            self.submitted.emit(dict(self.answers))

    def show_contradictions(self, contradictions, lang: str) -> None:
        """Send the customer back to the first question involved, saying why."""
        self.submitting = False
        theme.set_role(self.notice, "error")
        self.notice.setText("\n".join(c.text.get(lang) for c in contradictions))
        keys = [q.key for q in self.q.questions]
        first = min((keys.index(k) for c in contradictions for k in c.questions if k in keys), default=0)
        self._show(first)

    def show_result(self, result, lang: str) -> None:
        self.notice.clear()
        text = self.tr("Your risk tolerance grade: {grade} {name}\nValid until {until}.").format(
            grade=result.grade, name=result.name.get(lang), until=result.last_valid_day.isoformat())
        if result.lowest_category:
            text += "\n" + self.tr("You are in the lowest risk category: only the lowest-risk products (R1) are "
                                   "open to you.")
        if result.needs_reconfirmation:
            text += "\n\n" + self.tr("Your previous grade was {previous}. Please read the new grade and confirm "
                                     "it.").format(previous=result.previous_grade)
        self.reconfirm.setVisible(result.needs_reconfirmation)
        self.reconfirm.setChecked(False)
        self.result_text.setText(text)
        self._needs_reconfirm = result.needs_reconfirmation
        self._show(len(self.q.questions))
        self.result_text.setFocus(Qt.FocusReason.OtherFocusReason)

    def _confirm(self) -> None:
        if getattr(self, "_needs_reconfirm", False) and not self.reconfirm.isChecked():
            theme.set_role(self.notice, "error")
            self.notice.setText(self.tr("Please tick the box to confirm the changed grade."))
            return
        self.confirmed.emit(bool(getattr(self, "_needs_reconfirm", False)))

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

    def show_handback(self) -> None:
        theme.set_role(self.notice, "success")
        self.notice.setText(self.tr("Thank you. Please hand the screen back to the teller."))

    # ---- placement ----------------------------------------------------------------------------------------------
    def show_for_customer(self) -> str:
        """Full screen on a second screen if there is one, else on this one (handed over)."""
        return place_for_customer(self)


def place_for_customer(window: QWidget) -> str:
    """Show ``window`` full screen on a second screen if there is one, else on the teller's screen,
    which the teller hands over. Returns "second_screen" or "handover"."""
    screens = QGuiApplication.screens()
    target = screens[1] if len(screens) > 1 else QGuiApplication.primaryScreen()
    window.setScreen(target)
    window.setGeometry(target.geometry())
    window.showFullScreen()
    return "second_screen" if len(screens) > 1 else "handover"
