"""Checking confirmation PDFs from the outside: counterdesk-admin run in-process as a person would
(password and authenticator code on stdin), and poppler's pdfsig as an independent verifier."""
from __future__ import annotations

import io
import re
import subprocess
import sys

from counterdesk.cli import admin as cli
from helpers.demo import PASSWORDS, totp_code


def admin_runner(capsys, monkeypatch):
    """run(*argv, data_dir=None, user=None, lang="en") -> (exit status, stdout, stderr)."""
    def run(*argv, data_dir=None, user=None, lang="en"):
        capsys.readouterr()
        args = ["--lang", lang]
        if data_dir is not None:
            args += ["--data-dir", str(data_dir)]
        if user is not None:
            factor = totp_code(user)
            monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORDS[user] + "\n" + (factor + "\n" if factor else "")))
            args += ["--user", user, "--password-stdin"]
        code = cli.main([*args, *map(str, argv)])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def pdfsig(path, *options) -> dict[str, str]:
    """pdfsig's answer for the first signature: field -> value ("Signature Validation", "Signer full
    Distinguished Name", ...), and "_total": whether it says the whole document is signed."""
    done = subprocess.run(["pdfsig", *options, str(path)], capture_output=True, text=True, timeout=60)
    first = done.stdout.split("Signature #2:")[0]
    fields = dict(re.findall(r"^\s+- ([^:\n]+): (.*)$", first, re.MULTILINE))
    fields["_total"] = "yes" if "Total document signed" in first else "no"
    return fields
