"""verify-pdf against the branch certificates it knows (issue 11, finding 4): a stranger's re-signature is
refused, a changed file gets one clear sentence, the store's evidence hash is compared when signed in;
and poppler's pdfsig as an independent verifier of the same files."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import replace

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from counterdesk.flow.actions import IssueConfirmation
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation import render_confirmation
from counterdesk.services.confirmation.certstore import branch_signer
from counterdesk.services.confirmation.signing import create_demo_certificate, load_signer, sign_pdf
from counterdesk.services.signoff import document
from helpers.counter import at_recommendation, choose, customer_signs
from helpers.pdfcheck import admin_runner, pdfsig
from test_confirmation_pdf import sample

CHANGED_EN = "The file was changed after signing"
CHANGED_ZH = "文件在签名后被修改过"


@pytest.fixture(scope="module")
def issued(demo_lists_template, tmp_path_factory):
    """A confirmation issued on the DEMO branch through the counter session, once for the module (the
    tests only read and verify): (data dir, pdf path, state, branch signer)."""
    tmp_path = tmp_path_factory.mktemp("issued")
    data_dir = tmp_path / "data"
    shutil.copytree(demo_lists_template, data_dir)
    vault = Vault.open(data_dir)
    try:
        counter_session = at_recommendation(vault)
        choose(counter_session, "DM-WM-F90")
        customer_signs(counter_session)
        state = counter_session.submit(IssueConfirmation()).value
        pdf = tmp_path / "confirmation.pdf"
        pdf.write_bytes(document.confirmation_pdf(vault, counter_session.user, state.signoff_id))
        branch = branch_signer(vault, counter_session.user)
        counter_session.finish()
    finally:
        vault.close()
    return data_dir, pdf, state, branch


@pytest.fixture
def run(capsys, monkeypatch, no_terminal):
    return admin_runner(capsys, monkeypatch)


def _stranger_resigns(pdf_path, state, tmp_path):
    """What an insider without the branch key does: change the confirmation and sign it anew."""
    data = replace(sample(), document_number=state.document_number, evidence_hash=state.evidence_hash,
                   amount=sample().amount * 10)
    # The strongest stranger: a certificate with exactly the branch certificate's subject.
    stranger = load_signer(*create_demo_certificate("演示支行 DEMO Branch DEMO", "CounterDesk DEMO"))
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(sign_pdf(render_confirmation(data, "zh"), stranger))
    return forged, stranger


def _bundle(run, data_dir, tmp_path):
    path = tmp_path / "branch.pem"
    code, out, err = run("cert", "export", path, data_dir=data_dir, user="admin")
    assert code == 0 and err == "", out + err
    return path


def test_a_foreign_re_signature_is_refused(issued, run, tmp_path):
    data_dir, pdf, state, _branch = issued
    forged, stranger = _stranger_resigns(pdf, state, tmp_path)
    fp = stranger.certificate.fingerprint(hashes.SHA256()).hex()

    code, out, err = run("verify-pdf", forged)  # no trust given: refused, not "intact"
    assert code == 2 and err == ""
    assert "Unknown signer" in out and fp in out and "CN=演示支行 DEMO Branch DEMO" in out
    assert "VERIFICATION FAILED" in out and "VERIFIED:" not in out and "intact" not in out

    bundle = _bundle(run, data_dir, tmp_path)
    code, out, err = run("verify-pdf", forged, "--trust", bundle)
    assert code == 2 and err == "" and "The signer is not a trusted branch certificate" in out and fp in out
    code, out, err = run("verify-pdf", forged, data_dir=data_dir, user="auditor")
    assert code == 2 and err == "" and "not a trusted branch certificate" in out

    code, out, err = run("verify-pdf", forged, lang="zh")
    assert code == 2 and "签名人未知" in out and fp in out


def test_the_branch_certificate_is_trusted_from_a_bundle_or_the_store(issued, run, tmp_path):
    data_dir, pdf, state, branch = issued
    bundle = _bundle(run, data_dir, tmp_path)
    code, out, err = run("verify-pdf", pdf, "--trust", bundle)
    assert code == 0 and err == "" and "VERIFIED" in out and branch.fingerprint in out
    assert "[OK] Unchanged since signing" in out and "[OK] Signed by a trusted branch certificate" in out
    # Issued without an authority (none is set on the DEMO branch): said, not hidden, and not failing.
    assert "[WARNING] Trusted timestamp" in out and "No trusted timestamp" in out
    assert "[NOT COMPARED] Evidence record hash" in out and state.evidence_hash in out

    code, out, err = run("verify-pdf", pdf, data_dir=data_dir, user="auditor")
    assert code == 0 and err == "" and "VERIFIED" in out
    assert "It matches the record" in out and "still pending" in out
    code, out, err = run("verify-pdf", pdf, "--cert", tmp_path / "nothing.pem")
    assert code == 1 and "Cannot read the trusted certificate" in err

    other = tmp_path / "other.pem"  # a bundle of somebody else's certificate trusts nobody here
    other.write_bytes(load_signer(*create_demo_certificate("X", "Y")).certificate.public_bytes(Encoding.PEM))
    code, out, _ = run("verify-pdf", pdf, "--trust", other)
    assert code == 2 and "not a trusted branch certificate" in out


@pytest.mark.parametrize("lang,words", [("en", CHANGED_EN), ("zh", CHANGED_ZH)])
def test_a_changed_file_gets_one_clear_message(issued, run, tmp_path, lang, words):
    data_dir, pdf, _state, branch = issued
    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    cert = tmp_path / "branch-cert.pem"
    cert.write_bytes(branch.certificate.public_bytes(Encoding.PEM))
    for options in (["--cert", cert], ["--trust", cert], []):
        code, out, err = run("verify-pdf", changed, *options, lang=lang)
        assert code == 2 and err == "", options
        # Not "INVALID … (the signature itself is intact)": one sentence, nothing that sounds like a pass.
        assert "intact" not in out and "完整" not in out and "trusted" not in out and "受信任" not in out, out
        assert out.count(words) == 1, out
    if lang == "en":  # signed in, the same single sentence
        code, out, err = run("verify-pdf", changed, data_dir=data_dir, user="auditor", lang=lang)
        assert code == 2 and err == "" and out.count(words) == 1
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(pdf.read_bytes() + b"\n1 0 obj\n<< /Injected true >>\nendobj\n%%EOF\n")
    code, out, _ = run("verify-pdf", appended, "--trust", cert, lang=lang)
    assert code == 2 and out.count(words) == 1


def test_signed_in_the_evidence_hash_is_compared_with_the_store(issued, run, tmp_path):
    data_dir, pdf, state, branch = issued
    # An insider who has the branch key re-issues the paper with another evidence hash: the signature
    # and the signer are fine, the sale's record says otherwise.
    insider = tmp_path / "insider.pdf"
    insider.write_bytes(sign_pdf(render_confirmation(replace(
        sample(), document_number=state.document_number, evidence_hash="ab" * 32), "zh"), branch))
    code, out, err = run("verify-pdf", insider, data_dir=data_dir, user="auditor")
    assert code == 2 and err == ""
    assert "[OK] Signed by a trusted branch certificate" in out
    assert f"the PDF has {'ab' * 32}, expected {state.evidence_hash}" in out
    unknown = tmp_path / "unknown.pdf"
    unknown.write_bytes(sign_pdf(render_confirmation(replace(sample(), document_number="DEMO-20990101-00001"),
                                                     "zh"), branch))
    code, out, _ = run("verify-pdf", unknown, data_dir=data_dir, user="auditor")
    assert code == 2 and "This branch issued no document numbered DEMO-20990101-00001" in out
    code, _, err = run("verify-pdf", pdf, data_dir=data_dir, user="teller")  # tellers do not audit
    assert code == 1 and "not allowed" in err


# ---- poppler's pdfsig, an independent verifier ---------------------------------------------------------------
needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="pdfsig (poppler-utils) missing")


@needs_pdfsig
def test_pdfsig_accepts_the_confirmation_and_rejects_a_changed_or_foreign_one(issued, tmp_path):
    _data_dir, pdf, state, branch = issued
    branch_dn = branch.certificate.subject.rfc4514_string()
    good = pdfsig(pdf, "-nocert")
    assert good["Signature Validation"] == "Signature is Valid."
    assert good["_total"] == "yes" and good["Signer full Distinguished Name"] == branch_dn
    assert good["Signature Type"] == "ETSI.CAdES.detached"  # PAdES

    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    assert pdfsig(changed, "-nocert")["Signature Validation"] == "Digest Mismatch."

    forged, stranger = _stranger_resigns(pdf, state, tmp_path)
    foreign = pdfsig(forged)  # with certificate validation: poppler does not trust this issuer…
    assert foreign["Signature Validation"] == "Signature is Valid."
    assert foreign["Certificate Validation"] != "Certificate is Trusted."
    # … the subject is the branch's word for word, but the certificate poppler extracts is not the branch's.
    assert foreign["Signer full Distinguished Name"] == branch_dn
    assert dumped_signer(forged, tmp_path) == stranger.fingerprint != branch.fingerprint
    assert dumped_signer(pdf, tmp_path) == branch.fingerprint


def dumped_signer(path, workdir) -> str:
    """SHA-256 of the signer certificate in the signature that ``pdfsig -dump`` writes out."""
    out = workdir / "dump"
    out.mkdir(exist_ok=True)
    subprocess.run(["pdfsig", "-dump", str(path)], cwd=out, capture_output=True, timeout=60, check=True)
    signed = cms.ContentInfo.load((out / f"{path.name}.sig0").read_bytes())["content"]
    serial = signed["signer_infos"][0]["sid"].chosen["serial_number"].native
    cert = next(c.chosen for c in signed["certificates"] if c.chosen.serial_number == serial)
    return hashlib.sha256(cert.dump()).hexdigest()
