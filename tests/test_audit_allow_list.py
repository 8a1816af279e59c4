"""Every detail key the code writes into the audit log is on the one allow-list, whatever modules a
process has imported: found by reading the source, not by running whichever paths a test happens to
take."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from counterdesk.store import audit

SRC = Path(__file__).resolve().parent.parent / "src" / "counterdesk"


def _literal_detail_keys() -> dict[str, set[str]]:
    """{file:line: keys} of every dict literal passed as the details of audit.append / vault.record."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            # audit.append(session, actor, action, type, id, details) / vault.record(us, action, type, id, details)
            position = {"append": 5, "record": 4}.get(name)
            if position is None:
                continue
            candidates = node.args[position:position + 1] + [k.value for k in node.keywords if k.arg == "details"]
            for arg in candidates:
                if isinstance(arg, ast.Dict):
                    keys = {k.value for k in arg.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                    if keys:
                        found[f"{path.relative_to(SRC)}:{node.lineno}"] = keys
    return found


def test_the_source_writes_audit_details():
    found = _literal_detail_keys()
    assert len(found) > 40  # the scan sees the calls (sign-in, customers, screening, sign-off, sync ...)
    assert any("sanctions/disposition.py" in where for where in found)


@pytest.mark.parametrize("where,keys", sorted(_literal_detail_keys().items()))
def test_every_literal_detail_key_is_allowed(where, keys):
    assert keys <= audit.SAFE_DETAIL_KEYS, f"{where}: {sorted(keys - audit.SAFE_DETAIL_KEYS)}"


def test_the_allow_list_cannot_be_extended_at_run_time():
    assert isinstance(audit.SAFE_DETAIL_KEYS, frozenset)
    assert not hasattr(audit, "register_detail_keys")
    with pytest.raises(ValueError, match="allow-list"):
        audit._details_json({"id_number": "110105198506151236"})
