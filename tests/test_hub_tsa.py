"""The hub's RFC 3161 time-stamping authority (hub/tsa.py): tokens a standard validator accepts,
refusals as TimeStampResp statuses, the HTTP contract and OpenAPI (the real server over TLS, stamping
issued confirmations: test_timestamps.py)."""
from __future__ import annotations

import asyncio
import hashlib
import os
import stat

import pytest
from asn1crypto import algos, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign.timestamps.common_utils import handle_tsp_response
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from counterdesk.hub import cli, tsa
from counterdesk.services.confirmation.signing import asn1_cert, is_tsa_certificate
from counterdesk.services.confirmation.timestamps import reply_status
from helpers.hub import Hub


def query(digest: bytes = b"\x11" * 32, algorithm: str = "sha256", nonce: int | None = 1234567,
          cert_req: bool = True, **extra) -> bytes:
    req = {"version": "v1", "message_imprint": tsp.MessageImprint(
        {"hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}), "hashed_message": digest}),
        "cert_req": cert_req, **extra}
    if nonce is not None:
        req["nonce"] = nonce
    return tsp.TimeStampReq(req).dump()


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    out = tmp_path_factory.mktemp("tsa")
    made = tsa.create_tsa(out)
    assert stat.S_IMODE(os.stat(made.key_path).st_mode) == 0o600
    return tsa.load_tsa(out)


@pytest.fixture(scope="module")
def tsa_app(hub_url, authority):
    with Hub.started(hub_url) as hub:
        tsa.configure(hub.app, authority)
        yield hub


def post(hub, body: bytes, content_type: str = tsa.QUERY_TYPE):
    return hub.request("POST", "/v1/tsa", content=body, headers={"content-type": content_type})


def test_a_token_is_granted_for_the_hash_with_nonce_and_certificate(tsa_app, authority):
    digest = hashlib.sha256(b"a signature value").digest()
    res = post(tsa_app, query(digest))
    assert res.status_code == 200 and res.headers["content-type"] == tsa.REPLY_TYPE
    token = handle_tsp_response(tsp.TimeStampResp.load(res.content), 1234567)  # pyHanko's own client check
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert info["policy"].dotted == authority.policy and info["accuracy"]["seconds"].native == 1
    certs = token["content"]["certificates"]
    assert [c.chosen.sha256 for c in certs] == [asn1_cert(authority.certificate).sha256]
    # A standard validator accepts the signed token and trusts it through the TSA certificate.
    vc = ValidationContext(trust_roots=[asn1_cert(authority.certificate)], allow_fetching=False,
                           revocation_mode="soft-fail")
    status = _run(validate_tst_signed_data(token["content"], vc, lambda _algorithm: digest))
    assert status["intact"] and status["valid"] and status["trust_problem_indic"] is None
    forged = _run(validate_tst_signed_data(token["content"], vc, lambda _algorithm: b"\x22" * 32))
    assert not forged["intact"]  # the token is bound to the hash it was asked for
    # Two requests, two serial numbers.
    again = handle_tsp_response(tsp.TimeStampResp.load(post(tsa_app, query(digest)).content), 1234567)
    assert again["content"]["encap_content_info"]["content"].parsed["serial_number"].native != \
        info["serial_number"].native


def _run(coro):
    return asyncio.run(coro)


def test_the_certificate_only_when_asked(tsa_app):
    token = tsp.TimeStampResp.load(post(tsa_app, query(cert_req=False, nonce=None)).content)["time_stamp_token"]
    assert token["content"]["certificates"].native is None


@pytest.mark.parametrize("body,fail", [
    (b"not DER at all", "bad_data_format"),
    (query(b"\x00" * 20, "sha1"), "bad_alg"),
    (query(b"\x00" * 31), "bad_alg"),  # a SHA-256 imprint of the wrong length
    (query(req_policy="1.2.3.4"), "unaccepted_policy"),
])
def test_a_bad_request_is_refused_as_a_timestamp_reply(tsa_app, body, fail):
    res = post(tsa_app, body)
    assert res.status_code == 200 and res.headers["content-type"] == tsa.REPLY_TYPE
    status = reply_status(res.content)
    assert status["status"].native == "rejection" and status["fail_info"].native == {fail}
    assert status["status_string"].native


def test_http_contract_and_openapi(tsa_app, hub_url):
    assert post(tsa_app, query(), "application/json").json()["error"] == "unsupported_media_type"
    assert post(tsa_app, b"\x30" * 5000).json()["error"] == "too_large"
    spec = tsa_app.request("GET", "/openapi.json").json()
    op = spec["paths"]["/v1/tsa"]["post"]
    assert tsa.QUERY_TYPE in op["requestBody"]["content"]
    assert tsa.REPLY_TYPE in op["responses"]["200"]["content"] and {"415", "503"} <= set(op["responses"])
    with Hub.started(hub_url) as bare:  # a hub without a TSA key says so; it never stamps with nothing
        res = post(bare, query())
        assert res.status_code == 503 and res.json()["error"] == "tsa_unavailable"


def test_tsa_init_writes_a_time_stamping_certificate(tmp_path, capsys):
    assert cli.main(["tsa-init", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    cert = x509.load_pem_x509_certificate((tmp_path / tsa.CERT_FILE).read_bytes())
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and is_tsa_certificate(cert) and cert.fingerprint(hashes.SHA256()).hex() in out
    assert cli.main(["tsa-init", "--out", str(tmp_path)]) == 1  # never overwrites a key by accident
    assert "already exists" in capsys.readouterr().err
    # serve refuses a key that is not the certificate's
    other = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / tsa.KEY_FILE).write_bytes(other.private_bytes(serialization.Encoding.PEM,
                                                              serialization.PrivateFormat.PKCS8,
                                                              serialization.NoEncryption()))
    with pytest.raises(ValueError):
        tsa.load_tsa(tmp_path)
