"""Courses, their modules and lessons, as published from files or the studio (archived,
never deleted)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import db, utcnow


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    audience: Mapped[str] = mapped_column(sa.Text, default="")
    objectives: Mapped[list] = mapped_column(default=list)
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    cpd_hours: Mapped[float] = mapped_column(sa.Float)
    version: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    # Who holds the truth: "files" (courses/<slug>/, loaded by `courses sync`) or
    # "studio" (edited in the browser; sync never touches it). Version 0 = not yet
    # published (such a course stays archived, so no learner sees it).
    source: Mapped[str] = mapped_column(sa.String(10), default="files",
                                        server_default="files")
    # The course's references page (every instrument cited), sanitised at sync.
    references_html: Mapped[str] = mapped_column(sa.Text, default="")
    # The feedback survey after the final test and the follow-up on use, from the course
    # files' [feedback] table (lms/content/surveys.py); {} means the platform's wording.
    feedback: Mapped[dict] = mapped_column(default=dict)
    # The [certificate] table of the course files (lms.content.certificate_settings):
    # template, validity, second language, Buddhist Era dates, refresher quiz.
    certificate: Mapped[dict] = mapped_column(default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position")

    __table_args__ = (sa.CheckConstraint("source IN ('files', 'studio')", name="source"),)


class Module(db.Model):
    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    archived_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position")

    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)


class Lesson(db.Model):
    __tablename__ = "lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    minutes: Mapped[int] = mapped_column(default=0)
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)  # sanitised when the course is synced
    content_note: Mapped[str | None] = mapped_column(sa.Text)
    archived_at: Mapped[datetime | None]

    module: Mapped[Module] = relationship(back_populates="lessons")

    __table_args__ = (sa.UniqueConstraint("module_id", "slug"),)


class GlossaryTerm(db.Model):
    """A term of the glossary shared by all courses (courses/_shared/glossary.toml)."""

    __tablename__ = "glossary_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    term: Mapped[str] = mapped_column(sa.String(200))
    definition: Mapped[str] = mapped_column(sa.Text)
    references: Mapped[list] = mapped_column(default=list)
    see_also: Mapped[list] = mapped_column(default=list)
    archived_at: Mapped[datetime | None]


class ContentTranslation(db.Model):
    """A course item, or a glossary term (no course), in another language, as last
    published. `current` says it was made from the source as it is now: learners see
    only current ones, instructors are shown the stale (lms.content.translations)."""

    __tablename__ = "content_translation"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"), index=True)
    locale: Mapped[str] = mapped_column(sa.String(10))
    kind: Mapped[str] = mapped_column(sa.String(20))
    key: Mapped[str] = mapped_column(sa.String(120))
    source_hash: Mapped[str] = mapped_column(sa.String(64))
    current: Mapped[bool]
    data: Mapped[dict] = mapped_column(default=dict)

    __table_args__ = (
        sa.UniqueConstraint("course_id", "locale", "kind", "key"),
        # Glossary terms have no course, and NULLs never collide in a unique constraint.
        sa.Index("uq_content_translation_shared", "locale", "kind", "key", unique=True,
                 sqlite_where=sa.text("course_id IS NULL"),
                 postgresql_where=sa.text("course_id IS NULL")),
    )


class SitePage(db.Model):
    """A page written as a file (courses/_shared/<slug>.md), such as the support page."""

    __tablename__ = "site_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body_html: Mapped[str] = mapped_column(sa.Text)


class SupportContact(db.Model):
    """A national hotline or service, added by an admin to the support page."""

    __tablename__ = "support_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str] = mapped_column(sa.String(60), default="")
    hours: Mapped[str] = mapped_column(sa.String(120), default="")
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


STAFF_ROLES = ("owner", "editor", "grader")


class CourseStaff(db.Model):
    """Who works on a course: an owner edits, publishes and manages staff; an editor
    edits; a grader sees learners and results. Admins may do all of it everywhere."""

    __tablename__ = "course_staff"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True,
                                         index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.CheckConstraint("role IN ('owner', 'editor', 'grader')", name="role"),
    )
