"""The end-of-day journal (日终流水): the PDF (embedded font, signed with the DEMO branch certificate,
audited), its short code and QR payload, and checking history against a printed code: a chain
rewritten or cut short after printing is named; a mistyped code is a typing error, never "tampered"."""
from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from counterdesk.base.branchtime import branch_day
from counterdesk.base.text import CounterDeskError
from counterdesk.cli.admin import build_parser
from counterdesk.services.anchoring import daycode
from counterdesk.services.anchoring.journal import check_printed, print_journal
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation.certstore import install_demo_certificate
from counterdesk.store import audit, ledger
from helpers.demo import sign_in as demo_sign_in
from helpers.insider import insider, rehash_audit

POPPLER = shutil.which("pdffonts") and shutil.which("pdftotext")


def _problems(result) -> list[tuple[str, str, str]]:
    return [(p.field, p.code, p.text.en) for p in result.result.problems]


def test_the_journal_pdf_shows_the_day_and_the_closing_heads_and_is_audited(admin_cli, demo_dir, tmp_path):
    out = tmp_path / "journal.pdf"
    code, text, _err = admin_cli("journal", "--out", str(out))
    assert code == 0, text
    printed = text.split("Check code: ")[1].split()[0]
    assert daycode.parse(printed)  # the printed form parses back
    # This installation has no branch certificate: the paper is the anchor, and the output says so.
    assert "the printed page is the anchor" in text and "verify --checkpoint " + printed in text
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"/ByteRange" not in data
    assert POPPLER, "poppler-utils (pdffonts, pdftotext) are needed"
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded
    page = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "End-of-day journal" in page and "演示支行" in page and "auth.signed_in" in page
    assert all(line in page for line in printed.replace("-R", "-\nR").splitlines())  # one chain per line
    # The print is in the audit log, after the head the code covers.
    code, text, _err = admin_cli("journal", "--out", str(tmp_path / "again.pdf"), lang="zh")
    assert code == 0 and "核对代码" in text
    audit_seq = next(h for h in daycode.parse(printed) if h.chain == "audit").seq
    vault = Vault.open(demo_dir)
    try:
        demo_sign_in(vault, "auditor")
        entries = {e.seq: e for e in vault.transact(lambda s: audit.recent(s, 50))}
        printed_entries = [e for e in entries.values() if e.action == "journal.printed"]
        assert len(printed_entries) == 2 and min(e.seq for e in printed_entries) > audit_seq
    finally:
        vault.close()


def test_a_printed_code_shows_history_rewritten_or_cut_short_after_printing(demo_vault, sign_in):
    admin = sign_in("admin")
    install_demo_certificate(demo_vault, admin)
    printed = print_journal(demo_vault, admin)
    assert printed.signed and b"/ByteRange" in printed.pdf  # signed like the confirmations
    journal = printed.journal
    code, qr = journal.code, journal.qr
    intact = check_printed(demo_vault, code)
    assert intact.ok and _problems(intact) == []
    assert intact.notes[0].en.startswith("The audit log matches the printed journal: history up to "
                                                      "audit entry ")
    assert check_printed(demo_vault, qr).ok  # the QR's payload (full hashes) checks the same way
    audit_seq = next(h.seq for h in journal.heads if h.chain == "audit")
    with insider(demo_vault, "audit_log") as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2")
        rehash_audit(conn, 2)
    assert demo_vault.transact(audit.verify).ok  # the chain alone still verifies
    for form in (code, qr):
        [(chain, problem, message)] = _problems(check_printed(demo_vault, form))
        assert (chain, problem) == ("audit", "printed_differs")
        assert f"audit entry {audit_seq} has another hash; history up to it was rewritten" in message
    ledger_seq = next(h.seq for h in journal.heads if h.chain == "records")
    with insider(demo_vault, "record_ledger") as conn:
        conn.exec_driver_sql(f"DELETE FROM record_ledger WHERE seq > {ledger_seq - 3}")
    found = {p[0]: p for p in _problems(check_printed(demo_vault, code))}
    assert found["records"][1] == "printed_missing"
    assert found["records"][2] == (f"The records ledger ends at entry {ledger_seq - 3} but the printed journal records "
                                   f"it up to records ledger entry {ledger_seq}: records ledger entries "
                                   f"{ledger_seq - 2}-{ledger_seq} were removed (the chain was cut short).")
    assert demo_vault.transact(ledger.head)[0] == ledger_seq - 3


def test_a_mistyped_code_is_a_typing_error_not_tampering(demo_vault, sign_in):
    code = print_journal(demo_vault, sign_in("admin")).journal.code
    groups = code.split("-")
    typo = "-".join([groups[0], groups[1][:2] + ("X" if groups[1][2] != "X" else "Y") + groups[1][3:], *groups[2:]])
    swapped = "-".join([groups[0], groups[1][1] + groups[1][0] + groups[1][2:], *groups[2:]])
    for wrong in (typo, swapped if groups[1][0] != groups[1][1] else typo):
        [(field, problem, message)] = _problems(check_printed(demo_vault, wrong))
        assert (field, problem) == ("checkpoint", "journal_code_mistyped")
        assert "mistyped" in message and "does not mean the data was changed" in message
    # Lower case, spaces, O for 0 and I/L for 1 are what a person types: accepted.
    relaxed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert check_printed(demo_vault, relaxed).ok
    [(_f, problem, _m)] = _problems(check_printed(demo_vault, code.replace("-", "")))
    assert problem == "journal_code_malformed"
    with pytest.raises(daycode.CodeError) as raised:
        daycode.parse(typo)
    assert raised.value.code == "journal_code_mistyped"
    # verify takes the code to check against; a mistyped one is a usage error (exit 1), before anything runs.
    args = build_parser().parse_args(["verify", "--checkpoint", code])
    assert args.checkpoint == code


def test_verify_refuses_a_mistyped_checkpoint_code_as_a_usage_error(admin_cli):
    status, out, err = admin_cli("verify", "--checkpoint", "A9-TXXP-XMCS-DFVQ-QBP0-R7-AN8R-QTZY-CTE2-10FY-00")
    assert status == 1 and out == ""
    assert "mistyped" in err and "does not mean the data was changed" in err


def test_a_journal_for_a_day_to_come_or_before_anything_was_recorded_is_refused(demo_vault, sign_in, admin_cli,
                                                                               tmp_path):
    admin = sign_in("admin")
    today = branch_day(datetime.now(UTC))
    with pytest.raises(CounterDeskError) as raised:
        print_journal(demo_vault, admin, today + timedelta(days=1))
    assert raised.value.code == "journal_future"
    with pytest.raises(CounterDeskError) as raised:
        print_journal(demo_vault, admin, today - timedelta(days=400))
    assert raised.value.code == "journal_empty"
    code, _out, err = admin_cli("journal", "--date", "2026-13-40", "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and "YYYY-MM-DD" in err
    teller_code, _out, err = admin_cli("journal", "--out", str(tmp_path / "t.pdf"), user="teller")
    assert teller_code == 1 and not (tmp_path / "t.pdf").exists()
