"""Trusted timestamps of the confirmations (issue 11): a real RFC 3161 timestamp from the hub's TSA over
HTTPS at issue (PAdES B-LT); with no authority the confirmation is issued without one and says so on
paper and on screen — never the local clock — and is upgraded with a document timestamp once the
authority answers, the original signature staying valid."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from asn1crypto import tsp as asn1_tsp
from cryptography import x509
from pyhanko.sign.timestamps import TimeStamper
from sqlalchemy import select

from counterdesk.flow.actions import IssueConfirmation
from counterdesk.hub.tsa import create_tsa, load_tsa
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation import render_confirmation, timestamps
from counterdesk.services.confirmation.certstore import branch_certificates
from counterdesk.services.confirmation.signing import create_demo_certificate, load_signer, sign_pdf, verify_pdf
from counterdesk.services.signoff import document
from counterdesk.services.sync import state as sync_state
from counterdesk.store.models.confirmation import ConfirmationTimestamp, TimestampAuthority
from counterdesk.store.models.core import AuditEntry
from counterdesk.store.models.signoff import Signoff
from counterdesk.ui.widgets.confirmation_view import ConfirmationView
from helpers.counter import at_recommendation, choose, customer_signs
from helpers.demo import sign_in
from helpers.pdfcheck import admin_runner, pdfsig
from helpers.tsa import serve_tsa, silent_url
from test_confirmation_pdf import sample

MARK = "未加盖可信时间戳"
KEY = "confirmation.tsa_url"


@pytest.fixture(scope="module")
def tsa_hub(hub_url, tmp_path_factory):
    with serve_tsa(hub_url, tmp_path_factory.mktemp("tsa-hub")) as hub:
        yield hub


@pytest.fixture
def vault(demo_lists_dir, tsa_hub):
    v = Vault.open(demo_lists_dir)
    sign_in(v, "admin")  # the database opens with a sign-in
    # As enrolment leaves it: the hub's address and the CA its TLS certificate is pinned to.
    v.transact(lambda db: (sync_state.put(db, sync_state.HUB_URL, tsa_hub.url),
                           sync_state.put(db, sync_state.HUB_CA_PEM, tsa_hub.ca.read_text())))
    yield v
    v.close()


@pytest.fixture
def run(capsys, monkeypatch, no_terminal):
    return admin_runner(capsys, monkeypatch)


def set_authority(vault, url: str) -> None:
    vault.set_setting(sign_in(vault, "admin"), KEY, url)


def issue(vault):
    counter_session = at_recommendation(vault)
    choose(counter_session, "DM-WM-F90")
    customer_signs(counter_session)
    state = counter_session.submit(IssueConfirmation()).value
    pdf = document.confirmation_pdf(vault, counter_session.user, state.signoff_id)
    counter_session.finish()
    return state, pdf


def text_of(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8").replace(" ", "")


def tsa_cert(hub) -> x509.Certificate:
    return x509.load_pem_x509_certificate(hub.tsa_cert.read_bytes())


def actions(vault) -> list[str]:
    return vault.transact(lambda db: [a for (a,) in db.execute(select(AuditEntry.action).order_by(AuditEntry.seq))])


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfsig") is None,
                                   reason="poppler-utils missing")


@needs_poppler
def test_issued_with_a_timestamp_from_the_hubs_authority(vault, tsa_hub, tmp_path):
    set_authority(vault, tsa_hub.tsa_url)
    state, pdf = issue(vault)
    res = verify_pdf(pdf, trust=branch_certificates(vault), tsa_trust=[tsa_cert(tsa_hub)],
                     expected_evidence_hash=state.evidence_hash)
    assert res.ok and res.timestamp is not None and not res.timestamp.document_timestamp
    assert res.timestamp.trusted and "CounterDesk head-office TSA" in res.timestamp.authority
    assert not res.lta_updates  # B-LT in one revision: the signature still covers the whole file
    assert MARK not in text_of(pdf)
    assert timestamps.status_of(vault, state.signoff_id) is None  # nothing pending
    pinned = vault.transact(lambda db: [r.sha256_fingerprint for r in db.scalars(select(TimestampAuthority))])
    assert pinned == [res.timestamp.fingerprint] and "timestamp.authority_pinned" in actions(vault)
    # The certificates for long-term validation are in the document security store.
    assert b"/DSS" in pdf and b"/Certs" in pdf
    poppler = pdfsig_of(pdf, tmp_path)
    assert poppler["Signature Validation"] == "Signature is Valid." and poppler["_total"] == "yes"


def pdfsig_of(pdf: bytes, tmp_path) -> dict[str, str]:
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    return pdfsig(path, "-nocert")


@needs_poppler
def test_without_an_authority_the_paper_says_so_and_the_timestamp_follows(vault, tsa_hub, tmp_path, run,
                                                                          demo_lists_dir):
    set_authority(vault, silent_url())  # nothing listens there
    state, original = issue(vault)
    assert MARK in text_of(original) and "notrustedtimestampyet" in text_of(original)
    res = verify_pdf(original, trust=branch_certificates(vault), tsa_trust=[])
    assert res.ok and res.timestamp is None  # signed, unchanged, and no time from the local clock passed off
    assert timestamps.status_of(vault, state.signoff_id) == timestamps.PENDING
    assert "confirmation.timestamp_pending" in actions(vault)

    # Still nobody answers: the row stays, the try is counted, the command says so.
    code, out, _ = run("confirmations", "timestamp", data_dir=demo_lists_dir, user="admin")
    assert code == 1 and "1 confirmations still wait for a timestamp" in out
    row = vault.transact(lambda db: db.get(ConfirmationTimestamp, state.signoff_id))
    assert row.status == timestamps.PENDING and row.attempts == 1 and row.last_error == "tsa_unavailable"

    set_authority(vault, tsa_hub.tsa_url)
    assert timestamps.upgrade_pending(vault) == 1  # what the sync loop calls
    code, out, err = run("confirmations", "timestamp", data_dir=demo_lists_dir, user="admin")
    assert code == 0 and err == "" and "No confirmation is waiting" in out  # done once
    upgraded = document.confirmation_pdf(vault, sign_in(vault, "teller"), state.signoff_id)
    assert upgraded != original and upgraded.startswith(original)  # the signed original, byte for byte
    stored = vault.transact(lambda db: db.get(Signoff, state.signoff_id).pdf)
    assert stored == original  # signoffs.pdf and the evidence chain's pdf_sha256 stay as issued
    res = verify_pdf(upgraded, trust=branch_certificates(vault), tsa_trust=[tsa_cert(tsa_hub)],
                     expected_evidence_hash=state.evidence_hash)
    assert res.ok and res.lta_updates and res.timestamp.document_timestamp and res.timestamp.trusted
    assert timestamps.status_of(vault, state.signoff_id) == timestamps.STAMPED
    assert "confirmation.timestamp_added" in actions(vault)
    assert pdfsig_of(upgraded, tmp_path)["Signature Validation"] == "Signature is Valid."  # poppler agrees
    assert not verify_pdf(upgraded + b"1 0 obj\n<<>>\nendobj\n%%EOF\n").ok  # nothing else may follow

    path = tmp_path / "upgraded.pdf"
    path.write_bytes(upgraded)
    code, out, err = run("verify-pdf", path, data_dir=demo_lists_dir, user="auditor")
    assert code == 0 and err == "" and "[OK] Trusted timestamp" in out and "added after issue" in out
    assert "It matches the record" in out and "still pending" not in out


def test_the_confirmation_view_says_whether_a_timestamp_is_there(qtbot, tmp_path):
    create_tsa(tmp_path)
    authority = load_tsa(tmp_path)

    class InProcess(TimeStamper):  # the hub's TSA code answering in this process
        async def async_request_tsa_response(self, req):
            return asn1_tsp.TimeStampResp.load(authority.respond(req.dump()))

    signer = load_signer(*create_demo_certificate("X", "Y"))
    marked = sign_pdf(render_confirmation(sample(), "en", no_timestamp=True), signer)
    stamped = sign_pdf(render_confirmation(sample(), "en"), signer, timestamper=InProcess(),
                       tsa_certificates=[authority.certificate])
    view = ConfirmationView()
    qtbot.addWidget(view)
    view.show()
    assert view.set_pdf(marked)
    qtbot.waitUntil(lambda: view.timestamp_label.isVisible())
    assert view.timestamp_label.text().startswith("No trusted timestamp yet")
    assert view.set_pdf(stamped)
    assert view.timestamp_label.text().startswith("Trusted timestamp: ")
    assert "CounterDesk head-office TSA" in view.timestamp_label.text() and "(UTC+8)" in view.timestamp_label.text()
    view.clear()
    assert not view.timestamp_label.isVisible()
