"""counterdesk-admin cert / verify-pdf: the branch signing certificate and checking a signed
confirmation PDF (registered by cli.build_parser).

    counterdesk-admin --user admin cert demo                 # self-signed DEMO certificate
    counterdesk-admin --user admin cert import FILE.p12      # asks for the file's password
    counterdesk-admin --user admin cert show
    counterdesk-admin verify-pdf FILE [--evidence-hash HEX] [--cert CERT.pem]

verify-pdf needs no sign-in: anyone holding a confirmation can check it. Exit 0 when the signature is
intact and covers the whole file (and the evidence hash matches, when given), 2 when the file was
changed, is unsigned or does not match, 1 on an error (file missing, unreadable certificate).
With --password-stdin, cert import reads the sign-in password, then the PKCS#12 password.
Never import PySide6 here.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cryptography import x509

from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.cli import common
from counterdesk.cli.common import signed_in
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation.certstore import install_demo_certificate, install_pkcs12, list_certificates
from counterdesk.services.confirmation.signing import verify_pdf

P_P12 = Text("证书文件（PKCS#12）的密码", "Password of the certificate file (PKCS#12)")
INSTALLED = Text("已启用网点签名证书：{subject}", "Branch signing certificate activated: {subject}")
DEMO_NOTE = Text("这是自签名演示证书，仅供培训使用。", "This is a self-signed DEMO certificate, for training only.")
FINGERPRINT = Text("SHA-256 指纹：{fp}", "SHA-256 fingerprint: {fp}")
NOT_AFTER = Text("有效期至：{date}", "Valid until: {date}")
HEAD_CERTS = (Text("编号", "id"), Text("主题", "subject"), Text("有效期至", "valid until"),
              Text("SHA-256 指纹", "SHA-256 fingerprint"), Text("启用", "active"), Text("创建时间", "created at"))
NO_CERTS = Text("尚未设置网点签名证书。", "No branch signing certificate is set up.")
NO_FILE = Text("无法读取文件：{path}", "Cannot read the file: {path}")
BAD_TRUST = Text("无法读取受信任证书：{path}", "Cannot read the trusted certificate: {path}")
V_FILE = Text("文件：{path}", "File: {path}")
V_INTACT = Text("签名完整：文件自签名后未被修改。",
                "Signature intact: the file has not been changed since it was signed.")
V_BAD = Text("校验失败：", "VERIFICATION FAILED:")
V_BY = Text("签名人：{who}", "Signed by: {who}")
V_AT = Text("签名时间：{when}", "Signed at: {when}")
V_DOC = Text("文件编号：{n}", "Document number: {n}")
V_EVIDENCE = Text("证据记录 SHA-256：{h}", "Evidence record SHA-256: {h}")
V_TRUSTED = Text("签名证书受信任。", "The signing certificate is trusted.")


def cmd_cert_demo(ctx, vault: Vault, us, _pw: str) -> int:
    info = install_demo_certificate(vault, us)
    _say_installed(ctx, info)
    ctx.say(DEMO_NOTE)
    return 0


def cmd_cert_import(ctx, vault: Vault, us, _pw: str) -> int:
    require(us.role, "settings.manage")  # before asking for a password that would be refused anyway
    path = Path(ctx.args.file)
    if not path.is_file():
        raise CounterDeskError(NO_FILE.format(path=path), code="no_file")
    info = install_pkcs12(vault, us, path, ctx.secrets.secret(P_P12))
    _say_installed(ctx, info)
    if info.demo:
        ctx.say(DEMO_NOTE)
    return 0


def _say_installed(ctx, info) -> None:
    ctx.say(INSTALLED, subject=info.subject)
    ctx.say(FINGERPRINT, fp=info.fingerprint)
    ctx.say(NOT_AFTER, date=info.not_after[:10])


def cmd_cert_show(ctx, vault: Vault, us, _pw: str) -> int:
    rows = list_certificates(vault, us)
    if not rows:
        ctx.say(NO_CERTS)
        return 0
    yn = {True: ctx.t(common.YES), False: ctx.t(common.NO)}
    common.table(ctx, HEAD_CERTS, [[str(r.id), r.subject, r.not_after[:10], r.fingerprint, yn[r.active],
                                  r.created_at[:16].replace("T", " ")] for r in rows])
    return 0


def _load_trust(path: Path):
    try:
        data = path.read_bytes()
        return [x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)]
    except (OSError, ValueError):
        raise CounterDeskError(BAD_TRUST.format(path=path), code="bad_trust") from None


def cmd_verify_pdf(ctx) -> int:
    a = ctx.args
    path = Path(a.file)
    try:
        data = path.read_bytes()
    except OSError:
        raise CounterDeskError(NO_FILE.format(path=path), code="no_file") from None
    trust = _load_trust(Path(a.cert)) if a.cert else None
    res = verify_pdf(data, trust=trust, expected_evidence_hash=a.evidence_hash)
    ctx.say(V_FILE, path=path)
    if res.signed_by:
        ctx.say(V_BY, who=res.signed_by)
        ctx.say(FINGERPRINT, fp=res.fingerprint)
    if res.signed_at:
        ctx.say(V_AT, when=res.signed_at.isoformat(timespec="seconds"))
    if res.document_number:
        ctx.say(V_DOC, n=res.document_number)
    if res.evidence_hash:
        ctx.say(V_EVIDENCE, h=res.evidence_hash)
    if res.trusted:
        ctx.say(V_TRUSTED)
    if res.ok:
        ctx.say(V_INTACT)
        return 0
    ctx.say(V_BAD)
    for p in res.problems:
        print("  " + p.get(ctx.lang))
    return 2


def add_commands(sub, leaf: Callable) -> None:
    """Add `cert` and `verify-pdf` to the top-level subparsers (``leaf`` is cli.build_parser's helper)."""
    group = sub.add_parser("cert", help="网点签名证书 / branch signing certificate").add_subparsers(
        dest="cert_command", required=True, metavar="ACTION")
    leaf(group, "demo", "创建并启用自签名演示证书 / create and activate a self-signed DEMO certificate",
         signed_in(cmd_cert_demo))
    p = leaf(group, "import", "导入 PKCS#12 证书文件并启用 / import and activate a PKCS#12 file",
             signed_in(cmd_cert_import))
    p.add_argument("file", metavar="FILE.p12")
    leaf(group, "show", "显示网点签名证书 / show the branch certificates", signed_in(cmd_cert_show))
    p = leaf(sub, "verify-pdf", "校验已签名的确认书 PDF（无需登录）/ check a signed confirmation PDF (no sign-in)",
             cmd_verify_pdf)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--evidence-hash", metavar="HEX", default=None, help="the expected evidence record SHA-256")
    p.add_argument("--cert", metavar="CERT", default=None,
                   help="trusted certificate (PEM or DER) to check the signer against")
