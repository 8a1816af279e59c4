"""counterdesk-admin cert / verify-pdf / confirmations: the branch signing certificate, checking a
signed confirmation PDF, and the confirmations' timestamps (registered by cli.build_parser).

    counterdesk-admin --user admin cert demo                 # self-signed DEMO certificate
    counterdesk-admin --user admin cert import FILE.p12      # asks for the file's password
    counterdesk-admin --user admin cert show
    counterdesk-admin --user admin cert export FILE.pem      # branch + timestamp authority certificates
    counterdesk-admin verify-pdf FILE --trust BUNDLE.pem [--evidence-hash HEX]
    counterdesk-admin --data-dir DIR --user auditor verify-pdf FILE
    counterdesk-admin --user admin confirmations timestamp   # add the timestamps still pending

verify-pdf needs no sign-in: anyone holding a confirmation and the branch's certificates (a PEM
bundle from `cert export`, which the bank hands out) can check it with --trust. Signed in (--user,
audit.verify) it also trusts every certificate the store holds and compares the PDF's evidence hash
with the sale's recorded one; that needs the database key, which is why it is a sign-in and not a
readable file in the data folder (a file there could be swapped without trace). An unknown signer is
refused. Exit 0 when unchanged, signed by a trusted branch certificate (and the evidence hash
matches, when compared), 2 when any of that fails, 1 on an error (file missing, unreadable bundle).
With --password-stdin, cert import reads the sign-in password, then the PKCS#12 password.
Never import PySide6 here.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from counterdesk.base.atomicfile import write_bytes_atomic
from counterdesk.base.branchtime import format_time
from counterdesk.base.checks import CheckResult
from counterdesk.base.roles import require
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.cli import common
from counterdesk.cli.common import signed_in
from counterdesk.services.auth.vault import Vault
from counterdesk.services.confirmation import lookup, timestamps
from counterdesk.services.confirmation.certstore import install_demo_certificate, install_pkcs12, list_certificates
from counterdesk.services.confirmation.signing import P_EVIDENCE, VerifyResult, is_tsa_certificate, verify_pdf

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
V_DOC = Text("文件编号：{n}", "Document number: {n}")
V_AT = Text("签名设备自报的签名时间：{when}", "Signing time reported by the signing workstation: {when}")
V_OK = Text("校验通过：文件未被修改，签名人是受信任的网点证书。",
            "VERIFIED: unchanged since signing, signed by a trusted branch certificate.")
V_BAD = Text("校验失败。", "VERIFICATION FAILED.")
MARKS = {"ok": Text("通过", "OK"), "error": Text("不通过", "FAILED"), "warning": Text("注意", "WARNING"),
         "none": Text("未核对", "NOT COMPARED")}
V_NOT_ISSUED = Text("本网点没有签发过文件编号 {n}。", "This branch issued no document numbered {n}.")
V_NO_NUMBER = Text("PDF 中没有文件编号，无法与记录核对。", "The PDF carries no document number to look up.")
V_PENDING = Text("记录显示该确认书的可信时间戳尚待补加（confirmations timestamp）。",
                 "The record shows this confirmation's trusted timestamp is still pending (confirmations timestamp).")
EXPORTED = Text("已导出 {n} 个证书（网点签名 {b} 个，时间戳机构 {t} 个）：{path}",
                "Exported {n} certificates ({b} branch signing, {t} timestamp authority): {path}")
TS_DONE = Text("已为 {n} 份确认书补加可信时间戳。", "Added a trusted timestamp to {n} confirmations.")
TS_LEFT = Text("仍有 {n} 份确认书等待时间戳：时间戳机构未应答或未设置（confirmation.tsa_url）。",
               "{n} confirmations still wait for a timestamp: the authority did not answer or is not set "
               "(confirmation.tsa_url).")
TS_NONE = Text("没有等待时间戳的确认书。", "No confirmation is waiting for a timestamp.")

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


def cmd_cert_export(ctx, vault: Vault, us, _pw: str) -> int:
    trust = lookup.store_trust(vault, us)
    certs = [*trust.signers, *trust.authorities]
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    path = Path(ctx.args.file)
    write_bytes_atomic(path, pem, mode=0o644)  # public certificates: meant to be handed out
    ctx.say(EXPORTED, n=len(certs), b=len(trust.signers), t=len(trust.authorities), path=path)
    return 0


def cmd_confirmations_timestamp(ctx, vault: Vault, us, _pw: str) -> int:
    done = timestamps.upgrade_pending(vault, us)
    left = timestamps.pending_count(vault)
    if done:
        ctx.say(TS_DONE, n=done)
    if left:
        ctx.say(TS_LEFT, n=left)
        return 1
    if not done:
        ctx.say(TS_NONE)
    return 0


def _load_bundle(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle (or one DER certificate)."""
    try:
        data = path.read_bytes()
        certs = (x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                 else [x509.load_der_x509_certificate(data)])
    except (OSError, ValueError):
        raise CounterDeskError(BAD_TRUST.format(path=path), code="bad_trust") from None
    return certs


def _quiet_libraries() -> None:
    # pyHanko logs expected outcomes (an unknown issuer, soft-fail revocation) as warnings; on the
    # command line the outcome is the report itself. The log file (when set up) still gets them.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).propagate = False


def _say_check(ctx, check: CheckResult, compared: bool = True) -> None:
    mark = "error" if check.errors else "warning" if check.warnings else "ok" if compared else "none"
    ctx.say(Text(f"  [{MARKS[mark].zh}] {check.title.zh}", f"  [{MARKS[mark].en}] {check.title.en}"))
    for problem in check.result.problems:
        print("      " + problem.message(ctx.lang))
    for note in check.notes:
        print("      " + note.get(ctx.lang))


def _verify(ctx, vault: Vault | None, us) -> int:
    a = ctx.args
    _quiet_libraries()
    path = Path(a.file)
    try:
        data = path.read_bytes()
    except OSError:
        raise CounterDeskError(NO_FILE.format(path=path), code="no_file") from None
    given = [c for p in [*(a.trust or []), *([a.cert] if a.cert else [])] for c in _load_bundle(Path(p))]
    signers = [c for c in given if not is_tsa_certificate(c)]
    authorities = [c for c in given if is_tsa_certificate(c)]
    if vault is not None:
        known = lookup.store_trust(vault, us)
        signers += known.signers
        authorities += known.authorities
    res = verify_pdf(data, trust=signers, expected_evidence_hash=a.evidence_hash, tsa_trust=authorities)
    ctx.say(V_FILE, path=path)
    if res.document_number:
        ctx.say(V_DOC, n=res.document_number)
    if res.signed_at and not res.changed:
        ctx.say(V_AT, when=format_time(res.signed_at, ctx.lang, seconds=True))
    if vault is not None and not res.changed:
        _against_store(vault, us, res)
    checks = {c.name: c for c in res.checks()}
    _say_check(ctx, checks["integrity"])
    if not res.changed:
        _say_check(ctx, checks["signer"])
        _say_check(ctx, checks["timestamp"])
        _say_check(ctx, checks["evidence"], compared=res.evidence_checked)
    ctx.say(V_OK if res.ok else V_BAD)
    return 0 if res.ok else 2


def _against_store(vault: Vault, us, res: VerifyResult) -> None:
    """Compare with what the store recorded: the sale's evidence hash (a mismatch or an unknown
    document fails); a timestamp still pending is a warning."""
    res.evidence_checked = True
    if not res.document_number:
        res.add("evidence", V_NO_NUMBER)
        return
    rec = lookup.recorded(vault, us, res.document_number)
    if rec is None:
        res.add("evidence", V_NOT_ISSUED.format(n=res.document_number))
        return
    if rec.evidence_hash and res.evidence_hash != rec.evidence_hash:
        res.add("evidence", P_EVIDENCE.format(found=res.evidence_hash, expected=rec.evidence_hash))
    if rec.timestamp_status == timestamps.PENDING and res.timestamp is None:
        res.warn("timestamp", V_PENDING)


def cmd_verify_pdf(ctx) -> int:
    if ctx.args.user:  # signed in: the store's certificates and records too
        return signed_in(lambda c, vault, us, _pw: _verify(c, vault, us))(ctx)
    return _verify(ctx, None, None)


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
    p = leaf(group, "export", "导出网点签名与时间戳机构证书（PEM）/ export the branch and timestamp authority "
             "certificates (PEM)", signed_in(cmd_cert_export))
    p.add_argument("file", metavar="FILE.pem")
    p = leaf(sub, "verify-pdf", "校验已签名的确认书 PDF（--trust 无需登录；--user 与本网点记录核对）/ check a signed "
             "confirmation PDF (--trust: no sign-in; --user: against this branch's records)", cmd_verify_pdf)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--trust", metavar="BUNDLE.pem", action="append", default=None,
                   help="trusted branch and timestamp authority certificates (PEM bundle; repeatable)")
    p.add_argument("--evidence-hash", metavar="HEX", default=None, help="the expected evidence record SHA-256")
    p.add_argument("--cert", metavar="CERT", default=None, help="one trusted certificate (PEM or DER); as --trust")
    group = sub.add_parser("confirmations", help="确认书 / confirmations").add_subparsers(
        dest="confirmations_command", required=True, metavar="ACTION")
    leaf(group, "timestamp", "为尚无可信时间戳的确认书补加时间戳 / add the trusted timestamps still pending",
         signed_in(cmd_confirmations_timestamp))
