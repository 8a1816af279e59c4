"""The customer panel beside a counter session's step: who is being served, masked (name, document,
risk grade and its validity, AML rating, screening, consent, a data-rights restriction). It shows the
core's view model (counterdesk.flow.customer_summary) and nothing else."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from counterdesk.flow.customer_summary import LABELS, WAITING, CustomerPanel
from counterdesk.ui.theme import set_role, set_state

PANEL_WIDTH = 264  # logical pixels: a masked document number and a grade line fit; Qt scales it on high DPI
_ROLE_OF_TONE = {"": "panel-value", "ok": "panel-ok", "warning": "panel-value", "error": "panel-value"}
_STATE_OF_TONE = {"": "", "ok": "", "warning": "warning", "error": "error"}


class CustomerPanelView(QFrame):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("customer_panel")
        set_role(self, "panel")
        self.setFixedWidth(PANEL_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        # No scroll area: seven short rows (and a restriction's few lines) fit beside the step at 1366×768.
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(2)
        self.heading = QLabel()
        self.heading.setObjectName("customer_panel_heading")
        self.heading.setWordWrap(True)
        set_role(self.heading, "section")
        lay.addWidget(self.heading)
        self.labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for key in LABELS:
            label, value = QLabel(), QLabel()
            label.setObjectName(f"panel_{key}_label")
            value.setObjectName(f"panel_{key}")
            for w in (label, value):
                w.setWordWrap(True)
                w.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            label.setBuddy(value)
            # Roles are set when a row is first shown: polishing every row at sign-in would hold the UI thread.
            self.labels[key], self.values[key] = label, value
            lay.addSpacing(6)
            lay.addWidget(label)
            lay.addWidget(value)
        lay.addStretch(1)
        self.model: CustomerPanel = WAITING
        self.show_model(WAITING)

    def show_model(self, model: CustomerPanel) -> None:
        self.model = model
        lang = self.ctx.lang
        self.heading.setText(model.heading.get(lang))
        shown = {r.key: r for r in model.rows}
        for key, label in self.labels.items():
            value, row = self.values[key], shown.get(key)
            label.setVisible(row is not None)
            value.setVisible(row is not None)
            if row is None:
                continue
            # An empty label on the waiting panel: the line is a hint, not a field.
            label.setText(row.label.get(lang) if model.known else "")
            label.setVisible(model.known)
            if model.known:
                set_role(label, "panel-label")
            value.setText(row.value.get(lang))
            set_role(value, _ROLE_OF_TONE.get(row.tone, "panel-value") if model.known else "hint")
            set_state(value, _STATE_OF_TONE.get(row.tone, ""))
            value.setAccessibleName(f"{row.label.get(lang)}: {row.value.get(lang)}")
        self.setAccessibleName(model.heading.get(lang))

    def texts(self) -> list[str]:
        """Every text the panel shows now (tests check that nothing in it is unmasked)."""
        return [w.text() for w in (self.heading, *self.labels.values(), *self.values.values()) if w.isVisibleTo(self)]

    def retranslate(self) -> None:
        self.show_model(self.model)
