"""Cohorts and their members' progress, written straight into the database (for tests)."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.assessment.models import Attempt, Quiz
from lms.catalog.models import Course, Lesson, Module
from lms.certification.models import Certificate
from lms.core.db import db, utcnow
from lms.learning.cohorts import Cohort, CohortCourse, CohortInstructor, CohortMember
from lms.learning.models import Enrolment, LessonProgress


def make_cohort(*courses: Course, name: str = "Thai judges, 2027, cohort 1",
                due_on: date | None = date(2027, 3, 31)) -> Cohort:
    cohort = Cohort(name=name, due_on=due_on, starts_on=date(2027, 1, 10))
    db.session.add(cohort)
    db.session.flush()
    for course in courses:
        db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course.id))
    db.session.commit()
    return cohort


def add_instructor(cohort: Cohort, user: User) -> None:
    db.session.add(CohortInstructor(cohort_id=cohort.id, user_id=user.id))
    db.session.commit()


def live_lesson_ids(course: Course) -> list[int]:
    return list(db.session.scalars(
        sa.select(Lesson.id).join(Module).where(Module.course_id == course.id,
                                                Module.archived_at.is_(None),
                                                Lesson.archived_at.is_(None))
        .order_by(Module.position, Lesson.position)))


def add_member(cohort: Cohort, user: User, course: Course | None = None, *,
               enrolled: bool = True, lessons: int = 0, open_attempt: bool = False,
               completed: bool = False, pre: float | None = None, final: float | None = None,
               certificate: str | None = None, last_active: datetime | None = None,
               enrolled_at: datetime | None = None) -> User:
    """Make `user` a member, with the given progress in `course` (commits)."""
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
    if last_active is not None:
        user.last_active_at = last_active
    if course is not None and enrolled:
        when = enrolled_at or utcnow() - timedelta(days=30)
        gain = round(final - pre, 2) if pre is not None and final is not None else None
        enrolment = Enrolment(user_id=user.id, course_id=course.id, enrolled_at=when,
                              status="completed" if completed else "active",
                              completed_at=when + timedelta(days=5) if completed else None,
                              course_version=course.version, pre_score=pre,
                              final_score=final, knowledge_gain=gain)
        db.session.add(enrolment)
        db.session.flush()
        for lesson_id in live_lesson_ids(course)[:lessons]:
            db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson_id,
                                          completed_at=when + timedelta(days=1)))
        if open_attempt:
            quiz = db.session.scalar(sa.select(Quiz).where(Quiz.course_id == course.id))
            db.session.add(Attempt(user_id=user.id, quiz_id=quiz.id, number=1, status="open",
                                   started_at=when + timedelta(days=2),
                                   draw={"questions": [], "order": {}, "specs": {}}))
        if certificate:
            db.session.add(Certificate(
                serial=f"CoE-2027-{secrets.randbelow(10**9):09d}",
                code=secrets.token_hex(8), user_id=user.id, course_id=course.id,
                status=certificate, issued_at=when + timedelta(days=6),
                snapshot={"name": user.name}, template="default", template_version="1"))
    db.session.commit()
    return user


def bulk_members(cohort: Cohort, course: Course, count: int, *, prefix: str = "member",
                 lessons: int = 1) -> list[int]:
    """`count` members enrolled in `course`, each with `lessons` lessons done (commits)."""
    now = utcnow()
    db.session.execute(sa.insert(User), [
        {"email": f"{prefix}{n}@example.org", "name": f"{prefix.title()} {n:05d}",
         "role": "learner", "password_hash": "not-a-hash", "country": "TH",
         "sector": "judiciary", "sex": "female", "active": True, "session_version": 1,
         "created_at": now, "last_active_at": now - timedelta(hours=n)}
        for n in range(count)])
    ids = list(db.session.scalars(sa.select(User.id).where(User.email.like(f"{prefix}%"))
                                  .order_by(User.id)))
    db.session.execute(sa.insert(CohortMember), [
        {"cohort_id": cohort.id, "user_id": user_id, "added_at": now} for user_id in ids])
    db.session.execute(sa.insert(Enrolment), [
        {"user_id": user_id, "course_id": course.id, "status": "active", "enrolled_at": now,
         "course_version": course.version, "final_score": float(n % 100)}
        for n, user_id in enumerate(ids)])
    enrolments = dict(db.session.execute(sa.select(Enrolment.user_id, Enrolment.id).where(
        Enrolment.course_id == course.id, Enrolment.user_id.in_(ids))).all())
    done = live_lesson_ids(course)[:lessons]
    if done:
        db.session.execute(sa.insert(LessonProgress), [
            {"enrolment_id": enrolments[user_id], "lesson_id": lesson_id, "completed_at": now}
            for user_id in ids for lesson_id in done])
    db.session.commit()
    return ids
