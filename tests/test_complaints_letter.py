"""The decision letter of a complaint: zh and en, the customer masked, the customer's words not
reprinted, the appeal routes printed, the CJK font embedded; the print audited."""
from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from counterdesk.flow.counter_session import CounterSession
from counterdesk.services.auth.vault import Vault
from counterdesk.services.complaints import handling, letter
from counterdesk.services.complaints.common import ComplaintError
from counterdesk.services.complaints.handling import NewComplaint
from counterdesk.store.models.core import AuditEntry
from helpers.counter import YOUNG, identify, kyc
from helpers.demo import PASSWORDS

RECEIVED = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
WORDS = "我要投诉：经理承诺保本，电话13912345678"


@pytest.fixture
def vault(demo_lists_dir):
    v = Vault.open(demo_lists_dir)
    yield v
    v.close()


def pdf_text(tmp_path, pdf: bytes, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def test_the_letter_in_both_languages_is_masked_and_embeds_its_font(vault, tmp_path):
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    session = CounterSession(vault, teller)
    identify(session, YOUNG, kyc("1990-01-01"))
    c = handling.record(vault, teller, NewComplaint("counter", "disclosure", WORDS, customer_id=session.state.customer_id),
                        now=RECEIVED)
    with pytest.raises(ComplaintError) as early:
        letter.letter_pdf(vault, teller, c.complaint_id, "zh_CN")
    assert early.value.code == "not_resolved"
    handling.resolve(vault, teller, c.complaint_id, "not_upheld",
                     "经调阅录音录像，销售时已充分揭示风险，未作保本承诺。", now=RECEIVED + timedelta(days=9))
    zh = pdf_text(tmp_path, letter.letter_pdf(vault, teller, c.complaint_id, "zh_CN"), "zh")
    en_pdf = letter.letter_pdf(vault, teller, c.complaint_id, "en")
    en = pdf_text(tmp_path, en_pdf, "en")
    assert "投诉处理决定告知书" in zh and c.reference in zh and "不支持投诉请求" in zh
    assert "张**" in zh and "张晓梅" not in zh  # surname + *
    assert "未作保本承诺" in zh and "12378" in zh and "30日内" in zh.replace(" ", "")
    assert "2026-03-01 10:00（北京时间）" in zh
    assert "Decision on your complaint" in en and "Not upheld" in en and "12378" in en and "张**" in en
    for text in (zh, en):
        assert "13912345678" not in text and "经理承诺保本" not in text  # the customer's words stay in the store
    path = tmp_path / "en.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(re.match(r"[A-Z]{6}\+WenQuanYi", r) and " yes yes " in r for r in rows), fonts
    printed = vault.transact(lambda db: [json.loads(a.details) for a in db.scalars(
        select(AuditEntry).where(AuditEntry.action == "complaint.letter_printed"))])
    assert printed == [{"language": "zh_CN"}, {"language": "en"}]
