"""Stored risk-tolerance assessments: start, record the customer's answers, grade, confirm.

The customer answers personally (理财业务监督管理办法 2018; NFRA 2025 Art 13): every answer records
where it was entered, on the customer screen or keyed in by the teller from a numbered paper form the
customer filled in; "teller_screen" is refused. A grade exists only once every question is answered
and no answers contradict each other. Limits (NFRA 2025 Art 29) count completed (graded) assessments:
at most ``assessment.max_per_day`` per calendar day (CST) and ``assessment.max_per_year`` in the
rolling 12 months before ``now``. A result whose grade differs from the previous valid one needs the
customer's explicit re-confirmation. ``now`` is injectable everywhere so the boundaries are testable.

Audit entries carry ids, codes and grades only; the answers stay in the encrypted database.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterdesk.base import assessment_validity as validity
from counterdesk.base.actors import SignedInUser
from counterdesk.base.branchtime import BRANCH_TZ
from counterdesk.base.roles import require
from counterdesk.base.settings import ASSESSMENT_MAX_PER_DAY, ASSESSMENT_MAX_PER_YEAR, ASSESSMENT_VALIDITY_MONTHS
from counterdesk.base.text import CounterDeskError, Result, Text, ValidationFailed
from counterdesk.forms.questionnaire import Questionnaire, questionnaire_from_form
from counterdesk.forms.registry import load_questionnaire
from counterdesk.grading.rules import Contradiction, add_months, evaluate, local_day
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.common import load_customer, new_id, version_row
from counterdesk.services.customers.counter_sessions import load_open
from counterdesk.services.customers.data_rights import require_unrestricted
from counterdesk.services.customers.designation import require_not_designated
from counterdesk.services.customers.forms_store import form_for, store_definition
from counterdesk.store import audit
from counterdesk.store.models.assessment import Assessment, PaperForm

IN_PROGRESS, COMPLETED, SUPERSEDED = "in_progress", "completed", "superseded"
CUSTOMER_SCREEN, PAPER_FORM, TELLER_SCREEN = "customer_screen", "paper_form", "teller_screen"
ENTRY_POINTS = (CUSTOMER_SCREEN, PAPER_FORM)



class AssessmentError(CounterDeskError):
    code = "assessment"


@dataclass(frozen=True)
class AnswersResult:
    """What ``record_answers`` found: questions still unanswered and contradictions to resolve."""

    assessment_id: str
    missing: tuple[str, ...]
    contradictions: tuple[Contradiction, ...]
    problems: Result  # the same, as coded problems (warnings: missing; errors: contradictions)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def gradable(self) -> bool:
        return not self.missing and not self.contradictions


@dataclass(frozen=True)
class AssessmentResult:
    assessment_id: str
    customer_id: str
    questionnaire: str  # "id@version"
    score: int
    grade: str  # "C1".."C5"
    name: Text  # 保守型 / Conservative ...
    lowest_category: bool
    lowest_reasons: tuple[str, ...]
    completed_at: datetime
    valid_until: datetime  # exclusive end: 00:00 CST after the last valid day (base.assessment_validity)
    previous_grade: str | None
    needs_reconfirmation: bool  # the grade differs from the previous valid one
    confirmed_at: datetime | None = None
    regrade_confirmed: bool | None = None

    @property
    def last_valid_day(self) -> date:
        """The last branch day (inclusive) it may be relied on: what screens, paper and the engine show."""
        return validity.last_valid_day(self.completed_at, validity.DEFAULT_MONTHS,
                                       validity.recorded_last_day(self.valid_until))


# ---- helpers ----------------------------------------------------------------------------------------------

def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _iso(moment: datetime) -> str:
    # Stored in UTC so that string order is time order (the limits compare strings in SQL).
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _error(code: str, zh: str, en: str, detail: str | None = None) -> AssessmentError:
    return AssessmentError(Text(zh, en), code=code, detail=detail)


def _load(db: Session, assessment_id: str) -> Assessment:
    row = db.get(Assessment, assessment_id) if isinstance(assessment_id, str) else None
    if row is None:
        raise _error("assessment_not_found", "找不到该风险评估。", "No such assessment.", str(assessment_id))
    return row


def _questionnaire_of(db: Session, row: Assessment) -> Questionnaire:
    return questionnaire_from_form(form_for(db, row.questionnaire_id, row.questionnaire_version,
                                            row.questionnaire_hash))


def _customer_facts(db: Session, customer_id: str) -> tuple[date | None, str | None]:
    """Birth date and civil capacity from the customer's current KYC version."""
    customer = load_customer(db, customer_id)
    data = json.loads(version_row(db, customer_id, customer.current_version).data)
    birth = None
    try:
        birth = date.fromisoformat(data["birth_date"]) if data.get("birth_date") else None
    except (TypeError, ValueError):
        birth = None
    return birth, data.get("civil_capacity", "full")


def _plain(answers_json: str) -> dict[str, str]:
    return {k: v["option"] for k, v in json.loads(answers_json).items()}


def completed_counts(db: Session, customer_id: str, now: datetime) -> tuple[int, int]:
    """(completed today in CST, completed in the rolling 12 months up to ``now``)."""
    day_start = datetime.combine(local_day(now), datetime.min.time(), BRANCH_TZ)
    year_start = add_months(now, -12)
    base = select(func.count()).select_from(Assessment).where(
        Assessment.customer_id == customer_id, Assessment.completed_at.is_not(None),
        Assessment.completed_at <= _iso(now))
    today = db.execute(base.where(Assessment.completed_at >= _iso(day_start))).scalar_one()
    # Rolling: one completed exactly 12 months ago has dropped out of the window.
    year = db.execute(base.where(Assessment.completed_at > _iso(year_start))).scalar_one()
    return today, year


def _check_limits(db: Session, vault: Vault, customer_id: str, now: datetime) -> None:
    settings = vault.settings()
    per_day, per_year = settings[ASSESSMENT_MAX_PER_DAY], settings[ASSESSMENT_MAX_PER_YEAR]
    today, year = completed_counts(db, customer_id, now)
    if today >= per_day:
        raise _error("limit_day", f"该客户今日已完成 {today} 次风险评估，每日最多 {per_day} 次，请明日再评估。",
                     f"The customer has completed {today} assessment(s) today; at most {per_day} a day are allowed. "
                     "Please assess again tomorrow.", f"day:{today}/{per_day}")
    if year >= per_year:
        raise _error("limit_year", f"该客户近 12 个月内已完成 {year} 次风险评估，最多 {per_year} 次。",
                     f"The customer has completed {year} assessments in the last 12 months; at most {per_year} "
                     "are allowed.", f"year:{year}/{per_year}")


def _current_row(db: Session, customer_id: str, now: datetime, months: int,
                 exclude: str | None = None) -> Assessment | None:
    # The SQL bound only narrows the candidates (stored ends are exclusive, so an end at or before now
    # is over); validity itself is decided by base.assessment_validity, which also caps rows graded
    # before the calendar-day rule (they stored the anniversary moment).
    q = (select(Assessment).where(Assessment.customer_id == customer_id, Assessment.status == COMPLETED,
                                  Assessment.confirmed_at.is_not(None), Assessment.valid_until > _iso(now),
                                  Assessment.completed_at <= _iso(now))
         .order_by(Assessment.completed_at.desc()))
    if exclude is not None:
        q = q.where(Assessment.id != exclude)
    for row in db.execute(q).scalars():
        assert row.completed_at is not None  # completed rows carry their completion time
        if validity.is_valid_at(datetime.fromisoformat(row.completed_at), now, months, _parse(row.valid_until)):
            return row
    return None


def _result(row: Assessment, q: Questionnaire, reasons: tuple[str, ...] = ()) -> AssessmentResult:
    # Only graded rows have a result: grading sets the score, the grade, the completion and the validity together.
    assert row.score is not None and row.grade is not None
    assert row.completed_at is not None and row.valid_until is not None
    band = q.band(row.grade)
    return AssessmentResult(row.id, row.customer_id, q.ref, row.score, row.grade, band.name, row.lowest_category,
                            reasons, datetime.fromisoformat(row.completed_at), datetime.fromisoformat(row.valid_until),
                            row.previous_grade,
                            row.previous_grade is not None and row.previous_grade != row.grade,
                            _parse(row.confirmed_at), row.regrade_confirmed)


# ---- API --------------------------------------------------------------------------------------------------

def start_assessment(vault: Vault, us: SignedInUser, customer_id: str, session_id: str,
                     questionnaire: Questionnaire | None = None, paper_form_number: str | None = None,
                     now: datetime | None = None) -> str:
    """Open an assessment for the customer identified in the teller's open counter session; returns its id.

    With ``paper_form_number`` the answers come from that issued paper form, and its questionnaire
    version is used. Refused (AssessmentError): over the daily or yearly limit (codes limit_day,
    limit_year), an unknown or already used form number, a session of another customer.
    """
    require(us.role, "assessment.run")
    moment = _now(now)

    def write(db: Session) -> str:
        counter = load_open(db, us, session_id)
        load_customer(db, customer_id)
        require_unrestricted(db, customer_id)  # PIPL Art 47: no new assessment of a restricted customer
        require_not_designated(db, customer_id)  # AML Law Art 40: no business with a designated customer
        if counter.customer_id != customer_id:
            raise _error("session_customer_mismatch", "该服务会话办理的不是这位客户。",
                         "This counter session is not serving this customer.", session_id)
        q = questionnaire
        if paper_form_number is not None:
            paper = db.get(PaperForm, paper_form_number) if isinstance(paper_form_number, str) else None
            if paper is None:
                raise _error("paper_form_unknown", "没有发放过这个编号的纸质问卷，请核对问卷右上角的编号。",
                             "No paper questionnaire with this number was issued; check the number printed on it.",
                             str(paper_form_number))
            used = db.execute(select(Assessment.id).where(
                Assessment.paper_form_number == paper_form_number)).first()
            if used is not None:
                raise _error("paper_form_used", "这份纸质问卷已经录入过。",
                             "This paper questionnaire was already keyed in.",
                             paper_form_number)
            paper_q = questionnaire_from_form(form_for(db, paper.form_id, paper.form_version, paper.form_hash))
            if q is not None and q.hash != paper_q.hash:
                raise _error("paper_form_version", "纸质问卷的版本与所选问卷不同。",
                             "The paper form is of a different questionnaire version.", paper_form_number)
            q = paper_q
        q = q or load_questionnaire()
        _check_limits(db, vault, customer_id, moment)
        store_definition(db, q.form)
        row = Assessment(id=new_id(), customer_id=customer_id, session_id=session_id, questionnaire_id=q.id,
                         questionnaire_version=q.version, questionnaire_hash=q.hash, answers="{}",
                         paper_form_number=paper_form_number, score=None, grade=None, lowest_category=False,
                         contradictions="[]", status=IN_PROGRESS, created_at=_iso(moment), created_by=us.user_id)
        db.add(row)
        db.flush()
        audit.append(db, us.actor, "assessment.started", "assessment", row.id,
                     {"customer_id": customer_id, "session_id": session_id, "form": q.ref,
                      "form_number": paper_form_number})
        return row.id
    return vault.transact(write)


def record_answers(vault: Vault, us: SignedInUser, assessment_id: str, answers: Mapping[str, str], entered_at: str,
                   now: datetime | None = None) -> AnswersResult:
    """Store the customer's answers (question -> option value), merged over earlier ones.

    ``entered_at``: "customer_screen" or "paper_form" (keyed in from the assessment's paper form).
    Unknown questions or options, or a disallowed entry point, raise ValidationFailed and store
    nothing. Returns the questions still missing and the contradictions found (the grade waits for
    the customer to re-answer them).
    """
    require(us.role, "assessment.run")
    moment = _now(now)
    bad = Result()
    if entered_at == TELLER_SCREEN:
        bad.add("entered_at", "teller_entry_refused", Text(
            "风险评估问卷须由客户本人填写，柜员不得代填。请让客户在客户屏上作答，或录入客户亲自填写的纸质问卷。",
            "The customer must answer the questionnaire personally; staff may not answer for them. Let the customer "
            "answer on the customer screen, or key in the paper form the customer filled in."))
        raise ValidationFailed(bad)
    if entered_at not in ENTRY_POINTS:
        bad.add("entered_at", "entered_at_invalid", Text("录入方式须为客户屏或纸质问卷。",
                                                         "Answers come from the customer screen or a paper form."))
        raise ValidationFailed(bad)
    if not isinstance(answers, Mapping):
        bad.add("answers", "type", Text("答案格式错误。", "The answers are malformed."))
        raise ValidationFailed(bad)

    def write(db: Session) -> AnswersResult:
        row = _load(db, assessment_id)
        load_open(db, us, row.session_id)
        if row.status != IN_PROGRESS:
            raise _error("assessment_closed", "该评估已完成，不能再修改答案。",
                         "This assessment is finished; answers cannot change.",
                         assessment_id)
        if entered_at == PAPER_FORM and row.paper_form_number is None:
            bad.add("entered_at", "paper_form_missing", Text("本次评估没有登记纸质问卷编号，不能按纸质问卷录入。",
                                                            "This assessment has no paper form "
                                                            "number to key answers in from."))
            raise ValidationFailed(bad)
        q = _questionnaire_of(db, row)
        for key, value in answers.items():
            try:
                question = q.question(key)
            except KeyError:
                bad.add(str(key), "unknown_field", Text("问卷中没有这道题。",
                                                        "The questionnaire has no such question."))
                continue
            if value not in question.scores:
                bad.add(key, "choice_invalid", Text("不是该题的选项。", "Not one of this question's options."))
        if not bad.ok:
            raise ValidationFailed(bad)
        stored = json.loads(row.answers)
        for key, value in answers.items():
            stored[key] = {"option": value, "entered_at": entered_at, "at": _iso(moment)}
        row.answers = json.dumps(stored, ensure_ascii=False, sort_keys=True)
        birth, capacity = _customer_facts(db, row.customer_id)
        ev = evaluate(q, _plain(row.answers), birth_date=birth, on=local_day(moment), civil_capacity=capacity)
        row.contradictions = json.dumps([c.as_json() for c in ev.contradictions], ensure_ascii=False)
        audit.append(db, us.actor, "assessment.answers_recorded", "assessment", row.id,
                     {"entered_at": entered_at, "questions": sorted(answers), "count": len(stored),
                      "contradictions": [c.code for c in ev.contradictions]})
        res = Result()
        for key in ev.missing:
            res.add(key, "required", Text("此题尚未作答。", "This question is not answered yet."), "warning")
        for c in ev.contradictions:
            for key in c.questions:
                res.add(key, f"contradiction.{c.code}", c.text)
        return AnswersResult(row.id, ev.missing, ev.contradictions, res)
    return vault.transact(write)


def grade(vault: Vault, us: SignedInUser, assessment_id: str, now: datetime | None = None) -> AssessmentResult:
    """Complete the assessment: score, grade C1-C5 and validity. The result is shown to the customer
    and must then be confirmed by them (``confirm``). Refused while answers are missing
    (``answers_missing``) or contradict each other (``contradictions``), and over the limits."""
    require(us.role, "assessment.run")
    moment = _now(now)

    def write(db: Session) -> AssessmentResult:
        row = _load(db, assessment_id)
        load_open(db, us, row.session_id)
        q = _questionnaire_of(db, row)
        if row.status != IN_PROGRESS:
            raise _error("assessment_closed", "该评估已经评级。", "This assessment has already been graded.",
                         assessment_id)
        birth, capacity = _customer_facts(db, row.customer_id)
        ev = evaluate(q, _plain(row.answers), birth_date=birth, on=local_day(moment), civil_capacity=capacity)
        row.contradictions = json.dumps([c.as_json() for c in ev.contradictions], ensure_ascii=False)
        if ev.missing:
            raise _error("answers_missing", f"还有 {len(ev.missing)} 道题未作答。",
                         f"{len(ev.missing)} question(s) are not answered yet.", ",".join(ev.missing))
        if ev.contradictions:
            raise _error("contradictions", "部分答案相互矛盾，须由客户重新作答后才能评级。",
                         "Some answers contradict each other; the customer must "
                         "re-answer them before a grade is given.",
                         ",".join(c.code for c in ev.contradictions))
        # Checked again here: two assessments started in parallel must not both complete over the limit.
        _check_limits(db, vault, row.customer_id, moment)
        months = vault.settings()[ASSESSMENT_VALIDITY_MONTHS]
        previous = _current_row(db, row.customer_id, moment, months, exclude=row.id)
        assert ev.band is not None  # no answers missing, no contradictions: the answers were graded
        row.score, row.grade, row.lowest_category = ev.score, ev.band.grade, ev.lowest_category
        row.status, row.completed_at = COMPLETED, _iso(moment)
        row.valid_until = _iso(validity.valid_end(moment, months))
        row.previous_grade = previous.grade if previous is not None else None
        db.flush()
        audit.append(db, us.actor, "assessment.graded", "assessment", row.id,
                     {"customer_id": row.customer_id, "grade": row.grade, "previous_grade": row.previous_grade,
                      "lowest_category": row.lowest_category})
        return _result(row, q, ev.lowest_reasons)
    return vault.transact(write)


def confirm(vault: Vault, us: SignedInUser, assessment_id: str, regrade_confirmed: bool = False,
            now: datetime | None = None) -> AssessmentResult:
    """The customer confirms the result shown to them. When the grade differs from the previous valid
    one, ``regrade_confirmed`` must be True (the customer was told and re-confirms). Older completed
    assessments of the customer become superseded."""
    require(us.role, "assessment.run")
    moment = _now(now)

    def write(db: Session) -> AssessmentResult:
        row = _load(db, assessment_id)
        load_open(db, us, row.session_id)
        if row.status != COMPLETED or row.confirmed_at is not None:
            raise _error("assessment_not_confirmable", "该评估尚未评级或已经确认。",
                         "This assessment is not graded yet or is already confirmed.", assessment_id)
        changed = row.previous_grade is not None and row.previous_grade != row.grade
        if changed and regrade_confirmed is not True:
            q = _questionnaire_of(db, row)
            # graded (COMPLETED), and ``changed`` means there is a previous grade
            assert row.grade is not None and row.previous_grade is not None
            old, new = q.band(row.previous_grade).name, q.band(row.grade).name
            raise _error("regrade_unconfirmed",
                         f"评估等级由 {row.previous_grade}（{old.zh}）"
                         f"变为 {row.grade}（{new.zh}），须客户明确确认新等级。",
                         f"The grade changed from {row.previous_grade} ({old.en}) to {row.grade} ({new.en}); "
                         "the customer must explicitly confirm the new grade.", f"{row.previous_grade}->{row.grade}")
        row.confirmed_at, row.confirmed_by = _iso(moment), "customer"
        row.regrade_confirmed = bool(regrade_confirmed) if changed else None
        for older in db.execute(select(Assessment).where(
                Assessment.customer_id == row.customer_id, Assessment.status == COMPLETED,
                Assessment.id != row.id, Assessment.completed_at <= row.completed_at)).scalars():
            older.status = SUPERSEDED
        db.flush()
        audit.append(db, us.actor, "assessment.confirmed", "assessment", row.id,
                     {"customer_id": row.customer_id, "grade": row.grade, "previous_grade": row.previous_grade,
                      "regrade_confirmed": row.regrade_confirmed})
        return _result(row, _questionnaire_of(db, row))
    return vault.transact(write)


def current_assessment(vault: Vault, us: SignedInUser, customer_id: str,
                       now: datetime | None = None) -> AssessmentResult | None:
    """The customer's latest completed, confirmed and unexpired assessment at ``now``, or None."""
    require(us.role, "assessment.view")
    moment = _now(now)

    def read(db: Session) -> AssessmentResult | None:
        row = _current_row(db, customer_id, moment, vault.settings()[ASSESSMENT_VALIDITY_MONTHS])
        return None if row is None else _result(row, _questionnaire_of(db, row))
    return vault.transact(read)


def latest_assessment(vault: Vault, us: SignedInUser, customer_id: str) -> AssessmentResult | None:
    """The customer's latest completed and confirmed assessment, valid or expired (the screens say which,
    by base.assessment_validity), or None."""
    require(us.role, "assessment.view")

    def read(db: Session) -> AssessmentResult | None:
        row = db.execute(select(Assessment).where(Assessment.customer_id == customer_id,
                                                  Assessment.status == COMPLETED, Assessment.confirmed_at.is_not(None))
                         .order_by(Assessment.completed_at.desc()).limit(1)).scalar_one_or_none()
        return None if row is None else _result(row, _questionnaire_of(db, row))
    return vault.transact(read)


def get_answers(vault: Vault, us: SignedInUser, assessment_id: str) -> dict[str, Any]:
    """The stored answers with their entry points (for resuming, review and the evidence record)."""
    require(us.role, "assessment.view")
    return vault.transact(lambda db: json.loads(_load(db, assessment_id).answers))
