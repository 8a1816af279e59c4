"""Asks the customer to rate the service once a counter session is complete, on the customer window
(counterdesk.ui.customer.evaluation), and tells the teller only whether the customer rated or skipped.

Asked after every completed session, and after one the teller cancels because the customer, served,
decided not to go ahead (no sale); not when the customer left, after a refusal or a screening hold, or
at a sign-out (see counterdesk.services.evaluations.capture.SERVED_STOPS). Every core
call runs in a worker; the rating goes to the core with the customer screen as its source, straight
from the customer window's signal: the teller's window has no control that sets it.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from counterdesk.services.customers.counter_sessions import CANCEL_PREFIX
from counterdesk.services.evaluations import capture
from counterdesk.services.evaluations.capture import SERVED_STOPS, Invitation, Rating
from counterdesk.services.evaluations.codes import CUSTOMER_SCREEN, SKIPPED, SUBMITTED
from counterdesk.ui.customer.evaluation import EvaluationWindow
from counterdesk.ui.widgets.common import error_text
from counterdesk.ui.widgets.tasks import run_task

# The teller's cancel reasons after which the customer is asked.
EVALUATED_CANCELS = tuple(code.removeprefix(CANCEL_PREFIX) for code in SERVED_STOPS)


class EvaluationController(QObject):
    state_changed = Signal(str)   # asking, submitted, skipped, closed, unavailable, error

    def __init__(self, page: Any, parent: QObject | None = None):
        super().__init__(parent or page)
        self.page = page
        self.ctx = page.ctx
        self.window: EvaluationWindow | None = None
        self.session_id: str | None = None
        self.ended = ""

    def ask(self, session_id: str) -> None:
        """Open the customer window for ``session_id`` (just completed)."""
        self.close_window()
        vault, user = self.ctx.vault, self.ctx.user
        self.session_id = session_id
        self.ended = self.page.banner.text()  # how the session ended; the evaluation's news goes under it
        run_task(self, lambda: capture.invitation(vault, user, session_id), self._open, self._unavailable)

    def _tell(self, news) -> None:
        ended = self.ended
        self.page.banner.show_info(lambda: f"{ended}\n{news()}" if ended else news())

    def _unavailable(self, exc: BaseException) -> None:
        # E.g. the session was already rated: the teller simply goes on.
        self.state_changed.emit("unavailable")

    def _open(self, invitation: Invitation) -> None:
        if invitation.session_id != self.session_id or self.page.counter_session is not None or self.page.busy:
            return  # the teller has started (or is starting) the next session meanwhile
        window = EvaluationWindow(lambda: self.ctx.lang, ask_nps=invitation.ask_nps)
        window.submitted.connect(self._submitted)
        window.skipped.connect(self._skipped)
        window.closed.connect(self._closed_by_customer)
        self.window = window
        self.destroyed.connect(window.close)  # a sign-out takes the page away: the screen clears with it
        window.show_for_customer()
        self._tell(lambda: self.tr("The customer is asked to rate the service on the customer screen."))
        self.state_changed.emit("asking")

    def _submitted(self, values: dict) -> None:
        vault, user, sid = self.ctx.vault, self.ctx.user, self.session_id
        rating = Rating(values["stars"], tuple(values["reasons"]), values["comment"], values["nps"])
        run_task(self, lambda: capture.submit(vault, user, sid, rating, CUSTOMER_SCREEN),
                 lambda _eid: self._stored(SUBMITTED), self._failed)

    def _skipped(self) -> None:
        vault, user, sid = self.ctx.vault, self.ctx.user, self.session_id
        run_task(self, lambda: capture.skip(vault, user, sid, CUSTOMER_SCREEN),
                 lambda _eid: self._stored(SKIPPED), self._failed)

    def _stored(self, status: str) -> None:
        if self.window is not None:
            self.window.show_thanks()
        # The teller learns whether the customer rated, never the score.
        self._tell(lambda: self.tr("Evaluation submitted.") if status == SUBMITTED
                   else self.tr("The customer skipped the evaluation."))
        self.state_changed.emit(status)

    def _failed(self, exc: BaseException) -> None:
        if self.window is not None:
            self.window.show_error(error_text(exc, self.ctx.lang))
        self.state_changed.emit("error")

    def close_window(self) -> None:
        if self.window is not None:
            window, self.window = self.window, None
            window.closed.disconnect(self._closed_by_customer)  # the teller's own close is no news
            window.close()
            window.deleteLater()
            self.page.return_to_teller()  # e.g. F2 pressed while the rating window had the keyboard

    def _closed_by_customer(self) -> None:
        window, self.window = self.window, None
        if window is None:
            return
        window.deleteLater()
        if not window.done:
            self._tell(lambda: self.tr("The customer closed the evaluation without rating."))
        self.page.return_to_teller()
        self.state_changed.emit("closed")
