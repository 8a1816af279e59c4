"""Logging that cannot leak personal data.

Code logs event names and ids, never personal values; as a second line of defence a filter masks
anything shaped like an ID number, phone number, card number or e-mail address before a record is
written, and only allow-listed ``extra`` keys survive.
"""
from __future__ import annotations

import faulthandler
import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

ALLOWED_EXTRA = {"event", "user_id", "object_id", "code", "seconds", "count", "revision"}


def _first3_last4(match: re.Match[str]) -> str:
    chars = re.sub(r"[ -]", "", match.group(0))
    return f"{chars[:3]}***{chars[-4:]}"


_PATTERNS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # Resident ID (18 chars), old 15-digit IDs, bank cards and other long digit runs.
    (re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{8,}([\dXx]{4})(?![0-9A-Za-z])"), r"\1***\2"),
    # The same written in groups: ID as 6-8-4, card numbers in fours (spaces or dashes).
    (re.compile(r"(?<![0-9A-Za-z])\d{6}[ -]\d{8}[ -]\d{3}[\dXx](?![0-9A-Za-z])"), _first3_last4),
    (re.compile(r"(?<![0-9A-Za-z])\d{4}(?:[ -]\d{4}){2,}(?:[ -]\d{1,4})?(?![0-9A-Za-z])"), _first3_last4),
    # Mainland mobile numbers, also with +86 and written 3-4-4.
    (re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)"), r"\1****\2"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "***@***"),
]


def scrub(text: str) -> str:
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class RedactingFilter(logging.Filter):
    _standard = set(vars(logging.LogRecord("", 0, "", 0, "", None, None)))

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        for key in list(vars(record)):
            if key not in self._standard and key not in ALLOWED_EXTRA and key not in ("message", "asctime"):
                delattr(record, key)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = describe_exception(record.exc_info[1])
            record.exc_info = None
        return True


def describe_exception(exc: BaseException) -> str:
    """Where it happened (file, line, function of every frame, no source lines or local values) and
    the exception's type with its scrubbed text, which can quote data (SQL parameters)."""
    lines = []
    for err in _chain(exc):
        lines.append("Stack (most recent call last):")
        lines += [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in traceback.extract_tb(err.__traceback__)]
        lines.append(scrub(f"{type(err).__name__}: {err}"))
    return "\n".join(lines)


def _chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    err: BaseException | None = exc  # None once the chain ends
    while err is not None and err not in chain and len(chain) < 5:
        chain.insert(0, err)
        err = err.__cause__ or (None if err.__suppress_context__ else err.__context__)
    return chain


MAX_BYTES = 2_000_000
KEEP = 5


def _rotate(log_file: Path) -> None:
    """Rotate at start-up once the log is large (a desktop session rarely writes 2 MB; logging's own
    rotating handler costs start-up time for no gain)."""
    try:
        if log_file.stat().st_size < MAX_BYTES:
            return
    except FileNotFoundError:
        return
    for i in range(KEEP - 1, 0, -1):
        older = log_file.with_name(f"{log_file.name}.{i}")
        if older.exists():
            os.replace(older, log_file.with_name(f"{log_file.name}.{i + 1}"))
    os.replace(log_file, log_file.with_name(f"{log_file.name}.1"))


_crash_file: IO[Any] | None = None
_previous_hooks: tuple[Any, Any] | None = None


def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if not issubclass(exc_type, KeyboardInterrupt):
        exc.__traceback__ = tb
        logging.getLogger("counterdesk.uncaught").error("uncaught exception", exc_info=(exc_type, exc, tb))


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    # Also what PySide6 calls for an exception escaping a slot or a virtual method.
    _log_uncaught(exc_type, exc, tb)
    if _previous_hooks is not None:
        _previous_hooks[0](exc_type, exc, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)
    if _previous_hooks is not None:
        _previous_hooks[1](args)


def _catch_uncaught(log_dir: Path) -> None:
    """Uncaught exceptions in any thread go to the log; a fatal error (a crash in a C extension)
    writes the Python stacks of every thread to crash.log, which holds no values, only frames."""
    global _crash_file, _previous_hooks
    if _previous_hooks is None:
        _previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook, threading.excepthook = _excepthook, _thread_excepthook
    crash = log_dir / "crash.log"
    os.close(os.open(crash, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
    if _crash_file is not None:
        _crash_file.close()
    _crash_file = open(crash, "a", encoding="utf-8")
    faulthandler.enable(_crash_file, all_threads=True)


def shutdown() -> None:
    """Undo ``setup``: handlers closed, hooks and the fault handler restored (tests, a CLI run's end)."""
    global _crash_file, _previous_hooks
    root = logging.getLogger("counterdesk")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    if _previous_hooks is not None:
        sys.excepthook, threading.excepthook = _previous_hooks
        _previous_hooks = None
    if _crash_file is not None:
        faulthandler.disable()
        _crash_file.close()
        _crash_file = None


def setup(log_dir: Path | None, level: int = logging.INFO, catch_uncaught: bool = False) -> None:
    """Log to DIR/counterdesk.log (private), or to stderr without a folder. ``catch_uncaught`` (the
    GUI, a long-running process) also logs exceptions no caller caught and fatal errors."""
    root = logging.getLogger("counterdesk")
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        log_file = log_dir / "counterdesk.log"
        _rotate(log_file)
        # Create the file private before the handler opens it.
        os.close(os.open(log_file, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
        handler = logging.FileHandler(log_file, encoding="utf-8")
        if catch_uncaught:
            _catch_uncaught(log_dir)
    else:
        handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
