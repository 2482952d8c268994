"""Assessment: starting, answering, finishing and grading quiz attempts."""
from __future__ import annotations

import random
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.assessment.models import Answer, Attempt, Question, Quiz
from lms.assessment.types import InvalidAnswer, get_type
from lms.core.audit import record_event
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.learning.services import get_enrolment, update_completion

MAX_VALUES_PER_QUESTION = 50
MAX_VALUE_LENGTH = 2000


def live_questions(quiz_id: int) -> list[Question]:
    return list(db.session.scalars(
        sa.select(Question).where(Question.quiz_id == quiz_id, Question.archived_at.is_(None))
        .order_by(Question.position)))


def attempts_of(user_id: int, quiz_id: int) -> list[Attempt]:
    return list(db.session.scalars(
        sa.select(Attempt).where(Attempt.user_id == user_id, Attempt.quiz_id == quiz_id)
        .order_by(Attempt.number)))


def _draw(quiz: Quiz, rng: random.Random) -> dict[str, Any]:
    questions = live_questions(quiz.id)
    options = {}
    for question in questions:
        keys = get_type(question.type).option_keys(question.spec)
        rng.shuffle(keys)
        options[str(question.id)] = keys
    return {"questions": [q.id for q in questions], "options": options}


def start_attempt(user_id: int, quiz: Quiz, *, rng: random.Random | None = None) -> Attempt:
    """Open a new attempt, or return the open one; the database allows one open attempt."""
    if get_enrolment(user_id, quiz.course_id) is None:
        raise DomainError(_("Enrol in the course before taking its quizzes."))
    previous = attempts_of(user_id, quiz.id)
    open_attempt = next((a for a in previous if a.status == "open"), None)
    if open_attempt is not None:
        return open_attempt
    if quiz.attempts_allowed and len(previous) >= quiz.attempts_allowed:
        raise DomainError(_("You have used all %(n)d attempts at this quiz.",
                            n=quiz.attempts_allowed))
    attempt = Attempt(user_id=user_id, quiz_id=quiz.id, number=len(previous) + 1,
                      draw=_draw(quiz, rng or random.SystemRandom()),
                      course_version=quiz.course.version)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Another request opened one at the same moment: use that one.
        existing = db.session.scalar(sa.select(Attempt).where(
            Attempt.user_id == user_id, Attempt.quiz_id == quiz.id, Attempt.status == "open"))
        if existing is None:
            raise
        return existing
    return attempt


def drawn_questions(attempt: Attempt) -> list[Question]:
    """The attempt's questions in the order drawn (one query)."""
    ids = attempt.draw.get("questions", [])
    by_id = {q.id: q for q in db.session.scalars(sa.select(Question).where(Question.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def answers_of(attempt_id: int) -> dict[int, Answer]:
    return {a.question_id: a for a in db.session.scalars(
        sa.select(Answer).where(Answer.attempt_id == attempt_id))}


def save_answers(attempt: Attempt, submitted: dict[str, list[str]]) -> int:
    """Store the submitted answers; refuse them all if any is stale or malformed.

    `submitted` maps question id (as posted) to the posted values. Returns how
    many answers were stored.
    """
    if attempt.status != "open":
        raise DomainError(_("This attempt is already finished; your answers were not changed."))
    allowed = {str(i) for i in attempt.draw.get("questions", [])}
    questions = {str(q.id): q for q in drawn_questions(attempt)}
    parsed: dict[int, dict[str, Any]] = {}
    for qid, values in submitted.items():
        if qid not in allowed or qid not in questions:
            raise DomainError(_("The page was out of date: it held a question that is not "
                                "part of this attempt. Nothing was saved; please reload."))
        if len(values) > MAX_VALUES_PER_QUESTION or any(len(v) > MAX_VALUE_LENGTH
                                                        for v in values):
            raise DomainError(_("An answer was too long. Nothing was saved."))
        question = questions[qid]
        try:
            parsed[question.id] = get_type(question.type).parse(question.spec, values)
        except InvalidAnswer:
            raise DomainError(_("An answer did not match its question. Nothing was saved; "
                                "please reload the page.")) from None
    existing = answers_of(attempt.id)
    now = utcnow()
    for question_id, response in parsed.items():
        answer = existing.get(question_id)
        if answer is None:
            db.session.add(Answer(attempt_id=attempt.id, question_id=question_id,
                                  response=response, saved_at=now))
        else:
            answer.response, answer.saved_at = response, now
    db.session.flush()
    return len(parsed)


def finish_attempt(attempt: Attempt) -> Attempt:
    """Grade the attempt once: the conditional UPDATE lets only one finisher through."""
    claimed = db.session.execute(
        sa.update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "open")
        .values(status="finished", finished_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(attempt)
    if claimed != 1:
        return attempt  # already finished by another request: nothing to do
    questions = drawn_questions(attempt)
    answers = answers_of(attempt.id)
    total = 0.0
    for question in questions:
        answer = answers.get(question.id)
        if answer is not None:
            answer.score = get_type(question.type).grade(question.spec, answer.response)
            total += answer.score
    quiz = attempt.quiz
    attempt.score = round(100 * total / len(questions), 2) if questions else 0.0
    attempt.passed = attempt.score >= quiz.pass_mark
    record_event("attempt.graded", actor_id=attempt.user_id, target_type="attempt",
                 target_id=attempt.id, data={"quiz": quiz.key, "score": attempt.score,
                                             "passed": attempt.passed})
    db.session.flush()
    if attempt.passed and quiz.kind == "final":
        enrolment = get_enrolment(attempt.user_id, quiz.course_id)
        if enrolment is not None:
            update_completion(enrolment)
    return attempt


def unmet_quiz_requirements(enrolment) -> list[str]:
    """Receiver for learning's completion check: every live final quiz must be passed."""
    finals = list(db.session.scalars(sa.select(Quiz).where(
        Quiz.course_id == enrolment.course_id, Quiz.kind == "final",
        Quiz.archived_at.is_(None))))
    if not finals:
        return []
    passed = set(db.session.scalars(sa.select(Attempt.quiz_id).where(
        Attempt.user_id == enrolment.user_id, Attempt.passed.is_(True),
        Attempt.quiz_id.in_([q.id for q in finals]))))
    return [_("pass “%(quiz)s”", quiz=q.title) for q in finals if q.id not in passed]
