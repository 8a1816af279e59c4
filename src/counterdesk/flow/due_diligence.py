"""Customer due diligence in the counter session (Order 〔2025〕 No. 11): the copy of the identity document
and the check before a sale at or above the threshold.

A base of counterdesk.flow.counter_session.CounterSession (kept apart so each module stays small).
The copy is captured on the identification steps (and still on the recommendation step): checked in
memory at once, and kept in the encrypted store as soon as the session has a customer (a new
customer's data is stored only at the profile step, after consent). Choosing a product at or above
the threshold then needs a copy, no refusal and complete identity data; otherwise the session stops
with the Order's reason and a referral for the AML officer is recorded in the same transaction.
"""
from __future__ import annotations

from counterdesk.base.actors import SignedInUser
from counterdesk.base.text import Result, Text
from counterdesk.flow.actions import CaptureDocumentImage, RefuseDocumentCopy
from counterdesk.flow.engine import Outcome, Stop
from counterdesk.flow.state import CounterSessionState
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers import document_images
from counterdesk.services.customers import due_diligence as dd
from counterdesk.services.customers.common import current_answers

COPY_NEEDED = Text("以 {currency} 计价的产品，本次金额达到客户尽职调查门槛（{basis}）：选择这类产品前须留存客户身份证件"
                   "影印件，否则销售将终止并提交可疑交易报告线索（{citation}）。",
                   "For products in {currency} this amount reaches the due-diligence threshold ({basis}): keep a copy "
                   "of the identity document before choosing one, or the sale stops with a suspicious-transaction "
                   "referral ({citation}).")


class DueDiligenceSteps:
    vault: Vault
    user: SignedInUser
    session_id: str

    def _document_copy(self, state: CounterSessionState, action: object) -> Outcome | None:
        """The copy's actions, on the steps that accept them (None: not one of them)."""
        if isinstance(action, CaptureDocumentImage):
            res, image = document_images.check_image(action.data, action.source, self.vault.settings())
            if image is None:
                return Outcome(res)
            state.document_copy, state.document_copy_refused = image, False
            self._keep_document_copy(state)
            return Outcome(stay=True, value=image.thumbnail)
        if isinstance(action, RefuseDocumentCopy):
            # Nothing is stored for a refusal: it matters only if the sale reaches the threshold, and then
            # the referral records it.
            state.document_copy, state.document_copy_refused = None, True
            return Outcome(stay=True)
        return None

    def _copy_from_entry(self, state: CounterSessionState, copy: CaptureDocumentImage | None,
                         refused: bool) -> Result:
        """The copy taken with the document (kept at the profile step, once there is a customer)."""
        if copy is None:
            if refused:  # otherwise a copy captured earlier on the step stays
                state.document_copy, state.document_copy_refused = None, True
            return Result()
        res, image = document_images.check_image(copy.data, copy.source, self.vault.settings())
        if image is not None:
            state.document_copy, state.document_copy_refused = image, False
        return res

    def _keep_document_copy(self, state: CounterSessionState) -> None:
        """Store a captured copy once the session has a customer (consent given, data stored)."""
        image, doc = state.document_copy, state.document
        if image is None or state.customer_id is None or doc is None or doc.doc_type is None:
            return
        state.document_copy_id = document_images.store_image(self.vault, self.user, state.customer_id, doc.doc_type,
                                                             doc.number, image, self.session_id)
        state.document_copy = None

    def _has_document_copy(self, state: CounterSessionState) -> bool:
        if state.document_copy_id is not None:
            return True
        doc = state.document
        if state.customer_id is None or doc is None:
            return False
        # A returning customer's copy of this same document, kept in an earlier session, still counts.
        return document_images.current_image(self.vault, self.user, state.customer_id, doc.doc_type,
                                             doc.number) is not None

    def _due_diligence_notice(self, state: CounterSessionState, res: Result) -> None:
        """A warning on the proposal when its amount needs a copy that is not kept yet."""
        proposal = state.proposal
        if proposal is None or state.document_copy_refused or self._has_document_copy(state):
            return
        settings = self.vault.settings()
        # One warning per currency of the products on offer (the amount is in the product's currency).
        for currency in sorted({p.currency for p in proposal.products.values()}):
            hit = dd.threshold_check(proposal.context.amount, currency, settings)
            if hit.required:
                res.add("document_image", "due_diligence_copy_needed", Text(
                    COPY_NEEDED.zh.format(currency=currency, basis=hit.basis.zh, citation=dd.CITATION.zh),
                    COPY_NEEDED.en.format(currency=currency, basis=hit.basis.en, citation=dd.CITATION.en)), "warning")

    def _due_diligence_stop(self, state: CounterSessionState, code: str) -> Outcome | None:
        """Before the choice of ``code`` is stored: stop the sale when due diligence cannot be completed."""
        proposal = state.proposal
        product = proposal.products.get(code) if proposal is not None else None
        if proposal is None or product is None:
            return None
        amount = proposal.context.amount
        if not dd.threshold_check(amount, product.currency, self.vault.settings()).required:
            return None
        missing: list[tuple[str, Text]] = []
        if state.document_copy_refused:
            reason: str | None = dd.REFUSED
        elif not self._has_document_copy(state):
            reason = dd.NO_COPY
        else:
            customer_id = state.customer_id
            answers = self.vault.transact(lambda db: current_answers(db, customer_id)[1]) if customer_id else {}
            missing = dd.missing_identity(answers)
            reason = dd.INCOMPLETE if missing else None
        if reason is None:
            return None
        state.referral_id = dd.record_referral_and_stop(self.vault, self.user, self.session_id, state.customer_id,
                                                        reason, product.code, amount, product.currency)
        return Outcome(stop=Stop(reason, dd.stop_text(reason, missing)))
