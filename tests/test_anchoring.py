"""Anchors outside the workstation (issue 11, finding 1): after sync the heads of the audit log, the
records ledger and each completed sale's evidence are checkpointed at a real hub (``counterdesk-hub
serve`` over HTTP, PostgreSQL), and an insider holding the database key who rewrites history here is
caught by ``check_anchors``, which names the first entry that differs or is missing, while the local
checks alone still pass. A checkpoint of the rewritten chain is refused by the hub (409) and kept."""
from __future__ import annotations

import io
import json
import secrets
import shutil
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from counterdesk.cli import admin as cli
from counterdesk.flow.actions import IssueConfirmation
from counterdesk.hub import cli as hub_cli
from counterdesk.hub.models import Checkpoint
from counterdesk.services.anchoring import check
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import evidence
from counterdesk.services.sync import state
from counterdesk.services.sync.client import SyncClient, check_anchors
from counterdesk.services.sync.enrol import enrol
from counterdesk.store import audit, ledger
from counterdesk.store.models.anchoring import AnchorCheckpoint, AnchorEvidence
from helpers.counter import at_recommendation, choose, customer_signs
from helpers.demo import PASSWORDS, sign_in, totp_code
from helpers.hub_process import HubServer, add_branch, first_code, free_port, hub_sessions
from helpers.insider import insider, rehash_audit, rehash_ledger


@pytest.fixture(scope="module")
def server(hub_url, tmp_path_factory) -> Iterator[HubServer]:
    hub = HubServer(hub_url, tmp_path_factory.mktemp("hub-log")).start()
    try:
        yield hub
    finally:
        hub.stop()


class Station:
    """An enrolled copy of the DEMO installation (its own branch on the shared hub)."""

    def __init__(self, root, server: HubServer, hub_url: str, branch: str):
        self.root, self.hub_url = root, hub_url
        self.vault = Vault.open(root)
        self.admin = sign_in(self.vault, "admin")
        enrol(self.vault, self.admin, server.url, first_code(hub_url, branch), name="柜台 1", branch_code=branch)
        self.client = SyncClient(self.vault, self.admin)

    def sync(self):
        pushed = self.client.push_all()
        assert pushed.rejected == 0 and pushed.pending == 0
        return self.client.last_anchor

    def audit_head(self) -> int:
        return self.vault.transact(lambda s: audit.recent(s, 1)[0].seq)

    def close(self) -> None:
        self.client.close()
        self.vault.close()


@pytest.fixture
def station(server, hub_url, tmp_path, demo_lists_template) -> Iterator[Station]:
    branch = "A" + secrets.token_hex(4).upper()
    add_branch(hub_url, branch)
    root = tmp_path / "ws"
    shutil.copytree(demo_lists_template, root)
    made = Station(root, server, hub_url, branch)
    yield made
    made.close()


def problems(result) -> list[tuple[str, str, str]]:
    return [(p.severity, p.code, p.text.en) for p in result.result.problems]


# ---- the tests ----------------------------------------------------------------------------------------

def test_sync_anchors_the_chains_and_verify_says_how_far_back_history_is_anchored(station):
    before = check_anchors(station.vault)
    assert before.ok and {code for _s, code, _t in problems(before)} == {"nothing_anchored"}
    anchored = station.sync()
    assert anchored is not None and not anchored.refused
    assert {c.chain: c.anchored_to == c.local_to and c.sent >= 1 for c in anchored.chains} == \
        {"audit": True, "records": True}
    head = station.audit_head()
    result = check_anchors(station.vault)
    assert result.ok and problems(result) == []
    notes = [n.en for n in result.notes]
    assert any(n.startswith(f"Anchored up to audit entry {head} at ") and "every entry is anchored" in n
               for n in notes), notes
    assert any(n.startswith("Anchored up to records ledger entry ") for n in notes), notes
    # Newer entries are shown as not yet anchored, until the next sync anchors them.
    station.vault.record(station.admin, "probe.after_sync")
    later = check_anchors(station.vault)
    assert later.ok and any(f"audit entry {head} " in n.en and "1 newer entries not yet anchored" in n.en
                            for n in later.notes)
    # What was sent is recorded here (pending, then acknowledged), without audit entries of its own.
    rows = station.vault.transact(lambda s: [(r.chain, r.state) for r in s.scalars(select(AnchorCheckpoint))])
    assert rows and all(st == "acknowledged" for _c, st in rows)
    assert "anchor.refused" not in {e.action for e in station.vault.transact(lambda s: audit.recent(s, 100))}


def test_a_changed_and_rehashed_audit_entry_is_named_and_its_checkpoint_refused_and_kept(station, hub_url, capsys):
    station.sync()
    head = station.audit_head()
    with insider(station.vault, "audit_log") as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 5")
        rehash_audit(conn, 5)
    # The chain verifies on its own: every input of it is in the database (the finding) ...
    assert station.vault.transact(audit.verify).ok
    # ... but not against the hub, which names the entry.
    result = check_anchors(station.vault)
    assert not result.ok
    [(severity, code, message)] = problems(result)
    assert (severity, code) == ("error", "anchor_differs")
    assert message.startswith("Audit entry 5 differs from the hub's checkpoint of 20") and "(UTC+8)" in message
    # The insider syncs the rewritten chain: the hub refuses it (409) and keeps the attempt, flagged.
    station.vault.record(station.admin, "probe.after_tamper")
    refused = station.client.anchor().refused
    assert [c.chain for c in refused] == ["audit"]
    assert f"audit entry {head}, which this checkpoint continues from, differs" in refused[0].refused
    with hub_sessions(hub_url) as session:
        flagged = session.scalars(select(Checkpoint).where(Checkpoint.status == "refused")).all()
        assert [(c.chain, c.from_seq) for c in flagged if c.branch == station.client.credentials().branch_code] \
            == [("audit", head)]
    # Head office sees the attempt from the hub's command line.
    branch = station.client.credentials().branch_code
    assert hub_cli.main(["--database-url", hub_url, "checkpoints", "refused", "--branch", branch]) == 2
    listed = capsys.readouterr().out
    assert f"branch {branch}" in listed and f"audit {head}-" in listed and "differs" in listed
    # Recorded here once (retries do not send the same refused continuation again) ...
    station.client.anchor()
    actions = [e.action for e in station.vault.transact(lambda s: audit.recent(s, 100))]
    assert actions.count("anchor.refused") == 1
    # ... and verify shows the attempt besides the difference.
    codes = {code for _s, code, _t in problems(check_anchors(station.vault))}
    assert codes == {"anchor_differs", "checkpoint_refused"}


def test_deleting_the_last_audit_row_is_named(station):
    station.sync()
    head = station.audit_head()
    with insider(station.vault, "audit_log") as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_log WHERE seq = {head}")
    assert station.vault.transact(audit.verify).ok  # triggers back in place, chain intact: passes alone
    [(severity, code, message)] = problems(check_anchors(station.vault))
    assert (severity, code) == ("error", "anchor_missing")
    assert message.startswith(f"Audit entry {head} was anchored at the hub (") and message.endswith(
        "but is missing here.")
    # Sync cannot continue the anchored history any more, and says so.
    behind = next(c for c in station.client.anchor().chains if c.chain == "audit")
    assert behind.behind and behind.sent == 0 and behind.anchored_to == head


def test_deleting_the_tail_with_the_triggers_recreated_is_named(station):
    station.sync()
    head = station.audit_head()
    with insider(station.vault, "audit_log") as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_log WHERE seq > {head - 4}")
    report = station.vault.transact(audit.verify)
    assert report.ok and report.append_only_enforced
    [(_severity, code, message)] = problems(check_anchors(station.vault))
    assert code == "anchor_missing"
    assert message.startswith(f"Audit entries {head - 3}-{head} were anchored at the hub (")


def test_a_rewritten_records_ledger_is_named(station):
    station.sync()
    with insider(station.vault, "record_ledger") as conn:
        conn.exec_driver_sql("UPDATE record_ledger SET row_sha256 = '" + "e" * 64 + "' WHERE seq = 3")
        rehash_ledger(conn, 3)
    [(_s, code, message)] = problems(check_anchors(station.vault))
    assert code == "anchor_differs" and message.startswith("Records ledger entry 3 differs from the hub's checkpoint")


def test_a_truncated_records_ledger_is_named(station):
    station.sync()
    seq, _ = station.vault.transact(ledger.head)
    with insider(station.vault, "record_ledger") as conn:
        conn.exec_driver_sql(f"DELETE FROM record_ledger WHERE seq >= {seq - 1}")
    [(_s, code, message)] = problems(check_anchors(station.vault))
    assert code == "anchor_missing"
    assert message.startswith(f"Records ledger entries {seq - 1}-{seq} were anchored at the hub (")


def test_a_sales_evidence_head_is_anchored_and_a_rewritten_evidence_chain_is_named(station):
    counter_session = at_recommendation(station.vault)
    choose(counter_session, "DM-WM-F90")
    customer_signs(counter_session)
    done = counter_session.submit(IssueConfirmation()).value
    assert done.status == "completed"
    station.sync()
    anchored = station.vault.transact(lambda s: [r.signoff_id for r in s.scalars(select(AnchorEvidence))])
    assert anchored == [done.signoff_id]
    result = check_anchors(station.vault)
    assert result.ok and any("Evidence records of completed sales anchored at the hub: 1." == n.en
                             for n in result.notes)
    # Re-hash the sale's evidence chain from its second link (the stored figures re-written to match).
    with insider(station.vault, "evidence_links") as conn:
        links = conn.execute(text("SELECT seq, kind, payload, hash FROM evidence_links WHERE signoff_id = :s "
                                  "ORDER BY seq"), {"s": done.signoff_id}).all()
        prev = links[0][3]
        for seq, kind, payload, _h in links[1:]:
            if seq == 2:
                payload = json.dumps({**json.loads(payload), "tampered": True}, sort_keys=True)
            digest = evidence.link_hash(prev, seq, kind, payload)
            conn.execute(text("UPDATE evidence_links SET payload = :p, prev_hash = :v, hash = :h "
                              "WHERE signoff_id = :s AND seq = :q"),
                         {"p": payload, "v": prev, "h": digest, "s": done.signoff_id, "q": seq})
            prev = digest
    found = [(code, message) for _s, code, message in problems(check_anchors(station.vault))
             if code.startswith("evidence")]
    assert len(found) == 1 and found[0][0] == "evidence_differs"
    assert found[0][1].startswith(f"The evidence record of sale {done.document_number} differs from the hub's "
                                  "checkpoint of ")


def test_not_enrolled_or_the_hub_out_of_reach_are_warnings(demo_vault, station):
    sign_in(demo_vault, "admin")
    alone = check_anchors(demo_vault)
    assert alone.ok and [(s, c) for s, c, _t in problems(alone)] == [("warning", "not_enrolled")]
    assert "end-of-day journal" in problems(alone)[0][2]
    station.vault.transact(lambda s: state.put(s, state.HUB_URL, f"http://127.0.0.1:{free_port()}"))
    away = check_anchors(station.vault)
    assert away.ok and [(s, c) for s, c, _t in problems(away)] == [("warning", "hub_unreachable")]
    assert away.name == "anchors" and away.title == check.TITLE


def test_sync_now_anchors_and_a_refused_checkpoint_exits_2(station, capsys, monkeypatch, no_terminal):
    station.close()

    def sync_now() -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORDS['admin']}\n{totp_code('admin')}\n"))
        code = cli.main(["--data-dir", str(station.root), "--lang", "en", "--user", "admin", "--password-stdin",
                         "sync", "now"])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    code, out, _err = sync_now()
    assert code == 0 and "Anchored at the hub: the audit log up to entry " in out
    assert "Anchored at the hub: the records ledger up to entry " in out
    vault = Vault.open(station.root)
    sign_in(vault, "admin")
    with insider(vault, "audit_log") as conn:
        conn.exec_driver_sql("UPDATE audit_log SET action = 'nothing.happened' WHERE seq = 3")
        rehash_audit(conn, 3)
    vault.close()
    code, _out, err = sync_now()
    assert code == 2 and "The hub refused the checkpoint of the audit log" in err
    station.vault = Vault.open(station.root)  # closed again by the fixture
