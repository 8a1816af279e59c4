"""Defects of the counter screen found on real windows (issue 14), each through the real widgets: the
reader simulator's name that its own KYC form refused, the customer's request checked for the amount
on screen (and an amount of 0 refused), a typed confirmation sentence that cannot be pasted, a
customer window closed by the customer, the copy label on the printed confirmation, and a UI thread
that keeps answering while the confirmation is shown and printed."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import time
from decimal import Decimal

from PySide6.QtCore import QElapsedTimer, QEvent, QMimeData, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QDropEvent, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QApplication

from counterdesk.forms import load_form
from counterdesk.forms.disclosures import confirmation_sentence
from counterdesk.ui.customer.signoff import SignoffWindow
from helpers.demo import WAIT
from helpers.gui import (
    FakeClock,
    answer_questionnaire,
    assessed_customer,
    at,
    choose_own,
    choose_ranked,
    customer_signs,
    fill_profile,
    next_step,
    print_both,
    read_document,
    session_page,
    teller_attests,
    text_of,
    to_assessment,
    to_recommendation,
)


# ---- 3: the simulator's name is one its own KYC form accepts -----------------------------------------
def test_the_simulators_name_passes_the_kyc_form_it_fills(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page = session_page(qtbot, window)
    read_document(qtbot, page, "resident_id_long_term")
    qtbot.waitUntil(lambda: at(page, "consent"), timeout=WAIT)
    qtbot.mouseClick(page.steps["consent"].agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at(page, "profile"), timeout=WAIT)
    read_name = page.reader_fields["name"]
    assert page.steps["profile"].view.editors["name_zh"].text() == read_name  # prefilled from the reader
    fill_profile(qtbot, page, name=read_name)  # everything else the reader cannot know
    next_step(qtbot, page)
    qtbot.waitUntil(lambda: (not page.busy and page.counter_session.flow.current_id != "profile")
                    or page.steps["profile"].message.text() != "", timeout=WAIT)
    assert page.steps["profile"].message.text() == ""
    assert at(page, "assessment")


# ---- 4: the customer's request is checked for the amount on screen, which must be more than 0 ----------
def test_an_amount_of_zero_is_refused_with_a_reason(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    rec.amount.clear()
    qtbot.keyClicks(rec.amount, "0")
    qtbot.mouseClick(rec.propose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and rec.message.text() != "", timeout=WAIT)
    assert "大于 0" in rec.message.text()
    assert "没有适合" not in rec.message.text()
    rec.own_code.setText("DM-WM-EQ")
    qtbot.mouseClick(rec.own_check, Qt.MouseButton.LeftButton)  # the request is checked for 0 too: refused
    qtbot.waitUntil(lambda: not page.busy and "大于 0" in rec.message.text(), timeout=WAIT)
    assert not rec.own_choose.isEnabled()


def test_the_customers_request_is_checked_for_the_amount_on_screen(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)  # products shown for 50 000
    rec.amount.clear()
    qtbot.keyClicks(rec.amount, "80000")  # the customer changes their mind; no new "show products"
    choose_own(qtbot, page, rec, "DM-WM-EQ")
    plan = page.counter_session.state.signoff.plan
    assert Decimal(str(plan.amount)) == Decimal("80000")
    assert Decimal(str(page.counter_session.state.proposal.context.amount)) == Decimal("80000")


# ---- 5: the confirmation sentence must be typed ----------------------------------------------------------
def _sentence_window(qtbot):
    w = SignoffWindow([load_form("disclosure_deposit", 1)], "zh", min_seconds=0, recording_required=False,
                      sentence=confirmation_sentence("zh"), clock=FakeClock())
    qtbot.addWidget(w)
    w.resize(1000, 700)
    w.show()
    qtbot.waitUntil(w.isVisible, timeout=WAIT)
    qtbot.keyClick(w.text, Qt.Key.Key_End)
    w.refresh_gate()
    qtbot.waitUntil(w.read_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(w.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.stage == "sentence", timeout=WAIT)
    return w


def test_the_confirmation_sentence_cannot_be_pasted(qtbot):
    w = _sentence_window(qtbot)
    edit = w.sentence_edit
    sentence = confirmation_sentence("zh")
    QGuiApplication.clipboard().setText(sentence)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == ""
    assert "pasting" in w.notice.text()  # the customer is told why
    w.notice.clear()
    qtbot.keyClick(edit, Qt.Key.Key_Insert, Qt.KeyboardModifier.ShiftModifier)
    assert edit.text() == "" and "pasting" in w.notice.text()
    w.notice.clear()
    # The context menu (which has Paste) is refused too, with the reason.
    QApplication.sendEvent(edit, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), edit.mapToGlobal(QPoint(5, 5))))
    assert QApplication.activePopupWidget() is None and "pasting" in w.notice.text()
    # Dropped text and the middle button's selection paste are refused.
    mime = QMimeData()
    mime.setText(sentence)
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(edit, drop)
    assert edit.text() == "" and not edit.acceptDrops()
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        QApplication.sendEvent(edit, QMouseEvent(kind, QPointF(5, 5), QPointF(edit.mapToGlobal(QPoint(5, 5))),
                                                 Qt.MouseButton.MiddleButton, Qt.MouseButton.MiddleButton,
                                                 Qt.KeyboardModifier.NoModifier))
    assert edit.text() == ""
    # Typing (here: the input method's commit, as for Chinese) still works and opens "Confirm".
    edit.insert(sentence)
    qtbot.waitUntil(w.sentence_ok.isEnabled, timeout=WAIT)


# ---- 6: the customer closes the customer window -----------------------------------------------------------
def test_customer_closing_the_window_is_told_and_reading_time_is_kept(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    choose_ranked(qtbot, page, rec, "DM-WM-F90")
    step = page.steps["signoff"]
    clock = page.signoff.clock
    qtbot.mouseClick(step.handover, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.signoff.window is not None and page.signoff.window.isVisible(), timeout=WAIT)
    w = page.signoff.window
    plan = page.counter_session.state.signoff.plan
    clock.advance(plan.min_reading_seconds - 5)  # most of the reading time, then Alt+F4
    with qtbot.waitSignal(page.signoff.state_changed, timeout=WAIT,
                          check_params_cb=lambda s: s == "customer_window_closed"):
        w.close()
    assert "关闭了" in step.message.text()
    qtbot.waitUntil(lambda: window.isActiveWindow() and step.handover.hasFocus(), timeout=WAIT)
    clock.advance(600)  # the window is closed: this time is not reading time
    qtbot.mouseClick(step.handover, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.signoff.window is not None and page.signoff.window.isVisible(), timeout=WAIT)
    again = page.signoff.window
    assert plan.min_reading_seconds - 5 <= again.elapsed() < plan.min_reading_seconds
    assert step.message.text() == ""


def test_focus_returns_to_the_teller_after_the_questionnaire(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    assessed_customer(window.ctx.vault, 1, pick=1)
    page = to_assessment(qtbot, window)
    answer_questionnaire(qtbot, page, age="age_65_up")
    qtbot.waitUntil(lambda: at(page, "recommendation"), timeout=WAIT)
    rec = page.steps["recommendation"]
    qtbot.waitUntil(lambda: window.isActiveWindow() and rec.amount.hasFocus(), timeout=WAIT)


def test_customer_closing_the_questionnaire_is_told(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    assessed_customer(window.ctx.vault, 1, pick=1)
    page = to_assessment(qtbot, window)
    step = page.steps["assessment"]
    qtbot.waitUntil(lambda: step.start.isEnabled() and not page.busy, timeout=WAIT)
    qtbot.mouseClick(step.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.customer_window is not None and page.customer_window.isVisible(), timeout=WAIT)
    with qtbot.waitSignal(page.state_changed, timeout=WAIT, check_params_cb=lambda s: s == "customer_window_closed"):
        page.customer_window.close()
    assert "关闭了" in step.message.text()
    qtbot.waitUntil(lambda: window.isActiveWindow() and step.start.isEnabled() and step.start.hasFocus(),
                    timeout=WAIT)
    qtbot.keyClick(step.start, Qt.Key.Key_Space)  # started again, from the keyboard
    qtbot.waitUntil(lambda: page.customer_window is not None and page.customer_window.isVisible(), timeout=WAIT)
    assert step.message.text() == ""


# ---- 7 and 8: the copy label on paper; the UI thread answers while printing ---------------------------------
# A regression guard, not a performance target (timings are for benchmarks): rendering a page
# in one piece held the UI thread 324-475 ms; banded it is 40-50 ms on a quiet machine, and the bound
# leaves room for a loaded test machine.
STALL_BOUND_MS = 300


class Heartbeat:
    """A UI-thread timer: the longest gap between its ticks is the longest time the UI did not answer."""

    def __init__(self, interval_ms: int = 5):
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.clock = QElapsedTimer()
        self.last = 0
        self.longest = 0
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def stop(self) -> int:
        self.timer.stop()
        self._tick()
        return self.longest


def test_copies_are_labelled_and_printing_leaves_the_ui_answering(qtbot, open_window, demo_lists_dir, tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    choose_ranked(qtbot, page, rec, "DM-WM-F90")
    beat = Heartbeat()
    beat.start()
    started = time.perf_counter()
    customer_signs(qtbot, page)  # the customer window: reading, recording consent, signature
    teller_attests(qtbot, page)  # issues, signs and shows the confirmation
    printed = print_both(qtbot, page, tmp_path)
    longest = beat.stop()
    elapsed = time.perf_counter() - started
    print(f"\ncustomer window, issue, show and print both copies: {elapsed:.2f} s, "
          f"longest UI-thread stall {longest} ms")
    # Measured 40-50 ms on an idle machine (it was 300-400 ms at printing); the bound leaves room for
    # a loaded test machine, where the worker and the UI thread share two cores with other tests.
    assert longest <= STALL_BOUND_MS, f"the UI thread did not answer for {longest} ms"
    customer, branch = (text_of(p.read_bytes()) for p in printed)
    assert "客户联" in customer and "银行留存联" not in customer
    assert "银行留存联" in branch and "客户联" not in branch
    pngs = []
    for n, path in enumerate(printed):
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / f"p{n}")],
                       check=True)
        pngs.append(next(tmp_path.glob(f"p{n}*.png")).read_bytes())
    assert pngs[0] != pngs[1]  # no longer pixel-identical


# ---- 1: each accelerator does what its label says ---------------------------------------------------------
def test_the_start_buttons_accelerator_starts_the_session(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "teller")
    window.home.show_task("session.start")
    page = window.home.pages["session.start"]
    qtbot.waitUntil(lambda: window.isActiveWindow() and page.start_button.isVisible(), timeout=WAIT)
    letter = page.start_button.text().split("&", 1)[1][0].upper()
    assert letter != "S"  # 会话(&S) is the menu's
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{letter}"), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.counter_session is not None and not page.busy, timeout=WAIT)
    assert window.session_menu.isHidden()
