"""Crash-safe file replacement: write a private temp file, fsync, rename over the target."""
from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path

from counterdesk.base.text import CounterDeskError, Text

DISK_FULL = Text("磁盘空间不足，未写入任何内容。请释放空间后重试。",
                 "The disk is full; nothing was written. Free some space and try again.")


class DiskFullError(CounterDeskError):
    code = "disk_full"


def write_bytes_atomic(path: Path | str, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFullError(DISK_FULL, detail=str(path)) from exc
        raise
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def write_json_atomic(path: Path | str, obj: object) -> None:
    write_bytes_atomic(path, (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
