"""Push, pull and long poll (real PostgreSQL): idempotent receipts, per-record rejection, branch isolation."""
from __future__ import annotations

import os
import threading
import time
import uuid

from counterdesk.hub.models import Branch, Record
from counterdesk.hub.record_types import RECORD_TYPES
from counterdesk.protocol.signing import branch_key_id
from helpers.hub import BRANCH_KEYS, decrypt, make_record


def _receipts(res):
    assert res.status_code == 200, res.text
    return res.json()["receipts"]


def test_accepted_records_get_increasing_seqs_and_come_back_decryptable(hub):
    branch, device = hub.new_branch_with_device()
    records = [device.record(plaintext=f"body {i}".encode()) for i in range(5)]
    receipts = _receipts(hub.push(device, records))
    assert [r["status"] for r in receipts] == ["accepted"] * 5
    assert [r["id"] for r in receipts] == [r["id"] for r in records]
    seqs = [r["seq"] for r in receipts]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5 and all(r["error"] is None for r in receipts)
    pulled = hub.pull(device).json()
    assert [r["seq"] for r in pulled["records"]] == seqs
    assert [decrypt(branch, r) for r in pulled["records"]] == [f"body {i}".encode() for i in range(5)]
    first = pulled["records"][0]
    assert set(first) == {"seq", "id", "type", "workstation_id", "created_at", "key_id", "envelope", "meta"}
    assert first["meta"] == records[0]["meta"] and first["created_at"].endswith("Z")
    more = _receipts(hub.push(device, [device.record()]))
    assert more[0]["seq"] > seqs[-1]


def test_the_same_batch_twice_is_all_duplicate_with_the_same_seqs(hub):
    _branch, device = hub.new_branch_with_device()
    records = [device.record() for _ in range(4)]
    first = _receipts(hub.push(device, records))
    second = _receipts(hub.push(device, records))
    assert [r["status"] for r in second] == ["duplicate"] * 4
    assert [r["seq"] for r in second] == [r["seq"] for r in first]
    assert len(hub.pull(device).json()["records"]) == 4
    # A record repeated inside one batch is stored once.
    record = device.record()
    twice = _receipts(hub.push(device, [record, record]))
    assert [r["status"] for r in twice] == ["accepted", "duplicate"] and twice[0]["seq"] == twice[1]["seq"]


def test_the_same_id_with_other_content_is_rejected(hub):
    _branch, device = hub.new_branch_with_device()
    record = device.record()
    (stored,) = _receipts(hub.push(device, [record]))
    changed = {**record, "meta": {**record["meta"], "status": "closed"}}
    (receipt,) = _receipts(hub.push(device, [changed]))
    assert receipt == {"id": record["id"], "status": "rejected", "seq": None, "error": "conflict_id"}
    other_envelope = device.record(id=record["id"])
    assert _receipts(hub.push(device, [other_envelope]))[0]["error"] == "conflict_id"
    inside_batch = device.record()
    res = _receipts(hub.push(device, [inside_batch, {**inside_batch, "meta": {"status": "x"}}]))
    assert [r["status"] for r in res] == ["accepted", "rejected"] and res[1]["error"] == "conflict_id"
    with hub.sessions() as s:
        assert s.query(Record).filter(Record.id == uuid.UUID(record["id"])).one().seq == stored["seq"]


def test_poison_records_are_rejected_and_the_rest_of_the_batch_is_stored(hub):
    branch, device = hub.new_branch_with_device()
    good = [device.record() for _ in range(4)]
    poison = [
        (device.record(record_type="chat.message"), "unknown_type"),
        (device.record(meta={"session_id": str(uuid.uuid4()), "customer_name": "张三丰"}), "meta_not_allowed"),
        (device.record(key_id=branch_key_id(os.urandom(32))), "wrong_key"),
        (device.record(envelope="not base64!"), "malformed"),
        (device.record(envelope="AAAA"), "malformed"),  # shorter than a GCM nonce and tag
        (device.record(id="42"), "malformed"),
        (device.record(created_at="2026-01-01T08:00:00"), "malformed"),  # no UTC offset
        (device.record(meta={"status": "has space"}), "malformed"),
        (device.record(meta={"status": {"nested": 1}}), "malformed"),
        ({k: v for k, v in device.record().items() if k != "workstation_id"}, "malformed"),
        ("just a string", "malformed"),
        (None, "malformed"),
    ]
    batch = [good[0], good[1], *[p for p, _ in poison], good[2], good[3]]
    receipts = _receipts(hub.push(device, batch))
    assert len(receipts) == len(batch)
    assert [r["status"] for r in receipts[:2] + receipts[-2:]] == ["accepted"] * 4
    assert [(r["status"], r["error"]) for r in receipts[2:-2]] == [("rejected", err) for _, err in poison]
    assert all(r["seq"] is None for r in receipts[2:-2])
    assert receipts[2]["id"] == poison[0][0]["id"] and receipts[-4]["id"] is None
    pulled = hub.pull(device).json()["records"]
    assert [r["id"] for r in pulled] == [g["id"] for g in good]
    assert BRANCH_KEYS[branch]


def test_every_type_in_the_table_is_accepted_with_its_meta(hub):
    _branch, device = hub.new_branch_with_device()
    records = []
    for record_type, keys in RECORD_TYPES.items():
        meta = {k: (7 if k in ("seq", "version") else str(uuid.uuid4()) if k.endswith("_id") else "pending")
                for k in keys}
        records.append(device.record(record_type=record_type, meta=meta))
    assert [r["status"] for r in _receipts(hub.push(device, records))] == ["accepted"] * len(records)


def test_batch_over_500_and_non_list_are_refused_whole(hub):
    _branch, device = hub.new_branch_with_device()
    res = hub.push(device, [device.record() for _ in range(501)])
    assert res.status_code == 422 and res.json()["error"] == "invalid_request"
    res = hub.signed(device, "POST", "/v1/push", body={"records": "none"})
    assert res.status_code == 422
    res = hub.signed(device, "POST", "/v1/push", raw=b"{not json")
    assert res.status_code == 422 and res.json()["error"] == "invalid_request"
    assert hub.pull(device).json()["records"] == []


def test_the_first_push_sets_the_branch_key_when_enrolment_did_not(hub):
    branch = hub.add_branch()
    device = hub.enrol(branch)
    with hub.sessions() as s:
        assert s.get(Branch, branch).key_id is None
    first, foreign = device.record(), make_record("ELSEWHERE-" + branch)
    receipts = _receipts(hub.push(device, [first, foreign]))
    assert [(r["status"], r["error"]) for r in receipts] == [("accepted", None), ("rejected", "wrong_key")]
    with hub.sessions() as s:
        assert s.get(Branch, branch).key_id == first["key_id"]


def test_pull_pages_by_cursor(hub):
    _branch, device = hub.new_branch_with_device()
    seqs = [r["seq"] for r in _receipts(hub.push(device, [device.record() for _ in range(7)]))]
    page = hub.pull(device, cursor=0, limit=3).json()
    assert [r["seq"] for r in page["records"]] == seqs[:3] and page["cursor"] == seqs[2] and page["more"]
    page = hub.pull(device, cursor=page["cursor"], limit=3).json()
    assert [r["seq"] for r in page["records"]] == seqs[3:6] and page["more"]
    page = hub.pull(device, cursor=page["cursor"], limit=3).json()
    assert [r["seq"] for r in page["records"]] == seqs[6:] and page["cursor"] == seqs[6] and not page["more"]
    empty = hub.pull(device, cursor=page["cursor"]).json()
    assert empty == {"records": [], "cursor": seqs[6], "more": False}
    for params in ({"limit": 0}, {"limit": 501}, {"cursor": -1}, {"cursor": "x"}, {"cursor": 2 ** 64}):
        res = hub.signed(device, "GET", "/v1/pull", params)
        assert res.status_code == 422 and res.json()["error"] == "invalid_request", params


def test_another_branchs_records_are_never_returned(hub):
    branch_a, device_a = hub.new_branch_with_device()
    branch_b, device_b = hub.new_branch_with_device()
    colleague_a = hub.enrol(branch_a)
    a_ids = [r["id"] for r in _receipts(hub.push(device_a, [device_a.record() for _ in range(3)]))]
    b_ids = [r["id"] for r in _receipts(hub.push(device_b, [device_b.record() for _ in range(3)]))]
    assert [r["id"] for r in hub.pull(colleague_a).json()["records"]] == a_ids
    assert [r["id"] for r in hub.pull(device_b).json()["records"]] == b_ids
    # Pushing branch A's record id from branch B is a conflict, never a duplicate that leaks A's seq.
    stolen = make_record(branch_b, id=a_ids[0])
    assert _receipts(hub.push(device_b, [stolen]))[0] == {"id": a_ids[0], "status": "rejected", "seq": None,
                                                          "error": "conflict_id"}
    assert [r["id"] for r in hub.pull(device_b).json()["records"]] == b_ids


def test_wait_returns_soon_after_a_push_from_another_client(hub):
    branch, waiter = hub.new_branch_with_device()
    pusher = hub.enrol(branch)
    cursor = hub.pull(waiter).json()["cursor"]
    result = {}

    def wait():
        started = time.monotonic()
        result["res"] = hub.signed(waiter, "GET", "/v1/wait", {"cursor": cursor, "timeout": 10})
        result["returned"] = time.monotonic()
        result["started"] = started

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.4)
    assert "res" not in result  # still waiting
    (receipt,) = _receipts(hub.push(pusher, [pusher.record()]))
    pushed = time.monotonic()
    thread.join(5)
    assert result["res"].status_code == 200
    assert result["res"].json() == {"cursor": receipt["seq"]}
    assert result["returned"] - pushed < 2.0
    assert result["returned"] - result["started"] < 3.0
    # Already newer than the cursor: returns at once.
    res = hub.signed(waiter, "GET", "/v1/wait", {"cursor": cursor, "timeout": 10})
    assert res.status_code == 200 and res.json()["cursor"] == receipt["seq"]


def test_wait_times_out_with_204_and_ignores_other_branches(hub):
    _branch, waiter = hub.new_branch_with_device()
    _other, stranger = hub.new_branch_with_device()
    result = {}

    def wait():
        started = time.monotonic()
        result["res"] = hub.signed(waiter, "GET", "/v1/wait", {"cursor": 0, "timeout": 1})
        result["took"] = time.monotonic() - started

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.2)
    hub.push(stranger, [stranger.record()])
    thread.join(5)
    assert result["res"].status_code == 204 and result["res"].content == b""
    assert 0.9 <= result["took"] < 2.5
    assert result["res"].headers["X-CD-Server-Time"]
    for params in ({"timeout": 31}, {"timeout": -1}, {"cursor": -1}):
        res = hub.signed(waiter, "GET", "/v1/wait", params)
        assert res.status_code == 422, params


def test_wait_sees_pushes_made_by_another_hub_process(hub):
    """No in-process notification (another app object, as another process would be): the re-check finds it."""
    from helpers.hub import Hub
    branch, waiter = hub.new_branch_with_device()
    with Hub.started(hub.url, wait_recheck_s=0.2) as second_hub:
        result = {}

        def wait():
            result["res"] = second_hub.signed(waiter, "GET", "/v1/wait", {"cursor": 0, "timeout": 10})
            result["returned"] = time.monotonic()

        thread = threading.Thread(target=wait)
        thread.start()
        time.sleep(0.3)
        hub.push(waiter, [waiter.record()])
        pushed = time.monotonic()
        thread.join(5)
    assert result["res"].status_code == 200 and result["returned"] - pushed < 1.5


def test_a_reader_following_the_cursor_misses_nothing_while_pushes_run_concurrently(hub):
    """The branch lock makes seqs commit in order: a puller that has seen seq N never later finds a
    smaller one appear behind its cursor."""
    branch, reader = hub.new_branch_with_device()
    pushers = [hub.enrol(branch) for _ in range(4)]
    pushed: list[str] = []
    done = threading.Event()

    def push_batches(device):
        for _ in range(8):
            batch = [device.record() for _ in range(5)]
            receipts = _receipts(hub.push(device, batch))
            assert {r["status"] for r in receipts} == {"accepted"}
            pushed.extend(r["id"] for r in receipts)

    seen: list[str] = []

    def follow():
        cursor = 0
        while True:
            finished = done.is_set()
            page = hub.pull(reader, cursor=cursor).json()
            seen.extend(r["id"] for r in page["records"])
            cursor = page["cursor"]
            if finished and not page["more"]:
                return

    threads = [threading.Thread(target=push_batches, args=(d,)) for d in pushers]
    follower = threading.Thread(target=follow)
    follower.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    done.set()
    follower.join(30)
    assert len(pushed) == 4 * 8 * 5
    assert len(seen) == len(set(seen)) and set(seen) == set(pushed)
