"""The access export (services/privacy/export.py) holds the customer's own evaluations of the service:
stars, reasons, comment and date (the comment hidden on the masked printout), a skipped rating as such,
and nothing of another customer's ratings."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from counterdesk.flow.counter_session import CounterSession
from counterdesk.services.auth.vault import Vault
from counterdesk.services.evaluations import capture
from counterdesk.services.evaluations.capture import Rating
from counterdesk.services.evaluations.codes import CUSTOMER_SCREEN
from counterdesk.services.privacy import export
from helpers.counter import MIDDLE, YOUNG, identify, kyc
from helpers.demo import sign_in

COMMENT = "柜员讲解很耐心"
PASSWORD = "Kehu-Mima-2026"


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def served(vault, doc, birth: str) -> tuple[str, str]:
    """A session with the customer identified who then decided not to go ahead (so it may be rated)."""
    counter_session = CounterSession(vault, sign_in(vault, "teller"))
    identify(counter_session, doc, kyc(birth))
    counter_session.cancel("customer_declined")
    return counter_session.state.customer_id, counter_session.session_id


def test_the_export_lists_the_customers_own_evaluations(vault, tmp_path):
    teller = sign_in(vault, "teller")
    customer_id, first = served(vault, MIDDLE, "1980-05-05")
    capture.submit(vault, teller, first, Rating(4, ("clear_explanation", "waiting_time"), COMMENT), CUSTOMER_SCREEN)
    _same, second = served(vault, MIDDLE, "1980-05-05")
    capture.skip(vault, teller, second, CUSTOMER_SCREEN)
    _other, third = served(vault, YOUNG, "1990-01-01")  # another customer's rating stays out
    capture.submit(vault, teller, third, Rating(1, comment="另一位客户"), CUSTOMER_SCREEN)

    full = vault.transact(lambda db: export.collect(db, customer_id, False))
    rows = [{label.en: value for label, value in row} for row in full.section("evaluations").rows]
    assert len(rows) == 2
    rated, skipped = rows
    assert rated["Stars (1-5)"] == "4" and rated["Comment"] == COMMENT and rated["Time"]
    assert rated["Reasons"] == "等候时间 / Waiting time; 讲解清楚 / Clear explanation"  # in the list's order
    assert "评价已提交" in rated["Status"]
    assert "客户跳过" in skipped["Status"] and skipped["Stars (1-5)"] == "" and skipped["Comment"] == ""
    assert all("另一位客户" not in v for row in rows for v in row.values())

    masked = vault.transact(lambda db: export.collect(db, customer_id, True))
    assert COMMENT not in str(masked.section("evaluations").rows)  # paper may be lost: the words hidden

    supervisor = sign_in(vault, "supervisor")
    info = export.export_encrypted(vault, supervisor, customer_id, tmp_path / "e.pdf", PASSWORD, lang="zh")
    reader = PdfReader(io.BytesIO(info.pdf))
    reader.decrypt(PASSWORD)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "服务评价（2）" in text and COMMENT in text and info.sections["evaluations"] == 2
