"""The bundled occupation list: GB/T 6565-2015 major groups, non-employment statuses and the
occupations AML practice rates higher, each with zh/en labels and an AML risk level."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from counterdesk.base.text import Text

_DATA = Path(__file__).resolve().parent / "data" / "occupations.json"
RISK_LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class Occupation:
    code: str
    label: Text
    risk: str  # low / medium / high
    employed: bool  # an employer is expected
    gbt6565_group: int | None


@lru_cache(maxsize=1)
def all_occupations() -> dict[str, Occupation]:
    raw = json.loads(_DATA.read_text(encoding="utf-8"))["occupations"]
    out = {}
    for item in raw:
        if item["risk"] not in RISK_LEVELS:
            raise ValueError(f"occupation {item['code']}: unknown risk level {item['risk']}")
        out[item["code"]] = Occupation(item["code"], Text(item["zh"], item["en"]), item["risk"],
                                       bool(item["employed"]), item["group"])
    return out


def get(code: object) -> Occupation | None:
    return all_occupations().get(code) if isinstance(code, str) else None
