"""The customer rates the service on the customer window at the end of a counter session, through
the real main window: nothing pre-selected, the keys 1-5 choose the stars, the reasons and the comment
are optional; the teller's window learns only that the customer rated (or skipped), never the score."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlalchemy as sa
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from counterdesk.store.models.evaluations import CustomerEvaluation
from helpers.demo import WAIT
from helpers.gui import (
    at,
    choose_ranked,
    customer_signs,
    finish,
    print_both,
    select,
    teller_attests,
    to_recommendation,
    type_text,
)


def evaluations(vault):
    return vault.transact(lambda db: [(r.session_id, r.source, r.status, r.stars, r.reasons, r.comment)
                                      for r in db.scalars(sa.select(CustomerEvaluation)
                                                          .order_by(CustomerEvaluation.created_at))])


def test_the_customer_rates_the_session_on_the_customer_window(qtbot, open_window, demo_lists_dir, tmp_path):
    window = open_window(demo_lists_dir, "teller")
    page, rec = to_recommendation(qtbot, window, pick=1)
    choose_ranked(qtbot, page, rec, "DM-WM-F90")
    customer_signs(qtbot, page)
    teller_attests(qtbot, page)
    qtbot.waitUntil(lambda: at(page, "confirmation"), timeout=WAIT)
    print_both(qtbot, page, tmp_path)
    session_id = page.counter_session.session_id
    finish(qtbot, page)

    qtbot.waitUntil(lambda: page.evaluation.window is not None and page.evaluation.window.isVisible(), timeout=WAIT)
    ev = page.evaluation.window
    # the teller's window has no control of the rating
    assert not [w for w in window.findChildren(QWidget) if w.objectName().startswith("evaluation_")]
    assert ev.windowTitle() == "服务评价" and ev.stage == "rating"
    # nothing pre-selected; Submit waits for a star; the NPS question is not due at the first session
    assert ev.stars is None and not ev.submit_button.isEnabled()
    assert not any(b.isChecked() for b in ev.reason_boxes.values()) and not ev.nps_label.isVisible()
    assert "等候时间" in [b.text() for b in ev.reason_boxes.values()]
    qtbot.keyClick(ev, Qt.Key.Key_2)
    qtbot.keyClick(ev, Qt.Key.Key_4)  # the customer changes their mind
    assert ev.stars == 4 and ev.star_buttons[4].isChecked() and ev.submit_button.isEnabled()
    box = ev.reason_boxes["clear_explanation"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on its tick box
    assert box.isChecked()
    type_text(qtbot, ev.comment, "讲解清楚")
    qtbot.keyClicks(ev.comment, " 5")  # digits typed in the comment stay text
    assert ev.stars == 4 and ev.comment.text() == "讲解清楚 5"
    qtbot.mouseClick(ev.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ev.stage == "thanks", timeout=WAIT)
    banner = page.banner.text()
    assert "评价已提交" in banner and "4" not in banner and "★" not in banner
    assert evaluations(window.ctx.vault) == [(session_id, "customer_screen", "submitted", 4, "clear_explanation",
                                              "讲解清楚 5")]
    qtbot.mouseClick(ev.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.evaluation.window is None, timeout=WAIT)

    # a session ended without a sale because the customer, served, decided not to go ahead: asked too;
    # the customer skips and the teller sees only that
    page.start()
    qtbot.waitUntil(lambda: page.counter_session is not None and not page.busy, timeout=WAIT)
    other = page.counter_session.session_id
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.cancel_dialog is not None and page.cancel_dialog.isVisible(), timeout=WAIT)
    select(page.cancel_dialog.reason, "customer_declined")
    qtbot.mouseClick(page.cancel_dialog.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.evaluation.window is not None and page.evaluation.window.isVisible(), timeout=WAIT)
    skipper = page.evaluation.window
    assert skipper.stars is None
    qtbot.mouseClick(skipper.skip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: skipper.stage == "thanks", timeout=WAIT)
    assert "客户决定不再办理" in page.banner.text() and "客户跳过" in page.banner.text()
    assert evaluations(window.ctx.vault)[-1] == (other, "customer_screen", "skipped", None, "", None)

    # the customer left: nobody to ask
    page.start()
    qtbot.waitUntil(lambda: page.counter_session is not None and not page.busy, timeout=WAIT)
    assert page.evaluation.window is None  # the next session cleared the last customer's screen
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.cancel_dialog is not None and page.cancel_dialog.isVisible(), timeout=WAIT)
    select(page.cancel_dialog.reason, "customer_left")
    qtbot.mouseClick(page.cancel_dialog.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.counter_session is None and not page.busy, timeout=WAIT)
    assert page.evaluation.window is None and len(evaluations(window.ctx.vault)) == 2
