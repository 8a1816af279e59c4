"""What every counterdesk-admin command shares: the parsed context, where secrets come from, the
output helpers, opening the installation and running a command signed in."""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counterdesk.base import logs
from counterdesk.base.actors import SignedInUser
from counterdesk.base.paths import DataDir
from counterdesk.base.text import CounterDeskError, Text, ValidationFailed
from counterdesk.services.auth import mfa
from counterdesk.services.auth.vault import AuthError, Vault

log = logging.getLogger("counterdesk.cli")

PASSWORD_ENV = "COUNTERDESK_PASSWORD"
EXIT_OK, EXIT_ERROR, EXIT_BROKEN, EXIT_UNEXPECTED, EXIT_CANCELLED = 0, 1, 2, 3, 130

ERROR = Text("错误：", "Error: ")
NOT_SET_UP = Text("该数据目录尚未初始化：{path}\n请先运行 counterdesk-admin init（或 demo）。",
                  "This data folder is not set up: {path}\nRun counterdesk-admin init (or demo) first.")
ALREADY = Text("该数据目录已经初始化，不会覆盖：{path}",
               "This data folder is already set up and will not be overwritten: {path}")
PARTIAL = Text("注意：该目录中上次初始化未完成（有 counterdesk.db 但没有 install.json），"
               "旧文件已改名保留（*.unfinished-时间）。",
               "Note: an earlier set-up of this folder stopped before finishing (counterdesk.db without "
               "install.json); its files were renamed aside (*.unfinished-TIME), nothing was deleted.")
NEED_USER = Text("此命令需要 --user 用户名。", "This command needs --user NAME.")
MUST_CHANGE = Text("用户 {user} 须先修改密码：counterdesk-admin --user {user} users passwd {user}",
                   "{user} must change their password first: counterdesk-admin --user {user} users passwd {user}")
NO_INPUT = Text("未提供{what}（标准输入已结束）。", "No {what} given (standard input ended).")
MISMATCH = Text("两次输入的密码不一致。", "The two passwords do not match.")
P_PASSWORD = Text("{user} 的密码", "Password for {user}")
P_REPEAT = Text("再次输入密码", "Repeat the password")
P_CODE = Text("{user} 的动态口令（身份验证器中的 6 位数字，或一个恢复码）",
              "Code for {user} (6 digits from the authenticator app, or a recovery code)")
P_FIRST_CODE = Text("身份验证器显示的第一个 6 位动态口令", "The first 6-digit code the authenticator app shows")
ENROL_INTRO = Text("{user} 须设置第二因素才能登录。请在身份验证器应用中添加以下密钥（基于时间，6 位，30 秒）：",
                   "{user} must set up a second factor to sign in. Add this key to an authenticator app "
                   "(time-based, 6 digits, 30 seconds):")
ENROL_KEY = Text("密钥：{key}", "Key: {key}")
ENROL_URI = Text("或用此链接生成二维码：{uri}", "Or make a QR code of this link: {uri}")
RECOVERY_CODES_TITLE = Text("恢复码（手机丢失时登录用，每个只能用一次）",
                            "RECOVERY CODES (to sign in without the phone; each works once)")
RECOVERY_CODES_WARN = Text("请立即打印或抄写并妥善保管。它们不会再次显示。",
                           "Print or write them down now and keep them safe. They will NOT be shown again.")
RECOVERY_TITLE = Text("恢复密钥（管理员忘记密码时使用）",
                      "RECOVERY KEY (for when the administrator forgets the password)")
RECOVERY_WARN = Text("请立即抄写并存放在安全的地方。它不会再次显示；丢失后无法找回。",
                     "Write it down now and keep it somewhere safe. "
                     "It will NOT be shown again and cannot be retrieved.")
YES, NO = Text("是", "yes"), Text("否", "no")


class Ctx:
    """The parsed command line plus what every command needs: language, data folder, secrets."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.lang: str = args.lang
        self.data_dir = Path(args.data_dir)
        self.secrets = Secrets(args.password_stdin, self.lang)
        self.logging_ready = False

    def t(self, text: Text, **kw: Any) -> str:
        return (text.format(**kw) if kw else text).get(self.lang)

    def say(self, text: Text, **kw: Any) -> None:
        print(self.t(text, **kw))

    def start_logging(self) -> None:
        if not self.logging_ready and self.data_dir.is_dir():
            logs.setup(DataDir(self.data_dir).log_dir)
            self.logging_ready = True


class Secrets:
    """Where secrets come from: stdin lines (--password-stdin), the environment, or the terminal."""

    def __init__(self, use_stdin: bool, lang: str):
        self.use_stdin, self.lang = use_stdin, lang

    def _missing(self, what: Text) -> CounterDeskError:
        return CounterDeskError(Text(NO_INPUT.zh.format(what=what.zh), NO_INPUT.en.format(what=what.en)),
                                code="no_input")

    def _line(self, what: Text) -> str:
        line = sys.stdin.readline()
        if not line:
            raise self._missing(what)
        return line.rstrip("\r\n")  # only the line end: spaces may belong to the password

    def _ask(self, prompt: Text) -> str:
        try:
            return getpass.getpass(prompt.get(self.lang) + ": ")
        except EOFError:
            raise self._missing(prompt) from None

    def sign_in(self, username: str) -> str:
        prompt = P_PASSWORD.format(user=username)
        if self.use_stdin:
            return self._line(prompt)
        return os.environ.get(PASSWORD_ENV) or self._ask(prompt)

    def new_password(self, prompt: Text) -> str:
        if self.use_stdin:
            return self._line(prompt)
        first = self._ask(prompt)
        if first != self._ask(P_REPEAT):
            raise CounterDeskError(MISMATCH, code="password_mismatch")
        return first

    def secret(self, prompt: Text) -> str:
        return self._line(prompt) if self.use_stdin else self._ask(prompt)

    def code(self, prompt: Text) -> str:
        """A second-factor code: the next stdin line (after the password), or asked on the terminal."""
        return self.secret(prompt)


# ---- output helpers -------------------------------------------------------------------------------
def width(s: str) -> int:
    # CJK characters take two terminal columns; without this the table columns drift.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def table(ctx: Ctx, headers: tuple[Text, ...], rows: list[list[str]]) -> None:
    cells = [[ctx.t(h) for h in headers], *rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths)).rstrip())


def fmt(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def print_recovery_key(ctx: Ctx, key: str) -> None:
    bar = "=" * 72
    print(f"\n{bar}\n  {ctx.t(RECOVERY_TITLE)}\n\n      {key}\n\n  {ctx.t(RECOVERY_WARN)}\n{bar}\n")


def print_recovery_codes(ctx: Ctx, codes: list[str]) -> None:
    bar = "=" * 72
    lines = "\n".join(f"      {a}    {b}" for a, b in zip(codes[::2], codes[1::2]))
    print(f"\n{bar}\n  {ctx.t(RECOVERY_CODES_TITLE)}\n\n{lines}\n\n  {ctx.t(RECOVERY_CODES_WARN)}\n{bar}\n")


def print_error(ctx: Ctx, exc: CounterDeskError) -> None:
    if isinstance(exc, ValidationFailed):
        for p in exc.result.problems:  # every problem, so the admin fixes them all in one go
            print(f"{ctx.t(ERROR)}{p.field}: {p.message(ctx.lang)}", file=sys.stderr)
    else:
        print(ctx.t(ERROR) + exc.message(ctx.lang), file=sys.stderr)


# ---- opening and signing in -------------------------------------------------------------------------
def refuse_existing(ctx: Ctx) -> None:
    if Vault.is_initialised(ctx.data_dir):
        raise CounterDeskError(ALREADY.format(path=ctx.data_dir), code="already_initialised")
    if Vault.partial_setup_left(ctx.data_dir):
        print(ctx.t(PARTIAL), file=sys.stderr)


def open_vault(ctx: Ctx) -> Vault:
    if not Vault.is_initialised(ctx.data_dir):
        raise CounterDeskError(NOT_SET_UP.format(path=ctx.data_dir), code="not_initialised")
    ctx.start_logging()
    return Vault.open(ctx.data_dir)


def need_user(ctx: Ctx) -> str:
    if not ctx.args.user:
        raise CounterDeskError(NEED_USER, code="need_user")
    return ctx.args.user


Command = Callable[["Ctx", Vault, SignedInUser, str], int]


def sign_in(ctx: Ctx, vault: Vault, name: str, password: str) -> SignedInUser:
    """The password, then the second factor when the account has one (or must enrol one)."""
    try:
        return vault.sign_in(name, password)
    except AuthError as exc:
        if exc.code == "mfa_code_required":
            return vault.sign_in(name, password, ctx.secrets.code(P_CODE.format(user=name)))
        if exc.code != "mfa_enrolment_required":
            raise
    enrolment = mfa.start_enrolment(vault, name)
    ctx.say(ENROL_INTRO, user=enrolment.username)
    ctx.say(ENROL_KEY, key=enrolment.key_text)
    ctx.say(ENROL_URI, uri=enrolment.uri)
    us, codes = mfa.sign_in_enrolling(vault, name, password, enrolment.secret, ctx.secrets.code(P_FIRST_CODE))
    print_recovery_codes(ctx, codes)
    return us


def signed_in(fn: Command, self_service: Callable[[argparse.Namespace], bool] = lambda a: False):
    """Wrap a command that needs the database: sign in, run, always sign out (also on errors)."""
    def run_signed_in(ctx: Ctx) -> int:
        name = need_user(ctx)
        vault = open_vault(ctx)
        password = ctx.secrets.sign_in(name)
        us = None
        try:
            us = sign_in(ctx, vault, name, password)
            # A temporary password only lets its holder change it, as in the GUI.
            if us.must_change_password and not self_service(ctx.args):
                raise CounterDeskError(MUST_CHANGE.format(user=us.username), code="must_change_password")
            return fn(ctx, vault, us, password)
        finally:
            try:
                vault.sign_out(us, reason="cli") if us is not None else vault.close()
            except Exception:  # never let a failed sign-out hide the command's own outcome
                log.exception("sign-out failed")
                vault.close()
    return run_signed_in
