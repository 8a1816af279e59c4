"""Crash-safe file replacement: write a private temp file, fsync, rename over the target.

Also the private lock files beside them: every file here is created 0600 whatever the umask.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from counterdesk.base.crashpoints import crash_point
from counterdesk.base.text import CounterDeskError, Text

PRIVATE_FILE = 0o600

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
        crash_point("atomic.before_rename", path.name)
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


def temp_files_of(path: Path | str) -> list[Path]:
    """Temp files a killed ``write_bytes_atomic`` of ``path`` left behind (old or new content)."""
    path = Path(path)
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


def remove_file(path: Path | str) -> None:
    """Delete ``path`` (if it is there) and make the deletion durable."""
    path = Path(path)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    _fsync_dir(path.parent)


@contextmanager
def exclusive_lock(path: Path | str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created private, empty) for the block; it serialises
    processes and threads alike, since each call opens its own file description."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        make_private(fd)
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def make_private(target: int | Path | str, mode: int = PRIVATE_FILE) -> None:
    """Set ``mode`` on an open file descriptor or a path when it differs (only the owner can)."""
    try:
        current = os.fstat(target).st_mode if isinstance(target, int) else os.stat(target).st_mode
        if current & 0o777 != mode:
            if isinstance(target, int):
                os.fchmod(target, mode)
            else:
                os.chmod(target, mode)
    except (FileNotFoundError, PermissionError):
        pass  # gone meanwhile, or someone else's file: nothing to tighten


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
