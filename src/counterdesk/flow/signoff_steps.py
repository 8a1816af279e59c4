"""The sign-off part of the counter session: signoff → approval → confirmation.

A mixin of counterdesk.flow.counter_session.CounterSession (kept apart so each module stays small).
The customer's actions (reading, recording consent, sentence, signature) and the teller's
attestation are stored by counterdesk.services.signoff as they happen; the steps' ``advance`` only reads the
stored state and decides where the session goes.
"""
from __future__ import annotations

from typing import Any, Mapping

from counterdesk.services.signoff import approvals, document, process
from counterdesk.services.signoff.common import APPROVED, COMPLETED, PENDING, STOPPED
from counterdesk.base.text import Result, Text
from counterdesk.flow.engine import Outcome, Stop

WAITING = Text("已提交主管审批，等待审批结果。主管可在其工作站审批，或在本机登录审批。",
               "Sent for supervisor approval. A supervisor approves on their workstation, or signs in here to approve.")
EXPIRED = Text("审批请求已过期，请重新提交。", "The approval request expired; submit it again.")
RECORDING_REFUSED = Text("客户不同意录音录像（双录），该产品不能销售，本次业务终止。",
                         "The customer did not consent to the sale recording (双录): the product cannot be sold and the "
                         "session ends.")


def _problem(field: str, code: str, zh: str, en: str) -> Result:
    res = Result()
    res.add(field, code, Text(zh, en))
    return res


class SignoffSteps:
    """Needs ``vault``, ``user``, ``session_id``, ``flow`` and ``lang`` from the host class."""

    # ---- actions (the UI runs each in a worker) -------------------------------------------------------
    def _begin_signoff(self, data: dict) -> Any:
        """A new sign-off of the chosen product (any unfinished earlier one is set aside)."""
        state = process.begin(self.vault, self.user, self.session_id, data["sale_decision_id"], self.lang,
                              screening_id=data.get("screening_id"), today=self.today)
        data["signoff"] = state
        return state

    def _signoff_id(self) -> str:
        return self.flow.data["signoff"].signoff_id

    def _keep(self, state):
        self.flow.data["signoff"] = state
        return state

    def record_reading(self, read: Mapping[str, Any], entered_at: str):
        return self._keep(process.record_reading(self.vault, self.user, self._signoff_id(), read, entered_at))

    def record_recording(self, consent: bool, reference: str | None = None):
        return self._keep(process.record_recording(self.vault, self.user, self._signoff_id(), consent, reference))

    def record_signature(self, sentence: str | None, signature_json: str, png: bytes, entered_at: str):
        return self._keep(process.record_signature(self.vault, self.user, self._signoff_id(), sentence,
                                                   signature_json, png, entered_at))

    def attest(self, identity_verified: bool, disclosure_explained: bool, recording_reference: str | None = None):
        return self._keep(process.attest(self.vault, self.user, self._signoff_id(), identity_verified,
                                         disclosure_explained, recording_reference))

    def approval_status(self):
        return approvals.latest_request(self.vault, self.user, self._signoff_id())

    def resubmit_approval(self):
        return approvals.resubmit(self.vault, self.user, self._signoff_id())

    def issue_confirmation(self):
        state = process.get_state(self.vault, self.user, self._signoff_id())
        if state.status == APPROVED:
            state = document.issue(self.vault, self.user, state.signoff_id)
        return self._keep(state)

    def prepare_print(self, copy: str):
        return document.prepare_print(self.vault, self.user, self._signoff_id(), copy)

    def record_print(self, job) -> list[tuple[str, str]]:
        document.record_print(self.vault, self.user, job)
        return document.printed_copies(self.vault, self.user, job.signoff_id)

    def confirmation_pdf(self) -> bytes | None:
        return document.confirmation_pdf(self.vault, self.user, self._signoff_id())

    # ---- steps ------------------------------------------------------------------------------------------
    def _recommendation(self, data: dict) -> Outcome:
        # The choice was stored by counterdesk.services.sales.recommendation (decision, reasons, catalog version).
        if not data.get("sale_decision_id"):
            return Outcome(_problem("product", "required", "请选择产品。", "Choose a product."))
        self._begin_signoff(data)
        data.pop("rejection", None)
        return Outcome(next_step="signoff")

    def _signoff(self, data: dict) -> Outcome:
        state = data.get("signoff")
        if state is None:
            return Outcome(_problem("signoff", "not_started", "签署尚未开始。", "The sign-off has not started."))
        state = process.get_state(self.vault, self.user, state.signoff_id)
        data["signoff"] = state
        if state.status == STOPPED:
            return Outcome(stop=Stop("recording_refused", RECORDING_REFUSED))
        if state.status == PENDING:
            return Outcome(next_step="approval")
        if state.status in (APPROVED, COMPLETED):
            return Outcome(next_step="confirmation")
        missing = []
        if state.read is None:
            missing.append(("reading", "客户阅读风险揭示", "the customer reads the disclosure"))
        if state.plan.recording_required and not state.recording_consent:
            missing.append(("recording", "客户对双录的同意", "the customer's consent to the recording"))
        if state.signed_at is None:
            missing.append(("signature", "客户签名", "the customer's signature"))
        if state.attested_at is None:
            missing.append(("attestation", "柜员确认", "the teller's attestation"))
        res = Result()
        for code, zh, en in missing:
            res.add(code, "missing", Text(f"尚未完成：{zh}", f"Not done yet: {en}"))
        return Outcome(res)

    def _approval(self, data: dict) -> Outcome:
        request = self.approval_status()
        data["approval"] = request
        if request is None:
            return Outcome(next_step="confirmation")
        if request.status == "approved":
            return Outcome(next_step="confirmation")
        if request.status == "rejected":
            # Back to the teller: a fresh sign-off of the same choice (or Back to choose another product).
            self._begin_signoff(data)
            data["rejection"] = request.decision_reason
            return Outcome(next_step="signoff")
        if request.status == "expired":
            return Outcome(hold=EXPIRED)
        return Outcome(hold=WAITING)

    def _confirmation(self, data: dict) -> Outcome:
        state = process.get_state(self.vault, self.user, data["signoff"].signoff_id)
        if state.status != COMPLETED:
            return Outcome(_problem("confirmation", "not_issued", "确认书尚未生成。", "The confirmation has not been issued."))
        printed = {copy for copy, _at in document.printed_copies(self.vault, self.user, state.signoff_id)}
        missing = [c for c in document.COPIES if c not in printed]
        if missing:
            res = Result()
            for copy in missing:
                res.add(copy, "not_printed", Text({"customer": "请打印客户联。", "branch": "请打印网点留存联。"}[copy],
                                                  {"customer": "Print the customer copy.",
                                                   "branch": "Print the branch copy."}[copy]))
            return Outcome(res)
        return Outcome(next_step="done")

