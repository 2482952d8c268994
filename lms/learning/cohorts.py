"""Cohorts: people trained together ("Thai judges, 2027, cohort 1"), the courses they
take, their dates and instructors, and the reminders sent to them."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow


class Cohort(db.Model):
    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    country: Mapped[str | None] = mapped_column(sa.String(2))
    agency: Mapped[str | None] = mapped_column(sa.String(200))
    # Printed beside English on the certificates its members earn (overrides the course's).
    certificate_language: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    archived_at: Mapped[datetime | None]


class CohortCourse(db.Model):
    __tablename__ = "cohort_course"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), primary_key=True,
                                           index=True)


class CohortMember(db.Model):
    __tablename__ = "cohort_member"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True,
                                         index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class CohortInstructor(db.Model):
    __tablename__ = "cohort_instructor"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True,
                                         index=True)


class Reminder(db.Model):
    """A reminder to a filtered group of a cohort's members in one course, sent now or
    on a date before the due date (by the jobs layer)."""

    __tablename__ = "reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    audience: Mapped[str] = mapped_column(sa.String(20))  # a tracking filter
    message: Mapped[str] = mapped_column(sa.Text, default="")
    send_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    recipients: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
