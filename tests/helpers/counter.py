"""A counter session driven through the core (no Qt): identification, the customer's questionnaire,
the product choice and the customer's sign-off, with the actions of counterdesk.flow.actions."""
from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from PIL import Image, ImageDraw

from counterdesk.flow.actions import (
    Attest,
    CaptureDocumentImage,
    CheckOwnRequest,
    ChooseProduct,
    ConfirmAssessment,
    DecideConsent,
    EnterDocument,
    EnterProfile,
    Propose,
    RecordAnswers,
    RecordReading,
    RecordRecording,
    RecordSignature,
    Screen,
    StartAssessment,
)
from counterdesk.flow.counter_session import CounterSession
from counterdesk.forms.disclosures import confirmation_sentence
from counterdesk.forms.registry import load_questionnaire
from counterdesk.identity.readers import SimulatorReader
from counterdesk.services.signoff.signature import Signature, Stroke
from helpers.demo import PASSWORDS

# Resident IDs with valid check characters: the demo specimen (born 1949-12-31, female) and two more.
SPECIMEN = EnterDocument(id_doc_type="resident_id", id_number="11010519491231002X", id_issue_date="2006-05-20",
                         id_long_term=True)
YOUNG = EnterDocument(id_doc_type="resident_id", id_number="110105199001010029", id_issue_date="2020-05-20",
                      id_expiry_date="2040-05-20")
MIDDLE = EnterDocument(id_doc_type="resident_id", id_number="110105198005050023", id_issue_date="2020-06-01",
                       id_expiry_date="2040-06-01")


def kyc(birth: str = "1949-12-31", **changes: Any) -> dict[str, Any]:
    """The KYC answers of a female customer born on ``birth`` (what the documents above encode)."""
    return {"name_zh": "张晓梅", "sex": "female", "birth_date": birth, "nationality": "CHN",
            "phone": "13812345678", "address": "北京市朝阳区建国路 88 号", "occupation": "gbt6565_2",
            "employer": "某某研究所", "civil_capacity": "full", "tax_residency": "cn_only", "pep_status": "none",
            "customer_tier": "mass", **changes}


def _png() -> bytes:
    im = Image.new("RGBA", (400, 160), (255, 255, 255, 0))
    ImageDraw.Draw(im).line([(10, 40), (200, 90), (380, 50)], fill=(0, 0, 80, 255), width=4)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


PNG = _png()


def signature_json() -> str:
    strokes = [Stroke.of([(10 + i * 6, 40 + (i % 5) * 7, 0.6, i * 15) for i in range(40)]),
               Stroke.of([(30 + i * 5, 90 - (i % 4) * 9, 0.5, 700 + i * 15) for i in range(30)])]
    return Signature(strokes=tuple(strokes), width=400, height=160).to_json()


def questionnaire_answers(option: int = 1, age: str = "age_65_up", **changes: str) -> dict[str, str]:
    """An answer for every question: the ``option``-th choice (or the last), the given age band."""
    q = load_questionnaire()
    answers = {x.key: q.form.field(x.key).options[min(option, len(q.form.field(x.key).options) - 1)].value
               for x in q.questions}
    answers["age"] = age
    answers.update(changes)
    return answers


def reader_copy(profile: str = "resident_id_long_term") -> CaptureDocumentImage:
    """The simulator reader's image of a specimen card: the document copy due diligence keeps."""
    return CaptureDocumentImage(SimulatorReader().capture_image(profile).data, "reader_simulator")


def identify(counter_session: CounterSession, doc: EnterDocument = SPECIMEN, answers: dict[str, Any] | None = None,
             copy: bool = True) -> None:
    """Document (with the reader's copy of it, as a counter does for sales reaching the due-diligence
    threshold, unless ``copy`` is False), consent (a new customer), customer data and screening, up to
    the assessment."""
    if copy and doc.copy is None and not doc.copy_refused:
        doc = replace(doc, copy=reader_copy())
    for action in (doc, DecideConsent(True), EnterProfile(answers if answers is not None else kyc()), Screen()):
        if action.__class__ is DecideConsent and counter_session.flow.current_id != "consent":
            continue  # a returning customer gave consent before
        outcome = counter_session.submit(action)
        assert outcome.result.ok and outcome.stop is None, outcome
    assert counter_session.flow.current_id == "assessment", counter_session.flow.held


def assess(counter_session: CounterSession, answers: dict[str, str], regrade_confirmed: bool = False) -> None:
    """The customer answers and confirms on the customer window; the session goes on to the products."""
    counter_session.submit(StartAssessment())
    _found, graded = counter_session.submit(RecordAnswers(answers, "customer_screen")).value
    assert graded is not None, _found.contradictions
    outcome = counter_session.submit(ConfirmAssessment(regrade_confirmed))
    assert outcome.result.ok and counter_session.flow.current_id == "recommendation", outcome


def at_recommendation(vault, option: int = 1, age_answer: str = "age_65_up", doc: EnterDocument = SPECIMEN,
                      birth: str = "1949-12-31") -> CounterSession:
    """A teller's session with a new customer, identified and assessed, at the recommendation step."""
    teller = vault.sign_in("teller", PASSWORDS["teller"])
    counter_session = CounterSession(vault, teller)
    identify(counter_session, doc, kyc(birth))
    assess(counter_session, questionnaire_answers(option, age_answer))
    return counter_session


def choose(counter_session: CounterSession, code: str, amount: str = "100000", own: bool = False) -> None:
    """Propose for ``amount``, then choose ``code`` (as the customer's own request with ``own``)."""
    proposal = counter_session.submit(Propose(amount, {"investable_assets": "5000000"})).value
    assert proposal is not None
    decision = counter_session.submit(CheckOwnRequest(code)).value if own else proposal.decisions[code]
    assert decision.outcome != "prohibited", decision
    outcome = counter_session.submit(ChooseProduct(code, customer_initiated=own))
    assert outcome.result.ok and counter_session.flow.current_id == "signoff", outcome


def customer_signs(counter_session: CounterSession) -> None:
    """The customer reads, consents to the recording, types the sentence and signs; the teller attests."""
    plan = counter_session.state.signoff.plan
    counter_session.submit(RecordReading({"seconds": plan.min_reading_seconds, "scrolled_to_end": True,
                                "forms": [{"ref": r, "hash": h} for r, h in zip(plan.forms, plan.form_hashes)]},
                               "customer_screen"))
    if plan.recording_required:
        counter_session.submit(RecordRecording(True, "REC-2026-000123"))
    counter_session.submit(RecordSignature(confirmation_sentence("zh", plan.customer_initiated)
                                           if plan.sentence_required else None, signature_json(),
                                 PNG, "customer_screen"))
    counter_session.submit(Attest(True, True))


def document(doc: EnterDocument = SPECIMEN, **changes: Any) -> EnterDocument:
    return replace(doc, **changes)
