"""Regrading after an instructor corrects an answer key.

Finished attempts are graded again against the questions' current specs; each
changed mark is written to the audit log with the old and new values. A change
that would alter a completion or a certificate (passed becomes failed, or the
other way round, on a final test) is flagged for an admin instead of being
acted on silently.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.assessment.models import Attempt, Question, Quiz, RegradeFlag
from lms.assessment.services import answers_of, compute_scores, grade_answers, record_scores
from lms.core.audit import record_event
from lms.core.db import db, utcnow
from lms.learning.services import get_enrolment


@dataclass(frozen=True)
class RegradeChange:
    attempt_id: int
    user_id: int
    old_score: float
    new_score: float
    old_passed: bool
    new_passed: bool


def regrade_quiz(quiz: Quiz, *, actor_id: int, dry_run: bool = False) -> list[RegradeChange]:
    """Re-grade every finished attempt; return the attempts whose mark changed."""
    current = {q.id: q for q in db.session.scalars(sa.select(Question).where(
        Question.course_id == quiz.course_id))}
    changes = []
    attempts = db.session.scalars(sa.select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.status == "finished").order_by(Attempt.id)).all()
    for attempt in attempts:
        draw = {**attempt.draw, "specs": {
            qid: {"type": current[int(qid)].type, "spec": current[int(qid)].spec}
            for qid in attempt.draw.get("specs", {}) if int(qid) in current}}
        answers = answers_of(attempt.id)
        old_score, old_passed = attempt.score or 0.0, bool(attempt.passed)
        new_score, _scores = compute_scores(draw, answers)
        new_passed = new_score >= quiz.pass_mark
        if new_score == old_score:
            continue
        changes.append(RegradeChange(attempt.id, attempt.user_id, old_score, new_score,
                                     old_passed, new_passed))
        if not dry_run:
            _apply(quiz, attempt, draw, answers, changes[-1], actor_id)
    db.session.flush()
    return changes


def _apply(quiz: Quiz, attempt: Attempt, draw: dict, answers: dict, change: RegradeChange,
           actor_id: int) -> None:
    attempt.draw = draw
    attempt.score = grade_answers(attempt, answers)
    attempt.passed = change.new_passed
    record_event("attempt.regraded", actor_id=actor_id, target_type="attempt",
                 target_id=attempt.id, data={"quiz": quiz.key, "old_score": change.old_score,
                                             "new_score": change.new_score,
                                             "old_passed": change.old_passed,
                                             "new_passed": change.new_passed})
    enrolment = get_enrolment(attempt.user_id, quiz.course_id)
    if enrolment is not None:
        record_scores(enrolment)  # scores are data; completion is left to an admin
    if quiz.kind == "final" and change.old_passed != change.new_passed:
        db.session.add(RegradeFlag(
            attempt_id=attempt.id, user_id=attempt.user_id, course_id=quiz.course_id,
            old_score=change.old_score, new_score=change.new_score,
            old_passed=change.old_passed, new_passed=change.new_passed,
            created_by_id=actor_id))


def open_flags() -> list[RegradeFlag]:
    return list(db.session.scalars(sa.select(RegradeFlag).where(
        RegradeFlag.resolved_at.is_(None)).order_by(RegradeFlag.created_at)))


def resolve_flag(flag: RegradeFlag, *, actor_id: int, note: str = "") -> None:
    """An admin has looked at the changed result and acted on it (or decided not to)."""
    if flag.resolved_at is None:
        flag.resolved_at = utcnow()
        record_event("regrade_flag.resolved", actor_id=actor_id, target_type="attempt",
                     target_id=flag.attempt_id, data={"flag": flag.id, "note": note[:500]})
        db.session.flush()
