"""Evaluations reach head office: workstation A's customer rates a session; the record goes to a real
hub (in process, on PostgreSQL) with only ids and the status in clear (the stars and the comment are
sealed with the branch key); workstation B of the branch pulls it and stores the row once."""
from __future__ import annotations

import json

from sqlalchemy import select

from counterdesk.hub.models import Record
from counterdesk.services.customers import counter_sessions
from counterdesk.services.evaluations import capture
from counterdesk.services.evaluations.capture import Rating
from counterdesk.services.evaluations.codes import CUSTOMER_SCREEN
from counterdesk.store.models.evaluations import CustomerEvaluation
from counterdesk.store.models.sync import Inbox
from helpers.branch_pair import enrolled_pair
from helpers.demo import PASSWORDS

COMMENT = "等候时间太长，电话 13912345678"


def test_an_evaluation_is_at_the_hub_sealed_and_stored_by_the_other_workstation(hub, tmp_path, demo_lists_template):
    with enrolled_pair(hub, lambda name: tmp_path / name, demo_lists_template) as (branch, opened):
        (va, _admin_a, ca), (vb, _admin_b, cb) = opened
        teller = va.sign_in("teller", PASSWORDS["teller"])
        sid = counter_sessions.open_session(va, teller)
        counter_sessions.complete_session(va, teller, sid)
        eid = capture.submit(va, teller, sid, Rating(2, ("waiting_time",), COMMENT), CUSTOMER_SCREEN)
        pushed = ca.push_all()
        assert pushed.rejected == 0 and ca.status().pending_count == 0

        with hub.sessions() as session:
            rows = list(session.scalars(select(Record).where(Record.branch == branch, Record.type == "evaluation")))
        assert [r.meta for r in rows] == [{"evaluation_id": eid, "session_id": sid, "status": "submitted"}]
        assert COMMENT.encode() not in rows[0].envelope and "waiting" not in json.dumps(rows[0].meta)

        pulled = cb.pull_all()
        assert pulled.failed == 0
        kept = vb.transact(lambda s: [i.outcome for i in s.scalars(select(Inbox).where(Inbox.type == "evaluation"))])
        assert kept == ["applied"]
        row = vb.transact(lambda s: s.get(CustomerEvaluation, eid))
        assert (row.session_id, row.teller_id, row.stars, row.comment) == (sid, teller.user_id, 2, COMMENT)
