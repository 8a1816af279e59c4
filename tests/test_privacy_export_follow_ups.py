"""The access export (services/privacy/export.py) holds the outcomes recorded from the follow-up list for
the customer: kind, outcome, channel, when and who, with staff's note in the customer's file but hidden on
the masked printout; another customer's outcomes stay out."""
from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from counterdesk.base.assessment_validity import stored_last_valid_day
from counterdesk.base.branchtime import BRANCH_TZ
from counterdesk.services.auth.vault import Vault
from counterdesk.services.followups.outcomes import record_outcome
from counterdesk.services.privacy import export
from counterdesk.store.models.assessment import Assessment
from helpers.counter import MIDDLE, YOUNG, at_recommendation
from helpers.demo import sign_in

NOTE = "客户约下周到网点重评"
PASSWORD = "Kehu-Mima-2026"


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def assessed(vault, doc, birth: str, age_answer: str) -> Assessment:
    """A customer identified and assessed at the counter (their assessment will come up as expiring)."""
    counter_session = at_recommendation(vault, doc=doc, birth=birth, age_answer=age_answer)
    customer_id = counter_session.state.customer_id
    return vault.transact(lambda db: db.scalars(select(Assessment).where(
        Assessment.customer_id == customer_id, Assessment.status == "completed")).one())


def expired(vault, row: Assessment) -> datetime:
    """The day after the assessment's last valid day, 10:00 branch time (the item is overdue then)."""
    last = stored_last_valid_day(row.completed_at, row.valid_until, vault.settings()["assessment.validity_months"])
    assert last is not None
    return datetime.combine(last + timedelta(days=1), time(10), BRANCH_TZ).astimezone(UTC)


def test_the_export_lists_the_customers_follow_up_outcomes(vault, tmp_path):
    x = assessed(vault, MIDDLE, "1980-05-05", "age_46_55")
    y = assessed(vault, YOUNG, "1990-01-01", "age_31_45")
    teller = sign_in(vault, "teller")
    record_outcome(vault, teller, "assessment_expiring", x.id, "not_reached", "phone", NOTE, now=expired(vault, x))
    record_outcome(vault, teller, "assessment_expiring", y.id, "declined", "message", "另一位客户",
                   now=expired(vault, y))

    full = vault.transact(lambda db: export.collect(db, x.customer_id, False))
    rows = [{label.en: value for label, value in row} for row in full.section("follow_up_outcomes").rows]
    assert len(rows) == 1
    (row,) = rows
    # The customer reads texts, not codes: both languages, as the form's options are shown.
    assert (row["Kind"], row["Outcome"], row["Channel"], row["Note"]) == (
        "风险评估即将到期 / Risk assessment expiring", "未联系上（稍后再联系） / Not reached (try again later)",
        "电话 / Phone", NOTE)
    assert row["Time"] and row["Recorded by"]
    other = vault.transact(lambda db: export.collect(db, y.customer_id, False))
    assert [{label.en: v for label, v in r}["Outcome"] for r in other.section("follow_up_outcomes").rows] == [
        "客户拒绝回访 / The customer declined"]
    assert NOTE not in str(other.section("follow_up_outcomes").rows)

    masked = vault.transact(lambda db: export.collect(db, x.customer_id, True))
    assert len(masked.section("follow_up_outcomes").rows) == 1
    assert NOTE not in str(masked.section("follow_up_outcomes").rows)  # paper may be lost: the note hidden

    supervisor = sign_in(vault, "supervisor")
    info = export.export_encrypted(vault, supervisor, x.customer_id, tmp_path / "e.pdf", PASSWORD, lang="zh")
    reader = PdfReader(io.BytesIO(info.pdf))
    reader.decrypt(PASSWORD)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "回访结果（1）" in text and NOTE in text and "另一位客户" not in text
    assert info.sections["follow_up_outcomes"] == 1
    printed = export.printout(vault, supervisor, x.customer_id, lang="zh")
    paper = "".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.pdf)).pages)
    assert "回访结果（1）" in paper and NOTE not in paper
