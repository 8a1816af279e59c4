"""counterdesk-admin cert demo/import/show and verify-pdf: exit codes and bilingual messages."""
from __future__ import annotations

import io
import sys

import pytest

from counterdesk.cli import admin as cli
from counterdesk.services.confirmation import render_confirmation
from counterdesk.services.confirmation.certstore import branch_signer
from counterdesk.services.confirmation.signing import create_demo_certificate, sign_pdf
from helpers.demo import sign_in_lines
from test_confirmation_pdf import EVIDENCE, sample


def _verify(capsys, *argv):
    capsys.readouterr()
    code = cli.main(["--lang", "en", "verify-pdf", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_cert_demo_show_and_verify_pdf(admin_cli, demo_dir, capsys, tmp_path, sign_in, demo_vault):
    code, out, _ = admin_cli("cert", "show")
    assert code == 0 and "No branch signing certificate" in out
    code, out, _ = admin_cli("cert", "demo")
    assert code == 0 and "DEMO" in out and "SHA-256 fingerprint" in out
    code, out, _ = admin_cli("cert", "show")
    assert code == 0 and "DEMO" in out

    us = sign_in("teller")  # any signed-in user can sign with the branch certificate
    signer = branch_signer(demo_vault, us)
    assert "DEMO" in signer.subject and signer.fingerprint in out
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(sign_pdf(render_confirmation(sample(), "zh"), signer))

    bundle = tmp_path / "branch.pem"
    code, out, _ = admin_cli("cert", "export", str(bundle))
    assert code == 0 and "1 branch signing" in out
    code, out, _ = _verify(capsys, pdf, "--evidence-hash", EVIDENCE, "--trust", bundle)
    assert code == 0 and "VERIFIED" in out and EVIDENCE in out
    code, out, _ = _verify(capsys, pdf, "--evidence-hash", "00" * 32, "--trust", bundle)
    assert code == 2 and "evidence record hash differs" in out

    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    code, out, _ = _verify(capsys, bad)
    assert code == 2 and "VERIFICATION FAILED" in out

    code, _, err = _verify(capsys, tmp_path / "missing.pdf")
    assert code == 1 and "Cannot read the file" in err


def test_cert_import_and_refusals(admin_cli, demo_dir, capsys, monkeypatch, tmp_path):
    p12, password = create_demo_certificate("Imported DEMO", "Test")
    path = tmp_path / "branch.p12"
    path.write_bytes(p12)

    def run(user, *lines):
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in (*sign_in_lines(user), *lines))))
        code = cli.main(["--data-dir", str(demo_dir), "--lang", "en", "--user", user, "--password-stdin",
                         "cert", "import", str(path)])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    code, _, err = run("admin", "wrong")
    assert code == 1 and "damaged or the password is wrong" in err
    code, out, _ = run("admin", password)
    assert code == 0 and "Imported DEMO" in out
    code, _, err = run("teller", password)
    assert code == 1 and "not allowed" in err
    code, out, _ = admin_cli("cert", "show")
    assert out.count("Imported DEMO") == 1


@pytest.mark.parametrize("lang,word", [("zh", "校验通过"), ("en", "VERIFIED")])
def test_verify_pdf_needs_no_sign_in(capsys, tmp_path, lang, word, no_terminal):
    from cryptography.hazmat.primitives.serialization import Encoding

    from counterdesk.services.confirmation.signing import load_signer
    signer = load_signer(*create_demo_certificate("X", "Y"))
    pdf, cert = tmp_path / "c.pdf", tmp_path / "x.pem"
    pdf.write_bytes(sign_pdf(render_confirmation(sample(), lang), signer))
    cert.write_bytes(signer.certificate.public_bytes(Encoding.PEM))
    capsys.readouterr()
    code = cli.main(["--lang", lang, "--data-dir", str(tmp_path / "nowhere"), "verify-pdf", str(pdf),
                     "--trust", str(cert)])
    out, err = capsys.readouterr()
    assert code == 0 and word in out and "Traceback" not in out + err
