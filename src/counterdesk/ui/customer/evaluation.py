"""The customer-facing evaluation window (评价器): at the end of a counter session the customer rates
the service on the customer screen, where the questionnaire and the sign-off were shown.

Nothing is pre-selected (保险销售行为管理办法 Art 23 spirit): no star, no reason, no NPS score. Stars are
large buttons, also chosen with the keys 1-5 (while the comment field has the focus the digits go into
the text). "Submit" opens once a star is chosen; "Skip" is always there. Every N-th session the window
also asks how likely the customer is to recommend the bank (0-10, optional).

The window only collects; the teller's side stores what the signals report (counterdesk.services.
evaluations) and shows the teller only whether the customer rated or skipped, never the score.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counterdesk.services.evaluations.codes import COMMENT_MAX, NPS_SCALE, REASONS, STARS
from counterdesk.ui import theme
from counterdesk.ui.customer.questionnaire import place_for_customer

STAGES = ("rating", "thanks")
THANKS_MS = 8000  # the thanks page closes by itself after this long
_STAR_KEYS = {Qt.Key.Key_1: 1, Qt.Key.Key_2: 2, Qt.Key.Key_3: 3, Qt.Key.Key_4: 4, Qt.Key.Key_5: 5}


class EvaluationWindow(QWidget):
    submitted = Signal(dict)   # {"stars": int, "reasons": [code, ...], "comment": str, "nps": int | None}
    skipped = Signal()
    stage_changed = Signal(str)
    closed = Signal()          # the window was closed (by the customer, e.g. Alt+F4, or the teller)

    def __init__(self, lang: Callable[[], str], *, ask_nps: bool, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("evaluation_window")
        self._lang = lang
        self.ask_nps = ask_nps
        self.done = False
        theme.set_screen(self, "customer")  # read at arm's length, as the other customer windows
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        self.title = QLabel()
        self.title.setObjectName("evaluation_title")
        self.title.setWordWrap(True)
        theme.set_role(self.title, "customer-title")
        # The window opens on the question, not on a star a stray Space or Enter could choose.
        self.title.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        outer.addWidget(self.title)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.pages = {"rating": self._rating_page(), "thanks": self._thanks_page()}
        for name, page in self.pages.items():
            page.setObjectName(f"evaluation_page_{name}")
            self.stack.addWidget(page)
        self.retranslate()
        self._update_submit()

    # ---- pages ----------------------------------------------------------------------------------------------
    def _big(self, button: QPushButton, factor: float = 2.4) -> None:
        button.setMinimumHeight(round(self.fontMetrics().height() * factor))
        button.setAutoDefault(True)

    def _rating_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 8, 0, 0)
        self.stars_label = QLabel()
        self.stars_label.setWordWrap(True)
        lay.addWidget(self.stars_label)
        row = QHBoxLayout()
        self.star_group = QButtonGroup(self)
        self.star_group.setExclusive(True)
        self.star_buttons: dict[int, QPushButton] = {}
        for n in STARS:
            b = QPushButton()
            b.setObjectName(f"evaluation_star_{n}")
            b.setCheckable(True)
            self._big(b)
            b.setMinimumWidth(round(self.fontMetrics().horizontalAdvance("★★★★★") * 1.3))
            self.star_group.addButton(b, n)
            self.star_buttons[n] = b
            row.addWidget(b)
        self.star_group.idToggled.connect(lambda _id, _on: self._update_submit())
        lay.addLayout(row)
        self.star_hint = QLabel()
        self.star_hint.setObjectName("evaluation_star_hint")
        lay.addWidget(self.star_hint)

        self.reasons_label = QLabel()
        self.reasons_label.setWordWrap(True)
        lay.addSpacing(8)
        lay.addWidget(self.reasons_label)
        grid = QGridLayout()
        self.reason_boxes: dict[str, QCheckBox] = {}
        for i, code in enumerate(REASONS):
            box = QCheckBox()
            box.setObjectName(f"evaluation_reason_{code}")
            self.reason_boxes[code] = box
            grid.addWidget(box, i // 3, i % 3)
        lay.addLayout(grid)

        self.nps_label = QLabel()
        self.nps_label.setWordWrap(True)
        self.nps_group = QButtonGroup(self)
        self.nps_buttons: dict[int, QPushButton] = {}
        nps_row = QHBoxLayout()
        for n in NPS_SCALE:
            b = QPushButton(str(n))
            b.setObjectName(f"evaluation_nps_{n}")
            b.setCheckable(True)
            self._big(b, 1.8)
            self.nps_group.addButton(b, n)
            self.nps_buttons[n] = b
            nps_row.addWidget(b)
        self.nps_ends = QLabel()
        self.nps_ends.setObjectName("evaluation_nps_ends")
        if self.ask_nps:
            lay.addSpacing(8)
            lay.addWidget(self.nps_label)
            lay.addLayout(nps_row)
            lay.addWidget(self.nps_ends)
        else:
            for b in self.nps_buttons.values():
                b.hide()

        self.comment_label = QLabel()
        self.comment = QLineEdit()
        self.comment.setObjectName("evaluation_comment")
        self.comment.setMaxLength(COMMENT_MAX)
        self.comment_label.setBuddy(self.comment)
        lay.addSpacing(8)
        lay.addWidget(self.comment_label)
        lay.addWidget(self.comment)
        lay.addStretch(1)
        buttons = QHBoxLayout()
        self.skip_button = QPushButton()
        self.skip_button.setObjectName("evaluation_skip")
        self.submit_button = QPushButton()
        self.submit_button.setObjectName("evaluation_submit")
        for b in (self.skip_button, self.submit_button):
            self._big(b, 2.0)
        self.skip_button.clicked.connect(self._skip)
        self.submit_button.clicked.connect(self._submit)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)
        lay.addLayout(buttons)
        return page

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.thanks = QLabel()
        self.thanks.setObjectName("evaluation_thanks")
        self.thanks.setWordWrap(True)
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self.thanks, "customer-text")
        self.close_button = QPushButton()
        self.close_button.setObjectName("evaluation_close")
        self._big(self.close_button, 2.0)
        self.close_button.clicked.connect(self.close)
        lay.addStretch(1)
        lay.addWidget(self.thanks)
        lay.addSpacing(16)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignCenter)
        lay.addStretch(2)
        return page

    # ---- texts ----------------------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        lang = self._lang()
        self.setWindowTitle(self.tr("Your evaluation of our service"))
        self.title.setText(self.tr("How was our service today?") if self.stage == "rating" else "")
        self.stars_label.setText(self.tr("Please choose from 1 to 5 stars (keys 1-5): 1 very poor, 5 excellent."))
        for n, b in self.star_buttons.items():
            b.setText("★" * n)
            b.setAccessibleName(self.tr("{n} of 5 stars").format(n=n))
        self.reasons_label.setText(self.tr("What made the difference? (optional, several allowed)"))
        for code, box in self.reason_boxes.items():
            box.setText(REASONS[code].get(lang))
        self.nps_label.setText(self.tr("How likely are you to recommend our bank to a friend or colleague? "
                                       "(optional)"))
        self.nps_ends.setText(self.tr("0 = not at all likely, 10 = extremely likely"))
        self.comment_label.setText(self.tr("Anything else you would like to tell us? (optional, at most {n} "
                                           "characters)").format(n=COMMENT_MAX))
        self.comment.setAccessibleName(self.tr("Your comment"))
        self.skip_button.setText(self.tr("Skip"))
        self.submit_button.setText(self.tr("Submit"))
        self.thanks.setText(self.tr("Thank you. Please hand the screen back to the teller."))
        self.close_button.setText(self.tr("Done"))
        self._update_submit()

    def _update_submit(self) -> None:
        chosen = self.stars
        self.submit_button.setEnabled(chosen is not None and not self.done)
        self.star_hint.setText(self.tr("You chose {n} of 5 stars.").format(n=chosen) if chosen
                               else self.tr("No stars chosen yet."))

    # ---- state ----------------------------------------------------------------------------------------------
    @property
    def stage(self) -> str:
        current = self.stack.currentWidget()
        return next(name for name, page in self.pages.items() if page is current)

    @property
    def stars(self) -> int | None:
        n = self.star_group.checkedId()
        return n if n in STARS else None

    def choose_stars(self, n: int) -> None:
        if self.stage == "rating" and n in self.star_buttons:
            self.star_buttons[n].setChecked(True)
            self.star_buttons[n].setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Digits typed into the comment field never arrive here: the field takes them.
        key = Qt.Key(event.key())
        if key in _STAR_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.choose_stars(_STAR_KEYS[key])
            event.accept()
            return
        super().keyPressEvent(event)

    def _submit(self) -> None:
        stars = self.stars
        if self.stage != "rating" or stars is None or self.done:
            return
        nps = self.nps_group.checkedId() if self.ask_nps else -1
        self.done = True
        self._update_submit()
        self.submitted.emit({"stars": stars, "reasons": [c for c, b in self.reason_boxes.items() if b.isChecked()],
                             "comment": self.comment.text(), "nps": nps if nps in NPS_SCALE else None})

    def _skip(self) -> None:
        if self.stage != "rating" or self.done:
            return
        self.done = True
        self._update_submit()
        self.skipped.emit()

    def show_thanks(self) -> None:
        """Stored: thank the customer (the teller closes the window or the next session does)."""
        self.stack.setCurrentWidget(self.pages["thanks"])
        self.retranslate()
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.stage_changed.emit("thanks")
        # Handed back without a touch, the screen clears itself (the next customer must not see it).
        QTimer.singleShot(THANKS_MS, self, self.close)

    def show_error(self, text: str) -> None:
        """Storing failed: the customer may try again."""
        self.done = False
        self.star_hint.setText(text)
        self.submit_button.setEnabled(self.stars is not None)

    def show_for_customer(self) -> str:
        where = place_for_customer(self)
        self.title.setFocus(Qt.FocusReason.OtherFocusReason)
        return where

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
