"""The teller's home counts their returned and awaiting sign-offs (services/reports/today.py) from the
index on signoffs (status, teller_id) of migration 0027, not by scanning every sign-off."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from counterdesk.services.auth.vault import Vault
from counterdesk.services.reports.today import SIGNOFFS_WAITING
from counterdesk.services.signoff.common import PENDING, REJECTED
from helpers.demo import sign_in


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def test_the_homes_sign_off_count_reads_the_index_alone(vault):
    teller = sign_in(vault, "teller")
    query = text(f"EXPLAIN QUERY PLAN {SIGNOFFS_WAITING.text}")
    plan = vault.transact(lambda db: [r[-1] for r in db.execute(
        query, {"me": teller.user_id, "rejected": REJECTED, "pending": PENDING})])
    assert plan == ["SEARCH signoffs USING COVERING INDEX ix_signoffs_status_teller (status=? AND teller_id=?)"]
