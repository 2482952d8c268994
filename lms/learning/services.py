"""Learning: enrolling, completing lessons, completing courses."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.catalog.models import Course, Lesson
from lms.catalog.queries import live_lessons
from lms.core.db import db, insert_ignore, utcnow
from lms.core.errors import DomainError
from lms.learning.models import Enrolment, LessonProgress
from lms.learning.signals import completion_requirements, course_completed


def get_enrolment(user_id: int, course_id: int) -> Enrolment | None:
    return db.session.scalar(sa.select(Enrolment).where(
        Enrolment.user_id == user_id, Enrolment.course_id == course_id))


def enrol(user_id: int, course: Course) -> Enrolment:
    """Enrol a user; enrolling again returns the existing enrolment."""
    if course.archived_at is not None:
        raise DomainError(_("This course is no longer offered."))
    enrolment = get_enrolment(user_id, course.id)
    if enrolment is None:
        # A double tap may race this one: the unique (user, course) settles it.
        insert_ignore(Enrolment, dict(user_id=user_id, course_id=course.id, status="active",
                                      enrolled_at=utcnow(), course_version=course.version))
        enrolment = get_enrolment(user_id, course.id)
    return enrolment


def lesson_state(user_id: int, course_id: int, lesson_id: int) -> tuple[bool, bool]:
    """(enrolled in the course, lesson completed), in one statement."""
    done = sa.exists().where(LessonProgress.enrolment_id == Enrolment.id,
                             LessonProgress.lesson_id == lesson_id)
    row = db.session.execute(sa.select(Enrolment.id, done).where(
        Enrolment.user_id == user_id, Enrolment.course_id == course_id)).first()
    return (row is not None, bool(row and row[1]))


def completed_lesson_ids(enrolment_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(LessonProgress.lesson_id).where(
        LessonProgress.enrolment_id == enrolment_id)))


def complete_lesson(enrolment: Enrolment, lesson: Lesson) -> bool:
    """Mark a lesson complete; True if it was new. Then re-check course completion."""
    if lesson.module.course_id != enrolment.course_id:
        raise DomainError(_("This lesson belongs to another course."))
    added = insert_ignore(LessonProgress, dict(enrolment_id=enrolment.id, lesson_id=lesson.id,
                                               completed_at=utcnow()))
    mark_started(enrolment)
    update_completion(enrolment)
    return added


def mark_started(enrolment: Enrolment, at: datetime | None = None) -> None:
    """Note when the learner first read a lesson or began a quiz (reports count it)."""
    if enrolment.started_at is None:
        enrolment.started_at = at or utcnow()
        db.session.flush()


def first_unread(lessons: list[Lesson], done: set[int]) -> Lesson | None:
    """Where the learner continues: the first lesson in reading order not yet completed."""
    return next((lesson for lesson in lessons if lesson.id not in done), None)


def outstanding_requirements(enrolment: Enrolment) -> list[str]:
    """What still stands between this enrolment and completion (empty when complete)."""
    missing: list[str] = []
    lesson_ids = {lesson.id for lesson in live_lessons(enrolment.course_id)}
    left = len(lesson_ids - completed_lesson_ids(enrolment.id))
    if left:
        missing.append(ngettext("%(num)d lesson to complete", "%(num)d lessons to complete", left))
    for _receiver, result in completion_requirements.send(enrolment):
        missing.extend(result or [])
    return missing


def update_completion(enrolment: Enrolment) -> bool:
    """Complete the enrolment when nothing is outstanding; completion is never undone."""
    if enrolment.status == "completed":
        return True
    if outstanding_requirements(enrolment):
        return False
    enrolment.status = "completed"
    enrolment.completed_at = utcnow()
    db.session.flush()
    course_completed.send(enrolment)
    return True
