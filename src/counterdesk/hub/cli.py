"""counterdesk-hub: run and administer the sync hub.

    counterdesk-hub [--database-url URL] upgrade
    counterdesk-hub serve [--host 127.0.0.1] [--port 8443] [--certfile CERT --keyfile KEY] [--tsa-dir DIR]
                          [--workers N] [--db-pool N] [--db-reserve N] [--read-timeout S]
    counterdesk-hub tsa-init --out DIR [--name NAME] [--force]
    counterdesk-hub tls-demo --out DIR [--host localhost] [--force]
    counterdesk-hub branch add CODE NAME | branch list
    counterdesk-hub branch rekey CODE --confirm CODE   (every workstation of the branch is lost)
    counterdesk-hub enrol-code BRANCH [--hours 24]
    counterdesk-hub device list BRANCH | device revoke DEVICE_ID
    counterdesk-hub headoffice keygen --out FILE | headoffice register --public-key FILE
    counterdesk-hub master publish --kind {catalog,questionnaire,sanctions} --version N --key FILE PAYLOAD_FILE

The database is ``--database-url``, else ``$COUNTERDESK_HUB_DATABASE_URL``, else the demo SQLite file
``./.counterdesk-hub/hub.db``. Exit 0 on success, 1 on any error (with a one-line message).
"""
from __future__ import annotations

import argparse
import base64
import binascii
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from counterdesk.base.arguments import ArgumentParser
from counterdesk.base.atomicfile import write_bytes_atomic
from counterdesk.base.text import CounterDeskError
from counterdesk.hub import serve
from counterdesk.hub.branches import add_branch, get_branch, list_branches
from counterdesk.hub.db import DEFAULT_POOL_SIZE, DEFAULT_URL, make_engine, session_factory
from counterdesk.hub.enrolment import list_devices, new_first_code, revoke_device
from counterdesk.hub.errors import HubError
from counterdesk.hub.master import publish, register_head_office_key
from counterdesk.hub.migrate import SchemaError, current_revision, head_revision, require_head, upgrade
from counterdesk.hub.models import Checkpoint
from counterdesk.hub.rekey import PENDING as REKEY_PENDING
from counterdesk.hub.rekey import rekey_branch
from counterdesk.hub.serve import DEFAULT_READ_TIMEOUT_S, DEFAULT_RESERVE, connection_budget
from counterdesk.hub.tlsdemo import make_demo_certificate
from counterdesk.hub.tsa import create_tsa, load_tsa
from counterdesk.protocol.signing import MASTER_KINDS, public_key_bytes, public_key_fingerprint, sign_master_item

ENV_URL = "COUNTERDESK_HUB_DATABASE_URL"


class CliError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="counterdesk-hub", description="CounterDesk sync hub")
    p.add_argument("--database-url", default=None,
                   help=f"SQLAlchemy URL (default: ${ENV_URL}, else {DEFAULT_URL})")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)

    sub.add_parser("upgrade", help="bring the database schema to the current version").set_defaults(run=cmd_upgrade)

    s = sub.add_parser("serve", help="run the hub's HTTP(S) server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8443)
    s.add_argument("--certfile")
    s.add_argument("--keyfile")
    s.add_argument("--tsa-dir", type=Path, help="serve the RFC 3161 time-stamping authority of `tsa-init` in DIR")
    s.add_argument("--workers", type=_positive, default=1,
                   help="worker processes (PostgreSQL only; about one per core); default 1")
    s.add_argument("--db-pool", type=_positive, default=DEFAULT_POOL_SIZE,
                   help=f"database connections per worker for requests (plus one to LISTEN); default "
                        f"{DEFAULT_POOL_SIZE}")
    s.add_argument("--db-reserve", type=_non_negative, default=DEFAULT_RESERVE,
                   help="PostgreSQL connections to leave for others (admin CLI, migrations, monitoring, other "
                        f"hub hosts); default {DEFAULT_RESERVE}")
    s.add_argument("--read-timeout", type=float, default=DEFAULT_READ_TIMEOUT_S,
                   help="seconds a client has to send a whole request (head and body) before the connection "
                        f"is closed; default {DEFAULT_READ_TIMEOUT_S:g}")
    s.add_argument("--no-access-log", action="store_true", help="do not log every request")
    s.set_defaults(run=cmd_serve)

    ts = sub.add_parser("tsa-init", help="write the time-stamping authority's key and certificate")
    ts.add_argument("--out", required=True, type=Path)
    ts.add_argument("--name", default="CounterDesk head-office TSA", help="the certificate's common name")
    ts.add_argument("--force", action="store_true", help="replace existing files")
    ts.set_defaults(run=cmd_tsa_init)

    t = sub.add_parser("tls-demo", help="write a self-signed DEMO certificate and key")
    t.add_argument("--out", required=True, type=Path)
    t.add_argument("--host", default="localhost")
    t.add_argument("--force", action="store_true", help="replace existing files")
    t.set_defaults(run=cmd_tls_demo)

    b = sub.add_parser("branch", help="branches").add_subparsers(dest="action", required=True,
                                                                 parser_class=ArgumentParser)
    ba = b.add_parser("add")
    ba.add_argument("code")
    ba.add_argument("name")
    ba.set_defaults(run=cmd_branch_add)
    b.add_parser("list").set_defaults(run=cmd_branch_list)
    br = b.add_parser("rekey", help="replace the branch key when every workstation of the branch is lost: revoke "
                                    "its devices, void its codes; its records so far stay sealed "
                                    "(docs/branch-key-replacement.md)")
    br.add_argument("code")
    br.add_argument("--confirm", required=True, metavar="CODE", help="the branch code again")
    br.set_defaults(run=cmd_branch_rekey)

    e = sub.add_parser("enrol-code", help="a one-time enrolment code for a branch's first workstation")
    e.add_argument("branch")
    e.add_argument("--hours", type=float, default=24)
    e.set_defaults(run=cmd_enrol_code)

    d = sub.add_parser("device", help="enrolled devices").add_subparsers(dest="action", required=True,
                                                                          parser_class=ArgumentParser)
    dl = d.add_parser("list")
    dl.add_argument("branch")
    dl.set_defaults(run=cmd_device_list)
    dr = d.add_parser("revoke")
    dr.add_argument("device_id")
    dr.set_defaults(run=cmd_device_revoke)

    c = sub.add_parser("checkpoints", help="the workstations' anchored checkpoints").add_subparsers(
        dest="action", required=True, parser_class=ArgumentParser)
    cr = c.add_parser("refused", help="checkpoints refused because they contradicted anchored history")
    cr.add_argument("--branch", default=None)
    cr.set_defaults(run=cmd_checkpoints_refused)

    h = sub.add_parser("headoffice", help="the head-office signing key").add_subparsers(
        dest="action", required=True, parser_class=ArgumentParser)
    hk = h.add_parser("keygen", help="write a new Ed25519 private key (PEM, mode 0600) and FILE.pub")
    hk.add_argument("--out", required=True, type=Path)
    hk.set_defaults(run=cmd_headoffice_keygen)
    hr = h.add_parser("register", help="register the head-office public key on this hub")
    hr.add_argument("--public-key", required=True, type=Path)
    hr.set_defaults(run=cmd_headoffice_register)

    m = sub.add_parser("master", help="master data").add_subparsers(dest="action", required=True,
                                                                     parser_class=ArgumentParser)
    mp = m.add_parser("publish", help="sign a master-data file with the head-office key and store it")
    mp.add_argument("--kind", required=True, choices=MASTER_KINDS)
    mp.add_argument("--version", required=True, type=int)
    mp.add_argument("--key", required=True, type=Path, help="the head-office private key (PEM)")
    mp.add_argument("payload", type=Path)
    mp.set_defaults(run=cmd_master_publish)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # usage error (1) or --help (0), already printed
        return exc.code if isinstance(exc.code, int) else 1
    args.database_url = args.database_url or os.environ.get(ENV_URL) or DEFAULT_URL
    try:
        return args.run(args) or 0
    except HubError as exc:
        return _fail(exc.detail or exc.code)
    except (CliError, SchemaError, FileExistsError) as exc:
        return _fail(str(exc))
    except CounterDeskError as exc:
        return _fail(exc.message("en"))
    except SQLAlchemyError as exc:
        return _fail(f"database error: {getattr(exc, 'orig', None) or exc}".splitlines()[0])
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))


def _fail(message: str) -> int:
    print(f"counterdesk-hub: error: {message}", file=sys.stderr)
    return 1


@contextmanager
def _session(args, *, write: bool = False) -> Iterator[Session]:
    engine = make_engine(args.database_url)
    try:
        require_head(engine)
        sessions = session_factory(engine)
        with (sessions.begin() if write else sessions()) as session:
            yield session
    finally:
        engine.dispose()


# ---- commands ------------------------------------------------------------------------------------

def cmd_upgrade(args) -> int:
    engine = make_engine(args.database_url)
    try:
        before = current_revision(engine)
        upgrade(engine)
    finally:
        engine.dispose()
    print(f"Hub database at schema revision {head_revision()} (was {before or 'empty'}).")
    return 0


def cmd_serve(args) -> int:
    if bool(args.certfile) != bool(args.keyfile):
        raise CliError("give both --certfile and --keyfile, or neither")
    if not 0 < args.read_timeout <= 300:
        raise CliError("--read-timeout must be more than 0 and at most 300 seconds")
    engine = make_engine(args.database_url)
    try:
        require_head(engine)
        budget = connection_budget(engine, args.workers, args.db_pool, args.db_reserve)
    finally:
        engine.dispose()
    if budget is None and args.workers > 1:
        raise CliError("--workers needs PostgreSQL: the SQLite demo database serves one process")
    if budget is not None:
        # Refused rather than warned: over budget, PostgreSQL turns connections away ("too many
        # clients") only at peak load, as 503s on some requests; at start the fix is one flag away.
        if not budget.fits:
            raise CliError(f"connection budget exceeded: {budget.describe()}. Use fewer --workers or a smaller "
                           "--db-pool, raise max_connections, or put PgBouncer (transaction pooling) in front")
        print(f"counterdesk-hub: connection budget: {budget.describe()}", file=sys.stderr)
    if not args.certfile:
        print("counterdesk-hub: warning: serving without TLS; use --certfile/--keyfile outside a test bench",
              file=sys.stderr)
    if args.tsa_dir:
        try:
            load_tsa(args.tsa_dir)  # checked here once; each worker loads it again
        except (ValueError, TypeError, x509.ExtensionNotFound) as exc:
            raise CliError(f"the time-stamping authority in {args.tsa_dir} cannot be used: {exc}") from None
    started = serve.run(database_url=args.database_url, host=args.host, port=args.port, workers=args.workers,
                        pool_size=args.db_pool, certfile=args.certfile, keyfile=args.keyfile, tsa_dir=args.tsa_dir,
                        read_timeout_s=args.read_timeout, access_log=not args.no_access_log)
    return 0 if started else 1


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def cmd_tls_demo(args) -> int:
    made = make_demo_certificate(args.out, args.host, overwrite=args.force)
    print(f"Certificate: {made.cert_path}")
    print(f"Private key: {made.key_path} (mode 0600)")
    print(f"SHA-256 fingerprint: {made.fingerprint}")
    print(f"Valid until: {made.not_after:%Y-%m-%d}")
    print("This is a self-signed DEMO certificate: give the certificate file to the workstations as the hub's CA.")
    return 0


def cmd_tsa_init(args) -> int:
    made = create_tsa(args.out, args.name, overwrite=args.force)
    print(f"TSA certificate: {made.cert_path}")
    print(f"TSA private key: {made.key_path} (mode 0600)")
    print(f"SHA-256 fingerprint: {made.fingerprint}")
    print(f"Policy: {made.policy}")
    print(f"Valid until: {made.not_after:%Y-%m-%d}")
    print(f"Serve it with: counterdesk-hub serve --tsa-dir {args.out} ...; give the certificate to whoever "
          "checks confirmations (counterdesk-admin verify-pdf --trust).")
    return 0


def cmd_branch_add(args) -> int:
    with _session(args, write=True) as session:
        branch = add_branch(session, args.code, args.name)
    print(f"Branch {branch.code} ({branch.name}) added. Next: counterdesk-hub enrol-code {branch.code}")
    return 0


def cmd_branch_list(args) -> int:
    with _session(args) as session:
        rows = list_branches(session)
    if not rows:
        print("No branches yet.")
    for row in rows:
        print(f"{row.code}\t{row.name}\tdevices: {row.devices}\tbranch key: {row.key_id or '-'}\t"
              f"created {row.created_at:%Y-%m-%d %H:%M}Z")
    return 0


def cmd_branch_rekey(args) -> int:
    if args.confirm != args.code:
        raise CliError("--confirm must repeat the branch code: this revokes every workstation of the branch")
    with _session(args, write=True) as session:
        done = rekey_branch(session, args.code)
    print(f"Branch {done.branch}: branch key {done.retired_key_id} retired at {done.at:%Y-%m-%d %H:%M}Z.")
    print(f"Revoked {len(done.devices_revoked)} device(s); voided {done.codes_voided} unused enrolment code(s).")
    for device_id, name in done.devices_revoked:
        print(f"  revoked {device_id}\t{name}")
    print(f"{done.records_sealed} record(s) up to seq {done.floor_seq} stay at the hub sealed under keys no "
          "workstation holds: their ids, types, times and meta stay readable here, their content does not; "
          f"new workstations never pull them. {done.checkpoints} chain checkpoint(s) of the lost workstations "
          "are kept.")
    print(f"Next: counterdesk-hub enrol-code {done.branch}  (its first new workstation creates the new branch key; "
          "further ones enrol with a code made on it)")
    return 0


def cmd_enrol_code(args) -> int:
    with _session(args, write=True) as session:
        code, expires_at = new_first_code(session, args.branch, args.hours)
        branch_key_id = get_branch(session, args.branch).key_id
    print(f"One-time enrolment code for branch {args.branch}: {code}")
    print(f"Valid until {expires_at:%Y-%m-%d %H:%M}Z; it works once.")
    if branch_key_id == REKEY_PENDING:
        print("This branch's key was replaced: the workstation that enrols with this code creates the new key.")
    elif branch_key_id is not None:
        print("Note: this branch already has a branch key. This code carries no key: it only re-enrols a "
              "workstation that still holds the key. For a new workstation, make the code on an enrolled "
              "workstation of the branch.")
    return 0


def cmd_device_list(args) -> int:
    with _session(args) as session:
        rows = list_devices(session, args.branch)
    if not rows:
        print(f"No devices enrolled in branch {args.branch}.")
    for d in rows:
        state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}Z" if d.revoked_at else "active"
        print(f"{d.id}\t{d.name}\tworkstation {d.workstation_id}\tenrolled {d.enrolled_at:%Y-%m-%d %H:%M}Z\t{state}")
    return 0


def cmd_checkpoints_refused(args) -> int:
    """Head office's view of attempts to anchor a rewritten history (exit 2 when there is any)."""
    with _session(args) as session:
        q = select(Checkpoint).where(Checkpoint.status == "refused").order_by(Checkpoint.id)
        if args.branch:
            q = q.where(Checkpoint.branch == args.branch)
        rows = list(session.scalars(q))
    if not rows:
        print(f"No checkpoint of branch {args.branch} was refused." if args.branch else "No checkpoint was refused.")
        return 0
    for cp in rows:
        print(f"{cp.received_at:%Y-%m-%d %H:%M}Z\tbranch {cp.branch}\tdevice {cp.device_id}\t{cp.chain} "
              f"{cp.from_seq}-{cp.seq}\t{cp.reason or ''}")
    return 2


def cmd_device_revoke(args) -> int:
    with _session(args, write=True) as session:
        device = revoke_device(session, args.device_id)
    print(f"Device {device.id} ({device.name}, branch {device.branch}) is revoked; its requests are refused.")
    return 0


def cmd_headoffice_keygen(args) -> int:
    out: Path = args.out
    pub = out.with_name(out.name + ".pub")
    for path in (out, pub):
        if path.exists():
            raise CliError(f"{path} already exists; not overwriting a key")
    key = Ed25519PrivateKey.generate()
    write_bytes_atomic(out, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()), mode=0o600)
    write_bytes_atomic(pub, key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo), mode=0o644)
    print(f"Head-office private key: {out} (mode 0600; keep it offline)")
    print(f"Public key: {pub}")
    print(f"Public key fingerprint (SHA-256): {public_key_fingerprint(key)}")
    return 0


def cmd_headoffice_register(args) -> int:
    raw = read_public_key(args.public_key)
    with _session(args, write=True) as session:
        row, new = register_head_office_key(session, raw)
    print(("Registered" if new else "Already registered") + f" head-office key, fingerprint {row.fingerprint}")
    print("Workstations pin this key at enrolment; compare the fingerprint they show with this one.")
    return 0


def cmd_master_publish(args) -> int:
    key = read_private_key(args.key)
    payload = args.payload.read_bytes()
    signature = sign_master_item(key, args.kind, args.version, payload)
    with _session(args, write=True) as session:
        item = publish(session, args.kind, args.version, payload, signature)
        seq, digest = item.seq, item.sha256
    print(f"Published {args.kind} version {args.version} ({len(payload)} bytes, SHA-256 {digest}) as item {seq}.")
    return 0


# ---- key files -----------------------------------------------------------------------------------

def read_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise CliError(f"{path} is not an unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise CliError(f"{path} is not an Ed25519 key")
    return key


def read_public_key(path: Path) -> bytes:
    """32 raw bytes from a PEM public key, a PEM private key (its public half) or base64 text."""
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        key: PrivateKeyTypes | PublicKeyTypes
        try:
            if b"PRIVATE KEY" in data:
                key = serialization.load_pem_private_key(data, password=None)
            else:
                key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise CliError(f"{path} is not a readable PEM key ({exc})") from exc
        if not isinstance(key, (Ed25519PrivateKey, Ed25519PublicKey)):
            raise CliError(f"{path} is not an Ed25519 key")
        return public_key_bytes(key)
    try:
        raw = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise CliError(f"{path} holds neither a PEM key nor the base64 of 32 raw public-key bytes")
    return raw


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
