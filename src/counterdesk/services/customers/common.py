"""Small helpers shared by the customer modules: time stamps, ids, errors."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from counterdesk.base.text import CounterDeskError, Result, Text
from counterdesk.store.models.customers import Customer, CustomerVersion


class CustomerError(CounterDeskError):
    code = "customer"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_id() -> str:
    return str(uuid.uuid4())


def invalid(field: str, code: str, zh: str, en: str) -> Result:
    res = Result()
    res.add(field, code, Text(zh, en))
    return res


def load_customer(db: Session, customer_id: str) -> Customer:
    customer = db.get(Customer, customer_id) if isinstance(customer_id, str) else None
    if customer is None:
        raise CustomerError(Text("找不到该客户。", "No such customer."), code="customer_not_found",
                            detail=str(customer_id))
    return customer


def version_row(db: Session, customer_id: str, version: int) -> CustomerVersion:
    row = db.get(CustomerVersion, (customer_id, version))
    if row is None:
        raise CustomerError(Text("该客户没有这个版本。", "The customer has no such version."), code="version_not_found",
                            detail=f"{customer_id}@{version}")
    return row


def current_answers(db: Session, customer_id: str) -> tuple[Customer, dict[str, Any]]:
    """The customer and the answers of their current version, in clear (for checks, never for screens)."""
    customer = load_customer(db, customer_id)
    return customer, json.loads(version_row(db, customer.id, customer.current_version).data)
