"""The supervisor's sign-off approval queue, driven offscreen on a real demo installation: a teller's
request appears by itself, the evidence view shows the chain without personal data, approve and
reject (with the core's refusal of a rejection without reason), the selection survives the polling,
maker ≠ checker explained, and the page only polls while it is shown."""
from __future__ import annotations

import dataclasses
import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from counterdesk.flow.actions import EnterDocument
from counterdesk.services.auth.vault import Vault
from counterdesk.services.catalog.versions import current_catalog
from counterdesk.services.signoff import approvals
from counterdesk.ui.supervisor.signoff_approvals import SignoffApprovalsPage
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages
from helpers.counter import SPECIMEN, YOUNG, at_recommendation, choose, customer_signs, document, kyc
from helpers.demo import (
    PASSWORDS,
    WAIT,
    totp_code,
)
from helpers.gui import type_text

OTHER = document(YOUNG, id_number="110105199001010045")  # a second customer (valid check digit, female)
PERSONAL = (YOUNG.id_number, OTHER.id_number, SPECIMEN.id_number, kyc("1990-01-01")["name_zh"],
            kyc("1990-01-01")["phone"], "建国路", "某某研究所")


def pending_sale(vault, doc: EnterDocument = YOUNG):
    """A teller's customer-initiated purchase above the customer's grade, waiting for approval
    (``doc``: a new customer each time)."""
    counter_session = at_recommendation(vault, age_answer="age_31_45", birth="1990-01-01", doc=doc)
    choose(counter_session, "DM-WM-EQ", own=True)
    customer_signs(counter_session)
    assert counter_session.flow.current_id == "approval"
    return counter_session


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


@pytest.fixture
def page(vault, qapp, qtbot, demo_lists_dir):
    ctx = AppContext(demo_lists_dir, demo=True, languages=Languages(qapp))
    ctx.vault, ctx.user = vault, vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    p = SignoffApprovalsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1000, 700)
    yield p
    p.timer.stop()  # no background read may still run when the vault closes
    qtbot.waitUntil(lambda: not p.loading and not p.deciding, timeout=WAIT)


def cells(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


@pytest.fixture
def machine_in_new_york():
    """The workstation's clock set to another time zone: screens must still show the branch's time."""
    import time
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = before
    time.tzset()


def show_and_load(qtbot, page) -> None:
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.show()  # showEvent starts the polling and loads at once


def test_a_tellers_request_appears_by_itself_with_its_evidence_and_no_personal_data(qtbot, page, vault):
    show_and_load(qtbot, page)
    assert page.table.rowCount() == 0 and page.timer.isActive() and page.timer.interval() == 1000
    assert "No sale is waiting for approval." in page.details.toPlainText()
    assert not page.approve.isEnabled() and not page.reject.isEnabled()

    counter_session = pending_sale(vault)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=3000)  # the 1 s poll, no click
    req = approvals.pending_requests(vault, page.ctx.user)[0]
    row = cells(page.table, 0)
    assert row[0] == "张**" and row[1] == f"DM-WM-EQ ({req.risk_level})" and row[2] == "100,000.00"
    assert row[3] == "Customer-initiated purchase above the customer's grade"
    assert row[4] == "演示柜员 Demo Teller"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[5]) and row[6] > row[5]
    assert page.table.horizontalHeaderItem(5).text() == "Requested at (UTC+8)"
    assert page.current().request_id == req.request_id  # the oldest request is selected

    text = page.details.toPlainText()
    name = current_catalog(vault, page.ctx.user).get("DM-WM-EQ").name("en")
    assert text.startswith(f"DM-WM-EQ {name} ({req.risk_level}), amount 100,000.00")
    for words in ("Why a supervisor must approve", "Customer-initiated purchase above the customer's grade",
                  "Identity document", "Sanctions screening", "Risk questionnaire", "Suitability check",
                  "Risk disclosure read", "Sale recording", "Customer signature", "Teller attestation",
                  "Resident identity card", "recording reference REC-2026-000123", "read to the end: yes",
                  f"DM-WM-EQ ({req.risk_level}), amount 100,000.00: only at the customer's own request",
                  "condition(s) of sale",
                  "Identity verified: yes; disclosure explained: yes"):
        assert words in text, words
    assert "Signed confirmation" not in text and "Supervisor decision" not in text  # not yet in the chain
    _info, chain = approvals.request_evidence(vault, page.ctx.user, req.request_id)
    assert [link["kind"] for link in chain] == ["document", "screening", "questionnaire", "suitability",
                                                "disclosure", "recording", "signature", "attestation"]
    for link in chain:
        assert link["hash"][:12] in text and link["hash"] not in text  # hashes shortened to 12 hex
    seconds = next(link["payload"]["seconds"] for link in chain if link["kind"] == "disclosure")
    points = next(link["payload"]["points"] for link in chain if link["kind"] == "signature")
    assert f"for {seconds} s" in text and f"{points} points" in text
    for secret in PERSONAL:
        assert secret not in text and secret not in page.details.toHtml()
    assert page.approve.isEnabled() and page.reject.isEnabled() and page.reason.isEnabled()
    assert not page.explanation.isVisible()

    with qtbot.waitSignal(page.decided, timeout=WAIT) as decided:
        qtbot.mouseClick(page.approve, Qt.MouseButton.LeftButton)
    assert decided.args == ["approved"]
    qtbot.waitUntil(lambda: page.table.rowCount() == 0 and not page.loading, timeout=WAIT)
    assert "Approved" in page.message.text()
    assert approvals.pending_requests(vault, page.ctx.user) == []
    assert counter_session.submit().moved and counter_session.flow.current_id == "confirmation"


def test_reject_needs_a_reason_then_returns_the_sale_to_the_teller(qtbot, page, vault):
    counter_session = pending_sale(vault)
    show_and_load(qtbot, page)
    assert page.table.rowCount() == 1 and page.reject.isEnabled()
    qtbot.mouseClick(page.reject, Qt.MouseButton.LeftButton)  # no reason typed
    qtbot.waitUntil(lambda: page.message.text() == "Give a reason for the rejection.", timeout=WAIT)
    assert page.message.isVisible() and page.reject.isEnabled()  # the core's refusal; nothing changed
    assert len(approvals.pending_requests(vault, page.ctx.user)) == 1

    type_text(qtbot, page.reason, "金额与客户资产不符")  # as an input method commits it
    with qtbot.waitSignal(page.decided, timeout=WAIT) as decided:
        qtbot.mouseClick(page.reject, Qt.MouseButton.LeftButton)
    assert decided.args == ["rejected"]
    qtbot.waitUntil(lambda: page.table.rowCount() == 0 and not page.loading, timeout=WAIT)
    assert page.reason.text() == "" and "Rejected" in page.message.text()
    assert counter_session.submit().result.ok
    assert counter_session.flow.current_id == "signoff" and counter_session.state.rejection == "金额与客户资产不符"


def test_selection_survives_the_polling_and_loads_never_overlap(qtbot, page, vault, monkeypatch):
    import threading

    from counterdesk.ui.supervisor import signoff_approvals as signoff_queue_page

    pending_sale(vault)
    pending_sale(vault, OTHER)
    show_and_load(qtbot, page)
    assert page.table.rowCount() == 2
    second = page.requests[1].request_id
    page.table.selectRow(1)
    assert page.current().request_id == second

    real, lock, running, peak, done = signoff_queue_page.load_queue, threading.Lock(), [0], [0], []

    def counting(*args):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real(*args)
        finally:
            with lock:
                running[0] -= 1
            done.append(1)
    monkeypatch.setattr(signoff_queue_page, "load_queue", counting)
    page.refresh()
    page.refresh()  # folded into one more load after the running one
    page._poll()    # a poll while loading does nothing
    assert page.loading and page._reload
    qtbot.waitUntil(lambda: len(done) >= 2 and not page.loading, timeout=WAIT)
    assert peak[0] == 1
    assert page.current().request_id == second and page.table.rowCount() == 2
    assert page.chains[second][-1]["hash"][:12] in page.details.toPlainText()  # the details are still its own

    # Decided at another desk: the row goes and nothing else is selected in its place.
    supervisor2 = page.ctx.vault.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
    approvals.decide(vault, supervisor2, second, approve=True)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        qtbot.keyClick(page, Qt.Key.Key_F5)
    assert page.table.rowCount() == 1 and page.current() is None
    assert "no longer waiting" in page.message.text()
    assert not page.approve.isEnabled()


def test_the_maker_sees_why_they_cannot_decide(qtbot, page, vault):
    pending_sale(vault)
    show_and_load(qtbot, page)
    page.timer.stop()  # the test replaces the loaded request below; no poll may overwrite it
    req = page.requests[0]
    as_maker = dataclasses.replace(req, can_decide=False)
    page._read_done((page._generation, ([as_maker], {req.request_id: page.chains[req.request_id]}, None)))
    assert page.current() == as_maker
    assert not page.approve.isEnabled() and not page.reject.isEnabled() and not page.reason.isEnabled()
    assert page.explanation.isVisible()
    assert page.explanation.text() == "You made or asked for this sale: another supervisor must decide it."
    assert page.approve.toolTip() == page.explanation.text()


def test_the_queue_in_the_supervisors_home_polls_only_while_shown(qtbot, open_window, demo_lists_dir):
    window = open_window(demo_lists_dir, "supervisor")
    home = window.home
    queue = home.pages["approval.signoff"]
    assert isinstance(queue, SignoffApprovalsPage) and not queue.timer.isActive()
    with qtbot.waitSignal(queue.loaded, timeout=WAIT):
        home.show_task("approval.signoff")
    assert queue.isVisible() and queue.timer.isActive()
    pending_sale(window.ctx.vault)
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=3000)
    assert queue.table.item(0, 0).text() == "张**"
    home.show_task("approval.queue")
    assert not queue.isVisible() and not queue.timer.isActive()
    qtbot.waitUntil(lambda: not queue.loading, timeout=WAIT)


def test_the_customers_name_is_masked_until_revealed_and_the_reveal_is_audited(qtbot, page, vault):
    pending_sale(vault)
    show_and_load(qtbot, page)
    page.table.selectRow(0)
    name = kyc("1990-01-01")["name_zh"]
    assert name not in page.details.toPlainText() and page.reveal_button.isEnabled()
    qtbot.mouseClick(page.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: name in page.message.text(), timeout=WAIT)
    auditor = vault.sign_in("auditor", PASSWORDS["auditor"])
    reveals = [e for e in vault.audit_entries(auditor) if e.action == "customer.revealed"]
    assert reveals and reveals[0].actor_name == "supervisor" and name not in str(reveals[0].details)


def test_times_are_the_branchs_with_the_zone_whatever_the_machines_clock(qtbot, page, vault, machine_in_new_york):
    from datetime import datetime, timedelta, timezone

    page.ctx.languages.set("zh_CN")
    try:
        counter_session = pending_sale(vault)
        show_and_load(qtbot, page)
        qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=3000)
        req = approvals.pending_requests(vault, page.ctx.user)[0]
        beijing = datetime.fromisoformat(req.requested_at).astimezone(timezone(timedelta(hours=8)))
        assert cells(page.table, 0)[5] == beijing.strftime("%Y-%m-%d %H:%M")  # not New York's clock
        assert page.table.horizontalHeaderItem(5).text().endswith("（北京时间）")
        assert f"{beijing:%Y-%m-%d %H:%M}（北京时间）" in page.details.toPlainText()
        counter_session.cancel()
    finally:
        page.ctx.languages.set("en")
