"""The teller's work on the counter screen (issue 14): a returning customer's repeat purchase driven
through the real windows (offscreen) with keys only, as tests/test_gui_keys_only.py walks it.

A DEMO installation as ./run creates it (with the sanctions sample); the teller signs in on the sign-in
page; a customer with a valid assessment on file (identified and assessed through the core first) buys
the best-fit product again: F2, the reader (Alt+R), Next, Next over the unchanged customer data,
"use the current assessment" (Alt+U), amount and assets typed (Enter, Enter shows the products), "choose"
(Alt+H), hand over (Alt+H), the customer reads, consents to the recording, types the sentence if asked
and signs on the customer window, the teller types the recording reference and attests (Alt+F), a
supervisor approves at the workstation if the sale needs it, both copies printed (Space, the print
dialog's Enter; here a PDF-file printer), Next and Finish (Ctrl+Enter).

Measured per counter-session step, for each session:
- UI-thread work: the CPU time of the UI thread (time.thread_time) while the step runs: event handling,
  layout, painting, the customer window, showing the PDF. The workers' time is not in it, nor is idle
  waiting; the customer's reading and typing take no real time here (a clock moved ahead, keys sent at
  once), so what remains is the machine's.
- machine time: the wall time of the step from the teller's first key to the step done (workers
  included), without any customer wait.
- the longest UI-thread stall: the longest gap between two ticks of a 5 ms UI-thread timer, over the
  whole session (the PDF shown, both copies rendered and printed, included).
- teller actions: key presses other than typing data (the print dialog's Enter counted), from F2 to
  the finished session; the customer's own key presses are counted apart.

The first session of the run pays the one-off costs of a teller's first customer of the day (first
customer window, first PDF and font); it is reported on its own. The targets apply to the median of
the following sessions (3 with --quick, 5 otherwise), the stall to the worst of them.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt loads: the windows need no screen

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
from PySide6.QtCore import QEvent, QEventLoop, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent, QMouseEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from _common import Row, progress, reps, temp_dir
from counterdesk.flow.actions import (
    CaptureDocumentImage,
    ConfirmAssessment,
    DecideConsent,
    EnterDocument,
    EnterProfile,
    RecordAnswers,
    Screen,
    StartAssessment,
)
from counterdesk.flow.counter_session import CounterSession
from counterdesk.forms.disclosures import confirmation_sentence
from counterdesk.forms.registry import load_questionnaire
from counterdesk.identity.readers import SimulatorReader
from counterdesk.services.auth import totp
from counterdesk.services.auth.vault import DEMO_USERS
from counterdesk.services.demo import create_demo
from counterdesk.ui import theme
from counterdesk.ui.shell.main_window import MainWindow
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.gc_guard import MainThreadGarbageCollector
from counterdesk.ui.widgets.resources import Languages, load_font

STEP_LIMIT_S = 0.150
TOTAL_LIMIT_S = 1.5
STALL_LIMIT_S = 0.100
ACTIONS_LIMIT = 25
TICK_MS = 5
THINK_MS = 30  # the least time between a screen ready and a person's next key
WAIT_S = 30.0
STEPS = ("start", "document", "profile", "assessment", "recommendation", "signoff", "approval", "confirmation",
         "done")


@dataclass
class Session:
    """One session's figures: per step, UI-thread CPU seconds and wall seconds; the longest stall."""
    cpu: dict[str, float] = field(default_factory=dict)
    wall: dict[str, float] = field(default_factory=dict)
    stall: float = 0.0
    stall_step: str = ""
    stall_cpu: float = 0.0  # the UI thread's own CPU time between two heartbeat ticks, at most
    stall_cpu_step: str = ""
    teller_actions: int = 0
    customer_keys: int = 0
    product: str = ""
    approval: bool = False


class Probe:
    """Splits the session into steps (UI-thread CPU and wall time each) and keeps a 5 ms heartbeat on the
    UI thread: the longest gap between its ticks is the longest the UI did not answer."""

    def __init__(self, session: Session, driver: Driver):
        self.session = session
        self.driver = driver
        self.paused0 = 0.0
        self.step = ""
        self.cpu0 = self.wall0 = 0.0
        self.last_tick, self.last_cpu = time.perf_counter(), time.thread_time()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gap, busy = now - self.last_tick, cpu - self.last_cpu
        if gap > self.session.stall:
            self.session.stall, self.session.stall_step = gap, self.step
        if busy > self.session.stall_cpu:
            self.session.stall_cpu, self.session.stall_cpu_step = busy, self.step
        self.last_tick, self.last_cpu = now, cpu

    def begin(self, step: str) -> None:
        self._close()
        if not self.timer.isActive():
            self.last_tick, self.last_cpu = time.perf_counter(), time.thread_time()
            self.timer.start()
        self.step, self.cpu0, self.wall0 = step, time.thread_time(), time.perf_counter()
        self.paused0 = self.driver.paused

    def _close(self) -> None:
        if self.step:
            s = self.session
            s.cpu[self.step] = s.cpu.get(self.step, 0.0) + time.thread_time() - self.cpu0
            wall = time.perf_counter() - self.wall0 - (self.driver.paused - self.paused0)
            s.wall[self.step] = s.wall.get(self.step, 0.0) + wall
        self.step = ""

    def end(self) -> None:
        self._tick()
        self._close()
        self.timer.stop()


class Driver:
    """Keys to the focused widget (QTest, as pytest-qt's qtbot sends them) and waiting in the event loop."""

    def __init__(self) -> None:
        self.actions = 0
        self.customer_keys = 0
        self.paused = 0.0  # wall seconds of the pauses before keys (not the machine's time)

    def pause(self) -> None:
        """A person is never quicker than this between a screen being ready and the next key: the event
        loop idles meanwhile, and work a page queued for its next turn runs there, as it would."""
        loop = QEventLoop()
        t0 = time.perf_counter()
        QTimer.singleShot(THINK_MS, loop.quit)
        loop.exec()
        self.paused += time.perf_counter() - t0

    @staticmethod
    def focus():
        widget = QApplication.focusWidget()
        if widget is None:
            raise AssertionError("nothing has the keyboard focus")
        return widget

    def press(self, key, modifier=None, customer: bool = False) -> None:
        if customer:
            self.customer_keys += 1
        else:
            self.actions += 1
        self.pause()
        QTest.keyClick(self.focus(), key, modifier or Qt.KeyboardModifier.NoModifier)

    def alt(self, letter: str) -> None:
        self.press(getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier)

    def type(self, text: str) -> None:
        """Typing data (not counted): ASCII as keys, Chinese as an input method commits it."""
        widget = self.focus()
        if text.isascii():
            QTest.keyClicks(widget, text)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(text)
            QApplication.sendEvent(widget, event)

    def tab_to(self, target, customer: bool = False) -> None:
        for _ in range(30):
            if self.focus() is target:
                return
            self.press(Qt.Key.Key_Tab, customer=customer)
        raise AssertionError(f"Tab never reaches {target.objectName()}")

    @staticmethod
    def wait(condition, what: str, timeout: float = WAIT_S) -> None:
        """Run the event loop (the UI thread idles in it) until ``condition()`` holds."""
        if condition():
            return
        loop = QEventLoop()
        deadline = time.perf_counter() + timeout
        check = QTimer()
        check.setInterval(2)

        def poll() -> None:
            if condition() or time.perf_counter() > deadline:
                loop.quit()
        check.timeout.connect(poll)
        check.start()
        loop.exec()
        check.stop()
        if not condition():

            focus = QApplication.focusWidget()
            raise TimeoutError(f"waited {timeout:.0f} s for {what} (focus: "
                               f"{focus.objectName() or type(focus).__name__ if focus else None})")


def _draw(widget, points) -> None:
    """The customer's pen on the signature pad (a press, moves with the button held, a release)."""
    first, *rest = [QPoint(*p) for p in points]
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, first)
    for p in rest:
        QApplication.sendEvent(widget, QMouseEvent(QEvent.Type.MouseMove, QPointF(p), QPointF(widget.mapToGlobal(p)),
                                                   Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
                                                   Qt.KeyboardModifier.NoModifier))
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rest[-1])


def _zigzag(x0: int, y0: int, width: int, n: int = 24, amp: int = 40) -> list[tuple[int, int]]:
    return [(x0 + width * i // n, y0 + (amp if i % 2 else -amp) // (1 + i % 3)) for i in range(n + 1)]


class FakeClock:
    """The customer window's reading clock, moved ahead instead of waiting the minimum reading time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _StepClock:
    """Real time plus whole authenticator steps, one added before each supervisor code is typed."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


SUPERVISOR_CLOCK = _StepClock()


def _returning_customer(vault, teller_password: str) -> None:
    """The simulator's first specimen, identified and assessed through the core (a valid assessment on file)."""
    teller = vault.sign_in("teller", teller_password)
    session = CounterSession(vault, teller)
    copy = CaptureDocumentImage(SimulatorReader().capture_image("resident_id_long_term").data, "reader_simulator")
    kyc = {"name_zh": "张晓梅", "sex": "female", "birth_date": "1949-12-31", "nationality": "CHN",
           "phone": "13812345678", "address": "北京市朝阳区建国路 88 号", "occupation": "gbt6565_2",
           "employer": "某某研究所", "civil_capacity": "full", "tax_residency": "cn_only", "pep_status": "none",
           "customer_tier": "mass"}
    for action in (EnterDocument(id_doc_type="resident_id", id_number="11010519491231002X",
                                 id_issue_date="2006-05-20", id_long_term=True, copy=copy),
                   DecideConsent(True), EnterProfile(kyc), Screen()):
        outcome = session.submit(action)
        assert outcome.result.ok and outcome.stop is None, outcome
    q = load_questionnaire()
    answers = {x.key: q.form.field(x.key).options[1].value for x in q.questions}
    answers["age"] = "age_65_up"
    session.submit(StartAssessment())
    recorded: Any = session.submit(RecordAnswers(answers, "customer_screen")).value
    assert recorded[1] is not None, "the answers graded"
    assert session.submit(ConfirmAssessment(False)).result.ok
    session.cancel()
    vault.sign_out(teller)


def _repeat_purchase(window, tmp: Path, number: int) -> Session:


    passwords = {u.username: u for u in DEMO_USERS}
    key, mod = Qt.Key, Qt.KeyboardModifier
    result = Session()
    d = Driver()
    probe = Probe(result, d)
    page = window.home.pages["session.start"]

    def follow(state: str) -> None:
        # Each step's work is counted from the moment the flow enters it (the step before ends there).
        if state.startswith("step:") and state[5:] != probe.step and probe.step:
            probe.begin(state[5:])
    page.state_changed.connect(follow)

    def at(step: str) -> bool:
        return not page.busy and page.counter_session is not None and page.counter_session.flow.current_id == step

    def printer(_parent, _title):
        d.actions += 1  # the print dialog's Enter
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(tmp / f"print-{number}-{d.actions}.pdf"))
        return p

    # The last customer's rating window may have the keyboard: F2 works from there too.
    d.wait(lambda: page.isVisible() and not page.busy and QApplication.focusWidget() is not None, "the session page")
    probe.begin("start")
    d.press(key.Key_F2)
    d.wait(lambda: at("document") and page.steps["document"].number.hasFocus(), "the document step")
    doc = page.steps["document"]
    d.alt("r")
    d.wait(lambda: doc.number.text() != "" and doc.copy_state == "ok", "the reader's copy")
    d.press(key.Key_Return, mod.ControlModifier)
    d.wait(lambda: at("profile"), "the customer data")
    d.press(key.Key_Return, mod.ControlModifier)
    assessment = page.steps["assessment"]
    d.wait(lambda: at("assessment") and assessment.use_current.hasFocus(), "the current assessment")
    d.alt("u")
    rec = page.steps["recommendation"]
    d.wait(lambda: at("recommendation") and rec.amount.hasFocus(), "the recommendation")
    d.type("50000")
    d.press(key.Key_Return)
    d.type("600000")
    d.press(key.Key_Return)
    d.wait(lambda: not page.busy and rec.table.rowCount() > 0 and rec.selected_code() is not None, "the products")
    result.product = rec.selected_code() or ""
    page.signoff.clock = clock = FakeClock()
    d.alt("h")
    signoff = page.steps["signoff"]
    d.wait(lambda: at("signoff") and signoff.handover.hasFocus(), "the sign-off")
    d.alt("h")
    d.wait(lambda: page.signoff.window is not None and page.signoff.window.isActiveWindow(), "the customer window")
    w = page.signoff.window
    plan = page.counter_session.state.signoff.plan
    clock.now += plan.min_reading_seconds  # the customer reads: no real time passes here
    d.press(key.Key_End, customer=True)
    d.wait(w.read_button.isEnabled, "the reading gate")
    d.tab_to(w.read_button, customer=True)
    d.press(key.Key_Space, customer=True)
    if plan.recording_required:
        d.wait(lambda: w.stage == "recording", "the recording consent")
        d.tab_to(w.recording_yes, customer=True)
        d.press(key.Key_Space, customer=True)
    if plan.sentence_required:
        d.wait(lambda: w.stage == "sentence", "the sentence")
        d.type(confirmation_sentence("zh", plan.customer_initiated))
        d.press(key.Key_Return, customer=True)
    d.wait(lambda: w.stage == "signature", "the signature pad")
    _draw(w.pad.canvas, _zigzag(40, 120, 260))
    _draw(w.pad.canvas, _zigzag(320, 110, 160))
    d.tab_to(w.sign_button, customer=True)
    d.press(key.Key_Space, customer=True)
    first = signoff.recording_ref if plan.recording_required else signoff.identity
    d.wait(lambda: page.counter_session.state.signoff.signed_at is not None and window.isActiveWindow()
           and first.hasFocus(), "the teller's window back")
    if plan.recording_required:
        d.type("REC-2026-000778")
        d.press(key.Key_Return)
    d.press(key.Key_Space)
    d.press(key.Key_Tab)
    d.press(key.Key_Space)
    d.alt("f")
    d.wait(lambda: at("approval") or at("confirmation"), "the attestation")
    if at("approval"):
        result.approval = True
        approval = page.steps["approval"]
        d.wait(lambda: approval.override.isEnabled() and approval.override.hasFocus(), "the approval request")
        d.alt("a")
        d.wait(lambda: getattr(page.signoff, "dialog", None) is not None and page.signoff.dialog.isActiveWindow(),
               "the override dialog")
        dialog = page.signoff.dialog

        sup = passwords["supervisor"]
        d.type("supervisor")
        d.press(key.Key_Return)
        d.type(sup.password)
        d.press(key.Key_Return)
        SUPERVISOR_CLOCK.offset += totp.STEP_SECONDS
        d.type(pyotp.TOTP(sup.totp_secret or "").at(SUPERVISOR_CLOCK()))
        d.alt("a")
        d.wait(lambda: dialog.result_info is not None, "the supervisor's approval")
        d.wait(lambda: at("confirmation"), "the confirmation")
    view = page.steps["confirmation"].view
    page.signoff.choose_printer = printer
    for kind in ("customer", "branch"):
        d.wait(lambda k=kind: window.isActiveWindow() and view.buttons[k].isEnabled() and view.buttons[k].hasFocus(),
               f"the {kind} copy's button")
        d.press(key.Key_Space)
        d.wait(lambda k=kind: view.is_printed(k), f"the {kind} copy printed")
    d.wait(page.next_button.hasFocus, "Next")
    d.press(key.Key_Return, mod.ControlModifier)
    d.wait(lambda: at("done"), "the summary")
    d.press(key.Key_Return, mod.ControlModifier)
    d.wait(lambda: page.counter_session is None and not page.busy and page.evaluation.window is not None
           and page.evaluation.window.isVisible(), "the finished session and the customer's rating window")
    probe.end()
    page.state_changed.disconnect(follow)
    result.teller_actions, result.customer_keys = d.actions, d.customer_keys
    return result


def _sessions(n: int) -> list[Session]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


    teller_password = next(u.password for u in DEMO_USERS if u.username == "teller")
    app = QApplication.instance() or QApplication([])
    # As counterdesk.app.main sets the application up: garbage collected on the UI thread, the font, the theme.
    collector = MainThreadGarbageCollector(app)
    load_font(app)
    theme.apply(app)
    with temp_dir("counter") as tmp:
        progress("counter: creating the DEMO installation")
        vault, _key = create_demo(tmp / "data")
        vault.close()
        totp.clock = SUPERVISOR_CLOCK  # each code is accepted once: the clock moves a step per code
        languages = Languages(app)
        languages.set("zh_CN")
        window = MainWindow(AppContext(data_dir=tmp / "data", demo=True, languages=languages))
        window.resize(1366, 768)
        window.start()
        window.show()
        signin = window.signin
        Driver.wait(lambda: window.state == "signin" and not signin.busy, "the sign-in page")
        QTest.keyClicks(signin.username, "teller")
        QTest.keyClicks(signin.password, teller_password)
        QTest.keyClick(signin.password, Qt.Key.Key_Return)
        Driver.wait(lambda: window.state == "home", "the teller's home")
        _returning_customer(window.ctx.vault, teller_password)
        out = []
        try:
            for i in range(n + 1):
                progress(f"counter: repeat purchase {i + 1} of {n + 1}{' (first of the day)' if i == 0 else ''}")
                out.append(_repeat_purchase(window, tmp, i))
        finally:
            window.close()
            window.deleteLater()
            languages.set("en")
            app.processEvents()
            collector.timer.stop()
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def run(quick: bool = False) -> list[Row]:
    n = reps(quick, full=5, fast=3)
    first, *warm = _sessions(n)
    steps = [s for s in STEPS if any(s in x.cpu for x in warm)]
    rows: list[Row] = []
    for step in steps:
        cpu = [x.cpu.get(step, 0.0) for x in warm]
        wall = [x.wall.get(step, 0.0) for x in warm]
        rows.append(Row(f"counter.step.{step}", statistics.median(cpu), "s", limit=STEP_LIMIT_S, samples=cpu,
                        note=f"UI-thread work, median of {n}; machine time {_ms(statistics.median(wall))}; "
                             f"first session {_ms(first.cpu.get(step, 0.0))}"))
    totals = [sum(x.cpu.values()) for x in warm]
    walls = [sum(x.wall.values()) for x in warm]
    worst = max(warm, key=lambda x: x.stall)
    worst_cpu = max(warm, key=lambda x: x.stall_cpu)
    sample = warm[0]
    rows += [
        Row("counter.session.ui_work", statistics.median(totals), "s", limit=TOTAL_LIMIT_S, samples=totals,
            note=f"UI-thread work of the whole session, median of {n}; first session of the day "
                 f"{_ms(sum(first.cpu.values()))}"),
        Row("counter.session.machine_time", statistics.median(walls), "s", samples=walls,
            note=f"wall time from F2 to the finished session without the customer's reading and typing "
                 f"(workers included), median of {n}; first session {_ms(sum(first.wall.values()))}"),
        Row("counter.stall.longest", worst.stall, "s", limit=STALL_LIMIT_S, samples=[x.stall for x in warm],
            note=f"longest gap of a {TICK_MS} ms UI-thread timer, worst of {n} sessions (in step "
                 f"'{worst.stall_step}'; printing and the PDF included); first session {_ms(first.stall)} "
                 f"(in '{first.stall_step}')"),
        Row("counter.stall.longest_cpu", worst_cpu.stall_cpu, "s", limit=STALL_LIMIT_S,
            samples=[x.stall_cpu for x in warm],
            note=f"the UI thread's own CPU time between two heartbeat ticks, worst of {n} sessions (in step "
                 f"'{worst_cpu.stall_cpu_step}'): the stall without the time a loaded machine gives other "
                 f"processes; first session {_ms(first.stall_cpu)} (in '{first.stall_cpu_step}')"),
        Row("counter.actions.repeat_purchase", float(sample.teller_actions), "actions", limit=ACTIONS_LIMIT,
            note=f"teller key presses other than typing data, F2 to finished (print dialog's Enter counted), "
                 f"product {sample.product}{', with approval' if sample.approval else ''}; the customer "
                 f"pressed {sample.customer_keys} keys"),
    ]
    return rows
