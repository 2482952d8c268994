"""Regrading after an instructor corrects an answer key.

Finished attempts are graded again against the questions' current specs; each
changed mark is written to the audit log with the old and new values. When a
regrade would turn a final test from passed to failed or back, the new score is
recorded but the verdict is left as it was and an admin is asked to decide, so
no completion or certificate changes silently.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lms.accounts.models import User
from lms.assessment import item_stats
from lms.assessment.languages import keep_words
from lms.assessment.models import Answer, Attempt, Question, Quiz, RegradeFlag
from lms.assessment.services import compute_scores, record_scores
from lms.catalog.models import Course
from lms.core.audit import record_event
from lms.core.db import db, utcnow
from lms.learning.services import get_enrolment, update_completion


def regraded_snapshot(seen: dict[str, Any], question: Question) -> dict[str, Any]:
    """The attempt graded by the question's answer key as it is now, while the learner's
    review keeps the wording and the version they saw (item analysis too). An attempt
    read in a translation keeps its words and the typed answers its translation
    accepts: a correction is made in the source language."""
    translated = "source_spec" in seen
    spec = (keep_words(question.spec, seen["spec"], seen["source_spec"]) if translated
            else question.spec)
    return {**seen, "type": question.type, "spec": spec,
            "graded_with_version": question.version}


@dataclass(frozen=True)
class RegradeChange:
    attempt_id: int
    user_id: int
    old_score: float
    new_score: float
    old_passed: bool
    new_passed: bool

    @property
    def verdict_changes(self) -> bool:
        return self.old_passed != self.new_passed


def regrade_quiz(quiz: Quiz, *, actor_id: int | None,
                 dry_run: bool = False) -> list[RegradeChange]:
    """Re-grade every finished attempt; return those whose marks changed."""
    changes, after = [], 0
    while (batch := regrade_batch(quiz, after_id=after, actor_id=actor_id,
                                  dry_run=dry_run)).seen:
        changes += batch.changes
        after = batch.last_id
    return changes


@dataclass(frozen=True)
class Batch:
    changes: list[RegradeChange]
    seen: int  # attempts looked at; 0 when none was left
    last_id: int


def regrade_batch(quiz: Quiz, *, after_id: int, actor_id: int | None, dry_run: bool,
                  limit: int = 500) -> Batch:
    """Re-grade up to `limit` finished attempts with ids above `after_id` (3 queries)."""
    current = {q.id: q for q in db.session.scalars(sa.select(Question).where(
        Question.course_id == quiz.course_id))}
    attempts = db.session.scalars(sa.select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.status == "finished", Attempt.id > after_id)
        .order_by(Attempt.id).limit(limit)).all()
    if not attempts:
        return Batch([], 0, after_id)
    answers: dict[int, dict[int, Answer]] = defaultdict(dict)
    for answer in db.session.scalars(sa.select(Answer).where(
            Answer.attempt_id.in_([a.id for a in attempts]))):
        answers[answer.attempt_id][answer.question_id] = answer
    changes, stat_delta = [], item_stats.new_sums()
    for attempt in attempts:
        draw = {**attempt.draw, "specs": {
            qid: regraded_snapshot(attempt.draw["specs"][qid], current[int(qid)])
            for qid in attempt.draw.get("specs", {}) if int(qid) in current}}
        new_score, scores = compute_scores(draw, answers[attempt.id])
        # Compare per question: two corrections can cancel out in the total.
        same_marks = all(answers[attempt.id][q].score == s for q, s in scores.items())
        if same_marks:
            if draw != attempt.draw and not dry_run:
                attempt.draw = draw  # new key, same marks: keep the snapshot current
            continue
        old_score = attempt.score or 0.0
        change = RegradeChange(attempt.id, attempt.user_id, old_score, new_score,
                               bool(attempt.passed), new_score >= quiz.pass_mark)
        changes.append(change)
        if not dry_run:
            old_marks = {q: a.score or 0.0 for q, a in answers[attempt.id].items()}
            item_stats.attempt_terms(attempt.draw, old_marks, -1, into=stat_delta)
            item_stats.attempt_terms(draw, scores, +1, into=stat_delta)
            _apply(quiz, attempt, draw, answers[attempt.id], scores, change, actor_id)
    item_stats.add_terms(quiz.id, stat_delta)
    db.session.flush()
    return Batch(changes, len(attempts), attempts[-1].id)


def _apply(quiz: Quiz, attempt: Attempt, draw: dict, answers: dict[int, Answer],
           scores: dict[int, float], change: RegradeChange, actor_id: int | None) -> None:
    attempt.draw = draw
    for question_id, score in scores.items():
        answers[question_id].score = score
    attempt.score = change.new_score
    held = quiz.kind == "final" and change.verdict_changes
    if not held:
        attempt.passed = change.new_passed
    record_event("attempt.regraded", actor_id=actor_id, target_type="attempt",
                 target_id=attempt.id, data={"quiz": quiz.key, "old_score": change.old_score,
                                             "new_score": change.new_score,
                                             "old_passed": change.old_passed,
                                             "new_passed": change.new_passed,
                                             "verdict_held_for_admin": held})
    enrolment = get_enrolment(attempt.user_id, quiz.course_id)
    if enrolment is not None:
        record_scores(enrolment)
    if held:
        db.session.add(RegradeFlag(
            attempt_id=attempt.id, user_id=attempt.user_id, course_id=quiz.course_id,
            old_score=change.old_score, new_score=change.new_score,
            old_passed=change.old_passed, new_passed=change.new_passed,
            created_by_id=actor_id))


@dataclass(frozen=True)
class OpenFlag:
    flag: RegradeFlag
    learner: str
    course: str


def open_flags(limit: int = 100) -> list[OpenFlag]:
    """The oldest undecided flags (a large regrade can raise thousands: they are decided
    a page at a time)."""
    rows = db.session.execute(
        sa.select(RegradeFlag, User.name, Course.title)
        .join(User, User.id == RegradeFlag.user_id).join(Course)
        .where(RegradeFlag.resolved_at.is_(None)).order_by(RegradeFlag.id).limit(limit))
    return [OpenFlag(flag, learner, course) for flag, learner, course in rows]


def resolve_flag(flag: RegradeFlag, *, apply: bool, actor_id: int) -> None:
    """The admin's decision: apply the regraded verdict, or keep the original one.

    Applying a pass may complete the course (a certificate can then be issued);
    applying a fail leaves an existing completion and certificate for the admin to
    revoke, with its reason, on the certificates page.
    """
    if flag.resolved_at is not None:
        return
    attempt = db.session.get(Attempt, flag.attempt_id)
    if apply:
        attempt.passed = flag.new_passed
        enrolment = get_enrolment(flag.user_id, flag.course_id)
        if enrolment is not None and flag.new_passed:
            update_completion(enrolment)
    flag.resolved_at = utcnow()
    record_event("regrade_flag.resolved", actor_id=actor_id, target_type="attempt",
                 target_id=flag.attempt_id,
                 data={"flag": flag.id, "applied": apply, "passed": attempt.passed})
    db.session.flush()
