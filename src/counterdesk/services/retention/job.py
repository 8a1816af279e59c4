"""The retention job: purge what has passed its retention period, keep a tombstone and an audit entry.

Who is due: customers whose relationship has ended — a deletion request (their restriction, PIPL Art
47) or the status ``closed`` — once the longest period that applies has run (domain-rules §6, the
years are settings: ``counterdesk.services.customers.data_rights.retention_basis``). A customer with
a complaint on file is held (the complaint keeps its own records) and listed as such.

How a purge keeps the evidence verifiable: the tombstone (kind, subject id, rule, when, how many rows;
no personal data) is written first; the append-only tables' delete triggers admit the rows of a
tombstoned customer and nothing else (migration 0019); every removed row of a ledgered table gets a
``purge`` entry in the records ledger carrying its last hash, so ``verify`` accepts its absence and
the chain (and its anchored head) stays whole. The audit log keeps its entries: they hold ids and
codes only. The tombstone is synced, and a workstation that receives it purges its own copy.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from counterdesk.base.actors import Actor, SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.settings import SettingsValues
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.common import now_iso
from counterdesk.services.customers.data_rights import RetentionBasis, retention_basis
from counterdesk.services.retention import sync_copies
from counterdesk.store import audit, ledger
from counterdesk.store.models.customers import Customer
from counterdesk.store.models.data_rights import CustomerRestriction, RetentionTombstone
from counterdesk.store.outbox import row_of
from counterdesk.store.stores import table_exists

CUSTOMER = "customer"
HELD_COMPLAINT = "complaint_on_file"

# What belongs to customer :c, children before parents (the foreign keys are on). Each is the WHERE
# clause of its table; :c is the customer id.
_SIGNOFFS = "SELECT id FROM signoffs WHERE customer_id = :c"
_SESSIONS = "SELECT id FROM counter_sessions WHERE customer_id = :c"
PURGE_ORDER: tuple[tuple[str, str], ...] = (
    ("confirmation_timestamps", f"signoff_id IN ({_SIGNOFFS})"),
    ("evidence_links", f"signoff_id IN ({_SIGNOFFS})"),
    ("confirmation_prints", f"signoff_id IN ({_SIGNOFFS})"),
    ("cooling_off_cancellations", f"signoff_id IN ({_SIGNOFFS})"),
    ("follow_up_outcomes", f"customer_id = :c OR signoff_id IN ({_SIGNOFFS})"),
    ("follow_up_calls", f"signoff_id IN ({_SIGNOFFS})"),
    ("follow_up_tasks", f"signoff_id IN ({_SIGNOFFS})"),
    ("approval_requests", f"signoff_id IN ({_SIGNOFFS}) OR session_id IN ({_SESSIONS})"),
    ("signoffs", "customer_id = :c"),
    ("sale_decisions", "customer_id = :c"),
    ("assessments", "customer_id = :c"),
    ("aml_referral_closures", "referral_id IN (SELECT id FROM aml_referrals WHERE customer_id = :c "
                              f"OR session_id IN ({_SESSIONS}))"),
    ("aml_referrals", f"customer_id = :c OR session_id IN ({_SESSIONS})"),
    ("customer_document_images", "customer_id = :c"),
    ("aml_ratings", "customer_id = :c"),
    ("screenings", "subject_ref = :c"),
    ("consents", f"customer_id = :c OR session_id IN ({_SESSIONS})"),
    ("customer_names", "customer_id = :c"),
    ("customer_documents", "customer_id = :c"),
    ("customer_versions", "customer_id = :c"),
    ("customer_evaluations", f"session_id IN ({_SESSIONS})"),
    ("counter_sessions", "customer_id = :c"),
    ("customers", "id = :c"),
)


@dataclass(frozen=True)
class Candidate:
    """A customer whose records have passed their retention period."""

    customer_id: str
    basis: RetentionBasis
    rows: dict[str, int]  # table -> rows that go
    held: str | None = None  # why it is not purged (a complaint on file)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass
class RetentionReport:
    dry_run: bool
    today: date
    candidates: list[Candidate] = field(default_factory=list)
    tombstones: list[str] = field(default_factory=list)  # ids written (empty on a dry run)

    @property
    def purged_rows(self) -> int:
        return sum(c.total for c in self.candidates if c.held is None) if not self.dry_run else 0


def _sql(conn: Connection, sql: str, customer_id: str) -> list[tuple]:
    return list(conn.exec_driver_sql(sql.replace(":c", "?"), (customer_id,) * sql.count(":c")))


def _keys(conn: Connection, table: str, where: str, customer_id: str) -> list[str]:
    cols = ledger.key_columns(conn, table)
    select_cols = ", ".join(f'"{c}"' for c in cols)
    return [ledger.row_key(r) for r in _sql(conn, f'SELECT {select_cols} FROM "{table}" WHERE {where}', customer_id)]


def rows_of(conn: Connection, customer_id: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for table, where in PURGE_ORDER:
        if table_exists(conn, table):
            n = _sql(conn, f'SELECT COUNT(*) FROM "{table}" WHERE {where}', customer_id)[0][0]
            if n:
                out[table] = int(n)
    return out


def _held(conn: Connection, customer_id: str) -> str | None:
    if table_exists(conn, "complaints") and _sql(conn, "SELECT 1 FROM complaints WHERE customer_id = :c LIMIT 1",
                                                 customer_id):
        return HELD_COMPLAINT
    return None


def plan(db: Session, settings: SettingsValues, today: date) -> list[Candidate]:
    """Every customer due for purging today, in id order (nothing is changed)."""
    conn = db.connection()
    ended: dict[str, str | None] = {r.customer_id: r.requested_at for r in db.scalars(select(CustomerRestriction))}
    for cid in db.scalars(select(Customer.id).where(Customer.status == "closed")):
        ended.setdefault(cid, None)
    out = []
    for cid in sorted(ended):
        if db.get(Customer, cid) is None:
            continue  # purged already (the restriction row stays)
        basis = retention_basis(db, settings, cid, ended[cid])
        if basis.expired(today):
            out.append(Candidate(cid, basis, rows_of(conn, cid), _held(conn, cid)))
    return out


def purge_customer(db: Session, customer_id: str, basis: RetentionBasis, purged_by: str | None,
                   tombstone_id: str | None = None, purged_at: str | None = None,
                   listed: Collection[str] | None = None) -> RetentionTombstone:
    """Remove every row of the customer (see PURGE_ORDER) after writing its tombstone; the ledger gets a
    ``purge`` entry per removed row; the sync copies go too (sync_copies.py). ``listed``: the record ids
    of a tombstone received from another workstation (None: purged here). Runs inside the caller's
    transaction."""
    conn = db.connection()
    rows = rows_of(conn, customer_id)
    sessions, signoffs = sync_copies.owners(conn, customer_id)  # read before their rows go
    stone = RetentionTombstone(id=tombstone_id or str(uuid.uuid4()), kind=CUSTOMER, subject_id=customer_id,
                               rule=basis.rule, retained_from=basis.counted_from, retain_years=basis.years,
                               purged_at=purged_at or now_iso(), purged_by=purged_by, rows=sum(rows.values()))
    db.add(stone)
    db.flush()  # the triggers look for it
    for table, where in PURGE_ORDER:
        if table not in rows:
            continue
        if table in ledger.TABLES:
            ledger.record_purge(conn, table, _keys(conn, table, where, customer_id))
        # Raw statements on purpose: the ORM hooks would ledger these as deletes (refused for append-only
        # tables) and the outbox would not know them; the tombstone is the record that travels.
        conn.exec_driver_sql(f'DELETE FROM "{table}" WHERE {where}'.replace(":c", "?"),
                             (customer_id,) * where.count(":c"))
    copies = sync_copies.purge_copies(conn, customer_id, sessions, signoffs, [t for t, _ in PURGE_ORDER], stone.id,
                                      listed or ())
    if listed is None:
        sync_copies.list_in_tombstone(conn, stone.id, row_of(stone), copies)
    else:
        sync_copies.send_unlisted(conn, row_of(stone), copies, listed)
    db.expire_all()
    return stone


def purge_late_copies(db: Session, customer_id: str, tombstone_id: str, listed: Collection[str]) -> None:
    """A tombstone of a customer purged here already (a second record of it, or one delivered again):
    the sync copies it lists, or that name the customer, go as well."""
    sync_copies.purge_copies(db.connection(), customer_id, set(), set(), [t for t, _ in PURGE_ORDER], tombstone_id,
                             listed)


def run(vault: Vault, us: SignedInUser | None, dry_run: bool = True, today: date | None = None,
        progress: Callable[[Candidate], None] | None = None) -> RetentionReport:
    """List (``dry_run``) or purge every customer due today; one transaction, audited either way."""
    if us is not None:
        require(us.role, "retention.run")
    today = today or datetime.now(UTC).date()
    settings = vault.settings()
    actor = us.actor if us is not None else Actor(None, "system", vault.info.workstation)

    def work(db: Session) -> RetentionReport:
        report = RetentionReport(dry_run, today, plan(db, settings, today))
        for cand in report.candidates:
            if progress is not None:
                progress(cand)
            if dry_run or cand.held is not None:
                continue
            stone = purge_customer(db, cand.customer_id, cand.basis, us.user_id if us else None)
            report.tombstones.append(stone.id)
            audit.append(db, actor, "retention.purged", "customer", cand.customer_id,
                         {"tombstone_id": stone.id, "rule": cand.basis.rule, "count": stone.rows,
                          "retain_until": cand.basis.until.isoformat()})
        audit.append(db, actor, "retention.run", None, None,
                     {"dry_run": dry_run, "customers": len(report.candidates), "count": report.purged_rows,
                      "day": today.isoformat()})
        return report
    return vault.transact(work)
