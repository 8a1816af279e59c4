"""Logging that cannot leak personal data.

Code logs event names and ids, never personal values; as a second line of defence a filter masks
anything shaped like an ID number, phone number, card number or e-mail address before a record is
written, and only allow-listed ``extra`` keys survive.
"""
from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

ALLOWED_EXTRA = {"event", "user_id", "object_id", "code", "seconds", "count", "revision"}

_PATTERNS = [
    # Resident ID (18 chars), old 15-digit IDs, bank cards and other long digit runs.
    (re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{8,}([\dXx]{4})(?![0-9A-Za-z])"), r"\1***\2"),
    # Mainland mobile numbers.
    (re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),
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


def setup(log_dir: Path | None, level: int = logging.INFO) -> None:
    root = logging.getLogger("counterdesk")
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_dir / "counterdesk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
