"""A complaint's extension asked for at workstation A and approved by a supervisor at workstation B of the
same branch, through a real hub (in process, on PostgreSQL): after B pulls, B's supervisor sees the request
and approves it on the real complaints page, where the copy offers only the decision; after A pulls, A has
the approval (state, approver, the history step), the teller at A records the notice to the customer, and
from then on A's deadline is the extended one; B gets that too."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from counterdesk.services import verification
from counterdesk.services.complaints import handling, queue
from counterdesk.services.complaints.codes import APPROVED, REQUESTED
from counterdesk.services.complaints.common import ComplaintError
from counterdesk.services.complaints.handling import NewComplaint
from counterdesk.ui.service.complaints_page import ComplaintsPage
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.resources import Languages
from helpers.branch_pair import enrolled_pair
from helpers.demo import WAIT, sign_in

WORDS = "客户投诉：理财产品赎回到账时间与告知不符。"


def approve_on_the_page(qtbot, qapp, vault, user, data_dir, complaint_id: str):
    """The supervisor at B approves through the real complaints page: on the copy only the decision shows."""
    ctx = AppContext(data_dir, demo=True, languages=Languages(qapp))
    ctx.vault, ctx.user = vault, user
    page = ComplaintsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.idle and page.current is not None
                    and page.current.complaint_id == complaint_id, timeout=WAIT)
    shown = {k for k, b in page.buttons.items() if b.isVisible()}
    assert {"approve", "refuse"} <= shown and not shown & {"resolve", "notice", "hand_over", "extend"}
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.mouseClick(page.buttons["approve"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.idle, timeout=WAIT)
    return queue.get(vault, user, complaint_id)


def test_an_extension_asked_at_one_workstation_is_approved_at_another(hub, tmp_path, demo_lists_template, qtbot,
                                                                      qapp):
    with enrolled_pair(hub, lambda name: tmp_path / name, demo_lists_template) as (_branch, opened):
        (va, _admin_a, ca), (vb, _admin_b, cb) = opened
        teller_a = sign_in(va, "teller")
        c = handling.record(va, teller_a, NewComplaint("counter", "transaction", WORDS, complexity="complex"))
        asked = handling.request_extension(va, teller_a, c.complaint_id, 45, "需向资管公司核实赎回流程")
        assert asked.extension_state == REQUESTED and asked.due_on == c.due_on
        assert ca.push_all().rejected == 0

        assert cb.pull_all().failed == 0
        supervisor_b = sign_in(vb, "supervisor")
        waiting = queue.get(vb, supervisor_b, c.complaint_id)
        assert waiting.extension_state == REQUESTED and waiting.can_approve  # maker ≠ checker: the teller asked
        # B holds a copy: the owner's steps are taken where the complaint was received, never on the copy.
        teller_b = sign_in(vb, "teller")
        copy = queue.get(vb, teller_b, c.complaint_id)
        assert not copy.here and not copy.can_handle and queue.get(va, teller_a, c.complaint_id).here
        with pytest.raises(ComplaintError) as elsewhere:
            handling.resolve(vb, teller_b, c.complaint_id, "upheld", "已处理。")
        assert elsewhere.value.code == "complaint_elsewhere"
        approved = approve_on_the_page(qtbot, qapp, vb, supervisor_b, tmp_path / "b", c.complaint_id)
        assert approved.extension_state == APPROVED
        assert cb.push_all().rejected == 0

        assert ca.pull_all().failed == 0
        at_a = queue.get(va, teller_a, c.complaint_id)
        assert at_a.extension_state == APPROVED and at_a.extension_days == 45
        assert [e.kind for e in at_a.events] == ["received", "extension_requested", "extension_approved"]
        assert at_a.events[-1].by_name == supervisor_b.display_name
        assert at_a.due_on == c.due_on  # the new deadline applies once the customer is told

        told = handling.record_notice(va, teller_a, c.complaint_id, "phone")
        assert told.due_on > c.due_on
        assert [e.kind for e in told.events][-1] == "notice_recorded"
        assert ca.push_all().rejected == 0
        assert cb.pull_all().failed == 0
        at_b = queue.get(vb, supervisor_b, c.complaint_id)
        assert (at_b.due_on, at_b.extension_state, [e.kind for e in at_b.events]) == (
            told.due_on, told.extension_state, [e.kind for e in told.events])
        for vault in (va, vb):  # the records ledger and the audit chain hold on both workstations
            assert [c.name for c in verification.verify(vault, sign_in(vault, "auditor")).failed] == []
