"""Read-only queries for quiz pages and course pages."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort

from lms.assessment.models import Attempt, Question, Quiz
from lms.catalog.models import Course
from lms.core.db import db
from lms.core.page_cache import memo

CONTENT_NOTE = "content note:"  # how a case scenario's vignette warns of what follows


def warns_of_distress(quiz: Quiz) -> bool:
    """Whether the test can show a case scenario that opens with a content note (one of
    its own, or one its draws can bring), so its page can say so before it starts."""
    def build() -> bool:
        topics = [rule["topic"] for rule in quiz.settings.get("draw", [])]
        specs = db.session.scalars(sa.select(Question.spec).where(
            Question.course_id == quiz.course_id, Question.archived_at.is_(None),
            Question.type == "scenario",
            sa.or_(Question.quiz_id == quiz.id,
                   sa.and_(Question.bank.is_not(None), Question.topic.in_(topics)))))
        return any(CONTENT_NOTE in str(spec.get("vignette", "")).lower() for spec in specs)
    return memo(("warns", quiz.id), build)


def course_quizzes(course_id: int) -> list[Quiz]:
    return list(db.session.scalars(
        sa.select(Quiz).where(Quiz.course_id == course_id, Quiz.archived_at.is_(None))
        .order_by(Quiz.kind.desc(), Quiz.key)))  # "pre" before "final"


@dataclass(frozen=True)
class QuizRef:
    id: int
    key: str
    title: str


def published_quizzes(course_id: int) -> tuple[QuizRef, ...]:
    """course_quizzes() as the course page lists them, held in the worker until the next
    publish."""
    return memo(("quizzes", course_id), lambda: tuple(
        QuizRef(q.id, q.key, q.title) for q in course_quizzes(course_id)))


def quizzes_by_course(course_ids: list[int]) -> dict[int, list[Quiz]]:
    """Live quizzes of several courses in one query ("pre" before "final")."""
    found: dict[int, list[Quiz]] = {course_id: [] for course_id in course_ids}
    for quiz in db.session.scalars(
            sa.select(Quiz).where(Quiz.course_id.in_(course_ids), Quiz.archived_at.is_(None))
            .order_by(Quiz.kind.desc(), Quiz.key)):
        found[quiz.course_id].append(quiz)
    return found


def get_quiz_or_404(course: Course, key: str) -> Quiz:
    quiz = db.session.scalar(sa.select(Quiz).where(
        Quiz.course_id == course.id, Quiz.key == key, Quiz.archived_at.is_(None)))
    if quiz is None:
        abort(404)
    return quiz


def get_own_attempt_or_404(attempt_id: int, user_id: int) -> Attempt:
    """Another learner's attempt is answered exactly like a missing one."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        abort(404)
    return attempt


def best_scores(user_id: int, quiz_ids: list[int]) -> dict[int, float]:
    if not quiz_ids:
        return {}
    rows = db.session.execute(
        sa.select(Attempt.quiz_id, sa.func.max(Attempt.score))
        .where(Attempt.user_id == user_id, Attempt.quiz_id.in_(quiz_ids),
               Attempt.status == "finished").group_by(Attempt.quiz_id))
    return {quiz_id: score for quiz_id, score in rows}
