"""Read-only queries over the catalogue."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sqlalchemy as sa
from flask import abort

from lms.catalog.models import Course, GlossaryTerm, Lesson, Module, SitePage, SupportContact
from lms.core.db import db
from lms.core.page_cache import memo


@dataclass(frozen=True)
class OutlineModule:
    module: Module
    lessons: list[Lesson]


def list_courses() -> list[Course]:
    return list(db.session.scalars(
        sa.select(Course).where(Course.archived_at.is_(None)).order_by(Course.title)))


def get_course_or_404(slug: str) -> Course:
    course = db.session.scalar(
        sa.select(Course).where(Course.slug == slug, Course.archived_at.is_(None)))
    if course is None:
        abort(404)
    return course


def live_lessons(course_id: int) -> list[Lesson]:
    """The course's current lessons in reading order (one query)."""
    return list(db.session.scalars(
        sa.select(Lesson).join(Module)
        .where(Module.course_id == course_id, Module.archived_at.is_(None),
               Lesson.archived_at.is_(None))
        .order_by(Module.position, Lesson.position)))


@dataclass(frozen=True)
class LessonRef:
    """A lesson as the outline and the previous/next links show it."""
    id: int
    slug: str
    title: str
    minutes: int


@dataclass(frozen=True)
class OutlinePart:
    title: str
    lessons: tuple[LessonRef, ...]
    slug: str = ""  # the module's, which its translations are keyed by


def published_outline(course_id: int) -> tuple[OutlinePart, ...]:
    """The course's modules and current lessons, held in the worker until the next
    publish: every course and lesson page needs it, and it changes only when content does."""
    def build() -> tuple[OutlinePart, ...]:
        return tuple(OutlinePart(part.module.title, tuple(
            LessonRef(lesson.id, lesson.slug, lesson.title, lesson.minutes)
            for lesson in part.lessons), part.module.slug) for part in course_outline(course_id))
    return memo(("outline", course_id), build)


def lesson_sequence(course_id: int) -> tuple[LessonRef, ...]:
    """The current lessons in reading order."""
    return tuple(lesson for part in published_outline(course_id) for lesson in part.lessons)


@dataclass(frozen=True)
class CourseRef:
    id: int
    slug: str
    title: str
    language: str


@dataclass(frozen=True)
class PublishedLesson:
    """A current lesson as learners read it, with its course."""
    course: CourseRef
    id: int
    slug: str
    title: str
    body_html: str
    content_note: str | None


def published_lesson(course_slug: str, lesson_slug: str) -> PublishedLesson | None:
    """The lesson page's content, held in the worker until the next publish: the
    most-read page then asks the database only about the learner."""
    def build() -> PublishedLesson | None:
        row = db.session.execute(
            sa.select(Course, Lesson).join(Module, Module.course_id == Course.id)
            .join(Lesson, Lesson.module_id == Module.id)
            .where(Course.slug == course_slug, Course.archived_at.is_(None),
                   Lesson.slug == lesson_slug, Lesson.archived_at.is_(None),
                   Module.archived_at.is_(None))).first()
        if row is None:
            return None
        course, lesson = row
        return PublishedLesson(
            CourseRef(course.id, course.slug, course.title, course.language), lesson.id,
            lesson.slug, lesson.title, lesson.body_html, lesson.content_note)
    # Unknown slugs are not held: anyone could fill the memo with them.
    return memo(("lesson", course_slug, lesson_slug), build, keep_none=False)


def course_outline(course_id: int) -> list[OutlineModule]:
    """Modules with their current lessons, in two queries whatever the size."""
    return outlines([course_id])[course_id]


def outlines(course_ids: list[int]) -> dict[int, list[OutlineModule]]:
    """Outlines of several courses in two queries (no query per course)."""
    modules = list(db.session.scalars(
        sa.select(Module).where(Module.course_id.in_(course_ids), Module.archived_at.is_(None))
        .order_by(Module.course_id, Module.position)))
    by_module: dict[int, list[Lesson]] = {m.id: [] for m in modules}
    for lesson in db.session.scalars(
            sa.select(Lesson).where(Lesson.module_id.in_(list(by_module)),
                                    Lesson.archived_at.is_(None))
            .order_by(Lesson.position)):
        by_module[lesson.module_id].append(lesson)
    result: dict[int, list[OutlineModule]] = {course_id: [] for course_id in course_ids}
    for module in modules:
        result[module.course_id].append(OutlineModule(module, by_module[module.id]))
    return result


def get_lesson_or_404(course: Course, lesson_slug: str) -> Lesson:
    lesson = db.session.scalar(
        sa.select(Lesson).join(Module)
        .where(Module.course_id == course.id, Lesson.slug == lesson_slug,
               Lesson.archived_at.is_(None), Module.archived_at.is_(None)))
    if lesson is None:
        abort(404)
    return lesson


def lesson_counts() -> dict[int, int]:
    """Current lessons per course id, for the catalogue and dashboards."""
    rows = db.session.execute(
        sa.select(Module.course_id, sa.func.count(Lesson.id)).join(Lesson)
        .where(Module.archived_at.is_(None), Lesson.archived_at.is_(None))
        .group_by(Module.course_id))
    return {course_id: count for course_id, count in rows}


def published_lesson_counts() -> Mapping[int, int]:
    """lesson_counts(), held in the worker until the next publish (they change only then)."""
    return memo(("lesson_counts",), lambda: MappingProxyType(lesson_counts()))


def glossary_terms() -> list[GlossaryTerm]:
    return list(db.session.scalars(sa.select(GlossaryTerm).where(
        GlossaryTerm.archived_at.is_(None)).order_by(sa.func.lower(GlossaryTerm.term))))


def site_page(slug: str) -> SitePage | None:
    return db.session.scalar(sa.select(SitePage).where(SitePage.slug == slug))


def support_contacts() -> list[SupportContact]:
    return list(db.session.scalars(sa.select(SupportContact).order_by(
        SupportContact.country, SupportContact.name)))
