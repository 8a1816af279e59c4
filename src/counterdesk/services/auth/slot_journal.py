"""The journal of one key-slot change, so that the slot file and the database never disagree.

A change of the key slots (a user added, a password changed or reset, a user disabled or enabled,
a recovery) is one database transaction plus a new keyslots.json, two files that cannot be replaced
together. Under the key-slot lock (keyslots.lock), ``Vault.transact_with_slots`` runs:

1. the database work, in its transaction, including the operation's audit entry, which names the
   operation's random id (``slot_op``);
2. still before the commit, this journal, keyslots.intent.json (atomically): the operation id, the
   audit head it started from, and the slots before and after;
3. keyslots.json with the union of both (new slots are written before the commit, so a password
   set by a committed change always opens);
4. the commit;
5. keyslots.json with the slots after (old slots dropped only after the commit: a disabled user's
   slot goes here);
6. the journal is deleted.

A kill anywhere leaves the journal, or nothing to do. At the next unlock (any sign-in, a recovery,
the next slot change) ``Vault`` reconciles under the same lock: the operation id in the committed
audit log means the change committed, so the slots after are written; no such entry means it did
not, so the slots before are restored. Then the journal and any temp file a killed atomic write left
are deleted. Deciding is idempotent, so a kill during the reconcile is reconciled again. The sign-in
that triggered it is checked once more against the reconciled slots: an old password that only
opened the union is refused. A disable killed after its commit thus keeps the user's slot only
until the next unlock on this workstation, and ``verify`` (slot_check) reports anything left over.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from counterdesk.base.atomicfile import remove_file, temp_files_of, write_json_atomic
from counterdesk.base.text import Text
from counterdesk.services.auth.keyslots import KeySlotError

INTENT_FORMAT = "counterdesk-slot-intent/1"


@dataclass(frozen=True)
class SlotIntent:
    op_id: str
    installation_id: str
    audit_seq: int  # the audit head when the change began: its own entry comes after this one
    before: list[dict[str, Any]]
    after: list[dict[str, Any]]
    created_at: str

    @classmethod
    def new(cls, op_id: str, installation_id: str, audit_seq: int, before: list[dict[str, Any]],
            after: list[dict[str, Any]]) -> SlotIntent:
        return cls(op_id, installation_id, audit_seq, before, after,
                   datetime.now(UTC).isoformat(timespec="seconds"))

    def union(self) -> list[dict[str, Any]]:
        """Every slot before, then the new ones: what keyslots.json holds while the change commits."""
        return self.before + [s for s in self.after if s not in self.before]

    def save(self, path: Path) -> None:
        write_json_atomic(path, {"format": INTENT_FORMAT, "op_id": self.op_id,
                                 "installation_id": self.installation_id, "audit_seq": self.audit_seq,
                                 "before": self.before, "after": self.after, "created_at": self.created_at})

    @classmethod
    def load(cls, path: Path, installation_id: str) -> SlotIntent | None:
        """The journal of an unfinished change, or None when there is none."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise _damaged(str(exc)) from exc
        try:
            if raw["format"] != INTENT_FORMAT or raw["installation_id"] != installation_id:
                raise ValueError("format or installation mismatch")
            return cls(str(raw["op_id"]), installation_id, int(raw["audit_seq"]), list(raw["before"]),
                       list(raw["after"]), str(raw["created_at"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise _damaged(str(exc)) from exc


def leftovers(slot_file: Path, intent_file: Path) -> list[Path]:
    """Temp files of killed atomic writes of either file; they may hold a removed slot."""
    return temp_files_of(slot_file) + temp_files_of(intent_file)


def clear(slot_file: Path, intent_file: Path) -> None:
    """Delete the journal, then the leftovers (call with the slot file already final)."""
    remove_file(intent_file)
    for path in leftovers(slot_file, intent_file):
        remove_file(path)


def _damaged(detail: str) -> KeySlotError:
    # The journal cannot be read, so which slots are right cannot be decided: refuse rather than guess.
    return KeySlotError(Text("密钥槽变更日志 keyslots.intent.json 已损坏，无法确定应保留哪些密钥槽。"
                             "请从备份恢复该文件；未做任何更改。",
                             "The key-slot journal keyslots.intent.json is damaged, so which key slots are right "
                             "cannot be decided. Restore it from a backup; nothing was changed."),
                        code="slot_journal_damaged", detail=detail)
