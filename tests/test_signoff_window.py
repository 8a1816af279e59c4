"""The customer-facing sign-off window driven offscreen: reading gate (scroll + minimum time on a fake
clock), recording consent and refusal, the typed sentence, the signature and skipped pages."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from counterdesk.forms.disclosures import confirmation_sentence, disclosures_for
from counterdesk.services.signoff.signature import Signature, check_signature
from counterdesk.ui.customer.signoff import SignoffWindow
from helpers.gui import FakeClock, draw, zigzag

WAIT = 3000
EN_SENTENCE = confirmation_sentence("en")
ZH_SENTENCE = confirmation_sentence("zh")


@pytest.fixture(scope="module")
def forms():
    return disclosures_for("public_fund", customer_initiated=True, elderly_care=True, private=False)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make(qtbot, forms, clock):
    def _make(*, show=True, lang="en", min_seconds=30, recording_required=True, sentence=EN_SENTENCE,
              size=(1000, 700)):
        w = SignoffWindow(forms, lang, min_seconds=min_seconds, recording_required=recording_required,
                          sentence=sentence, clock=clock)
        qtbot.addWidget(w)
        w.resize(*size)
        if show:
            w.show()
            qtbot.waitExposed(w)
        return w
    return _make


def scroll_to_end(qtbot, w) -> None:
    """As the customer would with the keyboard: End in the text."""
    bar = w.text.verticalScrollBar()
    qtbot.keyClick(w.text, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=WAIT)


def read_through(qtbot, w, clock, seconds=31) -> None:
    scroll_to_end(qtbot, w)
    clock.advance(seconds)
    w.refresh_gate()
    assert w.read_button.isEnabled()
    w.read_button.click()


# ---- reading ----------------------------------------------------------------------------------------------

def test_the_text_shows_every_form_with_its_version_and_short_hash(make, forms):
    w = make()
    assert [f.id for f in forms] == ["disclosure_fund", "warning_customer_initiated_mismatch", "notice_elderly_care"]
    plain = w.text.toPlainText()
    assert w.text.isReadOnly() and w.objectName() == "signoff_window" and w.text.objectName() == "signoff_text"
    doc = w.text.document()
    for form in forms:
        assert form.title.en in plain
        assert f"{form.ref} · {form.hash[:12]}" in plain
        assert form.hash[:13] not in plain  # only the short hash
        for section in form.sections:
            assert section.text.en in plain
            cursor = doc.find(section.title.en)
            assert not cursor.isNull()
            assert cursor.charFormat().fontWeight() >= QFont.Weight.Bold
    # In display order.
    positions = [plain.index(f.title.en) for f in forms]
    assert positions == sorted(positions)


def test_the_text_follows_the_customer_language(make, forms):
    w = make(lang="zh_CN", sentence=ZH_SENTENCE)
    plain = w.text.toPlainText()
    assert all(f.title.zh in plain for f in forms)
    assert forms[0].sections[0].text.zh in plain and forms[0].sections[0].text.en not in plain


def test_read_button_needs_the_end_of_the_text_and_the_minimum_time(qtbot, make, clock):
    w = make()
    bar = w.text.verticalScrollBar()
    assert w.stage == "reading"
    assert bar.maximum() > 0  # the three notices do not fit: the customer must scroll
    assert not w.read_button.isEnabled()
    assert w.countdown.text() == "Please read to the end. You can confirm in 30 s."
    clock.advance(12.4)
    w.refresh_gate()
    assert w.countdown.text() == "Please read to the end. You can confirm in 18 s."
    # Time is up, but the text has not been scrolled to the end.
    clock.advance(20)
    w.refresh_gate()
    assert not w.read_button.isEnabled()
    assert w.countdown.text() == "Please scroll to the end of the text."
    bar.setValue(bar.maximum() - 1)
    assert not w.read_button.isEnabled()
    # Scrolling re-checks the gate by itself.
    bar.setValue(bar.maximum())
    assert w.read_button.isEnabled()
    assert w.countdown.text() == "You may now confirm."
    # Scrolling back up does not close it again: the end has been seen.
    bar.setValue(0)
    assert w.read_button.isEnabled()


def test_after_scrolling_the_timer_opens_the_gate_when_the_time_has_passed(qtbot, make, clock):
    w = make(min_seconds=60)
    scroll_to_end(qtbot, w)
    assert not w.read_button.isEnabled()
    assert w.countdown.text() == "Please read to the end. You can confirm in 60 s."
    clock.advance(59)
    w.refresh_gate()
    assert not w.read_button.isEnabled()
    assert w.countdown.text() == "Please read to the end. You can confirm in 1 s."
    clock.advance(1)
    # No explicit refresh: the 1 s timer re-checks.
    qtbot.waitUntil(w.read_button.isEnabled, timeout=WAIT)
    assert w.countdown.text() == "You may now confirm."


def test_reading_time_starts_when_the_window_is_shown(qtbot, make, clock):
    w = make(show=False)
    clock.advance(500)  # built long before it is shown: that time does not count
    w.show()
    qtbot.waitExposed(w)
    scroll_to_end(qtbot, w)
    assert not w.read_button.isEnabled()
    assert w.countdown.text() == "Please read to the end. You can confirm in 30 s."
    clock.advance(30)
    w.refresh_gate()
    assert w.read_button.isEnabled()


def test_a_short_text_that_needs_no_scrolling_counts_as_read_to_the_end(qtbot, forms, clock):
    w = SignoffWindow(forms[2:], "en", min_seconds=5, recording_required=False, sentence=None, clock=clock)
    qtbot.addWidget(w)
    w.resize(1600, 1200)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.text.verticalScrollBar().maximum() == 0, timeout=WAIT)
    clock.advance(5)
    w.refresh_gate()
    assert w.read_button.isEnabled()


def test_read_confirmed_reports_time_and_the_forms_seen(qtbot, make, clock, forms):
    w = make()
    stages = []
    w.stage_changed.connect(stages.append)
    scroll_to_end(qtbot, w)
    clock.advance(47.8)
    w.refresh_gate()
    with qtbot.waitSignal(w.read_confirmed, timeout=WAIT) as blocker:
        qtbot.keyClick(w.read_button, Qt.Key.Key_Return)  # Enter on the focused button
    assert blocker.args == [{"seconds": 47, "scrolled_to_end": True,
                             "forms": [{"ref": f.ref, "hash": f.hash} for f in forms]}]
    assert blocker.args[0]["forms"][0]["ref"] == "disclosure_fund@1"
    assert w.stage == "recording" and stages == ["recording"]
    assert w.progress.text() == "Step 2 of 4"


def test_a_disabled_read_button_emits_nothing(qtbot, make, clock):
    w = make()
    got = []
    w.read_confirmed.connect(got.append)
    clock.advance(100)
    w.read_button.click()
    w._confirm_read()  # even called directly, the gate holds
    assert got == [] and w.stage == "reading"


# ---- recording ----------------------------------------------------------------------------------------------

def test_refusing_the_recording_ends_the_signoff(qtbot, make, clock):
    w = make()
    decided, stages, later = [], [], []
    w.recording_decided.connect(decided.append)
    w.stage_changed.connect(stages.append)
    w.sentence_entered.connect(later.append)
    w.signed.connect(lambda *a: later.append(a))
    read_through(qtbot, w, clock)
    assert w.recording_text.text().endswith("The product cannot be sold to you without your consent to the recording.")
    w.recording_no.click()
    assert decided == [False]
    assert w.stage == "thanks" and stages == ["recording", "thanks"]
    assert w.thanks.text() == ("The product cannot be sold without the recording. "
                               "Please hand the screen back to the teller.")
    # Nothing further can happen, not even a late click on the hidden consent button.
    w.recording_yes.click()
    w.sign_button.click()
    assert decided == [False] and later == [] and w.stage == "thanks"


def test_agreeing_to_the_recording_moves_on_to_the_sentence(qtbot, make, clock):
    w = make()
    read_through(qtbot, w, clock)
    with qtbot.waitSignal(w.recording_decided, timeout=WAIT) as blocker:
        w.recording_yes.click()
    assert blocker.args == [True]
    assert w.stage == "sentence"
    assert w.sentence_shown.text() == EN_SENTENCE


# ---- sentence -----------------------------------------------------------------------------------------------

def to_sentence(qtbot, w, clock) -> None:
    read_through(qtbot, w, clock)
    w.recording_yes.click()
    assert w.stage == "sentence"


def test_a_wrong_sentence_keeps_the_button_disabled(qtbot, make, clock):
    w = make()
    got = []
    w.sentence_entered.connect(got.append)
    to_sentence(qtbot, w, clock)
    assert not w.sentence_ok.isEnabled()
    assert w.sentence_hint.text() == "Type the sentence shown above."
    qtbot.keyClicks(w.sentence_edit, "I have read the risk disclosure and am willing to bear the risk")
    assert not w.sentence_ok.isEnabled()
    assert w.sentence_hint.text() == "The text does not match the sentence yet."
    qtbot.keyClick(w.sentence_edit, Qt.Key.Key_Return)
    w.sentence_ok.click()
    assert got == [] and w.stage == "sentence"


def test_a_full_width_spaced_variant_is_accepted_and_reported_as_typed(qtbot, make, clock):
    w = make()
    to_sentence(qtbot, w, clock)
    # Full-width letters (a CJK input method), doubled spaces and a final full stop.
    typed = "Ｉ have  read the risk disclosure and am willing to bear the ｉｎｖｅｓｔｍｅｎｔ risk。"
    w.sentence_edit.setText(typed)
    assert w.sentence_ok.isEnabled()
    assert w.sentence_hint.text() == 'The sentence matches. Press Enter or "Confirm".'
    with qtbot.waitSignal(w.sentence_entered, timeout=WAIT) as blocker:
        qtbot.keyClick(w.sentence_edit, Qt.Key.Key_Return)
    assert blocker.args == [typed]
    assert w.stage == "signature"


def test_chinese_sentence_with_half_width_comma_and_spaces(qtbot, make, clock):
    w = make(lang="zh_CN", sentence=ZH_SENTENCE)
    to_sentence(qtbot, w, clock)
    typed = "本人 已阅读风险揭示, 愿意承担投资风险。"
    w.sentence_edit.setText(typed)
    assert w.sentence_ok.isEnabled()
    w.sentence_edit.setText("本人已阅读风险揭示，愿意承担风险")  # a word missing
    assert not w.sentence_ok.isEnabled()
    w.sentence_edit.setText(typed)
    with qtbot.waitSignal(w.sentence_entered, timeout=WAIT) as blocker:
        w.sentence_ok.click()
    assert blocker.args == [typed]


# ---- signature ----------------------------------------------------------------------------------------------

def to_signature(qtbot, w, clock) -> None:
    to_sentence(qtbot, w, clock)
    w.sentence_edit.setText(EN_SENTENCE)
    w.sentence_ok.click()
    assert w.stage == "signature"


def test_the_signature_page_does_not_move_when_a_message_comes_and_goes(qtbot, make, clock):
    """A tap meant for "Sign" must never land on "Clear signature" because a message vanished."""
    w = make(lang="zh")
    to_signature(qtbot, w, clock)
    qtbot.waitUntil(lambda: w.sign_button.isVisible())

    def places():
        return [(b.mapTo(w, QPoint(0, 0)), b.size()) for b in (w.sign_button, w.pad.clear_button, w.pad.canvas)]
    before = places()
    draw(qtbot, w.pad.canvas, [(120, 100), (125, 101), (130, 102)])
    w.sign_button.click()
    assert "签名过短或过小" in w.notice.text()
    w.layout().activate()  # lay out now, as the event loop would before the next frame
    assert places() == before
    draw(qtbot, w.pad.canvas, [(40, 60), (300, 120), (600, 80)])  # new ink clears the message
    assert w.notice.text() == ""
    w.layout().activate()
    assert places() == before


def test_an_empty_or_tiny_signature_is_refused_with_a_message(qtbot, make, clock):
    w = make()
    got = []
    w.signed.connect(lambda *a: got.append(a))
    to_signature(qtbot, w, clock)
    assert w.pad.objectName() == "signoff_pad"
    w.sign_button.click()
    assert w.notice.isVisible() and w.notice.text() == "Please sign in the box."
    assert got == [] and w.stage == "signature"
    # A tap and a short dash.
    qtbot.mouseClick(w.pad.canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    assert w.notice.text() == ""  # new ink clears the old message
    draw(qtbot, w.pad.canvas, [(120, 100), (125, 101), (130, 102)])
    w.sign_button.click()
    assert w.notice.text() == "The signature is too short or too small; please sign your full name."
    assert got == [] and w.stage == "signature"


def test_a_drawn_signature_is_emitted_as_json_and_png(qtbot, make, clock):
    w = make()
    stages = []
    w.stage_changed.connect(stages.append)
    to_signature(qtbot, w, clock)
    canvas = w.pad.canvas
    draw(qtbot, canvas, zigzag(40, 120, 200))
    draw(qtbot, canvas, zigzag(280, 120, 150))
    expected = w.pad.signature()
    with qtbot.waitSignal(w.signed, timeout=WAIT) as blocker:
        qtbot.keyClick(w.sign_button, Qt.Key.Key_Return)
    sig_json, png = blocker.args
    back = Signature.from_json(sig_json)
    assert back == expected and len(back.strokes) == 2 and check_signature(back).ok
    assert back.strokes[0].points[0][:2] == (40.0, 80.0)
    assert (back.width, back.height) == (canvas.width(), canvas.height())
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert w.stage == "thanks" and w.thanks.text() == "Thank you. Please hand the screen back to the teller."
    assert stages == ["recording", "sentence", "signature", "thanks"]


def test_back_to_signature_clears_the_pad_and_keeps_the_error(qtbot, make, clock):
    w = make()
    got = []
    w.signed.connect(lambda *a: got.append(a))
    to_signature(qtbot, w, clock)
    draw(qtbot, w.pad.canvas, zigzag(40, 120, 250))
    w.sign_button.click()
    assert len(got) == 1 and w.stage == "thanks"
    w.show_error("The signature could not be stored. Please sign again.")
    w.back_to_signature()
    assert w.stage == "signature"
    assert w.pad.is_empty() and not w.pad.redo_button.isEnabled()  # the old ink cannot come back
    qtbot.waitUntil(lambda: w.findChildren(type(w.pad), "signoff_pad") == [w.pad], timeout=WAIT)
    assert w.notice.isVisible() and w.notice.text() == "The signature could not be stored. Please sign again."
    draw(qtbot, w.pad.canvas, zigzag(60, 130, 220))
    w.sign_button.click()
    assert len(got) == 2 and Signature.from_json(got[1][0]).strokes[0].points[0][:2] == (60.0, 90.0)


def test_show_error_is_shown_on_any_page(make):
    w = make()
    assert w.notice.text() == ""
    w.show_error("The disclosure could not be recorded.")
    assert w.notice.isVisible() and w.notice.text() == "The disclosure could not be recorded."


# ---- skipped pages, keyboard, placement -------------------------------------------------------------------

def test_pages_not_required_are_skipped(qtbot, make, clock):
    w = make(recording_required=False, sentence=None)
    stages = []
    w.stage_changed.connect(stages.append)
    assert w.stages == ["reading", "signature", "thanks"]
    assert w.findChild(QPushButton, "signoff_recording_yes") is None
    assert w.findChild(QLineEdit, "signoff_sentence") is None
    assert w.progress.text() == "Step 1 of 2"
    read_through(qtbot, w, clock)
    assert w.stage == "signature" and stages == ["signature"]
    assert w.progress.text() == "Step 2 of 2"


def test_sentence_without_recording(qtbot, make, clock):
    w = make(recording_required=False)
    read_through(qtbot, w, clock)
    assert w.stage == "sentence"
    assert w.findChild(QPushButton, "signoff_recording_yes") is None


def test_tab_reaches_the_controls(qtbot, make, clock):
    w = make()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=WAIT)
    w.text.setFocus()
    scroll_to_end(qtbot, w)
    clock.advance(30)
    w.refresh_gate()
    qtbot.keyClick(w.text, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is w.read_button
    qtbot.keyClick(w.read_button, Qt.Key.Key_Return)
    # The recording page opens on its explanation, not on a consent button.
    assert w.stage == "recording" and QApplication.focusWidget() is w.recording_text
    qtbot.keyClick(w.recording_text, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is w.recording_yes
    qtbot.keyClick(w.recording_yes, Qt.Key.Key_Return)
    assert w.stage == "sentence" and QApplication.focusWidget() is w.sentence_edit
    qtbot.keyClicks(w.sentence_edit, EN_SENTENCE)
    qtbot.keyClick(w.sentence_edit, Qt.Key.Key_Return)
    assert w.stage == "signature"


def test_no_forms_is_a_programming_error(qtbot):
    with pytest.raises(ValueError):
        SignoffWindow([], "en", min_seconds=1, recording_required=False, sentence=None)


def test_show_for_customer_goes_full_screen_on_the_only_screen(qtbot, forms, clock):
    w = SignoffWindow(forms, "en", min_seconds=1, recording_required=False, sentence=None, clock=clock)
    qtbot.addWidget(w)
    assert w.show_for_customer() == "handover"
    qtbot.waitExposed(w)
    assert w.isFullScreen()
    assert w.geometry() == QApplication.primaryScreen().geometry()


def test_a_language_change_retranslates_every_text(qtbot, make, clock):
    from PySide6.QtCore import QTranslator

    class Marked(QTranslator):
        def translate(self, context, source, disambiguation=None, n=-1):
            return f"ZH:{source}" if context == "SignoffWindow" else None

        def isEmpty(self):  # an empty translator is never installed
            return False

    w = make()
    scroll_to_end(qtbot, w)
    position = w.text.verticalScrollBar().value()
    translator = Marked()
    QApplication.installTranslator(translator)
    try:
        qtbot.waitUntil(lambda: w.read_button.text().startswith("ZH:"), timeout=WAIT)
        assert w.read_button.text() == "ZH:I have read and understood the risk disclosure"
        assert w.countdown.text() == "ZH:Please read to the end. You can confirm in 30 s."
        assert w.title.text() == "ZH:Please read the risk disclosure"
        assert w.recording_yes.text() == "ZH:I agree to the recording"
        assert "ZH:Version disclosure_fund@1 · " in w.text.toPlainText()
        # The end already seen stays seen, and the text stays where the customer left it.
        assert position > 0 and w.text.verticalScrollBar().value() == position
        clock.advance(30)
        w.refresh_gate()
        assert w.read_button.isEnabled()
    finally:
        QApplication.removeTranslator(translator)
    qtbot.waitUntil(lambda: w.read_button.text() == "I have read and understood the risk disclosure", timeout=WAIT)
