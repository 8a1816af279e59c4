"""The step bar above a counter session: every step with its state (done, current, blocked, pending,
not needed), shown by the theme's step roles and a sign, so it reads without colour too, and told to
screen readers in words. The states come from the core (counterdesk.flow.step_progress).

It stays one line at any width: when the names do not fit (English on a 1366×768 screen), steps shrink
to their sign and number one by one, those done first, then those farthest from the current one; the
current and a blocked step keep their name, and every step keeps its full name in the tooltip and for
screen readers."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QSizePolicy, QWidget

from counterdesk.flow.step_progress import BLOCKED, CURRENT, DONE, PENDING, SKIPPED, StepMark
from counterdesk.ui.theme import set_role

ROLES = {DONE: "step-done", CURRENT: "step-current", BLOCKED: "step-blocked", PENDING: "step-pending",
         SKIPPED: "step-skipped"}
SIGNS = {DONE: "✔ ", CURRENT: "▶ ", BLOCKED: "⚠ ", PENDING: "", SKIPPED: "– "}


class StepBar(QWidget):
    def __init__(self, step_ids: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("step_bar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        # The bar's minimum is its shortest form (minimumSizeHint), not the full names.
        lay.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.short: set[str] = set()  # the steps shown by their number only, to fit the width
        self.labels: dict[str, QLabel] = {}
        for step_id in step_ids:
            label = QLabel()
            label.setObjectName(f"step_{step_id}")
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            self.labels[step_id] = label
            lay.addWidget(label)
        lay.addStretch(1)
        self.names: dict[str, str] = {}
        self.marks: dict[str, StepMark] = {s: StepMark(s, PENDING) for s in step_ids}
        self.lang = "zh"

    def status(self, step_id: str) -> str:
        return self.marks[step_id].status

    def set_names(self, names: dict[str, str], lang: str) -> None:
        self.names, self.lang = names, lang
        self._show()

    def show_marks(self, marks: list[StepMark] | None) -> None:
        """The session's marks; None: no session (every step pending)."""
        self.marks = {s: StepMark(s, PENDING) for s in self.labels} if marks is None else {m.step_id: m for m in marks}
        self._show()

    def _words(self, status: str) -> str:
        return {DONE: self.tr("done"), CURRENT: self.tr("current step"), BLOCKED: self.tr("blocked"),
                PENDING: self.tr("not yet"), SKIPPED: self.tr("not needed")}[status]

    def _text(self, step_id: str, short: bool) -> str:
        status = self.marks[step_id].status
        name = self.names.get(step_id, step_id)
        # The names start with the step's number ("6 Recommendation", "6 产品推荐").
        return SIGNS[status] + (name.split(" ", 1)[0] if short else name)

    def _shrink_order(self) -> list[str]:
        """The steps that may shrink, in turn: those done, then the others, the farthest from the current first."""
        order = list(self.labels)
        here = next((i for i, sid in enumerate(order) if self.marks[sid].status in (CURRENT, BLOCKED)), 0)
        done = [sid for sid in order if self.marks[sid].status == DONE]
        rest = [sid for sid in order if self.marks[sid].status in (PENDING, SKIPPED)]
        far = sorted(rest, key=lambda sid: -abs(order.index(sid) - here))
        return done + far

    def _width(self, short: set[str]) -> int:
        padding = sum(label.sizeHint().width() - label.fontMetrics().horizontalAdvance(label.text())
                      for label in self.labels.values())
        spacing = self.layout().spacing() * len(self.labels)
        return padding + spacing + sum(label.fontMetrics().horizontalAdvance(self._text(sid, sid in short))
                                       for sid, label in self.labels.items())

    def _fit(self) -> None:
        width, short = self.width(), set()
        for step_id in self._shrink_order():
            if self._width(short) <= width:
                break
            short.add(step_id)
        self.short = short
        for step_id, label in self.labels.items():
            label.setText(self._text(step_id, step_id in short))

    def sizeHint(self) -> QSize:
        return QSize(self._width(set()), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self._width(set(self._shrink_order())), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _show(self) -> None:
        for step_id, label in self.labels.items():
            mark = self.marks.get(step_id, StepMark(step_id, PENDING))
            name = self.names.get(step_id, step_id)
            set_role(label, ROLES[mark.status])
            said = f"{name}: {self._words(mark.status)}"
            if mark.why is not None:
                said += f" ({mark.why.get(self.lang)})"
            label.setAccessibleName(said)
            label.setToolTip(said)
        self._fit()
        self.updateGeometry()
