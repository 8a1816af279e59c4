"""The follow-up list, computed from the store on every read (no scheduler, nothing to keep in step):

* ``post_sale_call``: the follow-up task of a sale whose cooling-off period ended (counterdesk.services.
  signoff.cooling makes it), due on the task's due date;
* ``elderly_extra``: a sale that got the special care for an older customer (65+ buying a high-risk
  product, decided at the sale from suitability.elderly_care_age and _min_risk: the plan's
  ``elderly_care``), due ``followups.elderly_extra_days`` after the sale or the end of its cooling-off
  period (domain-rules §5: "more follow-up");
* ``assessment_expiring``: a customer's current risk assessment whose last valid day (the ONE rule,
  counterdesk.base.assessment_validity) is within ``followups.assessment_window_days``, due that day;
* ``product_maturing``: a sale of a product with a term whose maturity (the sale's branch day + the
  catalog's ``term_days``) is within ``followups.maturity_window_days``, due that day.

An item is done once a closing outcome is recorded (or, for a post-sale call, once its task is done
on the after-sale page); past its due day it is overdue. Days are branch days (UTC+8).

Lapsing: a list nobody could ever finish is no list. A maturity, an assessment expiry or an older
customer's extra follow-up still unanswered ``followups.lapse_days`` after its due day lapses: it leaves
the open list (the teller's book, the home strip, the branch's list of what is due) and is shown as
``lapsed`` beside the done ones when those are asked (``include_done``: the supervisor's full view, so a
lapsed item is still seen and a late contact may still be recorded, which closes it). A post-sale call
never lapses: it comes from an explicit task the regulations require (私募投资基金募集行为管理办法 Art 32),
and stays until done.

Reading: SQL selects by the responsible employee (a teller's book), the open state of post-sale tasks
and the date windows (sale day, maturity, last valid day, each widened a little: a superset), through
the indexes of migration 0026; the rules above then decide each item exactly. Only the columns an
item needs are read (never a sale's document or plan beyond the two JSON fields).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import Session

from counterdesk.base.assessment_validity import add_months, stored_last_valid_day
from counterdesk.base.branchtime import branch_day
from counterdesk.base.follow_up_codes import (
    ASSESSMENT_EXPIRING,
    CLOSING,
    DONE,
    DUE,
    ELDERLY_EXTRA,
    LAPSED,
    LAPSING,
    OPEN,
    OVERDUE,
    POST_SALE_CALL,
    PRODUCT_MATURING,
    VISITS,
)
from counterdesk.base.settings import (
    ASSESSMENT_VALIDITY_MONTHS,
    FOLLOWUP_ASSESSMENT_WINDOW_DAYS,
    FOLLOWUP_DUE_SOON_DAYS,
    FOLLOWUP_ELDERLY_DAYS,
    FOLLOWUP_LAPSE_DAYS,
    FOLLOWUP_MATURITY_WINDOW_DAYS,
    SettingsValues,
)
from counterdesk.services.customers.data_rights import restrictions_in
from counterdesk.services.customers.masking import mask_name
from counterdesk.services.signoff.common import COMPLETED
from counterdesk.store.models.assessment import Assessment
from counterdesk.store.models.catalog import CatalogProduct
from counterdesk.store.models.customers import Customer, CustomerVersion
from counterdesk.store.models.data_rights import CustomerRestriction
from counterdesk.store.models.follow_ups import FollowUpOutcome
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.signoff import CoolingOffCancellation, FollowUpTask, Signoff

# Lists longer than this are not passed as SQL parameters (SQLite limits their number).
_MAX_IN = 500
# Why the asking user cannot record an outcome now (the core refuses it too).
OTHER_BRANCH, RESTRICTED, COOLING_OFF, SELLER = "other_branch", "restricted", "cooling_off", "seller"


@dataclass(frozen=True)
class FollowUpItem:
    kind: str
    source_id: str               # the follow-up task, the sale (sign-off) or the assessment
    customer_id: str
    customer_masked: str
    due_on: str                  # ISO branch day
    state: str                   # due / overdue / done / lapsed
    due_soon: bool
    branch: str
    signoff_id: str | None
    reference: str               # the sale's confirmation number ("" for an assessment)
    product_code: str | None
    responsible_id: str | None   # whose book it is: the seller, or the teller who ran the assessment
    attempts: int                # outcomes recorded so far (unanswered ones included)
    blocked: str | None = None   # other_branch / restricted / cooling_off / seller, for the asking user
    blocked_until: str | None = None
    outcome: str | None = None   # the closing outcome, once done

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.source_id

    @property
    def can_record(self) -> bool:
        return self.state != DONE and self.blocked is None


@dataclass
class _Context:
    db: Session
    settings: SettingsValues
    branch: str          # the workstation's branch: the signed-in user's
    today: date
    moment: datetime
    user_id: str
    with_names: bool = True  # the home strip counts without reading any customer's data
    names: dict[str, str] = field(default_factory=dict)

    @property
    def lapse_days(self) -> int:
        return int(self.settings[FOLLOWUP_LAPSE_DAYS])

    def masked(self, customer_id: str) -> str:
        if not self.with_names:
            return ""
        if customer_id not in self.names:
            self.read_names({customer_id})
        return self.names[customer_id]

    def read_names(self, customer_ids: Iterable[str]) -> None:
        """The masked names of ``customer_ids``, read in a few queries (the branch's list has thousands):
        the name of the current version, as signoff.common.customer_name_of reads it."""
        wanted = sorted(set(customer_ids) - self.names.keys())
        for n in range(0, len(wanted), _MAX_IN):
            chunk = wanted[n:n + _MAX_IN]
            # The two names only (json_extract), not the whole KYC record parsed in Python.
            rows = self.db.execute(select(Customer.id, func.json_extract(CustomerVersion.data, "$.name_zh"),
                                          func.json_extract(CustomerVersion.data, "$.name_latin")).join(
                CustomerVersion, (CustomerVersion.customer_id == Customer.id)
                & (CustomerVersion.version == Customer.current_version)).where(Customer.id.in_(chunk)))
            for customer_id, name_zh, name_latin in rows:
                self.names[customer_id] = mask_name(name_zh or name_latin or "")
            for customer_id in chunk:
                self.names.setdefault(customer_id, "?")  # a customer without data here (not yet arrived by sync)


@dataclass(frozen=True)
class Scope:
    """What SQL reads: one teller's book (``teller_id``: the seller, or the teller who ran the
    assessment) or the branch's; ``open_only``: due and overdue items only (done and lapsed ones are
    left out by SQL as far as it can tell, the rest by the Python rules)."""
    teller_id: str | None = None
    open_only: bool = False


@dataclass(frozen=True)
class _Raw:
    kind: str
    source_id: str
    customer_id: str
    due_on: date
    branch: str
    signoff_id: str | None
    reference: str
    product_code: str | None
    responsible_id: str | None
    done_elsewhere: bool = False  # a post-sale call's task done on the after-sale page


def _day(value: str) -> date:
    return branch_day(datetime.fromisoformat(value))


def _branch_of(document_number: str | None, local: str) -> str:
    # A confirmation number starts with the code of the branch that issued it (signoff.document).
    return document_number.split("-", 1)[0] if document_number and "-" in document_number else local


def _utc(day: date) -> str:
    """00:00 UTC of ``day`` as the store writes times: the SQL bounds below compare stored strings with
    it. Each bound is widened by two days (the branch's UTC+8 and any offset a row may carry): SQL only
    pre-selects a superset, the Python rules decide exactly."""
    return f"{day.isoformat()}T00:00:00+00:00"


_MARGIN = timedelta(days=2)
# add_months clamps to a month's end (31 Jan + 1 month = 28 Feb): inverting it is exact to 3 days.
_CLAMP = timedelta(days=4)
_PRODUCT = func.json_extract(Signoff.plan, "$.product_code").label("product_code")
# What a sale's items need: never the plan's or the document's large columns.
_SALE = (Signoff.id, Signoff.customer_id, Signoff.document_number, Signoff.teller_id, Signoff.completed_at,
         Signoff.signed_at, Signoff.updated_at, Signoff.cooling_off_until, _PRODUCT)


def _sale_day(row) -> date:
    return _day(row.completed_at or row.signed_at or row.updated_at)


def _completed_between(first: date | None, last: date | None):
    """Sales completed on branch days ``first``..``last`` (either open), as an indexed range (superset)."""
    terms = []
    if first is not None:
        terms.append(Signoff.completed_at >= _utc(first - _MARGIN))
    if last is not None:
        terms.append(Signoff.completed_at < _utc(last + _MARGIN))
    # A completed sale always has its time (signoff.document); the fallback days are read in Python.
    return or_(and_(*terms), Signoff.completed_at.is_(None)) if terms else true()


def _sales(ctx: _Context, query, scope: Scope, only: str | None):
    query = query.where(Signoff.status == COMPLETED)
    if scope.teller_id is not None:
        query = query.where(Signoff.teller_id == scope.teller_id)
    if only is not None:
        query = query.where(Signoff.id == only)
    return ctx.db.execute(query)


def _post_sale(ctx: _Context, only: str | None, scope: Scope) -> Iterable[_Raw]:
    query = (select(FollowUpTask.id, FollowUpTask.due_at, FollowUpTask.status, FollowUpTask.seller_id,
                    Signoff.id, Signoff.customer_id, Signoff.document_number, _PRODUCT)
             .join(Signoff, Signoff.id == FollowUpTask.signoff_id))
    if scope.teller_id is not None:
        query = query.where(FollowUpTask.seller_id == scope.teller_id)
    if scope.open_only:  # a task not open is done (on the after-sale page or by a closing outcome)
        query = query.where(FollowUpTask.status == "open")
    if only is not None:
        query = query.where(FollowUpTask.id == only)
    for task_id, due_at, status, seller, sale_id, customer, number, product in ctx.db.execute(query):
        yield _Raw(POST_SALE_CALL, task_id, customer, _day(due_at), _branch_of(number, ctx.branch), sale_id,
                   number or "", product, seller, status != "open")


def _elderly(ctx: _Context, only: str | None, scope: Scope) -> Iterable[_Raw]:
    days = int(ctx.settings[FOLLOWUP_ELDERLY_DAYS])
    query = select(*_SALE)
    if scope.open_only:
        # Not lapsed: due (start + days) on or after today - lapse, start being the sale's day or the end
        # of its cooling-off period, whichever is later. Bounded by date first, the JSON read after.
        since = ctx.today - timedelta(days=ctx.lapse_days + days)
        query = query.where(or_(_completed_between(since, None),
                                Signoff.cooling_off_until >= _utc(since - _MARGIN)))
    query = query.where(func.json_extract(Signoff.plan, "$.elderly_care") == 1)
    for sale in _sales(ctx, query, scope, only):
        # No contact during the cooling-off period: the extra follow-up counts from its end.
        start = max(_sale_day(sale), _day(sale.cooling_off_until) if sale.cooling_off_until else date.min)
        yield _Raw(ELDERLY_EXTRA, sale.id, sale.customer_id, start + timedelta(days=days),
                   _branch_of(sale.document_number, ctx.branch), sale.id, sale.document_number or "",
                   sale.product_code, sale.teller_id)


def _maturing(ctx: _Context, only: str | None, scope: Scope) -> Iterable[_Raw]:
    window = int(ctx.settings[FOLLOWUP_MATURITY_WINDOW_DAYS])
    terms = sorted(t for t in ctx.db.scalars(select(CatalogProduct.term_days).distinct()) if t is not None)
    for term in terms:  # the catalog's terms are few: one indexed range of sale days each
        # On the list from ``window`` days before maturity (the sale's day + term); lapsed ``lapse`` after.
        last = ctx.today - timedelta(days=term - window)
        first = ctx.today - timedelta(days=term + ctx.lapse_days) if scope.open_only else None
        query = (select(*_SALE)
                 .join(SaleDecision, SaleDecision.id == Signoff.sale_decision_id)
                 .join(CatalogProduct, (CatalogProduct.version == SaleDecision.catalog_version)
                       & (CatalogProduct.code == SaleDecision.product_code))
                 .where(CatalogProduct.term_days == term, _completed_between(first, last)))
        for sale in _sales(ctx, query, scope, only):
            matures = _sale_day(sale) + timedelta(days=term)
            if ctx.today >= matures - timedelta(days=window):
                yield _Raw(PRODUCT_MATURING, sale.id, sale.customer_id, matures,
                           _branch_of(sale.document_number, ctx.branch), sale.id, sale.document_number or "",
                           sale.product_code, sale.teller_id)


def _assessments(ctx: _Context, only: str | None, scope: Scope) -> Iterable[_Raw]:
    window = int(ctx.settings[FOLLOWUP_ASSESSMENT_WINDOW_DAYS])
    months = int(ctx.settings[ASSESSMENT_VALIDITY_MONTHS])
    # The last valid day (stored_last_valid_day) is the earlier of the rule's (completed day + months - 1
    # day) and the stored end's; SQL pre-selects by both columns, the ONE rule decides below.
    # Listed: last <= today + window. Not lapsed (the open list): last >= today - lapse.
    listed_by = ctx.today + timedelta(days=window)
    by_rule = Assessment.completed_at < _utc(add_months(listed_by + timedelta(days=1), -months) + _CLAMP + _MARGIN)
    by_end = Assessment.valid_until < _utc(listed_by + timedelta(days=1) + _MARGIN)
    query = (select(Assessment.id, Assessment.customer_id, Assessment.completed_at, Assessment.valid_until,
                    Assessment.created_by)
             .join(Customer, Customer.id == Assessment.customer_id)
             # The customer's current assessment: a newer one supersedes it (and takes its item off the list).
             .where(Assessment.status == "completed", Customer.status == "active"))
    if scope.open_only:
        since = ctx.today - timedelta(days=ctx.lapse_days)
        rule_since = Assessment.completed_at >= _utc(add_months(since + timedelta(days=1), -months) - _CLAMP - _MARGIN)
        end_since = Assessment.valid_until >= _utc(since + timedelta(days=1) - _MARGIN)
        # Written as two indexed ranges (completed_at, valid_until) for the planner.
        query = query.where(or_(and_(rule_since, by_rule), and_(rule_since, end_since, by_end)),
                            or_(Assessment.valid_until.is_(None), end_since))
    else:
        query = query.where(or_(by_rule, by_end))
    if scope.teller_id is not None:
        query = query.where(Assessment.created_by == scope.teller_id)
    if only is not None:
        query = query.where(Assessment.id == only)
    for source_id, customer_id, completed_at, valid_until, created_by in ctx.db.execute(query):
        last = stored_last_valid_day(completed_at, valid_until, months)
        if last is not None and ctx.today >= last - timedelta(days=window):
            yield _Raw(ASSESSMENT_EXPIRING, source_id, customer_id, last, ctx.branch, None, "", None, created_by)


COLLECTORS = {POST_SALE_CALL: _post_sale, ELDERLY_EXTRA: _elderly, ASSESSMENT_EXPIRING: _assessments,
              PRODUCT_MATURING: _maturing}


def _cooling_off_until(ctx: _Context, customer_ids: set[str]) -> dict[str, tuple[str, str]]:
    """customer -> (the latest end of a running cooling-off period, its seller)."""
    if not customer_ids:
        return {}
    # The running periods are few (a day or so each): select them by time, then keep the customers'.
    rows = ctx.db.execute(select(Signoff.customer_id, Signoff.cooling_off_until, Signoff.teller_id).where(
        Signoff.status == COMPLETED, Signoff.cooling_off_until > ctx.moment.isoformat(timespec="seconds"),
        Signoff.id.not_in(select(CoolingOffCancellation.signoff_id))))
    out: dict[str, tuple[str, str]] = {}
    for customer_id, until, seller in rows:
        if until is None or customer_id not in customer_ids:
            continue
        if customer_id not in out or until > out[customer_id][0]:
            out[customer_id] = (until, seller)
    return out


def _all_restrictions(db: Session) -> dict[str, object]:
    return {c: True for c in db.scalars(select(CustomerRestriction.customer_id))}


def _outcomes(ctx: _Context, raws: list[_Raw]) -> tuple[Counter, dict[tuple[str, str], str]]:
    """(attempts, the first closing outcome) per item, read by the (kind, source) index in chunks."""
    by_kind: dict[str, set[str]] = {}
    for r in raws:
        by_kind.setdefault(r.kind, set()).add(r.source_id)
    attempts: Counter = Counter()
    closed: dict[tuple[str, str], str] = {}
    wanted = sum(len(ids) for ids in by_kind.values())
    if wanted > _MAX_IN and (ctx.db.scalar(select(func.count()).select_from(FollowUpOutcome)) or 0) <= 2 * wanted:
        # Fewer outcomes stored than items asked about (one row per contact): one read of them all.
        every = (select(FollowUpOutcome.kind, FollowUpOutcome.source_id, FollowUpOutcome.outcome)
                 .where(FollowUpOutcome.kind.in_(sorted(by_kind))).order_by(FollowUpOutcome.recorded_at))
        for kind, source, outcome in ctx.db.execute(every):
            if source in by_kind[kind]:
                attempts[(kind, source)] += 1
                if outcome in CLOSING:
                    closed.setdefault((kind, source), outcome)
        return attempts, closed
    for kind, ids in by_kind.items():
        ordered = sorted(ids)
        for n in range(0, len(ordered), _MAX_IN):
            query = (select(FollowUpOutcome.source_id, FollowUpOutcome.outcome)
                     .where(FollowUpOutcome.kind == kind, FollowUpOutcome.source_id.in_(ordered[n:n + _MAX_IN]))
                     .order_by(FollowUpOutcome.recorded_at))
            for source, outcome in ctx.db.execute(query):
                attempts[(kind, source)] += 1
                if outcome in CLOSING:
                    closed.setdefault((kind, source), outcome)
    return attempts, closed


def collect(ctx: _Context, kinds: Iterable[str] = tuple(COLLECTORS), only: str | None = None,
            scope: Scope = Scope()) -> list[FollowUpItem]:
    """The items of ``kinds`` in ``scope`` (``only``: the one source id), by due day; done and lapsed
    ones included unless ``scope.open_only``."""
    raws = [raw for kind in kinds for raw in COLLECTORS[kind](ctx, only, scope)]
    if not raws:
        return []
    attempts, closed = _outcomes(ctx, raws)
    customers = {r.customer_id for r in raws}
    restricted = (restrictions_in(ctx.db, customers) if len(customers) <= _MAX_IN
                  else {c: r for c, r in _all_restrictions(ctx.db).items() if c in customers})
    cooling = _cooling_off_until(ctx, customers)
    soon, lapse = int(ctx.settings[FOLLOWUP_DUE_SOON_DAYS]), ctx.lapse_days
    kept = []
    for r in raws:
        done = (r.kind, r.source_id) in closed or r.done_elsewhere
        late = (ctx.today - r.due_on).days
        state = DONE if done else LAPSED if r.kind in LAPSING and late > lapse else OVERDUE if late > 0 else DUE
        if not scope.open_only or state in OPEN:
            kept.append((r, state, late))
    if ctx.with_names:
        ctx.read_names(r.customer_id for r, _state, _late in kept)
    items = []
    for r, state, late in kept:
        blocked, until = None, None
        if r.branch != ctx.branch:
            blocked = OTHER_BRANCH
        elif r.customer_id in restricted:
            blocked = RESTRICTED
        elif r.customer_id in cooling:
            blocked, until = COOLING_OFF, cooling[r.customer_id][0]
        elif r.kind in VISITS and r.responsible_id == ctx.user_id:
            blocked = SELLER
        items.append(FollowUpItem(
            r.kind, r.source_id, r.customer_id, ctx.masked(r.customer_id), r.due_on.isoformat(), state,
            state in OPEN and 0 <= -late <= soon, r.branch, r.signoff_id, r.reference,
            r.product_code, r.responsible_id, attempts[(r.kind, r.source_id)], blocked, until,
            closed.get((r.kind, r.source_id)) or ("done" if r.done_elsewhere else None)))
    items.sort(key=lambda i: (i.due_on, i.kind, i.source_id))
    return items


def cooling_seller(ctx: _Context, customer_id: str) -> tuple[str, str] | None:
    """(end, seller) of the customer's running cooling-off period, if any."""
    return _cooling_off_until(ctx, {customer_id}).get(customer_id)


def context(db: Session, settings: SettingsValues, branch: str, moment: datetime, user_id: str,
            with_names: bool = True) -> _Context:
    return _Context(db, settings, branch, branch_day(moment), moment, user_id, with_names)
