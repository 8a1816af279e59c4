"""Sales the customer pushed beyond the recommendation, and sales cancelled in the cooling-off period."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from counterdesk.services.reports.common import params, teller_clause
from counterdesk.services.reports.scope import Scope
from counterdesk.suitability.evaluation import CUSTOMER_INITIATED_ONLY


@dataclass(frozen=True)
class CustomerInitiated:
    decisions: int          # suitability decisions stored in the period
    customer_initiated: int  # of those, the product the customer named themself
    mismatches: int         # of those, a product beyond the customer's risk level (customer_initiated_only)


@dataclass(frozen=True)
class CoolingOff:
    sales: int          # sign-offs completed in the period with a cooling-off period
    cancelled: int      # cancellations recorded in the period

    @property
    def rate(self) -> float | None:
        return self.cancelled / self.sales if self.sales else None


def customer_initiated(db: Session, scope: Scope) -> CustomerInitiated:
    row = db.execute(text(
        "SELECT count(*), coalesce(sum(customer_initiated), 0), "
        "coalesce(sum(customer_initiated AND outcome = :mismatch), 0) FROM sale_decisions "
        f"WHERE decided_at >= :start AND decided_at < :end{teller_clause('decided_by', scope)}"),
        params(scope, mismatch=CUSTOMER_INITIATED_ONLY)).one()
    return CustomerInitiated(int(row[0]), int(row[1]), int(row[2]))


def cooling_off(db: Session, scope: Scope) -> CoolingOff:
    p = params(scope)
    who = teller_clause("g.teller_id", scope)
    sales = db.execute(text(
        "SELECT count(*) FROM signoffs g WHERE g.cooling_off_until IS NOT NULL AND g.completed_at >= :start "
        f"AND g.completed_at < :end{who}"), p).scalar_one()
    cancelled = db.execute(text(
        "SELECT count(*) FROM cooling_off_cancellations c JOIN signoffs g ON g.id = c.signoff_id "
        f"WHERE c.recorded_at >= :start AND c.recorded_at < :end{who}"), p).scalar_one()
    return CoolingOff(int(sales), int(cancelled))
