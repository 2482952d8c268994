"""Learners, enrolments and attempts written straight to the database, for the
gradebook tests (rows as the pages would find them, without going through HTTP)."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.assessment.models import Attempt, Quiz
from lms.catalog.models import Course, Lesson, Module
from lms.core.db import utcnow
from lms.learning.models import Enrolment, LessonProgress

NOW = utcnow()


def _lessons(db, course: Course, extra: int) -> list[int]:
    """The course's live lessons, after adding `extra` to its first module."""
    module = db.session.scalar(sa.select(Module).where(Module.course_id == course.id)
                               .order_by(Module.position))
    start = db.session.scalar(sa.select(sa.func.count()).where(Lesson.module_id == module.id))
    for n in range(start, start + extra):
        db.session.add(Lesson(module_id=module.id, slug=f"extra-{n}", position=100 + n,
                              title=f"Extra {n}", body_markdown="x", body_html="<p>x</p>"))
    db.session.flush()
    return list(db.session.scalars(sa.select(Lesson.id).join(Module).where(
        Module.course_id == course.id).order_by(Module.position, Lesson.position)))


def _quiz(db, course: Course, kind: str) -> Quiz:
    return db.session.scalar(sa.select(Quiz).where(Quiz.course_id == course.id,
                                                   Quiz.kind == kind, Quiz.archived_at.is_(None)))


def _enrol(db, user: User, course: Course, *, lessons=(), completed=False,
           days_ago: int = 10) -> Enrolment:
    enrolment = Enrolment(user_id=user.id, course_id=course.id,
                          status="completed" if completed else "active",
                          enrolled_at=NOW - timedelta(days=days_ago),
                          completed_at=NOW - timedelta(days=1) if completed else None)
    db.session.add(enrolment)
    db.session.flush()
    for lesson_id in lessons:
        db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson_id))
    return enrolment


def _attempt(db, user: User, quiz: Quiz, number: int, score: float | None, *,
             status: str = "finished") -> Attempt:
    attempt = Attempt(user_id=user.id, quiz_id=quiz.id, number=number, status=status,
                      started_at=NOW - timedelta(hours=10 - number),
                      finished_at=NOW - timedelta(hours=9 - number) if status == "finished"
                      else None,
                      score=score, passed=None if score is None else score >= quiz.pass_mark)
    db.session.add(attempt)
    return attempt


def _seed_more(db, course: Course, make_user, learners: int, lessons: int) -> None:
    lesson_ids = _lessons(db, course, extra=lessons)
    pre, final = _quiz(db, course, "pre"), _quiz(db, course, "final")
    for n in range(learners):
        user = make_user("learner", organisation=f"Org {n}")
        _enrol(db, user, course, lessons=lesson_ids[:n % (len(lesson_ids) + 1)])
        _attempt(db, user, pre, 1, float(n % 100))
        for number in range(1, n % 4 + 1):
            _attempt(db, user, final, number, float((n * 7 + number) % 100))
    db.session.commit()
