"""install.json: the installation's identity and pre-sign-in settings. No personal data here.

Read at start-up before the database can be unlocked, so this module stays import-light.
"""
from __future__ import annotations

import json
import socket
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from counterdesk.base.atomicfile import write_json_atomic
from counterdesk.base.paths import DataDir
from counterdesk.base.text import CounterDeskError, Text

FORMAT = "counterdesk-install/1"


class InstallationError(CounterDeskError):
    code = "installation"


@dataclass
class InstallInfo:
    installation_id: str
    branch_code: str
    branch_name: str
    demo: bool
    workstation: str
    created_at: str
    pre_auth_settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, branch_code: str, branch_name: str, demo: bool) -> InstallInfo:

        return cls(
            installation_id=str(uuid.uuid4()),
            branch_code=branch_code,
            branch_name=branch_name,
            demo=demo,
            workstation=socket.gethostname()[:64] or "workstation",
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )


def exists(data: DataDir) -> bool:
    return data.install_file.exists()


def load(data: DataDir) -> InstallInfo:
    try:
        raw = json.loads(data.install_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstallationError(Text("尚未初始化：数据目录中没有 install.json。",
                                     "Not set up yet: install.json is missing from the data folder."),
                                code="not_initialised", detail=str(data.install_file)) from None
    except (OSError, ValueError) as exc:
        raise InstallationError(Text("install.json 已损坏，无法读取。请从备份恢复。",
                                     "install.json is damaged and cannot be read. Restore it from a backup."),
                                code="install_damaged", detail=str(exc)) from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise InstallationError(Text("install.json 格式不受支持。", "install.json has an unsupported format."),
                                code="install_format")
    try:
        return InstallInfo(**{k: raw[k] for k in InstallInfo.__dataclass_fields__ if k in raw})
    except TypeError as exc:
        raise InstallationError(Text("install.json 缺少字段。", "install.json is missing fields."),
                                code="install_damaged", detail=str(exc)) from exc


def save(data: DataDir, info: InstallInfo) -> None:
    write_json_atomic(data.install_file, {"format": FORMAT, **asdict(info)})
