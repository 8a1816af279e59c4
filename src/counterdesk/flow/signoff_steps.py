"""The sign-off part of the counter session: signoff → approval → confirmation.

A base of counterdesk.flow.counter_session.CounterSession (kept apart so each module stays small).
The customer's actions (reading, recording consent, sentence, signature) and the teller's
attestation are stored by counterdesk.services.signoff as they happen (the step stays); going on
reads the stored state and decides where the session goes.
"""
from __future__ import annotations

from datetime import date

from counterdesk.base.actors import SignedInUser
from counterdesk.base.text import Result, Text
from counterdesk.flow.actions import (
    Attest,
    CheckApproval,
    GetConfirmationPdf,
    IssueConfirmation,
    PreparePrint,
    RecordPrint,
    RecordReading,
    RecordRecording,
    RecordSignature,
)
from counterdesk.flow.engine import Outcome, Stop
from counterdesk.flow.state import CounterSessionState
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import approvals, document, process
from counterdesk.services.signoff.approvals import RequestInfo
from counterdesk.services.signoff.common import APPROVED, COMPLETED, PENDING, STOPPED, SignoffState

WAITING = Text("已提交主管审批，等待审批结果。主管可在其工作站审批，或在本机登录审批。",
               "Sent for supervisor approval. A supervisor approves on their workstation, or signs in here to approve.")
EXPIRED = Text("审批请求已过期，请重新提交。", "The approval request expired; submit it again.")
RECORDING_REFUSED = Text("客户不同意录音录像（双录），该产品不能销售，本次业务终止。",
                         "The customer did not consent to the sale recording (双录): "
                         "the product cannot be sold and the session ends.")


def _problem(field: str, code: str, zh: str, en: str) -> Result:
    res = Result()
    res.add(field, code, Text(zh, en))
    return res


def _unexpected(step: str, action: object) -> Outcome:
    return Outcome(_problem(step, "unexpected_action", "当前步骤不能执行该操作。",
                            f"The {step} step cannot do that ({type(action).__name__})."))


class SignoffSteps:
    vault: Vault
    user: SignedInUser
    session_id: str
    lang: str
    today: date | None

    def _begin_signoff(self, state: CounterSessionState) -> Outcome:
        """A new sign-off of the chosen product (any unfinished earlier one is set aside)."""
        if state.sale_decision_id is None:
            return Outcome(_problem("product", "required", "请选择产品。", "Choose a product."))
        state.signoff = process.begin(self.vault, self.user, self.session_id, state.sale_decision_id, self.lang,
                                      screening_id=state.screening_id, today=self.today)
        state.rejection = None
        return Outcome(next_step="signoff")

    def _signoff(self, state: CounterSessionState, action: object) -> Outcome:
        current = state.signoff
        if current is None:
            return Outcome(_problem("signoff", "not_started", "签署尚未开始。", "The sign-off has not started."))
        sid = current.signoff_id
        if isinstance(action, RecordReading):
            state.signoff = process.record_reading(self.vault, self.user, sid, action.read, action.entered_at)
        elif isinstance(action, RecordRecording):
            state.signoff = process.record_recording(self.vault, self.user, sid, action.consent, action.reference)
            if not action.consent:
                return Outcome(stop=Stop("recording_refused", RECORDING_REFUSED))
        elif isinstance(action, RecordSignature):
            state.signoff = process.record_signature(self.vault, self.user, sid, action.sentence,
                                                     action.signature_json, action.png, action.entered_at)
        elif isinstance(action, Attest):
            state.signoff = process.attest(self.vault, self.user, sid, action.identity_verified,
                                           action.disclosure_explained, action.recording_reference)
            return self._after_signoff(state, state.signoff)  # attested: on to approval or confirmation
        elif action is not None:
            return _unexpected("signoff", action)
        else:
            return self._after_signoff(state, process.get_state(self.vault, self.user, sid))
        return Outcome(stay=True, value=state.signoff)

    def _after_signoff(self, state: CounterSessionState, signoff: SignoffState) -> Outcome:
        state.signoff = signoff
        if signoff.status == STOPPED:
            return Outcome(stop=Stop("recording_refused", RECORDING_REFUSED))
        if signoff.status == PENDING:
            return Outcome(next_step="approval", value=signoff)
        if signoff.status in (APPROVED, COMPLETED):
            return Outcome(next_step="confirmation", value=signoff)
        missing = []
        if signoff.read is None:
            missing.append(("reading", "客户阅读风险揭示", "the customer reads the disclosure"))
        if signoff.plan.recording_required and not signoff.recording_consent:
            missing.append(("recording", "客户对双录的同意", "the customer's consent to the recording"))
        if signoff.signed_at is None:
            missing.append(("signature", "客户签名", "the customer's signature"))
        if signoff.attested_at is None:
            missing.append(("attestation", "柜员确认", "the teller's attestation"))
        res = Result()
        for code, zh, en in missing:
            res.add(code, "missing", Text(f"尚未完成：{zh}", f"Not done yet: {en}"))
        return Outcome(res)

    def _approval(self, state: CounterSessionState, action: object) -> Outcome:
        if action is not None and not isinstance(action, CheckApproval):
            return _unexpected("approval", action)
        if state.signoff is None:
            return Outcome(_problem("signoff", "not_started", "签署尚未开始。", "The sign-off has not started."))
        sid = state.signoff.signoff_id
        request: RequestInfo | None
        if isinstance(action, CheckApproval) and action.resubmit:
            request = approvals.resubmit(self.vault, self.user, sid)
        else:
            request = approvals.latest_request(self.vault, self.user, sid)
        state.approval = request
        if request is None or request.status == "approved":
            return Outcome(next_step="confirmation", value=request)
        if request.status == "rejected":
            # Back to the teller: a fresh sign-off of the same choice (or Back to choose another product).
            outcome = self._begin_signoff(state)
            state.rejection = request.decision_reason
            outcome.value = request
            return outcome
        return Outcome(hold=EXPIRED if request.status == "expired" else WAITING, value=request)

    def _confirmation(self, state: CounterSessionState, action: object) -> Outcome:
        if state.signoff is None:
            return Outcome(_problem("signoff", "not_started", "签署尚未开始。", "The sign-off has not started."))
        sid = state.signoff.signoff_id
        if isinstance(action, IssueConfirmation):
            signoff = process.get_state(self.vault, self.user, sid)
            if signoff.status == APPROVED:
                signoff = document.issue(self.vault, self.user, signoff.signoff_id)
            state.signoff = signoff
            return Outcome(stay=True, value=signoff)
        if isinstance(action, GetConfirmationPdf):
            return Outcome(stay=True, value=document.confirmation_pdf(self.vault, self.user, sid))
        if isinstance(action, PreparePrint):
            return Outcome(stay=True, value=document.prepare_print(self.vault, self.user, sid, action.copy))
        if isinstance(action, RecordPrint):
            document.record_print(self.vault, self.user, action.job)
            return Outcome(stay=True, value=document.printed_copies(self.vault, self.user, action.job.signoff_id))
        if action is not None:
            return _unexpected("confirmation", action)
        signoff = process.get_state(self.vault, self.user, sid)
        if signoff.status != COMPLETED:
            return Outcome(_problem("confirmation", "not_issued", "确认书尚未生成。",
                                    "The confirmation has not been issued."))
        printed = {copy for copy, _at in document.printed_copies(self.vault, self.user, signoff.signoff_id)}
        missing = [c for c in document.COPIES if c not in printed]
        if missing:
            res = Result()
            for copy in missing:
                res.add(copy, "not_printed", Text({"customer": "请打印客户联。", "branch": "请打印网点留存联。"}[copy],
                                                  {"customer": "Print the customer copy.",
                                                   "branch": "Print the branch copy."}[copy]))
            return Outcome(res)
        return Outcome(next_step="done")
