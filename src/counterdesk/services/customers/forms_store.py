"""Keeping the exact form definitions that stored answers refer to (form_definitions table)."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.text import Text
from counterdesk.forms import Form, FormNotFound, load_form, parse_definition
from counterdesk.services.customers.common import CustomerError, now_iso
from counterdesk.store.models.customers import FormDefinitionRecord


def store_definition(db: Session, form: Form) -> None:
    """Insert the definition once; refuse a second wording under the same id and version."""
    if db.get(FormDefinitionRecord, form.hash) is not None:
        return
    clash = db.execute(select(FormDefinitionRecord.hash).where(
        FormDefinitionRecord.form_id == form.id, FormDefinitionRecord.version == form.version)).first()
    if clash is not None:
        raise CustomerError(Text(f"表单 {form.ref} 的内容与已存档的版本不同，须作为新版本发布。",
                                 f"Form {form.ref} differs from the archived version with the same number; "
                                 "publish it as a new version."), code="form_changed", detail=form.ref)
    db.add(FormDefinitionRecord(hash=form.hash, form_id=form.id, version=form.version, body=form.canonical,
                                     stored_at=now_iso()))
    db.flush()


def form_for(db: Session, form_id: str, version: int, form_hash: str) -> Form:
    """The form answers were given against: the bundled file when its hash matches, else the archive."""
    try:
        bundled = load_form(form_id, version)
        if bundled.hash == form_hash:
            return bundled
    except FormNotFound:
        pass
    row = db.get(FormDefinitionRecord, form_hash)
    if row is None:
        raise CustomerError(Text("找不到该记录所用的表单定义。", "The form definition of this record is missing."),
                            code="form_missing", detail=f"{form_id}@{version}")
    return parse_definition(json.loads(row.body), f"archive:{form_id}@{version}")
