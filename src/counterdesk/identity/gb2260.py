"""The bundled GB/T 2260 administrative-division table (resources/identity/gb2260.csv).

The table keeps abolished codes with the years they were in use, because a resident ID keeps the
code that was valid when the number was issued. Source, licence and how to regenerate it:
resources/identity/gb2260.SOURCE.txt.

The CSV is read on first use (about 8,000 rows, a few milliseconds) and then kept in memory.
"""
from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import NamedTuple

from counterdesk.base.paths import resources_dir


class Division(NamedTuple):  # a NamedTuple rather than a dataclass: 8,000 of them load 3x faster
    code: str
    name: str
    start_year: int | None  # None: since the earliest edition covered
    end_year: int | None    # None: still in use in the latest edition covered

    def in_use(self, year: int) -> bool:
        return (self.start_year is None or self.start_year <= year) and (self.end_year is None or year <= self.end_year)


_lock = threading.Lock()
_table: dict[str, tuple[Division, ...]] | None = None


def table_path() -> Path:
    return resources_dir() / "identity" / "gb2260.csv"


def _load() -> dict[str, tuple[Division, ...]]:
    global _table
    if _table is not None:
        return _table
    with _lock:  # the UI thread and a worker may ask at the same time
        if _table is None:
            grouped: dict[str, list[Division]] = {}
            with table_path().open(encoding="utf-8", newline="") as fh:
                rows = csv.reader(fh)
                next(rows)  # header
                for code, name, start, end, _source in rows:
                    division = Division(code, name, int(start) if start else None, int(end) if end else None)
                    found = grouped.get(code)
                    if found is None:
                        grouped[code] = [division]
                    else:
                        found.append(division)
            _table = {code: tuple(v) for code, v in grouped.items()}
    return _table


def reset_cache() -> None:
    """Forget the loaded table (tests measure the load time with it)."""
    global _table
    with _lock:
        _table = None


def lookup(code: str) -> tuple[Division, ...]:
    """Every name the code has had, oldest first; empty when the code is not in the table."""
    return _load().get(code, ()) if isinstance(code, str) else ()


def is_known(code: str) -> bool:
    return bool(lookup(code))


def name_of(code: str, year: int | None = None) -> str | None:
    """The code's name in `year` (or its latest name when it had none then or no year is given)."""
    found = lookup(code)
    if not found:
        return None
    if year is not None:
        for d in reversed(found):
            if d.in_use(year):
                return d.name
    return found[-1].name


def last_year_in_use(code: str) -> int | None:
    """The last year the code was in use, or None when it still is (or is unknown)."""
    found = lookup(code)
    if not found or any(d.end_year is None for d in found):
        return None
    return max(d.end_year for d in found if d.end_year is not None)


def is_province(code2: str) -> bool:
    """True for a two-digit province-level prefix listed in the table (11 北京市 ... 82 澳门)."""
    return isinstance(code2, str) and len(code2) == 2 and is_known(code2 + "0000")


def is_mainland_province(code2: str) -> bool:
    """A province-level prefix of the mainland (11-65): excludes 71 台湾省, 81 香港, 82 澳门, 83."""
    return is_province(code2) and code2 < "70"


# Prefecture-level entries that name no place, in the spellings of the different editions.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位",
                           "自治区直辖县级行政单位", "省直辖行政单位"})


def full_name(code: str, year: int | None = None) -> str | None:
    """Province, prefecture and county names joined by spaces, e.g. '北京市 朝阳区'.

    Generic prefecture placeholders (市辖区, 县, 省直辖县级行政单位 ...) are left out because they name no place."""
    if not isinstance(code, str) or len(code) != 6:
        return None
    parts: list[str] = []
    for candidate in (code[:2] + "0000", code[:4] + "00", code):
        name = name_of(candidate, year)
        if name and name not in parts and name not in _PLACEHOLDERS:
            parts.append(name)
    return " ".join(parts) if parts else None


def size() -> int:
    return len(_load())
