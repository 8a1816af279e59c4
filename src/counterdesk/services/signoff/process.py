"""Collecting the sign-off of one sale, step by step, as the teller's counter session goes.

begin → record_reading → record_recording (when required) → record_signature → attest. Every step
checks what the plan requires, stores it, and adds its link to the evidence chain in the same
transaction. Attesting either sends the sign-off to a supervisor (counterdesk.services.signoff.approvals) or
makes it ready to issue (counterdesk.services.signoff.document). Only the teller who owns the counter
session may call these; a refused recording stops the sale and the session.
"""
from __future__ import annotations

import io
import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.forms.disclosures import confirmation_sentence, sentence_matches
from counterdesk.identity.dates import age_on
from counterdesk.services.auth.vault import Vault
from counterdesk.services.catalog.versions import products_in
from counterdesk.services.customers import counter_sessions
from counterdesk.services.customers.common import current_answers
from counterdesk.services.signoff import evidence
from counterdesk.services.signoff.approvals import open_request
from counterdesk.services.signoff.common import (
    ABANDONED,
    APPROVED,
    COLLECTING,
    PENDING,
    REJECTED,
    STOPPED,
    SignoffState,
    check_reference,
    iso,
    load_own,
    now_utc,
    refuse,
    state_of,
)
from counterdesk.services.signoff.plan import make_plan
from counterdesk.services.signoff.signature import Signature, check_signature
from counterdesk.store import audit
from counterdesk.store.models.assessment import Assessment
from counterdesk.store.models.customers import AmlRating
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.sanctions import Screening
from counterdesk.store.models.signoff import Signoff

CUSTOMER_SCREEN = "customer_screen"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PNG_MAX = 2 * 1024 * 1024


def _valid_png(png: Any) -> bool:
    """A real, decodable PNG of sensible size (it is printed on the confirmation)."""
    if not isinstance(png, bytes) or not png.startswith(_PNG_MAGIC) or len(png) > _PNG_MAX:
        return False

    try:
        with Image.open(io.BytesIO(png)) as im:
            im.verify()
            return im.format == "PNG" and 0 < im.size[0] <= 4000 and 0 < im.size[1] <= 4000
    except Exception:
        return False


def _aml_level(db, customer_id: str) -> str | None:
    row = db.scalars(select(AmlRating).where(AmlRating.customer_id == customer_id)
                          .order_by(AmlRating.rated_at.desc(), AmlRating.id.desc()).limit(1)).first()
    return row.level if row is not None else None


def _first_links(db, row: Signoff, decision, product, kyc: Mapping[str, Any], customer, screening_id) -> None:
    """document → screening → questionnaire → suitability, from what the store holds."""

    doc = f"{kyc.get('id_doc_type')}|{kyc.get('id_number')}"
    evidence.append(db, row.id, "document", {
        "doc_type": kyc.get("id_doc_type"), "document_sha256": evidence.sha256_hex(doc),
        "customer_id": customer.id, "customer_version": customer.current_version})
    scr = db.get(Screening, screening_id) if screening_id else None
    evidence.append(db, row.id, "screening", {} if scr is None else {
        "screening_id": scr.id, "status": scr.status, "at": scr.created_at, "threshold": scr.threshold,
        "matcher": scr.matcher_version, "lists": json.loads(scr.list_hashes), "hits": len(json.loads(scr.hits)),
        "disposition": scr.disposition_reason_code, "disposed_by": scr.disposition_by})
    a = db.get(Assessment, decision.assessment_id) if decision.assessment_id else None
    evidence.append(db, row.id, "questionnaire", {} if a is None else {
        "assessment_id": a.id, "questionnaire": f"{a.questionnaire_id}@{a.questionnaire_version}",
        "form_hash": a.questionnaire_hash, "answers_sha256": evidence.sha256_hex(a.answers), "score": a.score,
        "grade": a.grade, "completed_at": a.completed_at, "confirmed_at": a.confirmed_at, "valid_until": a.valid_until})
    evidence.append(db, row.id, "suitability", {
        "decision_id": decision.id, "product_code": decision.product_code, "product_risk": product.applied_risk_level,
        "catalog_version": decision.catalog_version, "amount": decision.amount, "outcome": decision.outcome,
        "customer_initiated": decision.customer_initiated, "rules_version": decision.rules_version,
        "findings": [[f["rule"], f["effect"]] for f in json.loads(decision.findings)],
        "conditions": [[c["code"], bool(c.get("satisfied"))] for c in json.loads(decision.conditions)]})


def begin(vault: Vault, us: SignedInUser, session_id: str, sale_decision_id: str, lang: str,
          screening_id: str | None = None, today: date | None = None, now: datetime | None = None) -> SignoffState:
    """Start the sign-off of the chosen product; an earlier unfinished sign-off of the session is set aside."""
    require(us.role, "session.start")

    moment = now_utc(now)
    settings = vault.settings()

    def write(db: Session) -> SignoffState:
        cs = counter_sessions.load_open(db, us, session_id)
        decision = db.get(SaleDecision, sale_decision_id)
        if decision is None or decision.session_id != cs.id:
            raise refuse("decision_not_found", "该服务会话中没有这项产品选择。",
                         "No such product choice in this session.",
                         str(sale_decision_id))
        product = next((p for p in products_in(db, decision.catalog_version)
                        if p.code == decision.product_code), None)
        if product is None:
            raise refuse("product_not_found", "产品目录中找不到该产品。", "The product is not in the catalog.",
                         decision.product_code)
        customer, kyc = current_answers(db, decision.customer_id)
        birth = kyc.get("birth_date")
        age = age_on(date.fromisoformat(birth), today or moment.date()) if birth else None
        plan = make_plan(product=product, amount=Decimal(decision.amount),
                         customer_initiated=decision.customer_initiated,
                         outcome=decision.outcome, conditions=json.loads(decision.conditions), customer_age=age,
                         aml_level=_aml_level(db, decision.customer_id), settings=settings)
        for old in db.scalars(select(Signoff).where(Signoff.session_id == cs.id,
                                                         Signoff.status.in_((COLLECTING, REJECTED)))):
            old.status, old.updated_at = ABANDONED, iso(moment)
            audit.append(db, us.actor, "signoff.abandoned", "signoff", old.id)
        ts = iso(moment)
        row = Signoff(id=str(uuid.uuid4()), session_id=cs.id, sale_decision_id=decision.id, customer_id=customer.id,
                      teller_id=us.user_id, status=COLLECTING, plan=json.dumps(plan.to_dict(), ensure_ascii=False),
                      lang="en" if lang.startswith("en") else "zh", created_at=ts, updated_at=ts)
        db.add(row)
        db.flush()
        _first_links(db, row, decision, product, kyc, customer, screening_id)
        audit.append(db, us.actor, "signoff.started", "signoff", row.id,
                     {"product_code": product.code, "needs_approval": plan.needs_approval})
        return state_of(row)
    return vault.transact(write)


def record_reading(vault: Vault, us: SignedInUser, signoff_id: str, read: Mapping[str, Any],
                   entered_at: str) -> SignoffState:
    """The customer read the notices on the customer screen: scrolled to the end, long enough."""
    require(us.role, "session.start")
    if entered_at != CUSTOMER_SCREEN:
        raise refuse("not_customer_screen", "风险揭示须由客户本人在客户屏上阅读确认。",
                     "The customer confirms the disclosure personally, on the customer screen.", str(entered_at))

    def write(db: Session) -> SignoffState:
        row = load_own(db, us, signoff_id, COLLECTING)
        plan = state_of(row).plan
        shown = [(f.get("ref"), f.get("hash")) for f in read.get("forms") or [] if isinstance(f, Mapping)]
        if shown != list(zip(plan.forms, plan.form_hashes)):
            raise refuse("disclosure_mismatch", "客户看到的风险揭示与本次销售要求的文本不一致。",
                         "The texts shown are not the ones this sale requires.")
        seconds = read.get("seconds")
        if read.get("scrolled_to_end") is not True:
            raise refuse("not_scrolled", "客户尚未阅读到风险揭示的末尾。",
                         "The customer has not reached the end of the text.")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < plan.min_reading_seconds:
            raise refuse("too_fast", f"阅读时间不足 {plan.min_reading_seconds} 秒。",
                         f"The text was shown for less than {plan.min_reading_seconds} s.")
        record = {"forms": [list(s) for s in shown], "seconds": seconds, "scrolled_to_end": True,
                  "entered_at": entered_at, "lang": row.lang}
        row.read, row.updated_at = json.dumps(record), iso(now_utc())
        evidence.append(db, row.id, "disclosure", record)
        audit.append(db, us.actor, "signoff.disclosure_read", "signoff", row.id)
        return state_of(row)
    return vault.transact(write)


def _check_ref(reference: str | None) -> str:
    return check_reference(reference, "recording_ref", "录音录像系统的编号", "the recording system's reference")


def record_recording(vault: Vault, us: SignedInUser, signoff_id: str, consent: bool, reference: str | None = None
                     ) -> SignoffState:
    """The customer's consent to the sale recording (双录), given on the customer screen; the
    recording system's reference may come with it or with the teller's attestation. A refusal stops
    the sale and the counter session: the product cannot be sold without the recording."""
    require(us.role, "session.start")
    ref = _check_ref(reference) if consent and reference else None

    def write(db: Session) -> SignoffState:
        row = load_own(db, us, signoff_id, COLLECTING)
        if not state_of(row).plan.recording_required:
            raise refuse("recording_not_required", "本产品无需双录。", "This sale is not recorded.")
        row.recording_consent, row.recording_ref, row.updated_at = bool(consent), ref, iso(now_utc())
        evidence.append(db, row.id, "recording", {"consent": bool(consent), "reference": ref})
        audit.append(db, us.actor, "signoff.recording", "signoff", row.id, {"consent": bool(consent)})
        if not consent:
            row.status = STOPPED
            counter_sessions.stop_in(db, us, counter_sessions.load_open(db, us, row.session_id),
                                     "recording_refused")
        return state_of(row)
    return vault.transact(write)


def record_signature(vault: Vault, us: SignedInUser, signoff_id: str, sentence: str | None, signature_json: str,
                     png: bytes, entered_at: str = CUSTOMER_SCREEN, now: datetime | None = None) -> SignoffState:
    """The typed confirmation sentence (when required) and the handwritten signature."""
    require(us.role, "session.start")
    if entered_at != CUSTOMER_SCREEN:
        raise refuse("not_customer_screen", "确认语句和签名须由客户本人在客户屏上完成。",
                     "The customer types the sentence and signs personally, on the customer screen.")
    sig = Signature.from_json(signature_json)
    checked = check_signature(sig)
    if not checked.ok:
        raise refuse("signature_invalid", checked.problems[0].text.zh, checked.problems[0].text.en)
    if not _valid_png(png):
        raise refuse("signature_image", "签名图像无效。", "The signature image is not valid.")

    def write(db: Session) -> SignoffState:
        row = load_own(db, us, signoff_id, COLLECTING)
        plan = state_of(row).plan
        if row.read is None:
            raise refuse("not_read", "客户须先阅读风险揭示。", "The customer reads the disclosure first.")
        if plan.recording_required and not row.recording_consent:
            raise refuse("recording_missing", "须先记录客户对双录的同意。",
                         "Record the customer's consent to the recording first.")
        typed = None
        if plan.sentence_required:
            typed = (sentence or "").strip()
            # A customer insisting on an unsuitable product types their own decision (保险销售行为管理办法 Art 28).
            if not sentence_matches(typed, confirmation_sentence(row.lang, customer_insists=plan.customer_initiated)):
                raise refuse("sentence_mismatch", "客户抄录的确认语句与要求不符。",
                             "The typed sentence does not match the required one.")
        ts = iso(now_utc(now))
        row.typed_sentence, row.signature_json, row.signature_png = typed, signature_json, png
        row.signed_at = row.updated_at = ts
        evidence.append(db, row.id, "signature", {
            "sentence": typed, "strokes_sha256": evidence.sha256_hex(signature_json),
            "png_sha256": evidence.sha256_hex(png), "points": sig.point_count(), "duration_ms": sig.duration_ms(),
            "entered_at": entered_at, "at": ts})
        audit.append(db, us.actor, "signoff.signed", "signoff", row.id)
        return state_of(row)
    return vault.transact(write)


def attest(vault: Vault, us: SignedInUser, signoff_id: str, identity_verified: bool, disclosure_explained: bool,
           recording_reference: str | None = None, now: datetime | None = None) -> SignoffState:
    """The teller confirms the identity was verified and the disclosure explained (and gives the
    recording reference if not given yet). The sign-off then waits for a supervisor when the plan
    requires one, else it is ready to issue."""
    require(us.role, "session.start")
    if not (identity_verified and disclosure_explained):
        raise refuse("attestation_incomplete", "请确认已核实客户身份并已讲解风险揭示。",
                     "Confirm that you verified the identity and explained the disclosure.")
    moment = now_utc(now)
    ref = _check_ref(recording_reference) if recording_reference else None
    expiry = int(vault.settings()["signoff.approval_expiry_minutes"])

    def write(db: Session) -> SignoffState:
        row = load_own(db, us, signoff_id, COLLECTING)
        if row.signed_at is None:
            raise refuse("not_signed", "客户尚未签名。", "The customer has not signed yet.")
        plan = state_of(row).plan
        if plan.recording_required and not row.recording_ref:
            if ref is None:
                raise refuse("recording_ref", "请填写录音录像系统的编号。", "Enter the recording system's reference.")
            row.recording_ref = ref
            evidence.append(db, row.id, "recording", {"consent": True, "reference": ref})
        row.attested_at = row.updated_at = iso(moment)
        evidence.append(db, row.id, "attestation", {"teller": us.user_id, "identity_verified": True,
                                                         "disclosure_explained": True, "at": row.attested_at})
        if plan.needs_approval:
            open_request(db, us, row, plan, moment, expiry)
            row.status = PENDING  # the sign-off waits; the request itself is "pending"
        else:
            row.status = APPROVED
        audit.append(db, us.actor, "signoff.attested", "signoff", row.id, {"needs_approval": plan.needs_approval})
        return state_of(row)
    return vault.transact(write)


def get_state(vault: Vault, us: SignedInUser, signoff_id: str) -> SignoffState:
    require(us.role, "session.start")
    return vault.transact(lambda db: state_of(load_own(db, us, signoff_id)))


