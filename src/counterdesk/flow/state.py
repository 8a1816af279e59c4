"""What a counter session has established so far, step by step (the flow's state, copied for Back)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from counterdesk.base.text import Problem
from counterdesk.services.assessment.repository import AssessmentResult
from counterdesk.services.customers.document_images import CheckedImage
from counterdesk.services.customers.records import CustomerSummary, Rating
from counterdesk.services.sales.recommendation import Proposal
from counterdesk.services.signoff.approvals import RequestInfo
from counterdesk.services.signoff.common import SignoffState
from counterdesk.suitability.evaluation import Decision


@dataclass(frozen=True)
class DocumentFacts:
    """What the checked identity document says (numbers in their canonical form)."""

    doc_type: str | None
    number: str
    birth_date: str | None  # ISO date
    sex: str | None         # "M" / "F"
    nationality: str | None
    age: int | None


@dataclass
class CounterSessionState:
    # identification
    document_entry: dict[str, Any] = field(default_factory=dict)  # the document fields as entered
    mrz: str | None = None
    document: DocumentFacts | None = None
    warnings: list[Problem] = field(default_factory=list)
    existing: CustomerSummary | None = None   # a returning customer, found by the document
    customer_id: str | None = None
    consent_id: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)  # the validated KYC answers
    screening_id: str | None = None
    screening_status: str | None = None
    aml: Rating | None = None
    # due diligence (Order 〔2025〕 No. 11): the copy of the document, kept once there is a customer
    document_copy: CheckedImage | None = None  # captured, not stored yet (a new customer is stored at profile)
    document_copy_id: str | None = None        # the copy kept in this session
    document_copy_refused: bool = False
    referral_id: str | None = None             # the AML referral when due diligence could not be completed
    # risk assessment
    assessment_id: str | None = None
    assessment: AssessmentResult | None = None
    # recommendation
    proposal: Proposal | None = None
    own_request: tuple[str, Decision | None] | None = None  # (code, decision) the customer asked for
    sale_decision_id: str | None = None
    # sign-off
    signoff: SignoffState | None = None
    approval: RequestInfo | None = None
    rejection: str | None = None  # a supervisor's reason when the sale came back to the teller
