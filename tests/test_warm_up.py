"""The GUI warms the core up in the background while a worker creates the DEMO branch: the first
imports must not run in two threads at once (a cross-thread import cycle hands one thread a
half-initialised SQLAlchemy module). Each case runs in a fresh interpreter, where nothing is imported yet."""
from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import sys, threading, traceback
from pathlib import Path
errors = []
def warm():
    try:
        from counterdesk.services.auth.vault import preload_reference_data
        preload_reference_data()
    except Exception:
        errors.append(traceback.format_exc())
def demo():
    try:
        from counterdesk.services.demo import create_demo
        vault, _key = create_demo(Path(sys.argv[1]))
        vault.close()
    except Exception:
        errors.append(traceback.format_exc())
threads = [threading.Thread(target=demo), threading.Thread(target=warm)]
for t in threads: t.start()
for t in threads: t.join()
print("".join(errors) or "ok")
"""


def test_demo_creation_while_the_gui_warms_up(tmp_path):
    for n in range(2):
        out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / f"demo{n}")], capture_output=True,
                             text=True, timeout=120)
        assert out.stdout.strip() == "ok", out.stdout + out.stderr
