"""Command-line parsing shared by the admin and hub commands."""
from __future__ import annotations

import argparse
import sys
from typing import NoReturn

USAGE_ERROR = 1


class ArgumentParser(argparse.ArgumentParser):
    """Usage errors exit 1 like every other error: argparse's status 2 means "verification found a
    problem" for counterdesk-admin."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")
