"""The hub's side of customer records and purges (on PostgreSQL): one customer's tagged records of the
device's own branch, after a cursor; a tombstone's ``purges`` delete the listed records of its own
branch only, never the kinds a purge keeps, and only a tombstone may carry them."""
from __future__ import annotations

import secrets
import uuid

from sqlalchemy import text

TAG = "ct1-" + "ab" * 16


def _tag() -> str:
    return "ct1-" + secrets.token_hex(16)


def _stored(hub, ids) -> set[str]:
    with hub.app.state.engine.connect() as conn:
        return {r for (r,) in conn.execute(text("SELECT id::text FROM records WHERE id::text = ANY(:i)"),
                                           {"i": [str(i) for i in ids]})}


def test_customer_records_are_the_tagged_records_of_the_devices_own_branch_after_the_cursor(hub):
    branch, device = hub.new_branch_with_device()
    _other_branch, stranger = hub.new_branch_with_device()
    tag, elsewhere = _tag(), _tag()
    mine = [device.record("customer.restriction", {"customer_id": str(uuid.uuid4()), "customer_tag": tag}),
            device.record("screening", {"screening_id": str(uuid.uuid4()), "status": "confirmed_match",
                                        "customer_tag": tag}),
            device.record("screening", {"screening_id": str(uuid.uuid4()), "status": "clear",
                                        "customer_tag": elsewhere}),
            device.record("consent", {"consent_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4())})]
    receipts = hub.push(device, mine).json()["receipts"]
    assert [r["status"] for r in receipts] == ["accepted"] * 4
    theirs = stranger.record("consent", {"consent_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4()),
                                         "customer_tag": tag})
    assert hub.push(stranger, [theirs]).json()["receipts"][0]["status"] == "accepted"

    page = hub.signed(device, "GET", "/v1/customer-records", {"tag": tag}).json()
    assert [r["id"] for r in page["records"]] == [mine[0]["id"], mine[1]["id"]] and page["more"] is False
    assert page["cursor"] == receipts[1]["seq"]
    after = hub.signed(device, "GET", "/v1/customer-records", {"tag": tag, "cursor": receipts[0]["seq"]}).json()
    assert [r["id"] for r in after["records"]] == [mine[1]["id"]]
    one = hub.signed(device, "GET", "/v1/customer-records", {"tag": tag, "limit": 1}).json()
    assert len(one["records"]) == 1 and one["more"] is True
    # Not a tag (a plain id, a name): refused before anything is read; unsigned: refused.
    for bad in (str(uuid.uuid4()), "张三", TAG.upper()):
        res = hub.signed(device, "GET", "/v1/customer-records", {"tag": bad})
        assert res.status_code == 422 and res.json()["error"] == "invalid_request"
    assert hub.request("GET", f"/v1/customer-records?tag={tag}").status_code == 401


def test_a_tombstone_deletes_the_records_it_lists_of_its_own_branch_and_nothing_else(hub):
    branch, device = hub.new_branch_with_device()
    _other, stranger = hub.new_branch_with_device()
    cid = str(uuid.uuid4())
    version = device.record("customer.version", {"customer_id": cid, "version": 1})
    session = device.record("counter_session", {"session_id": str(uuid.uuid4()), "status": "open"})
    audit = device.record("audit.entry", {"seq": 7, "action": "customer.created"})
    restriction = device.record("customer.restriction", {"customer_id": cid})
    assert hub.push(device, [version, session, audit, restriction]).json()["receipts"][0]["status"] == "accepted"
    foreign = stranger.record("counter_session", {"session_id": str(uuid.uuid4()), "status": "open"})
    hub.push(stranger, [foreign])

    # Only a tombstone may list records to delete.
    sneaky = device.record("counter_session", {"session_id": str(uuid.uuid4()), "status": "open"},
                           purges=[version["id"]])
    assert hub.push(device, [sneaky]).json()["receipts"][0] == {"id": sneaky["id"], "status": "rejected",
                                                                "seq": None, "error": "malformed"}
    listed = [version["id"], session["id"], audit["id"], restriction["id"], foreign["id"], str(uuid.uuid4())]
    stone = device.record("retention.tombstone", {"tombstone_id": str(uuid.uuid4()), "kind": "customer",
                                                  "subject_id": cid}, purges=listed)
    assert hub.push(device, [stone]).json()["receipts"][0]["status"] == "accepted"
    left = _stored(hub, [version["id"], session["id"], audit["id"], restriction["id"], foreign["id"], stone["id"]])
    assert left == {audit["id"], restriction["id"], foreign["id"], stone["id"]}

    # Sent again (a lost receipt): the same tombstone is a duplicate; with another list it is a conflict.
    assert hub.push(device, [stone]).json()["receipts"][0]["status"] == "duplicate"
    changed = {**stone, "purges": listed[:1]}
    assert hub.push(device, [changed]).json()["receipts"][0]["error"] == "conflict_id"
    pulled = hub.pull(device).json()["records"]
    assert version["id"] not in {r["id"] for r in pulled} and stone["id"] in {r["id"] for r in pulled}
