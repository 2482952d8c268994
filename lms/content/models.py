"""The studio's drafts and every published version of a course.

A draft is the course as its editors are changing it: one row per item (the course
settings, a lesson, a quiz, a bank, a question), each with a revision so a save made
from a stale copy is refused instead of overwriting someone else's work. Publishing
turns the draft into `courses/` files, loads them with the same validators as a file
course and publishes them with the same sync; the files are kept as a CourseVersion.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow

ITEM_KINDS = ("course", "references", "lesson", "quiz", "bank", "question")


class DraftItem(db.Model):
    __tablename__ = "draft_item"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    # "" for one-offs; a translation's is its file, "th/lessons/<slug>.md"
    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    data: Mapped[dict] = mapped_column(default=dict)
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.CheckConstraint("kind IN ('course', 'references', 'lesson', 'quiz', 'bank', "
                           "'question', 'translation')", name="kind"),
    )


class CourseVersion(db.Model):
    """A published version: its files exactly as published, so it can be compared,
    exported or published again (a rollback is a new version with old content)."""

    __tablename__ = "course_version"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    files: Mapped[dict] = mapped_column(default=dict)  # path → text
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class ContentImport(db.Model):
    """An upload read and checked, waiting for its uploader to confirm the preview:
    a course zip, or questions from Moodle XML or GIFT. Confirming applies all of it."""

    __tablename__ = "content_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # course | questions
    payload: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
