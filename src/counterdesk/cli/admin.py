"""counterdesk-admin: the branch administrator's command line (set-up, users, settings, verify, recovery).

It drives the same Qt-free core as the GUI (Vault, accounts, settings), so every permission check,
validation and audit entry is the one the GUI gets. Never import PySide6 here.

Secrets are read without echo from the terminal. With --password-stdin they are read one per line
from standard input instead, in this order: the signing-in user's password, then the new password
(users add / passwd / enable); for init the admin password; for recover the recovery key, then the
new password. For automation only, COUNTERDESK_PASSWORD may hold the sign-in password (anyone who
can read the process environment can read it; prefer --password-stdin).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable

from counterdesk.base.actors import normalise_username
from counterdesk.base.arguments import ArgumentParser
from counterdesk.base.paths import DataDir, default_data_dir
from counterdesk.base.roles import Role, can, require
from counterdesk.base.settings import declared
from counterdesk.base.text import CounterDeskError, Result, Text, ValidationFailed
from counterdesk.cli.aml import add_commands as add_aml_commands
from counterdesk.cli.catalog import add_commands as add_catalog_commands
from counterdesk.cli.common import (
    ENROL_INTRO,
    ENROL_KEY,
    ENROL_URI,
    ERROR,
    EXIT_BROKEN,
    EXIT_CANCELLED,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_UNEXPECTED,
    NO,
    P_FIRST_CODE,
    YES,
    Ctx,
    fmt,
    need_user,
    open_vault,
    print_error,
    print_recovery_codes,
    print_recovery_key,
    refuse_existing,
    signed_in,
    table,
)
from counterdesk.cli.confirmation import add_commands as add_confirmation_commands
from counterdesk.cli.data_rights import add_commands as add_data_rights_commands
from counterdesk.cli.journal import add_commands as add_journal_commands
from counterdesk.cli.journal import checkpoint_code
from counterdesk.cli.sanctions import add_commands as add_sanctions_commands
from counterdesk.cli.sync import add_commands as add_sync_commands
from counterdesk.services import accounts, verification
from counterdesk.services.auth import mfa
from counterdesk.services.auth.totp import grouped
from counterdesk.services.auth.vault import DEMO_TOTP_SECRET, DEMO_USERS, NewUser, Vault
from counterdesk.services.demo import create_demo

log = logging.getLogger("counterdesk.cli.admin")

ROLES = [r.value for r in Role]

# ---- messages (both languages; --lang picks one) -------------------------------------------------
NO_SUCH_USER = Text("没有这个用户：{user}", "No such user: {user}")
CANCELLED = Text("已取消。", "Cancelled.")
UNEXPECTED = Text("意外错误（{kind}），操作未完成。{where}",
                  "Unexpected error ({kind}); the command did not finish. {where}")
SEE_LOG = Text("详情见日志：{path}", "Details are in the log: {path}")
P_ADMIN = Text("管理员 {user} 的密码", "Password for administrator {user}")
P_TEMP = Text("{user} 的临时密码（首次登录须修改）", "Temporary password for {user} (must be changed at first sign-in)")
P_NEW = Text("新密码", "New password")
P_RECOVERY = Text("恢复密钥", "Recovery key")
INIT_DONE = Text("已创建网点 {code} 的安装：{path}", "Created the installation of branch {code} in {path}")
DEMO_DONE = Text("已创建演示安装（仅供培训，请勿录入真实客户数据）：{path}",
                 "Created the DEMO installation (training only, never enter real customer data): {path}")
RECOVERY_OLD_VOID = Text("原恢复密钥已作废。", "The old recovery key no longer works.")
RECOVERED = Text("已为 {user} 设置新密码。", "A new password is set for {user}.")
HEAD_USERS = (Text("用户名", "username"), Text("姓名", "display name"), Text("角色", "role"),
              Text("启用", "active"), Text("须改密", "must change"), Text("锁定", "locked"))
HEAD_DEMO = (Text("用户名", "username"), Text("密码", "password"), Text("角色", "role"))
HEAD_SETTINGS = (Text("设置项", "key"), Text("当前值", "value"), Text("默认值", "default"), Text("说明", "description"))
USER_ADDED = Text("已创建用户 {user}（{role}）。", "Created user {user} ({role}).")
MUST_CHANGE_NOTE = Text("该用户首次登录时须修改密码。", "The user must change this password at the next sign-in.")
OWN_CHANGED = Text("你的密码已修改。", "Your password has been changed.")
RESET_DONE = Text("已重置 {user} 的密码。", "The password of {user} has been reset.")
IS_DISABLED = Text("用户 {user} 已停用，请使用 users enable 重新启用并设置临时密码。",
                   "{user} is disabled; use users enable to re-enable them with a temporary password.")
ALREADY_ACTIVE = Text("用户 {user} 已是启用状态，未做更改。", "{user} is already active; nothing changed.")
ROLE_DONE = Text("{user} 的角色已改为 {role}。", "The role of {user} is now {role}.")
DISABLED_DONE = Text("已停用 {user}，其密码不再能解锁数据库。",
                     "Disabled {user}; their password no longer opens the database.")
ENABLED_DONE = Text("已重新启用 {user}。", "Re-enabled {user}.")
UNLOCKED_DONE = Text("已解除 {user} 的登录锁定。", "Lifted the sign-in lock of {user}.")
VERIFY_OK = Text("校验通过。全部 {n} 项检查正常。", "Verification passed. All {n} checks are ok.")
VERIFY_OK_WARNED = Text("校验通过。全部 {n} 项检查正常，有 {w} 条提示（见上）。",
                        "Verification passed. All {n} checks are ok; warnings above: {w}.")
VERIFY_BAD = Text("校验失败：{failed} 项检查（共 {n} 项）发现问题（{names}），记录可能被篡改或已损坏。",
                  "VERIFICATION FAILED: {failed} of {n} checks found problems ({names}); the records may have "
                  "been tampered with or damaged.")
SETTING_UNKNOWN = Text("没有这个设置项。", "No such setting.")
SETTING_PARSE = Text("无法识别取值“{raw}”（应为 {type}）。", "Cannot read the value '{raw}' (expected {type}).")
SETTING_DONE = Text("{key}：{old} → {new}", "{key}: {old} -> {new}")
DEMO_TOTP = Text("演示主管和管理员的第二因素密钥（添加到身份验证器应用）：{key}",
                 "Second-factor key of the demo supervisor and administrator (add it to an authenticator app): {key}")
MFA_RESET_DONE = Text("已重置 {user} 的第二因素；其下次登录时须重新设置。",
                      "Reset the second factor of {user}; they set up a new one at their next sign-in.")
MFA_RESET_NONE = Text("{user} 没有第二因素，未做更改（已记录）。",
                      "{user} had no second factor; nothing changed (recorded).")
MFA_STATUS = Text("第二因素：{state}；登录须第二因素：{required}；未用恢复码：{left}",
                  "Second factor: {state}; required to sign in: {required}; unused recovery codes: {left}")
MFA_ON, MFA_OFF = Text("已设置", "set up"), Text("未设置", "not set up")
MFA_ENROLLED = Text("已设置第二因素。", "The second factor is set up.")


# ---- commands ---------------------------------------------------------------------------------------
def cmd_init(ctx: Ctx) -> int:
    a = ctx.args
    refuse_existing(ctx)
    password = ctx.secrets.new_password(P_ADMIN.format(user=a.admin))
    admin = NewUser(a.admin, a.admin_name or a.admin, Role.ADMIN, password)
    vault, recovery = Vault.initialise(ctx.data_dir, a.branch_code, a.branch_name, admin)
    ctx.start_logging()
    log.info("installation created", extra={"event": "install.created"})
    ctx.say(INIT_DONE, code=vault.info.branch_code, path=ctx.data_dir)
    print_recovery_key(ctx, recovery)
    return EXIT_OK


def cmd_demo(ctx: Ctx) -> int:
    refuse_existing(ctx)
    _, recovery = create_demo(ctx.data_dir)
    ctx.start_logging()
    log.info("demo installation created", extra={"event": "install.created"})
    ctx.say(DEMO_DONE, path=ctx.data_dir)
    table(ctx, HEAD_DEMO, [[u.username, u.password, u.role.value] for u in DEMO_USERS])
    ctx.say(DEMO_TOTP, key=grouped(DEMO_TOTP_SECRET))
    print_recovery_key(ctx, recovery)
    return EXIT_OK


def _find_user(vault: Vault, us, username: str) -> accounts.UserInfo:
    name = normalise_username(username)
    found = next((u for u in accounts.list_users(vault, us) if u.username == name), None)
    if found is None:
        raise CounterDeskError(NO_SUCH_USER.format(user=name), code="no_user")
    return found


def cmd_users_list(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    yn = {True: ctx.t(YES), False: ctx.t(NO)}
    rows = [[u.username, u.display_name, u.role.value, yn[u.active], yn[u.must_change_password], yn[u.locked]]
            for u in accounts.list_users(vault, us)]
    table(ctx, HEAD_USERS, rows)
    return EXIT_OK


def cmd_users_add(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    a = ctx.args
    require(us.role, "users.manage")  # before asking for a password that would be refused anyway
    password = ctx.secrets.new_password(P_TEMP.format(user=a.username))
    accounts.create_user(vault, us, a.username, a.name, a.role, password)
    ctx.say(USER_ADDED, user=normalise_username(a.username), role=a.role)
    ctx.say(MUST_CHANGE_NOTE)
    return EXIT_OK


def _is_own(args: argparse.Namespace) -> bool:
    return bool(args.user) and normalise_username(args.username) == normalise_username(args.user)


def cmd_users_passwd(ctx: Ctx, vault: Vault, us, password: str) -> int:
    if _is_own(ctx.args):
        accounts.change_own_password(vault, us, password, ctx.secrets.new_password(P_NEW))
        ctx.say(OWN_CHANGED)
        return EXIT_OK
    target = _find_user(vault, us, ctx.args.username)
    if not target.active:  # a reset would not give a disabled user a key slot back
        raise CounterDeskError(IS_DISABLED.format(user=target.username), code="user_disabled")
    accounts.reset_password(vault, us, target.user_id, ctx.secrets.new_password(P_TEMP.format(user=target.username)))
    ctx.say(RESET_DONE, user=target.username)
    ctx.say(MUST_CHANGE_NOTE)
    return EXIT_OK


def cmd_users_role(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    target = _find_user(vault, us, ctx.args.username)
    accounts.set_role(vault, us, target.user_id, ctx.args.role)
    ctx.say(ROLE_DONE, user=target.username, role=ctx.args.role)
    return EXIT_OK


def cmd_users_disable(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    target = _find_user(vault, us, ctx.args.username)
    accounts.disable_user(vault, us, target.user_id)
    ctx.say(DISABLED_DONE, user=target.username)
    return EXIT_OK


def cmd_users_enable(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    target = _find_user(vault, us, ctx.args.username)
    if target.active:
        ctx.say(ALREADY_ACTIVE, user=target.username)
        return EXIT_OK
    accounts.enable_user(vault, us, target.user_id, ctx.secrets.new_password(P_TEMP.format(user=target.username)))
    ctx.say(ENABLED_DONE, user=target.username)
    ctx.say(MUST_CHANGE_NOTE)
    return EXIT_OK


def cmd_users_mfa_reset(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    target = _find_user(vault, us, ctx.args.username)
    removed = mfa.reset(vault, us, target.user_id)
    ctx.say(MFA_RESET_DONE if removed else MFA_RESET_NONE, user=target.username)
    return EXIT_OK


def cmd_mfa_status(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    st = mfa.status(vault, us)
    ctx.say(MFA_STATUS, state=ctx.t(MFA_ON if st.enrolled else MFA_OFF), required=ctx.t(YES if st.required else NO),
            left=st.recovery_left)
    return EXIT_OK


def cmd_mfa_enrol(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    """Enrol voluntarily (a role that does not require a factor); required roles enrol at sign-in."""
    enrolment = mfa.start_enrolment(vault, us.username)
    ctx.say(ENROL_INTRO, user=us.username)
    ctx.say(ENROL_KEY, key=enrolment.key_text)
    ctx.say(ENROL_URI, uri=enrolment.uri)
    codes = mfa.enrol(vault, us, enrolment.secret, ctx.secrets.code(P_FIRST_CODE))
    ctx.say(MFA_ENROLLED)
    print_recovery_codes(ctx, codes)
    return EXIT_OK


def cmd_mfa_recovery_codes(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    print_recovery_codes(ctx, mfa.new_recovery_codes(vault, us))
    return EXIT_OK


def cmd_users_unlock(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    accounts.unlock_account(vault, us, ctx.args.username)
    ctx.say(UNLOCKED_DONE, user=normalise_username(ctx.args.username))
    return EXIT_OK


def cmd_verify(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    report = verification.verify(vault, us, checkpoint=ctx.args.checkpoint)
    warnings = 0
    for check in report.checks:
        print(f"{'✓' if check.ok else '✗'} {ctx.t(check.title)}")
        for problem in check.errors:
            print(f"    ✗ {problem.message(ctx.lang)}")
        for problem in check.warnings:
            print(f"    ! {problem.message(ctx.lang)}")
        for note in check.notes:
            print(f"    · {ctx.t(note)}")
        warnings += len(check.warnings)
    n = len(report.checks)
    if report.ok:
        ctx.say(VERIFY_OK_WARNED if warnings else VERIFY_OK, n=n, w=warnings)
        return EXIT_OK
    failed = report.failed
    ctx.say(VERIFY_BAD, failed=len(failed), n=n, names=", ".join(c.name for c in failed))
    return EXIT_BROKEN


def cmd_settings_list(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    if not can(us.role, "audit.view"):  # admins and auditors may read the settings
        require(us.role, "settings.manage")
    values = vault.settings()
    table(ctx, HEAD_SETTINGS, [[key, fmt(values[key]), fmt(s.default), s.description.get(ctx.lang)]
                                for key, s in sorted(declared().items())])
    return EXIT_OK


def cmd_settings_set(ctx: Ctx, vault: Vault, us, _pw: str) -> int:
    key, raw = ctx.args.key, ctx.args.value
    require(us.role, "settings.manage")
    setting, res = declared().get(key), Result()
    if setting is None:
        res.add(key, "unknown", SETTING_UNKNOWN)
        raise ValidationFailed(res)
    try:
        value = setting.parse(raw)
    except ValueError:
        res.add(key, "parse", SETTING_PARSE.format(raw=raw, type=setting.type.__name__))
        raise ValidationFailed(res) from None
    old = vault.settings()[key]
    vault.set_setting(us, key, value)  # validates bounds and choices, writes the audit entry
    ctx.say(SETTING_DONE, key=key, old=fmt(old), new=fmt(value))
    return EXIT_OK


def cmd_recover(ctx: Ctx) -> int:
    name = need_user(ctx)
    vault = open_vault(ctx)
    recovery_key = ctx.secrets.secret(P_RECOVERY)
    new_password = ctx.secrets.new_password(P_NEW)
    try:
        new_key = vault.recover(recovery_key, name, new_password)
    finally:
        vault.close()
    ctx.say(RECOVERED, user=normalise_username(name))
    ctx.say(RECOVERY_OLD_VOID)
    print_recovery_key(ctx, new_key)
    return EXIT_OK


# ---- argument parsing -----------------------------------------------------------------------------
EPILOG = """\
exit status: 0 ok, 1 error (wrong password, invalid input, usage), 2 verify found a problem, the
             database is damaged, or sync refused master data that failed its checks,
             3 unexpected internal error (see the log in DATA_DIR/logs), 130 cancelled.
--password-stdin reads one secret per line: the --user password first, then (for a user with a second
  factor) the authenticator code, then the new password (users add/passwd/enable); init: the admin
  password; recover: the recovery key, then the new password.
COUNTERDESK_PASSWORD: the --user password, for automation only (visible to anyone who can read the
  process environment). COUNTERDESK_DATA: the default data folder."""


def build_parser() -> argparse.ArgumentParser:
    # Global options are accepted before or after the subcommand; SUPPRESS keeps a later level
    # from overwriting a value given at an earlier one (defaults are filled in by main()).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, metavar="PATH",
                        help="data folder (default: $COUNTERDESK_DATA or ~/.local/share/counterdesk)")
    common.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS, help="message language (default zh)")
    common.add_argument("--user", default=argparse.SUPPRESS, metavar="NAME", help="sign in as this user")
    common.add_argument("--password-stdin", action="store_true", default=argparse.SUPPRESS,
                        help="read passwords from standard input, one per line")
    parser = ArgumentParser(prog="counterdesk-admin", parents=[common], epilog=EPILOG,
                     description="CounterDesk 网点管理命令行 / branch administration command line",
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def leaf(group, name: str, help_: str, func: Callable[[Ctx], int]) -> argparse.ArgumentParser:
        p = group.add_parser(name, help=help_, description=help_, parents=[common])
        p.set_defaults(func=func)
        return p

    p = leaf(sub, "init", "初始化新的网点安装 / set up a new branch installation", cmd_init)
    p.add_argument("--branch-code", required=True)
    p.add_argument("--branch-name", required=True)
    p.add_argument("--admin", required=True, metavar="USERNAME", help="the first administrator")
    p.add_argument("--admin-name", metavar="DISPLAY", help="the administrator's display name")
    leaf(sub, "demo", "创建演示安装 / create the demo installation", cmd_demo)

    users = sub.add_parser("users", help="用户管理 / manage users").add_subparsers(
        dest="users_command", required=True, metavar="ACTION")
    leaf(users, "list", "列出用户 / list users", signed_in(cmd_users_list))
    p = leaf(users, "add", "新增用户 / add a user", signed_in(cmd_users_add))
    p.add_argument("username")
    p.add_argument("--name", required=True, metavar="DISPLAY")
    p.add_argument("--role", required=True, choices=ROLES)
    p = leaf(users, "passwd", "重置他人密码或修改自己的密码 / reset a password, or change your own",
             signed_in(cmd_users_passwd, self_service=_is_own))
    p.add_argument("username")
    p = leaf(users, "role", "修改角色 / change a user's role", signed_in(cmd_users_role))
    p.add_argument("username")
    p.add_argument("role", choices=ROLES)
    for name, help_, fn in (("disable", "停用用户 / disable a user", cmd_users_disable),
                            ("enable", "重新启用用户（需临时密码）/ re-enable a user (new temporary password)",
                             cmd_users_enable),
                            ("unlock", "解除登录锁定 / lift a sign-in lock", cmd_users_unlock)):
        leaf(users, name, help_, signed_in(fn)).add_argument("username")
    leaf(users, "mfa-reset", "重置用户的第二因素（手机丢失）/ reset a user's second factor (a lost phone)",
         signed_in(cmd_users_mfa_reset)).add_argument("username")
    factor = sub.add_parser("mfa", help="自己的第二因素 / your own second factor").add_subparsers(
        dest="mfa_command", required=True, metavar="ACTION")
    leaf(factor, "status", "第二因素状态 / second-factor status", signed_in(cmd_mfa_status))
    leaf(factor, "enrol", "设置身份验证器 / set up an authenticator app", signed_in(cmd_mfa_enrol))
    leaf(factor, "recovery-codes", "生成新的恢复码（旧码作废）/ new recovery codes (the old ones stop working)",
         signed_in(cmd_mfa_recovery_codes))

    p = leaf(sub, "verify", "校验数据库、审计链、记录台账、销售证据与锚点 / "
             "check the database, the audit chain, the records, the sale evidence and the anchors",
             signed_in(cmd_verify))
    p.add_argument("--checkpoint", metavar="CODE", default=None, type=checkpoint_code,
                   help="also check history against the code of a printed end-of-day journal (journal)")
    settings = sub.add_parser("settings", help="系统设置 / settings").add_subparsers(
        dest="settings_command", required=True, metavar="ACTION")
    leaf(settings, "list", "列出设置 / list settings", signed_in(cmd_settings_list))
    p = leaf(settings, "set", "修改设置 / change a setting", signed_in(cmd_settings_set))
    p.add_argument("key")
    p.add_argument("value")
    leaf(sub, "recover", "用恢复密钥重置管理员密码 / reset an admin password with the recovery key", cmd_recover)
    add_sanctions_commands(sub, leaf)
    add_catalog_commands(sub, leaf)
    add_confirmation_commands(sub, leaf)
    add_sync_commands(sub, leaf)
    add_journal_commands(sub, leaf)
    add_aml_commands(sub, leaf)
    add_data_rights_commands(sub, leaf)
    return parser


DAMAGE_CODES = frozenset({"db_damaged"})


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (the console script passes it to sys.exit)."""
    os.umask(0o077)  # every file this process creates (database, WAL, logs) is private to the user
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (1)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    for key, default in (("data_dir", None), ("lang", "zh"), ("user", None), ("password_stdin", False)):
        if not hasattr(args, key):
            setattr(args, key, default)
    args.data_dir = args.data_dir or default_data_dir()
    ctx = Ctx(args)
    if not logging.getLogger("counterdesk").handlers:
        # Until logs.setup runs, keep Python's last-resort handler from printing to the terminal.
        logging.getLogger("counterdesk").addHandler(logging.NullHandler())
    try:
        return args.func(ctx)
    except CounterDeskError as exc:
        log.info("command failed", extra={"event": args.command, "code": exc.code})
        print_error(ctx, exc)
        # A damaged database is a finding about the data, like a failed verify, not a usage error.
        return EXIT_BROKEN if exc.code in DAMAGE_CODES else EXIT_ERROR
    except KeyboardInterrupt:
        print("\n" + ctx.t(CANCELLED), file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as exc:
        log.exception("unexpected error", extra={"event": args.command})
        where = ctx.t(SEE_LOG, path=DataDir(ctx.data_dir).log_dir) if ctx.logging_ready else ""
        print(ctx.t(ERROR) + ctx.t(UNEXPECTED, kind=type(exc).__name__, where=where).strip(), file=sys.stderr)
        return EXIT_UNEXPECTED


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
