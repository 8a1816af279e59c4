"""What the teller and the customer do during a counter session, as typed values submitted to the
flow (counterdesk.flow.counter_session). Each belongs to one step; ``None`` means "go on"."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from counterdesk.services.signoff.document import PrintJob


# ---- identification ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnterDocument:
    """The identity document as typed, scanned or read (step "document")."""

    id_doc_type: str | None
    id_number: str
    id_issue_date: str | None = None
    id_long_term: bool = False
    id_expiry_date: str | None = None
    mrz: str | None = None
    # The copy of the document for due diligence, taken on the same page (or the customer's refusal).
    copy: CaptureDocumentImage | None = None
    copy_refused: bool = False


@dataclass(frozen=True)
class DecideConsent:
    """The customer's separate consent to the processing of sensitive personal information."""

    granted: bool | None


@dataclass(frozen=True)
class EnterProfile:
    """The KYC answers typed on the profile step (a returning customer: only what changed)."""

    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaptureDocumentImage:
    """A copy of the identity document for due diligence (steps document, profile, recommendation): the
    image bytes from the reader, a chosen scanner file or a camera (``source``: reader, reader_simulator,
    file, camera). Value: the thumbnail (PNG bytes)."""

    data: bytes = field(repr=False)
    source: str


@dataclass(frozen=True)
class RefuseDocumentCopy:
    """The customer refuses to have the identity document copied (the same steps)."""


@dataclass(frozen=True)
class Screen:
    """Screen the customer (the step runs it as it opens; again after a supervisor's review)."""


# ---- risk assessment -----------------------------------------------------------------------------
@dataclass(frozen=True)
class FindCurrentAssessment:
    """Ask for a confirmed, unexpired assessment on file (value: AssessmentResult or None)."""


@dataclass(frozen=True)
class StartAssessment:
    """The customer starts the questionnaire on the customer window, or on the numbered paper form."""

    paper_form_number: str | None = None


@dataclass(frozen=True)
class RecordAnswers:
    """The customer's answers (value: (AnswersResult, AssessmentResult or None when not gradable))."""

    answers: dict[str, str]
    entered_at: str


@dataclass(frozen=True)
class ConfirmAssessment:
    """The customer confirms the result (and a changed grade, when it changed)."""

    regrade_confirmed: bool


@dataclass(frozen=True)
class UseCurrentAssessment:
    """Go on with the assessment on file instead of a new one."""


# ---- recommendation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Propose:
    """Rank the suitable products for an amount and the customer's declared finances (value: Proposal)."""

    amount: str
    declared: dict[str, Any]
    horizon: str | None = None
    acknowledged: bool = False


@dataclass(frozen=True)
class CheckOwnRequest:
    """The customer asks for a product themself (value: its Decision, or None for an unknown code).
    ``inputs``: the amount and finances on screen; the products are proposed again for them first, so
    the request is decided (and later stored) for what the teller sees, not for an earlier proposal."""

    code: str
    inputs: Propose | None = None


@dataclass(frozen=True)
class ChooseProduct:
    """The product sold: from the proposal, or the customer's own request (then goes to sign-off)."""

    code: str
    customer_initiated: bool = False


# ---- sign-off -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordReading:
    read: dict[str, Any]
    entered_at: str


@dataclass(frozen=True)
class RecordRecording:
    consent: bool
    reference: str | None = None


@dataclass(frozen=True)
class RecordSignature:
    sentence: str | None
    signature_json: str
    png: bytes
    entered_at: str


@dataclass(frozen=True)
class Attest:
    identity_verified: bool
    disclosure_explained: bool
    recording_reference: str | None = None


@dataclass(frozen=True)
class CheckApproval:
    """Poll the approval request (value: RequestInfo or None); goes on once it is decided."""

    resubmit: bool = False  # ask again after the request expired


@dataclass(frozen=True)
class IssueConfirmation:
    """Produce the signed confirmation (value: the SignoffState)."""


@dataclass(frozen=True)
class GetConfirmationPdf:
    """The signed PDF (value: bytes or None)."""


@dataclass(frozen=True)
class PreparePrint:
    """The bytes to print for a copy (value: PrintJob)."""

    copy: str


@dataclass(frozen=True)
class RecordPrint:
    """The printer accepted the job (value: every print so far, [(copy, printed_at)])."""

    job: PrintJob


__all__ = [
    "Attest", "CheckApproval", "CheckOwnRequest", "ChooseProduct", "ConfirmAssessment", "DecideConsent",
    "EnterDocument", "EnterProfile", "FindCurrentAssessment", "GetConfirmationPdf", "IssueConfirmation",
    "PreparePrint", "Propose", "RecordAnswers", "RecordPrint", "RecordReading", "RecordRecording",
    "RecordSignature", "Screen", "StartAssessment", "UseCurrentAssessment",
]
