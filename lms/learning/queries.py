"""Read-only queries: progress for course pages and the dashboard."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.catalog.models import Course, Lesson, Module
from lms.catalog.queries import published_lesson_counts
from lms.core.db import db
from lms.learning.models import Enrolment, LessonProgress


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress_for_user(user_id: int) -> list[tuple[Enrolment, Progress]]:
    """Every enrolment of a user with lessons done / total, in two queries (and the
    lesson counts, usually held by the worker)."""
    enrolments = list(db.session.scalars(
        sa.select(Enrolment).join(Course).where(Enrolment.user_id == user_id)
        .options(sa.orm.contains_eager(Enrolment.course))
        .order_by(Enrolment.enrolled_at.desc())))
    if not enrolments:
        return []
    live = sa.and_(Lesson.archived_at.is_(None), Module.archived_at.is_(None))
    totals = published_lesson_counts()
    done = dict(db.session.execute(
        sa.select(LessonProgress.enrolment_id, sa.func.count())
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Module).where(live)
        .where(LessonProgress.enrolment_id.in_([e.id for e in enrolments]))
        .group_by(LessonProgress.enrolment_id)).all())
    return [(e, Progress(done.get(e.id, 0), totals.get(e.course_id, 0))) for e in enrolments]
