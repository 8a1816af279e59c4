"""Index look-ups inside one database session, with no permission checks or audit (the repository
adds those). Kept apart so the benchmark measures exactly the queries the application runs.

Document look-up is one probe of the unique (number_norm, doc_type) index. Name search is index
range scans only (``col >= key AND col < key + U+10FFFF`` is "starts with key"), capped per column,
over the keys of full names and of given names (the name after the surname, or after the first word
of a Latin name). So a search by surname, full name, given name, pinyin or initials never scans the
table, and a name that is not on file (the usual case for a new customer) costs no more than one
that is. Arbitrary inner substrings (the middle character of a three-character name) are not searched.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from counterdesk.identity.names import FULL, has_cjk, normalise_key
from counterdesk.store.models.customers import CustomerDocument, CustomerName

_TOP = "\U0010ffff"  # sorts after every character: key <= s < key+_TOP  <=>  s starts with key


@dataclass(frozen=True)
class DocumentHit:
    customer_id: str
    doc_type: str
    current: bool


@dataclass(frozen=True)
class NameHit:
    customer_id: str
    rank: int  # 0 exact full name, 1 prefix of name or pinyin, 2 prefix of initials, 3 given name only
    matched_by: str  # name / pinyin / initials / given_name
    key: str


def find_document(db: Session, doc_type: str | None, number_norm: str) -> list[DocumentHit]:
    q = select(CustomerDocument.customer_id, CustomerDocument.doc_type, CustomerDocument.current).where(
        CustomerDocument.number_norm == number_norm)
    if doc_type:
        q = q.where(CustomerDocument.doc_type == doc_type)
    rows = db.execute(q).all()
    # A number that is some customer's current document comes first.
    return sorted((DocumentHit(r[0], r[1], bool(r[2])) for r in rows), key=lambda h: not h.current)


def _columns(key: str):
    if has_cjk(key):
        return [(CustomerName.name_norm, "name", 1)]
    return [(CustomerName.name_norm, "name", 1), (CustomerName.pinyin_norm, "pinyin", 1),
            (CustomerName.pinyin_initials, "initials", 2)]


def search_names(db: Session, text: str, limit: int = 50) -> list[NameHit]:
    """Customers whose name, pinyin or pinyin initials (full or given name) start with ``text``,
    best first, one hit per customer."""
    key = normalise_key(text or "")
    if not key or limit <= 0:
        return []
    best: dict[str, NameHit] = {}
    cap = limit * 4  # several key rows per customer (readings, given name, Latin name): fetch more
    for col, label, prefix_rank in _columns(key):
        rows = db.execute(
            select(CustomerName.customer_id, col, CustomerName.kind)
            .where(and_(col >= key, col < key + _TOP)).order_by(col).limit(cap)).all()
        for cid, value, kind in rows:
            if kind == FULL:
                hit = NameHit(cid, 0 if value == key else prefix_rank, label, value)
            else:
                hit = NameHit(cid, 3, "given_name", value)
            old = best.get(cid)
            if old is None or (hit.rank, hit.key) < (old.rank, old.key):
                best[cid] = hit
    return sorted(best.values(), key=lambda h: (h.rank, h.key, h.customer_id))[:limit]
