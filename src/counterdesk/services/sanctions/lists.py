"""Loaded sanctions lists: import (all-or-nothing), listing, superseding, freshness.

An import parses the whole file first (no database), then writes the list row, every entry, the
superseding of the previous list of the same source and the audit entry in ONE transaction: a file
that fails anywhere leaves nothing behind. The same file (same SHA-256) loaded again is a no-op.
A newer file of a source replaces that source's list: the old list row stays as metadata with
superseded_by set, its entries are removed (screenings keep the list hashes they used).
"""
from __future__ import annotations

import hashlib
import json
import threading
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import PermissionDenied, can, require
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.screening.index import IndexedEntry
from counterdesk.screening.normalise import script_of
from counterdesk.screening.parsers import MAX_FILE_BYTES, parse
from counterdesk.screening.records import FORMATS, ListFormatError, ParsedList
from counterdesk.services.auth.vault import Vault
from counterdesk.store import audit
from counterdesk.store.models.core import User
from counterdesk.store.models.sanctions import SanctionsEntry, SanctionsList

# Publishers whose files carry an authoritative publication date of their own.
DATED_FORMATS = ("un", "ofac-xml")
READ_PERMISSIONS = ("sanctions.manage", "audit.view", "screening.run", "screening.dispose")


@dataclass(frozen=True)
class ListInfo:
    id: str
    source: str
    format: str
    published: date
    loaded_at: str
    loaded_by: str  # username
    sha256: str
    entries: int
    superseded_by: str | None

    @property
    def current(self) -> bool:
        return self.superseded_by is None


@dataclass(frozen=True)
class ListImport:
    status: str  # "loaded" | "unchanged"
    list: ListInfo
    superseded: ListInfo | None
    message: Text


class ImportRefused(CounterDeskError):
    code = "sanctions_import"


def digest(files: list[tuple[str, bytes]]) -> str:
    """SHA-256 of the file (as sha256sum prints it); for a set (sdn.csv + alt.csv), of the sorted
    per-file digests, so the order the files are named in does not make a "new" list."""
    if len(files) == 1:
        return hashlib.sha256(files[0][1]).hexdigest()
    h = hashlib.sha256()
    for part in sorted(hashlib.sha256(data).digest() for _name, data in files):
        h.update(part)
    return h.hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _info(row: SanctionsList, usernames: dict[str, str]) -> ListInfo:
    return ListInfo(row.id, row.source, row.format, date.fromisoformat(row.published), row.loaded_at,
                    usernames.get(row.loaded_by, row.loaded_by), row.sha256, row.entries, row.superseded_by)


def _usernames(db) -> dict[str, str]:
    return {uid: name for uid, name in db.execute(select(User.id, User.username))}


def _check_source(source: str) -> str:
    value = " ".join(str(source).split())
    if not (1 <= len(value) <= 64) or not value.isprintable():
        raise ImportRefused(Text("名单来源名称须为 1-64 个可打印字符。",
                                 "The list source must be 1-64 printable characters."),
                            code="bad_source")
    return value


def _published(parsed: ParsedList, given: date | None, today: date) -> date:
    if given and parsed.published and parsed.format in DATED_FORMATS and given != parsed.published:
        raise ImportRefused(Text(f"文件自身的发布日期为 {parsed.published}，与指定的 {given} 不符。",
                                 f"The file says it was published on {parsed.published}, not {given}."),
                            code="published_mismatch")
    published = given or parsed.published
    if published is None:
        raise ImportRefused(Text("该格式的文件不含发布日期，请用 --published 指定（YYYY-MM-DD）。",
                                 "Files of this format carry no publication date; "
                                 "give it with --published (YYYY-MM-DD)."),
                            code="published_missing")
    if (published - today).days > 1:
        raise ImportRefused(Text(f"发布日期 {published} 在未来，拒绝导入。",
                                 f"The publication date {published} lies in the future."),
                            code="published_future")
    return published


def _entry_rows(list_id: str, parsed: ParsedList) -> list[dict]:
    dumps = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    return [{
        "list_id": list_id, "ref": e.ref[:64], "kind": e.kind,
        "names": dumps([{"name": n.text, "type": n.type, "script": script_of(n.text)} for n in e.names]),
        "birth_dates": dumps(e.birth_dates), "nationalities": dumps(e.nationalities),
        "documents": dumps(e.documents), "programs": "; ".join(e.programs)[:1000],
        "gender": (e.gender or None) if e.kind == "person" else None,
    } for e in parsed.entries]


def import_files(vault: Vault, us: SignedInUser, files: list[tuple[str, bytes]], fmt: str | None = None,
                 source: str | None = None, published: date | None = None,
                 now: datetime | None = None) -> ListImport:
    """Parse and store one list; raises ListFormatError (file at fault, with its location) or
    ImportRefused, in both cases with nothing stored."""
    require(us.role, "sanctions.manage")
    if fmt is not None and fmt not in FORMATS:
        raise ImportRefused(Text(f"不支持的格式：{fmt}", f"Unsupported format: {fmt}"), code="bad_format")
    now = now or _now()
    sha = digest(files)
    try:
        parsed = parse(files, fmt)
    except ListFormatError as exc:
        vault.record(us, "sanctions.import_rejected", "sanctions_list", None,
                     {"format": fmt or "auto", "error": exc.code, "location": exc.location[:120], "sha256": sha})
        raise
    src = _check_source(source or parsed.default_source)
    pub = _published(parsed, published, now.date())

    def write(db: Session) -> ListImport:
        names = _usernames(db)
        same = db.execute(select(SanctionsList).where(SanctionsList.sha256 == sha)).scalar_one_or_none()
        if same is not None:
            info = _info(same, names)
            return ListImport("unchanged", info, None, Text(
                f"该文件已导入过（{info.source}，发布于 {info.published}，导入于 {info.loaded_at[:16]}），未做更改。",
                f"This file is already loaded ({info.source}, published {info.published}, "
                f"loaded {info.loaded_at[:16]}); nothing changed."))
        current = list(db.execute(select(SanctionsList).where(
            SanctionsList.source == src, SanctionsList.superseded_by.is_(None))).scalars())
        for old in current:
            if date.fromisoformat(old.published) > pub:
                raise ImportRefused(Text(
                    f"已加载的“{src}”名单发布于 {old.published}，比此文件（{pub}）更新，拒绝用旧名单替换。",
                    f"The loaded {src} list (published {old.published}) is newer than this file ({pub}); "
                    "an older list does not replace a newer one."), code="older_than_loaded")
        row = SanctionsList(id=str(uuid.uuid4()), source=src, format=parsed.format, published=pub.isoformat(),
                            loaded_at=now.isoformat(timespec="seconds"), loaded_by=us.user_id, sha256=sha,
                            entries=len(parsed.entries), superseded_by=None)
        db.add(row)
        db.flush()
        rows = _entry_rows(row.id, parsed)
        for i in range(0, len(rows), 2000):
            db.execute(insert(SanctionsEntry), rows[i:i + 2000])
        for old in current:
            old.superseded_by = row.id
            db.execute(delete(SanctionsEntry).where(SanctionsEntry.list_id == old.id))
        audit.append(db, us.actor, "sanctions.list_imported", "sanctions_list", row.id, {
            "source": src, "format": parsed.format, "published": pub.isoformat(), "entries": len(rows),
            "sha256": sha, "superseded": [o.id for o in current]})
        db.flush()
        old_info = _info(current[0], names) if current else None
        info = _info(row, names)
        text = Text(f"已导入“{src}”名单（{parsed.format}，发布于 {pub}），共 {len(rows)} 条。",
                    f"Loaded the {src} list ({parsed.format}, published {pub}): {len(rows)} entries.")
        if old_info:
            text = Text(text.zh + f"原名单（发布于 {old_info.published}）已被替换。",
                        text.en + f" It replaces the list published {old_info.published}.")
        return ListImport("loaded", info, old_info, text)
    result = vault.transact(write)
    with _SEEN_LOCK:
        _SEEN_LISTS.pop(vault, None)
    return result


def read_files(paths: list[Path | str]) -> list[tuple[str, bytes]]:
    files = []
    for p in paths:
        path = Path(p)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ImportRefused(Text(f"文件过大：{path.name}", f"The file is too large: {path.name}"),
                                    code="too_large")
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            raise ImportRefused(Text(f"无法读取文件 {path}：{exc.strerror}",
                                     f"Cannot read the file {path}: {exc.strerror}"),
                                code="unreadable_file") from None
    return files


def import_paths(vault: Vault, us: SignedInUser, paths: list[Path | str], **kw) -> ListImport:
    require(us.role, "sanctions.manage")  # before reading what may be a large file
    return import_files(vault, us, read_files(paths), **kw)


def list_lists(vault: Vault, us: SignedInUser, include_superseded: bool = True) -> list[ListInfo]:
    """Loaded lists, newest first (superseded ones too unless asked otherwise)."""
    if not any(can(us.role, p) for p in READ_PERMISSIONS):
        raise PermissionDenied(Text("当前角色无权执行此操作。", "Your role is not allowed to do this."),
                               detail=f"{us.role}:sanctions.view")

    def read(db: Session) -> list[ListInfo]:
        q = select(SanctionsList).order_by(SanctionsList.source, SanctionsList.published.desc(),
                                           SanctionsList.loaded_at.desc())
        if not include_superseded:
            q = q.where(SanctionsList.superseded_by.is_(None))
        names = _usernames(db)
        return [_info(r, names) for r in db.execute(q).scalars()]
    return vault.transact(read)


def current_lists(db) -> list[ListInfo]:
    names = _usernames(db)
    rows = db.execute(select(SanctionsList).where(SanctionsList.superseded_by.is_(None))
                           .order_by(SanctionsList.source)).scalars()
    return [_info(r, names) for r in rows]


def current_hashes(db) -> list[str]:
    """The current lists' hashes, sorted (what a screening stores and checks before storing)."""
    return sorted(db.execute(select(SanctionsList.sha256).where(SanctionsList.superseded_by.is_(None))).scalars())


def stale_lists(lists: list[ListInfo], today: date, max_age_days: int) -> list[ListInfo]:
    """Current lists older than the allowed age (each source has one current list)."""
    return [li for li in lists if (today - li.published).days > max_age_days]


# The current lists as last read, per open vault: a screening needs them before matching, and its
# store transaction checks them again (screening.ListsChanged), so a copy that went out of date (an import by
# another process) costs one retry, never a screening against the wrong lists.
_SEEN_LISTS: weakref.WeakKeyDictionary[Vault, list[ListInfo]] = weakref.WeakKeyDictionary()
_SEEN_LOCK = threading.Lock()


def known_current_lists(vault: Vault, fresh: bool = False) -> list[ListInfo]:
    """The current lists, as last read through this vault unless ``fresh``."""
    with _SEEN_LOCK:
        seen = None if fresh else _SEEN_LISTS.get(vault)
    if seen is not None:
        return seen
    lists = vault.transact(current_lists)
    with _SEEN_LOCK:
        _SEEN_LISTS[vault] = lists
    return lists


def index_rows(db):
    """Everything the matcher needs from the current lists, as plain values (for IndexCache)."""
    lists = {r.id: r for r in db.execute(select(SanctionsList).where(SanctionsList.superseded_by.is_(None))).scalars()}
    out = []
    q = select(SanctionsEntry.list_id, SanctionsEntry.ref, SanctionsEntry.kind, SanctionsEntry.names,
               SanctionsEntry.birth_dates, SanctionsEntry.nationalities, SanctionsEntry.documents,
               SanctionsEntry.programs, SanctionsEntry.gender).where(SanctionsEntry.list_id.in_(list(lists)))
    for list_id, ref, kind, names, dobs, nats, docs, programs, gender in db.execute(q):
        li = lists[list_id]
        out.append(IndexedEntry(
            list_id, li.source, li.sha256, ref, kind,
            tuple((n["name"], n.get("type", "primary"), n.get("script", "")) for n in json.loads(names)),
            tuple(json.loads(dobs)), tuple(json.loads(nats)), tuple(d["number"] for d in json.loads(docs)), programs,
            gender or ""))
    return out, sorted(li.sha256 for li in lists.values())
