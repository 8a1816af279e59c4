"""Shared helpers for the benchmarks: result rows, medians, temp folders."""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PASS, MISS, INFO, NA, ERROR = "pass", "MISS", "info", "n/a", "ERROR"


@dataclass
class Row:
    """One line of the report. ``limit`` set: the figure is checked against it (figure <= limit)."""
    name: str
    figure: float | None
    unit: str
    limit: float | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)
    status: str = ""

    def __post_init__(self) -> None:
        if not self.status:
            if self.figure is None:
                self.status = NA
            elif self.limit is None:
                self.status = INFO
            else:
                self.status = PASS if self.figure <= self.limit else MISS

    @property
    def target(self) -> str:
        return "" if self.limit is None else f"<= {fmt(self.limit, self.unit)}"

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["target"] = self.target
        return out


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.3g} {unit}".strip()


def median(values: list[float]) -> float:
    return statistics.median(values)


def reps(quick: bool, full: int = 5, fast: int = 3) -> int:
    return fast if quick else full


@contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    # Under /tmp (same disk as the project here); removed afterwards.
    path = Path(tempfile.mkdtemp(prefix=f"counterdesk-bench-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def progress(msg: str) -> None:
    print(f"  .. {msg}", file=sys.stderr, flush=True)
