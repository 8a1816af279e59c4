"""The bundled form definitions: ``definitions/<id>_v<version>.json``.

Loading checks the file name against the id and version inside, parses and validates the
definition, and compares its content hash with ``definitions/published.json``: a published version
is frozen, because stored answers cite its hash. Changing its wording means a new version.

    python -m counterdesk.forms        # prints id, version and hash of every definition
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counterdesk.base.text import CounterDeskError, Problem, Text
from counterdesk.forms.definition import Form, FormDefinitionError, parse_form
from counterdesk.forms.questionnaire import (
    RISK_QUESTIONNAIRE_ID,
    Questionnaire,
    parse_questionnaire,
    questionnaire_from_form,
)

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
PUBLISHED_FILE = DEFINITIONS_DIR / "published.json"
_FILE_RE = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)_v(?P<version>[1-9][0-9]*)\.json$")

_cache: dict[tuple[str, int], Form] = {}
_lock = threading.Lock()


class FormNotFound(CounterDeskError):
    code = "form_not_found"


@dataclass(frozen=True)
class FormInfo:
    id: str
    version: int
    kind: str
    title: Text
    hash: str


def _files(directory: Path) -> dict[tuple[str, int], Path]:
    out = {}
    for path in sorted(directory.glob("*.json")):
        m = _FILE_RE.match(path.name)
        if m:
            out[(m["id"], int(m["version"]))] = path
    return out


def _published(directory: Path) -> dict[str, str]:
    path = directory / PUBLISHED_FILE.name
    if not path.exists():
        return {}
    published: dict[str, str] = json.loads(path.read_text(encoding="utf-8")).get("forms", {})
    return published


def parse_definition(data: Any, source: str = "<memory>") -> Form:
    """Build a Form from a definition object of any kind; raises FormDefinitionError listing every
    defect. Scored questionnaires carry extra keys (scores, factors, bands) that their own module checks."""
    if isinstance(data, dict) and data.get("kind") == "questionnaire":
        return parse_questionnaire(data, source).form
    return parse_form(data, source)


def load_file(path: Path, expected: tuple[str, int] | None = None, published: dict[str, str] | None = None) -> Form:
    """Parse one definition file; refuses bad JSON, a name that disagrees with the content, or a
    published version whose content changed."""
    source = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FormDefinitionError(source, [Problem("$", "bad_json", Text(f"无法读取 JSON：{exc}",
                                                                          f"cannot read the JSON: {exc}"))]) from exc
    form = parse_definition(data, source)
    if expected is not None and (form.id, form.version) != expected:
        raise FormDefinitionError(source, [Problem("$.id", "id_mismatch", Text(
            f"文件名应为 {form.id}_v{form.version}.json", f"the file should be named {form.id}_v{form.version}.json"))])
    pinned = (published or {}).get(form.ref)
    if pinned is not None and pinned != form.hash:
        raise FormDefinitionError(source, [Problem("$", "published_changed", Text(
            f"已发布的表单 {form.ref} 内容被修改（哈希不符）；修改措辞须发布新版本",
            f"published form {form.ref} was changed (hash mismatch); changed wording needs a new version"))])
    return form


def load_form(form_id: str, version: int | None = None, directory: Path | None = None) -> Form:
    """A form by id: the given version, or the latest bundled one. Cached (forms are immutable)."""
    directory = directory or DEFINITIONS_DIR
    files = _files(directory)
    if version is None:
        versions = [v for (fid, v) in files if fid == form_id]
        if not versions:
            raise FormNotFound(Text(f"没有表单“{form_id}”。", f"No form '{form_id}'."), detail=form_id)
        version = max(versions)
    key = (form_id, version)
    with _lock:
        if directory == DEFINITIONS_DIR and key in _cache:
            return _cache[key]
    if key not in files:
        raise FormNotFound(Text(f"没有表单“{form_id}”第 {version} 版。", f"No form '{form_id}' version {version}."),
                           detail=f"{form_id}@{version}")
    form = load_file(files[key], key, _published(directory))
    if directory == DEFINITIONS_DIR:
        with _lock:
            _cache[key] = form
    return form


def list_forms(directory: Path | None = None) -> list[FormInfo]:
    """Every bundled form version, by id then version."""
    directory = directory or DEFINITIONS_DIR
    out = []
    for (fid, version) in sorted(_files(directory)):
        form = load_form(fid, version, directory)
        out.append(FormInfo(form.id, form.version, form.kind, form.title, form.hash))
    return out


def main() -> None:
    for info in list_forms():
        print(f"{info.id}@{info.version}\t{info.kind}\t{info.hash}")


if __name__ == "__main__":
    main()


def load_questionnaire(form_id: str = RISK_QUESTIONNAIRE_ID, version: int | None = None) -> Questionnaire:
    """A bundled questionnaire (latest version by default), checked against published.json."""
    return questionnaire_from_form(load_form(form_id, version))
