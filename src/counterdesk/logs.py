"""Logging that cannot leak personal data.

Code logs event names and ids, never personal values; as a second line of defence a filter masks
anything shaped like an ID number, phone number, card number or e-mail address before a record is
written, and only allow-listed ``extra`` keys survive.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

ALLOWED_EXTRA = {"event", "user_id", "object_id", "code", "seconds", "count", "revision"}


def _first3_last4(match: re.Match) -> str:
    chars = re.sub(r"[ -]", "", match.group(0))
    return f"{chars[:3]}***{chars[-4:]}"


_PATTERNS = [
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
            # Exception texts can quote data (SQL parameters): keep the type, scrub the text.
            exc = record.exc_info[1]
            record.exc_text = scrub(f"{type(exc).__name__}: {exc}")
            record.exc_info = None
        return True


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


def setup(log_dir: Path | None, level: int = logging.INFO) -> None:
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
        handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
