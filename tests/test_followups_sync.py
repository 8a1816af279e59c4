"""A follow-up outcome reaches the branch's other workstation: recorded on workstation A, it goes to a
real hub (in process, on PostgreSQL) with only its id, kind and outcome code in clear (the note sealed
with the branch key); workstation B pulls it, stores it once, and its own list shows the item done."""
from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from counterdesk.base.branchtime import BRANCH_TZ, branch_day
from counterdesk.flow.actions import IssueConfirmation
from counterdesk.hub.models import Record
from counterdesk.services.followups import queue
from counterdesk.services.followups.outcomes import record_outcome
from counterdesk.store.models.follow_ups import FollowUpOutcome
from counterdesk.store.models.signoff import Signoff
from counterdesk.store.models.sync import Inbox
from helpers.branch_pair import enrolled_pair
from helpers.counter import at_recommendation, choose, customer_signs
from helpers.demo import PASSWORDS, totp_code

NOTE = "客户说到期后转存一年期，电话 13812345678"


def test_an_outcome_recorded_on_a_is_stored_on_b_and_closes_the_item_there(hub, tmp_path, demo_lists_template):
    with enrolled_pair(hub, lambda name: tmp_path / name, demo_lists_template) as (branch, opened):
        (va, _admin_a, ca), (vb, _admin_b, cb) = opened
        counter_session = at_recommendation(va)
        choose(counter_session, "DM-WM-F90")  # 90 days, no cooling-off period
        customer_signs(counter_session)
        signoff_id = counter_session.submit(IssueConfirmation()).value.signoff_id
        teller = counter_session.user
        sale = va.transact(lambda db: db.get(Signoff, signoff_id))
        matures = branch_day(datetime.fromisoformat(sale.completed_at)) + timedelta(days=90)
        moment = datetime.combine(matures, time(10), BRANCH_TZ).astimezone(UTC)
        oid = record_outcome(va, teller, "product_maturing", signoff_id, "reached", "phone", NOTE, now=moment)
        pushed = ca.push_all()
        assert pushed.rejected == 0 and ca.status().pending_count == 0

        with hub.sessions() as session:
            rows = list(session.scalars(select(Record).where(Record.branch == branch,
                                                             Record.type == "follow_up.outcome")))
        assert [r.meta for r in rows] == [{"outcome_id": oid, "kind": "product_maturing", "outcome": "reached"}]
        assert NOTE.encode() not in rows[0].envelope and "13812345678" not in json.dumps(rows[0].meta)

        pulled = cb.pull_all()
        assert pulled.failed == 0
        kept = vb.transact(lambda s: [i.outcome for i in s.scalars(select(Inbox).where(
            Inbox.type == "follow_up.outcome"))])
        assert kept == ["applied"]
        row = vb.transact(lambda s: s.get(FollowUpOutcome, oid))
        assert (row.kind, row.source_id, row.signoff_id, row.recorded_by, row.note, row.closes) == (
            "product_maturing", signoff_id, signoff_id, teller.user_id, NOTE, True)
        supervisor_b = vb.sign_in("supervisor", PASSWORDS["supervisor"], totp_code("supervisor"))
        assert [i for i in queue.follow_ups(vb, supervisor_b, now=moment) if i.kind == "product_maturing"] == []
        done = [i for i in queue.follow_ups(vb, supervisor_b, now=moment, include_done=True)
                if i.kind == "product_maturing"]
        assert [(i.source_id, i.state, i.outcome) for i in done] == [(signoff_id, "done", "reached")]
        # Delivered again (a lost cursor): stored once.
        again = cb.pull_all()
        assert again.failed == 0
        assert vb.transact(lambda s: len(s.scalars(select(FollowUpOutcome)).all())) == 1
