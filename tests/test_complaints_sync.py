"""Complaints reach head office: workstation A records a complaint and handles it to resolution; every
state and every step goes to a real hub (in process, on PostgreSQL) with only ids, status, due date and
step codes in clear; workstation B of the branch receives and applies them, with nothing failing."""
from __future__ import annotations

import json

import httpx
from sqlalchemy import select

from counterdesk.hub.models import Record
from counterdesk.services.complaints import handling
from counterdesk.services.complaints.handling import NewComplaint
from counterdesk.store.models.sync import Inbox
from helpers.branch_pair import enrolled_pair
from helpers.demo import PASSWORDS, totp_code
from helpers.hub import Hub

HUB = "http://hub"
WORDS = "客户投诉：柜员未告知提前支取的利息损失。"


class PortalTransport(httpx.BaseTransport):
    """Synchronous httpx onto the in-process ASGI hub (as in test_sync_hub)."""

    def __init__(self, hub: Hub):
        self.portal = hub.portal
        self.inner = httpx.ASGITransport(app=hub.app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()

        async def run():
            forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=content)
            response = await self.inner.handle_async_request(forwarded)
            return response.status_code, response.headers, await response.aread()
        status, headers, body = self.portal.call(run)
        return httpx.Response(status, headers=headers, content=body, request=request)


def test_a_branchs_complaint_and_its_steps_are_at_the_hub_and_kept_by_the_other_workstation(
        hub, tmp_path, demo_lists_template):
    with enrolled_pair(hub, lambda name: tmp_path / name, demo_lists_template) as (branch, opened):
        (va, _admin_a, ca), (vb, _admin_b, cb) = opened
        teller = va.sign_in("teller", PASSWORDS["teller"])
        supervisor = va.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
        c = handling.record(va, teller, NewComplaint("counter", "fees", WORDS, complexity="complex"))
        handling.request_extension(va, teller, c.complaint_id, 50, "需核对总行收费政策")
        handling.decide_extension(va, supervisor, c.complaint_id, True)
        handling.record_notice(va, teller, c.complaint_id, "sms")
        done = handling.resolve(va, teller, c.complaint_id, "upheld", "退还提前支取损失的利息。", "accepted")
        pushed = ca.push_all()
        assert pushed.rejected == 0 and ca.status().pending_count == 0

        with hub.sessions() as session:
            rows = list(session.scalars(select(Record).where(Record.branch == branch,
                                                             Record.type.in_(("complaint", "complaint.event")))
                                        .order_by(Record.seq)))
        states = [r.meta for r in rows if r.type == "complaint"]
        steps = [r.meta["kind"] for r in rows if r.type == "complaint.event"]
        assert states[0] == {"complaint_id": c.complaint_id, "status": "open", "due_on": c.due_on}
        assert states[-1] == {"complaint_id": c.complaint_id, "status": "resolved", "due_on": done.due_on}
        assert steps == ["received", "extension_requested", "extension_approved", "notice_recorded", "resolved",
                         "response_recorded"]
        # The hub sees meta only: the customer's words and the reasons are sealed with the branch key.
        for r in rows:
            assert WORDS.encode() not in r.envelope and "需核对" not in json.dumps(r.meta, ensure_ascii=False)

        pulled = cb.pull_all()
        assert pulled.failed == 0
        kept = vb.transact(lambda s: [(i.type, i.outcome) for i in s.scalars(
            select(Inbox).where(Inbox.type.in_(("complaint", "complaint.event"))))])
        assert len(kept) == len(rows) and {o for _t, o in kept} == {"applied"}  # B holds the complaint too
