"""Issuing the signed confirmation of a sale and recording every print.

``issue`` renders the confirmation (counterdesk.services.confirmation.render) from what the store holds,
signs it with the branch certificate, stores file and hash, closes the evidence chain with the
``pdf`` link and starts the cooling-off period where the product has one. The original file is
printed once as the customer copy and once as the branch copy; any later print is a re-rendered
copy marked 副本 / COPY. Every print is recorded and audited.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.assessment_validity import stored_last_valid_day
from counterdesk.base.branchtime import BRANCH_TZ
from counterdesk.base.roles import require
from counterdesk.base.text import Text
from counterdesk.forms import load_form
from counterdesk.forms.disclosures import MISMATCH_WARNING_ID
from counterdesk.forms.documents import DOCUMENT_TYPES
from counterdesk.forms.registry import load_questionnaire
from counterdesk.services.auth.vault import Vault
from counterdesk.services.catalog.products import LIQUIDITY, PRODUCT_TYPES, RISK_LEVELS
from counterdesk.services.catalog.versions import products_in
from counterdesk.services.confirmation import timestamps
from counterdesk.services.confirmation.certstore import branch_signer
from counterdesk.services.confirmation.render import ConfirmationData, copy_label, render_confirmation
from counterdesk.services.customers.common import current_answers
from counterdesk.services.signoff import evidence
from counterdesk.services.signoff.common import (
    APPROVED,
    COMPLETED,
    SignoffState,
    customer_name_of,
    iso,
    load,
    load_own,
    now_utc,
    parse,
    refuse,
    state_of,
)
from counterdesk.store import audit
from counterdesk.store.models.assessment import Assessment
from counterdesk.store.models.core import User
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.signoff import ApprovalRequest, ConfirmationPrint, Signoff
from counterdesk.suitability.evaluation import OUTCOME_TEXTS

COPIES = ("customer", "branch")
REPRINT = "reprint"


def _text_of(forms, lang_sections=True) -> Text:
    zh, en = [], []
    for form in forms:
        zh.append(form.title.zh)
        en.append(form.title.en)
        for sec in form.sections:
            if sec.text is not None:
                zh.append(f"{sec.title.zh}：{sec.text.zh}" if sec.title else sec.text.zh)
                en.append(f"{sec.title.en}: {sec.text.en}" if sec.title else sec.text.en)
    return Text("\n\n".join(zh), "\n\n".join(en))


def product_key_facts(product) -> list[tuple[Text, Text | str]]:
    """The product's key facts as the customer reads them and the confirmation prints them."""

    facts: list[tuple[Text, Text | str]] = [(Text("产品类型", "Product type"), PRODUCT_TYPES[product.type]),
                                           (Text("发行机构", "Issuer"), product.issuer)]
    if product.term_days:
        facts.append((Text("期限", "Term"), Text(f"{product.term_days} 天", f"{product.term_days} days")))
    facts.append((Text("流动性", "Liquidity"), LIQUIDITY.get(product.liquidity, product.liquidity)))
    facts.append((Text("保本", "Principal protected"),
                  Text("是", "yes") if product.principal_protected
                  else Text("否，可能损失本金", "no: you may lose money")))
    return facts


def _grade(assessment) -> Text | None:
    """"C4 积极型" / "C4 Aggressive" of a graded assessment row, else None."""

    if assessment is None or not assessment.grade:
        return None
    band = load_questionnaire(assessment.questionnaire_id, assessment.questionnaire_version).band(assessment.grade)
    return Text(f"{assessment.grade} {band.name.zh}", f"{assessment.grade} {band.name.en}")


def _document_number(db, branch_code: str, moment: datetime) -> str:
    prefix = f"{branch_code}-{moment.astimezone(BRANCH_TZ):%Y%m%d}-"
    count = db.scalar(select(func.count()).select_from(Signoff)
                           .where(Signoff.document_number.like(prefix + "%"))) or 0
    return f"{prefix}{count + 1:05d}"


def build_data(db, vault: Vault, row: Signoff, moment: datetime, evidence_hash: str) -> ConfirmationData:
    """ConfirmationData for ``row`` from the stored decision, customer, assessment and sign-off."""

    plan = state_of(row).plan
    decision = db.get(SaleDecision, row.sale_decision_id)
    product = next(p for p in products_in(db, decision.catalog_version) if p.code == decision.product_code)
    _customer, kyc = current_answers(db, row.customer_id)
    a = db.get(Assessment, decision.assessment_id) if decision.assessment_id else None
    grade: Text | str = _grade(a) or "—"
    forms = [load_form(ref.split("@")[0], int(ref.split("@")[1])) for ref in plan.forms]
    warning = [f for f in forms if f.id == MISMATCH_WARNING_ID]
    shown = [f for f in forms if f.id != MISMATCH_WARNING_ID]
    names = {u.id: u.display_name for u in db.scalars(select(User))}
    approved = db.scalars(select(ApprovalRequest).where(ApprovalRequest.signoff_id == row.id,
                                                             ApprovalRequest.status == APPROVED)).first()
    facts = product_key_facts(product)
    # Only approved or completed sign-offs get here: signed, attested and numbered (``issue`` numbers it first).
    assert row.document_number is not None and row.signed_at is not None and row.attested_at is not None
    signed = datetime.fromisoformat(row.signed_at)
    cooling = signed + timedelta(hours=plan.cooling_off_hours) if plan.cooling_off_hours else None
    doc_type = kyc.get("id_doc_type") or ""
    return ConfirmationData(
        document_number=row.document_number, branch_name=vault.info.branch_name, branch_code=vault.info.branch_code,
        created_at=moment, customer_name=customer_name_of(db, row.customer_id),
        customer_id_number=kyc.get("id_number") or "", customer_id_type=DOCUMENT_TYPES.get(doc_type, doc_type),
        assessment_grade=grade,
        assessment_valid_until=stored_last_valid_day(a.completed_at, a.valid_until) if a else None,
        product_code=product.code, product_name=Text(product.name_zh, product.name_en),
        product_risk_level=str(product.applied_risk_level), amount=Decimal(decision.amount), currency=product.currency,
        disclosure_text=_text_of(shown), disclosure_version=", ".join(f.ref for f in shown),
        disclosure_hash=evidence.sha256_hex("|".join(f.hash for f in shown)) if len(shown) > 1 else shown[0].hash,
        confirmation_sentence=row.typed_sentence or Text("（本产品无需抄录）", "(not required for this product)"),
        teller_name=names.get(row.teller_id, "?"), teller_at=datetime.fromisoformat(row.attested_at),
        evidence_hash=evidence_hash,
        product_facts=facts, warning_letter=_text_of(warning) if warning else None, signature_png=row.signature_png,
        supervisor_name=names.get(approved.decided_by) if approved else None,
        supervisor_at=parse(approved.decided_at) if approved else None, cooling_off_until=cooling)


def sale_summary(vault: Vault, us: SignedInUser, signoff_id: str) -> list[tuple[Text, Text | str]]:
    """What the customer reads above the disclosure: the product's key facts and amount, the
    customer's risk grade and the suitability result with its reasons (labels and values in zh/en)."""
    require(us.role, "session.start")

    def read(db: Session) -> list[tuple[Text, Text | str]]:
        row = load_own(db, us, signoff_id)
        decision = db.get(SaleDecision, row.sale_decision_id)
        assert decision is not None  # a sign-off is made for a stored decision (foreign key; decisions stay)
        product = next(p for p in products_in(db, decision.catalog_version) if p.code == decision.product_code)
        rows: list[tuple[Text, Text | str]] = [
            (Text("产品", "Product"), Text(f"{product.name_zh}（{product.code}）",
                                         f"{product.name_en} ({product.code})")),
            (Text("产品风险等级", "Product risk level"),
             RISK_LEVELS.get(product.applied_risk_level, product.applied_risk_level)),
            *product_key_facts(product)]
        rows.append((Text("购买金额", "Amount"), f"{Decimal(decision.amount):,.2f} {product.currency}"))
        a = db.get(Assessment, decision.assessment_id) if decision.assessment_id else None
        grade = _grade(a)
        if a is not None and grade is not None:
            until = str(stored_last_valid_day(a.completed_at, a.valid_until) or "")
            rows.append((Text("您的风险承受能力等级", "Your risk tolerance grade"),
                         Text(f"{grade.zh}（有效期至 {until}）", f"{grade.en} (valid until {until})")))
        rows.append((Text("适当性匹配结果", "Suitability result"), OUTCOME_TEXTS[decision.outcome]))
        findings = [f for f in json.loads(decision.findings) if f.get("effect") != "info"]
        if findings:
            rows.append((Text("原因", "Reasons"), Text("；".join(f["zh"] for f in findings),
                                                      "; ".join(f["en"] for f in findings))))
        return rows
    return vault.transact(read)


def issue(vault: Vault, us: SignedInUser, signoff_id: str, now: datetime | None = None) -> SignoffState:
    """Render, sign and store the confirmation of an approved sign-off (once)."""
    require(us.role, "session.start")

    signer = branch_signer(vault, us)  # refuses clearly when no certificate is set up, before any write
    authority = timestamps.probe(vault)  # before the transaction: no network wait while it is open
    moment = now_utc(now)

    def write(db: Session) -> SignoffState:
        row = load_own(db, us, signoff_id, APPROVED)
        row.document_number = _document_number(db, vault.info.branch_code, moment)
        _seq, head_hash = evidence.head(db, row.id)
        data = build_data(db, vault, row, moment, head_hash)
        signed = timestamps.sign_confirmation(lambda mark: render_confirmation(data, row.lang, no_timestamp=mark),
                                              signer, authority)
        timestamps.record_issue(db, us.actor, row.id, row.document_number, signed, authority, moment)
        pdf = signed.pdf
        row.pdf, row.pdf_sha256, row.evidence_hash = pdf, evidence.sha256_hex(pdf), head_hash
        row.status, row.completed_at, row.updated_at = COMPLETED, iso(moment), iso(moment)
        if data.cooling_off_until is not None:  # set exactly when the plan has cooling-off hours
            row.cooling_off_until = iso(data.cooling_off_until)
        evidence.append(db, row.id, "pdf", {"document_number": row.document_number, "pdf_sha256": row.pdf_sha256,
                                                 "evidence_hash": head_hash, "signer": signer.fingerprint})
        audit.append(db, us.actor, "signoff.issued", "signoff", row.id, {"document_number": row.document_number})
        return state_of(row)
    return vault.transact(write)


@dataclass(frozen=True)
class PrintJob:
    signoff_id: str
    copy: str            # customer, branch or reprint
    pdf: bytes
    document_number: str
    label: str = ""      # printed on every page: 客户联 / 银行留存联 (the file is the same for both)


def prepare_print(vault: Vault, us: SignedInUser, signoff_id: str, copy: str) -> PrintJob:
    """The bytes to print for ``copy`` ("customer" or "branch"); once that copy was printed, a
    re-rendered, re-signed file marked 副本 / COPY instead. A copy asked for directly ("reprint") is
    refused until both originals are printed: an original that never left the printer is printed as
    the original."""
    require(us.role, "session.start")
    if copy not in (*COPIES, REPRINT):
        raise refuse("copy_kind", "未知的打印联次。", "Unknown copy.", str(copy))

    def read(db: Session):
        row = load_own(db, us, signoff_id, COMPLETED)
        # issued: ``issue`` stores the file, its number, the completion time and the evidence hash together
        assert row.pdf is not None and row.document_number is not None
        assert row.completed_at is not None and row.evidence_hash is not None
        printed = set(db.scalars(select(ConfirmationPrint.copy).where(ConfirmationPrint.signoff_id == row.id)))
        if copy == REPRINT and not set(COPIES) <= printed:
            raise refuse("originals_not_printed",
                         "客户联和银行留存联尚未全部打印：请先打印原件，副本只能在原件打印后制作。",
                         "The customer copy and the branch copy have not both been printed: print the originals "
                         "first; a copy can only be made after them.", row.id)
        if copy != REPRINT and copy not in printed:
            return PrintJob(row.id, copy, row.pdf, row.document_number, copy_label(copy, row.lang)), None
        return None, (row, build_data(db, vault, row, datetime.fromisoformat(row.completed_at),
                                      row.evidence_hash))
    job, reprint = vault.transact(read)
    if job is not None:
        return job
    row, data = reprint
    signed = timestamps.sign_confirmation(
        lambda mark: render_confirmation(data, row.lang, copy=True, no_timestamp=mark), branch_signer(vault, us),
        timestamps.probe(vault))
    pdf = signed.pdf
    return PrintJob(row.id, REPRINT, pdf, row.document_number)


def record_print(vault: Vault, us: SignedInUser, job: PrintJob, now: datetime | None = None) -> None:
    """Called once the printer accepted the job."""
    require(us.role, "session.start")

    def write(db: Session) -> None:
        row = load_own(db, us, job.signoff_id, COMPLETED)
        db.add(ConfirmationPrint(signoff_id=row.id, copy=job.copy, pdf_sha256=evidence.sha256_hex(job.pdf),
                                      printed_by=us.user_id, printed_at=iso(now_utc(now))))
        audit.append(db, us.actor, "signoff.printed", "signoff", row.id,
                     {"copy": job.copy, "document_number": row.document_number})
    vault.transact(write)


def printed_copies(vault: Vault, us: SignedInUser, signoff_id: str) -> list[tuple[str, str]]:
    """(copy, printed_at) of every print, in order."""
    require(us.role, "session.start")
    return vault.transact(lambda s: [(p.copy, p.printed_at) for p in s.scalars(
        select(ConfirmationPrint).where(ConfirmationPrint.signoff_id == signoff_id).order_by(ConfirmationPrint.id))])


def confirmation_pdf(vault: Vault, us: SignedInUser, signoff_id: str) -> bytes | None:
    require(us.role, "session.start")
    # The timestamped upgrade when there is one: the original followed by the timestamp update.
    return vault.transact(lambda s: timestamps.latest_pdf(s, signoff_id) or load(s, signoff_id).pdf)
