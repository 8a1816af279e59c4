"""Cold start of the GUI until the sign-in window is shown (offscreen Qt).

The app honours COUNTERDESK_STARTUP_PROBE=1: when its main window is first shown it prints a line
starting with "STARTUP-SHOWN", flushes and exits 0. Wall time is taken from just before Popen
until that line is read. One unmeasured warm-up run first fills the OS file cache, so this is a
"warm-cache cold start" (new process, files already in RAM). Target: median <= 0.5 s.
The baseline is the same measurement for a bare QApplication + QWidget.
"""
from __future__ import annotations

import importlib.util
import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import NA, ROOT, Row, median, progress, reps, temp_dir

LIMIT_S = 0.5
TIMEOUT_S = 20.0
MARKER = "STARTUP-SHOWN"
BASELINE = ("from PySide6.QtWidgets import QApplication, QWidget; app=QApplication([]); w=QWidget(); w.show(); "
            "print('STARTUP-SHOWN', flush=True)")


class NotShown(Exception):
    pass


def _bin_dir() -> Path:
    here = Path(sys.executable).parent
    return here if (here / "counterdesk").exists() else ROOT / ".venv" / "bin"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["COUNTERDESK_STARTUP_PROBE"] = "1"
    return env


def time_to_marker(cmd: list[str], quirks: set[str] | None = None, own: list[float] | None = None) -> float:
    """Seconds from just before Popen until a line starting with MARKER is read from stdout.

    ``quirks`` collects deviations from the probe contract (no exit, non-zero exit) for the report;
    ``own`` collects the number printed after the marker, if any (the app's own timing).
    """
    with tempfile.TemporaryFile() as err:  # stderr to a file: a full pipe must not block the app
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                                env=_env(), cwd=ROOT)
        try:
            sel = selectors.DefaultSelector()
            sel.register(proc.stdout, selectors.EVENT_READ)
            buf = b""
            deadline = t0 + TIMEOUT_S
            while True:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise NotShown(f"no {MARKER} line within {TIMEOUT_S:.0f} s")
                if not sel.select(left):
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    try:
                        proc.wait(5)
                    except subprocess.TimeoutExpired:
                        pass  # stdout closed but still running: killed below
                    err.seek(0)
                    tail = err.read()[-4000:].decode("utf-8", "replace").strip().splitlines()[-3:]
                    raise NotShown(f"exited with {proc.returncode} before {MARKER}: "
                                   + " | ".join(line[-200:] for line in tail))
                buf += chunk
                lines = buf.split(b"\n")
                # Only complete lines count; the marker line is flushed with its newline.
                hit = next((line for line in lines[:-1] if line.startswith(MARKER.encode())), None)
                if hit is not None:
                    elapsed = time.perf_counter() - t0
                    if own is not None:  # the app may print its own in-process time after the marker
                        try:
                            own.append(float(hit.split()[1]))
                        except (IndexError, ValueError):
                            pass
                    break
                buf = lines[-1]
            try:
                if proc.wait(3) != 0 and quirks is not None:
                    quirks.add(f"exit status {proc.returncode} after {MARKER}")
            except subprocess.TimeoutExpired:  # killed below; the figure is already taken
                if quirks is not None:
                    quirks.add(f"did not exit within 3 s after {MARKER} (killed)")
            return elapsed
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()


def _measure(label: str, cmd: list[str], n: int, quirks: set[str] | None = None,
             own: list[float] | None = None) -> list[float]:
    time_to_marker(cmd, quirks)  # warm-up, not measured: fills the OS file cache
    out = []
    for i in range(n):
        out.append(time_to_marker(cmd, quirks, own))
        progress(f"startup {label} {i + 1}/{n}: {out[-1]:.3f} s")
    return out


def run(quick: bool = False) -> list[Row]:
    n = reps(quick)
    bin_dir = _bin_dir()
    warm = "after 1 unmeasured warm-up run (OS file cache filled)"
    rows: list[Row] = []

    try:
        base = _measure("bare Qt", [str(bin_dir / "python"), "-c", BASELINE], n)
        rows.append(Row("startup.baseline_qt", median(base), "s",
                        note=f"bare QApplication+QWidget shown, median of {n}, {warm}", samples=base))
    except (NotShown, OSError) as exc:
        base = None
        rows.append(Row("startup.baseline_qt", None, "s", note=f"not available: {exc}", status=NA))

    app_s: list[float] | None = None
    why = ""
    quirks: set[str] = set()
    own: list[float] = []
    if importlib.util.find_spec("counterdesk.app") is None:
        why = "not available: src/counterdesk/app.py does not exist yet"
    elif not (bin_dir / "counterdesk").exists():
        why = f"not available: {bin_dir / 'counterdesk'} missing (reinstall the project)"
    else:
        from counterdesk.services.auth.vault import Vault
        with temp_dir("startup") as tmp:
            root = tmp / "data"
            progress("startup: creating demo installation")
            Vault.create_demo(root)
            try:
                app_s = _measure("app", [str(bin_dir / "counterdesk"), "--demo", "--data-dir", str(root)], n,
                                 quirks, own)
            except (NotShown, OSError) as exc:
                why = f"not available: {exc}"
    if app_s is None:
        rows.append(Row("startup.app", None, "s", LIMIT_S, note=why, status=NA))
        return rows
    rows.append(Row("startup.app", median(app_s), "s", LIMIT_S,
                    note=f"counterdesk --demo to sign-in window shown, median of {n}, {warm}"
                         + "".join(f"; WARNING: {q}" for q in sorted(quirks)), samples=app_s))
    if base:
        rows.append(Row("startup.app_overhead", median(app_s) - median(base), "s",
                        note="app median minus bare-Qt median"))
    if len(own) == len(app_s):
        rows.append(Row("startup.app_self_reported", median(own), "s", samples=own,
                        note="time the app prints after STARTUP-SHOWN (from its own import to shown; "
                             "excludes interpreter start)"))
    return rows


if __name__ == "__main__":
    from _common import fmt
    for row in run("--quick" in sys.argv):
        print(f"{row.name:28} {fmt(row.figure, row.unit):>10}  {row.status:5} {row.note}")
