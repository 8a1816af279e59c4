"""Small shared widgets: page base with retranslation, banners, placeholder cards, error labels."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from counterdesk.base.text import CounterDeskError, Text
from counterdesk.ui import theme
from counterdesk.ui.widgets.tasks import run_task


class Page(QWidget):
    """A screen of the stack. Subclasses build widgets once and set their texts in retranslate()."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        pass


class LoadingPage(Page):
    """A page whose data is read off the UI thread. One read at a time: a refresh asked for while one
    runs is folded into one more read afterwards; a read that started before a change made on this
    page (``changed_here``) is thrown away and done again. Subclasses give ``read_job`` (a callable
    run in a worker) and ``show_data``; they own a ``message`` label for errors."""

    loaded = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loading = False
        self._reload = False
        self._generation = 0

    def read_job(self):
        raise NotImplementedError

    def show_data(self, data) -> None:
        raise NotImplementedError

    def can_read(self) -> bool:
        return True

    def changed_here(self) -> None:
        """A change was made on this page: reads started before it are stale."""
        self._generation += 1

    def refresh(self) -> None:
        if not self.can_read():
            return
        if self.loading:
            self._reload = True
            return
        self.loading = True
        job, generation = self.read_job(), self._generation
        run_task(self, lambda: (generation, job()), self._read_done, self._read_failed)

    def load(self) -> None:
        self.refresh()

    def _read_done(self, result) -> None:
        self.loading = False
        generation, data = result
        if generation != self._generation:
            self._reload = False
            self.refresh()  # read before a change made here: read again
            return
        self.show_data(data)
        self.loaded.emit()
        if self._reload:
            self._reload = False
            self.refresh()

    def _read_failed(self, exc: BaseException) -> None:
        self.loading = False
        self._reload = False
        self.read_failed(exc)

    def read_failed(self, exc: BaseException) -> None:
        self.message.show_error(error_text(exc, self.ctx.lang))


class DialogHostPage(Page):
    """A page that opens modeless-in-effect dialogs one at a time (``self.dialog``, for tests) and
    gives the focus back to its main view (``focus_after_dialog``) when a dialog closes."""

    dialog = None

    def open_dialog(self, dialog):
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._dialog_finished)
        dialog.open()
        return dialog

    def _dialog_finished(self) -> None:
        if self.dialog is not None and not self.dialog.isVisible():
            self.dialog = None
        self.focus_after_dialog().setFocus()

    def focus_after_dialog(self) -> QWidget:
        return self


class MessageLabel(QLabel):
    """Shows an error or info message; empty and hidden when there is nothing to say.

    Given a function instead of a string (``lambda: self.tr("…")``, ``lambda: error_text(exc, ctx.lang)``)
    the message is rendered again when the language changes, so it never stays in the old language."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName("message")
        self._render: Callable[[], str] | None = None
        self.hide()

    def _show(self, text: str | Callable[[], str], role: str) -> None:
        self._render = text if callable(text) else None
        theme.set_role(self, role)
        shown = text() if callable(text) else text
        self.setText(shown)
        self.setVisible(bool(shown))

    def show_error(self, text: str | Callable[[], str]) -> None:
        self._show(text, "error")

    def show_info(self, text: str | Callable[[], str]) -> None:
        self._show(text, "info")

    def clear_message(self) -> None:
        self._render = None
        self.setText("")
        self.hide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self._render is not None:
            shown = self._render()
            self.setText(shown)
            self.setVisible(bool(shown))
        super().changeEvent(event)


def error_text(exc: BaseException, lang: str) -> str:
    """The user-facing message of an exception from the core."""
    if isinstance(exc, CounterDeskError):
        result = getattr(exc, "result", None)
        if result is not None and len(result.errors()) > 1:
            return "\n".join(p.message(lang) for p in result.errors())
        return exc.message(lang)
    return Text("发生意外错误，操作未完成。详情已记录在日志中。",
                "An unexpected error stopped the operation. Details are in the log.").get(lang)


class DemoBanner(QLabel):
    """A clearly visible marker that this installation holds demo data only."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self, "demo-banner")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)


class PlaceholderCard(QFrame):
    """Marks a task that a later release fills in, saying exactly what will be there."""

    def __init__(self, title: str, body: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        theme.set_role(self, "placeholder")
        layout = QVBoxLayout(self)
        self.title = QLabel(title)
        theme.set_role(self.title, "page-title")
        self.body = QLabel(body)
        self.body.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)

    def set_texts(self, title: str, body: str) -> None:
        self.title.setText(title)
        self.body.setText(body)


def page_title() -> QLabel:
    """The bold heading at the top of a work page."""
    label = QLabel()
    theme.set_role(label, "page-title")
    return label


def title_label() -> QLabel:
    label = QLabel()
    theme.set_role(label, "title")
    return label


def queue_layout(page: QWidget, head: Sequence[QWidget | QLayout], table: QWidget, detail: Sequence[QWidget],
                 actions: QLayout) -> QSplitter:
    """A work queue on ``page``: the headings and filter bar (``head``) over a table, and under it the
    selected row's detail (the last of ``detail`` takes the room) with its actions, split so that either
    can be given more room. Returns the splitter."""
    lower = QWidget()
    lower_layout = QVBoxLayout(lower)
    lower_layout.setContentsMargins(0, 0, 0, 0)
    for i, widget in enumerate(detail):
        lower_layout.addWidget(widget, 1 if i == len(detail) - 1 else 0)
    lower_layout.addLayout(actions)
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(table)
    split.addWidget(lower)
    split.setStretchFactor(1, 1)
    outer = QVBoxLayout(page)
    for part in head:
        if isinstance(part, QLayout):
            outer.addLayout(part)
        else:
            outer.addWidget(part)
    outer.addWidget(split, 1)
    return split


def centered_column(page: QWidget, width: int = 460) -> tuple[QVBoxLayout, QVBoxLayout]:
    """A page layout with a fixed-width column centred on it (sign-in, lock screen).
    Returns (outer layout, column layout); the column is placed between the stretches."""
    outer = QVBoxLayout(page)
    box = QWidget()
    box.setMaximumWidth(width)
    column = QVBoxLayout(box)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(box)
    row.addStretch(1)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return outer, column


def money(amount: str | Decimal | None) -> str:
    """"100000" → "100,000.00"; anything unreadable is shown as stored."""
    try:
        return f"{Decimal(amount):,.2f}"  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        return str(amount or "")
