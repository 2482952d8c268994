"""Enrolments and lesson progress."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Course
from lms.core.db import db, utcnow


class Enrolment(db.Model):
    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    course_version: Mapped[int] = mapped_column(default=1)
    # Written by assessment: first pre-test score, best final score, and the gain.
    pre_score: Mapped[float | None]
    final_score: Mapped[float | None]
    knowledge_gain: Mapped[float | None]
    # For the programme's reports: the first lesson read or quiz begun, the first pass of
    # the final test (kept in step by assessment, also on regrade), and the follow-up mail.
    started_at: Mapped[datetime | None]
    passed_at: Mapped[datetime | None]
    follow_up_sent_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id"),
        sa.CheckConstraint("status IN ('active', 'completed')", name="status"),
        # The ready-for-a-certificate lists read only completed enrolments, by course.
        sa.Index("ix_enrolment_completed", "course_id", "id",
                 sqlite_where=sa.text("status = 'completed'"),
                 postgresql_where=sa.text("status = 'completed'")),
        # The follow-up job reads completions whose survey has not been sent, oldest first.
        sa.Index("ix_enrolment_follow_up_due", "completed_at",
                 sqlite_where=sa.text("completed_at IS NOT NULL AND follow_up_sent_at IS NULL"),
                 postgresql_where=sa.text(
                     "completed_at IS NOT NULL AND follow_up_sent_at IS NULL")),
        # Reports: the first and last month with enrolments, and the extract's period.
        sa.Index("ix_enrolment_enrolled_at", "enrolled_at"),
    )


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"

    # The composite key makes "complete twice" a no-op, even from two tabs at once.
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"), primary_key=True)
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
